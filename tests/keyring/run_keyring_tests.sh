#!/bin/sh
# The real keyring path: a private gnome-keyring-daemon on a private session bus.
# Usage (ctest does this): dbus-run-session -- run_keyring_tests.sh TEST_AUTH_BINARY CCU_BINARY
# Everything lives in a temp dir: HOME, XDG_*, the keyring files. The daemon is started
# explicitly (not by D-Bus activation, which would inherit the bus daemon's environment).
set -eu
test_auth=$1
ccu=$2
token='ghp_KeyringScriptTokenGGGGGGGGGGGGGGGGGGGGG'

if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
    echo "run me under: dbus-run-session -- $0 ..." >&2
    exit 1
fi
root=$(mktemp -d "${TMPDIR:-/tmp}/ccu-keyring.XXXXXX")
daemon_pid=
cleanup() {
    if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; fi
    rm -rf "$root"
}
trap cleanup EXIT INT TERM

export HOME="$root/home" XDG_DATA_HOME="$root/data" XDG_CONFIG_HOME="$root/config"
export XDG_CACHE_HOME="$root/cache" XDG_RUNTIME_DIR="$root/runtime" CCU_DATA_DIR="$root/ccu-data"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
mkdir -m 700 "$XDG_RUNTIME_DIR"
unset DISPLAY WAYLAND_DISPLAY CCU_GITHUB_TOKEN GITHUB_TOKEN GNOME_KEYRING_CONTROL 2>/dev/null || true

printf 'pass' | gnome-keyring-daemon --daemonize --unlock --components=secrets >"$root/daemon.out"
# gnome-keyring 42 prints nothing; find the daemon by the runtime dir it was started with.
for pid in $(pgrep -x gnome-keyring-d 2>/dev/null || pgrep -f gnome-keyring-daemon); do
    if (tr "\\0" "\\n" <"/proc/$pid/environ") 2>/dev/null | grep -qx "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR"; then
        daemon_pid=$pid
    fi
done
if [ -z "$daemon_pid" ]; then
    echo "FAIL: gnome-keyring-daemon did not start" >&2
    exit 1
fi
echo "gnome-keyring-daemon pid $daemon_pid on $DBUS_SESSION_BUS_ADDRESS"

echo "== Catch2 [.keyring] tests"
"$test_auth" '[keyring]' --reporter compact

echo "== ccu gist set-token (stdin) -> keyring"
printf '%s\n' "$token" | "$ccu" gist set-token --no-check >"$root/out" 2>"$root/err" || {
    cat "$root/err" >&2; echo "FAIL: set-token exited non-zero" >&2; exit 1; }
if grep -q "$token" "$root/out" "$root/err"; then echo "FAIL: token printed" >&2; exit 1; fi
got=$(secret-tool lookup service ccu account github)
[ "$got" = "$token" ] || { echo "FAIL: secret-tool lookup gave a different value" >&2; exit 1; }
grep -q '"token_store": "keyring"' "$XDG_CONFIG_HOME/ccu/config.json" ||
    { echo "FAIL: config.json does not record token_store=keyring" >&2; exit 1; }
[ ! -e "$XDG_CONFIG_HOME/ccu/token" ] || { echo "FAIL: a token file was written" >&2; exit 1; }

echo "== ccu gist set-token --delete --store keyring"
"$ccu" gist set-token --delete --store keyring >/dev/null 2>"$root/err" || {
    cat "$root/err" >&2; echo "FAIL: delete exited non-zero" >&2; exit 1; }
if secret-tool lookup service ccu account github >/dev/null 2>&1; then
    echo "FAIL: the item is still in the keyring" >&2; exit 1
fi
echo "PASS: keyring suite"
