#!/bin/bash
# The helpers' audit records (docs/audit.md): every newuidmap/newgidmap run,
# allowed or refused, leaves exactly one AUDIT_CHUSER_ID / AUDIT_CHGRP_ID
# record, found by `ausearch -ua USER`, with the target pid, the requested
# triples, the kernel's uid/auid of the caller (loginuid set as
# pam_loginuid sets it), res= and, when refused, the reason. A burst of 500
# runs loses none; with auditing off the helpers work as before; a helper
# installed without cap_audit_write refuses to run unaudited.
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/lib_audit.sh"

for f in "$SUBIDCTL" "$ADMIND" "$BIN/newuidmap" "$BIN/newgidmap"; do
        [ -x "$f" ] || { not_ok "$f is installed"; done_testing; exit 1; }
done
unshare --user true 2>/dev/null || skip_all "unprivileged user namespaces are not available"
start_auditd || { not_ok "auditd starts"; done_testing; exit 1; }

U=$(make_user au1) && V=$(make_user au2) || { not_ok "create test accounts"; done_testing; exit 1; }
uidU=$(id -u "$U") gidU=$(id -g "$U")
work=$(mktemp -d /tmp/subid-t-audit.XXXXXX)
chmod 0755 "$work"
at_exit "rm -rf '$work'"

reset_policy
start_admind || { not_ok "subid-admind starts"; done_testing; exit 1; }
check "grant $U a subuid and a subgid range" "$SUBIDCTL" grant "$U" --subuids 300000-365535 --subgids 300000-365535

# records TYPE USER PATTERN: the raw records of TYPE by USER matching the
# extended regex PATTERN, waiting up to 5 s for at least one.
records() {
        local i out
        for ((i = 0; i < 100; i++)); do
                out=$(audit_search -m "$1" -ua "$2" --raw | grep -E -- "$3")
                [ -n "$out" ] && break
                sleep 0.05
        done
        printf '%s' "$out"
}

field() { # field NAME RECORD: the value of NAME= in the message part (up to the closing quote)
        sed -n "s/.*msg='.*[ ']$1=\([^ '[:cntrl:]]*\).*/\1/p" <<<"$2" | head -n1
}

unhex() { perl -e 'print pack("H*", $ARGV[0])' "$1"; }

# check_record DESC TYPE USER PID RES MAP [REASON-REGEX [SETGROUPS]]: exactly
# one record of TYPE by USER for target PID, with the kernel's uid and auid
# of USER, res=RES, map="MAP", a reason matching REASON-REGEX (refusals),
# and setgroups=SETGROUPS (newgidmap).
check_record() {
        local desc=$1 type=$2 user=$3 pid=$4 res=$5 map=$6 reason=${7:-} sg=${8:-}
        local uid recs n rec problems=() got
        uid=$(id -u "$user")
        recs=$(records "$type" "$user" " tpid=$pid ")
        n=$(grep -c . <<<"$recs")
        rec=$recs
        [ "$n" -eq 1 ] || problems+=("$n records for tpid=$pid, want exactly 1")
        grep -q " uid=$uid auid=$uid " <<<"$rec" || problems+=("kernel uid/auid are not $uid")
        [ "$(field res "$rec")" == "$res" ] || problems+=("res is not $res")
        [ "$(field map "$rec")" == "\"$map\"" ] || problems+=("map is not \"$map\"")
        got=$(field reason "$rec")
        if [ -n "$reason" ]; then
                if [[ $got == \"* ]]; then got=${got//\"/}; else got=$(unhex "$got"); fi
                grep -qE -- "$reason" <<<"$got" || problems+=("reason '$got' does not match /$reason/")
        elif [ -n "$got" ]; then
                problems+=("a successful run has a reason")
        fi
        [ -z "$sg" ] || [ "$(field setgroups "$rec")" == "$sg" ] || problems+=("setgroups is not $sg")
        if [ ${#problems[@]} -eq 0 ]; then ok "$desc"; else not_ok "$desc" "${problems[@]}" "record: $rec"; fi
}

# ---- newuidmap -----------------------------------------------------------------

read -r pid rc < <(run_helper "$U" "$BIN/newuidmap" PID 0 "$uidU" 1 1 300000 65536)
is "$rc" 0 "newuidmap maps the caller and its granted range"
check_record "allowed newuidmap: one CHUSER_ID record, res=success, tpid, map, uid and auid" \
        CHUSER_ID "$U" "$pid" success "0:$uidU:1,1:300000:65536"
n=$(audit_search -m CHUSER_ID -ua "$U" --success yes --raw | grep -c " tpid=$pid ")
is "$n" 1 "ausearch -m CHUSER_ID -ua USER --success yes finds it"
n=$(audit_search -m CHUSER_ID -ua "$U" --success no --raw | grep -c " tpid=$pid ")
is "$n" 0 "ausearch --success no does not"

read -r pid rc < <(run_helper "$U" "$BIN/newuidmap" PID 0 400000 65536)
is "$rc" 1 "newuidmap refuses a range the caller does not hold"
check_record "refused (range not held): res=failed with the reason" \
        CHUSER_ID "$U" "$pid" failed "0:400000:65536" "not allowed for $U"
n=$(audit_search -m CHUSER_ID -ua "$U" --success no --raw | grep -c " tpid=$pid ")
is "$n" 1 "ausearch --success no finds the refusal"

read -r pid rc < <(run_helper "$U" "$BIN/newuidmap" PID 0 abc 1)
is "$rc" 1 "newuidmap refuses a malformed triple"
check_record "refused (bad argv): the triple as given, the parse error as reason" \
        CHUSER_ID "$U" "$pid" failed "0:abc:1" "lower id 'abc' of mapping 1"

read -r pid rc < <(run_helper "$U" "$BIN/newuidmap" PID 0 300000)
is "$rc" 1 "newuidmap refuses an incomplete triple"
check_record "refused (two of three numbers)" CHUSER_ID "$U" "$pid" failed "0:300000" "expected UPPER LOWER COUNT"

read -r pid rc < <(run_helper "$U" "$BIN/newuidmap" PID)
is "$rc" 1 "newuidmap without triples prints its usage"
recs=$(records CHUSER_ID "$U" " tpid=$pid ")
is "$(grep -c . <<<"$recs")" 1 "refused (usage): one record"
is "$(field map "$recs")" "?" "refused (usage): map=?"

# Target not the caller's: V's process.
read -r vpid vrc < <(burst_t0=$(date +%s.%N)
as_login_user "$V" bash -c 'unshare --user sleep 30 & echo "$! 0"; sleep 0.2')
read -r pid rc < <(run_helper "$U" "$BIN/newuidmap" "$vpid" 0 300000 1)
is "$rc" 1 "newuidmap refuses another user's process"
check_record "refused (target not the caller's): tpid is the target, reason names the owner" \
        CHUSER_ID "$U" "$vpid" failed "0:300000:1" "owned by a different user"
kill "$vpid" 2>/dev/null

# A pid that does not exist (pid_max is at most 4194304).
read -r pid rc < <(run_helper "$U" "$BIN/newuidmap" 2147483000 0 300000 1)
check_record "refused (no such process)" CHUSER_ID "$U" 2147483000 failed "0:300000:1" "does not exist"

# Not a pid at all: tpid=?
before=$(audit_search -m CHUSER_ID -ua "$U" --raw | grep -c " tpid=? ")
as_login_user "$U" "$BIN/newuidmap" nopid 0 300000 1 >/dev/null 2>&1
rc=$?
is "$rc" 1 "newuidmap refuses a target that is not a pid"
recs=$(records CHUSER_ID "$U" " tpid=\? ")
is "$(grep -c . <<<"$recs")" "$((before + 1))" "refused (bad target): one record, tpid=?"

# The write itself fails: a map can be written once.
read -r pid rc < <(as_login_user "$U" bash -c "$USERNS_TARGET"'
        "$0" $pid 0 300000 1 >/dev/null 2>&1 && "$0" $pid 0 300001 1 >/dev/null 2>&1
        echo "$pid $?"
        kill $pid' "$BIN/newuidmap")
is "$rc" 1 "a second newuidmap on the same process fails in the kernel"
recs=$(records CHUSER_ID "$U" " tpid=$pid ")
is "$(grep -c . <<<"$recs")" 2 "the two runs on one process left two records"
second=$(grep 'map="0:300001:1"' <<<"$recs")
reason=$(unhex "$(field reason "$second")")
if [ "$(field res "$second")" == failed ] && grep -q "uid_map" <<<"$reason"; then
        ok "refused (write failure): res=failed, the kernel's error as reason"
else
        not_ok "refused (write failure): res=failed, the kernel's error as reason" "$second" "reason: $reason"
fi

# An untrusted database (writable by a group) is refused, and recorded.
chmod g+w "$DB"
read -r pid rc < <(run_helper "$U" "$BIN/newuidmap" PID 0 300000 1)
chmod g-w "$DB"
is "$rc" 1 "newuidmap refuses a group-writable database"
check_record "refused (untrusted database)" CHUSER_ID "$U" "$pid" failed "0:300000:1" "."

# ---- newgidmap -----------------------------------------------------------------

read -r pid rc < <(run_helper "$U" "$BIN/newgidmap" PID 0 "$gidU" 1)
is "$rc" 0 "newgidmap maps the caller's own gid"
check_record "allowed newgidmap, own gid only: CHGRP_ID, setgroups=deny" \
        CHGRP_ID "$U" "$pid" success "0:$gidU:1" "" deny

read -r pid rc < <(run_helper "$U" "$BIN/newgidmap" PID 0 "$gidU" 1 1 300000 65536)
is "$rc" 0 "newgidmap maps a granted gid range"
check_record "allowed newgidmap with a granted range: setgroups=allow" \
        CHGRP_ID "$U" "$pid" success "0:$gidU:1,1:300000:65536" "" allow

read -r pid rc < <(run_helper "$U" "$BIN/newgidmap" PID 0 0 1)
is "$rc" 1 "newgidmap refuses host gid 0"
check_record "refused newgidmap: res=failed, setgroups=deny, reason" \
        CHGRP_ID "$U" "$pid" failed "0:0:1" "not allowed for $U" deny
n=$(audit_search -m CHUSER_ID -ua "$U" --raw | grep -c " tpid=$pid ")
is "$n" 0 "newgidmap writes no CHUSER_ID record"

# docs/audit.md's recipe for refused mappings per user.
audit_search >/dev/null
out=$(aureport -if "$AUDIT_LOG" -u --failed -i 2>&1)
if grep -q " $U .* $BIN/newuidmap " <<<"$out" && grep -q " $U .* $BIN/newgidmap " <<<"$out"; then
        ok "aureport -u --failed lists the refused runs with the user and the helper"
else
        not_ok "aureport -u --failed lists the refused runs with the user and the helper" "$out"
fi

# ---- one record per run, none lost in a burst ------------------------------------

# Cheap refused runs against the caller's own shell, two loops at once.
burst_start=$(audit_search -m CHUSER_ID -ua "$V" --raw | grep -c .)
lost_start=$(auditctl -s | sed -n 's/^lost //p')
burst_t0=$(date +%s.%N)
as_login_user "$V" bash -c '
        for ((i = 0; i < 250; i++)); do "$0" $$ 0 400000 1 2>/dev/null; done &
        for ((i = 0; i < 250; i++)); do "$0" $$ 0 400000 1 2>/dev/null; done
        wait' "$BIN/newuidmap"
echo "# 500 refused runs, two at a time, took $(echo "$(date +%s.%N) - $burst_t0" | bc 2>/dev/null || echo ?) s"
for ((i = 0; i < 300; i++)); do
        got=$(audit_search -m CHUSER_ID -ua "$V" --raw | grep -c .)
        [ "$((got - burst_start))" -ge 500 ] && break
        sleep 0.1
done
sleep 0.5
got=$(audit_search -m CHUSER_ID -ua "$V" --raw | grep -c .)
is "$((got - burst_start))" 500 "a burst of 500 runs (two at a time) left exactly 500 records"
lost=$(auditctl -s | sed -n 's/^lost //p')
is "${lost:-?}" "${lost_start:-?}" "the kernel lost no audit record (auditctl -s: lost)"

# ---- auditing off ----------------------------------------------------------------

before=$(audit_search -m CHUSER_ID -ua "$U" --raw | grep -c .)
auditctl -e 0 >/dev/null
read -r pid rc < <(run_helper "$U" "$BIN/newuidmap" PID 0 "$uidU" 1 1 300000 65536)
is "$rc" 0 "with auditing off (auditctl -e 0) newuidmap still works"
read -r pid rc < <(run_helper "$U" "$BIN/newgidmap" PID 0 "$gidU" 1)
is "$rc" 0 "with auditing off newgidmap still works"
auditctl -e 1 >/dev/null
sleep 0.3
after=$(audit_search -m CHUSER_ID -ua "$U" --raw | grep -c .)
is "$after" "$before" "with auditing off no record was written"

# ---- installed without cap_audit_write --------------------------------------------

cp "$BIN/newuidmap" "$work/newuidmap"
setcap cap_setuid+ep "$work/newuidmap"
out=$(as_login_user "$U" "$work/newuidmap" 1 0 300000 1 2>&1)
rc=$?
if [ "$rc" -eq 1 ] && grep -q "cap_audit_write" <<<"$out"; then
        ok "a helper without cap_audit_write refuses to run unaudited"
else
        not_ok "a helper without cap_audit_write refuses to run unaudited" "exit $rc" "$out"
fi

done_testing
