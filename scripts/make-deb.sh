#!/bin/bash
# make-deb.sh VERSION OUTDIR — build OUTDIR/hostd_VERSION_amd64.deb with
# dpkg-buildpackage from a copy of the tree (the files git knows and the new
# ones it does not ignore), then run lintian on it: an error or a warning
# that debian/ does not explain fails.
set -euo pipefail
version=$1 out=$2
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

changelog_version=$(dpkg-parsechangelog -l debian/changelog -S Version)
if [ "$changelog_version" != "$version" ]; then
    echo "make-deb: debian/changelog says $changelog_version, the Makefile's VERSION $version: add a changelog entry" >&2
    exit 1
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
src=$out/hostd-$version
rm -rf "$src" "$out"/hostd_"$version"_*
mkdir -p "$src"
git ls-files -z --cached --others --exclude-standard |
    xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
    tar --null -T - -cf - | tar -xf - -C "$src"

(cd "$src" && dpkg-buildpackage -us -uc -b -j"$(nproc)") > "$out/build.log" 2>&1 || {
    tail -n 40 "$out/build.log" >&2
    echo "make-deb: dpkg-buildpackage failed, log in $out/build.log" >&2
    exit 1
}
deb=$out/hostd_${version}_amd64.deb
[ -f "$deb" ] || { echo "make-deb: $deb was not built (log in $out/build.log)" >&2; exit 1; }
rm -rf "$src"

lintian --fail-on error,warning --info "$out/hostd_${version}_amd64.changes"
echo "$deb"
