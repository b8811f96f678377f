#!/bin/bash
# Runs libFuzzer targets built by `make fuzz`.
#
#   tests/fuzz/run.sh BUILDDIR SECONDS NAME...          fuzz each NAME for SECONDS
#   tests/fuzz/run.sh --merge BUILDDIR 0 NAME...        add new-coverage finds to the corpus
#
# Each target fuzzes its working corpus BUILDDIR/work/NAME, seeded with
# tests/fuzz/corpus/NAME and tests/fuzz/regressions/NAME (read, never
# written: new inputs land in the working copy). A crash leaves its input in
# BUILDDIR/artifacts/NAME/; copy it to tests/fuzz/regressions/NAME/ with
# the fix, so `make check` replays it from then on.
set -u
merge=
if [ "${1:-}" = --merge ]; then
        merge=1
        shift
fi
BUILDDIR=$1 SECONDS_EACH=$2
shift 2
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
failed=0

for name in "$@"; do
        bin=$BUILDDIR/fuzz/fuzz_$name
        work=$BUILDDIR/work/$name
        seeds=("$SRCDIR/tests/fuzz/corpus/$name")
        [ -d "$SRCDIR/tests/fuzz/regressions/$name" ] && seeds+=("$SRCDIR/tests/fuzz/regressions/$name")
        if [ ! -x "$bin" ]; then
                echo "fuzz: $bin is not built (make fuzz)" >&2
                exit 1
        fi
        if [ -n "$merge" ]; then
                [ -d "$work" ] || continue
                before=$(ls "${seeds[0]}" | wc -l)
                "$bin" -merge=1 "${seeds[0]}" "$work" >"$BUILDDIR/merge-$name.log" 2>&1 || {
                        tail -20 "$BUILDDIR/merge-$name.log" >&2
                        failed=1
                        continue
                }
                echo "fuzz-merge $name: corpus $before -> $(ls "${seeds[0]}" | wc -l) files"
                continue
        fi
        mkdir -p "$work" "$BUILDDIR/artifacts/$name"
        log=$BUILDDIR/fuzz-$name.log
        # -close_fd_mask=2: the targets' own one-line errors on stderr would
        # drown libFuzzer's output; crash reports still reach the log.
        "$bin" -max_total_time="$SECONDS_EACH" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
                -close_fd_mask=2 -print_final_stats=1 -artifact_prefix="$BUILDDIR/artifacts/$name/" \
                "$work" "${seeds[@]}" >"$log" 2>&1
        rc=$?
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
        if [ "$rc" -ne 0 ]; then
                failed=1
                echo "FAIL $name: exit $rc after ${execs:-?} executions; artifacts in $BUILDDIR/artifacts/$name/"
                grep -E 'ERROR|runtime error|invariant failed|Test unit written' "$log" | head -5 | sed 's/^/    /'
        else
                echo "PASS $name: ${execs:-?} executions in ${SECONDS_EACH}s (${rate:-?}/s, $cov, corpus $(ls "$work" | wc -l))"
        fi
done
exit $failed
