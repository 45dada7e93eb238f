#!/bin/sh
# runtime_libraries.sh CCU_BINARY SONAME...: the libraries ccu opens at run time (SONAME:
# cmake/CcuRuntimeLibraries.cmake) are no NEEDED entry of the binary, and the commands that need
# none of them (--version, --help, scan, reports, statusline) load none of them (LD_DEBUG=files
# names every library the dynamic loader opens). Run in a private HOME with a clean environment.
set -eu
binary=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
needed=$(objdump -p "$binary" | awk '/NEEDED/{print $2}')
for soname in "$@"; do
    if printf '%s\n' "$needed" | grep -qx -- "$soname"; then
        echo "$binary has NEEDED $soname: it must be opened at run time" >&2
        status=1
    fi
done
mkdir -p "$tmp/home/.claude/projects" "$tmp/config" "$tmp/data" "$tmp/cache" "$tmp/state"
run() {
    printf '%s' "${input:-}" | env -i PATH=/usr/bin:/bin HOME="$tmp/home" TZ=UTC XDG_CONFIG_HOME="$tmp/config" \
        XDG_CACHE_HOME="$tmp/cache" XDG_STATE_HOME="$tmp/state" CCU_DATA_DIR="$tmp/data" \
        CLAUDE_CONFIG_DIR="$tmp/home/.claude" LD_DEBUG=files LD_DEBUG_OUTPUT="$tmp/ld" "$binary" "$@" >/dev/null 2>&1
}
check() {
    rm -f "$tmp"/ld.*
    run "$@" || { echo "ccu $* failed" >&2; status=1; }
    loaded=$(cat "$tmp"/ld.* | sed -n 's/.*file=\([^ ]*\) \[.*/\1/p' | sort -u)
    echo "ccu $*: $(printf '%s\n' "$loaded" | grep -c .) libraries"
    for soname in $sonames; do
        if printf '%s\n' "$loaded" | grep -q -- "$soname"; then
            echo "ccu $* loaded $soname" >&2
            status=1
        fi
    done
}
sonames="$*"
check --version
check --help
check scan
check report daily --json
check report session
input='{"session_id":"cf6975f7","transcript_path":"/nonexistent/cf6975f7.jsonl","model":{"id":"claude-opus-4-6","display_name":"Opus"}}' check statusline
exit $status
