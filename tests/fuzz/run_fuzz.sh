#!/bin/sh
# run_fuzz.sh FUZZER SEED_DIR SECONDS — one bounded libFuzzer run of FUZZER over a scratch copy
# of SEED_DIR (the repo's corpus is never written). Fails on any crash, leak, timeout or
# sanitizer report; prints the executions done. Crash inputs are kept in $CCU_FUZZ_ARTIFACTS
# (default: a temp dir, printed) so they can become regression tests.
set -eu
fuzzer=$1 seeds=$2 seconds=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/ccu-fuzz.XXXXXX")
artifacts=${CCU_FUZZ_ARTIFACTS:-$work/artifacts}
mkdir -p "$work/corpus" "$artifacts"
cp "$seeds"/* "$work/corpus/"
status=0
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$work/corpus" >"$work/log" 2>&1 || status=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
echo "run_fuzz: $(basename "$fuzzer"): ${execs:-?} executions in ${seconds} s, corpus $(ls "$work/corpus" | wc -l) inputs"
if [ "$status" -ne 0 ]; then
  tail -n 60 "$work/log"
  echo "run_fuzz: $(basename "$fuzzer") failed (status $status); inputs in $artifacts" >&2
  exit 1
fi
rm -rf "$work"
