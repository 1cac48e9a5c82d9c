#!/bin/bash
# install-deps.sh PACKAGE... — install the Debian packages that are missing.
# Idempotent: with everything present it changes nothing and says so.
set -euo pipefail
missing=()
for p in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: all ${#@} packages present"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "deps: missing ${missing[*]}; run 'make deps' as root (or install them with apt-get)" >&2
    exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: installed ${#missing[@]} package(s)"
