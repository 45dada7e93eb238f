#!/usr/bin/env bash
# Side-by-side: ccu's scanner vs ccusage 20.0.24 over the same generated tree, page cache warm.
#   bench/compare_ccusage.sh [SIZE_MB]        (default 1024)
# Env: BUILD_DIR (default build/ingest, relative to the repo), CCU_BENCH_SCRATCH (default
# /tmp/ccu-bench). ccusage is installed with npm into the scratch dir, never into the repo.
# Also checks that both tools find the generator's per-day totals exactly.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
size_mb=${1:-1024}
build=${BUILD_DIR:-$here/build/ingest}
scratch=${CCU_BENCH_SCRATCH:-/tmp/ccu-bench}
tree=$scratch/tree-${size_mb}mb
mkdir -p "$scratch/npm"

ccusage=$scratch/npm/node_modules/.bin/ccusage
if [[ ! -x $ccusage ]]; then
  (cd "$scratch/npm" && npm install --no-audit --no-fund ccusage@20.0.24 >/dev/null)
fi
if [[ ! -f $tree/.complete || ! -f $tree/truth.json ]]; then
  rm -rf "$tree"
  "$build/bench/bench_gen_tree" --dir "$tree/projects" --size-mb "$size_mb" --projects 8 --sessions 25 \
    --truth "$tree/truth.json"
  touch "$tree/.complete"
fi
find "$tree/projects" -type f -exec cat {} + >/dev/null   # page cache

ms() { date +%s%N | awk '{printf "%.0f", $1/1000000}'; }
best_ccusage=""
for i in 1 2 3; do
  t0=$(ms)
  CLAUDE_CONFIG_DIR=$tree "$ccusage" claude daily --offline --json --timezone UTC >"$scratch/ccusage.json"
  t=$(( $(ms) - t0 ))
  [[ -z $best_ccusage || $t -lt $best_ccusage ]] && best_ccusage=$t
done

ccu_out=$("$build/bench/bench_ingest" --dir "$tree/projects" --repeat 3 --skip-many --daily-json "$scratch/ccu.json")
echo "$ccu_out"
best_ccu=$(echo "$ccu_out" | sed -n 's/^cold scan (page cache): best \([0-9.]*\) ms.*/\1/p')

python3 - "$tree/truth.json" "$scratch/ccusage.json" "$scratch/ccu.json" <<'PY'
import json, sys
truth = json.load(open(sys.argv[1]))["daily"]
ccusage = {d["date"]: d for d in json.load(open(sys.argv[2]))["daily"]}
ccu = json.load(open(sys.argv[3]))["daily"]
keys = ["inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens"]
bad = 0
for day, t in truth.items():
    for name, got in (("ccusage", ccusage.get(day, {})), ("ccu", ccu.get(day, {}))):
        for k in keys:
            if got.get(k) != t[k]:
                bad += 1
                if bad < 10: print(f"MISMATCH {name} {day} {k}: {got.get(k)} != truth {t[k]}")
extra = (set(ccusage) | set(ccu)) - set(truth)
if extra: print("days not in truth:", sorted(extra)); bad += 1
print("per-day totals: " + ("ccu == ccusage == truth over %d days" % len(truth) if not bad else "%d mismatches" % bad))
sys.exit(1 if bad else 0)
PY

echo "ccusage 20.0.24 claude daily (process, best of 3): ${best_ccusage} ms"
echo "ccu scan (timed in its process, best of 3):         ${best_ccu} ms"
awk -v a="$best_ccusage" -v b="$best_ccu" 'BEGIN { printf "ratio ccusage/ccu: %.1fx\n", a / b }'
