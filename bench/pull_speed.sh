#!/usr/bin/env bash
# The pull figure of issue #9 item 1: a fresh machine B runs `ccu gist pull` of another machine's
# N records (default 1,000,000) from the fake gist (tests/fake_gist/, GitHub-faithful: API, raw
# and git hosts), over the default transport (auto: git against the fake), end to end as one
# process. Printed: wall, CPU (user + sys), peak RSS, and the store B made (records, file size),
# checked against machine A's (`report daily --json --all-machines` of both must be equal).
#
# Seeding, untimed: machine A imports an origin-tool database of N records (bench/gen_origin_db.py,
# shared with bench/report_speed.sh's origin section) and pushes them. A seals 1 MiB parts
# (sync.seal_bytes, the largest allowed): a year of pushes ends there anyway, as the file budget
# folds 128 KiB parts into parts of up to 1 MiB (docs/format.md §5-6); at 1M records even those
# would not fit the 250 files, so that first push seals ~240 parts of ~1.4 MB ("Large pushes", §5).
# The token: registered with the fake from stdin, and stored by `ccu gist set-token --store file`
# reading stdin (the 0600 token file): never in argv or the environment.
#
# usage: bench/pull_speed.sh      Env: CCU (default build/release/ccu), CCU_BENCH_SCRATCH (default
# /tmp/ccu-bench-reports), ORIGIN_RECORDS (1000000), PULL_RUNS (2: fresh pulls by B, best wall/CPU,
# largest RSS).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ccu=${CCU:-$here/build/release/ccu}
scratch=${CCU_BENCH_SCRATCH:-/tmp/ccu-bench-reports}
n=${ORIGIN_RECORDS:-1000000}
runs=${PULL_RUNS:-2}
work=$scratch/pull-$n
rm -rf "$work"; mkdir -p "$work"

# The origin database, made once and reused (the same file report_speed.sh imports).
ohome=$scratch/origin-home-$n
odb=$ohome/.claude/usage/usage_history_bench.db
mkdir -p "$ohome/.claude/usage"
if [[ ! -f $odb.complete ]]; then
  rm -f "$odb"; python3 "$here/bench/gen_origin_db.py" "$odb" "$n"; touch "$odb.complete"
fi

python3 -S "$here/tests/fake_gist/fake_gist_server.py" --port-file "$work/ports.json" 2>"$work/fake.err" &
fake_pid=$!
trap 'kill "$fake_pid" 2>/dev/null || true; wait "$fake_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [[ -f $work/ports.json ]] && break; sleep 0.1; done
api=http://127.0.0.1:$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["api_port"])' "$work/ports.json")
token=ghp_$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '{"token": "%s", "login": "alice", "scopes": ["gist"]}' "$token" |
  curl -sf -X POST -H 'Content-Type: application/json' --data-binary @- "$api/_fake/tokens" >/dev/null
gist=$(curl -sf -X POST -H 'Content-Type: application/json' "$api/_fake/gists" \
  --data '{"owner": "alice", "description": "ccu usage", "public": false, "files": {"README.md": "ccu usage data"}}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

# machine NAME HOME: a config (this gist, the machine's name) and the token in its token file.
machine() {
  local name=$1 home=$2
  mkdir -p "$home/.config/ccu" "$work/$name-claude"
  python3 - "$home/.config/ccu/config.json" "$gist" "$name" <<'PY'
import json, sys, uuid
cfg = {"gist_id": sys.argv[2], "machine_name": sys.argv[3], "machine_id": str(uuid.uuid4()),
       "backup_retention_days": 30, "sync": {"seal_bytes": 1048576}}
json.dump(cfg, open(sys.argv[1], "w"), indent=2)
PY
  printf %s "$token" | on "$name" "$home" gist set-token --store file --no-check >/dev/null
}
# on NAME HOME ARGS...: ccu as machine NAME in a clean environment (stdin passed on).
on() {
  local name=$1 home=$2; shift 2
  env -i PATH="$PATH" HOME="$home" TZ=UTC CCU_DATA_DIR="$work/$name-data" XDG_CONFIG_HOME="$home/.config" \
    CLAUDE_CONFIG_DIR="$work/$name-claude" CCU_GITHUB_API_URL="$api" "$ccu" "$@"
}

# The seed: A's push the first time (~1 min of CPU at 1M records, bench/README.md),
# kept as the files of the gist's head in $seed and posted to the fake's seed endpoint on later
# runs (then repacked by git, as GitHub stores a repository).
seed=$scratch/pull-seed-$n
machine a "$ohome"
t0=$(date +%s%N)
if [[ ! -f $seed/complete ]]; then
  rm -rf "$seed"; mkdir -p "$seed/files"
  on a "$ohome" gist push >"$work/push.out" 2>"$work/push.err" || { cat "$work/push.err"; exit 1; }
  mirror=$(ls -d "$work"/a-data/mirror/*.git)
  ref=$(git -C "$mirror" for-each-ref --format='%(refname)' refs/remotes | head -1)
  git -C "$mirror" ls-tree --name-only "$ref" >"$seed/names"
  while read -r f; do git -C "$mirror" show "$ref:$f" >"$seed/files/$f"; done <"$seed/names"
  cp -r "$work/a-data" "$seed/a-data"   # A's store, for the comparison below
  touch "$seed/complete"
  echo "seeded (untimed): machine A imported ${n} origin records and pushed them in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
else
  # The gist as A's push left it: its files, one commit by the fake, packed by git.
  curl -sf -X DELETE "$api/_fake/gists/$gist" >/dev/null 2>&1 || true
  gist=$(python3 - "$seed/files" "$api" <<'PY'
import json, os, sys, urllib.request
d, api = sys.argv[1], sys.argv[2]
files = {f: open(os.path.join(d, f), encoding="utf-8").read() for f in sorted(os.listdir(d))}
body = json.dumps({"owner": "alice", "description": "ccu usage", "public": False, "files": files}).encode()
req = urllib.request.Request(api + "/_fake/gists", data=body, method="POST", headers={"Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(req))["id"])
PY
)
  repo=$(find /dev/shm "${TMPDIR:-/tmp}" -maxdepth 2 -type d -name "$gist.git" 2>/dev/null | head -1)
  env -i PATH="$PATH" HOME="$work" git -C "$repo" repack -a -d -q
  # A's config names the new gist; its store is the one that pushed.
  machine a "$ohome"
  rm -rf "$work/a-data"; cp -r "$seed/a-data" "$work/a-data"
  echo "seeded (untimed): ${n} records of machine A, $(ls "$seed/files" | wc -l) files from $seed, in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
fi

# CPU seconds the fake server and its git-http-backend children have used so far.
fake_cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15 + $16 + $17) * 1000 / hz }' "/proc/$fake_pid/stat"; }
best=""; cpu=""; rss=0
for ((i = 0; i < runs; i++)); do
  rm -rf "$work/b-data" "$work/b-home"
  machine b "$work/b-home"
  f0=$(fake_cpu_ms); t0=$(date +%s%N)
  env -i PATH="$PATH" HOME="$work/b-home" TZ=UTC CCU_DATA_DIR="$work/b-data" XDG_CONFIG_HOME="$work/b-home/.config" \
    CLAUDE_CONFIG_DIR="$work/b-claude" CCU_GITHUB_API_URL="$api" \
    /usr/bin/time -f "%M %U %S" -o "$work/rss" "$ccu" gist pull >"$work/pull.out" 2>"$work/pull.err" ||
    { cat "$work/pull.err"; exit 1; }
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  c=$(awk '{printf "%d", ($2 + $3) * 1000}' "$work/rss"); r=$(awk '{printf "%.1f", $1/1024}' "$work/rss")
  echo "pull run $((i + 1)): ${ms} ms wall, ${c} ms CPU, ${r} MB peak RSS (the fake server meanwhile: $(( $(fake_cpu_ms) - f0 )) ms CPU)"
  [[ -z $best || $ms -lt $best ]] && best=$ms
  [[ -z $cpu || $c -lt $cpu ]] && cpu=$c
  rss=$(awk -v a="$rss" -v b="$r" 'BEGIN { print (b > a ? b : a) }')
done
on b "$work/b-home" report daily --json --all-machines --tz UTC >"$work/b-daily.json"
on a "$ohome" report daily --json --all-machines --tz UTC >"$work/a-daily.json"
# Equal: the same days, models and token counts; costs within 1e-9 (sums of one bucket's costs
# in another order differ in the last bits).
same=$(python3 - "$work/a-daily.json" "$work/b-daily.json" <<'PY'
import json, math, sys
def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b
a, b = (json.load(open(f)) for f in sys.argv[1:3])
print("equal to A's (%d days)" % len(a["daily"]) if same(a, b) else "DIFFERENT from A's")
PY
)
store_mb=$(du -m "$work/b-data/ccu.db" | cut -f1)
echo "pull ${n} records (fresh machine B, \`ccu gist pull\`, git, best of ${runs}): ${best} ms (CPU ${cpu} ms), peak RSS ${rss} MB (targets: <= 10000 ms, <= 200 MB)"
echo "B's store: ${store_mb} MB ccu.db; report daily --json --all-machines ${same}; pull said: $(tr -s ' \n' ' ' <"$work/pull.out")"
