# End-to-end helpers (sourced after tests/integration/lib.sh).
#
# The clients under test (util-linux's unshare, rootless podman) run
# /usr/bin/newuidmap and /usr/bin/newgidmap and read /etc/subuid and
# /etc/subgid, as they would after `make install PREFIX=/usr`. Each run
# happens in a fresh private mount namespace where our installed helpers
# and the daemon's exported files are bind-mounted over those paths; the
# real ones are never touched. Fresh for every command because subid-admind
# replaces the exported files by rename: a bind mount made before a change
# would keep showing the old inode.

E2E_SUBUID=$EXPORT_SUBUID
E2E_SUBGID=$EXPORT_SUBGID
E2E_IMAGE=localhost/subid-e2e-busybox

# e2e_require_system_files: skips the test when the helpers to bind over do
# not exist (they are only ever bind-mounted over, never created; missing
# /etc/subuid and /etc/subgid are added in an overlay by
# scripts/with-subid-helpers.sh).
e2e_require_system_files() {
        local f
        [ "$(id -u)" -eq 0 ] || skip_all "needs root"
        for f in /usr/bin/newuidmap /usr/bin/newgidmap; do
                [ -f "$f" ] || skip_all "$f does not exist, so it cannot be bind-mounted over (install package uidmap)"
        done
        unshare --user true 2>/dev/null || skip_all "unprivileged user namespaces are not available"
        for f in "$SUBIDCTL" "$SUBID_REQUEST" "$ADMIND" "$BIN/newuidmap" "$BIN/newgidmap"; do
                [ -x "$f" ] || { not_ok "$f is installed"; done_testing; exit 1; }
        done
}

# e2e_in_ns COMMAND...: runs COMMAND as root in a fresh private mount
# namespace with our helpers and the files $E2E_SUBUID, $E2E_SUBGID in the
# system's places (scripts/with-subid-helpers.sh). The integration lock
# (fd 8) is not passed on: podman's pause process outlives the command and
# must never hold it.
e2e_in_ns() {
        "$SRCDIR/scripts/with-subid-helpers.sh" "$BIN" "$E2E_SUBUID" "$E2E_SUBGID" "$@" 8>&-
}

# e2e_as USER COMMAND...: COMMAND as USER (real ids, groups from the group
# database now) inside e2e_in_ns.
e2e_as() {
        local user=$1
        shift
        e2e_in_ns setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups --reset-env -- "$@"
}

# e2e_check_helpers_in_ns: the namespace really has our helpers, with their
# file capabilities and without the setuid bit, and the exported files.
e2e_check_helpers_in_ns() {
        local seen f
        seen=$(e2e_in_ns sh -c '
                for f in newuidmap newgidmap; do
                        echo "$(stat -c "%A %U" /usr/bin/$f) $(getcap /usr/bin/$f | cut -d" " -f2)"
                        cmp -s /usr/bin/$f "$0/$f" && echo same
                done
                cmp -s /etc/subuid "$1" && cmp -s /etc/subgid "$2" && echo files' \
                "$BIN" "$E2E_SUBUID" "$E2E_SUBGID" 2>&1)
        is "$seen" "-rwxr-xr-x root cap_setuid,cap_audit_write=ep
same
-rwxr-xr-x root cap_setgid,cap_audit_write=ep
same
files" "in the namespace /usr/bin/new{u,g}idmap are our helpers with file capabilities, not setuid; /etc/sub{u,g}id are the exported files"
}

# e2e_kill_user USER: kills every process of USER (podman's pause process
# and anything it left), by pid, and waits until they are gone.
e2e_kill_user() {
        local uid pid pids i
        uid=$(id -u "$1" 2>/dev/null) || return 0
        for ((i = 0; i < 50; i++)); do
                pids=$(ps -o pid= -u "$uid" 2>/dev/null | tr -d ' ')
                [ -n "$pids" ] || return 0
                for pid in $pids; do kill -KILL "$pid" 2>/dev/null; done
                sleep 0.1
        done
}

# ---- rootless podman --------------------------------------------------------

# e2e_podman_available: skips the test when podman or crun is missing.
e2e_podman_available() {
        command -v podman >/dev/null || skip_all "podman is not installed (scripts/install-deps.sh installs it)"
        command -v crun >/dev/null || skip_all "crun is not installed (scripts/install-deps.sh installs it)"
        [ -x /bin/busybox ] && /bin/busybox --list >/dev/null 2>&1 ||
                skip_all "busybox-static is not installed (scripts/install-deps.sh installs it)"
}

# e2e_rootfs DIR: a rootfs tar of busybox-static and its applets at
# DIR/rootfs.tar, for `podman import` (no image is ever pulled).
e2e_rootfs() {
        local dir=$1 root=$1/rootfs a
        mkdir -p "$root"/bin "$root"/proc "$root"/sys "$root"/dev "$root"/etc "$root"/tmp "$root"/data || return 1
        cp /bin/busybox "$root/bin/busybox" || return 1
        for a in $(/bin/busybox --list); do
                [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
        done
        tar -C "$root" -cf "$dir/rootfs.tar" . && chmod 0644 "$dir/rootfs.tar" && rm -rf "$root"
}

# e2e_podman_home USER DIR: a throwaway HOME for USER's podman at DIR (vfs
# storage, cgroupfs without cgroups, events to a file), removed with the
# user's processes at exit.
e2e_podman_home() {
        local user=$1 home=$2
        install -d -m 0700 -o "$user" -g "$(id -g "$user")" "$home" "$home/run" || return 1
        cat >"$home/storage.conf" <<EOF
[storage]
driver = "vfs"
runroot = "$home/run/containers"
graphroot = "$home/storage"
EOF
        cat >"$home/containers.conf" <<EOF
[containers]
cgroups = "disabled"
netns = "none"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "crun"
EOF
        chown "$user:" "$home/storage.conf" "$home/containers.conf"
        at_exit "rm -rf '$home'"
        at_exit "e2e_kill_user '$user'"
}

# e2e_podman USER HOME ARGS...: podman ARGS as USER with the home from
# e2e_podman_home, through our helpers; a podman stuck for two minutes is
# killed rather than left to hang make check.
e2e_podman() {
        local user=$1 home=$2
        shift 2
        e2e_as "$user" timeout -k 5 120 env HOME="$home" XDG_RUNTIME_DIR="$home/run" \
                CONTAINERS_STORAGE_CONF="$home/storage.conf" CONTAINERS_CONF="$home/containers.conf" \
                podman "$@"
}
