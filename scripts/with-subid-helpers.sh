#!/bin/bash
# with-subid-helpers.sh BINDIR SUBUID SUBGID COMMAND...
#
# Runs COMMAND (as root; drop privileges inside it, e.g. with setpriv) in a
# new private mount namespace where BINDIR/newuidmap and BINDIR/newgidmap
# are /usr/bin/newuidmap and /usr/bin/newgidmap, and the files SUBUID and
# SUBGID are /etc/subuid and /etc/subgid: what podman and util-linux see
# after `make install PREFIX=/usr`, without touching the real system. The
# demo and the end-to-end tests use it to try a private install.
#
# Use a fresh namespace after every change to the exported files:
# subid-admind replaces them by rename, and a bind mount keeps showing the
# file it was made on.
set -eu

if [ $# -lt 4 ]; then
        echo "usage: with-subid-helpers.sh BINDIR SUBUID SUBGID COMMAND..." >&2
        exit 2
fi

if [ "${1:-}" != --in-namespace ]; then
        exec unshare -m --propagation private -- "$0" --in-namespace "$@"
fi
shift
bindir=$1 subuid=$2 subgid=$3
shift 3

# Without /etc/subuid or /etc/subgid (no account ever got a range) there is
# nothing to bind over: add them in an overlay of /etc that only this
# namespace sees, its upper layer on a tmpfs that leaves nothing behind.
if [ ! -e /etc/subuid ] || [ ! -e /etc/subgid ]; then
        scratch=$(mktemp -d /tmp/subid-etc.XXXXXX)
        mount -t tmpfs -o size=1m,mode=0700 subid-etc "$scratch"
        mkdir "$scratch/upper" "$scratch/work"
        mount -t overlay subid-etc -o "lowerdir=/etc,upperdir=$scratch/upper,workdir=$scratch/work" /etc
        umount -l "$scratch"
        rmdir "$scratch"
        touch /etc/subuid /etc/subgid
fi
mount --bind "$bindir/newuidmap" /usr/bin/newuidmap
mount --bind "$bindir/newgidmap" /usr/bin/newgidmap
mount --bind "$subuid" /etc/subuid
mount --bind "$subgid" /etc/subgid
# With a hybrid cgroup layout (cgroup v1 plus a cgroup2 at
# /sys/fs/cgroup/unified, as on machines booted without systemd) crun
# refuses to start any container; rootless containers without systemd run
# without cgroups anyway (cgroups = "disabled"), so hide the cgroup2 mount.
if [ "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs ] &&
        [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
        mount -t tmpfs -o size=4k,mode=0755 subid-nocgroup2 /sys/fs/cgroup/unified
fi
# Podman wants / shared for its own mounts; this namespace is already
# private from the host, so sharing here reaches no one else.
mount --make-rshared /
exec "$@"
