#!/bin/bash
# make bench, third part: subid-admind under load with 100,000 users in the
# database, on its local socket only. tests/tools/subid-load drives it over
# 16 connections, half as an unprivileged user (whoami, status, list and
# who-owns refused with EPERM), half as root (whoami, list USER, who-owns ID):
#   1. reads: 20,000 requests of that mix;
#   2. mixed: 4,000 reads while one admin client makes 40 writes (grant
#      USER --subuids/--subgids, then revoke USER, in turn);
#   3. memory: 100,000 requests of the light mix (who-owns instead of list
#      USER, which reads every account through NSS), the daemon's VmRSS
#      sampled at every tenth: its growth after the first tenth must stay
#      under 1 MiB.
# Prints requests per second and p50/p99 latency for reads and writes, per
# operation, and the memory samples. Exits non-zero when a request got an
# unexpected reply, the memory grew, or the benchmark cannot run.
#
# Needs root: a private install under SUBID_BENCH_LOAD_ROOT and the accounts
# subidt_l* (removed at exit). Knobs: SUBID_BENCH_LOAD_ROOT (default
# /tmp/subid-bench-load), SUBID_BENCH_LOAD_USERS (100000),
# SUBID_BENCH_LOAD_READS (20000), SUBID_BENCH_LOAD_MIXED_READS (4000),
# SUBID_BENCH_LOAD_WRITES (40), SUBID_BENCH_LOAD_MEMORY (100000),
# SUBID_BENCH_LOAD_CONNS (16). docs/benchmarks.md has the figures.
set -euo pipefail

SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
. "$SRCDIR/tests/bench/policy_db.sh"
ROOT=${SUBID_BENCH_LOAD_ROOT:-/tmp/subid-bench-load}
N=${SUBID_BENCH_LOAD_USERS:-100000}
READS=${SUBID_BENCH_LOAD_READS:-20000}
MEMORY=${SUBID_BENCH_LOAD_MEMORY:-100000}
CONNS=${SUBID_BENCH_LOAD_CONNS:-16}
WRITES=${SUBID_BENCH_LOAD_WRITES:-40}
MIXED_READS=${SUBID_BENCH_LOAD_MIXED_READS:-4000}

ADMIND=$ROOT/usr/sbin/subid-admind
LOAD=$ROOT/tools/subid-load
SOCKET=$ROOT/run/subid/admind.sock
DB=$ROOT/var/lib/subid/subid.db
WORK=$ROOT/bench
LOG=$ROOT/admind.log
OWNER_UID_BASE=3000000
HELD_COUNT=5000
POOL_MIN=100000
PREFIX=subidt_l

die() {
        echo "bench-load: $*" >&2
        exit 1
}

case $ROOT in
/?*) ;;
*) die "SUBID_BENCH_LOAD_ROOT must be an absolute path other than / (it is removed and rebuilt)" ;;
esac
for v in N READS MIXED_READS MEMORY CONNS WRITES; do
        [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive number"
done
[ "$(id -u)" -eq 0 ] || die "needs root (creates test accounts, runs clients as root and as a user)"
command -v sqlite3 >/dev/null || die "sqlite3 not found (make deps)"
exec 9>"$ROOT.lock"
flock -w 900 9 || die "another load benchmark holds $ROOT.lock"

ADMIND_PID=
accounts=()
cleanup() {
        if [ -n "$ADMIND_PID" ]; then
                kill "$ADMIND_PID" 2>/dev/null || true
                wait "$ADMIND_PID" 2>/dev/null || true
        fi
        local u
        for u in "${accounts[@]}"; do userdel -f "$u" >/dev/null 2>&1 || true; done
        rm -rf "$WORK" "$DB" "$DB-wal" "$DB-shm"
}
trap cleanup EXIT

rm -rf "$ROOT"
install -d -m 0755 "$ROOT" "$WORK"
make -s -C "$SRCDIR" check-install CHECK_ROOT="$ROOT" BUILDDIR="$ROOT/build" >"$ROOT/install.log" 2>&1 || {
        cat "$ROOT/install.log" >&2
        die "cannot build the bench install"
}
[ -x "$LOAD" ] || die "$LOAD not built"

# ---- 100,000 users, as tests/bench/grants.sh makes them ----------------------
install -d -m 0755 "$(dirname "$DB")"
bench_policy_db "$DB" "$N" "$OWNER_UID_BASE" "$POOL_MIN" "$HELD_COUNT" \
        ".once $WORK/owners" \
        "SELECT owner_name || ' ' || first FROM ranges WHERE kind = 'uid' ORDER BY id" \
        || die "cannot create the policy database for $N users"
[ "$(wc -l <"$WORK/owners")" -eq "$N" ] || die "owners list incomplete"

reader=${PREFIX}r
writers=()
for u in "$reader" "${PREFIX}w1" "${PREFIX}w2" "${PREFIX}w3" "${PREFIX}w4"; do
        if getent passwd "$u" >/dev/null; then die "account $u exists already (a run killed mid-way?): remove it"; fi
        useradd -M -l -d /nonexistent -s /usr/sbin/nologin -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$u" >/dev/null ||
                die "cannot create $u"
        accounts+=("$u")
        [ "$u" = "$reader" ] || writers+=("$u")
done
writer_list=$(IFS=,; echo "${writers[*]}")

"$ADMIND" >>"$LOG" 2>&1 &
ADMIND_PID=$!
for ((i = 0; i < 200; i++)); do
        [ -S "$SOCKET" ] && break
        kill -0 "$ADMIND_PID" 2>/dev/null || break
        sleep 0.05
done
[ -S "$SOCKET" ] || { sed 's/^/  admind: /' "$LOG" >&2; die "subid-admind did not come up"; }
# warm-up: the first export of 100,000 users, the caches
"$LOAD" "$SOCKET" 2 1000 2 "$(id -u "$reader")" "$WORK/owners" "$writer_list" full >/dev/null ||
        die "the warm-up run failed"

echo "subid bench: subid-admind under load, $N users in the database"
echo "  cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) cores"
echo

load() { # load NAME CONNS READS WRITES MIX [DAEMON-PID]
        "$LOAD" "$SOCKET" "$2" "$3" "$4" "$(id -u "$reader")" "$WORK/owners" "$writer_list" "$5" ${6:+"$6"} \
                >"$WORK/$1.out" || { cat "$WORK/$1.out"; die "the $1 run had failures"; }
        grep -v '^rss ' "$WORK/$1.out" | sed 's/^/   /'
}
echo "1. reads: $READS requests over $CONNS connections (half unprivileged, half admin)"
load reads "$CONNS" "$READS" 0 full
echo
echo "2. mixed: $MIXED_READS reads over $CONNS connections while one admin makes $WRITES writes (grant, revoke)"
load mixed "$CONNS" "$MIXED_READS" "$WRITES" full
echo
echo "3. memory: $MEMORY requests of the light mix over $CONNS connections"
load memory "$CONNS" "$MEMORY" 0 light "$ADMIND_PID"
rss=$(awk '$1 == "rss" { printf "%s%d", sep, $3; sep = " " }' "$WORK/memory.out")
echo "   daemon VmRSS (KiB) at each tenth: $rss"
first=$(awk '$1 == "rss" { n++; if (n == 2) print $3 }' "$WORK/memory.out")
last=$(awk '$1 == "rss" { v = $3 } END { print v }' "$WORK/memory.out")
growth=$((last - first))
echo

failed=0
if [ "$growth" -lt 1024 ]; then
        echo "PASS daemon memory flat over $MEMORY requests: VmRSS grew $growth KiB after the first tenth (< 1024)"
else
        echo "FAIL daemon memory flat over $MEMORY requests: VmRSS grew $growth KiB after the first tenth"
        failed=1
fi
integrity=$(sqlite3 "$DB" 'PRAGMA integrity_check')
rows=$(sqlite3 "$DB" 'SELECT count(*) FROM ranges')
if [ "$integrity" = ok ] && [ "$rows" -eq $((2 * N)) ]; then
        echo "PASS database consistent after the load: integrity_check ok, $rows ranges (every write revoked)"
else
        echo "FAIL database after the load: integrity_check '$integrity', $rows ranges (want $((2 * N)))"
        failed=1
fi
exit "$failed"
