#!/bin/bash
# build-rootfs.sh - the Debian 12 system the virtual R630 boots from its own
# disks, as an uncompressed tar (the image `hostctl apply` installs onto the
# RAID 1 over the SSDs in the lab).
#
# Usage: tests/lab/build-rootfs.sh [OUT.tar]     (as root; ~2 min, then cached)
#
# Prints the path of the tar on stdout (OUT.tar when given: a hard link to
# the cached file, or a copy across filesystems), progress on stderr.  The
# tar is cached as $LAB_CACHE/rootfs-bookworm-<hash>.tar, <hash> covering
# this script, the package list and the report hook, so it is rebuilt when
# one of them changes (LAB_REBUILD=1: always); a new build deletes the
# older ones.  Uncompressed on purpose: the lab guest unpacks it straight
# from the 9p share, and decompressing under TCG costs more than reading
# the extra bytes.
#
# What the image has (debootstrap --variant=minbase, then configured here):
#   - the kernel, mdadm, GRUB for BIOS and UEFI (grub-pc-bin and
#     grub-efi-amd64-bin: the binaries only, so both can be installed),
#     containerd, runc, busybox-static (the container image copies
#     /bin/busybox, so it must be static) and the libraries hostctl and
#     hostd link against (the list below);
#   - serial console (ttyS0, 115200) for GRUB and the kernel;
#   - initramfs-tools with MODULES=dep and zstd -1: update-initramfs in the
#     TCG guest takes ~12 min with Debian's MODULES=most, ~2 min with dep.
#     dep is right here because the initramfs is rebuilt on the target
#     (virtual) machine;
#   - /boot/initrd.img-* kept: `update-initramfs -u` only updates initrds
#     that already exist, it does not create a missing one;
#   - kvm_amd/kvm_intel blacklisted: the TCG "max" CPU advertises SVM, udev
#     would load kvm_amd at every boot and that stalls a TCG guest;
#   - slimmed: no docs, man pages, locales, nor kernel modules a server never
#     loads (sound, gpu, media, wireless, bluetooth, infiniband, staging, iio);
#   - no hostname, fstab, mdadm ARRAY lines, machine-id or root password
#     (locked): `hostctl apply` writes them;
#   - lab-marker.service (see below) and /etc/lab/poweroff;
#   - lab-firstboot-tail.service: /var/lib/hostd/firstboot.log on the console
#     as "firstboot| <line>", while the first-boot unit runs.
#
# Boot marker: once `systemctl is-system-running --wait` returns,
# lab-marker prints on /dev/console (the serial port):
#   @@BOOTED <hostname>@@
#   @@STATE <running|degraded|...> uptime=<s>@@
#   @@ROOT <source> <fstype>@@
#   @@MDSTAT <line>@@            one per line of /proc/mdstat
#   @@FAILED <unit>@@            one per failed unit
#   @@ANALYZE <systemd-analyze time>@@
#   ...                          the output of every executable in
#                                /usr/local/lib/lab-report.d/, in name order
#   @@MARKER-END@@
# then powers the machine off when /etc/lab/poweroff exists.  lab.sh's
# lab_boot_disks waits for @@MARKER-END@@ and lab_marker reads the lines.
# The one hook shipped, lab-report.d/hostd, prints "@@R <key> <line>@@":
#   raid <json>            hostctl raid status --json, on one line
#   mount <target> <source> <fstype>   for /, /boot/efi and /srv/pool
#                          ("mount! <target> not mounted" when it is not)
#   firstboot <Prop>=<value>   systemctl show of hostd-firstboot.service (LoadState,
#                          ActiveState, Result, ExecMainStatus, ConditionResult)
#   containerd <Prop>=<value>  systemctl show of containerd.service (ActiveState,
#                          RequiresMountsFor: hostd's drop-in holds it for the pool)
#   varlib <name>          ls /var/lib/hostd/
#   container <id>         ctr --namespace hostd containers ls -q
#   image <ref>            ctr --namespace hostd images ls -q
#   firstboot.log <line>   /var/lib/hostd/firstboot.log, if present
# A failing command gives "@@R <key>! <stderr line>@@" and "@@R <key>! rc=N@@".
#
# Mirror: the first Debian one of the host's apt sources (LAB_MIRROR
# overrides it), read at each run and never kept: the image has no apt
# sources or lists, and everything this script prints or logs shows
# "<mirror>" instead of it.
#
# Env knobs: LAB_CACHE (default /var/cache/hostd-lab), LAB_MIRROR,
# LAB_REBUILD=1 (ignore the cache).
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SELF=$LAB_DIR/$(basename "${BASH_SOURCE[0]}")
LAB_CACHE=${LAB_CACHE:-/var/cache/hostd-lab}
SUITE=bookworm
OUT=${1:-}

# ---- what goes in -------------------------------------------------------------------
PKGS=(systemd-sysv udev kmod mdadm linux-image-amd64 grub-pc-bin grub-efi-amd64-bin
      grub2-common efibootmgr dosfstools gdisk xfsprogs e2fsprogs ifupdown iproute2
      zstd busybox-static containerd runc)
# Runtime libraries of build/hostctl and build/hostd.  Derived with
#   ldd build/hostctl build/hostd | grep -o '/[^ ]*' | sort -u |
#       xargs -n1 realpath | xargs dpkg -S | cut -d: -f1 | sort -u
# (55 packages, mostly libvirt0's and libcurl4's own dependencies), keeping
# the packages of the libraries the two binaries name themselves
# (readelf -d: NEEDED); apt pulls in the rest.
PKGS+=(libjson-c5 libyaml-0-2 libcurl4 libvirt0 libxml2 libmicrohttpd12
       libsqlite3-0 libudev1 libblkid1 libcrypt1)
# gcc's sanitizer runtimes: `make check SANITIZE=1` installs ASan/UBSan
# builds, and the installed system runs them at its first boot (~3 MB).
PKGS+=(libasan8 libubsan1)

# lab-report.d/hostd: what the host-side test reads after each disk boot.
read -r -d '' HOOK_HOSTD << 'EOF' || true
#!/bin/sh
# lab-report.d/hostd - hostd's state as "@@R <key> <line>@@" console lines
# (run by lab-marker after the boot; see tests/lab/build-rootfs.sh).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
tmp=$(mktemp -d)
# run [-1] KEY CMD...: stdout lines as "@@R KEY line@@" (-1: joined into
# one line, for indented JSON, whose strings hold no raw newline); on
# failure, stderr lines and the exit status as "@@R KEY! ...@@"
run() {
    join=
    [ "$1" != -1 ] || { join=1; shift; }
    key=$1
    shift
    rc=0
    timeout 60 "$@" > "$tmp/out" 2> "$tmp/err" || rc=$?
    if [ -n "$join" ] && [ -s "$tmp/out" ]; then
        awk '{ sub(/^[ \t]+/, ""); printf "%s", $0 } END { print "" }' "$tmp/out" > "$tmp/one"
        mv "$tmp/one" "$tmp/out"
    fi
    sed "s|^|@@R $key |; s|\$|@@|" "$tmp/out"
    if [ "$rc" != 0 ]; then
        sed "s|^|@@R $key! |; s|\$|@@|" "$tmp/err"
        echo "@@R $key! rc=$rc@@"
    fi
}
run -1 raid hostctl raid status --json
for m in / /boot/efi /srv/pool; do
    findmnt -rno TARGET,SOURCE,FSTYPE "$m" | sed 's|^|@@R mount |; s|$|@@|' | grep . ||
        echo "@@R mount! $m not mounted@@"
done
run firstboot systemctl show -p LoadState,ActiveState,Result,ExecMainStatus,ConditionResult hostd-firstboot.service
run containerd systemctl show -p ActiveState,RequiresMountsFor containerd.service
run varlib ls /var/lib/hostd/
run container ctr --namespace hostd containers ls -q
run image ctr --namespace hostd images ls -q
[ ! -f /var/lib/hostd/firstboot.log ] || run firstboot.log cat /var/lib/hostd/firstboot.log
rm -rf "$tmp"
EOF

read -r -d '' MARKER << 'EOF' || true
#!/bin/sh
# lab-marker - tell the virtual R630 lab's host that the boot is finished
# (see tests/lab/build-rootfs.sh).  stdout is /dev/console (the unit's
# TTYPath): writing to /dev/ttyS0 directly, where serial-getty runs, shows
# nothing in the serial log.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
state=$(systemctl is-system-running --wait 2> /dev/null)
{
    echo "@@BOOTED $(hostname)@@"
    echo "@@STATE $state uptime=$(cut -d' ' -f1 /proc/uptime)@@"
    echo "@@ROOT $(findmnt -no SOURCE,FSTYPE /)@@"
    sed 's/^/@@MDSTAT /; s/$/@@/' /proc/mdstat
    systemctl --failed --no-legend --plain | awk '{ print "@@FAILED " $1 "@@" }'
    systemd-analyze time 2> /dev/null | head -n1 | sed 's/^/@@ANALYZE /; s/$/@@/'
    for hook in /usr/local/lib/lab-report.d/*; do
        [ -f "$hook" ] && [ -x "$hook" ] && timeout 300 "$hook"
    done
    echo "@@MARKER-END@@"
} 2>&1
[ ! -e /etc/lab/poweroff ] || systemctl --no-block poweroff
exit 0
EOF

read -r -d '' MARKER_UNIT << 'EOF' || true
[Unit]
# (no marker text here: systemd echoes the description on the console)
Description=Virtual R630 lab boot report
[Service]
# simple, not oneshot: the unit must not hold up the boot it waits for
Type=simple
ExecStart=/usr/local/sbin/lab-marker
StandardOutput=tty
StandardError=tty
TTYPath=/dev/console
[Install]
WantedBy=multi-user.target
EOF

# the first boot's progress, line by line, on the console: the lab's only
# window into a first boot that stalls before the report
read -r -d '' FIRSTBOOT_TAIL_UNIT << 'EOF' || true
[Unit]
Description=Virtual R630 lab: the first-boot log on the console
ConditionPathExists=!/var/lib/hostd/firstboot.done
Before=hostd-firstboot.service
[Service]
Type=simple
ExecStart=/bin/sh -c 'exec tail -n +1 -F /var/lib/hostd/firstboot.log 2> /dev/null | sed -u "s/^/firstboot| /"'
StandardOutput=tty
TTYPath=/dev/console
[Install]
WantedBy=multi-user.target
EOF

# the errand hook (guest/lab-action.sh: md's tuning, hostd's answer, and the
# errands of later boots) is in the image, so that the first boot the
# installer reboots into reports it too
ACTION=$LAB_DIR/guest/lab-action.sh
HASH=$( { cat "$SELF" "$ACTION"; echo "$SUITE ${PKGS[*]}"; echo "$HOOK_HOSTD"; } |
        sha256sum | cut -c1-12)
TAR=$LAB_CACHE/rootfs-$SUITE-$HASH.tar

say() { echo "rootfs: $*" >&2; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# publish: print the result (hard link or copy it to OUT first)
publish() {
    if [ -z "$OUT" ]; then
        echo "$TAR"
        return 0
    fi
    rm -f "$OUT.tmp"
    ln -f "$TAR" "$OUT.tmp" 2> /dev/null || cp "$TAR" "$OUT.tmp"
    mv -f "$OUT.tmp" "$OUT"
    echo "$OUT"
}

if [ "${LAB_REBUILD:-0}" != 1 ] && [ -s "$TAR" ]; then
    say "using $TAR ($(du -h "$TAR" | cut -f1))"
    publish
    exit 0
fi

[ "$(id -u)" = 0 ] || { say "debootstrap needs root" ; exit 1; }
command -v debootstrap > /dev/null || { say "no debootstrap (apt-get install debootstrap)"; exit 1; }
mkdir -p "$LAB_CACHE"
# one build at a time; whoever waited may find the tar built
exec {lock}>> "$LAB_CACHE/.rootfs.lock"
flock "$lock"
if [ "${LAB_REBUILD:-0}" != 1 ] && [ -s "$TAR" ]; then
    publish
    exit 0
fi

# ---- mirror ---------------------------------------------------------------------------
# The first URIs: of a deb822 stanza, else the first "deb" line, that is not a
# security mirror.
mirror=${LAB_MIRROR:-}
if [ -z "$mirror" ]; then
    mirror=$(cat /etc/apt/sources.list.d/*.sources 2> /dev/null |
             awk '$1 == "URIs:" && $2 !~ /security/ { print $2; exit }')
fi
if [ -z "$mirror" ]; then
    mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2> /dev/null |
             awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /=/) { if ($i !~ /security/) { print $i; exit } else break } }')
fi
[ -n "$mirror" ] || { say "no Debian mirror in the host's apt sources (set LAB_MIRROR)"; exit 1; }
mirror=${mirror%/}
mirror_host=${mirror#*://}
mirror_host=${mirror_host%%/*}
mirror_host=${mirror_host##*@}
# hide: the mirror's URL and host name become <mirror>
re_escape() { printf '%s' "$1" | sed 's/[]\/$*.^[|]/\\&/g'; }
hide() { sed -u "s|$(re_escape "$mirror")|<mirror>|g; s|$(re_escape "$mirror_host")|<mirror>|g"; }

# ---- debootstrap ----------------------------------------------------------------------
ROOT=$LAB_CACHE/rootfs-$HASH.tmp.$$
LOG=$LAB_CACHE/rootfs-$SUITE-$HASH.log
cleanup() {
    local m
    # debootstrap mounts proc/sys in the target; a failed run may leave them
    if [ -d "$ROOT" ]; then
        for m in $(findmnt -rno TARGET | grep -F "$ROOT/" | sort -r); do
            umount -l "$m" 2> /dev/null || true
        done
        if findmnt -rno TARGET | grep -qF "$ROOT/"; then
            say "not removing $ROOT: something is still mounted in it"
        else
            rm -rf --one-file-system "$ROOT"
        fi
    fi
    rm -f "$TAR.tmp.$$"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

t0=$(date +%s.%N)
say "debootstrap $SUITE (minbase + ${#PKGS[@]} packages) from <mirror>, log $LOG"
rc=0
debootstrap --variant=minbase --include="$(IFS=,; echo "${PKGS[*]}")" \
    "$SUITE" "$ROOT" "$mirror" 2>&1 | hide > "$LOG" || rc=$?
if [ "$rc" != 0 ] || [ ! -x "$ROOT/usr/sbin/mdadm" ] || ! ls "$ROOT"/boot/vmlinuz-* > /dev/null 2>&1; then
    say "debootstrap failed (rc=$rc); the end of $LOG:"
    tail -n 20 "$LOG" >&2
    exit 1
fi
t1=$(date +%s.%N)

# ---- configuration --------------------------------------------------------------------
# no trace of the build host or the mirror
rm -f "$ROOT/etc/hostname"
: > "$ROOT/etc/resolv.conf"
: > "$ROOT/etc/machine-id"
rm -f "$ROOT/var/lib/dbus/machine-id"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$ROOT/etc/hosts"
echo "# no apt sources: the lab machine has no network" > "$ROOT/etc/apt/sources.list"
rm -rf "$ROOT"/etc/apt/sources.list.d/* "$ROOT"/var/lib/apt/lists/* \
    "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/cache/apt/*.bin \
    "$ROOT"/var/log/bootstrap.log "$ROOT"/var/log/apt/* "$ROOT"/var/log/dpkg.log
printf 'auto lo\niface lo inet loopback\n' > "$ROOT/etc/network/interfaces"
# root password locked; apply sets it
chroot "$ROOT" passwd -l root > /dev/null
# mdadm's postinst writes ARRAY lines for the arrays it sees (the build
# host's): apply appends the machine's own
sed -i '/^ARRAY /d' "$ROOT/etc/mdadm/mdadm.conf"

# GRUB menu and the kernel console on the first serial port (the lab's
# console; on the R630, the iDRAC's serial-over-LAN)
cat > "$ROOT/etc/default/grub" << 'EOF'
# written by tests/lab/build-rootfs.sh (virtual R630 lab image)
GRUB_DEFAULT=0
GRUB_TIMEOUT=1
GRUB_DISTRIBUTOR=Debian
GRUB_CMDLINE_LINUX_DEFAULT=""
GRUB_CMDLINE_LINUX="console=ttyS0,115200n8"
GRUB_TERMINAL="serial console"
GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"
GRUB_DISABLE_OS_PROBER=true
EOF

printf '%s\n' "# virtual R630 lab: small initramfs, fast compression (tests/lab/build-rootfs.sh)" \
    MODULES=dep COMPRESS=zstd COMPRESSLEVEL=1 > "$ROOT/etc/initramfs-tools/conf.d/lab.conf"
printf 'blacklist kvm_amd\nblacklist kvm_intel\n' > "$ROOT/etc/modprobe.d/lab-no-kvm.conf"

# slim (keep /boot/initrd.img-*: see the header)
rm -rf "$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/* "$ROOT"/usr/share/info/*
find "$ROOT/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
for k in "$ROOT"/usr/lib/modules/*; do
    ( cd "$k/kernel" && rm -rf sound drivers/gpu drivers/media drivers/net/wireless \
        drivers/bluetooth drivers/infiniband drivers/staging drivers/iio \
        net/wireless net/bluetooth net/mac80211 )
    chroot "$ROOT" depmod -a "${k##*/}"
done

# boot marker + report hook
mkdir -p "$ROOT/etc/lab" "$ROOT/usr/local/sbin" "$ROOT/usr/local/lib/lab-report.d"
touch "$ROOT/etc/lab/poweroff"
printf '%s\n' "$MARKER" > "$ROOT/usr/local/sbin/lab-marker"
printf '%s\n' "$HOOK_HOSTD" > "$ROOT/usr/local/lib/lab-report.d/hostd"
cp "$ACTION" "$ROOT/usr/local/lib/lab-report.d/zz-lab-action"
chmod 755 "$ROOT/usr/local/sbin/lab-marker" "$ROOT/usr/local/lib/lab-report.d/hostd" \
    "$ROOT/usr/local/lib/lab-report.d/zz-lab-action"
printf '%s\n' "$MARKER_UNIT" > "$ROOT/etc/systemd/system/lab-marker.service"
printf '%s\n' "$FIRSTBOOT_TAIL_UNIT" > "$ROOT/etc/systemd/system/lab-firstboot-tail.service"
for u in lab-marker lab-firstboot-tail; do
    ln -sf "/etc/systemd/system/$u.service" "$ROOT/etc/systemd/system/multi-user.target.wants/$u.service"
done

# the mirror must not be anywhere in the image
if grep -rIlF "$mirror_host" "$ROOT/etc" "$ROOT/var" 2> /dev/null | sed "s|^$ROOT|  |" | hide >&2; then
    say "the mirror's name is still in the files above"
    exit 1
fi
t2=$(date +%s.%N)

# ---- pack -------------------------------------------------------------------------------
tar -C "$ROOT" --numeric-owner -cf "$TAR.tmp.$$" .
mv -f "$TAR.tmp.$$" "$TAR"
# older builds (another hash) go: 600 MB each (a share's hard link keeps its own)
find "$LAB_CACHE" -maxdepth 1 \( -name "rootfs-$SUITE-*.tar" -o -name "rootfs-$SUITE-*.log" \) \
    ! -name "rootfs-$SUITE-$HASH.*" -delete
t3=$(date +%s.%N)
kver=$(find "$ROOT/usr/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | head -n1)
say "$TAR ($(du -h "$TAR" | cut -f1), kernel $kver): debootstrap $(secs "$t0" "$t1") s," \
    "configure $(secs "$t1" "$t2") s, pack $(secs "$t2" "$t3") s"
publish
