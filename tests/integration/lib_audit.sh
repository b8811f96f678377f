# Audit helpers for integration tests (sourced after lib.sh).
#
# start_auditd gives the test an audit log of its own: a private auditd
# (config, log and plugin dir in a temp dir, flush = SYNC) when none runs, or,
# when the machine's auditd already runs, the part of its log written after
# the test started. Either way AUDIT_LOG names a file for `ausearch -if`, and
# the kernel's audit settings are restored at exit.
#
#   start_auditd                 sets AUDIT_LOG; skips the test when audit cannot work here
#   as_login_user USER CMD...    runs CMD as USER with loginuid = USER's uid, as pam_loginuid does
#   with_loginuid USER CMD...    runs CMD as root with loginuid = USER's uid (USER's sudo, say)
#   audit_search ARGS...         ausearch over this test's records (prints them, fails when none)
#   audit_wait N ARGS...         waits up to 5 s until ausearch ARGS finds at least N events
#   run_helper USER TOOL ARGS... TOOL (a helper) as a logged-in USER on a fresh user namespace

AUDIT_LOG=
_audit_dir=
_audit_pid=
_audit_system_log=
_audit_system_offset=0

_audit_status() { # _audit_status FIELD: prints FIELD from `auditctl -s`
        auditctl -s 2>/dev/null | sed -n "s/^$1 //p"
}

start_auditd() {
        command -v auditd >/dev/null && command -v ausearch >/dev/null ||
                skip_all "auditd and ausearch are not installed (package auditd)"
        [ "$(_audit_status enabled)" != "" ] || skip_all "this kernel has no audit support (auditctl -s fails)"
        [ "$(_audit_status enabled)" != 2 ] || skip_all "audit configuration is locked (enabled 2)"
        _audit_dir=$(mktemp -d /tmp/subidt-audit.XXXXXX)
        local enabled backlog wait_time
        enabled=$(_audit_status enabled)
        backlog=$(_audit_status backlog_limit)
        wait_time=$(_audit_status backlog_wait_time)
        at_exit "auditctl -e $enabled -b $backlog --backlog_wait_time $wait_time; rm -rf $_audit_dir"
        # Bursts must not overflow the kernel's queue (default 64 records).
        auditctl -b 8192 >/dev/null

        local running
        running=$(_audit_status pid)
        if [ -n "$running" ] && [ "$running" != 0 ]; then
                # The machine's own auditd: read what it appends from now on.
                _audit_system_log=$(sed -n 's/^[[:space:]]*log_file[[:space:]]*=[[:space:]]*//p' /etc/audit/auditd.conf)
                : "${_audit_system_log:=/var/log/audit/audit.log}"
                _audit_system_offset=$(stat -c %s "$_audit_system_log" 2>/dev/null || echo 0)
                AUDIT_LOG=$_audit_dir/audit.log
                auditctl -e 1 >/dev/null
                return 0
        fi

        mkdir "$_audit_dir/plugins.d"
        cat >"$_audit_dir/auditd.conf" <<EOF
local_events = yes
write_logs = yes
log_file = $_audit_dir/audit.log
log_format = ENRICHED
flush = SYNC
max_log_file = 1024
num_logs = 0
max_log_file_action = IGNORE
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
plugin_dir = $_audit_dir/plugins.d
q_depth = 20000
overflow_action = IGNORE
end_of_event_timeout = 2
EOF
        chmod 0600 "$_audit_dir/auditd.conf"
        auditd -n -s enable -c "$_audit_dir" >"$_audit_dir/auditd.out" 2>&1 8>&- &
        _audit_pid=$!
        at_exit stop_auditd
        local i
        for ((i = 0; i < 100; i++)); do
                [ "$(_audit_status pid)" == "$_audit_pid" ] && [ -e "$_audit_dir/audit.log" ] && break
                kill -0 "$_audit_pid" 2>/dev/null || break
                sleep 0.05
        done
        if [ "$(_audit_status pid)" != "$_audit_pid" ]; then
                echo "# auditd did not start:" && sed 's/^/#   /' "$_audit_dir/auditd.out"
                return 1
        fi
        AUDIT_LOG=$_audit_dir/audit.log
}

stop_auditd() {
        [ -n "$_audit_pid" ] || return 0
        kill "$_audit_pid" 2>/dev/null || true
        wait "$_audit_pid" 2>/dev/null || true
        _audit_pid=
}

_audit_refresh() { # with the machine's auditd, copy the records appended since start_auditd
        [ -n "$_audit_system_log" ] || return 0
        tail -c +"$((_audit_system_offset + 1))" "$_audit_system_log" >"$AUDIT_LOG" 2>/dev/null
}

audit_search() {
        _audit_refresh
        ausearch -if "$AUDIT_LOG" "$@" 2>/dev/null
}

audit_wait() { # audit_wait N ARGS...
        local n=$1 i got
        shift
        for ((i = 0; i < 100; i++)); do
                got=$(audit_search "$@" | grep -c '^----')
                [ "$got" -ge "$n" ] && return 0
                sleep 0.05
        done
        return 1
}

as_login_user() { # as_login_user USER COMMAND...: loginuid set to USER's uid first (pam_loginuid's job)
        local uid
        uid=$(id -u "$1") || return 1
        bash -c 'echo "$1" >/proc/self/loginuid && shift && exec "$@"' _ "$uid" \
                setpriv --reuid="$1" --regid="$(id -g "$1")" --init-groups --reset-env -- "${@:2}"
}

with_loginuid() { # with_loginuid USER COMMAND...: stays root, loginuid set to USER's uid
        local uid
        uid=$(id -u "$1") || return 1
        bash -c 'echo "$1" >/proc/self/loginuid && shift && exec "$@"' _ "$uid" "${@:2}"
}

# run_helper USER TOOL ARGS...: as USER (loginuid = USER's uid), starts a
# process in a new user namespace and runs TOOL ARGS, the word PID standing
# for that process; prints "PID EXIT-STATUS".
run_helper() {
        local user=$1
        shift
        as_login_user "$user" bash -c "$USERNS_TARGET"'
                tool=$1
                shift
                args=()
                for a in "$@"; do
                        [ "$a" == PID ] && a=$pid
                        args+=("$a")
                done
                "$tool" "${args[@]}" >/dev/null 2>&1
                echo "$pid $?"
                kill $pid' _ "$@"
}
