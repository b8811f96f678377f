# Sourced by the benchmarks: the big policy database they start from.
#
# bench_policy_db DB N OWNER_UID_BASE POOL_MIN HELD_COUNT [SQLITE3-ARG...]
#   One sqlite3 run, daemon not started: the database as the admin side makes
#   it (WAL, persistent -wal/-shm, root 0644), N owners bu0..bu(N-1) with uids
#   from OWNER_UID_BASE, each with a uid and a gid range of HELD_COUNT ids
#   packed from POOL_MIN. The extra arguments run in the same sqlite3 session
#   afterwards (e.g. `.once FILE` and a SELECT to list what was made).
bench_policy_db() {
        local db=$1 n=$2 uid_base=$3 pool_min=$4 held=$5
        shift 5
        (umask 022 && sqlite3 -batch "$db" \
                ".filectrl persist_wal on" \
                "PRAGMA journal_mode = WAL" \
                ".read $SRCDIR/policy/schema.sql" \
                "BEGIN" \
                "WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM i WHERE k + 1 < $n),
                      kinds(kind) AS (VALUES ('uid'), ('gid'))
                 INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at)
                 SELECT kind, $uid_base + k, 'bu' || k, $pool_min + k * $held, $held, 1700000000
                 FROM i, kinds ORDER BY k, kind" \
                "COMMIT" \
                "PRAGMA wal_checkpoint(TRUNCATE)" \
                "$@") >/dev/null && chmod 0644 "$db" "$db-wal" "$db-shm"
}
