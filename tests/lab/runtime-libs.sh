#!/bin/bash
# runtime-libs.sh BINARY...: every shared library the binaries need at run
# time, one path per line: what ldd lists, plus the libraries hostctl and
# hostd open on first use (named in their section .hostd_dlopen, see
# lib/lazy.h) with what those need in turn. Static binaries and scripts: none.
# RUNTIME_LIBS_SKIP: sonames opened on first use to leave out (blank-
# separated; the installer image has no use for libvirt).
set -uo pipefail
libs_of() { ldd "$1" 2> /dev/null | grep -o '/[^ ]*' || true; }
for b in "$@"; do
    libs_of "$b"
    for so in $(readelf -p .hostd_dlopen "$b" 2> /dev/null | awk '$1 == "[" || /^ *\[/ { print $NF }'); do
        [[ " ${RUNTIME_LIBS_SKIP:-} " == *" $so "* ]] && continue
        path=$(ldconfig -p | awk -v s="$so" '$1 == s && /x86-64/ { print $NF; exit }')
        [ -n "$path" ] || { echo "runtime-libs: $b opens $so, which is not installed" >&2; exit 1; }
        echo "$path"
        libs_of "$path"
    done
done | sort -u
