#!/bin/bash
# subid-admind's audit trail against a real auditd: every change and every
# refused change (grant, grant --group, revoke, request, approve, reject,
# group allow/deny, import, sync, quarantine release) is an AUDIT_USER_MGMT
# record that `ausearch -m USER_MGMT -ua USER` finds for the user who asked
# (their loginuid, set as pam_loginuid does, stamped by the kernel as auid),
# with op, acct, ranges, group, request id, sauid, reason and res. The
# daemon is started with its own loginuid unset (as systemd starts it) and
# set (an admin starting it from a shell); a request from a process whose
# pid was reused is refused and attributed to nobody.
. "${SRCDIR:?}/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/lib_audit.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (accounts, auditd, the daemon)"
[ -e /proc/self/loginuid ] || skip_all "this kernel has no loginuid (CONFIG_AUDITSYSCALL)"
start_auditd || { not_ok "auditd starts"; done_testing; exit 1; }
[ "$(cat /proc/sys/kernel/ns_last_pid 2>/dev/null)" != "" ] || skip_all "no /proc/sys/kernel/ns_last_pid"
if [ "$(_audit_status loginuid_immutable | cut -d' ' -f1)" == 1 ]; then
        skip_all "loginuid_immutable is set: test processes cannot take a loginuid"
fi

# Accounts in 62500-62999; sync allocates only there, never for the
# machine's own accounts or other tests'.
CONF=$CHECK_ROOT/etc/subid/subid.conf
mkdir -p "$(dirname "$CONF")"
printf 'auto_uid_min = 62500\nauto_uid_max = 62999\nsub_uid_count = 65536\nsub_gid_count = 65536\n' >"$CONF"
at_exit "rm -f '$CONF'"
work=$(mktemp -d /tmp/subid-t-audit.XXXXXX)
chmod 0755 "$work"
at_exit "rm -rf '$work'"

ADM=$(make_user ad5adm -u 62501 -K UID_MAX=65000) && USR=$(make_user ad5usr -u 62502 -K UID_MAX=65000) &&
        TGT=$(make_user ad5tgt -u 62503 -K UID_MAX=65000) && IMP=$(make_user ad5imp -u 62504 -K UID_MAX=65000) &&
        GONE=$(make_user ad5gone -u 62505 -K UID_MAX=65000) && T2=$(make_user ad5t2 -u 62506 -K UID_MAX=65000) &&
        G=$(make_group ad5grp) || { not_ok "test accounts"; done_testing; exit 1; }
if ! getent group subidadm >/dev/null; then
        groupadd -r subidadm && at_exit "groupdel subidadm"
fi
usermod -a -G subidadm "$ADM"
usermod -a -G "$G" "$USR"
usermod -a -G "$G" "$TGT"
uADM=$(id -u "$ADM") uUSR=$(id -u "$USR") uT2=$(id -u "$T2")
UNSET=4294967295

# The daemon with a given loginuid of its own: start_admind runs $ADMIND,
# here a wrapper that sets it first and execs the daemon (same pid).
REAL_ADMIND=$ADMIND
admind_with_loginuid() { # admind_with_loginuid LOGINUID
        stop_admind
        printf '#!/bin/sh\necho %s >/proc/self/loginuid && exec %s "$@"\n' "$1" "$REAL_ADMIND" >"$work/admind-$1"
        chmod 0755 "$work/admind-$1"
        ADMIND=$work/admind-$1
        start_admind
        ADMIND=$REAL_ADMIND
}

hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n' | tr a-f A-F; }

# found USER PATTERN...: the USER_MGMT records `ausearch -ua USER` finds
# that contain every PATTERN (fixed strings); waits up to 5 s for one.
found() {
        local user=$1 i lines p
        shift
        for ((i = 0; i < 50; i++)); do
                lines=$(audit_search -m USER_MGMT -ua "$user" | grep '^type=USER_MGMT')
                for p in "$@"; do lines=$(grep -F -- "$p" <<<"$lines"); done
                [ -n "$lines" ] && break
                sleep 0.1
        done
        printf '%s' "$lines"
}

# expect DESC USER MSG [RES]: a record by USER (auid = USER's uid) whose
# message is MSG (op ... sauid=... [reason=...]) followed by libaudit's
# exe= ... res=RES.
expect() {
        local desc=$1 user=$2 msg=$3 res=${4:-success} uid got text
        uid=$(id -u "$user")
        # MSG ending in "=": any value (a reason worded by the daemon, ranges
        # chosen by the pool).
        text="msg='$msg exe="
        [ "${msg: -1}" == "=" ] && text="msg='$msg"
        got=$(found "$user" " auid=$uid " "$text" "res=$res'")
        if [ -n "$got" ]; then ok "$desc"; else
                not_ok "$desc" "no record: auid=$uid msg='$msg exe=... res=$res'" \
                        "records of $user:" "$(audit_search -m USER_MGMT -ua "$user" | grep '^type=')"
        fi
}

eperm() { hex "'$1' needs root or membership of group subidadm"; }

reset_policy
admind_with_loginuid $UNSET || { not_ok "subid-admind starts"; done_testing; exit 1; }
is "$(cat /proc/"$ADMIND_PID"/loginuid)" "$UNSET" "the daemon runs with its loginuid unset, as under systemd"

ctl_as() { as_login_user "$1" "$SUBIDCTL" "${@:2}"; }

# ---- grant ----------------------------------------------------------------------
check "an admin grants from the pool" ctl_as "$ADM" grant "$TGT"
R=$(grep "^$TGT:" "$EXPORT_SUBUID" | head -n1 | awk -F: '{print $2 "-" $2 + $3 - 1}')
expect "grant: op, acct, both ranges, sauid, res=success under the admin's auid" "$ADM" \
        "op=grant acct=\"$TGT\" subuids=$R subgids=$R sauid=$uADM"
check_fails "a user may not grant" ctl_as "$USR" grant "$TGT" --subuids 700000-700009
expect "refused grant: recorded under the user's auid with the ranges asked and the reason" "$USR" \
        "op=grant acct=\"$TGT\" subuids=700000-700009 sauid=$uUSR reason=$(eperm grant)" failed
check_fails "a second pool grant is refused" ctl_as "$ADM" grant "$TGT"
expect "refused grant (already holds): the daemon's message as reason" "$ADM" \
        "op=grant acct=\"$TGT\" sauid=$uADM reason=$(hex "$TGT already holds subuids $R and subgids $R")" failed
check "an admin delegates a group (grant --group)" ctl_as "$ADM" grant "$TGT" --group "$G"
expect "grant --group: op=grant with grp" "$ADM" "op=grant acct=\"$TGT\" grp=\"$G\" sauid=$uADM"

# ---- revoke and quarantine-release ------------------------------------------------
check "an admin revokes the delegation" ctl_as "$ADM" revoke "$TGT" --group "$G"
expect "revoke: op, acct, grp" "$ADM" "op=revoke acct=\"$TGT\" grp=\"$G\" sauid=$uADM"
check_fails "revoking it again is refused" ctl_as "$ADM" revoke "$TGT" --group "$G"
expect "refused revoke: recorded with its reason" "$ADM" "op=revoke acct=\"$TGT\" grp=\"$G\" sauid=$uADM reason=" failed
check "an admin revokes the ranges" ctl_as "$ADM" revoke "$TGT"
expect "revoke: both ranges" "$ADM" "op=revoke acct=\"$TGT\" subuids=$R subgids=$R sauid=$uADM"
check_fails "a user may not revoke" ctl_as "$USR" revoke "$TGT"
expect "refused revoke by a user" "$USR" "op=revoke acct=\"$TGT\" sauid=$uUSR reason=$(eperm revoke)" failed
first=${R%-*}
check "an admin releases the quarantined subuids" ctl_as "$ADM" quarantine release "$R"
expect "quarantine-release: the former owner and the range" "$ADM" \
        "op=quarantine-release acct=\"$TGT\" subuids=$R sauid=$uADM"
check_fails "releasing what is not quarantined is refused" ctl_as "$ADM" quarantine release "$R"
expect "refused quarantine-release" "$ADM" "op=quarantine-release acct=\"?\" subuids=$R sauid=$uADM reason=" failed

# ---- group policies, requests, decisions --------------------------------------------
check_fails "a user may not open a group" ctl_as "$USR" group allow "$G" --policy approve
expect "refused group-allow" "$USR" "op=group-allow acct=\"?\" grp=\"$G\" sauid=$uUSR reason=$(eperm group-allow)" failed
check "an admin opens the group to requests" ctl_as "$ADM" group allow "$G" --policy approve
expect "group-allow" "$ADM" "op=group-allow acct=\"?\" grp=\"$G\" sauid=$uADM"
check "a member requests the group" as_login_user "$USR" "$SUBID_REQUEST" --group "$G"
id1=$("$SUBIDCTL" requests --json | sed -n 's/.*"id": *\([0-9]*\).*/\1/p' | tail -n1)
expect "request: the user's own account, grp, request id, under their auid" "$USR" \
        "op=request acct=\"$USR\" grp=\"$G\" req=$id1 sauid=$uUSR"
check_fails "a second request while one is pending is refused" as_login_user "$USR" "$SUBID_REQUEST" --group "$G"
expect "refused request" "$USR" "op=request acct=\"$USR\" grp=\"$G\" sauid=$uUSR reason=" failed
check_fails "a user may not reject" ctl_as "$USR" reject "$id1"
expect "refused reject: the request id" "$USR" "op=reject acct=\"?\" req=$id1 sauid=$uUSR reason=$(eperm reject)" failed
check "an admin rejects it" ctl_as "$ADM" reject "$id1" --reason "not now"
expect "reject: whose request, which group, its id" "$ADM" "op=reject acct=\"$USR\" grp=\"$G\" req=$id1 sauid=$uADM"
check "the member asks again" as_login_user "$USR" "$SUBID_REQUEST" --group "$G"
id2=$("$SUBIDCTL" requests --json | sed -n 's/.*"id": *\([0-9]*\).*/\1/p' | tail -n1)
check "an admin approves it" ctl_as "$ADM" approve "$id2"
expect "approve" "$ADM" "op=approve acct=\"$USR\" grp=\"$G\" req=$id2 sauid=$uADM"
check_fails "approving it twice is refused" ctl_as "$ADM" approve "$id2"
expect "refused approve still names user, group and id" "$ADM" \
        "op=approve acct=\"$USR\" grp=\"$G\" req=$id2 sauid=$uADM reason=" failed
check_fails "a user may not close the group" ctl_as "$USR" group deny "$G"
expect "refused group-deny" "$USR" "op=group-deny acct=\"?\" grp=\"$G\" sauid=$uUSR reason=$(eperm group-deny)" failed
check "an admin closes the group" ctl_as "$ADM" group deny "$G"
expect "group-deny" "$ADM" "op=group-deny acct=\"?\" grp=\"$G\" sauid=$uADM"

# ---- import ---------------------------------------------------------------------------
printf '%s:800000:10\n' "$IMP" >"$work/subuid"
printf '%s:800000:10\nsubidt_nosuchuser:900000:10\n' "$IMP" >"$work/subgid"
chmod 0644 "$work/subuid" "$work/subgid"
check_fails "an import with a bad entry is refused as a whole" \
        ctl_as "$ADM" import --subuid "$work/subuid" --subgid "$work/subgid"
expect "refused import: the count of refused entries as reason" "$ADM" \
        "op=import acct=\"?\" sauid=$uADM reason=$(hex "1 entries refused, nothing imported")" failed
check_fails "a user may not import" ctl_as "$USR" import --subuid "$work/subuid"
expect "refused import by a user" "$USR" "op=import acct=\"?\" sauid=$uUSR reason=$(eperm import)" failed
printf '%s:800000:10\n' "$IMP" >"$work/subgid"
check "an admin imports" ctl_as "$ADM" import --subuid "$work/subuid" --subgid "$work/subgid"
expect "import: the request's own record" "$ADM" "op=import acct=\"?\" sauid=$uADM"
expect "import: a record per imported entry, under its owner" "$ADM" \
        "op=import acct=\"$IMP\" subuids=800000-800009 sauid=$uADM"
expect "import: the subgid entry too" "$ADM" "op=import acct=\"$IMP\" subgids=800000-800009 sauid=$uADM"

# ---- sync -------------------------------------------------------------------------------
check "an admin grants the soon-deleted user" ctl_as "$ADM" grant "$GONE" --subuids 810000-810009 --subgids 810000-810009
userdel -f "$GONE" >/dev/null 2>&1
check "an admin runs sync" ctl_as "$ADM" sync
expect "sync: the request's own record" "$ADM" "op=sync acct=\"?\" sauid=$uADM"
expect "sync: a deleted user's ranges quarantined (auto-quarantine)" "$ADM" \
        "op=auto-quarantine acct=\"$GONE\" subuids=810000-810009 sauid=$uADM"
expect "sync: accounts without ranges allocated (auto-allocate)" "$ADM" "op=auto-allocate acct=\"$T2\" subuids="
check "a dry run changes nothing" ctl_as "$ADM" sync --dry-run
n_sync=$(found "$ADM" "msg='op=sync " | grep -c .)
is "$n_sync" 1 "a dry run is not audited"
check_fails "a user may not sync" ctl_as "$USR" sync
expect "refused sync" "$USR" "op=sync acct=\"?\" sauid=$uUSR reason=$(eperm sync)" failed
n_read=$(audit_search -m USER_MGMT | grep -cE "msg='op=(list|who-owns|status|ping|whoami|requests|quarantine-list) ")
is "$n_read" 0 "read-only operations are not audited"

# ---- the daemon started by an admin from a login shell ------------------------------------
admind_with_loginuid 0 || not_ok "subid-admind restarts with loginuid 0"
is "$(cat /proc/"$ADMIND_PID"/loginuid)" "0" "the daemon runs with loginuid 0, as started by hand"
check "an admin revokes with the daemon's loginuid set" ctl_as "$ADM" revoke "$IMP"
expect "the record still carries the requester's loginuid as auid" "$ADM" \
        "op=revoke acct=\"$IMP\" subuids=800000-800009 subgids=800000-800009 sauid=$uADM"
check_fails "a user is refused with the daemon's loginuid set" ctl_as "$USR" grant "$USR"
expect "a refusal too" "$USR" "op=grant acct=\"$USR\" sauid=$uUSR reason=$(eperm grant)" failed
n_root=$(audit_search -m USER_MGMT | grep " auid=0 " | grep -c "sauid=$uADM ")
is "$n_root" 0 "no record of the admin's request carries the daemon's auid 0"

# ---- a reused pid ---------------------------------------------------------------------------
# subid-pidreuse runs its own daemon in a pid namespace: P (loginuid of
# USR, uid 0) connects and exits, Q (loginuid of T2) gets P's pid, and P's
# connection then asks to grant T2 a range. (LeakSanitizer cannot work in a
# pid namespace whose /proc is not its own: off there in sanitized builds.)
stop_admind
out=$(ASAN_OPTIONS=detect_leaks=0 "$TOOLS/subid-pidreuse" "$REAL_ADMIND" "$ADMIND_SOCKET" 0 "$uUSR" "$uT2" grant \
        "{\"user\":\"$T2\",\"subuids\":{\"first\":5000000,\"count\":10}}" 2>&1 8>&-)
rc=$?
p=$(sed -n 's/^connected pid //p' <<<"$out")
is "$(sed -n 's/^reused pid //p' <<<"$out")" "$p" "Q really got P's pid ($p)"
is "$(sed -n 's/^reply //p' <<<"$out")" "error ESRCH requesting process has exited" \
        "a request on the connection of an exited process is refused (ESRCH)"
is "$rc" 0 "subid-pidreuse completed"
sleep 0.3
is "$(audit_search -m USER_MGMT -ua "$uT2" | grep -c '^type=USER_MGMT')" 0 \
        "no record is attributed to the process that got the pid"
is "$(audit_search -m USER_MGMT -ua "$uUSR" | grep -c "subuids=5000000-5000009")" 0 \
        "nor to the exited process's user"
got=$(audit_search -m USER_MGMT | grep -F "op=grant acct=\"$T2\" subuids=5000000-5000009 sauid=$UNSET reason=$(hex "requesting process has exited")")
if grep -q " auid=$UNSET " <<<"$got" && grep -q "res=failed'" <<<"$got"; then
        ok "the refusal is recorded as the daemon's own (auid and sauid unset)"
else
        not_ok "the refusal is recorded as the daemon's own (auid and sauid unset)" "$got"
fi
out=$(ASAN_OPTIONS=detect_leaks=0 "$TOOLS/subid-pidreuse" "$REAL_ADMIND" "$ADMIND_SOCKET" 0 "$uUSR" "$uT2" grant \
        "{\"user\":\"$T2\",\"subuids\":{\"first\":5000000,\"count\":10}}" keep 2>&1 8>&-)
like=$(sed -n 's/^reply \(ok\|error [A-Z]*\).*/\1/p' <<<"$out")
is "$like" "ok" "the same request from a live process is served (control)"
expect "and attributed to its loginuid" "$USR" "op=grant acct=\"$T2\" subuids=5000000-5000009 sauid=$uUSR"

done_testing
