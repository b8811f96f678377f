#!/bin/bash
# Rootless podman (crun, vfs storage, no network, an image imported from
# busybox-static) on top of subid: a user granted a range by subid-admind
# gets it, whole, in the container; a user without a range, a user claiming
# another user's range through a forged /etc/subuid, and a user whose range
# was revoked (with a stale /etc/subuid) do not.
#
# Podman 4.3 reads /etc/subuid and /etc/subgid and runs /usr/bin/newuidmap
# and newgidmap; when it has no range it falls back to mapping the user
# alone, so "the container ran" proves nothing: every check reads the maps.
set -u
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/e2e/e2e_lib.sh"

e2e_require_system_files
e2e_podman_available

A=$(make_user e2pa) && B=$(make_user e2pb) || { not_ok "create test accounts"; done_testing; exit 1; }
uidA=$(id -u "$A") gidA=$(id -g "$A") uidB=$(id -u "$B")
work=$(mktemp -d /tmp/subid-e2e-podman.XXXXXX)
chmod 0755 "$work"
at_exit "rm -rf '$work'"
e2e_rootfs "$work" || { not_ok "build the busybox rootfs"; done_testing; exit 1; }
e2e_podman_home "$A" "$work/home-a" && e2e_podman_home "$B" "$work/home-b" ||
        { not_ok "podman homes"; done_testing; exit 1; }
install -d -m 0755 -o "$A" -g "$gidA" "$work/data-a"

reset_policy
start_admind || { not_ok "subid-admind starts"; done_testing; exit 1; }

# ---- A: a range from the pool ---------------------------------------------
check "subidctl grant $A (a fresh range from the pool)" "$SUBIDCTL" grant "$A"
line=$(grep "^$A:" "$EXPORT_SUBUID")
FIRST=$(cut -d: -f2 <<<"$line") COUNT=$(cut -d: -f3 <<<"$line")
is "$COUNT" 65536 "the exported subuid range is 65536 ids ($line)"
is "$(grep -c "^$A:$FIRST:65536\$" "$EXPORT_SUBGID")" 1 "and the same subgid range"
cp "$EXPORT_SUBUID" "$work/stale-subuid" && cp "$EXPORT_SUBGID" "$work/stale-subgid"

e2e_check_helpers_in_ns

check "$A imports the busybox image" e2e_podman "$A" "$work/home-a" import "$work/rootfs.tar" "$E2E_IMAGE"

# Without --uidmap/--gidmap the container runs in podman's own user
# namespace, so its /proc/self/uid_map shows host ids: the user as root,
# then the range. podman unshare shows the same namespace. Files the
# container creates as root, uid/gid 1000 and 65536 land on the host at the
# user, FIRST+999 and the last id of the range.
out=$(e2e_podman "$A" "$work/home-a" run --rm --pull never -v "$work/data-a:/data" "$E2E_IMAGE" sh -c '
        tr -s " \n" " " </proc/self/uid_map; echo "|"; tr -s " \n" " " </proc/self/gid_map; echo "|"
        touch /data/root && touch /data/u1000 && chown 1000:1000 /data/u1000 &&
                touch /data/last && chown 65536:65536 /data/last && echo files' 2>"$work/a.err")
is "$(tr -d '\n' <<<"$out")" " 0 $uidA 1 1 $FIRST 65536 | 0 $gidA 1 1 $FIRST 65536 |files" \
        "in the container, uid_map and gid_map hold the user and all 65536 granted ids"
[ -s "$work/a.err" ] && sed 's/^/# stderr: /' "$work/a.err"
is "$(e2e_podman "$A" "$work/home-a" unshare sh -c 'cat /proc/self/uid_map /proc/self/gid_map' | tr -s ' \n' ' ')" \
        " 0 $uidA 1 1 $FIRST 65536 0 $gidA 1 1 $FIRST 65536 " \
        "podman's namespace maps the user and the granted range, uids and gids"
is "$(cd "$work/data-a" && stat -c '%n %u:%g' root u1000 last 2>&1 | tr '\n' ' ')" \
        "root $uidA:$gidA u1000 $((FIRST + 999)):$((FIRST + 999)) last $((FIRST + 65535)):$((FIRST + 65535)) " \
        "on the host the container's files belong to the user and to ids of the granted range"

# ---- B: no range --------------------------------------------------------------
is "$(grep -c "^$B:" "$EXPORT_SUBUID" "$EXPORT_SUBGID" | cut -d: -f2 | tr '\n' ' ')" "0 0 " "$B holds no range"
check "$B imports the busybox image" e2e_podman "$B" "$work/home-b" import "$work/rootfs.tar" "$E2E_IMAGE"
out=$(e2e_podman "$B" "$work/home-b" run --rm --pull never "$E2E_IMAGE" cat /proc/self/uid_map 2>"$work/b.err")
is "$(tr -s ' \n' ' ' <<<"$out")" " 0 $uidB 1 " "without a range podman maps $B alone, nothing more"

# B forges /etc/subuid and /etc/subgid (a hand edit, a copied file) to
# claim A's range: podman believes the files, our helpers ask the database.
sed "s/^$A:/$B:/" "$EXPORT_SUBUID" >"$work/forged-subuid"
sed "s/^$A:/$B:/" "$EXPORT_SUBGID" >"$work/forged-subgid"
chmod 0644 "$work"/forged-sub* "$work"/stale-sub*
check "$B's podman forgets its single-id namespace" e2e_podman "$B" "$work/home-b" system migrate
out=$(E2E_SUBUID=$work/forged-subuid E2E_SUBGID=$work/forged-subgid \
        e2e_podman "$B" "$work/home-b" run --rm --pull never "$E2E_IMAGE" cat /proc/self/uid_map 2>"$work/forged.err")
rc=$?
is "$([ "$rc" -ne 0 ] && echo failed):$out" "failed:" "with a forged /etc/subuid listing $A's range under $B, podman cannot start"
if grep -qF "newuidmap: uid range [$FIRST-$((FIRST + 65536))) -> [1-65537) not allowed for $B: not in your subordinate ranges" \
        "$work/forged.err"; then
        ok "it is our newuidmap that refused $A's range to $B"
else
        not_ok "it is our newuidmap that refused $A's range to $B" "stderr: $(cat "$work/forged.err")"
fi

# ---- A after the revocation -----------------------------------------------------
check "subidctl revoke $A" "$SUBIDCTL" revoke "$A"
check "$A's podman forgets the old namespace (podman system migrate)" e2e_podman "$A" "$work/home-a" system migrate
out=$(e2e_podman "$A" "$work/home-a" run --rm --pull never "$E2E_IMAGE" cat /proc/self/uid_map 2>/dev/null)
is "$(tr -s ' \n' ' ' <<<"$out")" " 0 $uidA 1 " "after the revocation podman maps $A alone"
check "podman system migrate" e2e_podman "$A" "$work/home-a" system migrate
out=$(E2E_SUBUID=$work/stale-subuid E2E_SUBGID=$work/stale-subgid \
        e2e_podman "$A" "$work/home-a" run --rm --pull never "$E2E_IMAGE" cat /proc/self/uid_map 2>"$work/stale.err")
rc=$?
is "$([ "$rc" -ne 0 ] && echo failed):$out" "failed:" "with a stale /etc/subuid still listing the revoked range, podman cannot start"
if grep -qF "newuidmap: uid range [$FIRST-$((FIRST + 65536))) -> [1-65537) not allowed for $A: not in your subordinate ranges" \
        "$work/stale.err"; then
        ok "it is our newuidmap that refused the revoked range"
else
        not_ok "it is our newuidmap that refused the revoked range" "stderr: $(cat "$work/stale.err")"
fi

done_testing
