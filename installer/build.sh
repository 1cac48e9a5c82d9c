#!/bin/bash
# installer/build.sh - the hostd installer image (`make installer`).
#
# Usage: installer/build.sh [--spec FILE] [--cmdline "hostd.x=y ..."] [--deb FILE] [--out ISO] [--work DIR] [--zstd-level N]
#
# Output:
#   build/hostd-installer.iso      hybrid ISO: BIOS and UEFI, from a CD, a BMC's
#                                  virtual media or a USB stick (dd it)
#   build/installer/vmlinuz        the same kernel and initramfs for PXE/HTTP
#   build/installer/initrd.img     boot (the kernel command line is the grub.cfg's)
#   build/installer/contents.txt   what takes the space
# (--work DIR instead of build/installer, --out ISO instead of the ISO's path)
#
# The initramfs is the lab's (tests/lab/build-initramfs.sh: dash, busybox,
# mdadm, sgdisk, mkfs.*, udev, ... from this machine's Debian packages) with
# installer/init as /init, the drivers a server needs, smartctl, efibootmgr, hostctl
# (without libvirt), the hostd package (apply --package), a DHCP hook and
# CA certificates. --spec builds a spec in (/etc/hostd/host.yaml);
# installer/add-spec.sh adds one to a built ISO instead. --cmdline adds
# kernel parameters to both boot entries (hostd.spec=, hostd.callback=, ...).
# --zstd-level N compresses the initramfs at zstd level N instead of 19 (the
# smallest image for a BMC's slow virtual media): make check builds with 12,
# ~2 MB larger and 10x less CPU (32 CPU-s at 19).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$REPO/build/installer
ISO=$REPO/build/hostd-installer.iso
HOSTCTL=${HOSTCTL:-$REPO/build/hostctl}
SPEC='' CMDLINE='' DEB='' ZSTD_LEVEL=19
usage() { sed -n 's/^# Usage: //p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --spec) SPEC=${2:?}; shift ;;
        --cmdline) CMDLINE=${2:?}; shift ;;
        --deb) DEB=${2:?}; shift ;;
        --out) ISO=${2:?}; shift ;;
        --work) OUT=${2:?}; shift ;;
        --zstd-level) ZSTD_LEVEL=${2:?}; shift ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) usage ;;
    esac
    shift
done
die() { echo "installer: $*" >&2; exit 1; }
for t in grub-mkrescue xorriso mformat zstd; do
    command -v "$t" > /dev/null || die "$t is missing (make deps installs grub-common, xorriso, mtools, zstd)"
done
for b in /usr/sbin/smartctl /usr/bin/efibootmgr; do
    [ -x "$b" ] || die "$b is missing (make deps installs smartmontools, efibootmgr)"
done
for p in i386-pc x86_64-efi; do
    [ -d "/usr/lib/grub/$p" ] || die "GRUB for $p is missing (make deps: grub-pc-bin, grub-efi-amd64-bin)"
done
[ -x "$HOSTCTL" ] || die "no $HOSTCTL: run make first"
[ -z "$SPEC" ] || [ -f "$SPEC" ] || die "--spec $SPEC: no such file"
[[ $ZSTD_LEVEL =~ ^([1-9]|1[0-9])$ ]] || die "--zstd-level $ZSTD_LEVEL: a zstd level from 1 to 19"
[[ $CMDLINE =~ ^[A-Za-z0-9._=,:/?\&%+@\ -]*$ ]] || die "--cmdline: only kernel parameters (no quotes, no ';')"
if [ -z "$DEB" ]; then
    DEB=$(ls "$REPO"/build/deb/hostd_*_amd64.deb 2> /dev/null | sort -V | tail -n1 || true)
fi
[ -f "$DEB" ] || die "no hostd package: make deb, or --deb FILE"
KVER=$(find /lib/modules -mindepth 1 -maxdepth 1 -printf '%f\n' 2> /dev/null | sort -V | tail -n1)
[ -f "/boot/vmlinuz-$KVER" ] || die "no kernel: apt-get install linux-image-amd64"
t0=$SECONDS
mkdir -p "$OUT"

# ---- 1. the base image: the lab's builder, with the installer's init -------------------
# Drivers: md; SCSI/SAS/SATA HBAs (the PERC's megaraid_sas, mpt3sas of the
# HBA330), NVMe, virtio; the R630's NICs (tg3, bnx2x, igb, ixgbe) and
# e1000/e1000e/virtio-net; CD (sr_mod, isofs) and USB sticks. udev loads what
# the hardware asks for.
MODS="mpt3sas ahci ata_piix ata_generic nvme virtio_blk virtio_net e1000 e1000e igb ixgbe tg3 bnx2x
      sr_mod cdrom isofs usb_storage uas xhci_pci ehci_pci uhci_hcd ohci_pci af_packet efivarfs"
LAB_WORK=$OUT/base LAB_INIT=$REPO/installer/init LAB_EXTRA_BINS="/usr/sbin/smartctl /usr/bin/efibootmgr" \
    LAB_EXTRA_MODS="$(echo $MODS)" "$REPO/tests/lab/build-initramfs.sh" > "$OUT/base.log" 2>&1 ||
    { cat "$OUT/base.log" >&2; die "the base image failed"; }
BASE=$OUT/base/initramfs-root
missing=''
for m in mpt3sas megaraid_sas nvme tg3 bnx2x igb ixgbe e1000 virtio_net sr_mod isofs; do
    find "$BASE/usr/lib/modules/$KVER" -name "$m.ko*" | grep -q . || missing+=" $m"
done
[ -z "$missing" ] || die "kernel $KVER has no module:$missing"

# ---- 2. the overlay: hostctl, the package, the spec ----------------------------------------
OVL=$OUT/overlay
rm -rf "$OVL"
mkdir -p "$OVL/usr/bin" "$OVL/usr/share/hostd" "$OVL/etc/hostd" "$OVL/etc/ssl/certs"
install -m 0755 "$HOSTCTL" "$OVL/usr/bin/hostctl"
for lib in $(RUNTIME_LIBS_SKIP="libvirt.so.0 libxml2.so.2" "$REPO/tests/lab/runtime-libs.sh" "$HOSTCTL"); do
    dir=$(dirname "$(realpath -s "$lib")")
    case $dir in /lib*) dir=/usr$dir ;; esac
    [ -e "$BASE$dir/$(basename "$lib")" ] && continue
    mkdir -p "$OVL$dir"
    cp -L "$lib" "$OVL$dir/"
done
install -m 0644 "$DEB" "$OVL/usr/share/hostd/"
install -m 0755 "$REPO/installer/udhcpc.script" "$OVL/usr/share/hostd/udhcpc.script"
cp -L /etc/ssl/certs/ca-certificates.crt "$OVL/etc/ssl/certs/" 2> /dev/null || true
printf '%s\n' sd_mod sr_mod isofs md_mod > "$OVL/etc/installer-modules"
# Arrays an earlier install made carry the installed system's name as their
# homehost; udev assembles them in the installer, and apply must find them
# under their own names (/dev/md/os, not /dev/md/os_0): a run killed there,
# run again from the installer, finishes.
mkdir -p "$OVL/etc/mdadm"
printf 'HOMEHOST <ignore>\nDEVICE partitions\n' > "$OVL/etc/mdadm/mdadm.conf"
[ -z "$SPEC" ] || install -m 0600 "$SPEC" "$OVL/etc/hostd/host.yaml"
# one tree, one archive (what cpio -t and lsinitramfs show is all there is)
ALL=$OUT/root
rm -rf "$ALL"
cp -a "$BASE" "$ALL"
cp -a "$OVL/." "$ALL/"
(cd "$ALL" && find . -mindepth 1 -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) |
    zstd -q "-$ZSTD_LEVEL" -T0 > "$OUT/initrd.img.tmp"
mv "$OUT/initrd.img.tmp" "$OUT/initrd.img"
cp "/boot/vmlinuz-$KVER" "$OUT/vmlinuz"

# ---- 3. the ISO ------------------------------------------------------------------------------
ISOROOT=$OUT/iso
rm -rf "$ISOROOT"
mkdir -p "$ISOROOT/hostd" "$ISOROOT/boot/grub"
ln "$OUT/vmlinuz" "$ISOROOT/hostd/vmlinuz"
ln "$OUT/initrd.img" "$ISOROOT/hostd/initrd.img"
sed "s|@CMDLINE@|$CMDLINE|" "$REPO/installer/grub.cfg" > "$ISOROOT/boot/grub/grub.cfg"
grub-mkrescue -o "$ISO.tmp" "$ISOROOT" -- -volid HOSTD_INSTALLER > "$OUT/grub-mkrescue.log" 2>&1 ||
    { cat "$OUT/grub-mkrescue.log" >&2; die "grub-mkrescue failed"; }
mv "$ISO.tmp" "$ISO"

# ---- what takes the space --------------------------------------------------------------------
size() { du -k "$1" | cut -f1; }
{
    printf 'hostd-installer.iso     %6d KiB\n' "$(size "$ISO")"
    printf '  kernel (vmlinuz)      %6d KiB\n' "$(size "$OUT/vmlinuz")"
    printf '  initrd.img (zstd)     %6d KiB, unpacked:\n' "$(size "$OUT/initrd.img")"
    printf '    kernel modules      %6d KiB\n' "$(du -sk "$BASE/usr/lib/modules" | cut -f1)"
    printf '    hostctl + its libs  %6d KiB\n' "$(du -sk "$OVL/usr/bin/hostctl" "$OVL/usr/lib" 2> /dev/null | awk '{ s += $1 } END { print s }')"
    printf '    hostd package       %6d KiB\n' "$(du -sk "$OVL/usr/share/hostd" | cut -f1)"
    printf '    the rest (tools, libs, udev) %d KiB\n' "$(( $(du -sk "$BASE" | cut -f1) - $(du -sk "$BASE/usr/lib/modules" | cut -f1) ))"
    printf '  GRUB (BIOS + UEFI)    the rest of the ISO\n'
} > "$OUT/contents.txt"
cat "$OUT/contents.txt"
echo "installer: $ISO built in $((SECONDS - t0)) s"
