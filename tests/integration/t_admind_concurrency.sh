#!/bin/bash
# subid-admind under concurrent clients and crashes: 32 `subidctl grant`
# from the pool at once get 32 disjoint uid and gid ranges clear of every
# existing account; a SIGKILL in the middle of a stream of grants leaves a
# consistent database whose every acknowledged grant survived, exported
# files that lag it by at most the grant in flight, and a daemon that
# restarts (over its stale socket) and serves again.
. "$SRCDIR/tests/integration/lib.sh"

[ -x "$ADMIND" ] || { not_ok "subid-admind is installed at $ADMIND"; done_testing; exit 1; }
PROBE=$TOOLS/subid-probe
N=32

users=() late=()
for ((i = 0; i < N; i++)); do
        users+=("$(make_user "conc$i")") || { not_ok "create test accounts"; done_testing; exit 1; }
done
for round in 1 2 3; do # each gets a pool grant after a restart
        late+=("$(make_user "concr$round")") || { not_ok "create test accounts"; done_testing; exit 1; }
done
work=$(mktemp -d /tmp/subid-t-concurrency.XXXXXX)
at_exit "rm -rf '$work'"

q() { sqlite3 -readonly "$DB" "$@"; }
# Pairs of ranges of one kind that share an id: must be none.
OVERLAPS="SELECT a.kind, a.owner_name, a.first, a.count, b.owner_name, b.first, b.count
          FROM ranges a JOIN ranges b ON a.kind = b.kind AND a.id < b.id
          AND a.first < b.first + b.count AND b.first < a.first + a.count"
# What the exported files must say, rendered from the database.
db_subuid() { q "SELECT owner_name || ':' || first || ':' || count FROM ranges WHERE kind = 'uid' ORDER BY owner_name, first"; }
db_subgid() {
        q "SELECT owner_name || ':' || first || ':' || count FROM ranges WHERE kind = 'gid' ORDER BY owner_name, first"
        q "SELECT owner_name || ':' || gid || ':1' FROM delegations ORDER BY owner_name, gid"
}
# wait_served: a ping is answered (the socket may be a stale one at first)
wait_served() {
        local i
        for ((i = 0; i < 100; i++)); do
                "$PROBE" "$ADMIND_SOCKET" ping >/dev/null 2>&1 && return 0
                sleep 0.05
        done
        return 1
}

reset_policy
etc=$(dirname "$EXPORT_SUBUID")
rm -f "$etc"/.subuid.* "$etc"/.subgid.*
: >"$ADMIND_LOG"
start_admind || { not_ok "start subid-admind"; done_testing; exit 1; }

# ---- 32 pool grants at once ---------------------------------------------------
for ((i = 0; i < N; i++)); do
        "$SUBIDCTL" grant "${users[i]}" >"$work/grant.$i.out" 2>&1 &
done
failed=0
for ((i = 0; i < N; i++)); do wait -n || failed=$((failed + 1)); done
is "$failed" 0 "$N concurrent pool grants all succeed"
[ "$failed" -eq 0 ] || not_ok "grant output" "$(cat "$work"/grant.*.out | sort | uniq -c | head -5)"
is "$(q "SELECT kind, count(*), count(DISTINCT owner_uid), min(count), max(count) FROM ranges GROUP BY kind")" \
        "gid|$N|$N|65536|65536
uid|$N|$N|65536|65536" "one 65,536-id uid range and one gid range for each of the $N users"
is "$(q "$OVERLAPS")" "" "no two ranges overlap"
is "$(q "SELECT count(*) FROM ranges WHERE first < 100000 OR first + count - 1 > 600100000")" 0 \
        "every range lies inside the default pool"
is "$(cat "$EXPORT_SUBUID")" "$(db_subuid)" "the exported subuid lists exactly the database's uid ranges"
is "$(cat "$EXPORT_SUBGID")" "$(db_subgid)" "the exported subgid lists exactly the database's gid ranges"
# getent … | in_use FILE: the entries (id in field 3) that lie inside a range of FILE
in_use() {
        awk -F: 'NR == FNR { first[NR] = $2; last[NR] = $2 + $3 - 1; n = NR; next }
                 { for (i = 1; i <= n; i++) if ($3 >= first[i] && $3 <= last[i]) print $1 " (" $3 ")" }' "$1" -
}
is "$(getent passwd | in_use "$EXPORT_SUBUID")" "" "no subuid range contains an existing user's uid"
is "$(getent group | in_use "$EXPORT_SUBGID")" "" "no subgid range contains an existing group's gid"
out=$("$SUBIDCTL" list --json)
missing=$(for u in "${users[@]}"; do grep -q "\"name\": \"$u\"" <<<"$out" || echo "$u"; done)
is "$missing|$(grep -c '"first"' <<<"$out")" "|$((2 * N))" "list --json shows every user with both ranges"

# ---- SIGKILL in the middle of a stream of grants ------------------------------
# Each grant of the stream gives one user a 100-id uid range and the gid
# range with the same ids, in one transaction, far above the pool: after a
# crash both must be there or neither.
STREAM_BASE=1000000000
stream() { # stream ROUND: grants until the daemon goes away; logs acknowledged ones
        local j first
        for ((j = 0; j < 1000; j++)); do
                first=$((STREAM_BASE + (($1 * 1000 + j) * 100)))
                "$SUBIDCTL" grant "${users[j % N]}" --subuids "$first-$((first + 99))" \
                        --subgids "$first-$((first + 99))" >/dev/null 2>"$work/stream.err" || break
                echo "${users[j % N]} $first" >>"$work/acked"
        done
}
: >"$work/acked"
round_acked() { # how many grants of round $1 were acknowledged
        awk -v lo=$((STREAM_BASE + $1 * 100000)) -v hi=$((STREAM_BASE + ($1 + 1) * 100000)) \
                '$2 >= lo && $2 < hi' "$work/acked" | wc -l
}
for round in 1 2 3; do
        stream "$round" &
        stream_pid=$!
        # kill once the stream is flowing, after a different delay each round
        for ((i = 0; i < 250; i++)); do [ "$(round_acked "$round")" -gt 0 ] && break; sleep 0.02; done
        sleep "0.$((round * 2))$((RANDOM % 10))"
        kill -9 "$ADMIND_PID"
        wait "$ADMIND_PID" 2>/dev/null
        ADMIND_PID=
        wait "$stream_pid"
        n_round=$(round_acked "$round")
        [ "$n_round" -gt 0 ] || not_ok "round $round: the stream was flowing when the daemon was killed" \
                "$(cat "$work/stream.err")"

        is "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok "round $round: after SIGKILL ($n_round grants acknowledged), integrity_check is ok"
        is "$(q "$OVERLAPS")" "" "round $round: no two ranges overlap"
        is "$(q "SELECT first FROM ranges WHERE first >= $STREAM_BASE GROUP BY first HAVING count(*) != 2 OR
                 count(DISTINCT kind) != 2 OR count(DISTINCT owner_uid) != 1")" "" \
                "round $round: every grant of the stream is there whole (uid and gid range) or not at all"
        lost=$(while read -r user first; do
                [ "$(q "SELECT count(*) FROM ranges WHERE owner_name = '$user' AND first = $first")" -eq 2 ] ||
                        echo "$user $first"
        done <"$work/acked")
        is "$lost" "" "round $round: every acknowledged grant is in the database"
        for f in subuid subgid; do
                file=$CHECK_ROOT/etc/$f
                is "$(grep -cv '^subidt_concr\?[0-9]*:[1-9][0-9]*:[1-9][0-9]*$' "$file")" 0 "round $round: exported $f parses"
                is "$(comm -23 <(sort "$file") <(db_$f | sort))" "" \
                        "round $round: exported $f lists no range the database does not have"
                behind=$(comm -13 <(sort "$file") <(db_$f | sort) | wc -l)
                if [ "$behind" -le 1 ]; then ok "round $round: exported $f lags by at most the grant in flight ($behind)"; else
                        not_ok "round $round: exported $f lags by at most the grant in flight" "$behind ranges missing"; fi
        done

        touch "$work/restarted"
        start_admind && wait_served
        check "round $round: the restarted daemon serves again" "$PROBE" "$ADMIND_SOCKET" ping
        check "round $round: a pool grant after the restart succeeds" "$SUBIDCTL" grant "${late[round - 1]}"
        is "$(q "SELECT count(*) FROM ranges WHERE owner_name = '${late[round - 1]}' AND count = 65536")" 2 \
                "round $round: it got a uid and a gid range"
        is "$(cat "$EXPORT_SUBUID")" "$(db_subuid)" "round $round: then the exported subuid matches the database"
        is "$(cat "$EXPORT_SUBGID")" "$(db_subgid)" "round $round: then the exported subgid matches the database"
        is "$(find "$etc" -maxdepth 1 -name '.sub*' -newer "$work/restarted")" "" \
                "round $round: the grant after the restart leaves no temp file"
done
is "$(q "$OVERLAPS")" "" "in the end, no two ranges overlap"
is "$(getent passwd | in_use "$EXPORT_SUBUID")$(getent group | in_use "$EXPORT_SUBGID")" "" \
        "in the end, no range contains an existing account's id"
# A daemon killed between writing the temp files and renaming them leaves
# them behind (nothing removes them later); readers never see them.
stale=$(find "$etc" -maxdepth 1 -name '.sub*' | wc -l)
[ "$stale" -eq 0 ] || echo "# note: $stale temp file(s) left next to the exported files by SIGKILL"
done_testing
