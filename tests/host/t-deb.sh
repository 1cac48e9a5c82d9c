#!/bin/bash
# The Debian package as an operator meets it: `make deb`'s script builds it
# (lintian clean), then in a clean chroot made from the lab's cached root
# filesystem `apt install ./hostd_*.deb` takes what it needs from the Debian
# mirror of this machine's apt sources, hostctl runs, hostd starts in the
# foreground (no systemd in a chroot) and answers, `dpkg -r` leaves only
# the conffile, the state and the unit's enablement, and `dpkg -P` leaves
# nothing: the chroot's file list is the one from before the install.
#
# HOSTD_DEB: a package built already (make check's), instead of building one.
# Needs root (chroot, mount namespace), the rootfs tar that
# tests/lab/build-rootfs.sh caches in LAB_CACHE, dpkg-buildpackage, lintian
# and the mirror; SKIP says which one is missing.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
LAB_CACHE=${LAB_CACHE:-/var/cache/hostd-lab}

skip_all() { skip "the Debian package in a chroot" "$1"; tap_done; exit 0; }
[ "$(id -u)" = 0 ] || skip_all "needs root (chroot and a mount namespace)"
for p in dpkg-buildpackage lintian unshare chroot; do
    command -v "$p" >/dev/null || skip_all "$p is not installed (make deps)"
done
rootfs=$(ls -t "$LAB_CACHE"/rootfs-bookworm-*.tar 2>/dev/null | head -n1)
[ -n "$rootfs" ] || skip_all "no cached root filesystem in $LAB_CACHE (tests/lab/build-rootfs.sh builds it)"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ROOT=$TMP/root
version=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)

# ---- build ---------------------------------------------------------------------
# make check runs make-deb.sh once for every test that needs the package
# (HOSTD_DEB); alone, this test runs it itself
if [ -n "${HOSTD_DEB:-}" ]; then
    deb=$HOSTD_DEB
    check "make deb built $(basename "$deb"), lintian clean (once, for make check)" test -f "$deb"
    [ -f "$deb" ] || { sed 's/^/#   /' "$(dirname "$deb").log" 2>/dev/null | tail -n 30; tap_done; exit 1; }
elif deb=$("$TOP/scripts/make-deb.sh" "$version" "$TMP/deb" 2>"$TMP/make-deb.log" | tail -n1) && [ -f "$deb" ]; then
    ok "make deb builds $(basename "$deb"), lintian clean"
else
    fail "make deb builds hostd_${version}_amd64.deb, lintian clean"
    sed 's/^/#   /' "$TMP/make-deb.log" | tail -n 30
    tap_done; exit 1
fi
check_eq "the package is named for the Makefile's version" "hostd_${version}_amd64.deb" "$(basename "$deb")"
check_contains "Depends has the programs the core runs" "mdadm, gdisk, e2fsprogs, xfsprogs, dosfstools" \
    "$(dpkg-deb -f "$deb" Depends)"
check_eq "the lazily opened libraries and the optional programs (ipmitool, smartctl) are recommended" \
    "libcurl4, libvirt0, libxml2, ipmitool, smartmontools" \
    "$(dpkg-deb -f "$deb" Recommends)"
check_eq "/etc/hostd/hostd.conf is the one conffile" "/etc/hostd/hostd.conf" \
    "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)"

# ---- the chroot ------------------------------------------------------------------
mkdir -p "$ROOT"
tar -xf "$rootfs" -C "$ROOT" || { fail "unpack $(basename "$rootfs")"; tap_done; exit 1; }
# apt's sources and how it fetches them (Acquire:: settings) as on this
# machine; the lab's image has none
mkdir -p "$ROOT/etc/apt/sources.list.d" "$ROOT/etc/apt/apt.conf.d"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && cp "$f" "$ROOT$f"
done
for f in /etc/apt/apt.conf.d/*; do
    [ -f "$f" ] && grep -q '^[[:space:]]*Acquire' "$f" && cp "$f" "$ROOT$f"
done
rm -f "$ROOT/etc/resolv.conf" && cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
cp "$deb" "$ROOT/tmp/"

# inroot COMMAND...: run in the chroot, in a mount namespace of its own
# (proc, sysfs read-only, /dev, a fresh /run) that ends with the command
inroot() {
    unshare --mount --fork -- sh -c '
        r=$1; shift
        mount -t proc proc "$r/proc" && mount -t sysfs -o ro sysfs "$r/sys" &&
        mount --rbind /dev "$r/dev" && mount -t tmpfs tmpfs "$r/run" || exit 99
        exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C \
            DEBIAN_FRONTEND=noninteractive HOME=/root "$@"' sh "$ROOT" "$@"
}
# logged COMMAND...: its output goes to the log, not into the TAP
logged() { "$@" >>"$TMP/apt.log" 2>&1; }
# files: every path of the chroot but the kernel's, the temporary ones and
# dpkg's and apt's own books
files() {
    (cd "$ROOT" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./run -o -path ./tmp \
        -o -path ./var/lib/dpkg -o -path ./var/lib/apt -o -path ./var/cache -o -path ./var/log \) -prune -o -print) |
        LC_ALL=C sort
}

if ! inroot apt-get update >"$TMP/apt.log" 2>&1; then
    tail -n 5 "$TMP/apt.log" | sed 's/^/#   /'
    skip_all "apt-get update in the chroot failed: the Debian mirror of this machine's apt sources is not reachable"
fi
# what the package needs, from Debian, before it: the state to come back to.
# The lab's image has every dependency; two leave it first so that apt has
# something to bring in.
check "two dependencies (gdisk, dosfstools) leave the image first" \
    logged inroot apt-get purge -y gdisk dosfstools
depends=$(dpkg-deb -f "$deb" Depends)
n0=$(inroot dpkg-query -W -f '${Package}\n' | wc -l)
check "apt-get satisfy brings in what hostd depends on" \
    logged inroot apt-get satisfy -y --no-install-recommends "$depends"
n1=$(inroot dpkg-query -W -f '${Package}\n' | wc -l)
check "gdisk and dosfstools are back" logged inroot dpkg-query -W gdisk dosfstools
files >"$TMP/before"

if inroot apt-get install -y --no-install-recommends "/tmp/$(basename "$deb")" >>"$TMP/apt.log" 2>&1; then
    ok "apt install ./$(basename "$deb")"
else
    fail "apt install ./$(basename "$deb")"; tail -n 20 "$TMP/apt.log" | sed 's/^/#   /'
fi
check_eq "apt installed hostd and nothing else" "$((n1 + 1))" "$(inroot dpkg-query -W -f '${Package}\n' | wc -l)"
check_eq "hostctl --version" "hostctl $version" "$(inroot hostctl --version 2>&1)"
check "the group hostd exists" logged inroot getent group hostd
check "hostd.service is enabled (multi-user.target wants it)" \
    test -L "$ROOT/etc/systemd/system/multi-user.target.wants/hostd.service"
check "the man pages are installed" test -f "$ROOT/usr/share/man/man8/hostd.8.gz" -a -f "$ROOT/usr/share/man/man8/hostctl.8.gz"
check "the bash completion is installed" test -f "$ROOT/usr/share/bash-completion/completions/hostctl"

# hostd in the foreground with the packaged configuration and defaults; hostctl asks it
inroot sh -c '
    hostd --foreground 2>/tmp/hostd.log & pid=$!
    i=0; while [ ! -S /run/hostd/hostd.sock ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    hostctl --json --host unix:///run/hostd/hostd.sock disks >/tmp/disks.json; echo $? >/tmp/disks.rc
    stat -c "%G %a" /run/hostd/hostd.sock >/tmp/sock.stat
    kill -TERM $pid; wait $pid; echo $? >/tmp/hostd.rc' 2>/dev/null
check_eq "hostctl --host unix:///run/hostd/hostd.sock disks: hostd answers" "0" "$(cat "$ROOT/tmp/disks.rc" 2>/dev/null)"
check "the answer is one JSON document" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$ROOT/tmp/disks.json"
check_eq "the socket belongs to the group hostd, mode 660" "hostd 660" "$(cat "$ROOT/tmp/sock.stat" 2>/dev/null)"
check_eq "hostd stops cleanly on SIGTERM" "0" "$(cat "$ROOT/tmp/hostd.rc" 2>/dev/null)"
log=$(cat "$ROOT/tmp/hostd.log" 2>/dev/null)
check_contains "hostd says it started with the packaged hostd.conf" "hostd $version started" "$log"
case $log in *warning*|*error*) fail "hostd warned nothing"; sed 's/^/#   /' <<<"$log" ;; *) ok "hostd warned nothing" ;; esac
check "hostd made its state directory" test -f "$ROOT/var/lib/hostd/hostd.db"
echo "# answer: $(tr -d ' \n' <"$ROOT/tmp/disks.json" 2>/dev/null | head -c 160)"

# ---- remove, purge -------------------------------------------------------------------
check "dpkg -r hostd" logged inroot dpkg -r hostd
files >"$TMP/removed"
left=$(comm -13 "$TMP/before" "$TMP/removed")
check "dpkg -r removes the programs" test ! -e "$ROOT/usr/sbin/hostd" -a ! -e "$ROOT/usr/bin/hostctl"
check "dpkg -r keeps the conffile" test -f "$ROOT/etc/hostd/hostd.conf"
check "dpkg -r keeps the state" test -f "$ROOT/var/lib/hostd/hostd.db"
# what may stay until the purge: the conffile, the state, the unit's
# enablement (deb-systemd-helper's), and the backups of /etc/group and
# /etc/gshadow that adding the group made (the group stays, as Debian keeps
# system groups)
unexpected=$(grep -vE '^\./(etc/hostd|var/lib/hostd|etc/systemd/system/multi-user\.target\.wants/hostd\.service|var/lib/systemd/deb-systemd-helper-enabled(/.*hostd.*)?|etc/(group|gshadow)-)$|^\./(etc/hostd|var/lib/hostd|var/lib/systemd/deb-systemd-helper-enabled)/' <<<"$left")
check_eq "dpkg -r leaves nothing else" "" "$unexpected"

check "dpkg -P hostd" logged inroot dpkg -P hostd
files >"$TMP/purged"
left=$(comm -3 "$TMP/before" "$TMP/purged" | grep -vE '^\./etc/(group|gshadow)-$')
check_eq "dpkg -P leaves the file list as it was before the install" "" "$left"
status=$(chroot "$ROOT" dpkg-query -W -f '${db:Status-Abbrev}' hostd 2>/dev/null)
check_eq "dpkg knows hostd as not installed, no config files" "" "${status#[pu]n}"
tap_done
