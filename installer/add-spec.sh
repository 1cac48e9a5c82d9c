#!/bin/bash
# installer/add-spec.sh [--cmdline "hostd.x=y ..."] ISO SPEC OUT.iso - one installer per server, in seconds:
# a copy of a built installer ISO with SPEC as hostd/host.yaml on the medium
# (the installer takes it when neither hostd.spec= nor a HOSTD medium gives
# one). The spec goes in as a second ISO 9660 session appended to the copy;
# the boot records (El Torito for BIOS and UEFI, the hybrid MBR) are kept as
# they are and nothing is rebuilt. (Replaying them into a new image fails on
# grub-mkrescue's GPT, whose partitions overlap.) The spec is copied as it is: it holds no secret that
# the ISO's readers should not see (password hashes, keys: yes; passwords: no).
# --cmdline adds kernel parameters to the boot menu's entries (a callback:
# hostd.callback=URL), in the same new session.
set -euo pipefail
usage() { echo "usage: $0 [--cmdline \"hostd.x=y ...\"] INSTALLER.iso host.yaml OUT.iso" >&2; exit 2; }
cmdline=''
if [ "${1:-}" = --cmdline ]; then
    cmdline=${2:-}
    shift 2 || usage
    [[ $cmdline =~ ^[A-Za-z0-9._=,:/?\&%+@\ -]+$ ]] || { echo "add-spec: --cmdline: only kernel parameters" >&2; exit 2; }
fi
[ $# -eq 3 ] || usage
iso=$1 spec=$2 out=$3
[ -f "$iso" ] || { echo "add-spec: $iso: no such file" >&2; exit 1; }
[ -f "$spec" ] || { echo "add-spec: $spec: no such file" >&2; exit 1; }
[ "$(realpath -m "$iso")" != "$(realpath -m "$out")" ] || { echo "add-spec: OUT must differ from ISO" >&2; exit 2; }
command -v xorriso > /dev/null || { echo "add-spec: xorriso is missing (apt-get install xorriso)" >&2; exit 1; }
cp "$iso" "$out.tmp"
grub=()
if [ -n "$cmdline" ]; then
    xorriso -osirrox on -indev "$iso" -extract /boot/grub/grub.cfg "$out.grub" > /dev/null 2>&1 ||
        { echo "add-spec: $iso has no /boot/grub/grub.cfg" >&2; rm -f "$out.tmp"; exit 1; }
    chmod u+w "$out.grub"
    sed -i "s|^\( *linux /hostd/vmlinuz .*\)\$|\1 $cmdline|" "$out.grub"
    grub=(-map "$out.grub" /boot/grub/grub.cfg)
fi
xorriso -dev "$out.tmp" -boot_image any keep "${grub[@]}" \
    -map "$spec" /hostd/host.yaml -chmod 0444 /hostd/host.yaml -- -commit > "$out.log" 2>&1 ||
    { cat "$out.log" >&2; rm -f "$out.tmp"; echo "add-spec: xorriso failed" >&2; exit 1; }
rm -f "$out.log" "$out.grub"
mv "$out.tmp" "$out"
echo "add-spec: $out: $iso with $spec as hostd/host.yaml"
