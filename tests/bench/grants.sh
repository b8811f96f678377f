#!/bin/bash
# make bench, second part: grants per second with 100,000 users already
# allocated. subid-admind serving `subidctl grant USER` (pool allocation, one
# client process per grant, as an admin runs it; then 8 clients at once) next
# to Debian's `useradd -M USER` allocating its subordinate ids against a
# 100,000-line /etc/subuid and /etc/subgid holding the same ranges. Prints a
# table; exits non-zero when the benchmark cannot run or a grant or useradd
# did not do what it should.
#
# Needs root: it installs a private copy under SUBID_BENCH_GRANTS_ROOT,
# creates the accounts subidt_g* (removed at exit) and runs useradd inside a
# private mount namespace over a private copy of /etc holding the generated
# subuid and subgid: the real /etc is never written by that part.
#
# Knobs (environment): SUBID_BENCH_GRANTS_ROOT (default
# /tmp/subid-bench-grants), SUBID_BENCH_GRANTS (100: grants per batch and
# useradd runs), SUBID_BENCH_GRANTS_USERS (100000: users already allocated).
# docs/benchmarks.md describes the method and the numbers measured.
set -euo pipefail

SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
. "$SRCDIR/tests/bench/policy_db.sh"
ROOT=${SUBID_BENCH_GRANTS_ROOT:-/tmp/subid-bench-grants}
K=${SUBID_BENCH_GRANTS:-100}
N=${SUBID_BENCH_GRANTS_USERS:-100000}
PAR=8

ADMIND=$ROOT/usr/sbin/subid-admind
SUBIDCTL=$ROOT/usr/sbin/subidctl
SOCKET=$ROOT/run/subid/admind.sock
CONF=$ROOT/etc/subid/subid.conf
DB=$ROOT/var/lib/subid/subid.db
EXPORT_SUBUID=$ROOT/etc/subuid
EXPORT_SUBGID=$ROOT/etc/subgid
WORK=$ROOT/bench
MASTER=$WORK/master # the generated subuid and subgid, never handed to useradd
LOG=$ROOT/admind.log
# Synthetic owners, as in run.sh: uids above any real account, names (bu<i>)
# that no account has. Their ranges are packed from the bottom of the pool.
OWNER_UID_BASE=3000000
POOL_MIN=100000
POOL_MAX=600100000
POOL_COUNT=65536
# 100,000 ranges of 65536 ids do not fit in 32 bits (4.3e9 ids is 65,535 of
# them). Both allocators' cost is independent of range sizes, so the existing
# users hold 5000 ids each: 100,000 of them end at 500,100,000, inside the
# stock pool (login.defs and subid.conf.example: 100000-600100000), which
# leaves room for 1525 more 65536-id ranges.
HELD_COUNT=5000
PREFIX=subidt_g
WARM=${PREFIX}w # one untimed warm-up account for each method

die() {
        echo "bench-grants: $*" >&2
        exit 1
}

case $ROOT in
/?*) ;;
*) die "SUBID_BENCH_GRANTS_ROOT must be an absolute path other than / (it is removed and rebuilt)" ;;
esac
[[ $K =~ ^[1-9][0-9]*$ ]] || die "SUBID_BENCH_GRANTS must be a positive number"
[[ $N =~ ^[1-9][0-9]*$ ]] || die "SUBID_BENCH_GRANTS_USERS must be a positive number"
((POOL_MIN + N * HELD_COUNT + (2 * K + 2) * POOL_COUNT <= POOL_MAX + 1)) ||
        die "$N users of $HELD_COUNT ids and $((2 * K + 2)) grants do not fit in the pool $POOL_MIN-$POOL_MAX"
[ "$(id -u)" -eq 0 ] || die "needs root (creates test accounts, runs useradd in a mount namespace)"
# One run at a time: a second one would rebuild ROOT under the first and
# fight over the subidt_g* accounts (and the numbers would be worthless).
exec 9>"$ROOT.lock"
flock -w 900 9 || die "another grants benchmark holds $ROOT.lock"
for tool in sqlite3 unshare useradd userdel flock; do
        command -v "$tool" >/dev/null || die "$tool not found (make deps)"
done

# Account names: batch s (sequential grants, and the useradd runs) and batch
# p (parallel grants) are disjoint, since a user is granted once.
seq_names=() par_names=()
for ((i = 1; i <= K; i++)); do
        seq_names+=("$(printf '%s%04d' "$PREFIX" "$i")")
        par_names+=("$(printf '%s%04d' "$PREFIX" "$((K + i))")")
done

ADMIND_PID=
stop_admind() {
        [ -n "$ADMIND_PID" ] || return 0
        kill "$ADMIND_PID" 2>/dev/null || true
        wait "$ADMIND_PID" 2>/dev/null || true
        ADMIND_PID=
}

start_admind() {
        "$ADMIND" >>"$LOG" 2>&1 &
        ADMIND_PID=$!
        local i
        for ((i = 0; i < 200; i++)); do
                [ -S "$SOCKET" ] && return 0
                kill -0 "$ADMIND_PID" 2>/dev/null || break
                sleep 0.05
        done
        sed 's/^/  admind: /' "$LOG" >&2
        die "subid-admind did not come up"
}

accounts=()
cleanup() {
        stop_admind
        local u
        for u in "${accounts[@]}"; do
                userdel -f "$u" >/dev/null 2>&1 || true
        done
        rm -f "$DB" "$DB-wal" "$DB-shm" "$EXPORT_SUBUID" "$EXPORT_SUBGID" "$EXPORT_SUBUID-" "$EXPORT_SUBGID-"
        rm -rf "$WORK"
}
trap cleanup EXIT

# median_ms FILE: nearest-rank median of microsecond values, in ms.
median_ms() {
        sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; printf "%.2f", v[int((NR + 1) / 2)] / 1000 }'
}

per_s() { awk -v n="$1" -v us="$2" 'BEGIN { printf "%.1f", n / (us / 1e6) }'; }

now_us() { echo "${EPOCHREALTIME/./}"; }

# ---- build: a private install with its own compiled-in paths ---------------

rm -rf "$ROOT"
install -d -m 0755 "$ROOT" "$WORK" "$MASTER"
make -s -C "$SRCDIR" check-install CHECK_ROOT="$ROOT" BUILDDIR="$ROOT/build" >"$ROOT/install.log" 2>&1 || {
        cat "$ROOT/install.log" >&2
        die "cannot build the bench install"
}
for f in "$ADMIND" "$SUBIDCTL"; do
        [ -x "$f" ] || die "$f not installed"
done
install -d -m 0755 "$ROOT/etc/subid" "$(dirname "$DB")"
cat >"$CONF" <<EOF
sub_uid_min   = $POOL_MIN
sub_uid_max   = $POOL_MAX
sub_uid_count = $POOL_COUNT
sub_gid_min   = $POOL_MIN
sub_gid_max   = $POOL_MAX
sub_gid_count = $POOL_COUNT
EOF

# ---- 100,000 users already allocated ----------------------------------------

# The database (tests/bench/policy_db.sh), and the same ranges in shadow
# format for useradd.
build_start=$(now_us)
bench_policy_db "$DB" "$N" "$OWNER_UID_BASE" "$POOL_MIN" "$HELD_COUNT" \
        ".once $MASTER/subuid" \
        "SELECT owner_name || ':' || first || ':' || count FROM ranges WHERE kind = 'uid' ORDER BY id" \
        ".once $MASTER/subgid" \
        "SELECT owner_name || ':' || first || ':' || count FROM ranges WHERE kind = 'gid' ORDER BY id" \
        || die "cannot create the policy database for $N users"
for f in "$DB" "$DB-wal" "$DB-shm" "$MASTER/subuid" "$MASTER/subgid"; do
        [ -f "$f" ] || die "$f missing after creating the policy"
done
chmod 0644 "$MASTER/subuid" "$MASTER/subgid"
for f in subuid subgid; do
        lines=$(wc -l <"$MASTER/$f")
        [ "$lines" -eq "$N" ] || die "$MASTER/$f has $lines lines, expected $N"
done
build_ms=$((($(now_us) - build_start) / 1000))

echo "subid bench: grants per second with $N users already allocated"
echo "  cpu:    $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) cores"
echo "  subid:  $ADMIND + $SUBIDCTL (sqlite $(sqlite3 -version | cut -d' ' -f1)), database on $(df --output=fstype "$ROOT" | tail -n 1)"
echo "  shadow: useradd (passwd $(dpkg-query -W -f='${Version}' passwd 2>/dev/null || echo '?'))"
echo "  $N users hold $HELD_COUNT subuids and subgids each (policy built in $build_ms ms);" \
        "each grant or useradd takes $POOL_COUNT of each from the pool $POOL_MIN-$POOL_MAX"
echo "  $K grants or useradds per row, one untimed warm-up before each"
echo

# ---- Debian's useradd against a 100,000-line /etc/subuid ---------------------

# run_useradd LABEL USERADD-OPTIONS...: creates the warm-up account and the
# batch-s names with useradd inside a private mount namespace where /etc is a
# private copy of the real one (bind-mounted over it as a whole directory:
# useradd replaces files by rename, which would detach a bind mount of a
# single file and leave the real file written), with the generated subuid
# and subgid. Not an overlay of the live /etc: a lock file of a useradd
# running outside (other test suites) would show through it and make ours
# fail. -l: no lastlog or faillog entry, those files are in the real
# /var/log. Prints one latency (µs) per line, then "wall WALL_US"; the copy
# is left in $ETC_COPY for checking.
ETC_COPY=$WORK/etc
run_useradd() {
        rm -rf "$ETC_COPY"
        cp -a /etc "$ETC_COPY"
        # Locks another useradd held while we copied: its pid is alive, so
        # useradd would wait for it and give up.
        rm -f "$ETC_COPY"/{passwd,shadow,group,gshadow,subuid,subgid}.lock "$ETC_COPY"/{passwd,shadow,group,gshadow}.[0-9]*
        cp "$MASTER/subuid" "$MASTER/subgid" "$ETC_COPY/"
        chmod 0644 "$ETC_COPY/subuid" "$ETC_COPY/subgid"
        unshare -m --propagation private -- /bin/bash -c '
                set -u
                copy=$1 expect=$2 warm=$3
                shift 3
                opts=()
                while [ "$1" != "--" ]; do opts+=("$1"); shift; done
                shift
                mount --bind "$copy" /etc || exit 1
                for f in subuid subgid; do
                        [ "$(tail -n 1 /etc/$f)" = "$expect" ] || {
                                echo "bench-grants: the namespace shows the wrong /etc/$f" >&2
                                exit 1
                        }
                done
                useradd -M -l "${opts[@]}" "$warm" || exit 1
                start=${EPOCHREALTIME/./}
                for name in "$@"; do
                        t0=${EPOCHREALTIME/./}
                        useradd -M -l "${opts[@]}" "$name" || exit 1
                        t1=${EPOCHREALTIME/./}
                        echo $((t1 - t0))
                done
                echo "wall $((${EPOCHREALTIME/./} - start))"
        ' sh "$ETC_COPY" "$(tail -n 1 "$MASTER/subuid")" "$WARM" "${@:2}" -- "${seq_names[@]}" \
                >"$WORK/useradd-$1.txt" || die "useradd ($1) failed in the mount namespace"
}

for u in "$WARM" "${seq_names[@]}" "${par_names[@]}"; do
        if getent passwd "$u" >/dev/null || getent group "$u" >/dev/null; then
                die "account or group $u exists already (a previous run killed mid-way?): remove it first"
        fi
done

part_start=$(now_us)
# The cost of useradd itself (passwd, shadow, group, gshadow), subordinate
# ids off: it then does not open /etc/subuid or /etc/subgid at all.
run_useradd plain -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0
# The same with Debian's defaults: allocates 65536 subuids and subgids.
run_useradd subids
# Checks on the second run's copy: every name got one line of 65536 ids in
# each file, appended to the 100,000, and the pre-existing lines are intact.
for f in subuid subgid; do
        copy=$ETC_COPY/$f
        [ -f "$copy" ] || die "useradd did not write its copy of /etc/$f"
        lines=$(wc -l <"$copy")
        [ "$lines" -eq $((N + K + 1)) ] || die "the copy of /etc/$f has $lines lines, expected $((N + K + 1))"
        head -n "$N" "$copy" | cmp -s - "$MASTER/$f" || die "useradd changed the existing lines of /etc/$f"
        bad=$(tail -n $((K + 1)) "$copy" | awk -F: -v p="$PREFIX" -v c="$POOL_COUNT" -v lo="$POOL_MIN" \
                -v hi="$POOL_MAX" -v top="$((POOL_MIN + N * HELD_COUNT))" \
                'index($1, p) != 1 || $3 != c || $2 < top || $2 + $3 - 1 > hi { n++ } END { print n + 0 }')
        [ "$bad" -eq 0 ] || die "$bad of useradd's new /etc/$f lines are not a fresh $POOL_COUNT-id range of ours"
        # Overlap check over the whole file, sorted by first id.
        sort -t: -k2,2n "$copy" | awk -F: 'NR > 1 && $2 < end { bad++ } { if ($2 + $3 > end) end = $2 + $3 }
                END { exit bad > 0 }' || die "useradd's /etc/$f has overlapping ranges"
done
for f in subuid subgid; do
        ! grep -q "^$PREFIX" "/etc/$f" || die "the real /etc/$f has lines of ours: the namespace leaked"
done
! grep -q "^$PREFIX" /etc/passwd || die "the real /etc/passwd has accounts of ours: the namespace leaked"
rm -rf "$ETC_COPY"
useradd_s=$((($(now_us) - part_start) / 1000000))

# ---- subid-admind: subidctl grant USER --------------------------------------

# Real accounts (the daemon resolves the name), none with subordinate ids in
# the real /etc/subuid.
for u in "$WARM" "${seq_names[@]}" "${par_names[@]}"; do
        useradd -M -l -d /nonexistent -s /usr/sbin/nologin -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$u" >/dev/null ||
                die "cannot create $u"
        accounts+=("$u")
done

part_start=$(now_us)
start_admind
# The warm-up grant also writes the first export of all 100,000 users.
"$SUBIDCTL" grant "$WARM" >"$WORK/grant-warm.txt" 2>&1 || {
        cat "$WORK/grant-warm.txt" >&2
        die "the warm-up grant failed"
}

# grant_batch OUT NAMES...: one subidctl per name, in turn; a line per grant
# "LATENCY_US STATUS NAME", its output in OUT.out.
grant_batch() {
        local out=$1 name t0 t1 rc
        shift
        for name in "$@"; do
                t0=${EPOCHREALTIME/./}
                rc=0
                "$SUBIDCTL" grant "$name" >>"$out.out" 2>&1 || rc=$?
                t1=${EPOCHREALTIME/./}
                echo "$((t1 - t0)) $rc $name"
        done >"$out"
}

t0=$(now_us)
grant_batch "$WORK/grant-seq" "${seq_names[@]}"
seq_wall=$(($(now_us) - t0))

# PAR clients at once, each granting every PAR-th name of batch p.
t0=$(now_us)
pids=()
for ((w = 0; w < PAR; w++)); do
        slice=()
        for ((i = w; i < K; i += PAR)); do slice+=("${par_names[i]}"); done
        grant_batch "$WORK/grant-par$w" "${slice[@]}" &
        pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || die "a parallel client failed"; done
par_wall=$(($(now_us) - t0))
cat "$WORK"/grant-par? >"$WORK/grant-par"
cat "$WORK"/grant-par?.out >"$WORK/grant-par.out"
grant_s=$((($(now_us) - part_start) / 1000000))
stop_admind

# ---- checks -----------------------------------------------------------------

for batch in seq par; do
        f=$WORK/grant-$batch
        failed=$(awk '$2 != 0' "$f" | wc -l)
        [ "$failed" -eq 0 ] || {
                sed 's/^/  /' "$f.out" | grep -v '^  granted' | head -n 5 >&2
                die "$failed grants of the $batch batch failed"
        }
        lines=$(wc -l <"$f")
        [ "$lines" -eq "$K" ] || die "the $batch batch made $lines grants, expected $K"
        for kind in subuids subgids; do
                n=$(grep -c "^granted $kind [0-9]*-[0-9]* ($POOL_COUNT) to $PREFIX" "$f.out" || true)
                [ "$n" -eq "$K" ] || die "the $batch batch printed $n '$kind' grants, expected $K"
        done
done
awk '{ print $1 }' "$WORK/grant-seq" >"$WORK/seq-us"
awk '{ print $1 }' "$WORK/grant-par" >"$WORK/par-us"
check=$(sqlite3 -batch "$DB" "
        SELECT (SELECT count(*) FROM ranges),
               (SELECT count(*) FROM ranges WHERE owner_name LIKE '$PREFIX%' AND count = $POOL_COUNT
                    AND first >= $POOL_MIN AND first + count - 1 <= $POOL_MAX),
               (SELECT count(*) FROM (SELECT owner_uid FROM ranges WHERE owner_name LIKE '$PREFIX%'
                    GROUP BY owner_uid HAVING count(*) = 2 AND count(DISTINCT kind) = 2)),
               (SELECT count(*) FROM (SELECT first, max(first + count) OVER (PARTITION BY kind ORDER BY first
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end FROM ranges)
                    WHERE prev_end > first)") || die "cannot read the policy database"
expect="$((2 * (N + 2 * K + 1)))|$((2 * (2 * K + 1)))|$((2 * K + 1))|0"
[ "$check" = "$expect" ] ||
        die "database after the grants: rows|ours|users with one uid and one gid range|overlaps = $check, expected $expect"
for f in "$EXPORT_SUBUID" "$EXPORT_SUBGID"; do
        lines=$(wc -l <"$f")
        [ "$lines" -eq $((N + 2 * K + 1)) ] || die "$f has $lines lines, expected $((N + 2 * K + 1))"
done

# ---- results ----------------------------------------------------------------

grep -v '^wall ' "$WORK/useradd-plain.txt" >"$WORK/plain-us"
grep -v '^wall ' "$WORK/useradd-subids.txt" >"$WORK/subids-us"
plain_wall=$(sed -n 's/^wall //p' "$WORK/useradd-plain.txt")
subids_wall=$(sed -n 's/^wall //p' "$WORK/useradd-subids.txt")

printf '%-58s | %9s | %9s\n' "method ($N users allocated, $K each)" "per s" "median ms"
printf '%s\n' "-----------------------------------------------------------+-----------+----------"
row() { printf '%-58s | %9s | %9s\n' "$1" "$(per_s "$K" "$2")" "$(median_ms "$3")"; }
row "subidctl grant USER, 1 client at a time" "$seq_wall" "$WORK/seq-us"
row "subidctl grant USER, $PAR clients at once" "$par_wall" "$WORK/par-us"
row "useradd -M USER (Debian: 65536 subuids + subgids)" "$subids_wall" "$WORK/subids-us"
row "useradd -M USER, SUB_UID_COUNT=0 SUB_GID_COUNT=0 (no ids)" "$plain_wall" "$WORK/plain-us"
echo
echo "  verified: every grant exited 0 and printed its subuids and subgids; the database holds"
echo "  $((2 * (N + 2 * K + 1))) ranges, none overlapping; useradd appended $K non-overlapping lines to"
echo "  copies of /etc/subuid and /etc/subgid (the real ones untouched)."
echo "  took: useradd part $useradd_s s, grants part $grant_s s"
