#!/bin/sh
# check_depends.sh BINARY "DEPENDS" [SONAME...]: every shared library BINARY needs (its NEEDED
# entries, resolved by ldd, and each SONAME it opens at run time, resolved by ldconfig -p) comes
# from a Debian package named in DEPENDS, the .deb's Depends field.
# Prints each library with its package; exits 1 naming every package Depends lacks.
set -eu
binary=$1 depends=$2
shift 2
names=$(printf '%s\n' "$depends" | tr ',' '\n' | sed 's/(.*)//; s/|.*//; s/^ *//; s/ *$//')
missing=0
needed=$(objdump -p "$binary" | awk '/NEEDED/{print $2}')
for lib in $needed "$@"; do
    # A sanitizer build (the asan preset) links the sanitizer runtimes; no package ships ccu with them.
    case "$lib" in libasan.so.* | libubsan.so.* | liblsan.so.* | libtsan.so.*) echo "$lib: sanitizer runtime, not a dependency"; continue ;; esac
    how=""
    path=$(ldd "$binary" | awk -v l="$lib" '$1 == l {print $3}')
    if [ -z "$path" ]; then
        how=", opened at run time"
        path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64|64bit/ {print $NF; exit}')
        [ -n "$path" ] || path=$(ldconfig -p | awk -v l="$lib" '$1 == l {print $NF; exit}')
    fi
    [ -n "$path" ] || { echo "neither ldd nor ldconfig -p resolves $lib" >&2; exit 1; }
    real=$(readlink -f "$path")
    pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$real" 2>/dev/null || true)
    pkg=$(printf '%s\n' "$pkg" | head -1 | cut -d: -f1)
    [ -n "$pkg" ] || { echo "no Debian package ships $lib ($path)" >&2; exit 1; }
    if printf '%s\n' "$names" | grep -qx -- "$pkg"; then
        echo "$lib: $pkg$how"
    else
        echo "Depends lacks $pkg (for $lib$how)" >&2
        missing=1
    fi
done
exit $missing
