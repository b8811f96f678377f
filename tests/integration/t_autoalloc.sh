#!/bin/bash
# subid-admind follows the user database (auto_allocate = yes): real
# useradd, userdel, usermod -l and usermod -u against a copy of /etc in a
# private mount namespace. A new login account gets ranges in the database
# and the exported /etc/subuid within two seconds, a deleted one's go to
# quarantine, a rename is followed, a reused uid or name never inherits, a
# revoke sticks, and shadow's own allocation (useradd with SUB_UID_COUNT >
# 0) never leaves two owners for one id. The idle daemon uses no CPU.
. "${SRCDIR:?}/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/lib_audit.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (namespaces, useradd)"

# The namespace's /etc is a copy, bind-mounted over both /etc and the check
# install's SYSCONFDIR: shadow's tools rename new files into the directory,
# so a bind mount of the directory (not of single files) is what survives
# them, and the daemon's exported files are then the namespace's
# /etc/subuid and /etc/subgid, the very files useradd writes. The machine's
# own accounts and /etc/subuid are never touched.
work=$(mktemp -d /tmp/subid-t-autoalloc.XXXXXX)
at_exit "rm -rf '$work'"
# (Temporary files of a useradd running elsewhere may vanish under cp.)
cp -a /etc "$work/etc" 2>/dev/null
[ -s "$work/etc/passwd" ] && [ -s "$work/etc/group" ] || { not_ok "a copy of /etc"; done_testing; exit 1; }
mkdir -p "$CHECK_ROOT/etc"
rm -f "$work/etc/subuid" "$work/etc/subgid" "$work/etc/subuid-" "$work/etc/subgid-"
mkdir -p "$work/etc/subid"
# Only this test's uids are login accounts for subid: the copied machine
# accounts (and other tests' leftovers) stay out of it.
cat >"$work/etc/subid/subid.conf" <<EOF
auto_allocate = yes
auto_uid_min = 66000
auto_uid_max = 66999
sub_uid_count = 65536
sub_gid_count = 65536
EOF

unshare -m --propagation private sh -c \
        'mount --bind "$0" /etc && mount --bind "$0" "$1" && touch /etc/.subidt-ns && exec sleep infinity' \
        "$work/etc" "$CHECK_ROOT/etc" 8>&- &
holder=$!
at_exit "kill $holder"
for ((i = 0; i < 100; i++)); do
        nsenter -t "$holder" -m test -e /etc/.subidt-ns 2>/dev/null && break
        sleep 0.05
done
ns() { nsenter -t "$holder" -m -- "$@"; }
ns test -e /etc/.subidt-ns || { not_ok "the test namespace is set up"; done_testing; exit 1; }
NSUB=$work/etc/subuid NSGID=$work/etc/subgid

cat >"$work/admind-ns" <<EOF
#!/bin/sh
exec nsenter -t $holder -m -- "$ADMIND"
EOF
chmod +x "$work/admind-ns"
stop_admind
reset_policy
real_admind=$ADMIND
ADMIND=$work/admind-ns
: >"$ADMIND_LOG"
start_auditd || { not_ok "auditd starts"; done_testing; exit 1; }
start_admind || { not_ok "subid-admind starts in the namespace"; done_testing; exit 1; }
ADMIND=$real_admind
grep -q "following the user database in /etc" "$ADMIND_LOG" && ok "the daemon follows the user database" ||
        not_ok "the daemon follows the user database" "$(cat "$ADMIND_LOG")"

# useradd/usermod/userdel in the namespace, without shadow's own subuid
# allocation unless a test asks for it.
nsuseradd() { ns useradd -M -d /nonexistent -s /bin/sh -K UID_MAX=67000 -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$@" >/dev/null; }
ranges_of() { # ranges_of NAME: "uid:FIRST:COUNT gid:FIRST:COUNT" from the database
        sqlite3 "$DB" "SELECT group_concat(kind || ':' || first || ':' || count, ' ') FROM
                (SELECT * FROM ranges WHERE owner_name = '$1' ORDER BY kind DESC, first)"
}
subuid_line() { grep "^$1:" "$NSUB" | head -n1 | cut -d: -f2-; }
# waits up to 2 s for COMMAND to succeed; sets $ms to the time it took
within_2s() {
        local t0 i
        t0=$(date +%s%N)
        for ((i = 0; i < 200; i++)); do
                if "$@" >/dev/null 2>&1; then
                        ms=$((($(date +%s%N) - t0) / 1000000))
                        return 0
                fi
                sleep 0.01
        done
        ms=$((($(date +%s%N) - t0) / 1000000))
        return 1
}
has_both() { [ "$(sqlite3 "$DB" "SELECT count(DISTINCT kind) FROM ranges WHERE owner_name = '$1'")" = 2 ] &&
        grep -q "^$1:" "$NSUB" && grep -q "^$1:" "$NSGID"; }
has_none() { [ -z "$(ranges_of "$1")" ] && ! grep -q "^$1:" "$NSUB" && ! grep -q "^$1:" "$NSGID"; }
# quarantined NAME [N]: the quarantine holds N (2) pieces of NAME's, from userdel
quarantined() { [ "$(sqlite3 "$DB" "SELECT count(*) FROM quarantine WHERE former_name = '$1' AND reason = 'userdel'")" = "${2:-2}" ]; }

# ---- the idle daemon sleeps ---------------------------------------------------
cpu() { awk '{ print $14 + $15 }' "/proc/$ADMIND_PID/stat"; }
before=$(cpu)
sleep 3
after=$(cpu)
is "$((after - before))" 0 "the idle daemon uses no CPU for 3 s (clock ticks)"
is "$(cat "/proc/$ADMIND_PID/wchan")" "do_epoll_wait" "… it sleeps in epoll_wait"

# ---- useradd ------------------------------------------------------------------
nsuseradd -u 66001 subidt_aa1
within_2s has_both subidt_aa1 && ok "useradd: ranges in the database and the exported files (${ms} ms)" ||
        not_ok "useradd: ranges in the database and the exported files" "$(tail -n5 "$ADMIND_LOG")"
echo "# useradd -> range exported: ${ms} ms"
range1=$(ranges_of subidt_aa1)
is "$(sqlite3 "$DB" "SELECT DISTINCT origin FROM ranges WHERE owner_name = 'subidt_aa1'")" "auto" "… origin auto"
# The daemon acted by itself: USER_MGMT records with acct= the new account,
# the daemon's own (unset) auid and sauid unset.
if audit_wait 2 -m USER_MGMT && out=$(audit_search -m USER_MGMT | grep 'auid=4294967295 ' | grep 'op=auto-allocate acct="subidt_aa1"') &&
        [ "$(grep -c . <<<"$out")" -eq 2 ] && grep -q 'subuids=[0-9]*-[0-9]* sauid=4294967295 .*res=success' <<<"$out" &&
        grep -q 'subgids=[0-9]*-[0-9]* sauid=4294967295 .*res=success' <<<"$out"; then
        ok "useradd: one auto-allocate audit record per kind, acct the new account"
else
        not_ok "useradd: one auto-allocate audit record per kind, acct the new account" "$(audit_search -m USER_MGMT | tail -4)"
fi
grep -q "auto: allocated subuids .* to subidt_aa1 (uid 66001): login account without a range" "$ADMIND_LOG" &&
        ok "… one log line per action, naming the account" || not_ok "… one log line per action, naming the account"
[ "$(grep -c "^subidt_aa1:" "$NSUB")" -eq 1 ] && ok "… exactly one subuid line" || not_ok "… exactly one subuid line"

# System accounts (below auto_uid_min) are skipped.
ns useradd -r -M -K UID_MAX=67000 -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 subidt_aasys >/dev/null
sleep 2
has_none subidt_aasys && ok "useradd -r: a system account gets nothing" || not_ok "useradd -r: a system account gets nothing"

# ---- usermod -l -----------------------------------------------------------------
ns usermod -l subidt_aa1r subidt_aa1
within_2s has_both subidt_aa1r && ok "usermod -l: the ranges follow the rename (${ms} ms)" ||
        not_ok "usermod -l: the ranges follow the rename" "$(tail -n5 "$ADMIND_LOG")"
is "$(ranges_of subidt_aa1r)" "$range1" "… the same ranges"
has_none subidt_aa1 && ok "… none left under the old name" || not_ok "… none left under the old name"

# ---- userdel ------------------------------------------------------------------
ns userdel subidt_aa1r
within_2s quarantined subidt_aa1r && ok "userdel: the ranges go to quarantine (${ms} ms)" ||
        not_ok "userdel: the ranges go to quarantine" "$(tail -n5 "$ADMIND_LOG")"
has_none subidt_aa1r && ok "… and leave the database and the exported files" ||
        not_ok "… and leave the database and the exported files"

# ---- uid reuse, another name ------------------------------------------------------
nsuseradd -u 66001 subidt_aa2
within_2s has_both subidt_aa2 && ok "useradd reusing the uid: the new account gets ranges (${ms} ms)" ||
        not_ok "useradd reusing the uid: the new account gets ranges"
range2=$(ranges_of subidt_aa2)
[ -n "$range2" ] && [ "$range2" != "$range1" ] && ok "… fresh ones, not the deleted account's" ||
        not_ok "… fresh ones, not the deleted account's" "old $range1 new $range2"

# ---- same name, same uid ------------------------------------------------------------
ns userdel subidt_aa2
within_2s quarantined subidt_aa2 || not_ok "userdel subidt_aa2 quarantines"
nsuseradd -u 66001 subidt_aa2
within_2s has_both subidt_aa2 && ok "userdel then useradd of the same name and uid: ranges again (${ms} ms)" ||
        not_ok "userdel then useradd of the same name and uid: ranges again"
range2b=$(ranges_of subidt_aa2)
[ -n "$range2b" ] && [ "$range2b" != "$range2" ] && ok "… fresh ones, not the deleted account's" ||
        not_ok "… fresh ones, not the deleted account's" "old $range2 new $range2b"

# ---- userdel and useradd -u SAMEUID at once ---------------------------------------
# Back to back, as a script would: the daemon sees the deletion on its own,
# or both replacements of passwd at once and then distrusts the "rename".
# Either way the new account never inherits.
ns sh -c 'userdel subidt_aa2 &&
        useradd -M -d /nonexistent -K UID_MAX=67000 -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 -u 66001 subidt_aa3'
within_2s has_both subidt_aa3 && ok "userdel; useradd -u SAMEUID back to back: the new account gets ranges (${ms} ms)" ||
        not_ok "userdel; useradd -u SAMEUID back to back: the new account gets ranges" "$(tail -n5 "$ADMIND_LOG")"
within_2s quarantined subidt_aa2 4 && ok "… the deleted account's are quarantined" ||
        not_ok "… the deleted account's are quarantined" "$(tail -n5 "$ADMIND_LOG")"
range3=$(ranges_of subidt_aa3)
[ -n "$range3" ] && [ "$range3" != "$range2b" ] && ok "… and not inherited" ||
        not_ok "… and not inherited" "old $range2b new $range3"

# The same while the daemon cannot look (stopped, as if busy with a long
# request): it then sees passwd replaced twice at once, and a vanished name
# whose uid has a new name is a deletion, never a rename.
nsuseradd -u 66007 subidt_aa7
within_2s has_both subidt_aa7 || not_ok "useradd subidt_aa7 is followed"
range7=$(ranges_of subidt_aa7)
kill -STOP "$ADMIND_PID"
ns userdel subidt_aa7
nsuseradd -u 66007 subidt_aa8
kill -CONT "$ADMIND_PID"
within_2s has_both subidt_aa8 && ok "userdel; useradd -u SAMEUID unseen in between: the new account gets ranges (${ms} ms)" ||
        not_ok "userdel; useradd -u SAMEUID unseen in between: the new account gets ranges" "$(tail -n5 "$ADMIND_LOG")"
range8=$(ranges_of subidt_aa8)
[ -n "$range8" ] && [ "$range8" != "$range7" ] && ok "… not the old account's: two replacements at once are no rename" ||
        not_ok "… not the old account's: two replacements at once are no rename" "old $range7 new $range8"
grep -q "auto: quarantined subuids .* of subidt_aa7 (uid 66007): the uid is subidt_aa8's now" "$ADMIND_LOG" &&
        grep -q "changed several times at once" "$ADMIND_LOG" && ok "… logged as a reused uid" ||
        not_ok "… logged as a reused uid" "$(tail -n6 "$ADMIND_LOG")"

# ---- usermod -u -------------------------------------------------------------------
# One change: the same account under a new uid. Its ranges follow it (as
# shadow's name-keyed /etc/subuid would), so its container storage stays
# usable.
ns usermod -u 66002 subidt_aa3
within_2s sh -c "[ \"\$(sqlite3 '$DB' \"SELECT count(*) FROM ranges WHERE owner_uid = 66002\")\" = 2 ]" &&
        ok "usermod -u: the ranges move to the account's new uid (${ms} ms)" ||
        not_ok "usermod -u: the ranges move to the account's new uid" "$(tail -n5 "$ADMIND_LOG")"
is "$(sqlite3 "$DB" "SELECT count(*) FROM ranges WHERE owner_uid = 66001")" 0 "… nothing stays with the old uid"
is "$(ranges_of subidt_aa3)" "$range3" "… the same ranges: nothing quarantined, nothing allocated"
grep -q "auto: moved the ranges of subidt_aa3 from uid 66001 to uid 66002" "$ADMIND_LOG" && ok "… logged" ||
        not_ok "… logged" "$(tail -n3 "$ADMIND_LOG")"

# ---- a revoke sticks -----------------------------------------------------------------
check "revoke everything subidt_aa3 holds" "$SUBIDCTL" revoke subidt_aa3
nsuseradd -u 66004 subidt_aa4
within_2s has_both subidt_aa4 || not_ok "another useradd is followed"
has_none subidt_aa3 && ok "a revoked account gets nothing back at the next change" ||
        not_ok "a revoked account gets nothing back at the next change" "$(ranges_of subidt_aa3)"

# ---- foreign edits of the exported files --------------------------------------------
want=$(cat "$NSUB")
echo "subidt_aaforeign:100000:65536" >>"$NSUB"
within_2s sh -c "[ \"\$(cat '$NSUB')\" = \"\$1\" ]" _ "$want" &&
        ok "a foreign line in /etc/subuid is removed: the database is the only source (${ms} ms)" ||
        not_ok "a foreign line in /etc/subuid is removed" "$(cat "$NSUB")"
grep -q "was changed by another program" "$ADMIND_LOG" && ok "… and the log says so" || not_ok "… and the log says so"

# shadow's own allocation: useradd with SUB_UID_COUNT 65536 writes
# /etc/subuid itself; the daemon allocates from its pool and rewrites the
# file, so the account ends up with one range, the database's, and no id
# with two owners.
ns useradd -M -d /nonexistent -s /bin/sh -K UID_MAX=67000 -K SUB_UID_COUNT=65536 -K SUB_GID_COUNT=65536 -u 66005 subidt_aa5 \
        >/dev/null
within_2s has_both subidt_aa5 || not_ok "useradd with SUB_UID_COUNT > 0 is followed"
sleep 0.5
dbline=$(sqlite3 "$DB" "SELECT first || ':' || count FROM ranges WHERE owner_name = 'subidt_aa5' AND kind = 'uid'")
is "$(grep "^subidt_aa5:" "$NSUB")" "subidt_aa5:$dbline" \
        "useradd with SUB_UID_COUNT > 0: one subuid line, the database's range"
overlaps() { # prints overlapping lines of a shadow-format file (delegations of count 1 aside)
        sort -t: -k2,2n "$1" | awk -F: '$3 > 1 { if (NR > 1 && $2 <= last) print prev " / " $0; if ($2 + $3 - 1 > last) last = $2 + $3 - 1; prev = $0 }'
}
is "$(overlaps "$NSUB")$(overlaps "$NSGID")" "" "… no id has two owners in /etc/subuid or /etc/subgid"
sqlite3 "$DB" "SELECT kind, first, count FROM ranges" | sort >"$work/db"
{ sed 's/^[^:]*:/uid|/; s/:/|/' "$NSUB"; sed 's/^[^:]*:/gid|/; s/:/|/' "$NSGID"; } | sort >"$work/files"
cmp -s "$work/db" "$work/files" && ok "… the files list exactly the database's ranges" ||
        not_ok "… the files list exactly the database's ranges" "$(diff "$work/db" "$work/files")"

# ---- off switch ------------------------------------------------------------------------
stop_admind
sed -i 's/^auto_allocate = yes/auto_allocate = no/' "$work/etc/subid/subid.conf"
ADMIND=$work/admind-ns
start_admind || not_ok "subid-admind restarts"
ADMIND=$real_admind
nsuseradd -u 66006 subidt_aa6
sleep 2
has_none subidt_aa6 && ok "auto_allocate = no: a new account gets nothing" ||
        not_ok "auto_allocate = no: a new account gets nothing"
stop_admind

# ---- 10,000 accounts ------------------------------------------------------------------
# Each change is a sync over the whole user database: still well inside two
# seconds with 10,000 login accounts (synthetic, in the copy only).
printf 'auto_allocate = yes\nauto_uid_min = 66000\nauto_uid_max = 79999\nsub_uid_count = 1000\nsub_gid_count = 1000\n' \
        >"$work/etc/subid/subid.conf"
seq 70000 79999 | awk '{ printf "subidt_aas%d:x:%d:%d::/nonexistent:/usr/sbin/nologin\n", $1, $1, $1 }' \
        >>"$work/etc/passwd"
reset_policy
ADMIND=$work/admind-ns
t0=$(date +%s%N)
start_admind || not_ok "subid-admind starts with 10,000 accounts"
ADMIND=$real_admind
echo "# start-up allocating for 10,000 accounts: $((($(date +%s%N) - t0) / 1000000)) ms"
is "$(sqlite3 "$DB" "SELECT count(*) FROM ranges WHERE owner_name LIKE 'subidt_aas%'")" 20000 \
        "at start-up the daemon allocates for the 10,000 accounts it finds"
nsuseradd -u 66010 subidt_aa10
within_2s has_both subidt_aa10 && ok "useradd among 10,000 accounts: ranges within 2 s (${ms} ms)" ||
        not_ok "useradd among 10,000 accounts: ranges within 2 s" "took ${ms} ms"
echo "# useradd -> range exported, 10,000 accounts: ${ms} ms"
ns userdel subidt_aa10
within_2s quarantined subidt_aa10 && ok "userdel among 10,000 accounts: quarantined within 2 s (${ms} ms)" ||
        not_ok "userdel among 10,000 accounts: quarantined within 2 s" "took ${ms} ms"
echo "# userdel -> quarantined, 10,000 accounts: ${ms} ms"
stop_admind
reset_policy

done_testing
