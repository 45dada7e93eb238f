#!/usr/bin/env bash
# The report figures of issue #9, each printed with the peer (ccusage 20.0.24) measured in the
# same run where there is one:
#   cold   `ccu report daily --json` on a fresh data dir vs `ccusage claude daily --json`, 200 MB tree,
#          and on a denser 200 MB tree (short tool results: ~5x the records per MB)
#   warm   every report kind, three zones, with and without --since/--until: the tree's store,
#          60k and 1M records imported from origin-tool databases
#   import 1M records from an origin-tool database (bench/gen_origin_db.py)
#   pull   a fresh machine's `ccu gist pull` of another machine's 1M records (bench/pull_speed.sh;
#          not in the default SECTIONS: it starts the fake gist and seeds it, minutes the first time)
#   rescan nothing new over 10,000 files (`ccu scan` and warm `ccu report daily --json`)
#   statusline (warm) on the tree's store and the 1M store
# usage: bench/report_speed.sh            Env: CCU (default build/release/ccu), GEN_TREE (default
# build/dev/bench/bench_gen_tree), CCU_BENCH_SCRATCH (default /tmp/ccu-bench-reports), SIZE_MB
# (200), SMALL_RECORDS (60000), ORIGIN_RECORDS (1000000), FILES (10000), RUNS (5), DENSE_TOOL_RESULT_MAX
# (600: bench_gen_tree --tool-result-max of the dense tree), SECTIONS (default "cold warm origin rescan":
# any subset, e.g. SECTIONS="cold rescan"; "small" or "large" runs one half of "origin": the 60k or the
# 1M records; "pull" adds the pull figure: PULL_RUNS fresh pulls, default 2), KINDS (the warm table's report kinds, default all, and
# daily --instances, monthly --breakdown, daily --project), IMPORT_RUNS (2; 0 reuses a store
# imported before). Trees and the origin DB are reused.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ccu=${CCU:-$here/build/release/ccu}
gen_tree=${GEN_TREE:-$here/build/dev/bench/bench_gen_tree}
scratch=${CCU_BENCH_SCRATCH:-/tmp/ccu-bench-reports}
size_mb=${SIZE_MB:-200}
origin_records=${ORIGIN_RECORDS:-1000000}
small_records=${SMALL_RECORDS:-60000}
files=${FILES:-10000}
runs=${RUNS:-5}
dense_max=${DENSE_TOOL_RESULT_MAX:-600}
sections=" ${SECTIONS:-cold warm origin rescan} "
want() { [[ $sections == *" $1 "* ]]; }
mkdir -p "$scratch/npm"

ccusage=$scratch/npm/node_modules/.bin/ccusage
if [[ ! -x $ccusage ]]; then
  (cd "$scratch/npm" && echo '{}' >package.json && npm install --no-audit --no-fund --loglevel=error ccusage@20.0.24 >/dev/null)
fi
make_tree() {  # make_tree DIR [GEN_TREE FLAGS...]: a generated tree, reused once complete
  local dir=$1; shift
  if [[ ! -f $dir/.complete ]]; then
    rm -rf "$dir"
    "$gen_tree" --dir "$dir/projects" --size-mb "$size_mb" --projects 8 --sessions 25 --truth "$dir/truth.json" "$@" >/dev/null
    touch "$dir/.complete"
  fi
  find "$dir/projects" -type f -exec cat {} + >/dev/null   # page cache
}
tree=$scratch/tree-${size_mb}mb
if want cold || want warm; then make_tree "$tree"; fi   # the origin and rescan sections need no tree

now_ns() { date +%s%N; }
# run_ccu HOME_DIR DATA_DIR CLAUDE_DIR ARGS...: one ccu process in a clean environment; sets
# LAST_MS (wall), LAST_CPU_MS (user + sys: what the shared machine's load does not inflate)
# and LAST_RSS_MB (peak RSS). Output goes to $scratch/out.
run_ccu() {
  local home=$1 data=$2 claude=$3; shift 3
  local t0; t0=$(now_ns)
  env -i PATH="$PATH" HOME="$home" CCU_DATA_DIR="$data" XDG_CONFIG_HOME="$home/.config" CLAUDE_CONFIG_DIR="$claude" \
    /usr/bin/time -f "%M %U %S" -o "$scratch/rss" "$ccu" "$@" <"${STDIN_FILE:-/dev/null}" >"$scratch/out" 2>"$scratch/err"
  LAST_MS=$(( ($(now_ns) - t0) / 1000000 ))
  LAST_RSS_MB=$(awk '{printf "%.1f", $1/1024}' "$scratch/rss")
  LAST_CPU_MS=$(awk '{printf "%d", ($2 + $3) * 1000}' "$scratch/rss")
}
best_of() {  # best_of N CMD...: the best LAST_MS and LAST_CPU_MS, the largest LAST_RSS_MB, over N runs
  local n=$1; shift; local best="" cpu="" rss=0
  for ((i = 0; i < n; i++)); do
    LAST_CPU_MS=0
    "$@"
    [[ -z $best || $LAST_MS -lt $best ]] && best=$LAST_MS
    [[ -z $cpu || $LAST_CPU_MS -lt $cpu ]] && cpu=$LAST_CPU_MS
    rss=$(awk -v a="$rss" -v b="$LAST_RSS_MB" 'BEGIN { print (b > a ? b : a) }')
  done
  BEST_MS=$best; BEST_CPU_MS=$cpu; MAX_RSS_MB=$rss
}

home=$scratch/home; mkdir -p "$home"
echo "machine load (uptime): $(uptime)"
best_of "$runs" run_ccu "$home" "$scratch/none" "$scratch/none" --version
echo "process floor: ccu --version ${BEST_MS} ms wall, ${BEST_CPU_MS} ms CPU"
# cold_section TREE LABEL: ccusage and a fresh-data-dir ccu on one tree, best of 3 each, same run.
cold_section() {
  local t=$1 label=$2
  echo "== cold: report daily --json on a fresh data dir, $label ($(du -sm "$t/projects" | cut -f1) MB)"
  cold_ccu() { rm -rf "$scratch/cold-data"; run_ccu "$home" "$scratch/cold-data" "$t" report daily --json --tz UTC; }
  cold_ccusage() {
    local t0; t0=$(now_ns)
    CLAUDE_CONFIG_DIR=$t /usr/bin/time -f "%M %U %S" -o "$scratch/rss" "$ccusage" claude daily --offline --json --timezone UTC >"$scratch/ccusage.json"
    LAST_MS=$(( ($(now_ns) - t0) / 1000000 ))
    LAST_RSS_MB=$(awk '{printf "%.1f", $1/1024}' "$scratch/rss")
    LAST_CPU_MS=$(awk '{printf "%d", ($2 + $3) * 1000}' "$scratch/rss")
  }
  best_of 3 cold_ccusage; local ccusage_ms=$BEST_MS ccusage_cpu=$BEST_CPU_MS
  best_of 3 cold_ccu; COLD_MS=$BEST_MS; local cold_cpu=$BEST_CPU_MS cold_rss=$MAX_RSS_MB
  cp "$scratch/out" "$scratch/ccu-cold.json"
  python3 "$here/tests/ccusage/compare.py" daily "$scratch/ccusage.json" "$scratch/ccu-cold.json" | tail -1
  RECORDS=$(env -i PATH="$PATH" HOME="$home" CCU_DATA_DIR="$scratch/cold-data" XDG_CONFIG_HOME="$home/.config" \
    CLAUDE_CONFIG_DIR="$t" "$ccu" scan --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["records"]["total"])')
  echo "ccusage 20.0.24 claude daily --json (best of 3): ${ccusage_ms} ms (CPU ${ccusage_cpu} ms)"
  echo "ccu report daily --json, fresh data dir (best of 3): ${COLD_MS} ms (CPU ${cold_cpu} ms), peak RSS ${cold_rss} MB, ${RECORDS} records"
  awk -v a="$ccusage_ms" -v b="$COLD_MS" -v c="$ccusage_cpu" -v d="$cold_cpu" -v l="$label" \
    'BEGIN { printf "cold ratio ccusage/ccu, %s: %.1fx wall, %.1fx CPU (target >= 3x)\n", l, a / b, c / (d > 0 ? d : 1) }'
}
records=0
if want cold; then
  dense=$scratch/dense-${size_mb}mb-${dense_max}
  make_tree "$dense" --tool-result-max "$dense_max"
  cold_section "$dense" "dense ${size_mb} MB tree (--tool-result-max $dense_max)"
  cold_section "$tree" "${size_mb} MB tree"   # last: its store stays in cold-data for the warm section
  records=$RECORDS
fi

warm_table() {  # warm_table HOME DATA CLAUDE LABEL MACHINE_FLAG
  local h=$1 d=$2 c=$3 label=$4 flag=$5 worst=0 worst_cpu=0 worst_rss=0
  echo "== warm reports, $label (best of $runs per cell: wall/CPU ms, peak RSS MB)"
  # A kind with "+" runs with those flags too (daily+--instances: `report daily --instances`).
  for kind in ${KINDS:-daily weekly monthly session models blocks daily+--instances monthly+--breakdown daily+--project+-home-dev-project-4}; do
    line=$(printf '%-8s' "${kind//+/ }")
    for tz in UTC Asia/Kolkata America/New_York; do
      for range in "" "--since 20250301 --until 20250331"; do
        # shellcheck disable=SC2086
        best_of "$runs" run_ccu "$h" "$d" "$c" report ${kind//+/ } --json --tz "$tz" $flag $range
        line+=$(printf '  %-16s %4d/%3d ms %5s MB' "${tz##*/}${range:+ (month)}" "$BEST_MS" "$BEST_CPU_MS" "$MAX_RSS_MB")
        (( BEST_MS > worst )) && worst=$BEST_MS
        (( BEST_CPU_MS > worst_cpu )) && worst_cpu=$BEST_CPU_MS
        worst_rss=$(awk -v a="$worst_rss" -v b="$MAX_RSS_MB" 'BEGIN { print (b > a ? b : a) }')
      done
    done
    echo "$line"
  done
  echo "warm, $label: slowest ${worst} ms wall, ${worst_cpu} ms CPU, largest peak RSS ${worst_rss} MB"
}

# statusline_bench HOME DATA CLAUDE LABEL: Claude Code's stdin for the newest session in the store.
statusline_bench() {
  local h=$1 d=$2 c=$3 label=$4
  run_ccu "$h" "$d" "$c" report session --json --all-machines --order desc
  python3 - "$scratch/out" "$c" >"$scratch/statusline-in.json" <<'PY'
import glob, json, os, sys
s = json.load(open(sys.argv[1]))["sessions"][0]["sessionId"]
paths = glob.glob(os.path.join(sys.argv[2], "projects", "*", s + ".jsonl"))
print(json.dumps({"session_id": s, "transcript_path": paths[0] if paths else "",
                  "model": {"id": "claude-sonnet-4-5", "display_name": "Sonnet 4.5"}}))
PY
  STDIN_FILE=$scratch/statusline-in.json best_of "$runs" run_ccu "$h" "$d" "$c" statusline
  echo "statusline, $label (warm, best of $runs): ${BEST_MS} ms (CPU ${BEST_CPU_MS} ms), peak RSS ${MAX_RSS_MB} MB (target <= 20 ms): $(cat "$scratch/out")"
  printf 'not json' >"$scratch/statusline-bad.txt"
  STDIN_FILE=$scratch/statusline-bad.txt run_ccu "$h" "$d" "$c" statusline
  echo "statusline, garbage stdin: ${LAST_MS} ms: $(cat "$scratch/out")"
}
if want warm; then
  if [[ ! -f $scratch/cold-data/ccu.db ]]; then run_ccu "$home" "$scratch/cold-data" "$tree" scan; fi
  warm_table "$home" "$scratch/cold-data" "$tree" "${records} records" ""
  statusline_bench "$home" "$scratch/cold-data" "$tree" "${records} records"
fi

# origin_import N: a fresh data dir importing an origin-tool database of N records; sets OHOME, ODATA.
origin_import() {
  local n=$1
  OHOME=$scratch/origin-home-$n; ODATA=$scratch/origin-data-$n
  mkdir -p "$OHOME/.claude/usage" "$scratch/empty-claude"
  local odb=$OHOME/.claude/usage/usage_history_bench.db
  if [[ ! -f $odb.complete ]]; then
    rm -f "$odb"; python3 "$here/bench/gen_origin_db.py" "$odb" "$n"; touch "$odb.complete"
  fi
  import_once() { rm -rf "$ODATA"; run_ccu "$OHOME" "$ODATA" "$scratch/empty-claude" scan; }
  if [[ ${IMPORT_RUNS:-2} == 0 && -f $ODATA/ccu.db ]]; then echo "import ${n} records: reusing $ODATA"; return; fi
  best_of "${IMPORT_RUNS:-2}" import_once
  echo "import ${n} records from an origin-tool database (ccu scan, fresh data dir, best of ${IMPORT_RUNS:-2}): ${BEST_MS} ms (CPU ${BEST_CPU_MS} ms), peak RSS ${MAX_RSS_MB} MB"
}
if want origin || want small; then
echo "== ${small_records} records (origin import)"
origin_import "$small_records"
warm_table "$OHOME" "$ODATA" "$scratch/empty-claude" "${small_records} records" "--all-machines"
fi
if want origin || want large; then
echo "== ${origin_records} records (origin import; targets: import <= 10000 ms and <= 200 MB)"
origin_import "$origin_records"
warm_table "$OHOME" "$ODATA" "$scratch/empty-claude" "${origin_records} records" "--all-machines"
statusline_bench "$OHOME" "$ODATA" "$scratch/empty-claude" "${origin_records} records"
fi

if want pull; then
  echo "== pull of ${origin_records} records (targets: <= 10000 ms and <= 200 MB)"
  CCU=$ccu CCU_BENCH_SCRATCH=$scratch ORIGIN_RECORDS=$origin_records PULL_RUNS=${PULL_RUNS:-2} "$here/bench/pull_speed.sh"
fi

want rescan || exit 0
echo "== re-scan with nothing new over ${files} files"
many=$scratch/many-$files
if [[ ! -f $many/.complete ]]; then
  rm -rf "$many"
  python3 - "$many/projects" "$files" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, "-home-dev-p%d" % (i % 50))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "s-%05d.jsonl" % i), "w") as f:
        f.write('{"type":"assistant","sessionId":"s-%05d","uuid":"u%d","timestamp":"2025-05-01T10:00:00.000Z",'
                '"requestId":"r%d","cwd":"/home/dev/p","version":"1.0.80","message":{"id":"m%d","model":'
                '"claude-sonnet-4-6","usage":{"input_tokens":10,"output_tokens":5,"cache_creation_input_tokens":0,'
                '"cache_read_input_tokens":0}}}\n' % (i, i, i, i))
PY
  touch "$many/.complete"
fi
rm -rf "$scratch/many-data"
run_ccu "$home" "$scratch/many-data" "$many" scan
find "$many/projects" -type f -exec cat {} + >/dev/null; find "$many/projects" >/dev/null   # page and dentry caches
best_of "$runs" run_ccu "$home" "$scratch/many-data" "$many" scan
echo "re-scan, nothing new, ${files} files (ccu scan, best of $runs): ${BEST_MS} ms (CPU ${BEST_CPU_MS} ms), peak RSS ${MAX_RSS_MB} MB (target <= 50 ms)"
best_of "$runs" run_ccu "$home" "$scratch/many-data" "$many" report daily --json --tz UTC
echo "re-scan, nothing new, ${files} files (ccu report daily --json, warm, best of $runs): ${BEST_MS} ms (CPU ${BEST_CPU_MS} ms), peak RSS ${MAX_RSS_MB} MB (target <= 50 ms)"
t0=$(now_ns); find "$many/projects" -name '*.jsonl' -printf '%s %T@\n' >/dev/null
echo "floor: find over the same tree (walk + stat only): $(( ($(now_ns) - t0) / 1000000 )) ms"
