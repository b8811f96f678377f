#!/bin/bash
# subidctl log over a real audit log: helper runs (written by the installed
# helpers) and subid-admind records (USER_MGMT, sent here by
# tests/tools/audit-send with the requester's loginuid, as admind sends
# them), one line per event; --user filters on the requester, --since on
# time, --json gives the documented objects; other records are left out;
# a non-root caller is refused in one line.
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/lib_audit.sh"

AUDIT_SEND=$TOOLS/audit-send
for f in "$SUBIDCTL" "$ADMIND" "$BIN/newuidmap" "$BIN/newgidmap" "$AUDIT_SEND"; do
        [ -x "$f" ] || { not_ok "$f is installed"; done_testing; exit 1; }
done
command -v jq >/dev/null || skip_all "jq is not installed"
unshare --user true 2>/dev/null || skip_all "unprivileged user namespaces are not available"
start_auditd || { not_ok "auditd starts"; done_testing; exit 1; }

A=$(make_user lga) && B=$(make_user lgb) && G=$(make_group lgg) || { not_ok "create test accounts"; done_testing; exit 1; }
uidA=$(id -u "$A") gidA=$(id -g "$A") uidB=$(id -u "$B")
work=$(mktemp -d /tmp/subid-t-log.XXXXXX)
chmod 0755 "$work"
at_exit "rm -rf '$work'"

reset_policy
start_admind || { not_ok "subid-admind starts"; done_testing; exit 1; }
check "grant $A a subuid and a subgid range" "$SUBIDCTL" grant "$A" --subuids 310000-375535 --subgids 310000-375535

hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n' | tr a-f A-F; }

# ---- first batch ------------------------------------------------------------------

read -r pid1 rc < <(run_helper "$A" "$BIN/newuidmap" PID 0 "$uidA" 1 1 310000 65536)
is "$rc" 0 "$A maps its range"
read -r pid2 rc < <(run_helper "$A" "$BIN/newgidmap" PID 0 0 1)
is "$rc" 1 "$A is refused host gid 0"
with_loginuid "$B" "$AUDIT_SEND" success \
        "op=grant acct=\"$A\" subuids=310000-375535 subgids=310000-375535 sauid=$uidB"
with_loginuid "$B" "$AUDIT_SEND" success "op=approve acct=\"$A\" grp=\"$G\" req=7 sauid=$uidB"
# Not subid's: another program's USER_MGMT, and one without sauid.
with_loginuid "$B" "$AUDIT_SEND" success "op=add-user acct=\"$A\" sauid=$uidB"
with_loginuid "$B" "$AUDIT_SEND" success "op=grant acct=\"$A\""
audit_wait 4 -m USER_MGMT -ua "$B" || not_ok "the USER_MGMT records reach the log"
audit_wait 2 -m CHUSER_ID,CHGRP_ID -ua "$A" || not_ok "the helper records reach the log"

sleep 1.1
mid=$(date +%s)
sleep 1.1

# ---- second batch -----------------------------------------------------------------

read -r pid3 rc < <(run_helper "$B" "$BIN/newuidmap" PID 0 310000 1)
is "$rc" 1 "$B is refused $A's range"
with_loginuid "$B" "$AUDIT_SEND" failed \
        "op=reject acct=\"$A\" grp=\"$G\" req=8 sauid=$uidB reason=$(hex "not a member of $G")"
audit_wait 5 -m USER_MGMT -ua "$B" || not_ok "the last USER_MGMT record reaches the log"
audit_wait 1 -m CHUSER_ID -ua "$B" || not_ok "the last helper record reaches the log"
audit_search >/dev/null # refreshes AUDIT_LOG when the machine's auditd writes it

LOG=("$SUBIDCTL" log --input "$AUDIT_LOG")

# ---- text -------------------------------------------------------------------------

out=$("${LOG[@]}" 2>&1)
rc=$?
is "$rc" 0 "subidctl log --input reads the test's log"
line=$(grep " newuidmap  pid $pid1 " <<<"$out")
if grep -qE "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}  $A\($uidA\)  newuidmap  pid $pid1 map=0:$uidA:1,1:310000:65536  success$" <<<"$line"; then
        ok "an allowed run: time, who (name and auid), what, target, map, result"
else
        not_ok "an allowed run: time, who (name and auid), what, target, map, result" "$out"
fi
line=$(grep " newgidmap  pid $pid2 " <<<"$out")
if grep -q "  $A($uidA)  newgidmap  pid $pid2 map=0:0:1 setgroups=deny  failed: gid range \[0-1) -> \[0-1) not allowed for $A" <<<"$line"; then
        ok "a refused run: failed, with the decoded reason"
else
        not_ok "a refused run: failed, with the decoded reason" "$out"
fi
if grep -q "  $B($uidB)  grant  user $A subuids=310000-375535 subgids=310000-375535  success$" <<<"$out" &&
        grep -q "  $B($uidB)  approve  user $A group=$G request=7  success$" <<<"$out" &&
        grep -q "  $B($uidB)  reject  user $A group=$G request=8  failed: not a member of $G$" <<<"$out"; then
        ok "subid-admind's records: requester, operation, account, ranges, group, request, reason"
else
        not_ok "subid-admind's records: requester, operation, account, ranges, group, request, reason" "$out"
fi
is "$(grep -c "add-user" <<<"$out")" 0 "another program's USER_MGMT record is left out"
is "$(grep -c "  $B($uidB)  grant  " <<<"$out")" 1 "a USER_MGMT record without sauid= is left out"

# ---- --user -----------------------------------------------------------------------

out=$("${LOG[@]}" --user "$A")
is "$(grep -c . <<<"$out")" 2 "--user $A: its two helper runs"
is "$(grep -vc "  $A($uidA)  " <<<"$out")" 0 "--user $A: nothing by anyone else"
out=$("${LOG[@]}" --user "$uidB")
is "$(grep -c . <<<"$out")" 4 "--user UID of $B: its helper run and the three admind changes it asked for"
out=$("${LOG[@]}" --user subidt_nosuchuser 2>&1)
rc=$?
is "$rc/$(grep -c . <<<"$out")" "1/1" "--user with an unknown name: one line, exit 1"

# ---- --since ----------------------------------------------------------------------

out=$("${LOG[@]}" --user "$B" --since "$mid")
is "$(grep -c . <<<"$out")" 2 "--since EPOCH: only the second batch"
out=$("${LOG[@]}" --user "$B" --since "$(date -d "@$mid" '+%Y-%m-%d %H:%M:%S')")
is "$(grep -c . <<<"$out")" 2 "--since 'YYYY-MM-DD HH:MM:SS'"
out=$("${LOG[@]}" --user "$B" --since $(date -d "@$mid" '+%Y-%m-%d %H:%M:%S'))
is "$(grep -c . <<<"$out")" 2 "--since YYYY-MM-DD HH:MM:SS as two arguments, like ausearch -ts"
out=$("${LOG[@]}" --user "$B" --since recent)
is "$(grep -c . <<<"$out")" 4 "--since recent: all of it"
out=$("${LOG[@]}" --user "$B" --since "$(date -d tomorrow +%Y-%m-%d)")
is "$out" "" "--since tomorrow's date: nothing"
out=$("${LOG[@]}" --since 2026-02-30 2>&1)
rc=$?
is "$rc/$(grep -c . <<<"$out")" "1/1" "--since 2026-02-30: refused in one line"

# ---- --json -----------------------------------------------------------------------

json=$("${LOG[@]}" --user "$A" --json)
is "$(jq length <<<"$json")" 2 "--json: an array with $A's two events"
is "$(jq -c --argjson p "$pid1" '.[] | select(.target_pid == $p) |
        [.type, .op, .auid, .user, .uid, .result, .reason, .map, .setgroups, (.epoch | type), (.time | test("^[0-9]{4}-"))]' <<<"$json")" \
        "[\"CHUSER_ID\",\"newuidmap\",$uidA,\"$A\",$uidA,\"success\",null,\"0:$uidA:1,1:310000:65536\",null,\"number\",true]" \
        "--json: an allowed newuidmap run"
is "$(jq -r --argjson p "$pid2" '.[] | select(.target_pid == $p) | [.type, .result, .setgroups] | join(" ")' <<<"$json")" \
        "CHGRP_ID failed deny" "--json: a refused newgidmap run"
is "$(jq -r --argjson p "$pid2" '.[] | select(.target_pid == $p) | .reason' <<<"$json" | grep -c "not allowed for $A")" 1 \
        "--json: the reason, decoded"
json=$("${LOG[@]}" --user "$B" --json)
is "$(jq -c '.[] | select(.op == "reject") | [.type, .account, .group, .request, .sauid, .result, .reason, .auid]' <<<"$json")" \
        "[\"USER_MGMT\",\"$A\",\"$G\",8,$uidB,\"failed\",\"not a member of $G\",$uidB]" \
        "--json: an admind refusal"
is "$(jq -r '[.[] | keys | length] | unique | join(",")' <<<"$json")" 21 "--json: every object has all 21 keys"
is "$("${LOG[@]}" --user "$A" --since "$mid" --json | jq -c .)" "[]" "--json with no event: []"

# ---- refusals ---------------------------------------------------------------------

out=$(as_user "$A" "$SUBIDCTL" log 2>&1)
rc=$?
if [ "$rc" -eq 1 ] && [ "$(grep -c . <<<"$out")" -eq 1 ] && grep -q "needs root" <<<"$out"; then
        ok "a non-root caller is refused in one line"
else
        not_ok "a non-root caller is refused in one line" "exit $rc" "$out"
fi
out=$(as_user "$A" "$SUBIDCTL" log --input "$AUDIT_LOG" 2>&1)
rc=$?
if [ "$rc" -eq 1 ] && [ "$(grep -c . <<<"$out")" -eq 1 ] && grep -q "cannot read" <<<"$out"; then
        ok "a non-root caller cannot read root's log through --input"
else
        not_ok "a non-root caller cannot read root's log through --input" "exit $rc" "$out"
fi
check_fails "an unknown option is refused" "$SUBIDCTL" log --bogus
check_fails "an operand is refused" "$SUBIDCTL" log extra

done_testing
