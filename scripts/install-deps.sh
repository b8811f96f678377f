#!/bin/sh
# Installs everything subid needs to build and test, from Debian packages.
# Idempotent: installs only what is missing. Needs root. POSIX sh so it runs
# on a minimal system without bash extras.
set -eu

BUILD="gcc make pkg-config libc6-dev libcap-dev libcap2-bin libaudit-dev libauparse-dev
       libsqlite3-dev sqlite3 libjson-c-dev libselinux1-dev libpam0g-dev libcmocka-dev
       dpkg-dev tcl xz-utils"
TEST="uidmap util-linux passwd procps auditd pamtester systemd jq libnss-extrausers python3"

if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: run as root (apt-get install)" >&2
        exit 1
fi

missing=""
for p in $BUILD $TEST; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
                missing="$missing $p"
        fi
done

if [ -z "$missing" ]; then
        echo "install-deps: all dependencies present"
        exit 0
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# auditd must not start a daemon at install time on machines without
# systemd: tests start it themselves when they need it.
apt-get install -y -q --no-install-recommends $missing
