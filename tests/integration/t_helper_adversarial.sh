#!/bin/bash
# newuidmap/newgidmap against a hostile caller: environment (LD_PRELOAD,
# LD_LIBRARY_PATH, odd locales, a huge environment), closed or booby-trapped
# standard streams, a full fd table, tiny RLIMIT_NOFILE/RLIMIT_AS, signals
# during the run, a target that exits or whose pid is handed to another
# process between the checks and the write, `fd:N` on anything but a
# process's /proc directory, a /proc that is not procfs or a symlink, and a
# policy database that is missing, corrupt, of another schema version, or
# not root's alone (mode, owner, symlinks, a planted -wal).
#
# Where the right answer is "works normally" the map must be exactly the one
# asked for and stderr empty. Every refusal goes through refused_case: exit
# status 1, exactly one line on stderr matching the expected reason, and the
# target's uid_map, gid_map and setgroups untouched, and exactly one new
# failed CHUSER_ID/CHGRP_ID audit record.
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/lib_audit.sh"
# What the loader does under tiny limits, and LeakSanitizer under ptrace or
# a foreign /proc, differ in a sanitized build: the hostile-caller cases are
# about the shipped binaries (make check runs the plain build first).
grep -qa __asan_init "$BIN/newuidmap" && skip_all "this install is built with AddressSanitizer; hostile-caller cases run against the plain build"

unshare --user true 2>/dev/null || skip_all "unprivileged user namespaces are not available"
NEWUIDMAP=$BIN/newuidmap
NEWGIDMAP=$BIN/newgidmap
for t in pid-swap fd-fill libpreload-marker.so; do
        [ -e "$TOOLS/$t" ] || { not_ok "test tool $t is built at $TOOLS/$t"; done_testing; exit 1; }
done
[ -x "$ADMIND" ] || { not_ok "subid-admind is installed at $ADMIND"; done_testing; exit 1; }

U=$(make_user ad) || { not_ok "create test account"; done_testing; exit 1; }
V=$(make_user adv) || { not_ok "create test account"; done_testing; exit 1; }
uidU=$(id -u "$U") gidU=$(id -g "$U")
work=$(mktemp -d /tmp/subid-t-adversarial.XXXXXX)
chmod 0755 "$work"
at_exit "rm -rf '$work'"
install -d -m 1777 "$work/pub"

start_auditd || { not_ok "auditd starts"; done_testing; exit 1; }
_audit_failed_seen=0

reset_policy
start_admind || { not_ok "start subid-admind"; done_testing; exit 1; }
check "grant ranges to $U" "$SUBIDCTL" grant "$U" --subuids 300000-365535 --subgids 300000-365535
stop_admind

UARGS=(0 "$uidU" 1 1 300000 65536)
GARGS=(0 "$gidU" 1 1 300000 65536)
UNTOUCHED="||allow"
UMAPPED="0 $uidU 1 1 300000 65536||allow"
# a gid range from the database: setgroups stays allow
GMAPPED="|0 $gidU 1 1 300000 65536|allow"

# ---- runners: each runs one case and sets rc, err and maps ---------------------
# maps is "uid_map|gid_map|setgroups" of the target, blanks squeezed.

# in_target CMD...: as $U (environment reset), a fresh process in a new user
# namespace as the target; every @PID@ in CMD becomes its pid.
in_target() {
        local d
        d=$(mktemp -d "$work/case.XXXXXX")
        chown "$U" "$d"
        as_user "$U" bash -c '
                d=$1
                shift
                unshare --user sleep 60 &
                pid=$!
                for ((i = 0; i < 500; i++)); do
                        [ /proc/$pid/ns/user -ef /proc/self/ns/user ] || break
                        sleep 0.01
                done
                args=()
                for a in "$@"; do args+=("${a//@PID@/$pid}"); done
                "${args[@]}" >"$d/out" 2>"$d/err"
                echo $? >"$d/rc"
                for f in uid_map gid_map setgroups; do cat /proc/$pid/$f >"$d/$f"; done
                kill $pid
        ' sh "$d" "$@"
        rc=$(cat "$d/rc" 2>/dev/null || echo "no status")
        err=$(cat "$d/err")
        maps="$(echo $(cat "$d/uid_map"))|$(echo $(cat "$d/gid_map"))|$(echo $(cat "$d/setgroups"))"
}

# swapped FORM WHEN HELPER ARGS...: tests/tools/pid-swap in a fresh pid
# namespace; maps are the victim's (the process that got the target's pid).
swapped() {
        local out
        out=$(unshare -pf --mount-proc "$TOOLS/pid-swap" "$1" "$2" "$U" "$SWAP_VICTIM" "${@:3}" 2>"$work/swap.err")
        local trc=$?
        err=$(cat "$work/swap.err")
        if [ $trc -ne 0 ]; then
                rc="pid-swap could not arrange the swap ($trc)"
                maps=
                return
        fi
        rc=$(sed -n 's/^exit //p' <<<"$out")
        [ -n "$rc" ] || rc=$(sed -n 's/^signal /signal /p' <<<"$out")
        maps="$(sed -n 's/^uid_map://p' <<<"$out" | xargs)|$(sed -n 's/^gid_map://p' <<<"$out" | xargs)|$(sed -n 's/^setgroups://p' <<<"$out" | xargs)"
}

# as_root_target WRAPPER...: a target of $U's started from here; runs
# WRAPPER... as root, every @PID@ replaced by the target's pid (it runs the
# helper however it likes).
as_root_target() {
        local d tpid i a args=()
        d=$(mktemp -d "$work/case.XXXXXX")
        # setpriv itself, not as_user: $! must be the target's pid
        setpriv --reuid="$U" --regid="$gidU" --init-groups --reset-env -- unshare --user sleep 60 &
        tpid=$!
        for ((i = 0; i < 500; i++)); do
                [ /proc/$tpid/ns/user -ef /proc/self/ns/user ] || break
                sleep 0.01
        done
        for a in "$@"; do args+=("${a//@PID@/$tpid}"); done
        "${args[@]}" >"$d/out" 2>"$d/err"
        rc=$?
        err=$(cat "$d/err")
        maps="$(echo $(cat /proc/$tpid/uid_map))|$(echo $(cat /proc/$tpid/gid_map))|$(echo $(cat /proc/$tpid/setgroups))"
        kill "$tpid"
        wait "$tpid" 2>/dev/null
}

# ---- judges ---------------------------------------------------------------------

# refused_case DESC REGEX RUNNER ARGS...: the one place every refusal is
# judged. REGEX "" when the case leaves the helper no stderr to write to.
# WANT_RC=127: refused by the dynamic loader, before the helper's code.
refused_case() {
        local desc=$1 regex=$2
        shift 2
        "$@"
        WANT_AUDIT=${WANT_AUDIT-1} judge_refusal "$desc" "$regex"
}

_audit_failed_count() {
        audit_search -m CHUSER_ID,CHGRP_ID --success no | grep -c '^----'
}

judge_refusal() { # judge_refusal DESC REGEX: on rc, err, maps of the last run
        local desc=$1 regex=$2 lines problems=() want_rc=${WANT_RC:-1}
        lines=$(printf '%s' "$err" | grep -c '')
        [ "$rc" = "$want_rc" ] || problems+=("exit status $rc, want $want_rc")
        if [ -n "$regex" ] && { [ "$lines" -ne 1 ] || ! [[ $err =~ $regex ]]; }; then
                problems+=("want exactly one stderr line matching: $regex")
        fi
        [ "$maps" == "$UNTOUCHED" ] || problems+=("the target changed: $maps")
        # Every refusal the helper's own code makes leaves exactly one record
        # (docs/audit.md; a refusal by the loader, or of a tiny stack, none).
        if [ -n "${WANT_AUDIT:-}" ] && [ "$want_rc" = 1 ]; then
                local n
                audit_wait $((_audit_failed_seen + 1)) -m CHUSER_ID,CHGRP_ID --success no
                n=$(_audit_failed_count)
                [ "$n" -eq $((_audit_failed_seen + 1)) ] ||
                        problems+=("$((n - _audit_failed_seen)) new failed audit records, want exactly 1")
                _audit_failed_seen=$n
        else
                # Not asserted (the loader, a tiny stack, a limit that may
                # also stop the audit socket): start counting afresh.
                sleep 0.2
                _audit_failed_seen=$(_audit_failed_count)
        fi
        if [ ${#problems[@]} -eq 0 ]; then ok "$desc: refused${err:+ ($err)}"; else
                not_ok "$desc: refused cleanly" "${problems[@]}" "stderr: $err"
        fi
}

# works_case DESC EXPECTED-MAPS RUNNER ARGS...: runs normally.
works_case() {
        local desc=$1 want=$2
        shift 2
        "$@"
        if [ "$rc" = 0 ] && [ -z "$err" ] && [ "$maps" == "$want" ]; then ok "$desc: works normally"; else
                not_ok "$desc: works normally" "exit $rc, maps: $maps (want $want)" "stderr: $err"
        fi
}

# works_or_refused DESC EXPECTED-MAPS RUNNER ARGS...: under a limit that may
# or may not leave the helper enough: either it works normally, or it is a
# clean refusal (one line, nothing written).
works_or_refused() {
        local desc=$1 want=$2
        shift 2
        "$@"
        if [ "$rc" = 0 ]; then
                if [ -z "$err" ] && [ "$maps" == "$want" ]; then ok "$desc: works normally"; else
                        not_ok "$desc: works normally" "maps: $maps (want $want)" "stderr: $err"
                fi
        elif [ "$rc" = 127 ] && [ -n "${LOADER_OK:-}" ]; then
                WANT_RC=127 judge_refusal "$desc (by the loader)" \
                        "^$BIN/new[ug]idmap: error while loading shared libraries: libc.so.6: (failed to map segment from shared object|cannot open shared object file: Error 24)$"
        elif [ "$rc" = 139 ] && [ -z "$err" ] && [ -n "${LOADER_OK:-}" ]; then
                # The kernel could not map the binary in that address space
                # and killed it at exec, before any of its code ran.
                WANT_RC=139 judge_refusal "$desc (by the kernel at exec)" ""
        else
                judge_refusal "$desc" '^new[ug]idmap: .'
        fi
}

# ---- baseline: the setup itself works (else every refusal proves nothing) --------
works_case "newuidmap with a held range" "$UMAPPED" in_target "$NEWUIDMAP" @PID@ "${UARGS[@]}"
works_case "newgidmap with a held range" "$GMAPPED" in_target "$NEWGIDMAP" @PID@ "${GARGS[@]}"
refused_case "a range not held" "^newuidmap: uid range \[400000-400010\) -> \[1-11\) not allowed for $U: " \
        in_target "$NEWUIDMAP" @PID@ 1 400000 10

# ---- environment ----------------------------------------------------------------
marker=$work/pub/marker
preload=(env SUBIDT_MARKER="$marker" LD_PRELOAD="$TOOLS/libpreload-marker.so")
rm -f "$marker"
as_user "$U" "${preload[@]}" /bin/true
is "$(cat "$marker" 2>&1)" loaded "LD_PRELOAD'ed marker library runs in an ordinary program (the control)"
rm -f "$marker"
works_case "LD_PRELOAD of a library" "$UMAPPED" in_target "${preload[@]}" "$NEWUIDMAP" @PID@ "${UARGS[@]}"
is "$(cat "$marker" 2>&1)" "cat: $marker: No such file or directory" "the preloaded library never ran in newuidmap"
works_case "LD_PRELOAD and LD_AUDIT in newgidmap" "$GMAPPED" in_target "${preload[@]}" \
        LD_AUDIT="$TOOLS/libpreload-marker.so" "$NEWGIDMAP" @PID@ "${GARGS[@]}"
is "$(cat "$marker" 2>&1)" "cat: $marker: No such file or directory" "the preloaded library never ran in newgidmap"

install -d -m 0755 "$work/badlib"
: >"$work/badlib/libc.so.6"
: >"$work/badlib/libm.so.6"
check_fails "LD_LIBRARY_PATH with an empty libc breaks an ordinary program (the control)" \
        as_user "$U" env LD_LIBRARY_PATH="$work/badlib" /bin/true
works_case "LD_LIBRARY_PATH with an empty libc" "$UMAPPED" in_target \
        env LD_LIBRARY_PATH="$work/badlib" LD_BIND_NOW= LD_DEBUG=all LD_DEBUG_OUTPUT="$work/pub/lddebug" \
        "$NEWUIDMAP" @PID@ "${UARGS[@]}"
is "$(ls "$work/pub" | grep -c lddebug)" 0 "LD_DEBUG_OUTPUT was not written"

odd_locale=(env LC_ALL=tr_TR.UTF-8 LANG=de_DE.UTF-8 LANGUAGE=de:fr LC_NUMERIC=../../../../tmp/x
        LOCPATH="$work/pub" NLSPATH="$work/pub/%N" GCONV_PATH="$work/pub" TZ=/etc/shadow MALLOC_PERTURB_=165
        MALLOC_CHECK_=3 SQLITE_TMPDIR=/nonexistent TMPDIR=/nonexistent HOME=/nonexistent)
works_case "odd locale and libc variables" "$UMAPPED" in_target "${odd_locale[@]}" "$NEWUIDMAP" @PID@ "${UARGS[@]}"
refused_case "a bad count under an odd locale, in English" \
        "^newuidmap: count '1,5' of mapping 1 is not a plain decimal number above 0$" \
        in_target "${odd_locale[@]}" "$NEWUIDMAP" @PID@ 0 "$uidU" 1,5

# 12 variables of 120 KB (each near the kernel's 128 KB per string), then
# 20,000 small ones: about 1.5 MB of environment.
huge_env='big=$(head -c 120000 /dev/zero | tr "\0" x)
        vars=()
        for ((i = 0; i < 12; i++)); do vars+=("BIG$i=$big"); done
        for ((i = 0; i < 20000; i++)); do vars+=("V$i=$i"); done
        exec env "${vars[@]}" "$@"'
works_case "a 1.5 MB environment" "$UMAPPED" in_target bash -c "$huge_env" sh "$NEWUIDMAP" @PID@ "${UARGS[@]}"

# ---- standard streams -----------------------------------------------------------
closed='exec "$@" <&- >&- 2>&-'
works_case "stdin, stdout and stderr closed" "$UMAPPED" in_target bash -c "$closed" sh "$NEWUIDMAP" @PID@ "${UARGS[@]}"
works_case "stdin, stdout and stderr closed, newgidmap" "$GMAPPED" in_target bash -c "$closed" sh \
        "$NEWGIDMAP" @PID@ "${GARGS[@]}"
refused_case "stdin, stdout and stderr closed, a range not held" "" \
        in_target bash -c "$closed" sh "$NEWUIDMAP" @PID@ 1 400000 10
# stderr is the target's uid_map, opened by the caller: an error message
# written there must not become a map (the kernel checks the opener).
refused_case "stderr opened on the target's uid_map" "" \
        in_target bash -c 'exec 2>"/proc/$1/uid_map"; shift; exec "$@"' sh @PID@ "$NEWUIDMAP" @PID@ 1 400000 10
# stderr a pipe nobody reads: the message cannot be written, the exit
# status still says refused (no death by SIGPIPE).
refused_case "stderr a pipe without reader" "" \
        in_target bash -c 'exec 2> >(exit 0); sleep 0.2; exec "$@"' sh "$NEWUIDMAP" @PID@ 1 400000 10

# ---- file descriptors and resource limits -----------------------------------------
# The loader cannot open libc: it refuses with its own one line, exit 127.
WANT_RC=127 refused_case "every fd up to the limit open" \
        "^$BIN/newuidmap: error while loading shared libraries: libc.so.6: cannot open shared object file: Error 24$" \
        in_target "$TOOLS/fd-fill" 256 0 "$NEWUIDMAP" @PID@ "${UARGS[@]}"
works_case "every fd but one open (fds 3-254 inherited)" "$UMAPPED" in_target "$TOOLS/fd-fill" 256 1 \
        "$NEWUIDMAP" @PID@ "${UARGS[@]}"
works_case "a writable fd on a file inherited" "$UMAPPED" in_target bash -c \
        'exec 7>>"$0/inherited"; exec "$@"' "$work/pub" "$NEWUIDMAP" @PID@ "${UARGS[@]}"
for n in 3 4 5 6 7 8 10 12 16; do
        LOADER_OK=1 works_or_refused "RLIMIT_NOFILE $n" "$UMAPPED" in_target prlimit --nofile="$n" "$NEWUIDMAP" @PID@ "${UARGS[@]}"
done
for kb in 1024 2048 3072 4096 6144 8192 12288 16384; do
        LOADER_OK=1 works_or_refused "RLIMIT_AS $kb KiB" "$UMAPPED" in_target prlimit --as=$((kb * 1024)) \
                "$NEWUIDMAP" @PID@ "${UARGS[@]}"
done
for kb in 16 64; do
        WANT_AUDIT= refused_case "RLIMIT_STACK $kb KiB" \
                "^newuidmap: the stack size limit \($kb KiB\) is too small; at least 128 KiB is needed$" \
                in_target prlimit --stack=$((kb * 1024)) "$NEWUIDMAP" @PID@ "${UARGS[@]}"
done
works_case "RLIMIT_STACK 128 KiB" "$UMAPPED" in_target prlimit --stack=131072 "$NEWUIDMAP" @PID@ "${UARGS[@]}"
works_case "RLIMIT_FSIZE 0, RLIMIT_CORE 0, RLIMIT_NPROC 0" "$UMAPPED" in_target prlimit --fsize=0 --core=0 \
        --nproc=0 "$NEWUIDMAP" @PID@ "${UARGS[@]}"

# ---- signals during the run --------------------------------------------------------
# 15 runs per signal, each signalled after a random 0-3 ms: every target
# ends with the whole map or none, never part of one or another.
signals_run='sig=$1; shift
        "$@" 2>/dev/null &
        h=$!
        sleep "0.00$((RANDOM % 4))"
        if [ "$sig" = STOP ]; then kill -STOP $h; sleep 0.05; kill -CONT $h; else kill -"$sig" $h; fi
        wait $h'
for sig in KILL TERM INT HUP STOP; do
        whole=0 none=0 bad=()
        for ((i = 0; i < 15; i++)); do
                in_target bash -c "$signals_run" sh "$sig" "$NEWUIDMAP" @PID@ "${UARGS[@]}"
                case $maps in
                "$UMAPPED") whole=$((whole + 1)) ;;
                "$UNTOUCHED") none=$((none + 1)) ;;
                *) bad+=("$maps") ;;
                esac
        done
        if [ ${#bad[@]} -eq 0 ]; then ok "SIG$sig during the run: whole map or none ($whole whole, $none none)"; else
                not_ok "SIG$sig during the run: whole map or none" "${bad[@]}"
        fi
done

# ---- the target ----------------------------------------------------------------------
refused_case "target pid 1 (root's)" "^newuidmap: target process 1 is owned by a different user" \
        in_target "$NEWUIDMAP" 1 "${UARGS[@]}"
setpriv --reuid="$V" --regid="$(id -g "$V")" --init-groups --reset-env -- unshare --user sleep 60 &
vpid=$!
for ((i = 0; i < 500; i++)); do
        [ /proc/$vpid/ns/user -ef /proc/self/ns/user ] || break
        sleep 0.01
done
at_exit "kill $vpid"
refused_case "target another user's process" "^newuidmap: target process $vpid is owned by a different user \(uid $(id -u "$V") " \
        in_target "$NEWUIDMAP" "$vpid" "${UARGS[@]}"
refused_case "target a pid that does not exist" "^newuidmap: target process 2147483647 does not exist$" \
        in_target "$NEWUIDMAP" 2147483647 "${UARGS[@]}"
refused_case "target a process that has exited" "^newuidmap: target process [0-9]+ does not exist$" \
        in_target bash -c 'sleep 0 & p=$!; wait $p; exec "$1" "$p" "${@:2}"' sh "$NEWUIDMAP" "${UARGS[@]}"

# The target's pid handed to another process, in a fresh pid namespace.
SWAP_VICTIM=$V
refused_case "pid reused by another user's process before the run" \
        "^newuidmap: target process [0-9]+ is owned by a different user" \
        swapped pid before "$NEWUIDMAP" "${UARGS[@]}"
refused_case "fd:N on a process that exited, its pid now another user's" \
        "^newuidmap: target fd:3 is not the /proc/PID directory of a running process$" \
        swapped fd before "$NEWUIDMAP" "${UARGS[@]}"
refused_case "pid reused by another user's process between the checks and the write" \
        "^newuidmap: cannot open the target's uid_map: (No such process|No such file or directory)$" \
        swapped pid during "$NEWUIDMAP" "${UARGS[@]}"
refused_case "fd:N reused between the checks and the write" \
        "^newuidmap: cannot open the target's uid_map: (No such process|No such file or directory)$" \
        swapped fd during "$NEWUIDMAP" "${UARGS[@]}"
refused_case "newgidmap: pid reused between the checks and the setgroups write" \
        "^newgidmap: cannot open the target's setgroups: (No such process|No such file or directory)$" \
        swapped pid during "$NEWGIDMAP" 0 "$gidU" 1
# Even a process of the same user must not receive a map checked for another.
SWAP_VICTIM=$U
refused_case "pid reused by the caller's own new process between the checks and the write" \
        "^newuidmap: cannot open the target's uid_map: (No such process|No such file or directory)$" \
        swapped pid during "$NEWUIDMAP" "${UARGS[@]}"

# ---- fd:N on something else ------------------------------------------------------------
fd_on() { # fd_on PATH-OR-REDIRECT HELPER ARGS...: runs the helper with fd:5 opened as given
        in_target bash -c 'eval "exec 5$0"; exec "$@"' "$@"
}
: >"$work/pub/file"
refused_case "fd:N on a regular file" "^newuidmap: target fd:5 is not a /proc/PID directory$" \
        fd_on "<$work/pub/file" "$NEWUIDMAP" fd:5 "${UARGS[@]}"
refused_case "fd:N on a directory outside procfs" "^newuidmap: target fd:5 is not on procfs$" \
        fd_on "<$work/pub" "$NEWUIDMAP" fd:5 "${UARGS[@]}"
refused_case "fd:N on /dev/null" "^newuidmap: target fd:5 is not a /proc/PID directory$" \
        fd_on "</dev/null" "$NEWUIDMAP" fd:5 "${UARGS[@]}"
refused_case "fd:N on a pipe" "^newuidmap: target fd:5 is not a /proc/PID directory$" \
        fd_on "< <(sleep 1)" "$NEWUIDMAP" fd:5 "${UARGS[@]}"
refused_case "fd:N not open" "^newuidmap: target fd:9 is not an open file descriptor" \
        in_target "$NEWUIDMAP" fd:9 "${UARGS[@]}"
refused_case "fd:N on /proc itself" "^newuidmap: target fd:5 is not the /proc/PID directory of a running process$" \
        fd_on "</proc/." "$NEWUIDMAP" fd:5 "${UARGS[@]}"
refused_case "fd:N on root's /proc/1" "^newuidmap: target process fd:5 is owned by a different user" \
        fd_on "</proc/1/." "$NEWUIDMAP" fd:5 "${UARGS[@]}"
refused_case "fd:N on another user's /proc entry" \
        "^newuidmap: target process fd:5 is owned by a different user \(uid $(id -u "$V") " \
        fd_on "</proc/$vpid/." "$NEWUIDMAP" fd:5 "${UARGS[@]}"
for sub in ns fd task attr net; do
        refused_case "newgidmap fd:N on the target's /proc/PID/$sub" \
                "^newgidmap: target fd:5 is not the /proc/PID directory of a running process$" \
                fd_on "</proc/@PID@/$sub/." "$NEWGIDMAP" fd:5 "${GARGS[@]}"
done
works_case "fd:N on the target's /proc/PID/task/PID (a thread's directory)" "$UMAPPED" \
        fd_on "</proc/@PID@/task/@PID@/." "$NEWUIDMAP" fd:5 "${UARGS[@]}"

# ---- a /proc that is not procfs ----------------------------------------------------------
# Root-only setups (a private mount namespace), to show that the helper
# never follows a symlink or trusts a directory that merely looks like
# /proc/PID.
fake_proc() { # fake_proc MODE TPID: /proc replaced, then the helper as $U
        unshare -m --propagation private bash -c '
                mode=$1 tpid=$2 work=$3 user=$4 helper=$5
                shift 5
                mkdir -p "$work/realproc" && mount -t proc proc "$work/realproc" || exit 9
                mount -t tmpfs tmpfs /proc || exit 9
                if [ "$mode" = symlink ]; then
                        ln -s "$work/realproc/$tpid" "/proc/$tpid"
                else
                        mkdir "/proc/$tpid" && : >"/proc/$tpid/uid_map" && echo allow >"/proc/$tpid/setgroups"
                        chown -R "$user:" "/proc/$tpid"
                fi
                setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups --reset-env -- "$helper" "$tpid" "$@"
                rc=$?
                [ "$mode" = symlink ] || [ ! -s "/proc/$tpid/uid_map" ] || { echo "fake uid_map written" >&2; exit 8; }
                exit $rc
        ' sh "$@"
}
refused_case "/proc/PID a symlink to the real one" "^newuidmap: cannot open /proc/[0-9]+: " \
        as_root_target fake_proc symlink @PID@ "$work" "$U" "$NEWUIDMAP" "${UARGS[@]}"
refused_case "/proc/PID a plain directory with a uid_map file" "^newuidmap: target [0-9]+ is not on procfs$" \
        as_root_target fake_proc dir @PID@ "$work" "$U" "$NEWUIDMAP" "${UARGS[@]}"

# ---- the policy database -------------------------------------------------------------------
dbdir=$(dirname "$DB")
install -d -m 0700 "$work/saved"
cp -a "$DB" "$DB-wal" "$DB-shm" "$work/saved/"
restore_db() {
        rm -rf "$dbdir"
        install -d -m 0755 -o root -g root "$dbdir"
        cp -a "$work/saved/"* "$dbdir/"
}
# db_case DESC REGEX SETUP-COMMAND: SETUP breaks the database, the helper
# refuses, the database is restored.
db_case() {
        restore_db
        if ! bash -c "$3"; then not_ok "$1: set up" "$3"; return; fi
        refused_case "$1" "$2" in_target "$NEWUIDMAP" @PID@ "${UARGS[@]}"
        restore_db
}
works_case "the saved database is usable (the control)" "$UMAPPED" in_target "$NEWUIDMAP" @PID@ "${UARGS[@]}"
P="^newuidmap: "
db_case "database missing" "${P}cannot read policy database $DB: No such file or directory$" "rm -f '$DB'"
db_case "database and its -wal and -shm missing" "${P}cannot read policy database $DB: No such file" "rm -f '$DB'*"
db_case "-wal missing" "${P}cannot read policy database $DB-wal: No such file or directory$" "rm -f '$DB-wal'"
db_case "-shm missing" "${P}cannot read policy database $DB-shm: No such file or directory$" "rm -f '$DB-shm'"
db_case "database directory missing" "${P}cannot read policy database $dbdir: No such file or directory$" \
        "rm -rf '$dbdir'"
db_case "database of random bytes" "${P}policy database: .*(not a database|malformed)" \
        "head -c 65536 /dev/urandom >'$DB'"
db_case "database of zeros" "${P}policy database: .*(not a database|malformed)" \
        "head -c 65536 /dev/zero >'$DB'"
db_case "database truncated to 0 bytes" "${P}policy database $DB has schema version 0, this build reads version 1$" \
        ": >'$DB'"
db_case "database truncated to its first page" "${P}policy database: .*(malformed|not a database|no such table)" \
        "truncate -s 4096 '$DB'"
db_case "database header corrupted" "${P}policy database: .*(not a database|malformed)" \
        "printf 'SQLite format 2\\0' | dd of='$DB' conv=notrunc status=none"
db_case "database of a newer schema version" "${P}policy database $DB has schema version 2, this build reads version 1$" \
        "sqlite3 '$DB' '.filectrl persist_wal on' 'PRAGMA user_version = 2' 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null"
# A read-only reader cannot rebuild the WAL index from a bad -wal header and
# would retry it for 95 s: refused at once, before SQLite sees it.
WAL_BAD="${P}refusing policy database: $DB-wal is not a SQLite write-ahead log \(bad header\)$"
db_case "-wal of random bytes" "$WAL_BAD" "head -c 40000 /dev/urandom >'$DB-wal'"
db_case "-wal with the WAL magic, then random bytes" "$WAL_BAD" \
        "{ printf '\\067\\177\\006\\202'; head -c 39996 /dev/urandom; } >'$DB-wal'"
# Committed but not checkpointed (a writer killed before its checkpoint):
# the rows in -wal count.
restore_db
sqlite3 "$DB" ".filectrl persist_wal on" ".dbconfig no_ckpt_on_close on" \
        "UPDATE ranges SET first = 400000 WHERE kind = 'uid' AND owner_name = '$U'" >/dev/null
if [ -s "$DB-wal" ]; then ok "a committed change left in -wal (the setup)"; else not_ok "a committed change left in -wal"; fi
refused_case "a range moved by a change still in -wal: the old range" "^newuidmap: uid range .* not allowed for $U: " \
        in_target "$NEWUIDMAP" @PID@ "${UARGS[@]}"
works_case "a range moved by a change still in -wal: the new range" "0 $uidU 1 1 400000 65536||allow" \
        in_target "$NEWUIDMAP" @PID@ 0 "$uidU" 1 1 400000 65536
db_case "world-writable database" \
        "${P}refusing policy database: $DB is writable by group or others \(mode 0666\)$" "chmod 0666 '$DB'"
db_case "group-writable database directory" \
        "${P}refusing policy database: $dbdir is writable by group or others \(mode 0775\)$" "chmod 0775 '$dbdir'"
db_case "world-writable -shm" \
        "${P}refusing policy database: $DB-shm is writable by group or others \(mode 0666\)$" "chmod 0666 '$DB-shm'"
db_case "database owned by the caller" "${P}refusing policy database: $DB is owned by uid $uidU, not root$" \
        "chown '$U' '$DB'"
db_case "database owned by another user" "${P}refusing policy database: $DB is owned by uid $(id -u "$V"), not root$" \
        "chown '$V' '$DB'"
db_case "database directory owned by the caller" \
        "${P}refusing policy database: $dbdir is owned by uid $uidU, not root$" "chown '$U' '$dbdir'"
db_case "a -wal planted by the caller" "${P}refusing policy database: $DB-wal is owned by uid $uidU, not root$" \
        "chown '$U' '$DB-wal'"
db_case "database a symlink to a root-owned copy" "${P}refusing policy database: $DB is not a regular file$" \
        "cp -a '$DB' '$work/saved.db' && rm '$DB' && ln -s '$work/saved.db' '$DB'"
db_case "-wal a symlink" "${P}refusing policy database: $DB-wal is not a regular file$" \
        "mv '$DB-wal' '$work/wal' && ln -s '$work/wal' '$DB-wal'"
db_case "-shm a symlink" "${P}refusing policy database: $DB-shm is not a regular file$" \
        "mv '$DB-shm' '$work/shm' && ln -s '$work/shm' '$DB-shm'"
db_case "database directory a symlink" "${P}refusing policy database: $dbdir is not a directory$" \
        "mv '$dbdir' '$work/dbdir' && ln -s '$work/dbdir' '$dbdir'"
db_case "database a directory" "${P}refusing policy database: $DB is not a regular file$" \
        "rm -f '$DB' && mkdir '$DB'"
db_case "database a FIFO" "${P}refusing policy database: $DB is not a regular file$" "rm -f '$DB' && mkfifo '$DB'"
restore_db
works_case "the restored database is usable again" "$UMAPPED" in_target "$NEWUIDMAP" @PID@ "${UARGS[@]}"

done_testing
