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
make -s -C "$SRCDIR" check-install CHECK_ROOT="$CHECK_ROOT" >"$CHECK_ROOT/install.log" 2>&1 || {
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
echo "integration: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
