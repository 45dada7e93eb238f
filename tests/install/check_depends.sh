#!/bin/sh
# check_depends.sh BINARY "DEPENDS": every shared library BINARY needs (its NEEDED entries, then the
# libraries those load: ldd) comes from a Debian package named in DEPENDS, the .deb's Depends field.
# Prints each library with its package; exits 1 naming the first package Depends lacks.
set -eu
binary=$1 depends=$2
names=$(printf '%s\n' "$depends" | tr ',' '\n' | sed 's/(.*)//; s/|.*//; s/^ *//; s/ *$//')
missing=0
for lib in $(objdump -p "$binary" | awk '/NEEDED/{print $2}'); do
    # A sanitizer build (the asan preset) links the sanitizer runtimes; no package ships ccu with them.
    case "$lib" in libasan.so.* | libubsan.so.* | liblsan.so.* | libtsan.so.*) echo "$lib: sanitizer runtime, not a dependency"; continue ;; esac
    path=$(ldd "$binary" | awk -v l="$lib" '$1 == l {print $3}')
    [ -n "$path" ] || { echo "ldd does not resolve $lib" >&2; exit 1; }
    real=$(readlink -f "$path")
    pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$real" 2>/dev/null || true)
    pkg=$(printf '%s\n' "$pkg" | head -1 | cut -d: -f1)
    [ -n "$pkg" ] || { echo "no Debian package ships $lib ($path)" >&2; exit 1; }
    if printf '%s\n' "$names" | grep -qx -- "$pkg"; then
        echo "$lib: $pkg"
    else
        echo "Depends lacks $pkg (for $lib)" >&2
        missing=1
    fi
done
exit $missing
