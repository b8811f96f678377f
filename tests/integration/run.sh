#!/bin/bash
# Runs every tests/integration/t_*.sh and tests/e2e/t_*.sh as root against a private install
# under CHECK_ROOT, and prints one summary line.
set -u
CHECK_ROOT=${1:-/tmp/subid-check}
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
export CHECK_ROOT SRCDIR

if [ "$(id -u)" -ne 0 ]; then
        echo "integration tests need root (they create test users and namespaces)" >&2
        exit 1
fi

# The helpers run as unprivileged test users: everything up to CHECK_ROOT
# must be traversable by them, and nothing there may be writable by them.
rm -rf "$CHECK_ROOT"
install -d -m 0755 "$CHECK_ROOT"
# SUBID_CHECK_MAKE_ARGS: extra make variables for the install, e.g. a
# sanitizer build (make check-sanitize). Its processes write any report to
# SUBID_SANITIZER_LOG_DIR (compiled in): writable by the unprivileged test
# users, so outside CHECK_ROOT.
if [ -n "${SUBID_SANITIZER_LOG_DIR:-}" ]; then
        rm -rf "$SUBID_SANITIZER_LOG_DIR"
        install -d -m 1777 "$SUBID_SANITIZER_LOG_DIR"
fi
# shellcheck disable=SC2086 # a list of VAR=value words
make -s -C "$SRCDIR" check-install CHECK_ROOT="$CHECK_ROOT" ${SUBID_CHECK_MAKE_ARGS:-} >"$CHECK_ROOT/install.log" 2>&1 || {
        cat "$CHECK_ROOT/install.log" >&2
        echo "integration: cannot build the test install" >&2
        exit 1
}

passed=0 failed=0 skipped=0
for t in "$SRCDIR"/tests/integration/t_*.sh "$SRCDIR"/tests/e2e/t_*.sh ${SUBID_EXTRA_TESTS:-}; do
        name=$(basename "$t" .sh)
        out=$(bash "$t" 2>&1)
        rc=$?
        p=$(grep -c '^ok ' <<<"$out")
        f=$(grep -c '^not ok ' <<<"$out")
        if grep -q '^1\.\.0 # SKIP' <<<"$out"; then
                echo "SKIP $name: $(sed -n 's/^1\.\.0 # SKIP //p' <<<"$out")"
                skipped=$((skipped + 1))
                continue
        fi
        passed=$((passed + p))
        failed=$((failed + f))
        if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
                [ "$f" -eq 0 ] && failed=$((failed + 1))
                echo "FAIL $name ($p passed, $f failed, exit $rc)"
                grep -v '^ok ' <<<"$out" | sed 's/^/    /'
        else
                echo "PASS $name ($p checks)"
        fi
done
# Any sanitizer report from any process of the run fails it, whether or
# not the test that caused it noticed: the report files, and reports that
# reached a log on stderr before the log path was set up.
if [ -n "${SUBID_SANITIZER_LOG_DIR:-}" ]; then
        reports=$(find "$SUBID_SANITIZER_LOG_DIR" -type f 2>/dev/null)
        stray=$(grep -lE 'ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|runtime error:' "$CHECK_ROOT"/*.log 2>/dev/null)
        for f in $reports $stray; do
                echo "FAIL sanitizer report in $f"
                sed 's/^/    /' "$f" | head -60
                failed=$((failed + 1))
        done
        [ -z "$reports$stray" ] && echo "PASS sanitizers: no report from any process"
fi
echo "integration: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
