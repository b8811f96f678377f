#!/bin/bash
# subid-admind under storage faults, each in a private mount namespace so
# nothing outside CHECK_ROOT is touched:
#   - SIGKILL, five times, in the middle of a stream of pool grants: the
#     database passes integrity_check, every acknowledged grant is there,
#     the grant in flight is there whole or not at all, and after the next
#     write the exported files match the database with no temp file left;
#   - the database directory on a full tmpfs: grants fail with a clear
#     "disk is full" error, nothing half-written, the daemon keeps serving,
#     and works again once space is freed;
#   - the exported files' directory full: the grant is refused and rolled
#     back (database unchanged), the files stay intact;
#   - the database directory read-only: the daemon refuses to start with a
#     clear error and the database is left as it was; with /etc read-only
#     under a running daemon, writes fail clearly and change nothing.
# No acknowledged write may be lost in any of them.
. "$SRCDIR/tests/integration/lib.sh"

[ -x "$ADMIND" ] || { not_ok "subid-admind is installed at $ADMIND"; done_testing; exit 1; }
PROBE=$TOOLS/subid-probe
N=80
users=()
for ((i = 0; i < N; i++)); do
        users+=("$(make_user "adf$i")") || { not_ok "create test accounts"; done_testing; exit 1; }
done
work=$(mktemp -d /tmp/subid-t-faults.XXXXXX)
at_exit "rm -rf '$work'"
dbdir=$(dirname "$DB")
etc=$(dirname "$EXPORT_SUBUID")

q() { sqlite3 -readonly "$DB" "$@"; }
OVERLAPS="SELECT count(*) FROM ranges a JOIN ranges b ON a.kind = b.kind AND a.id < b.id
          AND a.first < b.first + b.count AND b.first < a.first + a.count"
db_subuid() { q "SELECT owner_name || ':' || first || ':' || count FROM ranges WHERE kind = 'uid' ORDER BY owner_name, first"; }
db_subgid() {
        q "SELECT owner_name || ':' || first || ':' || count FROM ranges WHERE kind = 'gid' ORDER BY owner_name, first"
        q "SELECT owner_name || ':' || gid || ':1' FROM delegations ORDER BY owner_name, gid"
}
wait_served() {
        local i
        for ((i = 0; i < 100; i++)); do
                "$PROBE" "$ADMIND_SOCKET" ping >/dev/null 2>&1 && return 0
                sleep 0.05
        done
        return 1
}
holders() { q "SELECT count(DISTINCT owner_uid) FROM ranges"; }
exports_match() { # exports_match DESC: the exported files say what the database says
        is "$(cat "$EXPORT_SUBUID")" "$(db_subuid)" "$1: exported subuid matches the database"
        is "$(cat "$EXPORT_SUBGID")" "$(db_subgid)" "$1: exported subgid matches the database"
}

# start_admind_ns SETUP: the daemon in a private mount namespace where the
# bash snippet SETUP ran first; its pid is ADMIND_PID (bash execs it).
start_admind_ns() {
        unshare -m --propagation private -- bash -c "$1"'
                exec "$0"' "$ADMIND" >>"$ADMIND_LOG" 2>&1 8>&- &
        ADMIND_PID=$!
        if [ -z "${_admind_cleanup:-}" ]; then
                at_exit stop_admind
                _admind_cleanup=1
        fi
        wait_served
}
in_ns() { nsenter -t "$ADMIND_PID" -m -- "$@"; }
fails_with() { # fails_with DESC REGEX COMMAND...: exit 1 and one line of output matching REGEX
        local desc=$1 regex=$2 out rc
        shift 2
        out=$("$@" 2>&1)
        rc=$?
        if [ "$rc" = 1 ] && [ "$(grep -c '' <<<"$out")" = 1 ] && [[ $out =~ $regex ]]; then ok "$desc ($out)"; else
                not_ok "$desc" "exit $rc, want 1 and one line matching $regex" "$out"
        fi
}

# ---- SIGKILL in the middle of a stream of pool grants --------------------------
reset_policy
: >"$ADMIND_LOG"
start_admind && wait_served || { not_ok "start subid-admind"; done_testing; exit 1; }
: >"$work/acked"
next=0
for round in 1 2 3 4 5; do
        (
                for ((j = next; j < next + 10 && j < N; j++)); do
                        echo "${users[j]}" >"$work/inflight"
                        "$SUBIDCTL" grant "${users[j]}" >/dev/null 2>&1 || break
                        echo "${users[j]}" >>"$work/acked"
                done
        ) &
        stream=$!
        sleep "0.$((RANDOM % 4 + 1))"
        kill -9 "$ADMIND_PID"
        wait "$ADMIND_PID" 2>/dev/null
        ADMIND_PID=
        wait "$stream"
        acked=$(wc -l <"$work/acked")
        inflight=$(cat "$work/inflight")

        is "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok "round $round: integrity_check ok after SIGKILL ($acked acknowledged)"
        lost=$(while read -r u; do
                [ "$(q "SELECT count(*) FROM ranges WHERE owner_name = '$u' AND count = 65536")" = 2 ] || echo "$u"
        done <"$work/acked")
        is "$lost" "" "round $round: no acknowledged grant lost"
        n_inflight=$(q "SELECT count(*) FROM ranges WHERE owner_name = '$inflight'")
        if [ "$n_inflight" = 0 ] || [ "$n_inflight" = 2 ]; then
                ok "round $round: the grant in flight is there whole or not at all ($n_inflight ranges)"
        else not_ok "round $round: the grant in flight is there whole or not at all" "$n_inflight ranges"; fi
        # The in-flight grant that made it counts as done; resume after it.
        if [ "$n_inflight" = 2 ] && ! grep -qx "$inflight" "$work/acked"; then echo "$inflight" >>"$work/acked"; fi
        is "$(holders)" "$(wc -l <"$work/acked")" "round $round: nobody else holds anything"
        is "$(q "$OVERLAPS")" 0 "round $round: no two ranges overlap"
        next=$(wc -l <"$work/acked")

        touch "$work/restarted"
        start_admind && wait_served
        check "round $round: the restarted daemon serves" "$PROBE" "$ADMIND_SOCKET" ping
        check "round $round: the next grant succeeds" "$SUBIDCTL" grant "${users[next]}"
        echo "${users[next]}" >>"$work/acked"
        next=$((next + 1))
        exports_match "round $round: after the next write"
        is "$(find "$etc" -maxdepth 1 -name '.sub*' | wc -l)" 0 "round $round: no temp file left next to the exported files"
done
stop_admind
[ "$next" -lt "$N" ] || not_ok "the stream was cut short each round" "all $N users granted: raise N"
total_acked=$next

# ---- the database directory full --------------------------------------------------
# A 320 KiB tmpfs over the database directory, holding a copy of it.
cp -a "$dbdir" "$work/dbcopy"
start_admind_ns "mount -t tmpfs -o size=320k,mode=0755 tmpfs '$dbdir' && cp -a '$work/dbcopy/.' '$dbdir/'" ||
        { not_ok "start subid-admind over a small tmpfs"; done_testing; exit 1; }
check "full disk: a grant with room works" "$SUBIDCTL" grant "${users[next]}"
next=$((next + 1))
in_ns dd if=/dev/zero of="$dbdir/fill" bs=4k >/dev/null 2>&1
is "$(in_ns df --output=avail "$dbdir" | tail -1 | tr -d ' ')" 0 "full disk: the database's filesystem is full"
before=$(in_ns sqlite3 -readonly "$DB" .dump)
exported=$(cat "$EXPORT_SUBUID" "$EXPORT_SUBGID")
FULL='^subidctl: policy database: [a-z ]+: database or disk is full$'
fails_with "full disk: the grant fails with a clear error" "$FULL" "$SUBIDCTL" grant "${users[next]}"
fails_with "full disk: a revoke fails with a clear error" "$FULL" "$SUBIDCTL" revoke "${users[0]}"
check "full disk: the daemon keeps serving reads" "$SUBIDCTL" list "${users[0]}"
is "$(in_ns sqlite3 -readonly "$DB" 'PRAGMA integrity_check')" ok "full disk: integrity_check ok"
is "$(in_ns sqlite3 -readonly "$DB" .dump)" "$before" "full disk: the database is unchanged"
is "$(cat "$EXPORT_SUBUID" "$EXPORT_SUBGID")" "$exported" "full disk: the exported files are unchanged"
in_ns rm -f "$dbdir/fill"
check "full disk: after freeing space, the grant works" "$SUBIDCTL" grant "${users[next]}"
next=$((next + 1))
is "$(in_ns sqlite3 -readonly "$DB" 'PRAGMA integrity_check')" ok "full disk: integrity_check ok after"
is "$(in_ns sqlite3 -readonly "$DB" "SELECT count(DISTINCT owner_uid) FROM ranges")" "$next" \
        "full disk: every acknowledged grant is there ($next holders)"
# Carry the tmpfs's database back out, as the next parts start from it.
in_ns cp -a "$DB" "$DB-wal" "$DB-shm" "$work/"
stop_admind
cp -a "$work/subid.db" "$work/subid.db-wal" "$work/subid.db-shm" "$dbdir/"
is "$(holders)" "$next" "full disk: the database carried back holds every grant"

# ---- the exported files' directory full ----------------------------------------------
cp -a "$etc" "$work/etccopy"
start_admind_ns "mount -t tmpfs -o size=64k,mode=0755 tmpfs '$etc' && cp -a '$work/etccopy/.' '$etc/'" ||
        { not_ok "start subid-admind over a small /etc tmpfs"; done_testing; exit 1; }
in_ns dd if=/dev/zero of="$etc/fill" bs=1k >/dev/null 2>&1
before=$(q .dump)
exported=$(in_ns cat "$EXPORT_SUBUID" "$EXPORT_SUBGID")
fails_with "full /etc: the grant fails with a clear error" \
        "^subidctl: cannot write a temp file for $EXPORT_SUBUID: No space left on device$" "$SUBIDCTL" grant "${users[next]}"
is "$(q .dump)" "$before" "full /etc: the grant was rolled back: database unchanged"
is "$(in_ns cat "$EXPORT_SUBUID" "$EXPORT_SUBGID")" "$exported" "full /etc: the exported files are intact"
is "$(in_ns find "$etc" -maxdepth 1 -name '.sub*' | wc -l)" 0 "full /etc: no temp file left"
check "full /etc: the daemon keeps serving" "$SUBIDCTL" list "${users[0]}"
in_ns rm -f "$etc/fill"
check "full /etc: after freeing space, the grant works" "$SUBIDCTL" grant "${users[next]}"
next=$((next + 1))
is "$(in_ns cat "$EXPORT_SUBUID")" "$(db_subuid)" "full /etc: exported subuid matches the database after"
is "$(in_ns cat "$EXPORT_SUBGID")" "$(db_subgid)" "full /etc: exported subgid matches the database after"
stop_admind

# ---- read-only directories ---------------------------------------------------------------
before=$(q .dump)
ro_bind() { echo "mount --bind '$1' '$1' && mount -o remount,bind,ro '$1'"; }
: >"$ADMIND_LOG"
timeout 10 unshare -m --propagation private -- bash -c "$(ro_bind "$dbdir") && exec \"\$0\"" "$ADMIND" \
        >"$work/ro.out" 2>&1 8>&-
rc=$?
is "$rc|$(cat "$work/ro.out")" "1|subid-admind: policy database $DB is read-only (read-only file system or permissions)" \
        "read-only database directory: the daemon refuses to start, saying why"
is "$(q .dump)" "$before" "read-only database directory: the database is unchanged"
is "$(q 'PRAGMA integrity_check')" ok "read-only database directory: integrity_check ok"

start_admind_ns "$(ro_bind "$etc")" || { not_ok "start subid-admind with a read-only /etc"; done_testing; exit 1; }
fails_with "read-only /etc: the grant fails with a clear error" \
        "^subidctl: cannot create a temp file next to $EXPORT_SUBUID: Read-only file system$" "$SUBIDCTL" grant "${users[next]}"
is "$(q .dump)" "$before" "read-only /etc: the grant was rolled back: database unchanged"
check "read-only /etc: the daemon keeps serving" "$SUBIDCTL" list "${users[0]}"
stop_admind

# ---- in the end --------------------------------------------------------------------------
start_admind && wait_served
check "a last grant on the real directories works" "$SUBIDCTL" grant "${users[next]}"
next=$((next + 1))
is "$(holders)" "$next" "in the end, every acknowledged grant of every part is there ($next holders)"
is "$(q "$OVERLAPS")" 0 "in the end, no two ranges overlap"
exports_match "in the end"
stop_admind
done_testing
