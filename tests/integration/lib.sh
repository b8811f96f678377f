# Shared helpers for integration tests (sourced). TAP output.
#
# Environment (set by tests/integration/run.sh):
#   CHECK_ROOT  private install whose compiled-in paths all point under it
#   SRCDIR      the source tree
# Test accounts are named subidt_* and removed when the test exits.

set -u
: "${CHECK_ROOT:?run through tests/integration/run.sh}"
: "${SRCDIR:?run through tests/integration/run.sh}"

BIN=$CHECK_ROOT/usr/bin
SBIN=$CHECK_ROOT/usr/sbin
SUBIDCTL=$SBIN/subidctl
DB=$CHECK_ROOT/var/lib/subid/subid.db
EXPORT_SUBUID=$CHECK_ROOT/etc/subuid
EXPORT_SUBGID=$CHECK_ROOT/etc/subgid

# One test file at a time on this machine: tests create real accounts
# (useradd locks /etc/passwd), fixed uids and the one auditd. Parallel runs
# from several checkouts queue here instead of failing at random.
# A test that re-runs itself as root (bash "$0" --inner in a private mount
# namespace) sources this file again while its parent holds the lock:
# locking again on a new descriptor would wait for itself for an hour.
if [ -z "${SUBID_INTEGRATION_LOCK_HELD:-}" ]; then
        exec 8>/tmp/subid-integration.lock
        flock -w 3600 8 || { echo "not ok - another integration run held the lock for an hour" && exit 1; }
        export SUBID_INTEGRATION_LOCK_HELD=1
fi

_tap_n=0
_tap_failed=0
_cleanups=()
# Accounts are recorded in a file, not a variable: make_user is used as
# A=$(make_user x), and a subshell's variables never reach the EXIT trap.
_accounts_file=$(mktemp /tmp/subidt-accounts.XXXXXX)

ok() { # ok DESCRIPTION
        _tap_n=$((_tap_n + 1))
        echo "ok $_tap_n - $*"
}

not_ok() { # not_ok DESCRIPTION [DETAIL...]
        _tap_n=$((_tap_n + 1))
        _tap_failed=$((_tap_failed + 1))
        echo "not ok $_tap_n - $1"
        shift
        local line
        for line in "$@"; do
                printf '%s\n' "$line" | sed 's/^/#   /'
        done
}

check() { # check DESCRIPTION COMMAND... : ok if COMMAND succeeds
        local desc=$1
        shift
        local out
        if out=$("$@" 2>&1); then ok "$desc"; else not_ok "$desc" "command: $*" "$out"; fi
}

check_fails() { # check_fails DESCRIPTION COMMAND... : ok if COMMAND fails
        local desc=$1
        shift
        local out
        if out=$("$@" 2>&1); then not_ok "$desc" "command unexpectedly succeeded: $*" "$out"; else ok "$desc"; fi
}

is() { # is GOT EXPECTED DESCRIPTION
        if [ "$1" == "$2" ]; then ok "$3"; else not_ok "$3" "got:      $1" "expected: $2"; fi
}

skip_all() { # skip_all REASON: the whole test cannot run here
        echo "1..0 # SKIP $*"
        exit 0
}

done_testing() {
        echo "1..$_tap_n"
        [ "$_tap_failed" -eq 0 ]
}

at_exit() { _cleanups+=("$*"); }

_run_cleanups() {
        local i
        for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do eval "${_cleanups[i]}" >/dev/null 2>&1 || true; done
        local kind name
        while read -r kind name; do
                case $kind in
                user)
                        userdel -f "$name" >/dev/null 2>&1 || true
                        # Its user-private group stays when the account was renamed (usermod -l).
                        groupdel "$name" >/dev/null 2>&1 || true
                        ;;
                group) groupdel "$name" >/dev/null 2>&1 || true ;;
                esac
        done < <(tac "$_accounts_file")
        rm -f "$_accounts_file"
}
trap _run_cleanups EXIT

make_user() { # make_user NAME [useradd args...]: creates test account subidt_NAME, prints its name
        local name=subidt_$1
        shift
        userdel -f "$name" >/dev/null 2>&1 || true
        groupdel "$name" >/dev/null 2>&1 || true
        echo "user $name" >>"$_accounts_file"
        # SUB_*_COUNT=0: Debian's useradd would otherwise append the account
        # to the real /etc/subuid and /etc/subgid.
        useradd -M -d /nonexistent -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$@" "$name" >/dev/null || return 1
        echo "$name"
}

make_group() { # make_group NAME [groupadd args...]: creates group subidt_NAME, prints its name
        local name=subidt_$1
        shift
        groupdel "$name" >/dev/null 2>&1 || true
        echo "group $name" >>"$_accounts_file"
        groupadd "$@" "$name" >/dev/null || return 1
        echo "$name"
}

# Shell text that starts a script run with `bash -c "$USERNS_TARGET"'...'`:
# a process of the caller's in a new user namespace, its pid in $pid once it
# is in there (the target a helper maps; it sleeps 30 s).
USERNS_TARGET='me=$(readlink /proc/self/ns/user)
unshare --user sleep 30 &
pid=$!
for ((i = 0; i < 500; i++)); do
        [ "$(readlink /proc/$pid/ns/user 2>/dev/null)" != "$me" ] && break
        sleep 0.01
done
'

as_user() { # as_user USER COMMAND...: runs with the user's real ids and groups
        setpriv --reuid="$1" --regid="$(id -g "$1")" --init-groups --reset-env -- "${@:2}"
}

reset_policy() { # empty database and exported files; a running daemon is restarted on the fresh database
        local was_running=
        if [ -n "${ADMIND_PID:-}" ]; then
                was_running=1
                stop_admind
        fi
        rm -f "$DB" "$DB-wal" "$DB-shm" "$EXPORT_SUBUID" "$EXPORT_SUBGID" "$EXPORT_SUBUID-" "$EXPORT_SUBGID-"
        # Temp files an export killed mid-way (SIGKILL tests) may have left.
        rm -f "$CHECK_ROOT"/etc/.subuid.* "$CHECK_ROOT"/etc/.subgid.*
        if [ -n "$was_running" ]; then start_admind; fi
}

# ---- subid-admind -----------------------------------------------------------
ADMIND=$SBIN/subid-admind
SUBID_REQUEST=$BIN/subid-request
ADMIND_SOCKET=$CHECK_ROOT/run/subid/admind.sock
ADMIND_LOG=$CHECK_ROOT/admind.log
ADMIND_PID=
TOOLS=$CHECK_ROOT/tools

start_admind() { # starts subid-admind in the background; returns once its socket exists
        if [ -n "$ADMIND_PID" ] && kill -0 "$ADMIND_PID" 2>/dev/null; then return 0; fi
        "$ADMIND" >>"$ADMIND_LOG" 2>&1 8>&- &
        ADMIND_PID=$!
        if [ -z "${_admind_cleanup:-}" ]; then
                at_exit stop_admind
                _admind_cleanup=1
        fi
        # Up to 60 s: a first start over 10,000 accounts (t_autoalloc) syncs
        # before it listens, which takes >10 s in the sanitized build.
        local i
        for ((i = 0; i < 1200; i++)); do
                [ -S "$ADMIND_SOCKET" ] && return 0
                kill -0 "$ADMIND_PID" 2>/dev/null || break
                sleep 0.05
        done
        echo "# subid-admind did not come up; log:" && sed 's/^/#   /' "$ADMIND_LOG"
        return 1
}

stop_admind() { # stops the daemon started by start_admind (SIGTERM, then waits)
        [ -n "$ADMIND_PID" ] || return 0
        kill "$ADMIND_PID" 2>/dev/null || true
        wait "$ADMIND_PID" 2>/dev/null || true
        ADMIND_PID=
}
