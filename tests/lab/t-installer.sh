#!/bin/bash
# t-installer.sh - the installer image (make installer) on the virtual R630,
# booted through its virtual iDRAC as a datacenter boots it; TAP. Every boot
# here stops before a disk is written (hostd.mode=plan, or a spec that is
# refused), so the disks stay blank and each boot takes under a minute;
# the whole install through the BMC is t-firstboot's.
#   url       PXE (iPXE chains the kernel and initramfs over HTTP): the spec
#             from hostd.spec= with its sha256; a HOSTD stick is there too and
#             loses; each phase reported to hostd.callback
#   bad-sha   hostd.spec= with a wrong sha256: refused, on the console and to
#             the callback, with both digests
#   seed      PXE on a UEFI machine, without hostd.spec=: the spec from the
#             USB stick labelled HOSTD; the plan reads the firmware's entries
#   medium    the operator's playbook (site.yml --tags bmc) inserts the ISO
#             and boots it once; UEFI (OVMF), a NIC where no DHCP answers:
#             the spec added to the ISO (installer/add-spec.sh), which has
#             an error: the plan fails and says why
# Env: HOSTCTL, HOSTD_INSTALLER (the ISO; built when unset), the lab.sh knobs.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LAB_SSD_SIZE=${LAB_SSD_SIZE:-4G} LAB_HDD_SIZE=${LAB_HDD_SIZE:-1G}
# shellcheck source=lab.sh
. "$HERE/lab.sh"
# shellcheck source=lab-bmc.sh
. "$HERE/lab-bmc.sh"
# shellcheck source=../host/tap.sh
. "$HERE/../host/tap.sh"
export HOSTCTL=${HOSTCTL:-$LAB_REPO/build/hostctl}

if why=$(lab_skip_reason); then skip "installer lab" "$why"; tap_done; exit 0; fi
for p in openssl mkfs.vfat mcopy xorriso ansible-playbook; do
    command -v "$p" > /dev/null || { skip "installer lab" "$p is not installed (make deps)"; tap_done; exit 0; }
done
ls /usr/lib/ipxe/qemu/pxe-virtio.rom > /dev/null 2>&1 ||
    { skip "installer lab" "no iPXE ROM for QEMU (make deps: ipxe-qemu)"; tap_done; exit 0; }
ISO=${HOSTD_INSTALLER:-}
WORK=$LAB_REPO/build/lab/installer
if [ -z "$ISO" ] || [ ! -f "$ISO" ]; then
    ISO=$WORK/hostd-installer.iso
    "$LAB_REPO/installer/build.sh" --zstd-level 12 --work "$WORK" --out "$ISO" > "$LAB_REPO/build/lab/installer.log" 2>&1 ||
        { fail "the installer image builds (log: build/lab/installer.log)"; tap_done; exit 1; }
fi
IMG=$(dirname "$ISO")/installer
[ -f "$IMG/initrd.img" ] || IMG=$WORK
lab_init
trap 'lab_bmc_stop; lab_cleanup' EXIT
T=$LAB_WORK/installer-t
rm -rf "$T"
mkdir -p "$T"
blocks() {   # disk blocks written: none on blank (sparse) images
    local id n=0
    for id in "${LAB_DISKS[@]}"; do n=$((n + $(stat -c %b "$(lab_disk_img "$id")"))); done
    echo $n
}
py() { python3 -c "$1" "${@:2}"; }
# callbacks PHASE STATE FIELD: FIELD of the reports of PHASE in STATE, one a line
callbacks() {
    lab_bmc_callbacks | py 'import json, sys
for l in sys.stdin:
    d = json.loads(l)
    if d.get("phase") == sys.argv[1] and d.get("state") == sys.argv[2]:
        v = d
        for k in sys.argv[3].split("."):
            v = v.get(k, {}) if isinstance(v, dict) else {}
        print(v if v != {} else "")' "$@"
}
# spec NAME > FILE: the lab's spec for host NAME (an image that a plan does not fetch)
spec() {
    sed -e "s|^host: .*|host: {name: $1}|" -e "s|^\(  image: \).*|\1http://10.0.2.2:9/none.tar|" \
        -e '/^hypervisor:/,/^  pool_mount:/d' "$LAB_REPO/examples/r630.yaml"
}
spec r630-url > "$T/url.yaml"
spec r630-stick > "$T/stick.yaml"
URL_SHA=$(sha256sum "$T/url.yaml" | cut -d' ' -f1)
# the USB stick: FAT, labelled HOSTD, host.yaml on it
mkfs.vfat -C -n HOSTD "$T/stick.img" 8192 > /dev/null
mcopy -i "$T/stick.img" "$T/stick.yaml" ::host.yaml
STICK="-device qemu-xhci,id=xhci -drive if=none,id=stick,format=raw,file=$T/stick.img -device usb-storage,bus=xhci.0,drive=stick"

# boot NAME TARGET MARKER [CMDLINE]: one start of the machine (TARGET pxe or
# cd, once), until MARKER is on its console; then off. A PXE boot's iPXE
# script gives the kernel CMDLINE.
boot() {
    local name=$1 target=$2 marker=$3 cmdline=${4:-}
    # initrd=initrd.img: on UEFI the kernel's EFI stub loads the initrd by that
    # name from iPXE's files; BIOS ignores it
    printf '#!ipxe\nkernel %s/vmlinuz initrd=initrd.img console=ttyS0,115200n8 panic=0 quiet %s\ninitrd %s/initrd.img\nboot\n' \
        "$LAB_BMC_URL" "$cmdline" "$LAB_BMC_URL" > "$LAB_BMC_WWW/boot.ipxe"
    lab_bmc_ctl boot "$target" --once > /dev/null
    T_ON=$SECONDS
    lab_bmc_ctl power on > /dev/null
    until_console "$name" "$marker"
}
# until_console NAME MARKER: wait for MARKER on the running machine's console
# (5 min at most), power it off, keep the console as NAME
until_console() {
    local name=$1 marker=$2 i t_up=
    for i in $(seq 1500); do
        # (when Linux is up: the rest of the time was the firmware's and the loading)
        [ -n "$t_up" ] || ! grep -aqF "hostd-installer: hostd installer" "$LAB_BMC_RUN/console.log" 2> /dev/null ||
            t_up=$SECONDS
        # (a panicked kernel, panic=0, never prints the marker: stop now, not in 5 min)
        grep -aqF -e "$marker" -e "Kernel panic - not syncing" "$LAB_BMC_RUN/console.log" 2> /dev/null && break
        lab_bmc_machine_runs || break
        sleep 0.2
    done
    sleep 1
    lab_bmc_ctl power off > /dev/null 2>&1 || true
    lab_bmc_wait_off 30 || true
    tr -d '\r' < "$LAB_BMC_RUN/console.log" > "$T/$name.console"
    echo "# $name: power on -> the installer's first line ${t_up:+$((t_up - T_ON)) s}, -> $marker $((SECONDS - T_ON)) s"
    grep -aF 'hostd-installer:' "$T/$name.console" | sed "s/^/# $name| /" | head -n 40
    grep -aqF "$marker" "$T/$name.console" ||
        { echo "# $name: no $marker on the console; its end:"; tail -n 15 "$T/$name.console" | sed "s/^/# $name| /"; }
}
console() { cat "$T/$1.console" 2> /dev/null; }

# ---- url: PXE, hostd.spec= wins over the stick; every phase to the callback -----------
LAB_MACHINE_EXTRA=$STICK lab_bmc_start
ln "$IMG/vmlinuz" "$LAB_BMC_WWW/vmlinuz"
ln "$IMG/initrd.img" "$LAB_BMC_WWW/initrd.img"
cp "$T/url.yaml" "$LAB_BMC_WWW/url.yaml"
boot url pxe "@@HOSTD-INSTALLER PLANNED@@" \
    "hostd.spec=$LAB_BMC_URL/url.yaml hostd.spec_sha256=$URL_SHA hostd.callback=$LAB_BMC_URL/callback hostd.mode=plan"
check_contains "url: PXE: iPXE chained the installer over HTTP, it came up" "hostd-installer: hostd installer" "$(console url)"
check_contains "url: DHCP on the NIC with a link" "hostd-installer: network: eth" "$(console url)"
check_contains "url: the spec came from hostd.spec=, with its digest, although a HOSTD stick was there" \
    "spec: from $LAB_BMC_URL/url.yaml (sha256 $URL_SHA)" "$(console url)"
check_contains "url: the stick was found" "HOSTD medium: /dev/sd" "$(console url)"
check_contains "url: the plan is on the console" "os:unpack" "$(console url)"
check_contains "url: hostd.mode=plan: nothing written, and it says so" "hostd.mode=plan: nothing written" "$(console url)"
check_eq "url: not one block written to the 9 disks" 0 "$(blocks)"
check_eq "url: the callback got booted, spec and plan, each ok" "booted ok
spec ok
plan ok" "$(lab_bmc_callbacks | py 'import json, sys
for l in sys.stdin:
    d = json.loads(l)
    print(d["phase"], d["state"])')"
check_eq "url: the plan's report holds apply's plan for the spec's host" "r630-url plan" \
    "$(callbacks plan ok result.host) $(callbacks plan ok result.mode)"
check_eq "url: each report names the server by its DMI serial (the service tag)" "VR630LB" \
    "$(callbacks booted ok system.serial)"
check_contains "url: the booted report has the network" "network: eth" "$(callbacks booted ok message)"

# ---- bad-sha: a spec that is not the one named is refused before anything ---------------
: > "$LAB_BMC_DIR/callbacks.jsonl"
boot bad-sha pxe "@@HOSTD-INSTALLER FAILED@@" \
    "hostd.spec=$LAB_BMC_URL/url.yaml hostd.spec_sha256=$(printf '%064d' 1) hostd.callback=$LAB_BMC_URL/callback"
check_contains "bad-sha: FAILED on the console" "hostd-installer: FAILED: the spec from $LAB_BMC_URL/url.yaml" "$(console bad-sha)"
check_contains "bad-sha: ... with the digest it got" "$URL_SHA" "$(console bad-sha | grep FAILED)"
check_contains "bad-sha: ... and stays up with a shell" "built-in shell" "$(console bad-sha)"
check_contains "bad-sha: the callback got spec failed, with the digest" "$URL_SHA" "$(callbacks spec failed message)"
check_eq "bad-sha: no plan was reported" "" "$(callbacks plan ok phase)"
check_eq "bad-sha: not one block written" 0 "$(blocks)"
lab_bmc_stop

# ---- seed: no hostd.spec=: the stick's spec; a UEFI machine (OVMF, iPXE for UEFI) -------------
LAB_MACHINE_EXTRA=$STICK lab_bmc_start --uefi
ln "$IMG/vmlinuz" "$LAB_BMC_WWW/vmlinuz"
ln "$IMG/initrd.img" "$LAB_BMC_WWW/initrd.img"
boot seed pxe "@@HOSTD-INSTALLER PLANNED@@" "hostd.callback=$LAB_BMC_URL/callback hostd.mode=plan"
check_contains "seed: the spec came from the HOSTD stick" "spec: from the HOSTD medium" "$(console seed)"
check_eq "seed: the plan is the stick's host's" "r630-stick" "$(callbacks plan ok result.host)"
check_eq "seed: booted by UEFI, the plan reads the firmware's boot entries (efivarfs, efibootmgr)" "pending" \
    "$(lab_bmc_callbacks | py 'import json, sys
for l in sys.stdin:
    d = json.loads(l)
    if d["phase"] == "plan":
        print([s["state"] for s in d["result"]["steps"] if s["id"] == "os:efi-entries"][0])')"
check_eq "seed: not one block written" 0 "$(blocks)"
lab_bmc_stop

# ---- medium: UEFI, virtual media, no DHCP; the ISO's own spec, which has an error --------------
spec r630-medium | sed 's/^  firstboot: true/  firstboot: maybe/' > "$T/medium.yaml"
LAB_MACHINE_NET=nodhcp lab_bmc_start --uefi
"$LAB_REPO/installer/add-spec.sh" "$ISO" "$T/medium.yaml" "$LAB_BMC_WWW/installer.iso" > /dev/null
# the operator's playbook boots it (site.yml, the bmc play, with the virtual iDRAC as the BMC)
printf 'calvin\n' > "$T/bmc-password"
chmod 600 "$T/bmc-password"
cat > "$T/inventory.yml" << INVENTORY
all:
  children:
    r630:
      hosts:
        r630-medium: {bmc_address: "127.0.0.1:$(cat "$LAB_BMC_DIR/idrac.port")"}
      vars:
        ansible_connection: local
        ansible_python_interpreter: /usr/bin/python3
        bmc_boot_enabled: true
        bmc_boot_method: vmedia
        bmc_boot_mode: uefi
        bmc_vmedia_url: $LAB_BMC_LOCAL/installer.iso
        bmc_power_action: "on"
        bmc_boot_wait: false
        bmc_hostctl: $HOSTCTL
        bmc_password_file: $T/bmc-password
        bmc_ca_file: $LAB_BMC_DIR/cert.pem
INVENTORY
rc=0
T_ON=$SECONDS   # (the playbook's start: it powers the machine on)
out=$(ANSIBLE_CONFIG=$LAB_REPO/playbooks/ansible.cfg ansible-playbook -i "$T/inventory.yml" "$LAB_REPO/playbooks/site.yml" \
    --tags bmc 2>&1) || rc=$?
check_eq "medium: the playbook (site.yml --tags bmc) inserted the ISO, set the CD once, powered on" \
    "0 changed=3 failed=0" "$rc $(printf '%s\n' "$out" | sed -n 's/^r630-medium *: ok=[0-9]* *\(changed=[0-9]*\) .*\(failed=[0-9]*\) .*/\1 \2/p')"
[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -n 20 | sed 's/^/#   | /'
check "medium: ... the virtual iDRAC fetched the very ISO" cmp -s "$LAB_BMC_WWW/installer.iso" "$LAB_BMC_RUN/media/installer.iso"
until_console medium "@@HOSTD-INSTALLER FAILED@@"
check_contains "medium: OVMF booted the ISO's GRUB from the virtual CD" "Booting \`hostd installer'" "$(console medium)"
check_contains "medium: no DHCP answer: it goes on without a network" "no DHCP answer on any NIC with a link" "$(console medium)"
check_contains "medium: the spec from the installer medium" "spec: from the installer medium" "$(console medium)"
check_contains "medium: the spec's error stops the plan, and the console says which" "firstboot" \
    "$(console medium | grep 'FAILED: the plan failed')"
check_eq "medium: not one block written" 0 "$(blocks)"
lab_bmc_stop
echo "# installer image: $(du -h "$ISO" | cut -f1) ($ISO)"
tap_done
