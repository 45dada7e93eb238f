#!/usr/bin/env bash
# REST before issue #7, measured with bench/sync_month.cpp's month (bench/README.md "Sync figures").
#   bench/rest_before.sh [MACHINES=2] [DAYS=30]
# Exports commit 8838cf0 (the last before the #7 work: SyncManager over GistApi, 4 MiB current files,
# every file read back after a write) into a scratch dir outside the repo, adds
# bench/legacy/sync_month_rest_before.cpp to that tree's bench/ (its bench/CMakeLists.txt builds
# every bench/*.cpp; one line links ccu_sync), builds it Release with ccache and runs it.
# The fake Gist server is this checkout's tests/fake_gist/ (copied over the old one): it counts
# whole HTTP messages per request (bytes_received / bytes_sent), as bench_sync_month reads them;
# 8838cf0's fake logged no sizes. The old tree is never committed: it lives in the scratch dir.
# CHECK=1 first builds and runs 8838cf0's own test_sync against that fake (the old client works
# against it: 56 test cases passed on 2026-12-01).
# Environment: CCU_REST_BEFORE_DIR (default /tmp/ccu-rest-before), JOBS (default 2), CHECK (0).
set -euo pipefail
machines=${1:-2}
days=${2:-30}
commit=8838cf0
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
scratch=${CCU_REST_BEFORE_DIR:-/tmp/ccu-rest-before}
mkdir -p "$scratch"
scratch=$(cd "$scratch" && pwd -P)
case "$scratch/" in
  "$(cd "$repo" && pwd -P)"/*) echo "rest_before.sh: $scratch is inside the repo; choose another CCU_REST_BEFORE_DIR" >&2; exit 2 ;;
esac
tree=$scratch/tree-$commit
if [[ ! -f $tree/.exported ]]; then
  rm -rf "$tree"
  mkdir -p "$tree"
  git -C "$repo" archive "$commit" | tar -x -C "$tree"
  touch "$tree/.exported"
fi
# Today's fake server (same byte accounting as bench_sync_month), and the ported benchmark.
put() { cmp -s "$1" "$2" || cp "$1" "$2"; }  # unchanged files keep their time: no rebuild
for f in "$repo"/tests/fake_gist/*.py; do put "$f" "$tree/tests/fake_gist/$(basename "$f")"; done
put "$repo/bench/legacy/sync_month_rest_before.cpp" "$tree/bench/sync_month_rest_before.cpp"
if ! grep -q bench_sync_month_rest_before "$tree/bench/CMakeLists.txt"; then
  printf '%s\n' '# Added by bench/rest_before.sh: the pre-#7 SyncManager over GistApi.' \
    'target_link_libraries(bench_sync_month_rest_before PRIVATE ccu_sync)' >>"$tree/bench/CMakeLists.txt"
fi
build=$tree/build
log=$scratch/build.log
echo "rest_before.sh: building $commit (Release) in $build, log $log" >&2
cmake -S "$tree" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCCU_BUILD_TESTS=ON -DCCU_PCH=ON \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >"$log" 2>&1 || { tail -30 "$log" >&2; exit 1; }
cmake --build "$build" -j"${JOBS:-2}" --target bench_sync_month_rest_before >>"$log" 2>&1 || { tail -30 "$log" >&2; exit 1; }
if [[ ${CHECK:-0} == 1 ]]; then
  echo "rest_before.sh: CHECK=1: $commit's test_sync against this fake, log $scratch/test_sync.log" >&2
  cmake --build "$build" -j"${JOBS:-2}" --target test_sync >>"$log" 2>&1 || { tail -30 "$log" >&2; exit 1; }
  (cd "$tree" && "$build/tests/test_sync" >"$scratch/test_sync.log" 2>&1) || { tail -30 "$scratch/test_sync.log" >&2; exit 1; }
  grep -E "test cases" "$scratch/test_sync.log" | tail -1 >&2
fi
echo "rest_before.sh: $commit, $machines machines, $days days" >&2
exec "$build/bench/bench_sync_month_rest_before" "$machines" "$days"
