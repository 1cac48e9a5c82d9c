#!/bin/bash
# hostctl disks in the virtual R630: the 9 disks with exactly the serials,
# WWNs, vendors, models, firmware, sizes and SSD/HDD the lab gave them, with
# udevd (by-id, by-path, udev properties) and without it (sysfs only); after
# a RAID 1 is built on the two SSDs, both show the md signature with the
# array's name and UUID and are in use ("member of md127 (os)"); before the
# array is assembled they carry the signature but are not in use. A
# scsi_debug disk whose model is $(reboot);"<x> is printed and serialized
# safely. Behind the PERC's driver (megaraid_sas, QEMU's megasas-gen2): a
# disk passed through (HBA mode) is a disk, with its serial and by-path
# name; the logical drives of a controller in RAID mode are the
# controller's virtual disks: the planner refuses them, saying what to do,
# and builds a RAID 1 on them only when the spec says allow_hardware_raid.
# (QEMU's megasas passes through only the disk at SCSI id 0: it numbers
# pass-through disks id << 8 | lun, beyond the 256 the driver takes.) Two
# NVMe namespaces show their controller and namespace id, and a RAID 1 is
# built on their partitions. Each NVMe controller sits in a PCIe hot-plug
# slot (QEMU's pcie-root-port, slots 4 and 5, on a q35 machine with native
# PCIe hot-plug so that the guest's pciehp drives the slots): the drive's
# bay is its slot's name, and `hostctl disks locate` blinks that slot's
# attention indicator, read back from QEMU's slot control register.
set -u
. "$(dirname "$0")/../host/tap.sh"
. "$(dirname "$0")/lab.sh"
HOSTCTL=${HOSTCTL:?HOSTCTL must name the hostctl binary}

if why=$(lab_skip_reason); then
    skip "disk inventory in the virtual R630" "$why"
    tap_done
    exit
fi
[ -x "$HOSTCTL" ] || { fail "$HOSTCTL is not an executable"; tap_done; exit 1; }

T=$(mktemp -d /tmp/hostd-lab-inv.XXXXXX)
trap 'lab_cleanup; rm -rf "$T"' EXIT
lab_init
trap 'lab_cleanup; rm -rf "$T"' EXIT
lab_stage "$HOSTCTL:/usr/local/bin/hostctl"
OUT=$LAB_SHARE/out

# ---- boot 1: udevd runs; inventory, RAID 1 on the SSDs, inventory, a hostile disk
cat > "$T/udev.sh" << 'EOF'
. /lab/lib.sh
O=/mnt/host/out
hostctl disks --json > $O/udev.json
hostctl --debug disks --json > $O/udev-debug.json 2> /dev/null
hostctl disks > $O/udev.txt
A=$(lab_disk ssd0) B=$(lab_disk ssd1)
mdadm --create /dev/md127 --name=os --homehost=r630 --level=1 --raid-devices=2 \
    --metadata=1.2 --assume-clean --run "$A" "$B" || exit 10
lab_settle
mdadm --detail --export /dev/md127 > $O/md.export
hostctl disks --json > $O/udev-md.json
hostctl disks > $O/udev-md.txt
cat $O/udev-md.txt
# a disk whose INQUIRY model is $(reboot);"<x> (scsi_debug lets us choose it)
n=$(ls -d /sys/block/sd* | wc -l)
# (last: the kernel's parser reads an unbalanced " as quoting the rest of the line)
modprobe scsi_debug inq_vendor=HOSTILE dev_size_mb=8 'inq_product=$(reboot);"<x>' || exit 11
i=0
while [ "$(ls -d /sys/block/sd* | wc -l)" -le "$n" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
lab_settle
cat /sys/block/sd*/device/model > $O/hostile-sysfs-models.txt
hostctl disks --json > $O/hostile.json
hostctl disks > $O/hostile.txt
cat $O/hostile.txt
exit 0
EOF

# ---- boot 2: no udevd; inventory before and after assembling the array
cat > "$T/noudev.sh" << 'EOF'
. /lab/lib.sh
O=/mnt/host/out
export MDADM_NO_UDEV=1
[ -e /run/udev/control ] && exit 20
hostctl disks --json > $O/noudev.json
hostctl --debug disks --json > $O/noudev-debug.json 2> /dev/null
hostctl disks > $O/noudev.txt
mdadm --assemble /dev/md127 "$(lab_disk ssd0)" "$(lab_disk ssd1)" || exit 21
hostctl disks --json > $O/noudev-md.json
cat $O/noudev.txt
exit 0
EOF

# ---- boot 3: the PERC in HBA mode, a PERC logical drive, two NVMe namespaces
cat > "$T/perc.sh" << 'EOF'
. /lab/lib.sh
O=/mnt/host/out
i=0
while [ "$(ls -d /sys/block/nvme*n1 2> /dev/null | wc -l)" -lt 2 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
lab_settle
hostctl disks --json > $O/perc.json
hostctl disks > $O/perc.txt
cat $O/perc.txt
printf 'storage:\n  arrays:\n    - {name: vd, level: raid1, disks: {serials: [LDSERIAL0, PDSERIAL0]}}\n' > /tmp/vd.yaml
hostctl raid plan --spec /tmp/vd.yaml > $O/perc-vd.out 2>&1
echo $? > $O/perc-vd.rc
printf 'storage:\n  arrays:\n    - {name: vds, level: raid1, disks: {serials: [LDSERIAL0, LDSERIAL1], allow_hardware_raid: true}}\n' \
    > /tmp/vds.yaml
hostctl raid create --spec /tmp/vds.yaml --yes --assume-clean > $O/perc-vds.out 2>&1
echo $? > $O/perc-vds.rc
printf 'storage:\n  arrays:\n    - {name: fast, level: raid1, disks: {serials: [NVME0000A, NVME0000B]}}\n' > /tmp/nvme.yaml
hostctl raid create --spec /tmp/nvme.yaml --yes --assume-clean > $O/perc-nvme.out 2>&1
echo $? > $O/perc-nvme.rc
# the NVMe slots' attention indicators, in-band (pciehp reads them from the slot's control register)
attention() { for s in 4 5; do cat /sys/bus/pci/slots/$s/attention 2>&1; done | tr '\n' ' '; }
for s in /sys/bus/pci/slots/*; do echo "${s##*/} $(cat "$s/address" 2>&1) $(cat "$s/attention" 2>&1)"; done > $O/pci-slots
hostctl disks locate NVME0000A > $O/locate-on.out 2>&1
echo "$? $(attention)" > $O/locate-on.rc
hostctl disks locate nvme0n1 --off --json > $O/locate-off.out 2>&1
echo "$? $(attention)" > $O/locate-off.rc
lab_settle
cat /proc/mdstat > $O/perc-mdstat
hostctl disks --json > $O/perc-md.json
exit 0
EOF
# perc0 in HBA mode (use_jbod) with one disk, perc1 in RAID mode with two
# logical drives, two NVMe controllers of one namespace each
disk_args() {   # disk_args NAME BUS SCSI-ID SERIAL
    truncate -s 1G "$T/$1.img"
    echo "-blockdev driver=file,node-name=$1f,filename=$T/$1.img -blockdev driver=raw,node-name=$1,file=$1f
          -device scsi-hd,bus=$2.0,scsi-id=$3,drive=$1,serial=$4"
}
PERC_EXTRA="-device megasas-gen2,id=perc0,use_jbod=on $(disk_args pd0 perc0 0 PDSERIAL0)
 -device megasas-gen2,id=perc1 $(disk_args ld0 perc1 0 LDSERIAL0) $(disk_args ld1 perc1 1 LDSERIAL1)"
# (q35 for PCIe root ports; QEMU's ACPI hot-plug off, so that the guest's
# pciehp, not acpiphp, owns the slots and their attention indicators)
PERC_EXTRA+=" -machine q35 -global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off"
for n in 0 1; do
    truncate -s 1G "$T/nvme$n.img"
    PERC_EXTRA+=" -device pcie-root-port,id=rp$n,chassis=$((n + 1)),slot=$((n + 4))
 -blockdev driver=file,node-name=nv${n}f,filename=$T/nvme$n.img
 -blockdev driver=raw,node-name=nv$n,file=nv${n}f -device nvme,id=nvme$n,bus=rp$n,serial=NVME0000$([ $n = 0 ] && echo A || echo B)
 -device nvme-ns,bus=nvme$n,drive=nv$n,nsid=1"
done

rc=0
LAB_UDEV=1 lab_boot inv-udev "$T/udev.sh" || rc=$?
check_eq "boot with udevd: the guest script ran to the end" 0 "$rc"
rc=0
LAB_UDEV=0 lab_boot inv-noudev "$T/noudev.sh" || rc=$?
check_eq "boot without udevd: the guest script ran to the end" 0 "$rc"
rc=0
LAB_UDEV=1 LAB_QEMU_EXTRA=$PERC_EXTRA lab_boot inv-perc "$T/perc.sh" || rc=$?
check_eq "boot behind the PERC's driver, with NVMe: the guest script ran to the end" 0 "$rc"

# ---- the checks, on the host, against r630-disks.txt
cat > "$T/check.py" << 'EOF'
import json, sys

table, out = sys.argv[1], sys.argv[2]
lab = []
for line in open(table):
    f = line.split()
    if not f or f[0].startswith("#"):
        continue
    size = int(f[2][:-1]) << {"G": 30, "M": 20}[f[2][-1]]
    lab.append(dict(id=f[0], size=size, vendor=f[3], model=f[4], rev=f[5], serial=f[6],
                    wwn=f[7], ssd=f[8] == "1"))

def load(name):
    try:
        with open(f"{out}/{name}") as fh:
            return json.load(fh)["disks"]
    except (OSError, ValueError, KeyError) as e:
        return e

def report(ok, desc, why=""):
    why = str(why).replace("\n", " | ")
    print(("PASS " if ok else "FAIL ") + desc + ("" if ok else f" ::: {why}"))

def by_wwn(disks, wwn):
    return next((d for d in disks if d.get("wwn") == wwn), None)

def identity(d):
    # not the kernel name: the SCSI scan order, and so sdX, differs between boots
    return {k: d[k] for k in ("vendor", "model", "serial", "wwn", "firmware", "hctl",
                              "transport", "size_bytes", "logical_sector_size",
                              "physical_sector_size", "rotational", "removable", "read_only")}

def check_identity(phase, disks):
    if isinstance(disks, Exception):
        report(False, f"{phase}: valid inventory JSON", disks)
        return
    sd = [d for d in disks if d["name"].startswith("sd")]
    report(len(sd) == 9, f"{phase}: 9 disks", [d["name"] for d in disks])
    for l in lab:
        d = by_wwn(disks, l["wwn"])
        if d is None:
            report(False, f"{phase}: {l['id']} found by its WWN {l['wwn']}", "no such disk")
            continue
        want = dict(serial=l["serial"], vendor=l["vendor"], model=l["model"], firmware=l["rev"],
                    size_bytes=l["size"], rotational=not l["ssd"], transport="virtio")
        got = {k: d[k] for k in want}
        report(got == want, f"{phase}: {l['id']} ({d['name']}) serial, WWN, vendor, model, firmware, "
               f"size, {'SSD' if l['ssd'] else 'HDD'}", f"want {want} got {got}")

def check_links(phase, disks, udev):
    if isinstance(disks, Exception):
        report(False, f"{phase}: valid inventory JSON", disks)
        return
    bad = []
    for l in lab:
        d = by_wwn(disks, l["wwn"]) or {}
        if udev:
            ok = f"/dev/disk/by-id/wwn-{l['wwn']}" in d.get("by_id", []) and \
                (d.get("by_path") or "").startswith("/dev/disk/by-path/")
        else:
            ok = d.get("by_id") == [] and d.get("by_path") is None
        if not ok:
            bad.append((l["id"], d.get("by_id"), d.get("by_path")))
    report(not bad, f"{phase}: by-id and by-path " + ("from udev's links" if udev else "null (no udev)"), bad)

def check_sources(phase, disks, want):
    if isinstance(disks, Exception):
        report(False, f"{phase}: valid inventory JSON", disks)
        return
    bad = []
    for l in lab:
        src = (by_wwn(disks, l["wwn"]) or {}).get("sources") or {}
        got = {k: src.get(k) for k in want}
        if got != want:
            bad.append((l["id"], got))
    report(not bad, f"{phase}: --debug names the sources {want}", bad)

def md_export():
    try:
        return dict(l.strip().split("=", 1) for l in open(f"{out}/md.export") if "=" in l)
    except OSError as e:
        return {"error": str(e)}

def check_md(phase, disks, in_use):
    if isinstance(disks, Exception):
        report(False, f"{phase}: valid inventory JSON", disks)
        return
    md = md_export()
    for l in lab:
        d = by_wwn(disks, l["wwn"])
        if d is None:
            report(False, f"{phase}: {l['id']} found", "no such disk")
            continue
        if l["id"] in ("ssd0", "ssd1"):
            sig = d["signatures"][0] if d["signatures"] else {}
            want_sig = dict(type="linux_raid_member", array_name="os", label="r630:os",
                            array_uuid=md.get("MD_UUID"))
            got_sig = {k: sig.get(k) for k in want_sig}
            report(got_sig == want_sig and len(d["signatures"]) == 1,
                   f"{phase}: {l['id']} carries the md signature of array os, UUID {md.get('MD_UUID')}",
                   f"want {want_sig} got {d['signatures']}")
            if in_use:
                want = (True, ["md127"], ["member of md127 (os)"])
            else:
                want = (False, [], [])
            got = (d["in_use"], d["holders"], d["in_use_reasons"])
            report(got == want, f"{phase}: {l['id']} " + ("in use: member of md127 (os)" if in_use
                                                          else "not in use (array not assembled)"),
                   f"want {want} got {got}")
        else:
            got = (d["in_use"], d["signatures"], d["partition_table"])
            report(got == (False, [], None), f"{phase}: {l['id']} empty and not in use", got)

def check_hostile():
    disks = load("hostile.json")
    if isinstance(disks, Exception):
        report(False, "hostile model: inventory is valid JSON", disks)
        return
    d = next((d for d in disks if d.get("vendor") == "HOSTILE"), None)
    report(d is not None and d["model"] == '$(reboot);"<x>',
           'hostile model: serialized as $(reboot);"<x>, valid JSON',
           d and d.get("model"))
    try:
        txt = open(f"{out}/hostile.txt", encoding="ascii").read()
        ok = '$(reboot);"<x>' in txt and "\x1b" not in txt
    except (OSError, ValueError) as e:
        ok, txt = False, e
    report(ok, 'hostile model: printed as it is in the table', txt)

check_identity("udev", load("udev.json"))
check_identity("no udev", load("noudev.json"))
a, b = load("udev.json"), load("noudev.json")
if not isinstance(a, Exception) and not isinstance(b, Exception):
    ia = sorted((identity(d) for d in a), key=lambda d: d["serial"] or "")
    ib = sorted((identity(d) for d in b), key=lambda d: d["serial"] or "")
    report(ia == ib, "identity and geometry are the same with and without udevd",
           [x for x in zip(ia, ib) if x[0] != x[1]])
check_links("udev", a, True)
check_links("no udev", b, False)
check_sources("udev --debug", load("udev-debug.json"),
              {"serial": "udev:ID_SCSI_SERIAL", "wwn": "udev:ID_WWN_WITH_EXTENSION",
               "by_path": "udev:DEVLINKS"})
check_sources("no udev --debug", load("noudev-debug.json"),
              {"serial": "sysfs:device/vpd_pg80", "wwn": "sysfs:device/wwid", "model": "sysfs:device/model",
               "by_path": None})
check_md("udev, RAID 1 built", load("udev-md.json"), True)
check_md("no udev, before assembly", load("noudev.json"), False)
check_md("no udev, assembled", load("noudev-md.json"), True)
check_hostile()

def channel(d):
    return int(d["hctl"].split(":")[1]) if d.get("hctl") else None

def check_perc():
    disks = load("perc.json")
    if isinstance(disks, Exception):
        report(False, "PERC: valid inventory JSON", disks)
        return
    def with_serial(s):
        return next((d for d in disks if d.get("serial") == s), {})
    pd = with_serial("PDSERIAL0")
    got = ((pd.get("controller") or {}).get("driver"), pd.get("controller_volume"), channel(pd),
           (pd.get("by_path") or "").startswith("/dev/disk/by-path/pci-"))
    report(got == ("megaraid_sas", False, 0, True), "PERC in HBA mode: the disk it passes through is a disk, "
           f"on channel 0, with its serial and by-path name ({pd.get('name')}, {pd.get('by_path')})", got)
    for s in ("LDSERIAL0", "LDSERIAL1"):
        ld = with_serial(s)
        got = ((ld.get("controller") or {}).get("driver"), ld.get("controller_volume"), (channel(ld) or 0) >= 2,
               (ld.get("by_path") or "").startswith("/dev/disk/by-path/pci-"))
        report(got == ("megaraid_sas", True, True, True), f"PERC in RAID mode: logical drive {s} is a controller "
               f"volume, on channel 2 or 3 ({ld.get('name')}, hctl {ld.get('hctl')}, {ld.get('by_path')})", got)
    try:
        # (the model has a blank: the serial is found among the words; TYPE comes before it)
        lines = open(f"{out}/perc.txt").read().splitlines()
        col = lines[0].split().index("TYPE")
        rows = {w: l.split()[col] for l in lines[1:] for w in l.split() if w in ("LDSERIAL0", "LDSERIAL1", "PDSERIAL0")}
    except (OSError, ValueError, IndexError) as e:
        rows = {"error": str(e)}
    got = (rows.get("LDSERIAL0"), rows.get("LDSERIAL1"), rows.get("PDSERIAL0"))
    report(got == ("RAID-VD", "RAID-VD", "HDD"), "the table's TYPE: RAID-VD for the logical drives, HDD for the "
           "disk passed through", got)
    for n, serial in ((0, "NVME0000A"), (1, "NVME0000B")):
        d = with_serial(serial)
        nv = d.get("nvme") or {}
        # the kernel ignores QEMU's namespace ids (its NVME_QUIRK_BOGUS_NID): the wwid is the
        # vendor-serial-model-namespace form, the serial in hex
        hexserial = serial.encode().hex()
        got = (d.get("transport"), (d.get("wwn") or "").startswith(f"nvme.1b36-{hexserial}-"),
               (d.get("wwn") or "").endswith("-00000001"), nv.get("controller"), nv.get("nsid"),
               (d.get("controller") or {}).get("driver"), d.get("controller_volume"), d.get("rotational"))
        want = ("nvme", True, True, f"nvme{n}", 1, "nvme", False, False)
        report(got == want, f"NVMe {serial} ({d.get('name')}): transport nvme, the namespace's wwid as WWN "
               f"({d.get('wwn')}), controller nvme{n}, namespace 1, driver nvme, SSD", f"want {want} got {got}")
    def text_of(name):
        try:
            return open(f"{out}/{name}").read()
        except OSError as e:
            return str(e)
    def outcome(name):
        try:
            return open(f"{out}/{name}.rc").read().strip(), open(f"{out}/{name}.out").read()
        except OSError as e:
            return "missing", str(e)
    rc, text = outcome("perc-vd")
    report(rc == "3" and "LDSERIAL0 (" in text and "is a virtual disk of the RAID controller" in text
           and "HBA mode" in text, "raid plan naming a logical drive: refused for safety (exit 3), saying to "
           "switch the PERC to HBA mode", f"rc {rc}: {text[-600:]}")
    mdstat = text_of("perc-mdstat")
    rc, text = outcome("perc-vds")
    report(rc == "0" and "used all the same, as disks.allow_hardware_raid says" in text,
           "raid create on the logical drives with allow_hardware_raid: built, and warned about", f"rc {rc}: {text[-600:]}")
    got = tuple(with_serial(s).get("bay") for s in ("NVME0000A", "NVME0000B"))
    report(got == ("4", "5"), "NVMe: each drive's bay is its PCIe hot-plug slot's name (4, 5)",
           f"got {got}; slots: {text_of('pci-slots')}")
    rc, text = outcome("locate-on")
    report(rc == "0 2 0" and "nvme0n1: bay 4 is blinking" in text, "locate NVME0000A without a BMC: slot 4's "
           "attention indicator blinks (2), slot 5's stays off", f"rc and indicators {rc}: {text[-600:]}")
    rc, text = outcome("locate-off")
    try:
        doc = json.loads(text)
    except ValueError:
        doc = {}
    report(rc == "0 0 0" and (doc.get("bay"), doc.get("blinking")) == ("4", False), "... --off: off again, "
           "the document names bay 4", f"rc and indicators {rc}: {text[-600:]}")
    rc, text = outcome("perc-nvme")
    report(rc == "0" and "nvme0n1p1" in mdstat and "nvme1n1p1" in mdstat,
           "raid create: a RAID 1 on the two NVMe namespaces' partitions (nvme0n1p1, nvme1n1p1)", f"rc {rc}: {mdstat}")

check_perc()
EOF

while read -r verdict desc; do
    case $verdict in
        PASS) ok "$desc" ;;
        FAIL) fail "${desc%% ::: *}"; echo "#   ${desc#* ::: }" | cut -c1-2000 ;;
        *) fail "checker: $verdict $desc" ;;
    esac
done < <(python3 "$T/check.py" "$LAB_DIR/r630-disks.txt" "$OUT" 2>&1)
tap_done
