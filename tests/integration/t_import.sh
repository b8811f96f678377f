#!/bin/bash
# subidctl import: adopting shadow-format files. subidctl opens the files
# and passes them to subid-admind, which validates and writes. Dangerous
# entries are refused with FILE:LINE and nothing is imported (or, with
# --skip-bad, only the clean entries); re-importing our own export changes
# nothing.
. "$SRCDIR/tests/integration/lib.sh"

[ -x "$SUBIDCTL" ] || { not_ok "subidctl is installed at $SUBIDCTL"; done_testing; exit 1; }

A=$(make_user impa) && B=$(make_user impb) && G=$(make_group impg) && H=$(make_group imph) ||
        { not_ok "create test accounts"; done_testing; exit 1; }
# make_user runs in a command substitution, so its own registration for
# removal at exit is lost in the subshell: register here.
at_exit "userdel -f '$A'; userdel -f '$B'; groupdel '$G'; groupdel '$H'"
uidA=$(id -u "$A") uidB=$(id -u "$B")
gidG=$(getent group "$G" | cut -d: -f3) gidH=$(getent group "$H" | cut -d: -f3)
usermod -a -G "$G" "$A"
work=$(mktemp -d /tmp/subid-t-import.XXXXXX)
at_exit "rm -rf '$work'"

snapshot() {
        sqlite3 "$DB" .dump 2>&1
        echo "--- subuid"
        cat "$EXPORT_SUBUID" 2>&1
        echo "--- subgid"
        cat "$EXPORT_SUBGID" 2>&1
}

# refused DESCRIPTION EXPECTED-STDERR-REGEX... -- COMMAND...: exit 1, each
# regex matches a line of stderr, and the database and files are unchanged.
refused() {
        local desc=$1 patterns=() before after rc missing=()
        shift
        while [ "$1" != -- ]; do patterns+=("$1"); shift; done
        shift
        before=$(snapshot)
        "$@" >"$work/out" 2>"$work/err"
        rc=$?
        after=$(snapshot)
        for p in "${patterns[@]}"; do grep -Eq -- "$p" "$work/err" || missing+=("$p"); done
        if [ "$rc" -eq 1 ] && [ ${#missing[@]} -eq 0 ] && [ "$before" == "$after" ]; then
                ok "$desc"
        else
                not_ok "$desc" "exit $rc" "missing in stderr: ${missing[*]}" "stderr: $(cat "$work/err")" \
                        "$([ "$before" == "$after" ] && echo "state unchanged" || diff <(echo "$before") <(echo "$after"))"
        fi
}

rm -f "$CHECK_ROOT/etc/subid/subid.conf"

# An empty database and exported files, served by a freshly started daemon
# (it keeps the database open: removing the file under it would go unseen).
fresh_daemon() {
        stop_admind
        reset_policy
        start_admind
}
fresh_daemon || { not_ok "subid-admind starts"; done_testing; exit 1; }

# ---- a clean import, and what it exports ---------------------------------------
cat >"$work/subuid" <<END
$B:200000:65536

$uidA:100000:65536
END
cat >"$work/subgid" <<END
$A:$gidG:1
$A:100000:65536
$B:200000:65536
END
check "a clean import succeeds" "$SUBIDCTL" import --subuid "$work/subuid" --subgid "$work/subgid"
is "$(cat "$EXPORT_SUBUID")" "$A:100000:65536
$B:200000:65536" "subuid export: names (a numeric owner too), sorted"
is "$(cat "$EXPORT_SUBGID")" "$A:100000:65536
$B:200000:65536
$A:$gidG:1" "subgid export: every range first, then delegations"
is "$(stat -c '%a %U %G' "$EXPORT_SUBUID" "$EXPORT_SUBGID" | sort -u)" "644 root root" "exported files: 0644, root"
is "$(sqlite3 "$DB" "SELECT owner_name || ' ' || gid || ' ' || group_name FROM delegations")" "$A $gidG $G" \
        "a member's group gid became a delegation"
is "$(sqlite3 "$DB" "SELECT DISTINCT origin FROM ranges")" "import" "imported ranges are marked as such"

# ---- re-importing our own export is a no-op ----------------------------------------
before=$(snapshot)
inodes=$(stat -c '%i %Y' "$EXPORT_SUBUID" "$EXPORT_SUBGID")
out=$("$SUBIDCTL" import 2>&1)
is "$?" 0 "re-import of the exported files (the default sources) exits 0"
is "$out" "imported 0 subuid ranges, 0 subgid ranges, 0 delegations; 5 already present" "it reports all present"
is "$(snapshot)" "$before" "re-import changed nothing"
is "$(stat -c '%i %Y' "$EXPORT_SUBUID" "$EXPORT_SUBGID")" "$inodes" "the exported files were not even rewritten"
check "re-import with explicit paths is a no-op too" "$SUBIDCTL" import --subuid "$EXPORT_SUBUID" --subgid "$EXPORT_SUBGID"
is "$(snapshot)" "$before" "still unchanged"

# ---- dangerous entries are refused with FILE:LINE, nothing imported -----------------
fresh_daemon
f=$work/bad
printf '%s\n' "$A:100000:65536" "$B:0:65536" >"$f"
refused "host id 0" "^subidctl: $f:2: .*host id 0" "nothing imported" -- "$SUBIDCTL" import --subuid "$f"
printf '%s\n' "$A:100000:65536" "$B:160000:65536" >"$f"
refused "two users overlapping in the file: both lines reported" "$f:1: overlaps" "$f:2: overlaps" -- \
        "$SUBIDCTL" import --subuid "$f"
printf '%s\n' "$A:$uidB:2" >"$f"
refused "a range containing an existing uid" "$f:1: contains uid $uidB of existing user $B" -- \
        "$SUBIDCTL" import --subuid "$f"
printf '%s\n' "$A:$gidH:2" >"$f"
refused "a range containing an existing gid" "$f:1: contains gid $gidH of existing group $H" -- \
        "$SUBIDCTL" import --subgid "$f"
printf '%s\n' "$B:$gidG:1" >"$f"
refused "a group's gid for a non-member" "$f:1: gid $gidG is group $G, and $B is not a member" -- \
        "$SUBIDCTL" import --subgid "$f"
printf '%s\n' "subidt_nosuchuser:100000:65536" >"$f"
refused "an unknown owner" "$f:1: unknown user" -- "$SUBIDCTL" import --subuid "$f"
for line in "$A:100000" "$A:-1:65536" "$A:+100000:65536" "$A: 100000:65536" "$A:0x186a0:65536" \
        "$A:0100000:65536" "$A:100000:0" "$A:100000:65536:1" "# comment" "$A:4294967295:1" \
        "$A:4294967294:2" "$A:100000:65536 "; do
        printf '%s\n' "$A:300000:10" "$line" >"$f"
        refused "malformed line refused: '$line'" "^subidctl: $f:2: " -- "$SUBIDCTL" import --subuid "$f"
done
printf '%s\n' "$A:100000:65536" "$B:0:10" "x" "$B:100000:10" "subidt_nosuchuser:5000000:1" >"$f"
refused "every refused entry is reported, in file order" "$f:2:" "$f:3:" "$f:4:" "$f:5:" "$f:1:" -- \
        "$SUBIDCTL" import --subuid "$f"
is "$(grep -c "^subidctl: $f:" "$work/err")" 5 "one line per refused entry"

# against the database: another user's range, and quarantine
$SUBIDCTL grant "$B" --subuids 200000-265535 >/dev/null
printf '%s\n' "$A:265000:1000" >"$f"
refused "overlap with another user's range in the database" "$f:1: overlaps subuids 200000-265535 of $B" -- \
        "$SUBIDCTL" import --subuid "$f"
$SUBIDCTL revoke "$B" >/dev/null
printf '%s\n' "$A:200000:10" >"$f"
refused "overlap with another user's quarantined range" "$f:1: overlaps quarantined subuids 200000-265535" -- \
        "$SUBIDCTL" import --subuid "$f"
printf '%s\n' "$B:200000:10" >"$f"
check "the former owner's own quarantine is reclaimed by import" "$SUBIDCTL" import --subuid "$f"
is "$(sqlite3 "$DB" "SELECT first || '+' || count FROM quarantine WHERE kind = 'uid'")" "200010+65526" \
        "the rest stays quarantined"

# ---- --skip-bad ---------------------------------------------------------------------
fresh_daemon
printf '%s\n' "$A:100000:65536" "$B:0:10" "$B:200000:65536" "garbage" >"$work/subuid"
printf '%s\n' "$A:100000:65536" >"$work/subgid"
$SUBIDCTL import --subuid "$work/subuid" --subgid "$work/subgid" --skip-bad >"$work/out" 2>"$work/err"
is "$?" 1 "--skip-bad with refused entries exits 1"
is "$(grep -c "^subidctl: $work/subuid:[24]: " "$work/err")" 2 "--skip-bad still reports the refused entries"
is "$(cat "$EXPORT_SUBUID")" "$A:100000:65536
$B:200000:65536" "--skip-bad imported the clean entries"
check "--skip-bad with nothing refused exits 0" "$SUBIDCTL" import --subuid "$work/subgid" --subgid "$work/subgid" --skip-bad

# ---- defaults, non-root, size ------------------------------------------------------------
fresh_daemon
check "import with no files at the default paths is a no-op" "$SUBIDCTL" import
chmod 0755 "$work"
refused "a caller neither root nor in group subidadm" "^subidctl: 'import' needs root or membership of group subidadm$" \
        -- as_user "$A" "$SUBIDCTL" import --subuid "$work/subuid"
refused "a directory is not a shadow file" "not a regular file" -- "$SUBIDCTL" import --subuid "$work"
mkfifo "$work/fifo"
refused "a FIFO is not a shadow file (and does not hang)" "not a regular file" -- \
        timeout 10 "$SUBIDCTL" import --subuid "$work/fifo"
truncate -s 65M "$work/huge"
refused "a file larger than 64 MiB is refused by the daemon" "^subidctl: cannot import $work/huge: larger than 64 MiB$" \
        -- "$SUBIDCTL" import --subuid "$work/huge"
check "the daemon is still serving" "$SUBIDCTL" list

# Thousands of refused entries: the reply carries as many as fit in one
# message and says how many more there were; the count is exact.
awk -v a="$A" 'BEGIN { for (i = 0; i < 5000; i++) printf "%s:0:%d\n", a, i + 1 }' >"$work/manybad"
refused "5000 refused entries" "^subidctl: import refused: 5000 bad entries, nothing imported" \
        "^subidctl: \.\.\. and [0-9]+ more refused entries, not listed$" -- "$SUBIDCTL" import --subuid "$work/manybad"
shown=$(grep -c "^subidctl: $work/manybad:" "$work/err")
more=$(sed -n 's/^subidctl: \.\.\. and \([0-9]*\) more.*/\1/p' "$work/err")
is "$((shown + more))" 5000 "listed ($shown) and not listed ($more) add up"
is "$(head -2 "$work/err")" "subidctl: $work/manybad:1: contains host id 0 (root)
subidctl: $work/manybad:2: contains host id 0 (root)" "the first ones are listed, in file order"

# 100,000 lines per file, a few seconds at most.
awk -v a="$A" -v b="$B" 'BEGIN { for (i = 0; i < 100000; i++) printf "%s:%d:100\n", (i % 2 ? a : b), 1000000 + i * 100 }' \
        >"$work/big"
start=$(date +%s.%N)
check "import of 2 x 100,000 lines" "$SUBIDCTL" import --subuid "$work/big" --subgid "$work/big"
elapsed=$(echo "$(date +%s.%N) - $start" | awk '{ print $1 - $3 }')
echo "# imported 2 x 100000 lines in ${elapsed}s"
is "$(awk -v t="$elapsed" 'BEGIN { print (t < 30) }')" 1 "the import took seconds (${elapsed}s), not minutes"
is "$(wc -l <"$EXPORT_SUBUID")" 100000 "all 100,000 subuid lines exported"
start=$(date +%s.%N)
check "re-import of the 100,000-line export" "$SUBIDCTL" import
elapsed=$(echo "$(date +%s.%N) - $start" | awk '{ print $1 - $3 }')
echo "# re-imported in ${elapsed}s"

# A listing larger than one reply (64 KiB) comes in pages, joined again.
start=$(date +%s.%N)
"$SUBIDCTL" list --json >"$work/list.json"
is "$?" 0 "list --json of 200,000 ranges"
elapsed=$(echo "$(date +%s.%N) - $start" | awk '{ print $1 - $3 }')
echo "# listed in ${elapsed}s"
# Pretty-printed: one key per line.
is "$(grep -c '"name":' "$work/list.json") $(grep -c '"first":' "$work/list.json")" "2 200000" \
        "every range listed once, under one entry per user"
is "$("$SUBIDCTL" list "$A" | wc -l)" 100001 "list USER of a user with 100,000 ranges: all of them"

done_testing
