#!/bin/bash
# make bench: latency of our newuidmap next to Debian's (shadow) newuidmap,
# with 10, 10,000 and 1,000,000 users in the policy, the mapped user being
# the last one in both. Prints a table and PASS/FAIL lines for the targets:
#   - subid within 1.2x of shadow at the smallest size;
#   - subid flat as the policy grows: every size within 1.5x of the smallest.
# Exits non-zero when a target is missed or the benchmark cannot run.
#
# Needs root: it installs a private copy (file capabilities) under
# SUBID_BENCH_ROOT, creates the account subidt_bench (removed at exit) and
# shows shadow its policy as /etc/subuid through an overlay of /etc inside a
# private mount namespace; the real /etc/subuid is never written.
#
# Knobs (environment): SUBID_BENCH_ROOT (default /tmp/subid-bench),
# SUBID_BENCH_SIZES (default "10 10000 1000000"), SUBID_BENCH_RUNS (201),
# SUBID_BENCH_SLOW_RUNS (21: shadow's runs from 100,000 users up, where one
# run takes tenths of a second), SUBID_BENCH_WARMUP (3).
# docs/benchmarks.md describes the method and the numbers measured.
#
# Then runs tests/bench/grants.sh (grants per second next to useradd, its own
# install and knobs) and tests/bench/load.sh (the daemon under load: requests
# per second, p99, memory); a failure of any part fails the run.
set -euo pipefail

SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
ROOT=${SUBID_BENCH_ROOT:-/tmp/subid-bench}
SIZES=${SUBID_BENCH_SIZES:-"10 10000 1000000"}
RUNS=${SUBID_BENCH_RUNS:-201}
SLOW_RUNS=${SUBID_BENCH_SLOW_RUNS:-21}
WARMUP=${SUBID_BENCH_WARMUP:-3}
CC=${CC:-cc}

SHADOW=/usr/bin/newuidmap
SUBID=$ROOT/usr/bin/newuidmap
DB=$ROOT/var/lib/subid/subid.db
WORK=$ROOT/bench
# Overlay layers for /etc: the upper one holds only the generated subuid.
ETC_UPPER=$WORK/etc-upper
ETC_WORK=$WORK/etc-work
SUBUID=$ETC_UPPER/subuid
USER_NAME=subidt_bench
# Synthetic owners: uids above any real account, names shadow never resolves
# (it matches /etc/subuid lines by name first, and the bench user's name is
# the one it looks for).
OWNER_UID_BASE=3000000
RANGE_BASE=100000
MAP_COUNT=65536

die() {
        echo "bench: $*" >&2
        exit 1
}

case $ROOT in
/?*) ;;
*) die "SUBID_BENCH_ROOT must be an absolute path other than / (it is removed and rebuilt)" ;;
esac
[ "$(id -u)" -eq 0 ] || die "needs root (creates a test account, installs file-capability helpers)"
[ -u "$SHADOW" ] || die "$SHADOW is not a setuid binary: install Debian's uidmap package"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || die "the kernel has no overlay filesystem"
for tool in sqlite3 unshare setpriv "$CC"; do
        command -v "$tool" >/dev/null || die "$tool not found (make deps)"
done

cleanup() {
        userdel -f "$USER_NAME" >/dev/null 2>&1 || true
        # The million-user policy is ~210 MB; the install stays for inspection.
        rm -f "$DB" "$DB-wal" "$DB-shm" "$SUBUID"
        rm -rf "$ETC_WORK"
}
trap cleanup EXIT

# ---- build: a private install with its own compiled-in paths ---------------

# The helpers run as the bench user: everything up to ROOT must be
# traversable by it and nothing there writable by it. Its own BUILDDIR keeps
# this configuration from rebuilding build/check under a running test suite.
rm -rf "$ROOT"
install -d -m 0755 "$ROOT" "$WORK" "$ETC_UPPER"
make -s -C "$SRCDIR" check-install CHECK_ROOT="$ROOT" BUILDDIR="$ROOT/build" >"$ROOT/install.log" 2>&1 || {
        cat "$ROOT/install.log" >&2
        die "cannot build the bench install"
}
"$CC" -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
        -Wshadow -Wvla -Wwrite-strings -Wno-unused-parameter -I"$SRCDIR/common" -o "$WORK/maplat" \
        "$SRCDIR/tests/bench/maplat.c" "$SRCDIR/common/parse.c" "$SRCDIR/common/log.c" ||
        die "cannot build the driver tests/bench/maplat.c"

userdel -f "$USER_NAME" >/dev/null 2>&1 || true
groupdel "$USER_NAME" >/dev/null 2>&1 || true
useradd -M -d /nonexistent -s /usr/sbin/nologin -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$USER_NAME" >/dev/null || die "cannot create $USER_NAME"
BENCH_UID=$(id -u "$USER_NAME")
BENCH_GID=$(id -g "$USER_NAME")

# ---- policy -----------------------------------------------------------------

# make_policy N: N-1 synthetic owners with consecutive, non-overlapping
# ranges from RANGE_BASE, then the bench user last. Writes the database the
# way the admin side creates it (WAL, persistent -wal/-shm, root 0644) and the
# same uid entries in shadow format to $SUBUID, in the same order. Prints the
# bench user's first subordinate uid.
make_policy() {
        local n=$1 stride=65536 first
        # A million 65536-id ranges do not fit in 32 bits; smaller ones do.
        if ((RANGE_BASE + n * stride > 4294967295)); then
                stride=1000
        fi
        first=$((RANGE_BASE + (n - 1) * stride))
        rm -f "$DB" "$DB-wal" "$DB-shm" "$SUBUID"
        # Every user holds a uid and a gid range, as `subidctl grant` gives;
        # only the uid lines go to the shadow file (subgid is newgidmap's).
        # The checkpoint empties the WAL: a helper cannot write the -shm, so
        # SQLite rebuilds a private WAL index by reading the whole WAL on
        # every open, and the bulk insert's WAL (the size of the database)
        # would be measured instead of the lookup. docs/benchmarks.md has
        # the numbers.
        (umask 022 && sqlite3 -batch "$DB" \
                ".filectrl persist_wal on" \
                "PRAGMA journal_mode = WAL" \
                ".read $SRCDIR/policy/schema.sql" \
                "BEGIN" \
                "WITH RECURSIVE i(k) AS (SELECT 0 WHERE $n > 1 UNION ALL SELECT k + 1 FROM i WHERE k + 1 < $n - 1),
                      kinds(kind) AS (VALUES ('uid'), ('gid'))
                 INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at)
                 SELECT kind, $OWNER_UID_BASE + k, 'bu' || k, $RANGE_BASE + k * $stride, $stride, 1700000000
                 FROM i, kinds ORDER BY k, kind" \
                "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at)
                 VALUES ('uid', $BENCH_UID, '$USER_NAME', $first, $MAP_COUNT, 1700000000),
                        ('gid', $BENCH_UID, '$USER_NAME', $first, $MAP_COUNT, 1700000000)" \
                "COMMIT" \
                "PRAGMA wal_checkpoint(TRUNCATE)" \
                ".once $SUBUID" \
                "SELECT owner_name || ':' || first || ':' || count FROM ranges WHERE kind = 'uid' ORDER BY id") \
                >/dev/null || die "cannot create the policy database for $n users"
        for f in "$DB" "$DB-wal" "$DB-shm" "$SUBUID"; do
                [ -f "$f" ] || die "$f missing after creating the policy"
        done
        chmod 0644 "$DB" "$DB-wal" "$DB-shm" "$SUBUID"
        local lines last
        lines=$(wc -l <"$SUBUID")
        last=$(tail -n 1 "$SUBUID")
        [ "$lines" -eq "$n" ] || die "$SUBUID has $lines lines, expected $n"
        [ "$last" = "$USER_NAME:$first:$MAP_COUNT" ] || die "$SUBUID ends with '$last', expected the bench user"
        echo "$first"
}

# run_size N FIRST: prints maplat's result lines (subid first, then shadow).
run_size() {
        local n=$1 first=$2 shadow_runs=$RUNS
        ((n >= 100000)) && shadow_runs=$SLOW_RUNS
        # Inside a private mount namespace shadow's helper sees the generated
        # file as /etc/subuid. Not a bind mount of the file: useradd and
        # userdel (other test suites on this machine) replace /etc/subuid by
        # rename, and since Linux 3.18 that detaches a mount on it in every
        # namespace, mid-benchmark. An overlay's upper file stays. The driver
        # and both helpers run as the bench user, its own groups, clean
        # environment.
        rm -rf "$ETC_WORK"
        install -d -m 0755 "$ETC_WORK"
        unshare -m --propagation private -- /bin/sh -c '
                mount -t overlay subid-bench -o "lowerdir=/etc,upperdir=$1,workdir=$2" /etc || exit 1
                [ "$(tail -n 1 /etc/subuid)" = "$3" ] || { echo "bench: overlay shows the wrong /etc/subuid" >&2; exit 1; }
                uid=$4 gid=$5
                shift 5
                exec setpriv --reuid="$uid" --regid="$gid" --init-groups --reset-env -- "$@"
        ' sh "$ETC_UPPER" "$ETC_WORK" "$USER_NAME:$first:$MAP_COUNT" "$BENCH_UID" "$BENCH_GID" \
                "$WORK/maplat" "$WARMUP" "$first" "$MAP_COUNT" "$RUNS" "$SUBID" "$shadow_runs" "$SHADOW"
}

human_size() { # bytes -> e.g. 12.3 MB
        awk -v b="$1" 'BEGIN { if (b >= 1e6) printf "%.1f MB", b / 1e6; else printf "%.1f kB", b / 1e3 }'
}

ms() { awk -v ns="$1" 'BEGIN { printf "%.3f", ns / 1e6 }'; }

# ---- run --------------------------------------------------------------------

echo "subid bench: newuidmap PID 0 FIRST $MAP_COUNT as an unprivileged user, mapped user last in the policy"
echo "  cpu:    $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) cores"
echo "  kernel: $(uname -r)"
case $(ldd "$SUBID") in
*libsqlite3*) linkage="libsqlite3 linked dynamically" ;;
*) linkage="libsqlite3 linked statically" ;;
esac
echo "  subid:  $SUBID (sqlite $(sqlite3 -version | cut -d' ' -f1), $linkage)"
echo "  shadow: $SHADOW (uidmap $(dpkg-query -W -f='${Version}' uidmap 2>/dev/null || echo '?'))"
echo "  runs:   $RUNS per size ($SLOW_RUNS for shadow from 100,000 users), $WARMUP warm-up, interleaved;"
echo "          after a switch of helper, one untimed run before the timed one"
echo

declare -A sub_med sub_p90 sub_cpu sub_rss sh_med sh_p90 sh_cpu sh_rss sh_runs db_bytes file_bytes
for n in $SIZES; do
        start=$(date +%s)
        first=$(make_policy "$n")
        db_bytes[$n]=$(($(stat -c %s "$DB") + $(stat -c %s "$DB-wal") + $(stat -c %s "$DB-shm")))
        file_bytes[$n]=$(stat -c %s "$SUBUID")
        out=$(run_size "$n" "$first") || die "measurement failed at $n users (see the error above)"
        while IFS=$'\t' read -r path runs med p90 _min cpu rss; do
                case $path in
                "$SUBID") sub_med[$n]=$med sub_p90[$n]=$p90 sub_cpu[$n]=$cpu sub_rss[$n]=$rss ;;
                "$SHADOW") sh_med[$n]=$med sh_p90[$n]=$p90 sh_cpu[$n]=$cpu sh_rss[$n]=$rss sh_runs[$n]=$runs ;;
                esac
        done <<<"$out"
        [ -n "${sub_rss[$n]:-}" ] && [ -n "${sh_rss[$n]:-}" ] || die "no result at $n users: $out"
        echo "  $n users: policy subid.db $(human_size "${db_bytes[$n]}") (with -wal, -shm)," \
                "/etc/subuid $(human_size "${file_bytes[$n]}"); median CPU time subid $(ms "${sub_cpu[$n]}") ms," \
                "shadow $(ms "${sh_cpu[$n]}") ms (${sh_runs[$n]} runs); took $(($(date +%s) - start)) s"
done
echo

printf '%12s | %-22s | %-22s | %6s | %s\n' "users" "subid median (p90) ms" "shadow median (p90) ms" "ratio" \
        "max RSS subid / shadow"
printf '%s\n' "-------------+------------------------+------------------------+--------+-----------------------"
for n in $SIZES; do
        printf '%12s | %10s (%9s) | %10s (%9s) | %5sx | %7s / %7s kB\n' "$n" \
                "$(ms "${sub_med[$n]}")" "$(ms "${sub_p90[$n]}")" "$(ms "${sh_med[$n]}")" "$(ms "${sh_p90[$n]}")" \
                "$(awk -v a="${sub_med[$n]}" -v b="${sh_med[$n]}" 'BEGIN { printf "%.2f", a / b }')" \
                "${sub_rss[$n]}" "${sh_rss[$n]}"
done
echo

# ---- targets ----------------------------------------------------------------

failed=0
verdict() { # verdict OK-EXPRESSION (awk) MESSAGE
        if awk "BEGIN { exit !($1) }"; then
                echo "PASS $2"
        else
                echo "FAIL $2"
                failed=1
        fi
}

read -r smallest _ <<<"$SIZES"
ratio=$(awk -v a="${sub_med[$smallest]}" -v b="${sh_med[$smallest]}" 'BEGIN { printf "%.2f", a / b }')
verdict "$ratio <= 1.2" "subid within 1.2x of shadow at $smallest users (${ratio}x)"
for n in $SIZES; do
        [ "$n" = "$smallest" ] && continue
        growth=$(awk -v a="${sub_med[$n]}" -v b="${sub_med[$smallest]}" 'BEGIN { printf "%.2f", a / b }')
        verdict "$growth <= 1.5" "subid flat: median at $n users within 1.5x of $smallest users (${growth}x)"
done
for n in $SIZES; do
        [ "$n" = "$smallest" ] && continue
        echo "info shadow at $n users: $(awk -v a="${sh_med[$n]}" -v b="${sh_med[$smallest]}" \
                'BEGIN { printf "%.1f", a / b }')x its $smallest-user median, max RSS ${sh_rss[$n]} kB"
done

# ---- second part: grants per second (tests/bench/grants.sh) -----------------

echo
"$SRCDIR/tests/bench/grants.sh" || {
        echo "FAIL grants benchmark (tests/bench/grants.sh exited $?)"
        failed=1
}

# ---- third part: subid-admind under load (tests/bench/load.sh) ----------------

echo
"$SRCDIR/tests/bench/load.sh" || {
        echo "FAIL load benchmark (tests/bench/load.sh exited $?)"
        failed=1
}
exit "$failed"
