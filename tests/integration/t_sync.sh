#!/bin/bash
# subidctl sync and subidctl quarantine list|release against a real
# subid-admind and real accounts: allocation for new accounts, quarantine of
# deleted ones, uid reuse never inheriting, renames followed, delegations of
# users who left the group removed, idempotence, and 10,000 users in seconds.
. "${SRCDIR:?}/tests/integration/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (accounts, the daemon)"

# The test's accounts get uids 61001-61099, the synthetic ones 70000-79999;
# subid.conf's auto range covers one of those sets at a time, so the
# machine's own login accounts (uid 1000 and up), nobody (65534) and other
# tests' accounts are never allocated for: every line sync prints is
# predictable.
CONF=$CHECK_ROOT/etc/subid/subid.conf
mkdir -p "$(dirname "$CONF")"
write_conf() { # write_conf AUTO_MIN AUTO_MAX COUNT
        printf 'auto_uid_min = %s\nauto_uid_max = %s\nsub_uid_count = %s\nsub_gid_count = %s\n' "$1" "$2" "$3" "$3" \
                >"$CONF"
}
write_conf 61000 61999 65536
at_exit "rm -f '$CONF'"

work=$(mktemp -d /tmp/subid-t-sync.XXXXXX)
at_exit "rm -rf '$work'"

A=$(make_user sa -u 61001 -K UID_MAX=65000) && B=$(make_user sb -u 61002 -K UID_MAX=65000) && G=$(make_group sg) ||
        { not_ok "test accounts"; done_testing; exit 1; }
usermod -a -G "$G" "$B"
gidG=$(getent group "$G" | cut -d: -f3)

stop_admind
reset_policy
start_admind || { not_ok "subid-admind starts"; done_testing; exit 1; }

sync_out() { "$SUBIDCTL" sync "$@" 2>&1; }
subuid_of() { grep "^$1:" "$EXPORT_SUBUID" | head -n1 | cut -d: -f2-; }

# ---- allocation -------------------------------------------------------------
out=$(sync_out)
is "$(echo "$out" | grep -c "^allocated sub[ug]ids .* to subidt_s[ab] (uid 6100[12])$")" 4 \
        "sync allocates subuids and subgids to both new accounts"
is "$(echo "$out" | tail -n1)" "sync: 4 allocated, 0 quarantined, 0 renamed, 0 delegations removed" "sync prints a summary"
is "$(echo "$out" | grep -c -v "subidt_\|^sync:")" 0 "sync allocates for no account outside the auto uid range"
rangeA=$(subuid_of "$A")
[ -n "$rangeA" ] && [ -n "$(subuid_of "$B")" ] && grep -q "^$A:" "$EXPORT_SUBGID" && ok "ranges are exported" ||
        not_ok "ranges are exported" "$(cat "$EXPORT_SUBUID" "$EXPORT_SUBGID")"
is "$(sqlite3 "$DB" "SELECT DISTINCT origin FROM ranges WHERE owner_uid = 61001")" "auto" "allocations are origin auto"
is "$(sync_out)" "sync: nothing to do" "a second sync has nothing to do"
check_fails "sync is for administrators only" as_user "$B" "$SUBIDCTL" sync

# ---- exported files that drifted from the database are rewritten ------------
want=$(cat "$EXPORT_SUBUID")
sed -i "/^$A:/d" "$EXPORT_SUBUID"
is "$("$SUBIDCTL" sync --dry-run)" "would have re-exported the subuid and subgid files: they differed from the database" \
        "sync --dry-run says it would re-export a hand-edited file"
[ "$(cat "$EXPORT_SUBUID")" != "$want" ] && ok "and leaves it as it is" || not_ok "and leaves it as it is"
is "$(sync_out)" "re-exported the subuid and subgid files: they differed from the database" \
        "sync re-exports a hand-edited file"
is "$(cat "$EXPORT_SUBUID")" "$want" "the file lists the database's ranges again"
is "$(sync_out)" "sync: nothing to do" "then there is nothing to do"

# ---- delegations ------------------------------------------------------------
check "delegate the group to a member" "$SUBIDCTL" grant "$B" --group "$G"
is "$(sync_out)" "sync: nothing to do" "a member's delegation stays"
gpasswd -d "$B" "$G" >/dev/null
out=$(sync_out)
is "$out" "removed delegation of gid $gidG ($G) from $B (uid 61002) (not a member)
sync: 0 allocated, 0 quarantined, 0 renamed, 1 delegation removed" "sync removes the delegation of a user who left the group"
grep -q ":$gidG:1$" "$EXPORT_SUBGID" && not_ok "the delegation line is gone from subgid" || ok "the delegation line is gone from subgid"

# ---- deletion, dry run, quarantine ------------------------------------------
userdel -f "$A"
before=$(sqlite3 "$DB" .dump)
out=$(sync_out --dry-run)
is "$(echo "$out" | grep -c "^would have quarantined sub[ug]ids .* of $A (uid 61001) (deleted)$")" 2 \
        "a dry run says what would be quarantined"
is "$(sqlite3 "$DB" .dump)" "$before" "a dry run changes nothing"
out=$(sync_out)
is "$(echo "$out" | grep -c "^quarantined sub[ug]ids .* of $A (uid 61001) (deleted)$")" 2 \
        "sync quarantines a deleted account's ranges"
is "$(echo "$out" | tail -n1)" "sync: 0 allocated, 2 quarantined, 0 renamed, 0 delegations removed" "summary of the deletion"
grep -q "^$A:" "$EXPORT_SUBUID" "$EXPORT_SUBGID" && not_ok "a deleted account is no longer exported" ||
        ok "a deleted account is no longer exported"
firstA=${rangeA%%:*} countA=${rangeA##*:}
lastA=$((firstA + countA - 1))
out=$("$SUBIDCTL" quarantine list 2>&1)
echo "$out" | grep -q "^subuids $firstA-$lastA ($countA), formerly of $A (uid 61001), quarantined .* (userdel)$" &&
        ok "quarantine list shows the deleted account's subuids" || not_ok "quarantine list shows the deleted account's subuids" "$out"
"$SUBIDCTL" quarantine list --json | grep -q '"reason": "userdel"' && ok "quarantine list --json" ||
        not_ok "quarantine list --json"
is "$(sync_out)" "sync: nothing to do" "nothing to do after the deletion"

# ---- uid reuse --------------------------------------------------------------
# userdel, sync, then useradd with the same uid: the new account gets fresh
# ids, never the quarantined ones.
rangeB=$(subuid_of "$B")
userdel -f "$B"
sync_out >/dev/null
C=$(make_user sc -u 61002 -K UID_MAX=65000)
out=$(sync_out)
rangeC=$(subuid_of "$C")
is "$(echo "$out" | grep -c "^allocated sub[ug]ids .* to $C (uid 61002)$")" 2 "the new account with a reused uid gets ranges"
[ -n "$rangeC" ] && [ "$rangeC" != "$rangeB" ] && ok "… not the ranges of the uid's former account" ||
        not_ok "… not the ranges of the uid's former account" "old $rangeB new $rangeC"
# Without a sync in between: the old name is an account again, with another uid.
D=$(make_user sd -u 61003 -K UID_MAX=65000)
sync_out >/dev/null
rangeD=$(subuid_of "$D")
userdel -f "$D"
E=$(make_user se -u 61003 -K UID_MAX=65000)
D=$(make_user sd -u 61004 -K UID_MAX=65000)
out=$(sync_out)
is "$(echo "$out" | grep -c "^quarantined sub[ug]ids .* of $D (uid 61003) (uid reused by $E)$")" 2 \
        "a reused uid whose old name is another account now: the old ranges are quarantined"
rangeE=$(subuid_of "$E")
[ -n "$rangeE" ] && [ "$rangeE" != "$rangeD" ] && [ "$(subuid_of "$D")" != "$rangeD" ] &&
        ok "neither the uid's new account nor the old name's new account inherits" ||
        not_ok "neither the uid's new account nor the old name's new account inherits" "$(cat "$EXPORT_SUBUID")"

# ---- rename -----------------------------------------------------------------
F=$(make_user sf -u 61005 -K UID_MAX=65000)
sync_out >/dev/null
rangeF=$(subuid_of "$F")
at_exit "userdel -f subidt_sf2"
usermod -l subidt_sf2 "$F"
out=$(sync_out)
is "$out" "renamed $F (uid 61005) to subidt_sf2
sync: 0 allocated, 0 quarantined, 1 renamed, 0 delegations removed" "sync follows a rename (usermod -l)"
is "$(subuid_of subidt_sf2)" "$rangeF" "the renamed account keeps its ranges under its new name"
is "$(sync_out)" "sync: nothing to do" "nothing to do after the rename"
"$SUBIDCTL" sync --json | grep -q '"allocated": 0' && ok "sync --json" || not_ok "sync --json"

# ---- quarantine release -----------------------------------------------------
check_fails "release refuses ids that are not quarantined" "$SUBIDCTL" quarantine release "${rangeC%%:*}-${rangeC%%:*}"
out=$("$SUBIDCTL" quarantine release "$firstA-$lastA" 2>&1)
echo "$out" | grep -q "^released subuids $firstA-$lastA ($countA), formerly of $A (uid 61001)" &&
        ok "quarantine release" || not_ok "quarantine release" "$out"
"$SUBIDCTL" quarantine list | grep -q "^subuids $firstA-" && not_ok "released ids leave the quarantine" ||
        ok "released ids leave the quarantine"
"$SUBIDCTL" quarantine list | grep -q "^subgids $firstA-" && ok "… the subgids (not released) stay" ||
        not_ok "… the subgids (not released) stay"
check_fails "releasing them twice fails" "$SUBIDCTL" quarantine release "$firstA-$lastA"
check "release --gid" "$SUBIDCTL" quarantine release --gid "$firstA-$lastA"

# ---- 10,000 users -----------------------------------------------------------
# 10,000 synthetic accounts (uids 70000-79999) exist only for a daemon in a
# private mount namespace, over a bind-mounted copy of /etc: the machine's
# user database is never touched. (A copy of /etc, not of /etc/passwd alone:
# a useradd elsewhere renames a new passwd over the old one, and the kernel
# then drops a bind mount on that file in every other namespace.)
stop_admind
write_conf 70000 79999 1000
cp -a /etc "$work/etc"
seq 70000 79999 | awk '{ printf "subidt_s%d:x:%d:%d::/nonexistent:/usr/sbin/nologin\n", $1, $1, $1 }' >>"$work/etc/passwd"
cat >"$work/admind-ns" <<EOF
#!/bin/sh
exec unshare -m --propagation private sh -c 'mount --bind "\$0" /etc && exec "\$1"' "$work/etc" "$ADMIND"
EOF
chmod +x "$work/admind-ns"
real_admind=$ADMIND
ADMIND=$work/admind-ns
start_admind || not_ok "subid-admind starts in a namespace with 10,000 more accounts"
ADMIND=$real_admind
nsenter -t "$ADMIND_PID" -m grep -q "^subidt_s79999:" /etc/passwd && ok "the daemon sees the synthetic accounts" ||
        not_ok "the daemon sees the synthetic accounts" "$(tail -n5 "$ADMIND_LOG")"

t0=$(date +%s.%N)
out=$(sync_out)
t1=$(date +%s.%N)
secs=$(echo "$t1 - $t0" | bc)
echo "# sync allocating for 10,000 accounts (20,000 ranges): ${secs}s"
is "$(echo "$out" | tail -n1)" "sync: 20000 allocated, 0 quarantined, 0 renamed, 0 delegations removed" \
        "sync allocates for 10,000 new accounts"
[ "$(echo "$secs < 10" | bc)" -eq 1 ] && ok "… in seconds (${secs}s)" || not_ok "… in seconds" "took ${secs}s"
is "$(grep -c "^subidt_s[0-9]*:" "$EXPORT_SUBUID")" 10000 "all 10,000 are exported"

t0=$(date +%s.%N)
out=$(sync_out)
t1=$(date +%s.%N)
secs=$(echo "$t1 - $t0" | bc)
echo "# idle sync over 10,000 accounts: ${secs}s"
is "$out" "sync: nothing to do" "a second sync over 10,000 accounts has nothing to do"
[ "$(echo "$secs < 10" | bc)" -eq 1 ] && ok "… in seconds (${secs}s)" || not_ok "… in seconds" "took ${secs}s"

# Back in the machine's user database, the 10,000 are deleted accounts.
stop_admind
start_admind || not_ok "subid-admind restarts"
t0=$(date +%s.%N)
out=$(sync_out)
t1=$(date +%s.%N)
secs=$(echo "$t1 - $t0" | bc)
echo "# sync quarantining 10,000 deleted accounts (20,000 ranges): ${secs}s"
is "$(echo "$out" | tail -n1)" "sync: 0 allocated, 20000 quarantined, 0 renamed, 0 delegations removed" \
        "sync quarantines 10,000 deleted accounts"
echo "$out" | grep -q "^(and [0-9]* more actions, not listed)$" && ok "a long action list is cut to one reply" ||
        not_ok "a long action list is cut to one reply" "$(echo "$out" | tail -n3)"
[ "$(echo "$secs < 10" | bc)" -eq 1 ] && ok "… in seconds (${secs}s)" || not_ok "… in seconds" "took ${secs}s"
is "$(grep -c "^subidt_s[0-9]" "$EXPORT_SUBUID")" 0 "none of them is exported any more"
is "$("$SUBIDCTL" quarantine list | grep -c "formerly of subidt_s[0-9]* (uid")" 20000 \
        "quarantine list pages through all 20,000 pieces"
is "$(sync_out)" "sync: nothing to do" "and then there is nothing to do"

done_testing
