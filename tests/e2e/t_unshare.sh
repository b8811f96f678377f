#!/bin/bash
# util-linux's unshare on top of subid, as unprivileged users with ranges
# granted by subid-admind: --map-auto (which reads /etc/subuid and
# /etc/subgid) and --map-users/--map-groups (explicit ranges, nothing
# read), both through /usr/bin/newuidmap and newgidmap. A user without a
# range, a user asking for another user's range and a user asking beyond
# their own range are refused by our helpers.
set -u
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/e2e/e2e_lib.sh"

e2e_require_system_files
unshare --help 2>&1 | grep -q -- --map-auto || skip_all "this unshare has no --map-auto (util-linux 2.38 or later)"

A=$(make_user e2ua) && B=$(make_user e2ub) || { not_ok "create test accounts"; done_testing; exit 1; }
uidA=$(id -u "$A") gidA=$(id -g "$A") uidB=$(id -u "$B") gidB=$(id -g "$B")

reset_policy
start_admind || { not_ok "subid-admind starts"; done_testing; exit 1; }
check "subidctl grant $A (a fresh range from the pool)" "$SUBIDCTL" grant "$A"
FIRST=$(grep "^$A:" "$EXPORT_SUBUID" | cut -d: -f2)
is "$(grep -c "^$A:$FIRST:65536\$" "$EXPORT_SUBUID" "$EXPORT_SUBGID" | cut -d: -f2 | tr '\n' ' ')" "1 1 " \
        "$A's range $FIRST-$((FIRST + 65535)) is exported to subuid and subgid"
e2e_check_helpers_in_ns

# maps USER UNSHARE-OPTIONS...: as USER, unshare with the options; prints
# "rc=N" and the uid and gid maps seen inside, blanks squeezed, and leaves
# unshare's stderr in $work_err.
work_err=$(mktemp /tmp/subid-e2e-unshare.XXXXXX)
at_exit "rm -f '$work_err'"
maps() {
        local user=$1 out rc
        shift
        out=$(e2e_as "$user" unshare "$@" sh -c 'tr -s " \n" " " </proc/self/uid_map; echo "|"; tr -s " \n" " " </proc/self/gid_map' \
                2>"$work_err")
        rc=$?
        echo "rc=$rc $(tr -d '\n' <<<"$out")"
}

# util-linux 2.38 (Debian 12) takes OUTER,INNER,COUNT; 2.39 INNER:OUTER:COUNT.
range() { # range OUTER INNER COUNT
        if unshare --help | grep -q 'map-users=<outeruid>,'; then echo "$1,$2,$3"; else echo "$2:$1:$3"; fi
}

refused_by() { # refused_by HELPER USER DESCRIPTION: our helper named USER in its refusal
        if grep -qE "^$1: (uid|gid) range .* not allowed for $2" "$work_err"; then
                ok "$3"
        else
                not_ok "$3" "stderr: $(cat "$work_err")"
        fi
}

# ---- the granted user ---------------------------------------------------------------
is "$(maps "$A" --map-auto --map-root-user)" \
        "rc=0  0 $uidA 1 1 $FIRST 65535 | 0 $gidA 1 1 $FIRST 65535 " \
        "unshare --map-auto --map-root-user: root is $A, then the granted range (less the id given to root)"
is "$(maps "$A" --map-user=0 --map-group=0 "--map-users=$(range "$FIRST" 1 65536)" "--map-groups=$(range "$FIRST" 1 65536)")" \
        "rc=0  0 $uidA 1 1 $FIRST 65536 | 0 $gidA 1 1 $FIRST 65536 " \
        "unshare --map-users/--map-groups with the whole granted range"
is "$(maps "$A" --map-user=0 --map-group=0 "--map-users=$(range "$((FIRST + 1000))" 1 10)" \
        "--map-groups=$(range "$((FIRST + 65000))" 1 536)")" \
        "rc=0  0 $uidA 1 1 $((FIRST + 1000)) 10 | 0 $gidA 1 1 $((FIRST + 65000)) 536 " \
        "unshare --map-users/--map-groups with parts of the range"

# ---- refusals ---------------------------------------------------------------------
is "$(maps "$A" --map-user=0 --map-group=0 "--map-users=$(range "$FIRST" 1 65537)")" "rc=1 " \
        "$A cannot map one uid beyond the range"
refused_by newuidmap "$A" "our newuidmap refused it"
is "$(maps "$A" --map-user=0 --map-group=0 "--map-groups=$(range "$((FIRST - 1))" 1 2)")" "rc=1 " \
        "$A cannot map one gid below the range"
refused_by newgidmap "$A" "our newgidmap refused it"
# (util-linux 2.38 silently drops a range of count 1, hence count 2 below.)
is "$(maps "$A" --map-user=0 "--map-users=$(range 0 1 2)")" "rc=1 " "$A cannot map host uid 0"
refused_by newuidmap "$A" "our newuidmap refused it"

is "$(maps "$B" --map-auto --map-root-user)" "rc=1 " "unshare --map-auto fails for $B, who holds no range"
if grep -q "no line matching user \"$B\" in /etc/subuid" "$work_err"; then
        ok "unshare says $B has no line in /etc/subuid"
else
        not_ok "unshare says $B has no line in /etc/subuid" "stderr: $(cat "$work_err")"
fi
is "$(maps "$B" --map-user=0 --map-group=0 "--map-users=$(range 700000 1 65536)")" "rc=1 " \
        "$B, without a range, cannot map a range of his choice"
refused_by newuidmap "$B" "our newuidmap refused it"
is "$(maps "$B" --map-user=0 --map-group=0 "--map-users=$(range "$FIRST" 1 65536)")" "rc=1 " \
        "$B cannot map $A's subuids"
refused_by newuidmap "$B" "our newuidmap refused it"
is "$(maps "$B" --map-user=0 --map-group=0 "--map-groups=$(range "$FIRST" 1 65536)")" "rc=1 " \
        "$B cannot map $A's subgids"
refused_by newgidmap "$B" "our newgidmap refused it"
is "$(maps "$B" --map-user=0 --map-group=0 "--map-users=$(range "$uidA" 1 2)")" "rc=1 " \
        "$B cannot map $A's own uid"
refused_by newuidmap "$B" "our newuidmap refused it"
# Only his own ids, which shadow's helpers allow too.
is "$(maps "$B" --map-root-user)" "rc=0  0 $uidB 1 | 0 $gidB 1 " "$B can still map his own uid and gid"

# ---- after the revocation -------------------------------------------------------------
check "subidctl revoke $A" "$SUBIDCTL" revoke "$A"
is "$(maps "$A" --map-user=0 --map-group=0 "--map-users=$(range "$FIRST" 1 65536)")" "rc=1 " \
        "after the revocation $A cannot map the range any more"
refused_by newuidmap "$A" "our newuidmap refused it"

done_testing
