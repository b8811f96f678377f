#!/bin/bash
# subid-admind's memory stays flat: 100,000 requests over 16 connections
# (whoami, status, who-owns, refused admin operations; half of the clients
# unprivileged), with 200 grants and revokes made at the same time, must
# not grow its resident set by 1 MiB after the first tenth. Every request
# must get the expected reply. tests/tools/subid-load drives it; the same
# tool measures throughput with 100,000 users in `make bench`
# (tests/bench/load.sh).
. "$SRCDIR/tests/integration/lib.sh"
# ASan's quarantine and shadow memory grow by design: the figure means
# something only for the plain build (make check runs both).
grep -qa __asan_init "$ADMIND" && skip_all "this install is built with AddressSanitizer; memory is measured on the plain build"

LOAD=$TOOLS/subid-load
[ -x "$LOAD" ] || { not_ok "subid-load is built at $LOAD"; done_testing; exit 1; }
[ -x "$ADMIND" ] || { not_ok "subid-admind is installed at $ADMIND"; done_testing; exit 1; }

R=$(make_user admr) || { not_ok "create test account"; done_testing; exit 1; }
writers=()
for i in 1 2 3 4; do
        writers+=("$(make_user "admw$i")") || { not_ok "create test accounts"; done_testing; exit 1; }
done
work=$(mktemp -d /tmp/subid-t-memory.XXXXXX)
chmod 0755 "$work"
at_exit "rm -rf '$work'"

reset_policy
: >"$ADMIND_LOG"
start_admind || { not_ok "start subid-admind"; done_testing; exit 1; }
# 200 owners for who-owns to find
for ((i = 0; i < 200; i++)); do echo "o$i $((500000 + i * 1000))"; done >"$work/owners"
sqlite3 "$DB" "BEGIN; $(for ((i = 0; i < 200; i++)); do
        echo "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at)
              VALUES ('uid', $((3000000 + i)), 'o$i', $((500000 + i * 1000)), 1000, 0);"
done) COMMIT; PRAGMA wal_checkpoint(TRUNCATE);" || not_ok "seed 200 owners"

list=$(IFS=,; echo "${writers[*]}")
out=$("$LOAD" "$ADMIND_SOCKET" 16 100000 200 "$(id -u "$R")" "$work/owners" "$list" light "$ADMIND_PID" 2>&1)
rc=$?
is "$rc|$(sed -n 's/^failures //p' <<<"$out")" "0|0" "100,000 reads and 200 writes all got the expected reply"
rss=$(awk '$1 == "rss" { printf "%s%d", sep, $3; sep = " " }' <<<"$out")
first=$(awk '$1 == "rss" { n++; if (n == 2) print $3 }' <<<"$out")
last=$(awk '$1 == "rss" { v = $3 } END { print v }' <<<"$out")
samples=$(grep -c '^rss ' <<<"$out")
if [ "$samples" -ge 11 ] && [ -n "$first" ] && [ -n "$last" ] && [ $((last - first)) -lt 1024 ]; then
        ok "VmRSS flat over 100,000 requests: grew $((last - first)) KiB after the first tenth (KiB: $rss)"
else not_ok "VmRSS flat over 100,000 requests" "samples (KiB): $rss" "$out"; fi
echo "# $(grep -E '^(wall|reads|writes|hwm)' <<<"$out" | tr '\n' ';')"
is "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok "the database is consistent after the load"
is "$(sqlite3 "$DB" "SELECT count(*) FROM ranges WHERE first >= 3000000000")" 0 "every write was revoked again"
check "the daemon still serves" "$SUBIDCTL" list "$R"
done_testing
