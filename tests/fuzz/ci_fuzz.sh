#!/bin/sh
# ci_fuzz.sh [SECONDS] — for .ci/run: build the libFuzzer targets (clang, `fuzz` preset) and run
# each for SECONDS (default 20) over its seed corpus in tests/fuzz/corpus/. Fails on any crash,
# sanitizer report, leak or timeout; prints the executions per target.
set -eu
cd "$(dirname "$0")/../.."
seconds=${1:-20}
cmake --preset fuzz -DCCU_FUZZ_SECONDS="$seconds" >/dev/null
cmake --build --preset fuzz
log=$(mktemp "${TMPDIR:-/tmp}/ccu-fuzz-ctest.XXXXXX")
status=0
ctest --preset fuzz --verbose >"$log" 2>&1 || status=$?
grep -E 'number_of_executed_units|run_fuzz:|Passed|Failed|tests passed|tests failed' "$log" || true
[ "$status" -eq 0 ] || tail -n 80 "$log"
rm -f "$log"
exit "$status"
