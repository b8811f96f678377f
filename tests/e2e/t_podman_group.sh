#!/bin/bash
# The shared-group story with rootless podman: group rfriends (gid 2000)
# shares a setgid directory; member ana asks for its delegation with
# subid-request, the admin approves, and the podman command subid-request
# prints (podman 4.3: the explicit --uidmap/--gidmap form) runs a container
# whose files in the bind-mounted directory carry gid 2000 on the host.
# Once ana leaves the group, or the delegation is revoked, the same command
# no longer maps gid 2000.
set -u
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/e2e/e2e_lib.sh"

e2e_require_system_files
e2e_podman_available

GID=2000
if getent group "$GID" >/dev/null && [ "$(getent group "$GID" | cut -d: -f1)" != subidt_rfriends ]; then
        not_ok "gid $GID is free for the test group" "it belongs to: $(getent group "$GID")"
        done_testing
        exit 1
fi
ANA=$(make_user ana) && G=$(make_group rfriends -g "$GID") || { not_ok "create test accounts"; done_testing; exit 1; }
usermod -a -G "$G" "$ANA"
uidA=$(id -u "$ANA") gidA=$(id -g "$ANA")
work=$(mktemp -d /tmp/subid-e2e-group.XXXXXX)
chmod 0755 "$work"
at_exit "rm -rf '$work'"
e2e_rootfs "$work" || { not_ok "build the busybox rootfs"; done_testing; exit 1; }
e2e_podman_home "$ANA" "$work/home" || { not_ok "podman home"; done_testing; exit 1; }
# The group's shared directory: setgid, writable by the group only.
install -d -m 2770 -o root -g "$GID" "$work/shared"

reset_policy
start_admind || { not_ok "subid-admind starts"; done_testing; exit 1; }

# ---- the admin opens the group, ana asks, the admin approves ----------------------
check "subidctl grant $ANA (a range from the pool)" "$SUBIDCTL" grant "$ANA"
FIRST=$(grep "^$ANA:" "$EXPORT_SUBGID" | head -1 | cut -d: -f2)
e2e_check_helpers_in_ns
check "$ANA imports the busybox image" e2e_podman "$ANA" "$work/home" import "$work/rootfs.tar" "$E2E_IMAGE"
check "subidctl group allow $G --policy approve" "$SUBIDCTL" group allow "$G" --policy approve
out=$(as_user "$ANA" "$SUBID_REQUEST" --group "$G" 2>&1)
id=$(sed -n "s/^Request #\([0-9]*\) for group $G (gid $GID) is pending\.\$/\1/p" <<<"$out")
if [ -n "$id" ]; then ok "subid-request --group $G: request #$id pending"; else not_ok "request pending" "$out"; fi
check "subidctl approve $id" "$SUBIDCTL" approve "$id"
is "$(tail -1 "$EXPORT_SUBGID")" "$ANA:$GID:1" "the export lists the delegation after the ranges"

status=$(as_user "$ANA" "$SUBID_REQUEST" --status 2>&1)
# The recipe for podman before 4.7, as subid-request prints it.
recipe=$(grep -m1 -- '^ *podman run .*--gidmap 2000:' <<<"$status" | sed 's/^ *//')
is "$(grep -c '^podman run --group-add keep-groups --uidmap .* IMAGE$' <<<"$recipe")" 1 \
        "subid-request --status prints the explicit podman command ($recipe)"
read -r -a recipe_args <<<"${recipe#podman run }"
unset 'recipe_args[-1]' # IMAGE

# run_recipe NAME: the printed command, with the shared directory at /data;
# the container reports its groups and gid_map and creates /data/NAME.
run_recipe() {
        e2e_podman "$ANA" "$work/home" run --rm --pull never "${recipe_args[@]}" \
                -v "$work/shared:/data" "$E2E_IMAGE" \
                sh -c 'id -G; tr -s " \n" " " </proc/self/gid_map; echo; touch "/data/$0" && echo created' "$1"
}

# ---- the delegation at work ---------------------------------------------------------
check "podman system migrate" e2e_podman "$ANA" "$work/home" system migrate
is "$(e2e_podman "$ANA" "$work/home" unshare cat /proc/self/gid_map 2>&1 | tr -s ' \n' ' ')" \
        " 0 $gidA 1 1 $GID 1 2 $FIRST 65536 " \
        "podman's namespace maps ana's gid, the delegated gid $GID and her range"
out=$(run_recipe granted 2>"$work/granted.err")
is "$out" "0 $GID
 0 0 1 1 2 1999 $GID 1 1 $((GID + 1)) $((GID + 1)) 63537 
created" "in the container gid $GID is ana's supplementary group, mapped to podman's gid of host gid $GID"
[ -s "$work/granted.err" ] && sed 's/^/# stderr: /' "$work/granted.err"
is "$(stat -c '%u:%g' "$work/shared/granted" 2>&1)" "$uidA:$GID" \
        "the file created in the setgid directory carries gid $GID on the host"

# ---- ana leaves the group ---------------------------------------------------------------
gpasswd -d "$ANA" "$G" >/dev/null
check "podman system migrate" e2e_podman "$ANA" "$work/home" system migrate
out=$(run_recipe left 2>"$work/left.err")
rc=$?
is "$([ "$rc" -ne 0 ] && echo failed):$out" "failed:" "after ana left $G the same command fails"
if grep -qF "newgidmap: gid range [$GID-$((GID + 1))) -> [1-2) not allowed for $ANA" "$work/left.err"; then
        ok "it is our newgidmap that refused gid $GID (ana is not a member any more)"
else
        not_ok "it is our newgidmap that refused gid $GID (ana is not a member any more)" "stderr: $(cat "$work/left.err")"
fi
is "$(stat -c %g "$work/shared/left" 2>&1)" "stat: cannot statx '$work/shared/left': No such file or directory" \
        "no file was created"

# ---- the delegation is revoked (ana still out) -----------------------------------------
check "subidctl revoke $ANA --group $G" "$SUBIDCTL" revoke "$ANA" --group "$G"
is "$(grep -c ":$GID:1\$" "$EXPORT_SUBGID")" 0 "the export no longer lists the delegation"
check "podman system migrate" e2e_podman "$ANA" "$work/home" system migrate
is "$(e2e_podman "$ANA" "$work/home" unshare cat /proc/self/gid_map 2>&1 | tr -s ' \n' ' ')" \
        " 0 $gidA 1 1 $FIRST 65536 " "podman works again, without gid $GID"
out=$(run_recipe revoked 2>"$work/revoked.err")
if [ -e "$work/shared/revoked" ] || grep -q "^ *$GID *1 *1\$" <<<"$out"; then
        not_ok "the same command cannot map gid $GID any more" "stdout: $out" "stderr: $(cat "$work/revoked.err")" \
                "file: $(stat -c '%u:%g' "$work/shared/revoked" 2>&1)"
else
        ok "the same command cannot map gid $GID any more"
        sed 's/^/# podman: /' "$work/revoked.err"
fi

done_testing
