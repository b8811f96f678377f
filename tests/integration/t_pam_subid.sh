#!/bin/bash
# pam_subid.so with real PAM (pamtester) and a directory user that only NSS
# knows (libnss-extrausers): open_session asks subid-admind for a range,
# the second session allocates nothing more, and a login never fails or
# waits long: daemon stopped, a socket that never answers, a refusal. Each
# failure is a warning in syslog.
. "${SRCDIR:?}/tests/integration/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (namespaces, PAM)"
command -v pamtester >/dev/null || skip_all "pamtester is not installed (scripts/install-deps.sh)"
dpkg-query -W -f='${Status}' libnss-extrausers 2>/dev/null | grep -q "install ok installed" ||
        skip_all "libnss-extrausers is not installed (scripts/install-deps.sh)"
command -v python3 >/dev/null || skip_all "python3 is needed for the syslog and silent-socket stand-ins"

MODULE=$CHECK_ROOT/usr/lib/security/pam_subid.so
[ -f "$MODULE" ] && ok "pam_subid.so is installed" || { not_ok "pam_subid.so is installed"; done_testing; exit 1; }
is "$(nm -D --defined-only "$MODULE" | awk '{ print $3 }' | sort | tr '\n' ' ')" \
        "pam_sm_close_session pam_sm_open_session " "it exports the PAM session entry points only"

# A private mount namespace: a copy of /etc (nsswitch.conf with extrausers,
# the PAM service, subid.conf) over /etc and the check install's
# SYSCONFDIR, the directory users in /var/lib/extrausers, and a /dev whose
# /dev/log is our own syslog stand-in. Nothing of the machine's changes.
work=$(mktemp -d /tmp/subid-t-pam.XXXXXX)
at_exit "rm -rf '$work'"
# (Temporary files of a useradd running elsewhere may vanish under cp.)
cp -a /etc "$work/etc" 2>/dev/null
[ -s "$work/etc/passwd" ] && [ -s "$work/etc/group" ] || { not_ok "a copy of /etc"; done_testing; exit 1; }
mkdir -p "$CHECK_ROOT/etc"
rm -f "$work/etc/subuid" "$work/etc/subgid"
sed -i -e 's/^passwd:.*/passwd:         files extrausers/' -e 's/^group:.*/group:          files extrausers/' \
        "$work/etc/nsswitch.conf"
mkdir -p "$work/etc/subid" "$work/extrausers" "$work/dev" "$work/olddev"
: >"$work/extrausers/passwd"
: >"$work/extrausers/group"
# Directory users in 66500-66599 are "login accounts" for subid; 66900 is not.
cat >"$work/etc/subid/subid.conf" <<EOF
auto_allocate = yes
auto_uid_min = 66500
auto_uid_max = 66599
EOF
cat >"$work/etc/pam.d/subidt-pam" <<EOF
session required $MODULE debug
EOF
cat >"$work/etc/pam.d/subidt-pam-fast" <<EOF
session required $MODULE timeout=200
EOF
cat >"$work/syslogd.py" <<'EOF'
import os, socket, sys
open(sys.argv[2], "w").write(str(os.getpid()))
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
with open(sys.argv[1], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536) + b"\n")
EOF

unshare -m --propagation private sh -c '
        w=$0 cr=$1
        mount --bind "$w/etc" /etc && mount --bind "$w/etc" "$cr/etc" &&
        mount --bind "$w/extrausers" /var/lib/extrausers &&
        mount --rbind /dev "$w/olddev" && mount -t tmpfs -o mode=0755 subidt-dev /dev || exit 1
        for n in null zero full random urandom tty; do
                touch "/dev/$n" && mount --bind "$w/olddev/$n" "/dev/$n" || exit 1
        done
        mkdir /dev/pts /dev/shm && mount --bind "$w/olddev/pts" /dev/pts && mount --bind "$w/olddev/shm" /dev/shm
        touch /etc/.subidt-ns
        exec sleep infinity' "$work" "$CHECK_ROOT" 8>&- &
holder=$!
at_exit "kill $holder"
for ((i = 0; i < 100; i++)); do
        nsenter -t "$holder" -m test -e /etc/.subidt-ns 2>/dev/null && break
        sleep 0.05
done
ns() { nsenter -t "$holder" -m -- "$@"; }
ns test -e /etc/.subidt-ns || { not_ok "the test namespace is set up"; done_testing; exit 1; }

SYSLOG=$work/syslog
: >"$SYSLOG"
# Its own pid from a file: whatever nsenter and pyenv put in between, the
# process that must go is the listener (it would keep the namespace alive
# and hold the test's output open).
nsenter -t "$holder" -m -- python3 "$work/syslogd.py" "$SYSLOG" "$work/syslogd.pid" </dev/null >/dev/null 2>&1 8>&- &
at_exit 'kill "$(cat "$work/syslogd.pid")"' 
for ((i = 0; i < 100; i++)); do
        ns test -S /dev/log && break
        sleep 0.05
done

cat >"$work/admind-ns" <<EOF
#!/bin/sh
exec nsenter -t $holder -m -- "$ADMIND"
EOF
chmod +x "$work/admind-ns"
stop_admind
reset_policy
real_admind=$ADMIND
ADMIND=$work/admind-ns
start_admind || { not_ok "subid-admind starts in the namespace"; done_testing; exit 1; }

# The directory users appear after the daemon started: its start-up sync
# must not be what gives them ranges; only pam_subid does.
add_dir_user() { # add_dir_user NAME UID
        echo "$1:x:$2:$2:directory user:/nonexistent:/bin/sh" >>"$work/extrausers/passwd"
        echo "$1:x:$2:" >>"$work/extrausers/group"
}
add_dir_user subidt_aadir 66500
add_dir_user subidt_aadir2 66501
add_dir_user subidt_aadir3 66502
add_dir_user subidt_aadirsys 66900
is "$(ns getent passwd subidt_aadir | cut -d: -f3)" 66500 "the directory user resolves through NSS (extrausers)"
grep -q "^subidt_aadir:" "$work/etc/passwd" && not_ok "… and is not a local account" || ok "… and is not a local account"

ranges_of() {
        sqlite3 "$DB" "SELECT group_concat(kind || ':' || first || ':' || count, ' ') FROM
                (SELECT * FROM ranges WHERE owner_name = '$1' ORDER BY kind DESC, first)"
}
# pamtester SERVICE USER open_session in the namespace; sets $ms
session() {
        local t0 rc
        t0=$(date +%s%N)
        ns pamtester "$1" "$2" open_session close_session >"$work/pamtester.out" 2>&1
        rc=$?
        ms=$((($(date +%s%N) - t0) / 1000000))
        return $rc
}

# ---- a directory user without a range ---------------------------------------------
is "$(ranges_of subidt_aadir)" "" "before the session the directory user holds nothing"
session subidt-pam subidt_aadir && ok "pamtester open_session succeeds (${ms} ms)" ||
        not_ok "pamtester open_session succeeds" "$(cat "$work/pamtester.out")"
echo "# open_session with allocation: ${ms} ms"
first=$(ranges_of subidt_aadir)
[ "$(echo "$first" | wc -w)" -eq 2 ] && ok "the session gave the directory user a subuid and a subgid range" ||
        not_ok "the session gave the directory user a subuid and a subgid range" "$first" "$(tail -n5 "$ADMIND_LOG")"
grep -q "^subidt_aadir:" "$work/etc/subuid" && grep -q "^subidt_aadir:" "$work/etc/subgid" &&
        ok "… exported to the subuid and subgid files" || not_ok "… exported to the subuid and subgid files"
is "$(sqlite3 "$DB" "SELECT DISTINCT owner_uid FROM ranges WHERE owner_name = 'subidt_aadir'")" 66500 "… under its uid"
grep -q "auto: allocated subuids .* to subidt_aadir (uid 66500): opened a session without a range (pam_subid" \
        "$ADMIND_LOG" && ok "the daemon logs the allocation, naming the account" ||
        not_ok "the daemon logs the allocation, naming the account" "$(tail -n3 "$ADMIND_LOG")"
grep -q "pam_subid.*allocated subuids .* to subidt_aadir" "$SYSLOG" && ok "pam_subid says so in syslog" ||
        not_ok "pam_subid says so in syslog" "$(cat "$SYSLOG")"

session subidt-pam subidt_aadir && ok "a second session succeeds (${ms} ms)" || not_ok "a second session succeeds"
echo "# open_session, range held already: ${ms} ms"
is "$(ranges_of subidt_aadir)" "$first" "… and allocates nothing more (idempotent)"
grep -q "pam_subid.*subidt_aadir holds subordinate ids already" "$SYSLOG" && ok "… (debug says the user holds ids)" ||
        not_ok "… (debug says the user holds ids)" "$(cat "$SYSLOG")"

# ---- refusals -----------------------------------------------------------------------
: >"$SYSLOG"
session subidt-pam subidt_aadirsys && ok "a user outside the automatic range: the session succeeds" ||
        not_ok "a user outside the automatic range: the session succeeds" "$(cat "$work/pamtester.out")"
is "$(ranges_of subidt_aadirsys)" "" "… and gets nothing"
grep -q "pam_subid.*nothing to allocate for subidt_aadirsys: uid 66900 is outside the automatic range" "$SYSLOG" &&
        ok "… no warning: debug says why" || not_ok "… no warning: debug says why" "$(cat "$SYSLOG")"
session subidt-pam root && ok "root's session: nothing to do either" || not_ok "root's session: nothing to do either"
session subidt-pam subidt_nosuchuser && ok "an unknown user: the session module still succeeds" ||
        not_ok "an unknown user: the session module still succeeds" "$(cat "$work/pamtester.out")"
check "a revoke" "$SUBIDCTL" revoke subidt_aadir
: >"$SYSLOG"
session subidt-pam subidt_aadir && ok "a revoked user's session succeeds" || not_ok "a revoked user's session succeeds"
is "$(ranges_of subidt_aadir)" "" "… and gets nothing back"
grep -q "pam_subid.*subid-admind allocated nothing for subidt_aadir: ensure: an administrator revoked" "$SYSLOG" &&
        ok "… a refusal: a warning in syslog naming the reason" ||
        not_ok "… a refusal: a warning in syslog naming the reason" "$(cat "$SYSLOG")"

# ---- daemon stopped -------------------------------------------------------------------
stop_admind
ADMIND=$real_admind
: >"$SYSLOG"
session subidt-pam subidt_aadir2 && ok "daemon stopped: the session succeeds (${ms} ms)" ||
        not_ok "daemon stopped: the session succeeds" "$(cat "$work/pamtester.out")"
echo "# open_session, daemon stopped: ${ms} ms"
[ "$ms" -lt 1000 ] && ok "… without waiting" || not_ok "… without waiting" "took ${ms} ms"
is "$(ranges_of subidt_aadir2)" "" "… and nothing is allocated"
grep -q "pam_subid.*subid-admind is not running" "$SYSLOG" && ok "… a warning in syslog" ||
        not_ok "… a warning in syslog" "$(cat "$SYSLOG")"

# ---- a socket that never answers --------------------------------------------------------
# Listening but never accepting: connect and send succeed, the answer never
# comes. The module gives up after its timeout (1 s; 200 ms with timeout=200).
cat >"$work/silent.py" <<'EOF'
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(sys.argv[1])
s.listen(16)
open(sys.argv[2], "w").write(str(os.getpid()))
time.sleep(3600)
EOF
rm -f "$ADMIND_SOCKET" "$work/silent.ready"
python3 "$work/silent.py" "$ADMIND_SOCKET" "$work/silent.ready" </dev/null >/dev/null 2>&1 8>&- &
at_exit "rm -f '$ADMIND_SOCKET'"
at_exit '[ -s "$work/silent.ready" ] && kill "$(cat "$work/silent.ready")"'
for ((i = 0; i < 100; i++)); do [ -s "$work/silent.ready" ] && break; sleep 0.05; done
: >"$SYSLOG"
session subidt-pam subidt_aadir3 && ok "a daemon that never answers: the session succeeds (${ms} ms)" ||
        not_ok "a daemon that never answers: the session succeeds" "$(cat "$work/pamtester.out")"
echo "# open_session, silent socket, default timeout: ${ms} ms"
[ "$ms" -ge 900 ] && [ "$ms" -lt 2000 ] && ok "… after the 1 s timeout" || not_ok "… after the 1 s timeout" "took ${ms} ms"
grep -q "pam_subid.*did not answer within 1000 ms" "$SYSLOG" && ok "… a warning in syslog" ||
        not_ok "… a warning in syslog" "$(cat "$SYSLOG")"
session subidt-pam-fast subidt_aadir3 && ok "timeout=200: the session succeeds (${ms} ms)" ||
        not_ok "timeout=200: the session succeeds" "$(cat "$work/pamtester.out")"
echo "# open_session, silent socket, timeout=200: ${ms} ms"
[ "$ms" -lt 800 ] && ok "… sooner" || not_ok "… sooner" "took ${ms} ms"
kill "$(cat "$work/silent.ready")"
rm -f "$ADMIND_SOCKET" "$work/silent.ready"
is "$(ranges_of subidt_aadir3)" "" "nothing was allocated"

reset_policy
done_testing
