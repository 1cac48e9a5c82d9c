#!/bin/bash
# build-initramfs.sh - build the "virtual R630" guest image from host files.
#
# Usage: tests/lab/build-initramfs.sh            (rebuilds only if inputs changed)
#        LAB_REBUILD=1 tests/lab/build-initramfs.sh   (always rebuild)
#
# Output, in $LAB_WORK (default <repo>/build/lab):
#   initramfs.cpio   uncompressed newc cpio (an uncompressed cpio boots ~1.5 s
#                    faster under TCG than a gzipped one)
#   vmlinux          the ELF kernel cut out of /boot/vmlinuz-$KVER; QEMU boots
#                    it through its PVH entry note and so skips the in-guest
#                    xz decompression (~4-5 s per boot under TCG).  If it cannot
#                    be extracted, lab.sh boots the bzImage instead.
#   initramfs.stamp  hash of every input; an unchanged hash skips the build.
#
# Contents: dash as /bin/sh, busybox-static applets for the small commands,
# kmod (modprobe), mdadm, sgdisk, wipefs, mkfs.xfs (+ xfs_db), mke2fs/
# mkfs.ext4, mkfs.vfat, blkid, lsblk, findmnt, util-linux mount/umount,
# systemd-udevd + udevadm + scsi_id/ata_id with the storage and md udev
# rules, the kernel modules the lab needs, guest/init as /init and
# guest/lib.sh as /lab/lib.sh.  Each binary comes with the libraries
# runtime-libs.sh lists (ldd's, and those hostctl opens on first use).
# The host must be merged-/usr Debian 12 (bin, sbin, lib, lib64 are
# symlinks into usr), which is the layout the image mirrors.
#
# Env knobs: LAB_WORK (output dir), LAB_KVER (kernel version, default: newest
# in /lib/modules), LAB_REBUILD=1 (ignore the stamp). The installer image
# (installer/build.sh) builds on this image with: LAB_INIT (another /init),
# LAB_EXTRA_BINS (more programs, blank-separated), LAB_EXTRA_MODS (more
# modules, with what they depend on).
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_WORK=${LAB_WORK:-$(cd "$LAB_DIR/../.." && pwd)/build/lab}
LAB_KVER=${LAB_KVER:-$(find /lib/modules -mindepth 1 -maxdepth 1 -printf '%f\n' 2> /dev/null | sort -V | tail -n1)}
ROOT=$LAB_WORK/initramfs-root
OUT=$LAB_WORK/initramfs.cpio
VMLINUZ=/boot/vmlinuz-$LAB_KVER

if [ -z "$LAB_KVER" ] || [ ! -d "/lib/modules/$LAB_KVER" ]; then
    echo "build-initramfs: no kernel modules in /lib/modules" >&2
    exit 1
fi
[ -f "$VMLINUZ" ] || { echo "build-initramfs: missing $VMLINUZ" >&2; exit 1; }

# ---- what goes in -------------------------------------------------------------
# Dynamically linked tools (copied with their libraries).  The shell is dash,
# not busybox sh: Debian's busybox-static sh runs its own applets (mount,
# umount, modprobe, losetup, fdisk, ...) in preference to the real programs
# on PATH, so guest scripts would not test what a Debian host runs.
# util-linux mount probes the filesystem type, so the kernel then loads
# xfs/ext4/vfat by itself.
TOOLS=(
    /usr/bin/dash
    /usr/sbin/mdadm /usr/sbin/sgdisk /usr/sbin/wipefs /usr/sbin/blkid
    /usr/sbin/mkfs.xfs /usr/sbin/xfs_db /usr/sbin/mke2fs /usr/sbin/mkfs.fat
    /usr/bin/lsblk /usr/bin/findmnt /usr/bin/mount /usr/bin/umount
    /usr/bin/kmod /usr/bin/udevadm
    /usr/lib/systemd/systemd-udevd /usr/lib/udev/scsi_id /usr/lib/udev/ata_id
)
# Symlinks to the tools above: name -> target (relative, in the same dir).
TOOL_LINKS=(
    /usr/bin/sh:dash
    /usr/sbin/mkfs.ext4:mke2fs /usr/sbin/mkfs.vfat:mkfs.fat
    /usr/sbin/mkdosfs:mkfs.fat
    /usr/sbin/modprobe:../bin/kmod /usr/sbin/insmod:../bin/kmod
    /usr/sbin/rmmod:../bin/kmod /usr/sbin/lsmod:../bin/kmod
    /usr/sbin/depmod:../bin/kmod /usr/sbin/modinfo:../bin/kmod
)
# udev rules: persistent storage names (by-id, by-path, ID_SERIAL, ID_WWN,
# ID_FS_*) and md (incremental assembly, /dev/md/NAME links).
UDEV_RULES=(50-udev-default 60-block 60-persistent-storage 01-md-raid-creating
            63-md-raid-arrays 64-md-raid-assembly 80-drivers)
# Modules loaded at boot by /init, HBAs first so the SCSI scan overlaps the
# rest.  Loading is slow under TCG (xfs alone ~2 s), so everything the kernel
# loads by itself when needed stays out of this list: md personalities
# (raid1, raid456, ... on array start), filesystems (on mount), crc32c.
MODS_BOOT=(virtio_pci virtio_scsi megaraid_sas mptsas sd_mod sg md_mod
           9p 9pnet_virtio)
# Modules in the image but not loaded at boot (scsi_debug creates disks as
# soon as it is loaded; loop for image-file tests).  vfat mounts with
# iocharset=ascii by default: without nls_ascii, mounting an ESP fails
# ("FAT-fs: IO charset ascii not found", mount: Invalid argument).
MODS_EXTRA=(raid0 raid1 raid10 raid456 linear xfs ext4 vfat nls_cp437
            nls_iso8859_1 nls_ascii nls_utf8 crc32c_generic crc32c_intel
            scsi_debug loop virtio_blk ahci nvme virtio_net)
# shellcheck disable=SC2206  # (blank-separated lists)
TOOLS+=(${LAB_EXTRA_BINS:-})
# shellcheck disable=SC2206
MODS_EXTRA+=(${LAB_EXTRA_MODS:-})
INIT=${LAB_INIT:-$LAB_DIR/guest/init}
# Never load these: udev loading kvm_* under TCG stalls boot by up to ~50 s.
MODS_BLACKLIST=(kvm_amd kvm_intel kvm)

# ---- skip the build when nothing changed ------------------------------------------
# The stamp covers this script, the guest files, the kernel and every tool.
stamp() {
    {
        echo "$LAB_KVER"
        cat "${BASH_SOURCE[0]}" "$INIT" "$LAB_DIR"/guest/lib.sh
        echo "${MODS_EXTRA[*]}"
        stat -L -c '%n %s %Y' "${TOOLS[@]}" /bin/busybox "$VMLINUZ" \
            "/lib/modules/$LAB_KVER/modules.dep"
    } | sha256sum | cut -d' ' -f1
}
want=$(stamp)
if [ "${LAB_REBUILD:-0}" != 1 ] && [ -s "$OUT" ] &&
   { [ -s "$LAB_WORK/vmlinux" ] || [ -e "$LAB_WORK/vmlinux.none" ]; } &&
   [ "$(cat "$LAB_WORK/initramfs.stamp" 2>/dev/null)" = "$want" ]; then
    echo "initramfs: $OUT is up to date"
    exit 0
fi
t0=$(date +%s.%N)

mkdir -p "$LAB_WORK"
rm -rf "$ROOT" "$LAB_WORK/initramfs.stamp"
mkdir -p "$ROOT"/{usr/bin,usr/sbin,usr/lib,usr/lib64,dev,proc,sys,run,tmp,mnt,etc,root,var,lab}
for d in bin sbin lib lib64; do ln -s "usr/$d" "$ROOT/$d"; done
ln -s ../run "$ROOT/var/run"

# add_path PATH: copy PATH into the image under the same name, recreating
# every symlink met on the way (so /lib64/ld-linux... -> /usr/lib/... works).
add_path() {
    local p=$1 dir base tgt
    while :; do
        dir=$(realpath "$(dirname "$p")")
        base=$(basename "$p")
        mkdir -p "$ROOT$dir"
        if [ -L "$dir/$base" ]; then
            tgt=$(readlink "$dir/$base")
            [ -e "$ROOT$dir/$base" ] || [ -L "$ROOT$dir/$base" ] ||
                ln -s "$tgt" "$ROOT$dir/$base"
            case $tgt in /*) p=$tgt ;; *) p=$dir/$tgt ;; esac
        else
            [ -e "$ROOT$dir/$base" ] || cp -a "$dir/$base" "$ROOT$dir/$base"
            return 0
        fi
    done
}

# add_bin BINARY...: the binary plus its shared libraries and ELF interpreter.
add_bin() {
    local b lib
    for b in "$@"; do
        add_path "$b"
        for lib in $("$LAB_DIR/runtime-libs.sh" "$b"); do
            add_path "$lib"
        done
    done
}

# ---- user space ---------------------------------------------------------------
add_bin "${TOOLS[@]}"
for l in "${TOOL_LINKS[@]}"; do ln -sfn "${l#*:}" "$ROOT${l%%:*}"; done
# busybox provides every command no real binary above provides
cp /bin/busybox "$ROOT/usr/bin/busybox"
for a in $(/bin/busybox --list); do
    [ -e "$ROOT/usr/bin/$a" ] || [ -e "$ROOT/usr/sbin/$a" ] ||
        [ -L "$ROOT/usr/sbin/$a" ] || ln -s busybox "$ROOT/usr/bin/$a"
done

# ---- udev ------------------------------------------------------------------------
mkdir -p "$ROOT/etc/udev/rules.d" "$ROOT/usr/lib/udev/rules.d"
cp /etc/udev/udev.conf "$ROOT/etc/udev/"
for r in "${UDEV_RULES[@]}"; do
    cp "/usr/lib/udev/rules.d/$r.rules" "$ROOT/usr/lib/udev/rules.d/"
done
# udevd resolves the user and group names used in 50-udev-default.rules
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$ROOT/etc/passwd"
getent group root disk cdrom tape dialout floppy kmem tty video audio input \
    render kvm sgx lp uucp > "$ROOT/etc/group" 2>/dev/null || true
echo r630-lab > "$ROOT/etc/hostname"

# ---- mdadm -----------------------------------------------------------------------
# HOMEHOST <system> and no ARRAY lines: `mdadm --assemble --scan` assembles
# every array whose superblock homehost is the guest hostname (r630-lab).
mkdir -p "$ROOT/etc/mdadm"
printf 'HOMEHOST <system>\nDEVICE partitions\n' > "$ROOT/etc/mdadm/mdadm.conf"

# ---- kernel modules -----------------------------------------------------------------
for m in "${MODS_BOOT[@]}" "${MODS_EXTRA[@]}"; do
    for ko in $(modprobe -S "$LAB_KVER" --show-depends "$m" 2>/dev/null |
                awk '$1 == "insmod" { print $2 }'); do
        add_path "$ko"
    done
done
mkdir -p "$ROOT/usr/lib/modules/$LAB_KVER"
for f in modules.order modules.builtin modules.builtin.modinfo; do
    cp "/lib/modules/$LAB_KVER/$f" "$ROOT/usr/lib/modules/$LAB_KVER/"
done
depmod -b "$ROOT" "$LAB_KVER"
printf '%s\n' "${MODS_BOOT[@]}" > "$ROOT/etc/lab-modules"
mkdir -p "$ROOT/etc/modprobe.d"
for m in "${MODS_BLACKLIST[@]}"; do
    printf 'blacklist %s\ninstall %s /bin/false\n' "$m" "$m"
done > "$ROOT/etc/modprobe.d/lab.conf"

# ---- init and the guest helper library -----------------------------------------------
install -m 0755 "$INIT" "$ROOT/init"
install -m 0644 "$LAB_DIR/guest/lib.sh" "$ROOT/lab/lib.sh"
mknod -m 600 "$ROOT/dev/console" c 5 1
mknod -m 666 "$ROOT/dev/null" c 1 3

# ---- pack ------------------------------------------------------------------------
( cd "$ROOT" && find . -print0 | LC_ALL=C sort -z |
  cpio --null -o -H newc --quiet ) > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"

# ---- uncompressed kernel for PVH boot ---------------------------------------------------
# Debian's bzImage carries an xz payload: cut it out at the xz magic.  The
# result must carry the PVH entry note (Xen ELF note 0x12, PHYS32_ENTRY).
if [ ! -s "$LAB_WORK/vmlinux" ] || [ "$VMLINUZ" -nt "$LAB_WORK/vmlinux" ]; then
    rm -f "$LAB_WORK/vmlinux" "$LAB_WORK/vmlinux.tmp" "$LAB_WORK/vmlinux.none"
    off=$(grep -abo $'\xfd7zXZ\x00' "$VMLINUZ" | head -n1 | cut -d: -f1 || true)
    if [ -n "$off" ]; then
        # xz stops at the end of its stream and tail gets SIGPIPE: ignore that
        tail -c +$((off + 1)) "$VMLINUZ" |
            xz -dc --single-stream > "$LAB_WORK/vmlinux.tmp" 2>/dev/null || true
    fi
    notes=$(readelf -n "$LAB_WORK/vmlinux.tmp" 2>/dev/null || true)
    if [ -s "$LAB_WORK/vmlinux.tmp" ] && [[ $notes =~ Xen[^$'\n']*0x00000012 ]]; then
        mv "$LAB_WORK/vmlinux.tmp" "$LAB_WORK/vmlinux"
    else
        rm -f "$LAB_WORK/vmlinux.tmp"
        : > "$LAB_WORK/vmlinux.none"
        echo "build-initramfs: no PVH vmlinux extracted; lab.sh boots $VMLINUZ" >&2
    fi
fi

echo "$want" > "$LAB_WORK/initramfs.stamp"
t1=$(date +%s.%N)
printf 'initramfs: %s (%s, %s files, kernel %s) built in %.1f s\n' "$OUT" \
    "$(du -h "$OUT" | cut -f1)" "$(find "$ROOT" | wc -l)" "$LAB_KVER" \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
