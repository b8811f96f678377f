#!/bin/bash
# `subidctl doctor` with a real subid-admind: each problem it knows is
# created for real (a user without ranges, the daemon down, a delegation
# whose membership lapsed, shadow's setuid helpers or an uncapped copy at
# /usr/bin, a hand-edited export, podman storage older than the export, a
# caller without admin rights) and doctor must name it with the right fix
# and exit status; a properly granted user gets all ok and exit 0.
# /usr/bin/new*idmap is only ever replaced inside a private mount namespace.
. "$SRCDIR/tests/integration/lib.sh"

for f in "$SUBIDCTL" "$ADMIND" "$BIN/newuidmap" "$BIN/newgidmap"; do
        [ -x "$f" ] || { not_ok "$f is installed"; done_testing; exit 1; }
done
command -v unshare >/dev/null || skip_all "unshare(1) is missing"
unshare -m --propagation private true 2>/dev/null || skip_all "cannot create a private mount namespace"

work=$(mktemp -d /tmp/subid-t-doctor.XXXXXX)
chmod 0755 "$work"
at_exit "rm -rf '$work'"

A=$(make_user doca) && B=$(make_user docb) && C=$(make_user docc) && G=$(make_group docg) ||
        { not_ok "create test accounts"; done_testing; exit 1; }
for u in "$A" "$B" "$C"; do
        mkdir -p "$work/$u" && chown "$u:" "$work/$u" && usermod -d "$work/$u" "$u"
done
usermod -a -G "$G" "$A"

# A copy of our helper without file capabilities.
cp "$BIN/newuidmap" "$work/newuidmap.nocaps"
cp "$BIN/newgidmap" "$work/newgidmap.nocaps"
chmod 0755 "$work"/new*.nocaps

OUT=
RC=
# doctor_with HELPERS [--as USER] ARGS...: runs subidctl doctor ARGS with
# /usr/bin/new{u,g}idmap being: ours (the capped helpers of this install),
# debian (whatever the host has: shadow's setuid ones here), nocaps (an
# uncapped copy). Sets OUT (stdout+stderr) and RC.
doctor_with() {
        local helpers=$1 as=
        shift
        if [ "${1:-}" = --as ]; then
                as=$2
                shift 2
        fi
        local binds=
        case $helpers in
        ours) binds="mount --bind '$BIN/newuidmap' /usr/bin/newuidmap && mount --bind '$BIN/newgidmap' /usr/bin/newgidmap" ;;
        nocaps) binds="mount --bind '$work/newuidmap.nocaps' /usr/bin/newuidmap && mount --bind '$work/newgidmap.nocaps' /usr/bin/newgidmap" ;;
        debian) binds=true ;;
        esac
        local run=("$SUBIDCTL" doctor "$@")
        [ -n "$as" ] && run=(setpriv --reuid="$as" --regid="$(id -g "$as")" --init-groups --reset-env -- "${run[@]}")
        OUT=$(unshare -m --propagation private bash -c "$binds && exec \"\$@\"" doctor "${run[@]}" 2>&1)
        RC=$?
}

# has DESCRIPTION PATTERN: OUT has a line matching PATTERN (grep -E).
has() {
        if grep -Eq -- "$2" <<<"$OUT"; then ok "$1"; else not_ok "$1" "pattern: $2" "$OUT"; fi
}
hasnt() {
        if grep -Eq -- "$2" <<<"$OUT"; then not_ok "$1" "pattern: $2" "$OUT"; else ok "$1"; fi
}

reset_policy

# ---- daemon down ----
doctor_with ours "$A"
is "$RC" 1 "daemon down: exit 1"
has "daemon down: names it with the fix" "^FAIL daemon: subid-admind is not running .* -> systemctl start subid-admind$"
has "daemon down: database checks skipped" "^skip ranges: not checked: subid-admind is not running$"
has "daemon down: local checks still run" "^ok   helpers: /usr/bin/newuidmap has cap_setuid,cap_audit_write=ep$"

start_admind || { not_ok "subid-admind starts"; done_testing; exit 1; }

# ---- a user without ranges ----
doctor_with ours "$A"
is "$RC" 1 "no ranges: exit 1"
has "no ranges: subuid named with the fix" "^FAIL ranges: $A holds no subuid range -> subidctl grant $A$"
has "no ranges: subgid named with the fix" "^FAIL ranges: $A holds no subgid range -> subidctl grant $A$"

# ---- all ok for a properly granted user ----
check "grant $A" "$SUBIDCTL" grant "$A"
check "grant $B" "$SUBIDCTL" grant "$B"
doctor_with ours "$A"
is "$RC" 0 "granted user: exit 0"
hasnt "granted user: nothing fails or warns" "^(FAIL|WARN|skip)"
for c in helpers kernel daemon user ranges accounts export delegations podman; do
        has "granted user: check $c ok" "^ok   $c: "
done
doctor_with ours
is "$RC" 0 "without USER: exit 0"
hasnt "without USER: no per-user checks" "^[a-zA-Z ]+ (ranges|user|podman):"

# ---- --json ----
doctor_with ours "$A" --json
is "$RC" 0 "--json: exit 0"
is "$(jq -r '.user' <<<"$OUT")" "$A" "--json: user"
is "$(jq -r '.ok' <<<"$OUT")" true "--json: ok true"
is "$(jq -r '[.checks[] | select(.check == "ranges")][0] | "\(.status) \(.fix)"' <<<"$OUT")" "ok null" \
        "--json: a check has status and fix"
is "$(jq -r '.checks[0] | keys_unsorted | join(",")' <<<"$OUT")" "check,status,message,fix" "--json: check keys"

# ---- a small range warns ----
check "grant $C a small range" "$SUBIDCTL" grant "$C" --subuids 900000-900999 --subgids 900000-965535
doctor_with ours "$C"
is "$RC" 0 "small range: a warning only, exit 0"
has "small range: warns about podman's 65536" "^WARN ranges: $C holds only 1000 subuids: podman's default images need 65536"

# ---- helpers ----
doctor_with debian "$A"
is "$RC" 1 "shadow's setuid helpers: exit 1"
has "shadow's setuid helper named with the fix" \
        "^FAIL helpers: /usr/bin/newuidmap is setuid/setgid root: shadow's helper .* -> dpkg-divert .*make install PREFIX=/usr$"
has "shadow's setuid newgidmap too" "^FAIL helpers: /usr/bin/newgidmap is setuid/setgid root"
has "installed helpers still ok" "^ok   helpers: $BIN/newuidmap has"
doctor_with nocaps "$A"
is "$RC" 1 "uncapped helpers: exit 1"
has "uncapped helper named with the fix" \
        "^FAIL helpers: /usr/bin/newuidmap has capabilities 'none', needs cap_setuid,cap_audit_write=ep -> setcap cap_setuid,cap_audit_write=ep /usr/bin/newuidmap$"
has "uncapped newgidmap too" "^FAIL helpers: /usr/bin/newgidmap has capabilities 'none'"

# ---- delegation whose membership lapsed ----
check "delegate $G to $A" "$SUBIDCTL" grant "$A" --group "$G"
doctor_with ours "$A"
is "$RC" 0 "member of the delegated group: exit 0"
has "delegation ok" "^ok   delegations: $A is a member of every delegated group$"
gpasswd -d "$A" "$G" >/dev/null
doctor_with ours "$A"
is "$RC" 1 "lapsed delegation: exit 1"
has "lapsed delegation named with the fix" \
        "^FAIL delegations: $A is no longer a member of $G .*podman will fail to start: newgidmap refuses the whole map -> subidctl revoke $A --group $G \(or subidctl sync\)$"
check "the fix works: subidctl sync" "$SUBIDCTL" sync
doctor_with ours "$A"
is "$RC" 0 "after sync: exit 0"

# ---- exported file out of date ----
sed -i "/^$A:/d" "$EXPORT_SUBUID"
doctor_with ours "$A"
is "$RC" 1 "hand-edited export: exit 1"
has "hand-edited export named" "^FAIL export: $EXPORT_SUBUID lists '' for $A, the database has '$A:[0-9]+:65536'"
has "hand-edited export: the fix is subidctl sync" "^FAIL export: .* -> subidctl sync$"
fix="subidctl sync"
check "the fix runs: $fix" bash -c "${fix//subidctl/$SUBIDCTL}"
doctor_with ours "$A"
is "$RC" 0 "after the fix: exit 0"
has "after the fix: export ok" "^ok   export: "
chmod 0600 "$EXPORT_SUBGID"
doctor_with ours "$A"
is "$RC" 1 "export mode 0600: exit 1"
has "export mode named with the fix" "^FAIL export: $EXPORT_SUBGID is owned by uid 0 with mode 0600, not root 0644 -> chown root:root $EXPORT_SUBGID && chmod 0644 $EXPORT_SUBGID$"
chmod 0644 "$EXPORT_SUBGID"

# ---- podman storage older than the export ----
storage=$work/$A/.local/share/containers/storage
mkdir -p "$storage/libpod" && touch -d '1 hour ago' "$storage/libpod/bolt_state.db"
doctor_with ours "$A"
is "$RC" 0 "stale podman storage: a warning only, exit 0"
has "stale podman storage: migrate" "^WARN podman: .* podman system migrate needed -> podman system migrate \(run as $A\)$"
touch "$storage/libpod/bolt_state.db"
doctor_with ours "$A"
has "fresh podman storage: ok" "^ok   podman: "

# ---- an account inside the user's range ----
# Grants refuse such ranges, but an account created later lands anywhere.
first=$("$SUBIDCTL" list "$A" --json | jq '.users[0].subuids[0].first')
if getent passwd $((first + 5)) >/dev/null; then
        ok "# SKIP uid $((first + 5)) is taken on this host"
else
        D=$(make_user docd -u $((first + 5)) 2>/dev/null)
        doctor_with ours "$A"
        is "$RC" 1 "account inside a range: exit 1"
        has "account inside a range named" "^FAIL accounts: account $D \(uid $((first + 5))\) lies inside a subuid range of $A -> "
        userdel -f "$D" >/dev/null 2>&1
fi

# ---- no such user ----
doctor_with ours subidt_nosuchuser
is "$RC" 1 "no such user: exit 1"
has "no such user named" "^FAIL user: no such user 'subidt_nosuchuser'"

# ---- a caller who is not an admin ----
doctor_with ours --as "$B" "$A"
is "$RC" 0 "non-admin: local checks pass, exit 0"
has "non-admin: database checks skipped" "^skip ranges: needs root or group subidadm$"
has "non-admin: local checks run" "^ok   helpers: /usr/bin/newuidmap has"
hasnt "non-admin: no error line" "EPERM|subidctl:"

done_testing
