#!/bin/bash
# subid demo: installs what is missing, builds, and walks through the flow on
# a throwaway install under /tmp/subid-demo (its own database and exported
# files; the real /etc/subuid, /etc/subgid and /usr/bin helpers are only
# replaced inside a private mount namespace). Cleans up after itself.
#
#   sudo ./demo.sh
set -euo pipefail

cd "$(dirname "$0")"
ROOT=/tmp/subid-demo
USER_A=subiddemo_ana
USER_B=subiddemo_ben

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

if [ "$(id -u)" -ne 0 ]; then
        echo "demo.sh: run as root (it installs packages and creates two demo users)" >&2
        exit 1
fi

ADMIND_PID=
cleanup() {
        [ -n "$ADMIND_PID" ] && kill "$ADMIND_PID" 2>/dev/null && wait "$ADMIND_PID" 2>/dev/null
        userdel -f "$USER_A" >/dev/null 2>&1 || true
        userdel -f "$USER_B" >/dev/null 2>&1 || true
        rm -rf "$ROOT"
}
trap cleanup EXIT

say "1. Dependencies (Debian packages; only what is missing)"
sh scripts/install-deps.sh

say "2. Build, and install into $ROOT with file capabilities"
make -s
install -d -m 0755 "$ROOT"
make -s check-install CHECK_ROOT="$ROOT" >/dev/null
BIN=$ROOT/usr/bin
CTL=$ROOT/usr/sbin/subidctl
run getcap "$BIN/newuidmap" "$BIN/newgidmap"
echo "setuid bits on installed files: $(find "$ROOT" -perm -4000 | wc -l)"

say "3. Start subid-admind, the only writer of the policy database"
"$ROOT/usr/sbin/subid-admind" >"$ROOT/admind.log" 2>&1 &
ADMIND_PID=$!
for _ in $(seq 100); do [ -S "$ROOT/run/subid/admind.sock" ] && break; sleep 0.05; done
echo "listening on $ROOT/run/subid/admind.sock (subidctl and subid-request talk to it)"

say "4. Two demo users; the admin grants ana a range"
for u in "$USER_A" "$USER_B"; do
        userdel -f "$u" >/dev/null 2>&1 || true
        useradd -M -d /nonexistent -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$u"
done
run "$CTL" grant "$USER_A" --subuids 300000-365535 --subgids 300000-365535
run "$CTL" list
run "$CTL" who-owns 300500
echo "exported for podman and util-linux ($ROOT/etc/subuid):"
sed 's/^/    /' "$ROOT/etc/subuid"

as() { setpriv --reuid="$1" --regid="$(id -g "$1")" --init-groups --reset-env -- "${@:2}"; }

# Inside a private mount namespace, our helpers and exported files replace
# the system ones, so util-linux's unshare uses them as it would after install.
in_ns() {
        unshare -m --propagation private bash -c '
                mount --bind "$1/usr/bin/newuidmap" /usr/bin/newuidmap
                mount --bind "$1/usr/bin/newgidmap" /usr/bin/newgidmap
                mount --bind "$1/etc/subuid" /etc/subuid
                mount --bind "$1/etc/subgid" /etc/subgid
                shift; exec "$@"' _ "$ROOT" "$@"
}

say "5. ana starts a user namespace with her range (unshare --map-auto, through subid's helpers)"
in_ns setpriv --reuid="$USER_A" --regid="$(id -g "$USER_A")" --init-groups --reset-env -- \
        unshare --map-auto --map-root-user sh -c 'echo "uid_map:"; cat /proc/self/uid_map; echo "gid_map:"; cat /proc/self/gid_map'

say "6. ben has no range: the helper refuses, naming the cause"
in_ns setpriv --reuid="$USER_B" --regid="$(id -g "$USER_B")" --init-groups --reset-env -- \
        unshare --map-auto --map-root-user true || echo "(refused, as it should be)"

say "7. ben tries ana's range directly: refused"
as "$USER_B" bash -c 'unshare --user sleep 5 & p=$!; sleep 0.2; '"$BIN"'/newuidmap $p 0 300000 65536; echo "exit status $?"; kill $p' || true

say "8. Revoke: the range goes to quarantine and ana can no longer map it"
run "$CTL" revoke "$USER_A"
run "$CTL" who-owns 300500
in_ns setpriv --reuid="$USER_A" --regid="$(id -g "$USER_A")" --init-groups --reset-env -- \
        unshare --map-auto --map-root-user true || echo "(unshare finds no range in the exported file)"
echo "and the helper itself, asked directly for the old range:"
as "$USER_A" bash -c 'unshare --user sleep 5 & p=$!; sleep 0.2; '"$BIN"'/newuidmap $p 0 300000 65536; echo "exit status $?"; kill $p' || true

say "Done. Cleaning up the demo users and $ROOT."
