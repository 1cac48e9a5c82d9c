#!/bin/bash
# prepare-check.sh — what the slower tests need beyond the binaries, built
# while the first tests run (make check hands it to run-tests.sh as PREPARE):
#   $HOSTD_DEB        the package (scripts/make-deb.sh, lintian included)
#   $HOSTD_INSTALLER  the installer image, with that package in it (zstd -12:
#                     -19, the release default, is 30 CPU-s the lab then lacks)
#   the lab's Debian root filesystem (tests/lab/build-rootfs.sh: ~5 min of
#   debootstrap the first time, then cached), when the lab can run here
# A failed piece leaves no file and says so here; the tests that need it
# fail and say which file is missing. Env: HOSTD_DEB, HOSTD_INSTALLER,
# HOSTD_VERSION.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
: "${HOSTD_DEB:?}" "${HOSTD_INSTALLER:?}" "${HOSTD_VERSION:?}"
rc=0
# build WHAT LOG FAILED COMMAND...: run it into LOG and say how long it took;
# when it fails, LOG's end and FAILED
build() {
    local what=$1 log=$2 failed=$3 t0=$SECONDS
    shift 3
    echo "$what"
    "$@" > "$log" 2>&1 || { tail -n 20 "$log"; echo "$failed"; rc=1; }
    echo "  $((SECONDS - t0)) s"
}
deb_dir=$(dirname "$HOSTD_DEB")
build "make-deb: $HOSTD_DEB" "$deb_dir.log" "make-deb failed: the tests that need the package will fail" \
    scripts/make-deb.sh "$HOSTD_VERSION" "$deb_dir"
build "installer: $HOSTD_INSTALLER" "$(dirname "$HOSTD_INSTALLER")/installer.log" \
    "the installer failed: the tests that boot it will fail" \
    installer/build.sh --deb "$HOSTD_DEB" --out "$HOSTD_INSTALLER" --zstd-level 12
# shellcheck source=lab/lab.sh
. "$TOP/tests/lab/lab.sh"
if why=$(lab_skip_reason) || ! command -v debootstrap > /dev/null; then
    echo "lab rootfs: not built here (${why:-no debootstrap}); the lab says so"
else
    echo "lab rootfs:"
    t0=$SECONDS
    # (t-firstboot builds it itself when this failed, and reports that)
    tests/lab/build-rootfs.sh > /dev/null || echo "lab rootfs: the build failed; t-firstboot tries again"
    echo "  $((SECONDS - t0)) s"
fi
exit "$rc"
