#!/bin/bash
# t-firstboot.sh - the whole mission on the virtual R630 (issue: first boot,
# zero touch); TAP. A blank machine becomes a container host through its BMC
# alone:
#   install   (full scenario) the provisioning guest: `hostctl apply` with a
#             wrong sha256 (refused, no disk written), --plan (nothing
#             written), an apply killed with its tar during the unpack
#   installer the installer image through the virtual iDRAC: vmedia insert,
#             boot cd --once, power on; it finds its spec on the medium,
#             fetches the OS image over HTTP, finishes the install the kill
#             left, reports each phase to its callback and reboots; the
#             machine boots from its own disks (SeaBIOS) and the first-boot
#             unit mounts the pool, puts containerd on the RAID 5, runs a
#             container, then powers off (the lab image's report)
#   inspect   (full) the provisioning guest reads what the install left: fstab,
#             mdadm.conf, the package, GRUB, the installer's log
#   destroy   (full scenario) booted by a fresh OVMF through the ESP mirror
#             (the uefi boot's checks, LAB_UEFI=0: SeaBIOS), the operator
#             retires the pool: containerd stopped, the pool unmounted,
#             `hostctl raid destroy data --yes` (lab-action.sh)
#   no-ssd0   the first OS disk pulled: it still boots, degraded, from the
#             second, an NVMe drive (LAB_NVME=ssd1, the default); in the full
#             scenario after the destroy, so the same boot shows the machine
#             reaching multi-user without the pool, containerd not started
#   uefi      (demo; FIRMWARE=uefi or LAB_UEFI=1) OVMF boots the ESP mirror;
#             the demo's no-ssd0 and uefi boots use throw-away overlays
# The Debian root filesystem comes from build-rootfs.sh (debootstrap, cached).
# Env: HOSTCTL, HOSTD, HOSTD_DEB, HOSTD_INSTALLER (the ISO; built when unset),
# LAB_SCENARIO (full|demo), the lab.sh knobs.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# the OS disks hold a 512 MiB ESP and a ~1.4 GB Debian; the RAID 5 is small
export LAB_SSD_SIZE=${LAB_SSD_SIZE:-4G} LAB_HDD_SIZE=${LAB_HDD_SIZE:-1G}
# the second OS disk is an NVMe drive: the OS mirror spans SATA and NVMe, so
# the no-ssd0 boot is the firmware booting GRUB from an NVMe member alone
# (LAB_NVME= keeps both OS disks SCSI)
export LAB_NVME=${LAB_NVME-ssd1}
# shellcheck source=lab.sh
. "$HERE/lab.sh"
# shellcheck source=lab-bmc.sh
. "$HERE/lab-bmc.sh"
# shellcheck source=../host/tap.sh
. "$HERE/../host/tap.sh"
export HOSTCTL=${HOSTCTL:-$LAB_REPO/build/hostctl}
HOSTD=${HOSTD:-$LAB_REPO/build/hostd}
SCENARIO=${LAB_SCENARIO:-full}

if why=$(lab_skip_reason); then skip "first boot lab" "$why"; tap_done; exit 0; fi
command -v debootstrap > /dev/null || { skip "first boot lab" "debootstrap is not installed"; tap_done; exit 0; }
command -v openssl > /dev/null || { skip "first boot lab" "openssl is not installed (the virtual iDRAC's certificate)"; tap_done; exit 0; }
T0=$SECONDS
t=$SECONDS
ROOTFS=$("$HERE/build-rootfs.sh" | tail -1)
T_ROOTFS=$((SECONDS - t))
echo "# rootfs: $ROOTFS ($(du -h "$ROOTFS" | cut -f1)) in $T_ROOTFS s"
[ -s "$ROOTFS" ] || { fail "build-rootfs.sh made a root filesystem tarball"; tap_done; exit 1; }
SHA=$(sha256sum "$ROOTFS" | cut -d' ' -f1)
# the package the install puts into the target (make check builds it once)
DEB=${HOSTD_DEB:-}
if [ -z "$DEB" ] || [ ! -f "$DEB" ]; then
    DEB=$("$LAB_REPO/scripts/make-deb.sh" "$(dpkg-parsechangelog -l "$LAB_REPO/debian/changelog" -S Version)" \
        "$LAB_REPO/build/lab/deb" 2> "$LAB_REPO/build/lab/make-deb.log" | tail -n1) || true
fi
[ -f "$DEB" ] || { fail "the hostd package is built (log: build/lab/make-deb.log)"; tap_done; exit 1; }
DEB_VERSION=$(dpkg-deb -f "$DEB" Version)
ISO=${HOSTD_INSTALLER:-}
if [ -z "$ISO" ] || [ ! -f "$ISO" ]; then
    ISO=$LAB_REPO/build/lab/installer/hostd-installer.iso
    t=$SECONDS
    "$LAB_REPO/installer/build.sh" --zstd-level 12 --deb "$DEB" --work "$LAB_REPO/build/lab/installer" --out "$ISO" \
        > "$LAB_REPO/build/lab/installer.log" 2>&1 ||
        { fail "the installer image builds (log: build/lab/installer.log)"; tap_done; exit 1; }
    echo "# installer image built in $((SECONDS - t)) s"
fi

lab_init
trap 'lab_bmc_stop; lab_cleanup' EXIT
lab_stage "$HOSTCTL:/usr/local/bin/hostctl" "$HOSTD:/usr/local/bin/hostd"
lab_share "$ROOTFS" rootfs.tar
lab_share "$DEB" hostd.deb
# the image of the wrong-sha256 apply: small, as the refusal does not depend
# on the size (the real one is read over 9p and hashed again: ~15 s of TCG)
printf 'not the OS\n' > "$LAB_WORK/decoy.txt"
tar -C "$LAB_WORK" -cf "$LAB_SHARE/decoy.tar" decoy.txt
DECOY_SHA=$(sha256sum "$LAB_SHARE/decoy.tar" | cut -d' ' -f1)
# the project's example spec, with this image
sed -e "s|^\(  image: \).*|\1file:///mnt/host/rootfs.tar|" -e "s|^\(  sha256: \).*|\1\"$SHA\"|" \
    -e '/^hypervisor:/,/^  pool_mount:/d' "$LAB_REPO/examples/r630.yaml" > "$LAB_SHARE/host.yaml"
lab_env "LAB_SCENARIO=$SCENARIO"
O=$LAB_SHARE/out
out() { cat "$O/$1.out" 2> /dev/null; }
err() { cat "$O/$1.err" 2> /dev/null; }
rc() { cat "$O/$1.rc" 2> /dev/null || echo missing; }
py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$2" 2> /dev/null || echo "(unreadable)"; }

# ---- boot 1 (full): the provisioning guest: refusals, a plan, an apply killed midway ---------
if [ "$SCENARIO" = full ]; then
    rc=0
    LAB_UDEV=1 LAB_MEM=${LAB_MEM:-2048} lab_boot install "$HERE/guest/firstboot.sh" || rc=$?
    check_eq "install: the guest script ran to the end" 0 "$rc"
    check_eq "a wrong sha256: exit 1" 1 "$(rc bad-sha)"
    check_contains "... the message shows the expected digest" "0000000000000000000000000000000000000000000000000000000000000001" "$(err bad-sha)"
    check_contains "... and the image's own" "$DECOY_SHA" "$(err bad-sha)"
    check_eq "... and not one disk got a signature" 0 "$(cat "$O/bad-sha.signatures" 2> /dev/null)"
    check_eq "--plan: exit 0, phase install, steps pending" "0 install True" \
        "$(rc plan) $(py 'd["phase"], d["pending"] > 20' "$O/plan.out" | tr -d "(),'")"
    check_eq "... and nothing written" 0 "$(cat "$O/plan.signatures" 2> /dev/null)"
    tuned=$(py '[s["description"] for s in d["steps"] if s["id"] == "raid:tune:data"][0].split("stripe cache ")[1].split(" ")[0]' "$O/plan.out")
    check "the plan tunes the pool's RAID 5 (stripe cache $tuned)" test "$tuned" -gt 256
    check_contains "the apply killed during the unpack had got there" "unpack the image" "$(err killed)"
    check_contains "... and left a half-unpacked root" "usr" "$(cat "$O/killed.target-ls" 2> /dev/null)"
fi

# ---- boot 2: the installer through the BMC; it reboots into the installed system ----------
# The OS image and the spec are served over HTTP, as a provisioning network
# does; the spec goes onto a copy of the installer ISO with the callback.
# (FIRMWARE=uefi: the machine is an OVMF one; the installer boots by UEFI)
lab_bmc_start $([ "${FIRMWARE:-bios}" = uefi ] && echo --uefi)
ln "$ROOTFS" "$LAB_BMC_WWW/rootfs.tar" 2> /dev/null || cp "$ROOTFS" "$LAB_BMC_WWW/rootfs.tar"
sed "s|^\(  image: \).*|\1$LAB_BMC_URL/rootfs.tar|" "$LAB_SHARE/host.yaml" > "$LAB_BMC_DIR/host.yaml"
"$LAB_REPO/installer/add-spec.sh" --cmdline "hostd.callback=$LAB_BMC_URL/callback" "$ISO" "$LAB_BMC_DIR/host.yaml" \
    "$LAB_BMC_WWW/r630-01.iso" > /dev/null
check_contains "the operator's first command: vmedia insert (the iDRAC fetches the ISO)" "virtual media CD: $LAB_BMC_LOCAL/r630-01.iso" \
    "$(lab_bmc_ctl vmedia insert "$LAB_BMC_LOCAL/r630-01.iso" 2>&1)"
check_contains "boot cd --once" "boot override cd (next boot only" "$(lab_bmc_ctl boot cd --once 2>&1)"
T_POWER_ON=$SECONDS
check_contains "power on" "power on done: was off, now on" "$(lab_bmc_ctl power on 2>&1)"
lab_bmc_wait_callback '"phase": "finished"|"state": "failed"' "${LAB_BOOT_TIMEOUT:-1200}" || true
T_INSTALLED=$SECONDS
# (a failed installer stays up with a shell: nothing to wait for)
lab_bmc_callbacks | grep -q '"state": "failed"' || lab_bmc_wait_off "${LAB_BOOT_TIMEOUT:-900}" || true
T_OFF=$SECONDS
lab_bmc_stop
# the two starts' consoles, under lab.sh's names (lab_marker reads them)
rm -f "$(lab_console installer)" "$(lab_console disks)"
tr -d '\r' < "$LAB_BMC_RUN/console-start-1.log" > "$(lab_console installer)" 2> /dev/null || true
cp "$LAB_BMC_RUN/console.log" "$(lab_console disks)" 2> /dev/null || true
installer_says() { grep -aF 'hostd-installer:' "$(lab_console installer)" 2> /dev/null; }
installer_says | sed 's/^/# installer| /'
cb() { lab_bmc_callbacks | py_cb "$@"; }
py_cb() { python3 -c 'import json, sys
for l in sys.stdin:
    d = json.loads(l)
    print(d.get("phase"), d.get("state"), *[d.get("result", {}).get(k) for k in sys.argv[1:]])' "$@"; }
check_eq "the machine was started twice: the installer from the CD, then its own disks" "2 1" \
    "$(wc -l < "$LAB_BMC_RUN/qemu-starts.log") $(grep -c 'bootindex=0' "$LAB_BMC_RUN/qemu-starts.log")"
check_contains "the installer found its spec on the medium" "spec: from the installer medium" "$(installer_says)"
check_contains "it got a network by DHCP" "network: eth0=10.0.2.15" "$(installer_says)"
if [ "$SCENARIO" = full ]; then
    check_contains "it finished the install the kill left, knowing an earlier run stopped midway" \
        "an earlier run stopped midway" "$(cat "$(lab_console installer)")"
fi
check_contains "the console's last screen: DONE" "DONE: installed in" "$(installer_says)"
check_eq "the callback got each phase, in order, each ok" "booted ok|spec ok|plan ok|apply running|apply ok|finished ok" \
    "$(cb | cut -d' ' -f1,2 | paste -sd'|')"
check_eq "... the result: apply's own document, no step failed" "apply ok r630-01 apply" \
    "$(cb host mode | grep '^apply ok')"
check_contains "the installer's reboot: the disks booted, no CD (strict order, the override spent)" "@@BOOTED r630-01@@" \
    "$(cat "$(lab_console disks)")"
if [ "${FIRMWARE:-bios}" = uefi ]; then
    check_contains "UEFI: the firmware started the boot entry the installer wrote for the first OS disk" \
        "BdsDxe: starting Boot" "$(grep -aF "\"hostd wwn-${LAB_DISK_WWN[ssd0]}\"" "$(lab_console disks)" | grep -F 'BdsDxe: starting')"
fi
LAB_STATUS=nomarker
grep -aqF '@@MARKER-END@@' "$(lab_console disks)" && LAB_STATUS=ok
# no report: the console's end says where the first boot stopped (the lab
# image copies the first-boot log there as "firstboot| ...")
[ "$LAB_STATUS" = ok ] || tail -n 40 "$(lab_console disks)" 2> /dev/null | tr -d '\r' | sed 's/^/# disks| /' || true
echo "# installer: power on to the callback's finished ${T_INSTALLED:+$((T_INSTALLED - T_POWER_ON))} s, to the first boot's power-off $((T_OFF - T_POWER_ON)) s"

# ---- boot 3 (full): the provisioning guest reads what the install left --------------------
if [ "$SCENARIO" = full ]; then
    rc=0
    LAB_UDEV=1 LAB_MEM=${LAB_MEM:-2048} lab_boot inspect "$HERE/guest/firstboot.sh" || rc=$?
    check_eq "inspect: the guest script ran to the end" 0 "$rc"
    # a plan from another provisioning boot finds the disks as the installer left them
    check_eq "--plan afterwards: the partitions, arrays, filesystems and the image need nothing" "True" \
        "$(py 'all(s["state"] != "pending" for s in d["steps"] if s["id"].split(":")[1] in ("partition", "create-array", "mkfs") or s["id"] == "os:fetch")' "$O/plan-after.out")"
    check_contains "the installer's log is in the installed system, with the unpack" "unpack the image onto /dev/md/os" \
        "$(cat "$O/target-installer.log" 2> /dev/null)"
    check_eq "... and apply's document beside it" "r630-01" "$(py 'd["host"]' "$O/target-installer.json")"
    ROOT_UUID=$(cat "$O/root-uuid" 2> /dev/null)
    check_contains "target fstab: / by UUID" "UUID=$ROOT_UUID / ext4" "$(cat "$O/target-fstab" 2> /dev/null)"
    check_contains "... /boot/efi by UUID" " /boot/efi vfat " "$(cat "$O/target-fstab" 2> /dev/null)"
    check_contains "... the pool by UUID" " /srv/pool xfs " "$(cat "$O/target-fstab" 2> /dev/null)"
    check_eq "target mdadm.conf: the three arrays by UUID" 3 "$(grep -c '^ARRAY .*UUID=' "$O/target-mdadm.conf" 2> /dev/null || true)"
    check_eq "target hostname" r630-01 "$(cat "$O/target-hostname" 2> /dev/null)"
    check_contains "the first-boot unit is enabled" "hostd-firstboot.service" "$(cat "$O/target-wants" 2> /dev/null)"
    # the pool's fstab line has nofail, which local-fs.target does not wait for
    check_eq "... and starts after systemd has mounted the pool" "srv-pool.mount" \
        "$(sed -n 's/^After=.* \(srv-pool\.mount\)$/\1/p' "$O/target-firstboot-unit" 2> /dev/null)"
    check_eq "hostd is installed in the target as the package, by dpkg" "ii $DEB_VERSION" "$(cat "$O/target-hostd-package" 2> /dev/null)"
    check_contains "... and its service is enabled" "hostd.service" "$(cat "$O/target-wants" 2> /dev/null)"
    check_eq "... and no copied hostctl or hostd sits beside it" "" \
        "$(grep -xE 'hostctl|hostd' "$O/target-local-sbin" 2> /dev/null || true)"
    check_contains "the install says it installed the package with the target's apt" \
        "installed hostd $DEB_VERSION from /usr/share/hostd/$(basename "$DEB") (apt in the target)" "$(cat "$(lab_console installer)")"
    check_eq "GRUB in the MBR of both OS disks" "1 1" "$(cat "$O/mbr-ssd0" 2> /dev/null) $(cat "$O/mbr-ssd1" 2> /dev/null)"
fi

# ---- boot 2: from its own disks; the first-boot unit finishes the spec ------------------
marker() { lab_marker "$1" "$2" 2> /dev/null || true; }
report() { marker "$1" R | grep -F -- "$2" || true; }
boot_checks() {   # boot_checks PHASE DEGRADED(0|1)
    local p=$1
    check_eq "$p: reached the marker" ok "$LAB_STATUS"
    check_eq "$p: boots as r630-01" r630-01 "$(marker "$p" BOOTED | head -1)"
    check_contains "$p: systemd: running, no failed unit" "running" "$(marker "$p" STATE)"
    check_eq "$p: no failed unit" "" "$(marker "$p" FAILED)"
    check_contains "$p: / is on md" "/dev/md" "$(marker "$p" ROOT)"
    # a runtime that starts before the pool's (nofail) mount writes its root onto the OS disk
    check_eq "$p: nothing on the OS disk beneath the pool's mount point" "beneath-pool 0" \
        "$(report "$p" beneath-pool | awk '$1 ~ /^beneath-pool/' | sed 's/ *$//')"
    if [ "$2" = 1 ]; then
        check_contains "$p: the OS mirror runs degraded [2/1]" "[2/1]" "$(marker "$p" MDSTAT)"
    else
        check_eq "$p: no array degraded" "" "$(marker "$p" MDSTAT | grep -F '_]' || true)$(marker "$p" MDSTAT | grep -F '[_' || true)"
    fi
}
boot_checks disks 0
check_contains "the first-boot unit succeeded" "Result=success" "$(report disks Result=)"
check_contains "... and exited 0" "ExecMainStatus=0" "$(report disks ExecMainStatus=)"
check_contains "the pool is mounted from md, XFS" "/srv/pool /dev/md" "$(report disks /srv/pool)"
check_contains "containerd's image is there" "localhost/hostd-busybox:1" "$(report disks hostd-busybox)"
check_eq "containerd waits for the pool's mount (it keeps its root there; the mount is nofail)" \
    "RequiresMountsFor=/srv/pool" "$(report disks RequiresMountsFor= | awk '$1 == "containerd" { print $2 }')"
# (the first-boot apply sizes the tuning again to this boot's memory, which
# is not the installer's; the boots after it get it from udev's rule alone)
tuning() { report "$1" md-tuning | awk '$1 == "md-tuning" { print $3, $4, $5 }'; }
booted_tuning=$(tuning disks)
check_contains "disks: the first-boot apply sized md's tuning anew but left the initramfs alone (minutes under emulation)" \
    "no array changed" "$(report disks 'no array changed')"
check "disks: md's tuning of the pool: a stripe cache above md's 256, no threads on 2 CPUs, the sync floor ($booted_tuning)" \
    awk -v t="$booted_tuning" 'BEGIN { split(t, v, " "); exit !(v[1] > 256 && v[2] == 0 && v[3] == 50000) }'
check_contains "the first-boot log shows the container ran" "a container ran from" "$(report disks "a container ran from")"
check_eq "the package's hostd.service runs on the installed system" "active" \
    "$(report disks hostd-service | awk '$1 == "hostd-service" { print $2 }')"
answers=$(report disks hostd-answers | awk '$1 == "hostd-answers" { $1 = ""; print }')
check_eq "... and answers: hostd lists the 9 disks ($answers)" "9" "$(tr ' ' '\n' <<< "$answers" | grep -cE '^(sd|nvme)')"
check_contains "... and the record was written" "firstboot.done" "$(report disks firstboot.done)"

# the boot without ssd0 ran from the NVMe member (when ssd1 is one)
nvme_member_checks() {
    [[ " $LAB_NVME " == *" ssd1 "* ]] || return 0
    check_eq "$1: the OS mirrors ran from the NVMe drive's partitions alone (the ESP's, the root's)" "1 1" \
        "$(marker "$1" MDSTAT | grep -c ' : active raid1 nvme0n1p2\[') $(marker "$1" MDSTAT | grep -c ' : active raid1 nvme0n1p3\[')"
}
# the boots after the first: the first-boot unit stays done, udev's rule alone tunes the pool
not_again_checks() {
    check_contains "$1: the first-boot unit did not run again" "ConditionResult=no" "$(report "$1" ConditionResult=)"
    check_eq "$1: ... so udev's rule alone gave the pool the same tuning" "$booted_tuning" "$(tuning "$1")"
}
# OVMF booting the ESP mirror: a boot of its own in the demo; in the full
# scenario the destroy boot is that boot (one guest boot fewer)
UEFI_BOOT=0
if [ "${FIRMWARE:-}" = uefi ] || [ "${LAB_UEFI:-1}" = 1 ]; then UEFI_BOOT=1; fi

if [ "$SCENARIO" != full ]; then
    # (the demo leaves the machine provisioned: throw-away overlays)
    rc=0
    lab_boot_disks no-ssd0 --without ssd0 --snapshot || rc=$?
    boot_checks no-ssd0 1
    nvme_member_checks no-ssd0
    not_again_checks no-ssd0
    if [ "$UEFI_BOOT" = 1 ]; then
        rc=0
        lab_boot_disks uefi --uefi --snapshot || rc=$?
        boot_checks uefi 0
    fi
else
# ---- the pool destroyed from the CLI; the next boot, without ssd0, must not wait for it ----
rc=0
LAB_FW_CFG=name=opt/hostd-lab/action,string=destroy-pool lab_boot_disks destroy \
    $([ "$UEFI_BOOT" = 1 ] && echo --uefi) || rc=$?
# (the boot's own lines come before the errand's)
boot_checks destroy 0
not_again_checks destroy
if [ "$UEFI_BOOT" = 1 ]; then
    check_contains "destroy: a fresh OVMF booted the disks (the ESP mirror's removable path)" "BdsDxe: starting Boot" \
        "$(grep -aF 'BdsDxe: starting Boot' "$(lab_console destroy)" 2> /dev/null)"
fi
check_eq "destroy: the errand arrived" destroy-pool "$(report destroy 'action ' | grep '^action ' | cut -d' ' -f2)"
check_eq "destroy: containerd stopped, the pool unmounted, hostctl raid destroy exited 0" "" \
    "$(report destroy stop-runtime!)$(report destroy umount!)$(report destroy destroy!)"
check_contains "destroy: hostctl raid destroy data --json names the array" '"data"' "$(report destroy 'destroy ')"
check_eq "destroy: no /srv/pool line left in fstab" "" "$(report destroy fstab-pool)"
check_eq "destroy: mdadm.conf keeps the two OS arrays" "mdadm-arrays 2" "$(report destroy mdadm-arrays)"
check_eq "destroy: and md's tuning rule for the pool is gone" "tuning-rules 0" "$(report destroy tuning-rules)"
# the first OS disk pulled: the degraded boot and the boot without the pool, in one
rc=0
lab_boot_disks no-ssd0 --without ssd0 --snapshot || rc=$?
boot_checks no-ssd0 1
nvme_member_checks no-ssd0
check_contains "no-ssd0: /srv/pool is not mounted" "mount! /srv/pool not mounted" "$(report no-ssd0 'mount!')"
check_eq "no-ssd0: containerd, whose root was the pool, did not start (nothing beneath, above)" \
    "ActiveState=inactive" "$(report no-ssd0 ActiveState= | awk '$1 == "containerd" { print $2 }')"
check_eq "no-ssd0: the two OS arrays run, the RAID 5 is gone" "2 0" \
    "$(marker no-ssd0 MDSTAT | grep -c ' : active.* raid1 ') $(marker no-ssd0 MDSTAT | grep -c ' : active.* raid5 ')"
fi
# ---- the report: what an operator would look at ----------------------------------------
{
    echo "== report (virtual R630, $SCENARIO)"
    echo "disks:"
    for id in "${LAB_DISKS[@]}"; do
        printf '  %-5s %-15s %-20s %s\n' "$id" "${LAB_DISK_SERIAL[$id]}" "${LAB_DISK_WWN[$id]}" "${LAB_DISK_ROLE[$id]}"
    done
    echo "arrays (installed system):"
    marker disks MDSTAT | grep -E '^md|blocks' | sed 's/^/  /'
    echo "mounts:"
    report disks " /dev/md" | grep '^mount ' | sed 's/^/  /'
    echo "OS: $(marker disks BOOTED | head -1), root $(marker disks ROOT), $(marker disks STATE)"
    echo "runtime: $(report disks "a container ran from" | tail -1)"
    echo "seconds per phase: rootfs $T_ROOTFS; installer: power on to installed $((${T_INSTALLED:-0} - T_POWER_ON)), to the first boot's end $((T_OFF - T_POWER_ON))"
    echo "installer image: $(du -h "$ISO" | cut -f1)"
    echo "the install's steps of 5 s or more (the installer's apply):"
    cat "$(lab_console installer)" | awk '/^\[ *[0-9]+\/[0-9]+\]/ { step = $0; sub(/ \.\.\.$/, "", step) }
        match($0, /\(([0-9.]+) s\)$/) { s = substr($0, RSTART + 1, RLENGTH - 4); if (s + 0 >= 5) printf "  %6.1f s  %s\n", s, step }'
    lab_report
    echo "total: $((SECONDS - T0)) s"
} | sed 's/^/# /'
tap_done
