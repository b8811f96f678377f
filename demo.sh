#!/bin/bash
# subid demo: installs what is missing, builds, and walks through the whole
# flow on a throwaway install under /tmp/subid-demo (its own database,
# socket and exported files). A lab admin grants ana a range, ana runs
# unshare and a rootless podman container with it, the lab's shared group
# rfriends is delegated to her on request, a file her container writes in
# the group's directory belongs to the group on the host, and what must be
# refused is. The real /etc/subuid, /etc/subgid and /usr/bin helpers are
# only replaced inside private mount namespaces. Cleans up after itself.
#
#   sudo ./demo.sh
#
# Each step is a function named step_*; STEPS lists them in order.
set -euo pipefail

cd "$(dirname "$0")"
SRC=$PWD
ROOT=/tmp/subid-demo
ANA=subiddemo_ana
BEN=subiddemo_ben
GROUP=subiddemo_rfriends # the lab's group "rfriends"
GID=2000
BIN=$ROOT/usr/bin
CTL=$ROOT/usr/sbin/subidctl
IMAGE=localhost/busybox
SHARED=$ROOT/shared/rfriends

STEPS=(deps build auditd admind accounts grant unshare podman request approve shared refusals leave audit)

if [ "$(id -u)" -ne 0 ]; then
        echo "demo.sh: run as root (it installs packages and creates two demo users and a group)" >&2
        exit 1
fi

# ---- narration -----------------------------------------------------------------------
bold=$'\033[1m' dim=$'\033[2m' off=$'\033[0m'
[ -t 1 ] || bold='' dim='' off=''
n=0
say() { # say TITLE LINE...: a numbered step and what it shows
        n=$((n + 1))
        printf '\n%s== %d. %s%s\n' "$bold" "$n" "$1" "$off"
        shift
        local l
        for l in "$@"; do printf '   %s\n' "$l"; done
}
note() { printf '%s   %s%s\n' "$dim" "$*" "$off"; }
# admin CMD...: the lab admin (root) runs CMD; shown as `root# CMD` with the
# demo install's path left out.
admin() {
        printf '%sroot#%s %s\n' "$bold" "$off" "$(shown "$@")"
        "$@" 2>&1 | sed 's/^/    /'
        return "${PIPESTATUS[0]}"
}
# as USER CMD...: USER runs CMD (real ids and groups, clean environment),
# through our helpers and exported files (scripts/with-subid-helpers.sh),
# with USER's loginuid set as pam_loginuid does at login (the audit trail's
# auid).
as() {
        local user=$1
        shift
        printf '%s%s$%s %s\n' "$bold" "${user#subiddemo_}" "$off" "$(shown "$@")"
        bash -c 'echo "$1" >/proc/self/loginuid 2>/dev/null; shift; exec "$@"' _ "$(id -u "$user")" \
                "$SRC/scripts/with-subid-helpers.sh" "$BIN" "$ROOT/etc/subuid" "$ROOT/etc/subgid" \
                setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups --reset-env -- \
                env PATH="/usr/bin:/bin:$BIN" HOME="$ROOT/home/$user" XDG_RUNTIME_DIR="$ROOT/home/$user/run" \
                CONTAINERS_STORAGE_CONF="$ROOT/home/$user/storage.conf" \
                CONTAINERS_CONF="$ROOT/home/$user/containers.conf" "$@" 2>&1 | sed 's/^/    /'
        return "${PIPESTATUS[0]}"
}
shown() { # the command line as a user would type it, quoted where needed
        local a out=()
        for a in "$@"; do
                a=${a#"$ROOT/usr/sbin/"}
                a=${a#"$ROOT/usr/bin/"}
                if [[ $a =~ [^][A-Za-z0-9_./:=+@,%-] ]]; then a="'${a//\'/\'\\\'\'}'"; fi
                out+=("$a")
        done
        printf '%s' "${out[*]}"
}
refused() { note "(refused, exit status $1, as it should be)"; }

HAVE_PODMAN=
ADMIND_PID=
AUDITD_PID=
AUDIT_LOG=
AUDIT_RESTORE=
cleanup() {
        set +e
        local u pid
        if [ -n "$AUDITD_PID" ]; then
                kill "$AUDITD_PID" 2>/dev/null && wait "$AUDITD_PID" 2>/dev/null
                auditctl -e "$AUDIT_RESTORE" >/dev/null 2>&1
        fi
        for u in "$ANA" "$BEN"; do
                # podman's pause process keeps its user namespace alive.
                for pid in $(ps -o pid= -u "$u" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
        done
        [ -n "$ADMIND_PID" ] && kill "$ADMIND_PID" 2>/dev/null && wait "$ADMIND_PID" 2>/dev/null
        for u in "$ANA" "$BEN"; do userdel -f "$u" >/dev/null 2>&1; done
        [ -f "$ROOT/created-group" ] && groupdel "$GROUP" >/dev/null 2>&1
        rm -rf "$ROOT"
}

# ---- the steps -----------------------------------------------------------------------
step_deps() {
        say "Dependencies" "Debian packages, only what is missing (podman, crun and busybox-static for the container)."
        sh scripts/install-deps.sh
        command -v podman >/dev/null && command -v crun >/dev/null && [ -x /bin/busybox ] && HAVE_PODMAN=1
}

step_build() {
        say "Build and install into $ROOT" \
                "A private copy whose compiled-in paths (database, socket, /etc/subuid...) all live under $ROOT." \
                "The helpers get file capabilities, nothing is setuid:"
        rm -rf "$ROOT"
        install -d -m 0755 "$ROOT"
        make -s -j"$(nproc)" check-install CHECK_ROOT="$ROOT" >"$ROOT/build.log" 2>&1 || {
                cat "$ROOT/build.log"
                return 1
        }
        admin getcap "$BIN/newuidmap" "$BIN/newgidmap"
        note "setuid files installed: $(find "$ROOT" -perm -4000 | wc -l)"
}

step_auditd() {
        say "The audit trail" \
                "Every helper run and every change subid-admind makes goes to the kernel audit subsystem." \
                "The demo reads them from a private auditd (or from the machine's, when one already runs)."
        local running
        running=$(auditctl -s 2>/dev/null | sed -n 's/^pid //p')
        if [ -n "$running" ] && [ "$running" != 0 ]; then
                AUDIT_LOG=$(sed -n 's/^[[:space:]]*log_file[[:space:]]*=[[:space:]]*//p' /etc/audit/auditd.conf)
                AUDIT_LOG=${AUDIT_LOG:-/var/log/audit/audit.log}
                note "using the running auditd's log $AUDIT_LOG"
                return 0
        fi
        AUDIT_RESTORE=$(auditctl -s 2>/dev/null | sed -n 's/^enabled //p')
        [ -n "$AUDIT_RESTORE" ] || { note "this kernel has no audit support: no trail to show"; return 0; }
        install -d -m 0700 "$ROOT/audit" "$ROOT/audit/plugins.d"
        printf '%s\n' "local_events = yes" "write_logs = yes" "log_file = $ROOT/audit/audit.log" \
                "log_format = ENRICHED" "flush = SYNC" "max_log_file_action = IGNORE" "space_left = 2" \
                "space_left_action = IGNORE" "admin_space_left = 1" "admin_space_left_action = IGNORE" \
                "disk_full_action = IGNORE" "disk_error_action = IGNORE" "plugin_dir = $ROOT/audit/plugins.d" \
                >"$ROOT/audit/auditd.conf"
        chmod 0600 "$ROOT/audit/auditd.conf"
        auditd -n -s enable -c "$ROOT/audit" >"$ROOT/audit/auditd.out" 2>&1 &
        AUDITD_PID=$!
        for _ in $(seq 100); do [ -e "$ROOT/audit/audit.log" ] && break; sleep 0.05; done
        AUDIT_LOG=$ROOT/audit/audit.log
        note "auditd writing to $AUDIT_LOG"
}

step_audit() {
        say "Who did what" \
                "The lab admin reviews the trail: one line per helper run and per change. The user is the" \
                "person who asked (ana's login uid for her containers and her request, not the daemon's)."
        [ -n "$AUDIT_LOG" ] || { note "(no audit support here)"; return 0; }
        sleep 0.3 # the last records reach the log
        admin "$CTL" log --input "$AUDIT_LOG" --user "$ANA"
        note "the same trail with the standard tools, e.g. the refused helper runs:"
        printf '%sroot#%s ausearch -m CHUSER_ID,CHGRP_ID --success no -i | grep -c ^type=\n' "$bold" "$off"
        printf '    %s\n' "$(ausearch -if "$AUDIT_LOG" -m CHUSER_ID,CHGRP_ID --success no -i 2>/dev/null | grep -c '^type=')"
}

step_admind() {
        say "Start subid-admind" \
                "The root daemon is the only writer of the policy database. subidctl (admins) and" \
                "subid-request (users) talk to it over a socket; it knows who is calling from the kernel."
        "$ROOT/usr/sbin/subid-admind" >"$ROOT/admind.log" 2>&1 &
        ADMIND_PID=$!
        for _ in $(seq 100); do [ -S "$ROOT/run/subid/admind.sock" ] && break; sleep 0.05; done
        note "listening on $ROOT/run/subid/admind.sock"
}

step_accounts() {
        say "The lab" "Two members, ana and ben ($ANA, $BEN), and the lab's group rfriends ($GROUP)," \
                "whose shared directory is setgid and writable by the group only."
        local u gid_opt=(-g "$GID")
        for u in "$ANA" "$BEN"; do
                userdel -f "$u" >/dev/null 2>&1 || true
                # No SUB_*_COUNT: Debian's useradd would write the real /etc/subuid.
                useradd -M -d /nonexistent -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$u"
                install -d -m 0700 -o "$u" -g "$(id -g "$u")" "$ROOT/home/$u" "$ROOT/home/$u/run"
                podman_conf "$u"
        done
        if ! getent group "$GROUP" >/dev/null; then
                getent group "$GID" >/dev/null && gid_opt=() # taken: any free gid tells the story as well
                groupadd "${gid_opt[@]}" "$GROUP"
                touch "$ROOT/created-group"
        fi
        GID=$(getent group "$GROUP" | cut -d: -f3)
        usermod -a -G "$GROUP" "$ANA"
        install -d -m 0755 "$ROOT/shared"
        install -d -m 2770 -o root -g "$GROUP" "$SHARED"
        admin id "$ANA"
        admin ls -ld "$SHARED"
}

# podman_conf USER: rootless podman for USER in a throwaway home: vfs
# storage and no cgroups (works on any kernel and without systemd).
podman_conf() {
        local home=$ROOT/home/$1
        printf '[storage]\ndriver = "vfs"\nrunroot = "%s/run/containers"\ngraphroot = "%s/storage"\n' \
                "$home" "$home" >"$home/storage.conf"
        printf '[containers]\ncgroups = "disabled"\nnetns = "none"\n\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' \
                >"$home/containers.conf"
        chown "$1:" "$home"/*.conf
}

step_grant() {
        say "The admin grants ana subordinate ids" \
                "A fresh range from the pool (subid.conf; default 65536 ids from 100000 up), never one that" \
                "was revoked before. subid-admind re-exports /etc/subuid and /etc/subgid for podman and unshare."
        admin "$CTL" grant "$ANA"
        admin "$CTL" list
        FIRST=$(grep "^$ANA:" "$ROOT/etc/subuid" | cut -d: -f2)
        admin "$CTL" who-owns "$((FIRST + 500))"
        admin cat "$ROOT/etc/subuid"
}

step_unshare() {
        say "ana maps her range with util-linux's unshare" \
                "unshare reads /etc/subuid and runs /usr/bin/newuidmap and newgidmap: here, subid's helpers," \
                "which check the request against the database. Root inside is ana, 1... is her range:"
        as "$ANA" unshare --map-auto --map-root-user sh -c 'cat /proc/self/uid_map /proc/self/gid_map'
}

step_podman() {
        if [ -z "$HAVE_PODMAN" ]; then
                say "Rootless podman" "(skipped: podman, crun or busybox-static is missing)"
                return 0
        fi
        say "ana runs a rootless podman container" \
                "An image built here from busybox-static (nothing is pulled, no network). Inside, the maps" \
                "show host ids: ana as root, then all 65536 ids of her range. (Had the helpers failed, podman" \
                "would have stopped; with no range at all it maps ana alone: one line.)"
        tar_rootfs "$ROOT/home/$ANA/rootfs.tar"
        as "$ANA" podman import -q "$ROOT/home/$ANA/rootfs.tar" "$IMAGE"
        as "$ANA" podman run --rm "$IMAGE" sh -c 'cat /proc/self/uid_map /proc/self/gid_map'
}

# tar_rootfs FILE: busybox-static and its applets, as an image's root.
tar_rootfs() {
        local dir a
        dir=$(mktemp -d "$ROOT/rootfs.XXXXXX")
        mkdir -p "$dir"/bin "$dir"/proc "$dir"/sys "$dir"/dev "$dir"/etc "$dir"/tmp "$dir"/data
        cp /bin/busybox "$dir/bin/"
        for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$dir/bin/$a"; done
        tar -C "$dir" -cf "$1" .
        chmod 0644 "$1"
        rm -rf "$dir"
}

step_request() {
        say "ana asks for the lab's group in her containers" \
                "Files of rfriends must keep working in her containers: their user namespace has to map host" \
                "gid $GID. The admin opens the group to requests once; ana asks with subid-request."
        admin "$CTL" group allow "$GROUP" --policy approve
        local out
        out=$(as "$ANA" subid-request --group "$GROUP")
        printf '%s\n' "$out"
        REQUEST=$(sed -n 's/^ *Request #\([0-9]*\) .*/\1/p' <<<"$out")
}

step_approve() {
        say "The admin approves" \
                "subid-admind checks again that ana is a member of the group, records who decided, and exports" \
                "the delegation to /etc/subgid after her range (unshare --map-auto uses the first line)."
        admin "$CTL" requests
        admin "$CTL" approve "$REQUEST"
        admin cat "$ROOT/etc/subgid"
        say "ana reads the commands for her podman" \
                "podman 4.3 (Debian 12) needs the explicit form; subid-request computed it for her ranges."
        local out
        out=$(as "$ANA" subid-request --status)
        printf '%s\n' "$out"
        read -r -a RECIPE <<<"$(grep -m1 -- '^ *podman run .*--uidmap' <<<"$out" | sed 's/^ *podman run //; s/ IMAGE$//')"
}

# RECIPE: the podman run arguments subid-request printed for podman < 4.7,
# without "podman run" and IMAGE.
RECIPE=()

step_shared() {
        if [ -z "$HAVE_PODMAN" ]; then
                say "The group in a container" "(skipped: podman is missing)"
                return 0
        fi
        say "ana's container writes to the lab's directory" \
                "podman system migrate makes podman rebuild its namespace from the new /etc/subgid. In the" \
                "container gid $GID is one of ana's groups, and the file it creates in the setgid directory" \
                "belongs to group rfriends on the host:"
        as "$ANA" podman system migrate
        as "$ANA" podman run --rm "${RECIPE[@]}" -v "$SHARED:/data" "$IMAGE" \
                sh -c 'id; touch /data/from-the-container; ls -ln /data'
        admin ls -l "$SHARED"
}

# ux_range OUTER INNER COUNT: util-linux 2.38 (Debian 12) takes
# OUTER,INNER,COUNT for --map-users/--map-groups, 2.39 INNER:OUTER:COUNT.
ux_range() {
        if unshare --help | grep -q 'map-users=<outeruid>,'; then echo "$1,$2,$3"; else echo "$2:$1:$3"; fi
}

step_refusals() {
        say "What subid refuses" "ben holds no range: unshare finds none, and asking the helper for a range anyway fails."
        as "$BEN" unshare --map-auto --map-root-user true || refused $?
        note "ben asks for ana's range explicitly; newuidmap checks the database, not a file:"
        as "$BEN" unshare --map-user=0 --map-users="$(ux_range "$FIRST" 1 65536)" true || refused $?
        note "ben is not a member of rfriends, so he cannot have it delegated:"
        as "$BEN" subid-request --group "$GROUP" || refused $?
}

step_leave() {
        say "ana leaves the lab" \
                "The delegation is honoured only while ana is a member, checked each time the helper runs: no" \
                "admin action needed. Her podman can no longer map gid $GID (newgidmap refuses the whole map)."
        admin gpasswd -d "$ANA" "$GROUP"
        if [ -n "$HAVE_PODMAN" ]; then
                as "$ANA" podman system migrate
                as "$ANA" podman run --rm "${RECIPE[@]}" "$IMAGE" id || refused $?
        else
                as "$ANA" unshare --map-user=0 --map-group=0 --map-groups="$(ux_range "$GID" "$GID" 1)" true || refused $?
        fi
        note "the admin takes the delegation back; ana's podman works again, without the group:"
        admin "$CTL" revoke "$ANA" --group "$GROUP"
        if [ -n "$HAVE_PODMAN" ]; then
                as "$ANA" podman system migrate
                as "$ANA" podman run --rm "$IMAGE" cat /proc/self/gid_map
        fi
}

# ---- main ----------------------------------------------------------------------------
trap cleanup EXIT
start=$SECONDS
printf '%ssubid demo%s: rootless containers for a lab, without setuid helpers or hand-edited /etc/subuid.\n' "$bold" "$off"
printf '   The prompt shows who types each command: root# is the lab admin, ana$ and ben$ are lab\n'
printf '   members (unprivileged). Everything lives under %s: its etc/subuid stands for /etc/subuid,\n' "$ROOT"
printf '   and for the members our helpers are /usr/bin/newuidmap and newgidmap (a private mount\n'
printf '   namespace; the real system is not touched).\n'
for s in "${STEPS[@]}"; do "step_$s"; done
printf '\n%sDone in %ds. Cleaning up the demo accounts and %s.%s\n' "$bold" "$((SECONDS - start))" "$ROOT" "$off"
