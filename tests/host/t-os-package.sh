#!/bin/bash
# The install's package step (hostctl apply --package DEB) on a real Debian
# root: the lab's cached root filesystem unpacked in a directory standing in
# for the mounted RAID 1. With no network at all (a network namespace of its
# own), the target's apt installs the package from the file, because the
# image already holds what hostd depends on; a second run changes nothing;
# an image that lacks a dependency stops the step before anything is
# unpacked, naming the dependency; a package that is not hostd is refused.
# The whole apply with --package runs in the lab (t-firstboot).
#
# Needs root (chroot, namespaces), the rootfs tar that tests/lab/build-rootfs.sh
# caches in LAB_CACHE, and the package: HOSTD_DEB (make check builds it
# once) or scripts/make-deb.sh.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
LAB_CACHE=${LAB_CACHE:-/var/cache/hostd-lab}
STEP=$BUILD/tests/helpers/os-step

skip_all() { skip "the package step on a Debian root" "$1"; tap_done; exit 0; }
[ "$(id -u)" = 0 ] || skip_all "needs root (chroot and namespaces)"
[ -x "$STEP" ] || skip_all "no $STEP (make)"
rootfs=$(ls -t "$LAB_CACHE"/rootfs-bookworm-*.tar 2>/dev/null | head -n1)
[ -n "$rootfs" ] || skip_all "no cached root filesystem in $LAB_CACHE (tests/lab/build-rootfs.sh builds it)"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ROOT=$TMP/root
version=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)
deb=${HOSTD_DEB:-}
if [ -z "$deb" ] || [ ! -f "$deb" ]; then
    command -v dpkg-buildpackage >/dev/null || skip_all "no HOSTD_DEB and dpkg-buildpackage is not installed (make deps)"
    deb=$("$TOP/scripts/make-deb.sh" "$version" "$TMP/deb" 2>"$TMP/make-deb.log" | tail -n1)
    [ -f "$deb" ] || { fail "make-deb.sh builds the package"; sed 's/^/#   /' "$TMP/make-deb.log" | tail -n 20; tap_done; exit 1; }
fi
mkdir -p "$ROOT" && tar -xf "$rootfs" -C "$ROOT" || { fail "unpack $(basename "$rootfs")"; tap_done; exit 1; }

# step ARGS...: the step as apply runs it, in a mount namespace (its binds
# end with it) and with no network
step() { unshare --net --mount --fork -- "$STEP" package "$ROOT" "$@" 2>&1; }
installed() { chroot "$ROOT" dpkg-query -W -f '${db:Status-Abbrev}${Version}' hostd 2>/dev/null; }
leftovers() { ls -d "$ROOT/usr/sbin/policy-rc.d" "$ROOT/var/cache/hostd/"* 2>/dev/null; }

check_eq "without --package the step is skipped (the configure step copies the binaries)" \
    "skipped: no --package: the configure step copies hostctl and hostd" "$(step -)"
check_eq "--plan says what it would install" \
    "changed: install hostd $version from $deb with apt in the target" "$(step "$deb" --dry)"
check_eq "... and writes nothing" ":" "$(installed):$(leftovers)"
# an installer's dpkg-deb is busybox's, which has -f but not --field
if bb=$(command -v busybox); then
    mkdir -p "$TMP/busybox" && ln -s "$bb" "$TMP/busybox/dpkg-deb"
    check_eq "... with busybox's dpkg-deb too" "changed: install hostd $version from $deb with apt in the target" \
        "$(PATH=$TMP/busybox:$PATH step "$deb" --dry)"
else
    skip "... with busybox's dpkg-deb too" "busybox is not installed"
fi

out=$(step "$deb"); rc=$?
check_eq "the step installs the package with no network" \
    "0 changed: installed hostd $version from $deb (apt in the target)" "$rc $out"
check_eq "dpkg in the target knows hostd $version, installed" "ii $version" "$(installed)"
check_eq "the target's hostctl runs" "hostctl $version" "$(chroot "$ROOT" hostctl --version 2>&1)"
check "hostd.service is enabled in the target" \
    test -L "$ROOT/etc/systemd/system/multi-user.target.wants/hostd.service"
check_eq "neither the package file nor the policy that kept services from starting is left" "" "$(leftovers)"
check_eq "a second run changes nothing" "unchanged: hostd $version is installed in the target" "$(step "$deb")"

# an image without two of hostd's dependencies, and no way to fetch them
chroot "$ROOT" dpkg --purge hostd >/dev/null 2>&1
chroot "$ROOT" dpkg --remove --force-depends gdisk dosfstools >/dev/null 2>&1
out=$(step "$deb"); rc=$?
check_eq "an image that lacks a dependency fails the step" "1" "$rc"
check_contains "... naming it, as apt said it" "hostd : Depends: gdisk but it is not installable" "$out"
check_contains "... and saying what to do" "add those packages to the image" "$out"
check_eq "... before anything was unpacked" ":" "$(installed | sed 's/^[pu]n //'):$(leftovers)"
check "... and hostctl is not in the target" test ! -e "$ROOT/usr/bin/hostctl"

mkdir -p "$TMP/other/DEBIAN"
printf 'Package: hostd-tools\nVersion: 1.0\nArchitecture: all\nMaintainer: x <x@example.org>\nDescription: x\n' \
    >"$TMP/other/DEBIAN/control"
dpkg-deb --build "$TMP/other" "$TMP/hostd-tools.deb" >/dev/null
check_eq "a package that is not hostd is refused" \
    "error: $TMP/hostd-tools.deb is the package 'hostd-tools', not hostd" "$(step "$TMP/hostd-tools.deb" --dry)"
tap_done
