#!/usr/bin/env bash
# Differential test: `ccu report` vs ccusage 20.0.24 on the same generated Claude Code tree.
#   run_diff.sh CCU_BINARY WORK_DIR [SEED] [GEN_TREE_BINARY]
# With GEN_TREE_BINARY (bench_gen_tree) the tree is the realistic one of tests/support (streamed
# responses, sidechains, 5m/1h cache writes, malformed lines) instead of tests/ccusage/gen_tree.py's.
# Installs ccusage@20.0.24 with npm into WORK_DIR/npm when missing. Prints
# "SKIPPED: npm/ccusage unavailable" and exits 77 only when npm is missing or the registry is
# unreachable. Every ccu run uses a fresh sandbox (HOME, CCU_DATA_DIR, XDG_CONFIG_HOME).
set -euo pipefail
ccu=$1
work=$2
seed=${3:-1}
gen_tree_bin=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work/npm"

ccusage=$work/npm/node_modules/.bin/ccusage
if [[ ! -x $ccusage ]]; then
  if ! command -v npm >/dev/null; then
    echo "SKIPPED: npm/ccusage unavailable (npm not installed)"; exit 77
  fi
  if ! ([[ -f $work/npm/package.json ]] || echo "{}" >"$work/npm/package.json"; cd "$work/npm" && timeout 300 npm install --prefix "$work/npm" --no-audit --no-fund --loglevel=error ccusage@20.0.24 >npm.log 2>&1); then
    if grep -qiE 'ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|network' "$work/npm/npm.log"; then
      echo "SKIPPED: npm/ccusage unavailable (registry unreachable)"; cat "$work/npm/npm.log" | tail -3; exit 77
    fi
    echo "npm install ccusage@20.0.24 failed:"; cat "$work/npm/npm.log"; exit 1
  fi
fi

tree=$work/tree-$seed
rm -rf "$tree"
if [[ -n $gen_tree_bin ]]; then
  "$gen_tree_bin" --dir "$tree/projects" --size-mb 16 --seed "$seed" >/dev/null
else
  python3 "$here/gen_tree.py" "$tree" "$seed"
fi

run_ccu() {  # run_ccu OUT ARGS...: a fresh sandbox per run, like a new machine
  local out=$1; shift
  local sandbox; sandbox=$(mktemp -d "$work/sandbox.XXXXXX")
  mkdir -p "$sandbox/home"
  env -i PATH="$PATH" HOME="$sandbox/home" CCU_DATA_DIR="$sandbox/data" XDG_CONFIG_HOME="$sandbox/config" \
    XDG_DATA_HOME="$sandbox/share" CLAUDE_CONFIG_DIR="$tree" "$ccu" report "$@" --json >"$out"
  rm -rf "$sandbox"
}

status=0
for tz in UTC Asia/Tokyo America/New_York; do
  safe=${tz//\//_}
  CLAUDE_CONFIG_DIR=$tree "$ccusage" claude daily --offline --json --timezone "$tz" >"$work/ccusage-daily-$safe.json"
  run_ccu "$work/ccu-daily-$safe.json" daily --tz "$tz"
  echo "== daily, $tz"
  python3 "$here/compare.py" daily "$work/ccusage-daily-$safe.json" "$work/ccu-daily-$safe.json" || status=1
done

CLAUDE_CONFIG_DIR=$tree "$ccusage" claude monthly --offline --json --timezone UTC >"$work/ccusage-monthly.json"
run_ccu "$work/ccu-monthly.json" monthly --tz UTC
echo "== monthly, UTC"
python3 "$here/compare.py" monthly "$work/ccusage-monthly.json" "$work/ccu-monthly.json" || status=1

CLAUDE_CONFIG_DIR=$tree "$ccusage" claude daily --offline --json --timezone UTC --since 20250201 --until 2025-03-15 \
  >"$work/ccusage-filtered.json" 2>/dev/null || \
  CLAUDE_CONFIG_DIR=$tree "$ccusage" claude daily --offline --json --timezone UTC --since 20250201 --until 20250315 \
  >"$work/ccusage-filtered.json"
run_ccu "$work/ccu-filtered.json" daily --tz UTC --since 2025-02-01 --until 20250315
echo "== daily, UTC, --since 20250201 --until 20250315"
python3 "$here/compare.py" daily "$work/ccusage-filtered.json" "$work/ccu-filtered.json" || status=1

# diff_report NAME KIND "CCUSAGE ARGS" "CCU ARGS": one more report compared the same way.
diff_report() {
  local name=$1 kind=$2 theirs=$3 ours=$4
  # shellcheck disable=SC2086
  CLAUDE_CONFIG_DIR=$tree "$ccusage" claude $theirs --offline --json >"$work/ccusage-$name.json"
  # shellcheck disable=SC2086
  run_ccu "$work/ccu-$name.json" $ours
  echo "== $name: ccusage $theirs / ccu $ours"
  python3 "$here/compare.py" "$kind" "$work/ccusage-$name.json" "$work/ccu-$name.json" || status=1
}
if [[ -n $gen_tree_bin ]]; then
  export CCU_DIFF_SKIP_ENTRIES=1
  # ccusage's blocks also take their times from zero-usage `<synthetic>` lines, which ccu does
  # not store (docs/parts/report-design.md, deviations): compare.py accepts a block time that
  # differs only when ccusage's time is one of these lines' timestamps.
  python3 - "$tree/projects" >"$work/synthetic-times.txt" <<'PY'
import glob, json, os, sys
for path in glob.glob(os.path.join(sys.argv[1], "**", "*.jsonl"), recursive=True):
    for line in open(path, encoding="utf-8", errors="replace"):
        if '"<synthetic>"' not in line:
            continue
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        if (doc.get("message") or {}).get("model") == "<synthetic>" and doc.get("timestamp"):
            print(doc["timestamp"])
PY
  export CCU_DIFF_SYNTHETIC_TIMES=$work/synthetic-times.txt
fi
diff_report weekly weekly "weekly --timezone UTC" "weekly --tz UTC"
diff_report weekly-monday weekly "weekly --timezone Asia/Tokyo --start-of-week monday" \
  "weekly --tz Asia/Tokyo --start-of-week monday"
diff_report blocks blocks "blocks --timezone UTC" "blocks --tz UTC"
diff_report blocks-3h blocks "blocks --timezone UTC --session-length 3" "blocks --tz UTC --session-length 3"
diff_report instances instances "daily --timezone UTC --instances" "daily --tz UTC --instances"
diff_report breakdown daily "daily --timezone America/New_York --breakdown --order desc" \
  "daily --tz America/New_York --breakdown --order desc"

if [[ -n $gen_tree_bin ]]; then
  # ccusage's session report keeps some sidechain replays its daily report drops (docs/format.md):
  # on the realistic tree only the self-consistent reports are compared.
  exit $status
fi
CLAUDE_CONFIG_DIR=$tree "$ccusage" claude session --offline --json --timezone UTC >"$work/ccusage-session.json"
run_ccu "$work/ccu-session.json" session --tz UTC
echo "== session, UTC"
python3 "$here/compare.py" session "$work/ccusage-session.json" "$work/ccu-session.json" \
  "$tree/replayed_sessions.json" || status=1

exit $status
