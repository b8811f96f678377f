#!/bin/bash
# `unshare --map-auto --map-root-user` (util-linux 2.38) on top of subid: in a
# private mount namespace our installed helpers are bind-mounted over
# /usr/bin/newuidmap and /usr/bin/newgidmap and our exported files over
# /etc/subuid and /etc/subgid, exactly as a distribution package would place
# them. unshare reads the user's first range from the files and has the
# helpers write it; the helpers authorise it against the policy database.
set -u
. "$SRCDIR/tests/integration/lib.sh"

FIRST=400000
COUNT=65536
LAST=$((FIRST + COUNT - 1))

# ---------------------------------------------------------------------------
# Runs as root inside the private mount namespace: replaces the system
# helpers and files, then runs the scenarios, one result file each.
inner() {
        local work=$1 f user

        for f in newuidmap newgidmap; do mount --bind "$BIN/$f" "/usr/bin/$f" || exit 1; done
        mount --bind "$work/subuid" /etc/subuid || exit 1
        mount --bind "$work/subgid" /etc/subgid || exit 1

        # What the users see: mode, owner, capabilities, content.
        for f in newuidmap newgidmap; do
                stat -c '%A %U' "/usr/bin/$f" >"$work/seen-$f.stat"
                getcap "/usr/bin/$f" | awk '{ print $2 }' >"$work/seen-$f.caps"
                cmp -s "/usr/bin/$f" "$BIN/$f" && echo same >"$work/seen-$f.cmp"
        done
        cat /etc/subuid /etc/subgid >"$work/seen-files"

        for user in "$GRANTED" "$NEVER" "$REVOKED"; do
                as_user "$user" unshare --map-auto --map-root-user \
                        sh -c 'cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; id -u; id -g' \
                        >"$work/$user.out" 2>"$work/$user.err"
                echo $? >"$work/$user.rc"
        done

        # The revoked user once more, now with an out-of-date /etc/subuid that
        # still lists the revoked range (a stale copy, a hand edit): unshare
        # asks the helpers, and the database must still say no.
        umount /etc/subuid /etc/subgid
        mount --bind "$work/stale-subuid" /etc/subuid || exit 1
        mount --bind "$work/stale-subgid" /etc/subgid || exit 1
        as_user "$REVOKED" unshare --map-auto --map-root-user cat /proc/self/uid_map \
                >"$work/stale.out" 2>"$work/stale.err"
        echo $? >"$work/stale.rc"
        exit 0
}

if [ "${1:-}" = --inner ]; then
        inner "$2"
fi

# ---------------------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || skip_all "needs root"
unshare --help 2>&1 | grep -q -- --map-auto || skip_all "this unshare has no --map-auto (util-linux 2.38 or later)"
for f in /usr/bin/newuidmap /usr/bin/newgidmap /etc/subuid /etc/subgid; do
        # Only ever bind-mounted over, never created or changed.
        [ -f "$f" ] || skip_all "$f does not exist, so it cannot be bind-mounted over"
done
unshare --user true 2>/dev/null || skip_all "unprivileged user namespaces are not available"
for f in "$SUBIDCTL" "$ADMIND" "$BIN/newuidmap" "$BIN/newgidmap"; do
        [ -x "$f" ] || { not_ok "$f is installed"; done_testing; exit 1; }
done

# With the pid: a run of this test against another CHECK_ROOT at the same
# time must not delete these accounts under us.
GRANTED=$(make_user "mapa$$") && NEVER=$(make_user "mapb$$") && REVOKED=$(make_user "mapc$$") ||
        { not_ok "create test accounts"; done_testing; exit 1; }
work=$(mktemp -d /tmp/subid-t-mapauto.XXXXXX)
chmod 0755 "$work"
at_exit "rm -rf '$work'"
real_before=$(cat /usr/bin/newuidmap /usr/bin/newgidmap /etc/subuid /etc/subgid | sha256sum)

reset_policy
start_admind || { not_ok "subid-admind starts"; done_testing; exit 1; }
check "grant $GRANTED subuids and subgids $FIRST-$LAST" \
        "$SUBIDCTL" grant "$GRANTED" --subuids "$FIRST-$LAST" --subgids "$FIRST-$LAST"
check "grant $REVOKED subuids and subgids 500000-565535" \
        "$SUBIDCTL" grant "$REVOKED" --subuids 500000-565535 --subgids 500000-565535
cp "$EXPORT_SUBUID" "$work/stale-subuid" && cp "$EXPORT_SUBGID" "$work/stale-subgid"
check "revoke everything $REVOKED holds" "$SUBIDCTL" revoke "$REVOKED"

cp "$EXPORT_SUBUID" "$work/subuid" && cp "$EXPORT_SUBGID" "$work/subgid"
chmod 0644 "$work"/sub* "$work"/stale-sub*
is "$(grep -c "^$GRANTED:$FIRST:$COUNT\$" "$work/subuid" "$work/subgid" | tr '\n' ' ')" \
        "$work/subuid:1 $work/subgid:1 " "the exported files list $GRANTED:$FIRST:$COUNT"
is "$(grep -c "^$REVOKED:" "$work/subuid" "$work/subgid" | tr '\n' ' ')" \
        "$work/subuid:0 $work/subgid:0 " "the exported files no longer list $REVOKED"
is "$(grep -c "^$REVOKED:500000:65536\$" "$work/stale-subuid")" 1 "the stale copy still lists $REVOKED"

export BIN CHECK_ROOT SRCDIR GRANTED NEVER REVOKED
unshare -m --propagation private -- bash "$0" --inner "$work" >"$work/inner.log" 2>&1
is "$?" 0 "the scenarios ran in a private mount namespace"
[ -s "$work/inner.log" ] && sed 's/^/# inner: /' "$work/inner.log"

# The replacement was real: inside the namespace /usr/bin/new*idmap are our
# binaries, with file capabilities and without the setuid bit, and
# /etc/sub*id are the exported files.
is "$(cat "$work/seen-newuidmap.stat" 2>/dev/null)" "-rwxr-xr-x root" "/usr/bin/newuidmap is not setuid in the namespace"
is "$(cat "$work/seen-newgidmap.stat" 2>/dev/null)" "-rwxr-xr-x root" "/usr/bin/newgidmap is not setuid in the namespace"
is "$(cat "$work/seen-newuidmap.caps" 2>/dev/null)" "cap_setuid,cap_audit_write=ep" \
        "/usr/bin/newuidmap carries cap_setuid in the namespace"
is "$(cat "$work/seen-newgidmap.caps" 2>/dev/null)" "cap_setgid,cap_audit_write=ep" \
        "/usr/bin/newgidmap carries cap_setgid in the namespace"
is "$(cat "$work/seen-newuidmap.cmp" "$work/seen-newgidmap.cmp" 2>/dev/null | tr '\n' ' ')" "same same " \
        "/usr/bin/new{u,g}idmap are byte for byte our installed helpers"
is "$(cat "$work/seen-files" 2>/dev/null)" "$(cat "$work/subuid" "$work/subgid")" \
        "/etc/subuid and /etc/subgid are the exported files in the namespace"

# The granted user: root is the user's own id, 1… is the granted range (the
# first id of the range is given up for root, as unshare(1) documents).
uid=$(id -u "$GRANTED") gid=$(id -g "$GRANTED")
is "$(cat "$work/$GRANTED.rc" 2>/dev/null)" 0 "unshare --map-auto --map-root-user works for $GRANTED"
[ "$(cat "$work/$GRANTED.rc" 2>/dev/null)" = 0 ] || echo "# stderr: $(cat "$work/$GRANTED.err" 2>/dev/null)"
out=$(awk '{ $1 = $1; print }' "$work/$GRANTED.out" 2>/dev/null | tr '\n' '|')
is "$out" "0 $uid 1|1 $FIRST $((COUNT - 1))|--|0 $gid 1|1 $FIRST $((COUNT - 1))|--|0|0|" \
        "uid_map and gid_map map root to $GRANTED's own ids and 1… to the granted range; id is 0:0 inside"

# A user without any range: unshare finds nothing to map and fails.
check_fails "unshare --map-auto fails for $NEVER, who holds no range" test "$(cat "$work/$NEVER.rc")" = 0
is "$(cat "$work/$NEVER.out" 2>/dev/null)" "" "nothing ran for $NEVER"
if grep -q "no line matching user \"$NEVER\" in /etc/subuid" "$work/$NEVER.err"; then
        ok "unshare says $NEVER has no line in /etc/subuid"
else
        not_ok "unshare says $NEVER has no line in /etc/subuid" "stderr: $(cat "$work/$NEVER.err")"
fi
# A user whose range was revoked: the exported files no longer list it.
check_fails "unshare --map-auto fails for $REVOKED after the revocation" test "$(cat "$work/$REVOKED.rc")" = 0
is "$(cat "$work/$REVOKED.out" 2>/dev/null)" "" "nothing ran for $REVOKED"
if grep -q "no line matching user \"$REVOKED\" in /etc/subuid" "$work/$REVOKED.err"; then
        ok "unshare says $REVOKED has no line in /etc/subuid any more"
else
        not_ok "unshare says $REVOKED has no line in /etc/subuid any more" "stderr: $(cat "$work/$REVOKED.err")"
fi
# ...and with a stale /etc/subuid that still lists it, our newuidmap refuses.
check_fails "unshare --map-auto fails for $REVOKED even with a stale /etc/subuid" test "$(cat "$work/stale.rc")" = 0
if grep -q "newuidmap: uid range .* not allowed for $REVOKED: not in your subordinate ranges" "$work/stale.err"; then
        ok "it is our newuidmap that refused, from the database"
else
        not_ok "it is our newuidmap that refused, from the database" "stderr: $(cat "$work/stale.err")"
fi

is "$(cat /usr/bin/newuidmap /usr/bin/newgidmap /etc/subuid /etc/subgid | sha256sum)" "$real_before" \
        "the real helpers and /etc/subuid, /etc/subgid are untouched"
done_testing
