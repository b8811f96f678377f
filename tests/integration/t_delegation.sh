#!/bin/bash
# Group delegations end to end, with a real subid-admind and real
# unprivileged users: group policies self and approve, requests, approval
# and rejection, every refusal (non-member, duplicate, group not open, gid
# 0, a user acting as admin or for someone else) failing in one line with
# nothing changed, the export, who-owns, and newgidmap honouring a
# delegation only while the user is a member and until it is revoked.
. "$SRCDIR/tests/integration/lib.sh"

for f in "$SUBIDCTL" "$SUBID_REQUEST" "$ADMIND" "$BIN/newgidmap"; do
        [ -x "$f" ] || { not_ok "$f is installed"; done_testing; exit 1; }
done
unshare --user true 2>/dev/null || skip_all "unprivileged user namespaces are not available"

# The story's gid 2000 when it is free, else whatever groupadd picks.
gid_opt=()
getent group 2000 >/dev/null || gid_opt=(-g 2000)
A=$(make_user dla) && B=$(make_user dlb) && C=$(make_user dlc) && G=$(make_group dlg "${gid_opt[@]}") &&
        H=$(make_group dlh) && N=$(make_group dln) || { not_ok "create test accounts"; done_testing; exit 1; }
uidA=$(id -u "$A") uidB=$(id -u "$B")
gidA=$(id -g "$A")
gidG=$(getent group "$G" | cut -d: -f3) gidH=$(getent group "$H" | cut -d: -f3)
usermod -a -G "$G,$H,$N" "$A"
usermod -a -G "$G,$H" "$B"
work=$(mktemp -d /tmp/subid-t-delegation.XXXXXX)
chmod 0755 "$work"
at_exit "rm -rf '$work'"

reset_policy
start_admind || { not_ok "subid-admind starts"; done_testing; exit 1; }

# The database and the exported subgid, for "nothing changed" checks.
snapshot() {
        sqlite3 "$DB" .dump 2>&1
        echo "--- subgid"
        cat "$EXPORT_SUBGID" 2>&1
}

# fails_cleanly DESCRIPTION PATTERN COMMAND...: exit status 1, exactly one
# line on stderr matching PATTERN (grep -E), nothing on stdout, database and
# export unchanged.
fails_cleanly() {
        local desc=$1 pattern=$2 before after out err rc lines
        shift 2
        before=$(snapshot)
        out=$("$@" 2>"$work/err")
        rc=$?
        err=$(cat "$work/err")
        after=$(snapshot)
        lines=$(grep -c '' "$work/err")
        if [ "$rc" -eq 1 ] && [ "$lines" -eq 1 ] && [ -z "$out" ] && [ "$before" == "$after" ] &&
                grep -qE -- "$pattern" <<<"$err"; then
                ok "$desc"
        else
                not_ok "$desc" "command: $*" "exit $rc, $lines stderr lines (want 1 matching: $pattern)" \
                        "stdout: $out" "stderr: $err" \
                        "$([ "$before" == "$after" ] && echo "state unchanged" || diff <(echo "$before") <(echo "$after"))"
        fi
}

request_state() { # request_state ID
        sqlite3 "$DB" "SELECT state FROM requests WHERE id = $1"
}

# map_gid USER GID: as USER, starts a process in a new user namespace and
# asks our newgidmap for "0 <own gid> 1 1 GID 1"; prints "rc=N" and the
# resulting gid_map on one line, blanks squeezed ("rc=0 0 1000 1 1 2000 1 ").
map_gid() {
        as_user "$1" bash -c "$USERNS_TARGET"'
                "$0" "$pid" 0 "$(id -g)" 1 1 "$1" 1 >/dev/null 2>&1
                printf "rc=%s" "$?"
                tr -s " \n" " " </proc/$pid/gid_map
                kill $pid
        ' "$BIN/newgidmap" "$2" 2>&1
}

# ---- setup --------------------------------------------------------------------
check "grant ranges to $A" "$SUBIDCTL" grant "$A" --subuids 100000-165535 --subgids 100000-165535
check "grant ranges to $B" "$SUBIDCTL" grant "$B" --subuids 200000-265535 --subgids 200000-265535

# ---- group policies: only admins, never gid 0 ---------------------------------
fails_cleanly "a user cannot open a group to requests" "needs root or membership of group subidadm" \
        as_user "$A" "$SUBIDCTL" group allow "$G" --policy self
fails_cleanly "a user cannot delegate a group, not even to themselves" "needs root" \
        as_user "$A" "$SUBIDCTL" grant "$A" --group "$G"
fails_cleanly "group allow needs --policy" "--policy" "$SUBIDCTL" group allow "$G"
fails_cleanly "group allow refuses an unknown policy" "'self'.*'approve'" "$SUBIDCTL" group allow "$G" --policy maybe
fails_cleanly "group allow refuses an unknown group" "no such group" "$SUBIDCTL" group allow subidt_nosuch --policy self
fails_cleanly "group allow refuses gid 0" "gid 0" "$SUBIDCTL" group allow root --policy self
is "$("$SUBIDCTL" group allow "$G" --policy self)" \
        "members of group $G (gid $gidG) may request its delegation with subid-request: granted at once (policy self)" \
        "group allow --policy self"

# ---- refusals of a request ----------------------------------------------------------
fails_cleanly "a group never allowed is refused, even for a member" "not open to requests" \
        as_user "$A" "$SUBID_REQUEST" --group "$N"
fails_cleanly "a non-member is refused" "$C is not a member of group $G" \
        as_user "$C" "$SUBID_REQUEST" --group "$G"
fails_cleanly "the root group is refused" "gid 0" as_user "$A" "$SUBID_REQUEST" --group root
fails_cleanly "an unknown group is refused" "no such group" as_user "$A" "$SUBID_REQUEST" --group subidt_nosuch
fails_cleanly "there is no option naming another user" "unknown option" \
        as_user "$A" "$SUBID_REQUEST" --user "$B" --group "$G"
fails_cleanly "self-service is off by default" "self-service is disabled; ask an administrator" \
        as_user "$C" "$SUBID_REQUEST"

# ---- policy self: granted at once -------------------------------------------------
out=$(as_user "$A" "$SUBID_REQUEST" --group "$G" 2>&1)
rc=$?
is "$rc" 0 "a member's request under policy self succeeds"
is "$(head -1 <<<"$out")" "Group $G (gid $gidG) is now delegated to you (request #1, granted by the group's policy)." \
        "subid-request says the delegation is granted"
is "$(grep -c -- "podman run --group-add keep-groups --gidmap=+g$gidG:@$gidG IMAGE" <<<"$out")" 1 \
        "the recipe names the delegated gid (podman 4.7 form)"
is "$(grep -c -- "--gidmap $gidG:" <<<"$out")" 1 "the older podman form maps container gid $gidG"
is "$(grep -c -- "podman system migrate" <<<"$out")" 1 "the recipe reminds of podman system migrate"
is "$(request_state 1)" approved "the request is recorded as approved"
is "$(grep -n . "$EXPORT_SUBGID")" "1:$A:100000:65536
2:$B:200000:65536
3:$A:$gidG:1" "the export lists the delegation after every range line"
is "$("$SUBIDCTL" who-owns "$gidG" --gid)" "gid $gidG: delegated to $A (uid $uidA) as group $G" \
        "who-owns --gid shows the delegation"
fails_cleanly "a second request for a group already delegated is refused" "already holds the delegation" \
        as_user "$A" "$SUBID_REQUEST" --group "$G"

# ---- the helper honours it while the user is a member ---------------------------------
is "$(map_gid "$A" "$gidG")" "rc=0 0 $gidA 1 1 $gidG 1 " "newgidmap maps the delegated gid for a member"
# The util-linux form of docs/delegation.md, through our helpers (unshare
# runs new[ug]idmap from PATH): inside, the group is the delegated gid.
if unshare --help | grep -q 'map-users=<outeruid>,'; then
        ux=(--map-users=100000,1,65536 "--map-groups=$gidG,$gidG,1") # util-linux 2.38
else
        ux=(--map-users=1:100000:65536 "--map-groups=$gidG:$gidG:1") # 2.39 and later
fi
# (Groups of A that are not mapped show up as the overflow gid 65534.)
is "$(as_user "$A" env PATH="$BIN:/usr/bin:/bin" unshare --map-user=0 --map-group=0 "${ux[@]}" \
        sh -c 'id -G | tr " " "\n" | grep -x "$0"; tr -s " \n" " " </proc/self/gid_map' "$gidG" 2>&1)" "$gidG
 0 $gidA 1 $gidG $gidG 1 " "unshare --map-groups maps the delegated gid through our newgidmap"
fails_map=$(map_gid "$B" "$gidG")
is "${fails_map%% *}" "rc=1" "newgidmap refuses the gid to a member without the delegation"
gpasswd -d "$A" "$G" >/dev/null
is "$(map_gid "$A" "$gidG")" "rc=1" "after leaving the group (no admin action) newgidmap refuses the gid"
is "$(as_user "$A" "$SUBID_REQUEST" --status | grep "delegated group")" \
        "  delegated group $G (gid $gidG): inactive, you are not a member of $G now" "--status shows it inactive"
usermod -a -G "$G" "$A"
is "$(map_gid "$A" "$gidG")" "rc=0 0 $gidA 1 1 $gidG 1 " "back in the group, newgidmap maps it again"
is "$(as_user "$A" "$SUBID_REQUEST" --status | grep "delegated group")" \
        "  delegated group $G (gid $gidG): active" "--status shows it active"
check "revoke --group removes the delegation" "$SUBIDCTL" revoke "$A" --group "$G"
is "$(map_gid "$A" "$gidG")" "rc=1" "after revocation newgidmap refuses the gid"
is "$(grep -c ":$gidG:1\$" "$EXPORT_SUBGID")" 0 "the export no longer lists the delegation"

# ---- policy approve: pending, approve, reject ----------------------------------------
check "group allow --policy approve" "$SUBIDCTL" group allow "$H" --policy approve
out=$(as_user "$B" "$SUBID_REQUEST" --group "$H" 2>&1)
idB=$(sed -n 's/^Request #\([0-9]*\) for group .* is pending\.$/\1/p' <<<"$out")
if [ -n "$idB" ]; then ok "under policy approve the request is pending (#$idB)"; else not_ok "request is pending" "$out"; fi
is "$(grep -c "subidctl approve $idB" <<<"$out")" 1 "subid-request says who decides and how"
is "$(request_state "$idB")" pending "the request is stored as pending"
is "$(grep -c ":$gidH:1\$" "$EXPORT_SUBGID")" 0 "a pending request exports nothing"
fails_cleanly "a second request while one is pending is refused" "already pending" \
        as_user "$B" "$SUBID_REQUEST" --group "$H"
is "$("$SUBIDCTL" requests | awk 'NR > 1 { print $1, $2, $3, $4, $5 }')" "$idB $B $H $gidH pending" \
        "subidctl requests lists it"
fails_cleanly "a user cannot approve (not even their own request)" "needs root" \
        as_user "$B" "$SUBIDCTL" approve "$idB"
fails_cleanly "a user cannot list requests" "needs root" as_user "$B" "$SUBIDCTL" requests
fails_cleanly "approve of a request that does not exist" "no request #9999" "$SUBIDCTL" approve 9999
fails_cleanly "approve needs a request number" "invalid request id" "$SUBIDCTL" approve x1
out=$("$SUBIDCTL" approve "$idB" 2>&1)
is "$(head -1 <<<"$out")" "approved request #$idB: delegated group $H (gid $gidH) to $B (uid $uidB)" "subidctl approve"
is "$(request_state "$idB")" approved "the request is approved"
is "$(sqlite3 "$DB" "SELECT decided_by FROM requests WHERE id = $idB")" 0 "the deciding admin (root) is recorded"
is "$(tail -1 "$EXPORT_SUBGID")" "$B:$gidH:1" "approval exports the delegation"
is "$(map_gid "$B" "$gidH")" "rc=0 0 $(id -g "$B") 1 1 $gidH 1 " "newgidmap maps the approved delegation"
is "$(as_user "$B" "$SUBID_REQUEST" --status | grep -c -- "--gidmap=+g$gidH:@$gidH")" 1 \
        "--status shows the recipe of the approved delegation"
fails_cleanly "an approved request cannot be decided again" "already approved" "$SUBIDCTL" reject "$idB"

out=$(as_user "$A" "$SUBID_REQUEST" --group "$H" 2>&1)
idA=$(sed -n 's/^Request #\([0-9]*\) .*/\1/p' <<<"$out")
is "$("$SUBIDCTL" reject "$idA" --reason "not this term")" "rejected request #$idA: group $H (gid $gidH) for $A (uid $uidA)" \
        "subidctl reject --reason"
is "$(request_state "$idA")" rejected "the request is rejected"
is "$(as_user "$A" "$SUBID_REQUEST" --status | grep -c "request #$idA: .*rejected .*: not this term")" 1 \
        "--status shows the rejection and its reason"
is "$(grep -c "^$A:$gidH:1\$" "$EXPORT_SUBGID")" 0 "a rejected request exports nothing"

# Approval re-checks membership: A asks again, leaves, the admin approves.
out=$(as_user "$A" "$SUBID_REQUEST" --group "$H" 2>&1)
idA2=$(sed -n 's/^Request #\([0-9]*\) .*/\1/p' <<<"$out")
is "$(request_state "$idA2")" pending "after a rejection the user may ask again"
gpasswd -d "$A" "$H" >/dev/null
fails_cleanly "approval of a user who left the group is refused" "$A is not a member of group $H" \
        "$SUBIDCTL" approve "$idA2"
is "$(request_state "$idA2")" pending "the refused approval leaves the request pending"
usermod -a -G "$H" "$A"
is "$("$SUBIDCTL" group deny "$H" | head -1)" "group $H (gid $gidH) is closed to requests; 1 pending request rejected" \
        "group deny rejects what is pending"
is "$(request_state "$idA2")" rejected "the pending request is rejected by group deny"
fails_cleanly "a denied group is refused" "not open to requests" as_user "$A" "$SUBID_REQUEST" --group "$H"
is "$(grep -c "^$B:$gidH:1\$" "$EXPORT_SUBGID")" 1 "group deny keeps delegations already granted"
is "$("$SUBIDCTL" requests)" "no pending requests" "nothing pending"
is "$("$SUBIDCTL" requests --all | awk 'NR > 1 { print $1, $5 }' | tr '\n' ' ')" \
        "1 approved $idB approved $idA rejected $idA2 rejected " "requests --all lists every decision"

# ---- an admin's direct grant ------------------------------------------------------------
fails_cleanly "grant --group refuses a non-member" "$C is not a member" "$SUBIDCTL" grant "$C" --group "$G"
fails_cleanly "grant --group refuses an unknown user" "no such user" "$SUBIDCTL" grant subidt_nosuch --group "$G"
fails_cleanly "grant --group refuses the user's own primary group" "primary group" \
        "$SUBIDCTL" grant "$A" --group "$(id -gn "$A")"
is "$("$SUBIDCTL" grant "$A" --group "$gidG" | head -1)" "delegated group $G (gid $gidG) to $A (uid $uidA)" \
        "grant USER --group GID delegates"
fails_cleanly "grant --group twice is refused" "already holds" "$SUBIDCTL" grant "$A" --group "$G"
is "$(map_gid "$A" "$gidG")" "rc=0 0 $gidA 1 1 $gidG 1 " "newgidmap maps the admin's delegation"

# ---- the daemon acts only on the caller -----------------------------------------------------
if [ -x "$TOOLS/subid-probe" ]; then
        out=$(as_user "$C" "$TOOLS/subid-probe" "$ADMIND_SOCKET" op status "{\"user\": \"$A\", \"uid\": $uidA}")
        is "$(grep -o "\"user\": *\"[^\"]*\"" <<<"$out" | head -1 | tr -d ' ')" "\"user\":\"$C\"" \
                "status naming another user in args still answers about the caller"
        out=$(as_user "$C" "$TOOLS/subid-probe" "$ADMIND_SOCKET" op request "{\"group\": \"$G\", \"user\": \"$A\"}")
        is "$(grep -c "is not a member of group $G" <<<"$out")" 1 \
                "a request naming another user in args is still the caller's (refused: $C is no member)"
else
        not_ok "tests/tools/subid-probe is installed at $TOOLS"
fi

# ---- self-service: a user's own range --------------------------------------------------------
# The daemon reads subid.conf when it starts.
CONF=$CHECK_ROOT/etc/subid/subid.conf
at_exit "rm -f '$CONF'"
mkdir -p "$(dirname "$CONF")"
printf 'self_service = yes\nsub_uid_min = 7000000\nsub_uid_max = 7999999\nsub_gid_min = 7000000\nsub_gid_max = 7999999\n' >"$CONF"
stop_admind
start_admind || { not_ok "subid-admind restarts with self-service"; done_testing; exit 1; }
is "$(as_user "$C" "$SUBID_REQUEST")" "granted you subuids 7000000-7065535 (65536)
granted you subgids 7000000-7065535 (65536)
Rootless podman uses them after: podman system migrate" "with self-service on, subid-request grants the caller a range"
is "$(grep -c "^$C:7000000:65536\$" "$EXPORT_SUBUID" "$EXPORT_SUBGID" | cut -d: -f2 | tr '\n' ' ')" "1 1 " \
        "the caller's range is exported"
fails_cleanly "a second range is refused" "already" as_user "$C" "$SUBID_REQUEST"
rm -f "$CONF"
stop_admind
start_admind || { not_ok "subid-admind restarts"; done_testing; exit 1; }

# ---- JSON ----------------------------------------------------------------------------------
json=$(as_user "$A" "$SUBID_REQUEST" --status --json)
is "$(sqlite3 :memory: "SELECT json_extract('$(sed "s/'/''/g" <<<"$json")', '\$.delegations[0].gid') || ':' ||
        json_extract('$(sed "s/'/''/g" <<<"$json")', '\$.delegations[0].active')")" "$gidG:1" \
        "--status --json: the delegation, active"

done_testing
