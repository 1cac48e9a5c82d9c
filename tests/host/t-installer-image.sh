#!/bin/bash
# The installer image as built files, without booting it (t-installer and
# t-firstboot boot it): installer/build.sh makes a hybrid ISO that El Torito
# boots by BIOS and UEFI, with the kernel, an initramfs holding the
# installer's /init, hostctl, the package, the server drivers and a built-in
# spec; installer/add-spec.sh adds a spec to a built ISO and keeps its boot
# records; `hostctl report` POSTs what the installer reports to its callback.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
H=${HOSTCTL:?HOSTCTL must name the hostctl binary}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
PIDS=()
cleanup() { local p; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT

# ---- hostctl report, against the lab's provisioning server ---------------------------------
mkdir -p "$T/www" "$T/dmi"
python3 "$TOP/tests/lab/provision_server.py" "$T/www" "$T/callbacks" "$T/port" > "$T/server.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do [ -f "$T/port" ] && break; sleep 0.1; done
CB=http://127.0.0.1:$(cat "$T/port")/callback
printf 'TAG1234\n' > "$T/dmi/product_serial"
printf '4c4c4544-0042-3510-8052-b4c04f4b3232\n' > "$T/dmi/product_uuid"
printf '{"host": "r630-01", "changed": 12}\n' > "$T/apply.json"
out=$(HOSTCTL_DMI_DIR=$T/dmi "$H" report "$CB" --phase apply --state ok --message 'installed in 300 s' --document "$T/apply.json" 2>&1)
check_eq "report: exit 0, one line" "reported apply ok to $CB" "$out"
last() { tail -n 1 "$T/callbacks" | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
check_eq "... the body: phase, state, message" "apply ok installed in 300 s" "$(last 'd["phase"], d["state"], d["message"]' | tr -d "(),'")"
check_eq "... the document as result" "r630-01 12" "$(last 'd["result"]["host"], d["result"]["changed"]' | tr -d "(),'")"
check_eq "... the server by its DMI serial and UUID" "TAG1234 4c4c4544-0042-3510-8052-b4c04f4b3232" \
    "$(last 'd["system"]["serial"], d["system"]["uuid"]' | tr -d "(),'")"
check "... and a UTC time" sh -c "tail -n 1 '$T/callbacks' | grep -q '\"time\": \"20[0-9-]*T[0-9:]*Z\"'"
printf 'not json {' > "$T/broken.json"
HOSTCTL_DMI_DIR=$T/dmi "$H" report "$CB" --phase apply --state failed --document "$T/broken.json" > /dev/null 2>&1
check_eq "a document that is not JSON is reported as such, not dropped" "failed True" \
    "$(last 'd["state"], "result_error" in d and "result" not in d' | tr -d "(),'")"
"$H" report "$CB" --phase apply --state done > /dev/null 2> "$T/err"; rc=$?
check_eq "--state done: usage error (exit 2)" 2 "$rc"
"$H" report "$CB" --phase 'a b' --state ok > /dev/null 2>&1; rc=$?
check_eq "--phase with a blank: usage error" 2 "$rc"
"$H" report "file:///etc/passwd" --phase x --state ok > /dev/null 2>&1; rc=$?
check_eq "a file:// URL: usage error" 2 "$rc"
out=$("$H" --json report http://127.0.0.1:9/callback --phase x --state ok 2>/dev/null); rc=$?
check_eq "nobody listening: exit 1" 1 "$rc"
check_contains "... --json: one document naming the callback" "cannot reach the callback at http://127.0.0.1:9/callback" "$out"
"$H" report "http://127.0.0.1:$(cat "$T/port")/elsewhere" --phase x --state ok > /dev/null 2> "$T/err"; rc=$?
check_eq "a 404 from the controller: exit 1" 1 "$rc"
check_contains "... and says so" "HTTP 404" "$(cat "$T/err")"

# ---- the image ----------------------------------------------------------------------------------
for p in grub-mkrescue xorriso mformat zstd; do
    command -v "$p" >/dev/null || { skip "the installer image" "$p is not installed (make deps)"; tap_done; exit 0; }
done
DEB=${HOSTD_DEB:-$(ls "$TOP"/build/deb/hostd_*_amd64.deb 2>/dev/null | tail -n1)}
[ -f "$DEB" ] || { skip "the installer image" "no hostd package (make deb; make check builds it)"; tap_done; exit 0; }
printf 'host: {name: built-in-01}\n' > "$T/spec.yaml"
if ! HOSTCTL=$H "$TOP/installer/build.sh" --work "$T/work" --out "$T/hostd-installer.iso" --deb "$DEB" --zstd-level 12 \
        --spec "$T/spec.yaml" --cmdline "hostd.callback=http://10.0.0.1/cb" > "$T/build.log" 2>&1; then
    fail "installer/build.sh builds the image"; sed 's/^/#   /' "$T/build.log" | tail -n 20; tap_done; exit 1
fi
ok "installer/build.sh builds the image"
out=$("$TOP/installer/build.sh" --zstd-level 22 --out "$T/never.iso" 2>&1); rc=$?
check_eq "--zstd-level 22 (beyond 19): refused before any work, no ISO" "1 no" "$rc $([ -e "$T/never.iso" ] && echo yes || echo no)"
check_contains "... and says which levels are" "a zstd level from 1 to 19" "$out"
size=$(stat -c %s "$T/hostd-installer.iso")
echo "# $(head -n 1 "$T/work/contents.txt")"
check "the ISO is well under 100 MB ($((size >> 20)) MiB)" test "$size" -lt $((100 << 20))
eltorito=$(xorriso -indev "$T/hostd-installer.iso" -report_el_torito plain 2>/dev/null)
check_contains "El Torito: a BIOS boot image" "El Torito boot img :   1  BIOS" "$eltorito"
check_contains "... and a UEFI one" "El Torito boot img :   2  UEFI" "$eltorito"
check_contains "the volume is labelled HOSTD_INSTALLER (the installer finds its medium by it)" "HOSTD_INSTALLER" \
    "$(xorriso -indev "$T/hostd-installer.iso" -pvd_info 2>/dev/null | grep 'Volume Id')"
check_eq "hybrid: an MBR boot signature for USB sticks" "55aa" "$(od -An -tx1 -j510 -N2 "$T/hostd-installer.iso" | tr -d ' ')"
xorriso -osirrox on -indev "$T/hostd-installer.iso" -extract /boot/grub/grub.cfg "$T/grub.cfg" > /dev/null 2>&1
check_contains "GRUB: the serial console and the screen" "console=tty1 console=ttyS0,115200n8" "$(cat "$T/grub.cfg")"
check_contains "... --cmdline on the kernel's line" "hostd.callback=http://10.0.0.1/cb" "$(grep -m1 'linux ' "$T/grub.cfg")"
check_contains "... and a plan-only entry" "hostd.mode=plan" "$(cat "$T/grub.cfg")"
check "the PXE kernel and initramfs beside it" test -s "$T/work/vmlinuz" -a -s "$T/work/initrd.img"
zstd -dc "$T/work/initrd.img" | (mkdir -p "$T/root" && cd "$T/root" && cpio -idm --quiet 2>/dev/null)
check "the initramfs: the installer's /init" cmp -s "$T/root/init" "$TOP/installer/init"
check "... hostctl" cmp -s "$T/root/usr/bin/hostctl" "$H"
check "... the package" cmp -s "$T/root/usr/share/hostd/$(basename "$DEB")" "$DEB"
check "... the built-in spec" cmp -s "$T/root/etc/hostd/host.yaml" "$T/spec.yaml"
check "... no libvirt (the installer has no VMs to make)" sh -c "! find '$T/root' -name 'libvirt.so*' | grep -q ."
mods=$(find "$T/root/usr/lib/modules" -name '*.ko*' -printf '%f\n')
for m in megaraid_sas mpt3sas nvme md-mod raid1 raid456 tg3 bnx2x igb ixgbe e1000e virtio_net sr_mod isofs usb-storage efivarfs; do
    grep -q "^$m\.ko" <<< "$mods" || fail "... the module $m"
done
ok "... the drivers: PERC, HBA330, NVMe, md, the R630's NICs, virtio, CD, USB"
check "... smartctl (the plan leaves failing disks out) and efibootmgr (UEFI boot entries)" test -x "$T/root/usr/sbin/smartctl" -a -x "$T/root/usr/bin/efibootmgr"

# ---- add-spec: one ISO per server, the boot records as they were ---------------------------------
printf 'host: {name: r630-17}\n' > "$T/r630-17.yaml"
out=$("$TOP/installer/add-spec.sh" "$T/hostd-installer.iso" "$T/r630-17.yaml" "$T/r630-17.iso" 2>&1); rc=$?
check_eq "add-spec: exit 0" 0 "$rc"
xorriso -osirrox on -indev "$T/r630-17.iso" -extract /hostd/host.yaml "$T/got.yaml" > /dev/null 2>&1
check "... the spec is hostd/host.yaml on the medium" cmp -s "$T/got.yaml" "$T/r630-17.yaml"
check_eq "... the El Torito boot images are kept (BIOS and UEFI)" "$(grep -c 'boot img :' <<< "$eltorito")" \
    "$(xorriso -indev "$T/r630-17.iso" -report_el_torito plain 2>/dev/null | grep -c 'boot img :')"
check "... and the MBR (the USB boot code) is byte for byte the same" \
    cmp -s <(head -c 446 "$T/hostd-installer.iso") <(head -c 446 "$T/r630-17.iso")
check "... the ISO it came from is left alone" sh -c "! xorriso -indev '$T/hostd-installer.iso' -ls /hostd 2>/dev/null | grep -q host.yaml"
"$TOP/installer/add-spec.sh" --cmdline "hostd.callback=http://10.0.0.9/cb" "$T/hostd-installer.iso" "$T/r630-17.yaml" \
    "$T/r630-17-cb.iso" > /dev/null 2>&1
xorriso -osirrox on -indev "$T/r630-17-cb.iso" -extract /boot/grub/grub.cfg "$T/grub-cb.cfg" > /dev/null 2>&1
check_eq "add-spec --cmdline: both menu entries get the callback" 2 "$(grep -c 'linux /hostd/vmlinuz .* hostd.callback=http://10.0.0.9/cb$' "$T/grub-cb.cfg")"
"$TOP/installer/add-spec.sh" --cmdline 'x";reboot' "$T/hostd-installer.iso" "$T/r630-17.yaml" "$T/y.iso" > /dev/null 2>&1; rc=$?
check_eq "... a --cmdline with a quote or a ';' is refused (exit 2), no ISO" "2 no" "$rc $([ -e "$T/y.iso" ] && echo yes || echo no)"
"$TOP/installer/add-spec.sh" "$T/hostd-installer.iso" "$T/r630-17.yaml" "$T/hostd-installer.iso" > /dev/null 2>&1; rc=$?
check_eq "add-spec onto its own input: refused (exit 2)" 2 "$rc"
"$TOP/installer/add-spec.sh" "$T/hostd-installer.iso" "$T/none.yaml" "$T/x.iso" > /dev/null 2>&1; rc=$?
check_eq "add-spec of a missing spec: exit 1, no ISO" "1 no" "$rc $([ -e "$T/x.iso" ] && echo yes || echo no)"
tap_done
