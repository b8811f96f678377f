#!/bin/bash
# subid-admind against hostile clients: malformed, oversized, truncated and
# deeply nested messages, too many fds, wrong protocol version, unknown
# operations, a connection whose process has exited, a client that sends
# nothing, one that never reads, 200 and 1,100 connections at once, and
# running out of file descriptors. Each bad request gets its exact error
# code and message and changes nothing; the daemon keeps serving new
# clients throughout and gives back every fd it took.
. "$SRCDIR/tests/integration/lib.sh"

PROBE=$TOOLS/subid-probe
[ -x "$PROBE" ] || { not_ok "subid-probe is built at $PROBE"; done_testing; exit 1; }
[ -x "$ADMIND" ] || { not_ok "subid-admind is installed at $ADMIND"; done_testing; exit 1; }

U=$(make_user proto) || { not_ok "create test account"; done_testing; exit 1; }
uidU=$(id -u "$U") gidU=$(id -g "$U")
work=$(mktemp -d /tmp/subid-t-protocol.XXXXXX)
chmod 0755 "$work"
at_exit "rm -rf '$work'"
S=$ADMIND_SOCKET

reset_policy
: >"$ADMIND_LOG"
# A typical login limit: the daemon must raise it itself to serve its
# 1,024 connections (two fds each).
ulimit -Sn 1024
start_admind || { not_ok "start subid-admind"; done_testing; exit 1; }

snapshot() { # the database and both exported files
        sqlite3 "$DB" .dump 2>&1
        echo "--- subuid"
        cat "$EXPORT_SUBUID" 2>&1
        echo "--- subgid"
        cat "$EXPORT_SUBGID" 2>&1
}
fd_count() { find "/proc/$ADMIND_PID/fd" -mindepth 1 -maxdepth 1 | wc -l; }
# wait_fds N: until the daemon holds N fds again (it closes asynchronously)
wait_fds() {
        local i n
        for ((i = 0; i < 60; i++)); do
                n=$(fd_count)
                [ "$n" -eq "$1" ] && break
                sleep 0.05
        done
        echo "$n"
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$ADMIND_PID/stat"; }
served_again() { # a fresh connection still gets a ping answered
        local out
        out=$("$PROBE" "$S" ping 2>&1)
        if [ "$out" == 'ok {"version":"0.1.0","protocol":1}
then ok' ]; then ok "$1: a new connection is still served"; else not_ok "$1: a new connection is still served" "$out"; fi
}

# ---- a valid grant works through the same path (else "unchanged" proves nothing)
grant_args="{\"user\":\"$U\",\"subuids\":{\"first\":400000,\"count\":1000}}"
grant_req="{\"v\":1,\"op\":\"grant\",\"args\":$grant_args}"
out=$("$PROBE" "$S" op grant "{\"user\":\"$U\",\"subuids\":{\"first\":300000,\"count\":65536},\"subgids\":{\"first\":300000,\"count\":65536}}" 2>&1)
is "$(head -c 9 <<<"$out")|$(tail -1 <<<"$out")" "ok {\"user|then ok" "a well-formed grant from root succeeds"
is "$(sqlite3 "$DB" "SELECT kind, first, count FROM ranges WHERE owner_uid = $uidU ORDER BY kind")" \
        "gid|300000|65536
uid|300000|65536" "the grant is in the database"
is "$(cat "$EXPORT_SUBUID" 2>&1)" "$U:300000:65536" "and in the exported subuid"
printf '%s' "$grant_req" >"$work/grant.json"

baseline=$(fd_count)
before=$(snapshot)
unchanged() { # unchanged DESCRIPTION: database and exported files as at the start
        local after
        after=$(snapshot)
        if [ "$before" == "$after" ]; then ok "$1: nothing changed"; else
                not_ok "$1: nothing changed" "$(diff <(echo "$before") <(echo "$after"))"
        fi
}

# The silent client runs beside everything below: it must be closed after
# the 10 s idle timeout while the others are served meanwhile.
"$PROBE" "$S" silent 20 >"$work/silent.out" 2>&1 &
silent_pid=$!
at_exit "kill $silent_pid"

# ---- file descriptors -------------------------------------------------------
TOOMANY='error ETOOMANYREFS request carries more file descriptors than allowed'
is "$("$PROBE" "$S" fds 2 2>&1)" 'ok {"version":"0.1.0","protocol":1}
then ok' "a ping carrying 2 fds is served"
is "$("$PROBE" "$S" fds 3 "$work/grant.json" 2>&1)" "$TOOMANY
then closed" "a grant carrying 3 fds: ETOOMANYREFS"
unchanged "a grant carrying 3 fds"
is "$("$PROBE" "$S" fds 253 2>&1)" "$TOOMANY
then closed" "a ping carrying 253 fds: ETOOMANYREFS"
served_again "too many fds"
# the silent client holds two (its socket and its pidfd)
is "$(wait_fds $((baseline + 2)))" $((baseline + 2)) "every passed fd is closed"

# ---- 200 connections at once --------------------------------------------------
"$PROBE" "$S" hold 200 2 >"$work/hold.out" 2>&1 &
hold_pid=$!
for ((i = 0; i < 100; i++)); do grep -q holding "$work/hold.out" && break; sleep 0.05; done
is "$(head -1 "$work/hold.out")" "served 200 busy 0 failed 0" "200 simultaneous connections are all served"
is "$(fd_count)" $((baseline + 2 + 400)) "the daemon holds two fds per connection"
served_again "200 connections held"
wait "$hold_pid"
is "$?|$(tail -1 "$work/hold.out")" "0|after 2 s: served 200" "all 200 are still served 2 s later"
is "$(wait_fds $((baseline + 2)))" $((baseline + 2)) "the fds of 200 connections are given back"

# ---- malformed messages -----------------------------------------------------
# bad DESCRIPTION PRINTF-FORMAT EXPECTED-REPLY EXPECTED-THEN: the message
# printf FORMAT makes, sent as one message, gets exactly EXPECTED-REPLY;
# a ping on the same connection then gets EXPECTED-THEN; a new connection
# is served; nothing changed.
bad() {
        local desc=$1 out
        # shellcheck disable=SC2059 # the format is the message
        printf "$2" >"$work/msg"
        out=$("$PROBE" "$S" raw "$work/msg" 2>&1)
        is "$out" "$3
then $4" "$desc: $3"
        served_again "$desc"
        unchanged "$desc"
}
NOTJSON='error EBADMSG request is not a single JSON object'
g=${grant_req//%/%%}
bad "not JSON" 'hello' "$NOTJSON" closed
bad "truncated JSON" "${g:0:60}" "$NOTJSON" closed
bad "JSON array around a valid request" "[$g]" "$NOTJSON" closed
bad "a JSON string" '"grant"' "$NOTJSON" closed
bad "a JSON number" '1' "$NOTJSON" closed
bad "trailing garbage after a valid request" "${g}x" "$NOTJSON" closed
bad "two requests in one message" "$g$g" "$NOTJSON" closed
bad "NUL byte after a valid request" "$g\\0" "$NOTJSON" closed
bad "NUL byte inside a string" "${g/grant/gr\\0ant}" "$NOTJSON" closed
bad "bare NUL byte" '\0' "$NOTJSON" closed
bad "whitespace only" '   \n' "$NOTJSON" closed
deep() { # deep N: a request nested N levels deep in all
        local open="" close="" i
        for ((i = 0; i < $1 - 2; i++)); do open+='{"x":'; close+='}'; done
        printf '{"v":1,"op":"grant","args":{"user":"%s","subuids":{"first":400000,"count":1000},"deep":%s{}%s}}' \
                "$U" "$open" "$close"
}
bad "nesting 9 deep" "$(deep 9)" "$NOTJSON" closed
bad "nesting 1,000 deep" "$(deep 1000)" "$NOTJSON" closed
bad "arrays nesting 9 deep" '{"v":1,"op":"ping","args":{"a":[[[[[[[1]]]]]]]}}' "$NOTJSON" closed
printf '{"v":1,"op":"ping","args":{"a":{"b":{"c":{"d":{"e":{"f":{}}}}}}}}' >"$work/msg"
is "$("$PROBE" "$S" raw "$work/msg" 2>&1 | head -1)" 'ok {"version":"0.1.0","protocol":1}' \
        "nesting exactly 8 deep is accepted"

# ---- the envelope -----------------------------------------------------------
GA=$grant_args
bad "protocol version 2" "{\"v\":2,\"op\":\"grant\",\"args\":$GA}" 'error EPROTO unsupported protocol version' ok
bad "protocol version 0" "{\"v\":0,\"op\":\"grant\",\"args\":$GA}" 'error EPROTO unsupported protocol version' ok
bad "no protocol version" "{\"op\":\"grant\",\"args\":$GA}" 'error EPROTO request has no protocol version "v"' ok
bad "protocol version as a string" "{\"v\":\"1\",\"op\":\"grant\",\"args\":$GA}" \
        'error EPROTO protocol version "v" must be a number' ok
bad "unknown operation" "{\"v\":1,\"op\":\"grantx\",\"args\":$GA}" "error EOPNOTSUPP unknown operation 'grantx'" ok
bad "operation not a string" "{\"v\":1,\"op\":[\"grant\"],\"args\":$GA}" \
        'error EINVAL request has no operation "op"' ok
bad "no operation" "{\"v\":1,\"args\":$GA}" 'error EINVAL request has no operation "op"' ok
bad "no args object" "{\"v\":1,\"op\":\"grant\",\"user\":\"$U\"}" 'error EINVAL request has no "args" object' ok
bad "args an array" "{\"v\":1,\"op\":\"grant\",\"args\":[$GA]}" 'error EINVAL request has no "args" object' ok
bad "args null" '{"v":1,"op":"grant","args":null}' 'error EINVAL request has no "args" object' ok

# ---- size -------------------------------------------------------------------
is "$("$PROBE" "$S" big 65536 2>&1)" 'ok {"version":"0.1.0","protocol":1}
then ok' "a 65,536-byte request is served"
TOOBIG='error EMSGSIZE request larger than the protocol'"'"'s 64 KiB limit'
is "$("$PROBE" "$S" big 65537 2>&1)" "$TOOBIG
then closed" "a 65,537-byte request: EMSGSIZE"
is "$("$PROBE" "$S" big 200000 2>&1)" "$TOOBIG
then closed" "a 200,000-byte request: EMSGSIZE"
pad=$(head -c 70000 /dev/zero | tr '\0' x)
bad "a 70,000-byte grant" "${g%\}\}},\"pad\":\"$pad\"}}" "$TOOBIG" closed

# ---- empty message: indistinguishable from end of stream on SOCK_SEQPACKET
: >"$work/msg"
is "$("$PROBE" "$S" raw "$work/msg" 2>&1)" "closed
then closed" "an empty message closes the connection without a reply"
served_again "empty message"

# ---- identity and access ----------------------------------------------------
out=$(as_user "$U" "$PROBE" "$S" op whoami 2>&1)
is "$(sed -n 's/^ok {"pid":[1-9][0-9]*,/{/p' <<<"$out")" "{\"uid\":$uidU,\"gid\":$gidU,\"admin\":false}" \
        "whoami as an unprivileged user: its own uid and gid, not admin"
out=$("$PROBE" "$S" op whoami 2>&1)
is "$(sed -n 's/^ok {"pid":[1-9][0-9]*,/{/p' <<<"$out")" '{"uid":0,"gid":0,"admin":true}' "whoami as root: admin"
for op in list grant revoke import; do
        is "$(as_user "$U" "$PROBE" "$S" op "$op" "$grant_args" 2>&1)" \
                "error EPERM '$op' needs root or membership of group subidadm
then ok" "$op as an unprivileged user: EPERM"
done
unchanged "admin operations as an unprivileged user"
is "$("$PROBE" "$S" orphan "$work/grant.json" 2>&1)" "error ESRCH requesting process has exited
then error ESRCH" "a grant on a connection whose process has exited: ESRCH"
unchanged "a grant from an exited process"

# ---- socket types -----------------------------------------------------------
is "$("$PROBE" "$S" stream 2>&1)" "stream: refused (Protocol wrong type for socket)
dgram: refused (Protocol wrong type for socket)" "stream and datagram clients are refused by the kernel"

# ---- a client that never reads its replies is dropped ------------------------
out=$("$PROBE" "$S" noread 100000 2>&1)
if [[ $out =~ ^dropped\ after\ [0-9]+$ ]]; then ok "a client that never reads is dropped ($out)"; else
        not_ok "a client that never reads is dropped" "$out"; fi
served_again "client that never reads"

# ---- the silent client --------------------------------------------------------
wait "$silent_pid"
rc=$?
out=$(cat "$work/silent.out")
secs=$(sed -n 's/^closed after \([0-9]*\)\.[0-9] s$/\1/p' <<<"$out")
if [ "$rc" -eq 0 ] && [ -n "$secs" ] && [ "$secs" -ge 9 ] && [ "$secs" -le 11 ]; then
        ok "a silent client is closed after the 10 s idle timeout ($out)"
else not_ok "a silent client is closed after the 10 s idle timeout" "exit $rc: $out"; fi
is "$(wait_fds "$baseline")" "$baseline" "the silent client's fds are given back"

# ---- more connections than the daemon serves: EBUSY for the rest ------------
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt 2400 ]; then
        ok "1,100 connections # SKIP the hard fd limit ($hard) is below the 2,304 the daemon needs for 1,024"
else
        out=$("$PROBE" "$S" hold 1100 1 2>&1)
        is "$out" "served 1024 busy 76 failed 0
holding
after 1 s: served 1024" "1,100 connections: 1,024 served, 76 told EBUSY (started with a 1,024 fd limit)"
        is "$(wait_fds "$baseline")" "$baseline" "the fds of 1,100 connections are given back"
        served_again "1,100 connections"
fi

# ---- one user cannot take every slot: 128 connections per non-root uid -------
as_user "$U" "$PROBE" "$S" hold 130 2 >"$work/uidcap.out" 2>&1 &
cap_pid=$!
for ((i = 0; i < 100; i++)); do grep -q holding "$work/uidcap.out" && break; sleep 0.05; done
is "$(head -1 "$work/uidcap.out")" "served 128 busy 2 failed 0" "a user holding 130 connections gets 128, the rest EBUSY"
check "root's ping succeeds while the user holds its 128" "$PROBE" "$S" ping
wait "$cap_pid"
is "$(wait_fds "$baseline")" "$baseline" "the user's connections are given back"

# ---- out of file descriptors: refuse with EBUSY, never spin -------------------
# starve EXTRA WHAT: lower the daemon's fd limit to its baseline + EXTRA and
# connect 150 clients. An even EXTRA runs out at accept() itself (the
# pending connection keeps the listener readable: retrying would spin), an
# odd one at the pidfd of an accepted client.
starve() {
        local out t0 t1 counts lines
        if ! prlimit --pid "$ADMIND_PID" --nofile="$(($(fd_count) + $1)):"; then
                not_ok "$2: prlimit can lower the daemon's fd limit"
                return
        fi
        lines=$(wc -l <"$ADMIND_LOG")
        t0=$(cpu_ticks)
        out=$("$PROBE" "$S" hold 150 1 2>&1)
        t1=$(cpu_ticks)
        counts=$(sed -n 's/^served \([0-9]*\) busy \([0-9]*\) failed 0$/\1+\2/p' <<<"$out")
        if [ -n "$counts" ] && [ $((counts)) -eq 150 ] && [ "${counts%+*}" -ge $(($1 / 2 - 1)) ] &&
                [ "${counts#*+}" -gt 0 ]; then
                ok "$2: every client is served or told EBUSY ($counts)"
        else not_ok "$2: every client is served or told EBUSY" "$out"; fi
        if [ $((t1 - t0)) -lt 30 ]; then ok "$2: the daemon does not spin ($((t1 - t0)) ticks in 1 s)"; else
                not_ok "$2: the daemon does not spin" "$((t1 - t0)) ticks of CPU in 1 s"; fi
        is "$(tail -n +$((lines + 1)) "$ADMIND_LOG" | head -3)" \
                "subid-admind: cannot serve new connections, refusing them: Too many open files" "$2: said once in the log"
        prlimit --pid "$ADMIND_PID" --nofile=4096:
        is "$(wait_fds "$baseline")" "$baseline" "$2: every fd is given back"
        served_again "$2"
}
starve 100 "out of fds at accept"
starve 101 "out of fds at the pidfd"

# ---- still the same daemon, state as at the start -----------------------------
check "the daemon never died" kill -0 "$ADMIND_PID"
unchanged "the whole test"
done_testing
