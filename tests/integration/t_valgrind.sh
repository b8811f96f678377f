#!/bin/bash
# Memory errors and leaks of the helpers and of one daemon session, under
# valgrind's memcheck: subid-admind serves grant, list, who-owns, import and
# revoke from subidctl (also under valgrind) and stops on SIGTERM; then
# newuidmap and newgidmap run as an unprivileged user, allowed and refused.
# Every run must end with "ERROR SUMMARY: 0 errors", with definite and
# indirect leaks counted as errors.
#
# How the helpers get their capabilities under valgrind: valgrind runs the
# program inside its own process, so the helper's file capabilities are
# never applied. Instead a private copy of the memcheck tool (in a
# directory only the test user can enter, removed at exit) carries the
# helper's exact file capabilities, and the test user runs it through
# VALGRIND_LIB on a plain copy of the installed helper. The helper then starts as it does for real: the caller's
# real ids, the capabilities in the permitted set, nothing effective. What
# this does not cover: the kernel's AT_SECURE handling of the helper's own
# exec (the loader sees memcheck's), and pidfd_open (valgrind 3.19 does not
# know it, so the PID form takes its pre-5.3 path; the fd:N form is the same
# as for real).
. "$SRCDIR/tests/integration/lib.sh"

command -v valgrind >/dev/null || skip_all "valgrind is not installed (scripts/install-deps.sh installs it)"
VGLIB=/usr/libexec/valgrind
[ -x "$VGLIB/memcheck-amd64-linux" ] || skip_all "no valgrind memcheck for amd64 in $VGLIB"
# An AddressSanitizer build (make check-sanitize) cannot run under valgrind.
grep -qa __asan_init "$ADMIND" && skip_all "this install is built with AddressSanitizer; valgrind runs against the plain build"

U=$(make_user vgu) && G=$(make_group vgg) || { not_ok "create test accounts"; done_testing; exit 1; }
at_exit "userdel -f '$U'; groupdel '$U'; groupdel '$G'"
usermod -a -G "$G" "$U"
uidU=$(id -u "$U") gidU=$(id -g "$U") gidG=$(getent group "$G" | cut -d: -f3)

work=$(mktemp -d /tmp/subid-t-valgrind.XXXXXX)
at_exit "rm -rf '$work'"
chmod 0755 "$work"
install -d -m 0700 -o "$U" "$work/logs"

# shellcheck disable=SC2054 # commas inside valgrind options
# --child-silent-after-fork: subid-admind forks a short-lived audit sender per
# audited request, which _exit()s holding its copy of the parent's heap by
# design; a leak report from it would be about the parent's live memory.
VG=(valgrind --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect
    --error-exitcode=99 --track-origins=yes --child-silent-after-fork=yes)

# memcheck_clean LOG: the run reported no error (leaks included).
memcheck_clean() {
        grep -q "ERROR SUMMARY: 0 errors" "$1" && ! grep -qE "(definitely|indirectly) lost: [1-9]" "$1"
}
# vg_is DESCRIPTION LOG RC EXPECTED_RC: the exit status, then a clean report.
vg_is() {
        local out=${2%.vg}.out
        out=${out/\/logs\//\/}
        if [ "$3" == "$4" ]; then ok "$1: exits $4"; else
                not_ok "$1: exits $4" "got $3" "$(cat "$out" 2>&1)" "$(grep -v '^--[0-9]*-- ' "$2" 2>&1 | tail -20)"; fi
        if memcheck_clean "$2"; then ok "$1: valgrind reports no errors and no leaks"; else
                not_ok "$1: valgrind reports no errors and no leaks" "$(grep -v '^--[0-9]*-- ' "$2" | tail -40)"; fi
}

# ---- one daemon session ------------------------------------------------------
reset_policy
"${VG[@]}" --log-file="$work/admind.vg" "$ADMIND" >>"$ADMIND_LOG" 2>&1 8>&- &
vg_admind=$!
at_exit "kill $vg_admind; wait $vg_admind"
for ((i = 0; i < 300; i++)); do
        [ -S "$ADMIND_SOCKET" ] && "$SUBIDCTL" list >/dev/null 2>&1 && break
        kill -0 "$vg_admind" 2>/dev/null || break
        sleep 0.1
done
check "subid-admind serves under valgrind" "$SUBIDCTL" list

ctl() { # ctl NAME ARGS...: subidctl under valgrind, log in $work/NAME.vg
        local name=$1
        shift
        "${VG[@]}" --log-file="$work/$name.vg" "$SUBIDCTL" "$@" >"$work/$name.out" 2>&1
}
ctl grant grant "$U" --count 65536
vg_is "subidctl grant" "$work/grant.vg" $? 0
ctl delegate grant "$U" --group "$G"
vg_is "subidctl grant --group" "$work/delegate.vg" $? 0
ctl list list --json
vg_is "subidctl list --json" "$work/list.vg" $? 0
is "$(jq -r --arg u "$U" '[.. | objects | select(.name? == $u)] | length > 0' "$work/list.out" 2>&1)" "true" \
        "the list names the user"
ctl whoowns who-owns 100000
vg_is "subidctl who-owns" "$work/whoowns.vg" $? 0
printf '%s:%s:%s\n' "$U" 300000 1000 >"$work/subuid"
ctl import import --subuid "$work/subuid"
vg_is "subidctl import" "$work/import.vg" $? 0
ctl refused grant nosuchuser_subidt --count 10
vg_is "subidctl grant of an unknown user (refused)" "$work/refused.vg" $? 1
first=$(sqlite3 "$DB" "SELECT first FROM ranges WHERE kind='uid' AND owner_uid=$uidU ORDER BY first LIMIT 1")

# ---- the helpers, as the unprivileged user -----------------------------------
# vgcap DIR CAPS: a copy of memcheck with CAPS that only $U can run.
vgcap() {
        install -d -m 0750 -o root -g "$gidU" "$1"
        cp "$VGLIB/memcheck-amd64-linux" "$VGLIB/vgpreload_core-amd64-linux.so" \
                "$VGLIB/vgpreload_memcheck-amd64-linux.so" "$VGLIB/default.supp" "$1/"
        setcap "$2" "$1/memcheck-amd64-linux"
}
vgcap "$work/vg-uid" cap_setuid,cap_audit_write+ep
vgcap "$work/vg-gid" cap_setgid,cap_audit_write+ep
# valgrind refuses to load a program that itself has file capabilities:
# plain copies (cp drops the xattr), with the same compiled-in paths.
install -d -m 0755 "$work/bin"
cp "$BIN/newuidmap" "$BIN/newgidmap" "$work/bin/"

target() { # a fresh user namespace of $U, waiting; prints its pid (kill it at exit)
        # setpriv itself, not the as_user function: $! must be the process
        # that becomes sleep, not a subshell around it.
        setpriv --reuid="$U" --regid="$gidU" --init-groups --reset-env -- unshare --user sleep 60 >/dev/null 2>&1 8>&- &
        local pid=$!
        for ((i = 0; i < 50; i++)); do
                [ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ] && break
                sleep 0.05
        done
        echo "$pid"
}
helper() { # helper NAME uid|gid ARGS...: the helper under valgrind as $U
        local name=$1 kind=$2
        shift 2
        as_user "$U" env VALGRIND_LIB="$work/vg-$kind" "${VG[@]}" --log-file="$work/logs/$name.vg" \
                "$work/bin/new${kind}map" "$@" >"$work/$name.out" 2>&1
}

T=$(target)
at_exit "kill $T"
helper uid-ok uid "$T" 0 "$uidU" 1 1 "$first" 65536
vg_is "newuidmap PID: own uid and a granted range" "$work/logs/uid-ok.vg" $? 0
is "$(awk '{print $1, $2, $3}' "/proc/$T/uid_map" | tr '\n' ';')" "0 $uidU 1;1 $first 65536;" "the uid map is written"

T2=$(target)
at_exit "kill $T2"
as_user "$U" bash -c "exec 7</proc/$T2 && env VALGRIND_LIB='$work/vg-gid' ${VG[*]} --log-file='$work/logs/gid-ok.vg' \
        '$work/bin/newgidmap' fd:7 0 $gidU 1 1 $gidG 1" >"$work/gid-ok.out" 2>&1
vg_is "newgidmap fd:N: own gid and a delegated group" "$work/logs/gid-ok.vg" $? 0
is "$(awk '{print $1, $2, $3}' "/proc/$T2/gid_map" | tr '\n' ';')" "0 $gidU 1;1 $gidG 1;" "the gid map is written"

T3=$(target)
at_exit "kill $T3"
helper uid-root uid "$T3" 0 0 1
vg_is "newuidmap refuses host root" "$work/logs/uid-root.vg" $? 1
helper uid-bad uid "$T3" 0 +1 1
vg_is "newuidmap refuses a signed number" "$work/logs/uid-bad.vg" $? 1
helper gid-other gid "$T3" 0 1 65536
vg_is "newgidmap refuses ids not held" "$work/logs/gid-other.vg" $? 1
is "$(cat "/proc/$T3/uid_map" "/proc/$T3/gid_map")" "" "refused runs wrote no map"

# ---- end of the session --------------------------------------------------------
ctl revoke revoke "$U"
vg_is "subidctl revoke" "$work/revoke.vg" $? 0
kill -TERM "$vg_admind"
wait "$vg_admind"
vg_is "subid-admind stops on SIGTERM" "$work/admind.vg" $? 0

done_testing
