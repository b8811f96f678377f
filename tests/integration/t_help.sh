#!/bin/bash
# --help and --version of every installed binary (also without privilege,
# and for the helpers without their file capabilities), shadow's usage
# errors kept, `subidctl COMMAND --help` for every command, and a helper's
# refusal for a missing range pointing at `subidctl doctor`.
. "$SRCDIR/tests/integration/lib.sh"

VERSION=$(sed -n 's/^VERSION *:= *//p' "$SRCDIR/Makefile")
A=$(make_user ech1) || { not_ok "create test accounts"; done_testing; exit 1; }
work=$(mktemp -d /tmp/subid-t-help.XXXXXX)
chmod 0755 "$work"
at_exit "rm -rf '$work'"

# info BIN ARG: exit 0, something on stdout, nothing on stderr, as an
# unprivileged user; prints stdout.
info_ok() { # info_ok DESCRIPTION PATTERN COMMAND...
        local desc=$1 pattern=$2 out err rc
        shift 2
        out=$(as_user "$A" "$@" 2>"$work/err")
        rc=$?
        err=$(cat "$work/err")
        if [ "$rc" -eq 0 ] && [ -z "$err" ] && grep -qE -- "$pattern" <<<"$out"; then
                ok "$desc"
        else
                not_ok "$desc" "command: $*" "exit $rc" "stdout: $out" "stderr: $err" "want: $pattern"
        fi
}

for b in "$BIN/newuidmap" "$BIN/newgidmap" "$BIN/subid-request" "$SBIN/subidctl" "$SBIN/subid-admind"; do
        name=${b##*/}
        info_ok "$name --version" "^$name \\(subid\\) $VERSION\$" "$b" --version
        info_ok "$name --help" "^usage: $name" "$b" --help
done

# The helpers answer without any capability: a copy without file capabilities.
cp "$BIN/newuidmap" "$work/newuidmap"
is "$(getcap "$work/newuidmap")" "" "the copy of newuidmap has no file capabilities"
info_ok "newuidmap --help needs no capability" "^usage: newuidmap" "$work/newuidmap" --help
info_ok "newuidmap --version needs no capability" "^newuidmap \\(subid\\)" "$work/newuidmap" --version
out=$(as_user "$A" "$work/newuidmap" 1 0 0 1 2>&1)
grep -q "no cap_setuid capability" <<<"$out" && ok "...while a real run of it still refuses: $out" ||
        not_ok "a real run of the copy without capabilities refuses" "$out"

# shadow compatibility: anything else with too few arguments stays a usage
# error (exit 1, usage on stderr); --help among other arguments is no option.
for args in "-h" "-V" "--help 1" "--version 0 0 1"; do
        out=$(as_user "$A" "$BIN/newuidmap" $args 2>"$work/err")
        rc=$?
        if [ "$rc" -eq 1 ] && [ -z "$out" ] && [ -s "$work/err" ]; then
                ok "newuidmap $args: exit 1 as in shadow"
        else
                not_ok "newuidmap $args: exit 1 as in shadow" "exit $rc" "stdout: $out" "stderr: $(cat "$work/err")"
        fi
done

# Every subidctl command has its own --help.
for c in grant revoke list who-owns import group requests approve reject sync quarantine doctor; do
        info_ok "subidctl $c --help" "usage|subidctl $c" "$SBIN/subidctl" "$c" --help
done
check_fails "subidctl with an unknown option fails" "$SBIN/subidctl" --bogus

# ---- a refusal for a missing range points at subidctl doctor ---------------------
reset_policy
start_admind || { not_ok "subid-admind starts"; done_testing; exit 1; }
out=$(as_user "$A" bash -c "$USERNS_TARGET"'
        "$0" "$pid" 0 500000 10
        echo "rc=$?"
        kill $pid' "$BIN/newuidmap" 2>&1)
is "$(grep -c '' <<<"$out")" 2 "one line of error, then the status"
grep -qx "newuidmap: uid range \[500000-500010) -> \[0-10) not allowed for $A: not in your subordinate ranges or delegations (run 'subidctl doctor $A' as an admin to see why)" <<<"$(head -1 <<<"$out")" &&
        ok "the refusal names the cause and points at subidctl doctor $A" ||
        not_ok "the refusal names the cause and points at subidctl doctor $A" "$out"
grep -qx "rc=1" <<<"$(tail -1 <<<"$out")" && ok "...with exit status 1" || not_ok "...with exit status 1" "$out"
doc=$("$SUBIDCTL" doctor "$A" 2>&1)
grep -qi "subidctl grant $A" <<<"$doc" && ok "and doctor $A names the fix: subidctl grant" ||
        not_ok "and doctor $A names the fix: subidctl grant" "$doc"

done_testing
