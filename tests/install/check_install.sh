#!/bin/sh
# check_install.sh prefix|deb BUILD_DIR CCU_BINARY [SONAME...]: install ccu into a temp dir and run it
# from there (SONAME: the libraries ccu opens at run time, for the Depends check).
set -eu
mode=$1 build=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "$mode" = prefix ]; then
    cmake --install "$build" --prefix "$tmp/root/usr" >/dev/null
else
    (cd "$tmp" && cpack --config "$build/CPackConfig.cmake" -B "$tmp/pkg" >/dev/null)
    deb=$(ls "$tmp"/pkg/*.deb)
    echo "package: $(basename "$deb")"
    dpkg-deb -f "$deb" Depends
    dpkg-deb -c "$deb" | awk '{print $6}'
    # every library the binary loads comes from a package the .deb depends on
    binary=$3
    shift 3
    "$(dirname "$0")/check_depends.sh" "$binary" "$(dpkg-deb -f "$deb" Depends)" "$@"
    dpkg-deb -x "$deb" "$tmp/root"
fi
for f in usr/bin/ccu usr/share/man/man1/ccu.1 usr/share/bash-completion/completions/ccu \
         usr/share/zsh/vendor-completions/_ccu usr/share/fish/vendor_completions.d/ccu.fish; do
    [ -e "$tmp/root/$f" ] || { echo "missing $f" >&2; exit 1; }
done
version=$("$tmp/root/usr/bin/ccu" --version)
echo "$version"
case "$version" in "ccu "*) ;; *) echo "unexpected --version: $version" >&2; exit 1 ;; esac
mkdir -p "$tmp/home/.claude/projects"
HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/cfg" CCU_DATA_DIR="$tmp/data" CLAUDE_CONFIG_DIR="$tmp/home/.claude" \
    "$tmp/root/usr/bin/ccu" report daily
echo "install ($mode): ok"
