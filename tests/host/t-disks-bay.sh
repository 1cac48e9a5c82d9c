#!/bin/bash
# The bay to pull: `hostctl disks --bmc NAME` shows each disk's front bay from
# the BMC's drives (joined by serial), and `hostctl disks locate ID [--off]`
# blinks that bay's LED through the BMC. The BMC is the test Redfish service
# as iDRAC 8 shows an R630's PERC and eight drives (--drives), the disks those
# of the R630 inventory fixture; the drives' LEDs by LocationIndicatorActive
# (newer firmware), by IndicatorLED (older), and not at all.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
H=${HOSTCTL:?HOSTCTL must name the hostctl binary}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
command -v openssl >/dev/null || { skip "bays through Redfish" "openssl not installed"; tap_done; exit; }
. "$(dirname "$0")/bay-lib.sh"
trap b_cleanup EXIT
T=$B_TMP
py() { python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
# the R630's disks (a saved inventory), their bays from the BMC now
hc() { "$H" "$@" --from "$FX" 2>"$T/stderr"; }

b_start new --drives storage --drive-led location || { tap_done; exit; }
b_start old --drives storage --drive-led indicator
b_start none --drives storage --drive-led none
b_start paged --drives chassis --drive-led location

# ---- the bay map ----------------------------------------------------------------
table=$(hc disks --bmc new); rc=$?
check_eq "disks --bmc: exit 0" 0 "$rc"
check_contains "disks: a BAY column" "NAME  BAY  SIZE" "$(head -n 1 <<<"$table")"
check_eq "each disk in the bay the BMC places its serial in (sdf's serial padded by the BMC)" "$B_WANT" "$(b_bays "$table" BAY)"
check_eq "disks --json: bay" "0 7 4" "$(hc disks --bmc new --json | py 'b={x["name"]: x["bay"] for x in d["disks"]}; print(b["sda"], b["sdc"], b["sdf"])')"
check_eq "disks show: bay" "bay                   7" "$(hc disks show sdc --bmc new | grep '^bay ')"
check_eq "an older iDRAC: the bay from Dell's Disk.Bay.N" "$B_WANT" "$(b_bays "$(hc disks --bmc old)" BAY)"
check_eq "drives listed only in the chassis' collection, two a page: all eight found" "$B_WANT" \
    "$(b_bays "$(hc disks --bmc paged)" BAY)"
check_eq "... every page was read, by the link the service gave" \
    "GET /redfish/v1/Chassis/1U/Drives?\$skip=6 200" "$(b_log paged | grep 'Drives?' | tail -n 1)"
check_eq "no path asked that the service had not linked" "" \
    "$(cat "$T"/{new,old,paged}/requests.log > "$T/all.log"; "$LOGQ" "$T/all.log" unlinked)"
check_eq "without --bmc, BAY is -" "sda=- sdb=- sdc=- sdd=- sde=- sdf=- sdg=- sdh=- " "$(b_bays "$(hc disks)" BAY)"
check_eq "... and bay null in --json" "None" "$(hc disks --json | py 'print(d["disks"][0]["bay"])')"
hc disks --bmc new --json > "$T/inv.json"
check_eq "an inventory saved with its bays keeps them" "7" \
    "$("$H" disks --from "$T/inv.json" --json | py 'print([x["bay"] for x in d["disks"] if x["name"] == "sdc"][0])')"
check_contains "... and shows them" "sdc   7 " "$("$H" disks --from "$T/inv.json")"
out=$(hc disks --bmc nosuch --json); rc=$?
check_eq "an unknown BMC config: exit 1, one JSON document with the error" "1 True" \
    "$rc $(py 'print("nosuch" in d["error"]["message"])' <<<"$out")"
out=$("$H" --host "unix://$T/none.sock" disks --bmc new 2>&1); rc=$?
check_eq "--bmc with --host: usage error (hostd asks its own BMC)" 2 "$rc"

# ---- locate ----------------------------------------------------------------------
out=$(hc disks locate sdc --bmc new); rc=$?
check_eq "locate: exit 0, the bay named" "0 sdc: bay 7 is blinking" "$rc $out"
check_eq "... LocationIndicatorActive true on bay 7's drive, with If-Match" \
    "PATCH /redfish/v1/Systems/System.Embedded.1/Storage/RAID.Integrated.1-1/Drives/Disk.Bay.7:Enclosure.Internal.0-1:RAID.Integrated.1-1 200 {\"LocationIndicatorActive\": true}" \
    "$(b_log new | grep PATCH) $(b_led new)"
out=$(hc disks locate PHYG0010480BGN --off --bmc new --json); rc=$?
check_eq "locate --off by serial, --json" '0 sdb 1 False' "$rc $(py 'print(d["disk"], d["bay"], d["blinking"])' <<<"$out")"
check_eq "... LocationIndicatorActive false" '{"LocationIndicatorActive": false}' "$(b_led new)"
check_eq "an older iDRAC: IndicatorLED Blinking" '0 {"IndicatorLED": "Blinking"}' \
    "$(hc disks locate sdf --bmc old >/dev/null; echo $?) $(b_led old)"
check_eq "... and Off" '0 {"IndicatorLED": "Off"}' "$(hc disks locate sdf --off --bmc old >/dev/null; echo $?) $(b_led old)"
check_eq "every PATCH carried If-Match and was taken" "" \
    "$(cat "$T"/{new,old}/requests.log > "$T/all.log"; "$LOGQ" "$T/all.log" patches | grep -v '^W/"[0-9]*" 200$')"
out=$(hc disks locate sdc --bmc none); rc=$?
check_eq "a BMC without drive LEDs: exit 1" 1 "$rc"
check_contains "... says so plainly" "this BMC offers no drive LED control (the drive WFK00ABC is in bay 7)" "$(cat "$T/stderr")"
check_eq "... and sent nothing" "" "$(b_log none | grep PATCH)"
out=$(hc disks locate sdc --bmc none --json); rc=$?
check_contains "... --json: one document, the message in it" "no drive LED control" \
    "$(py 'print(d["error"]["message"])' <<<"$out")"
out=$(hc disks locate sdc); rc=$?
check_eq "locate without a BMC: usage error" 2 "$rc"
out=$(hc disks locate sdz --bmc new); rc=$?
check_eq "locate an unknown disk: exit 1" "1" "$rc"
check_contains "... named" "disk sdz not found" "$(cat "$T/stderr")"
out=$(hc disks --off); rc=$?
check_eq "--off without locate: usage error" 2 "$rc"
printf 'address: ipmi://127.0.0.1:9\nuser: root\npassword: "calvin"\n' > "$HOSTD_BMC_CONFIG_DIR/ipmi.yaml"
chmod 600 "$HOSTD_BMC_CONFIG_DIR/ipmi.yaml"
out=$(hc disks locate sdc --bmc ipmi); rc=$?
check_eq "an IPMI BMC: exit 1" 1 "$rc"
check_contains "... no drive LED control either" "BMC ipmi: this BMC offers no drive LED control" "$(cat "$T/stderr")"
out=$(hc disks --bmc ipmi); rc=$?
check_eq "... nor bays: disks --bmc fails (exit 1)" 1 "$rc"
check_contains "... saying to use its Redfish address" "the IPMI driver shows no drive bays (use the Redfish address" \
    "$(cat "$T/stderr")"
# ---- raid replace --locate: the failed disk's bay blinks before the swap -------------
rl() { HOSTD_TEST_INVENTORY=$1 "$H" raid replace data --failed "$2" "${@:3}" 2>"$T/stderr"; }
out=$(rl "$FX" WFK02ABC --locate --bmc new); rc=$?
check_eq "raid replace --failed ID --locate: exit 0, the bay named" "0 sde: bay 5 is blinking" "$rc $(head -n 1 <<<"$out")"
check_contains "... and what to do next" "Pull that disk and put the new one in its bay, then: hostctl raid replace data --failed WFK02ABC --with NEW" "$out"
check_eq "... LocationIndicatorActive true on bay 5's drive" \
    'PATCH /redfish/v1/Systems/System.Embedded.1/Storage/RAID.Integrated.1-1/Drives/Disk.Bay.5:Enclosure.Internal.0-1:RAID.Integrated.1-1 200 {"LocationIndicatorActive": true}' \
    "$(b_log new | grep PATCH | tail -n 1) $(b_led new)"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["disks"]=[x for x in d["disks"] if x["serial"] != "WFK03ABC"]; json.dump(d, open(sys.argv[2], "w"))' \
    "$FX" "$T/gone.json"
out=$(rl "$T/gone.json" WFK03ABC --locate --bmc old --json); rc=$?
check_eq "a failed disk the OS no longer sees: found by its serial at the BMC (bay 4)" "0 4 True data" \
    "$rc $(py 'print(d["bay"], d["blinking"], d["array"])' <<<"$out")"
out=$(rl "$FX" WFK02ABC --locate --with WFK06ABC --bmc new); rc=$?
check_eq "--locate with --with: usage error (the blink comes before the swap)" 2 "$rc"
out=$(rl "$FX" WFK02ABC --locate); rc=$?
check_eq "--locate without a BMC: usage error" 2 "$rc"
out=$(rl "$FX" WFK02ABC --locate --bmc none); rc=$?
check_eq "--locate on a BMC without LED control: exit 1, said" "1 True" \
    "$rc $(grep -q 'no drive LED control' "$T/stderr" && echo True)"

# ---- no BMC: the SCSI enclosure (SES) slots, in-band ------------------------------------
# a sysfs as the kernel's ses driver shows a backplane: enclosure 0:0:32:0,
# its slots linking to the SCSI devices of sdb (slot 1) and sdc (slot 2, no
# LED), and "Slot 07" without a number attribute for sdd; sde in no slot
S=$T/sys
for i in 1 2 3 4; do mkdir -p "$S/devices/pci0000:00/host0/target0:0:$i/0:0:$i:0"; done
mkdir -p "$S/class/enclosure/0:0:32:0"
for p in b:1 c:2 d:3 e:4; do
    mkdir -p "$S/block/sd${p%%:*}"
    ln -s "../../devices/pci0000:00/host0/target0:0:${p#*:}/0:0:${p#*:}:0" "$S/block/sd${p%%:*}/device"
done
E=$S/class/enclosure/0:0:32:0
mkdir -p "$E/SLOT  1 " "$E/SLOT  2 " "$E/Slot 07"
ln -s "../../../../devices/pci0000:00/host0/target0:0:1/0:0:1:0" "$E/SLOT  1 /device"
ln -s "../../../../devices/pci0000:00/host0/target0:0:2/0:0:2:0" "$E/SLOT  2 /device"
ln -s "../../../../devices/pci0000:00/host0/target0:0:3/0:0:3:0" "$E/Slot 07/device"
echo 1 > "$E/SLOT  1 /slot"; echo 0 > "$E/SLOT  1 /locate"
echo 2 > "$E/SLOT  2 /slot"
hs() { HOSTD_TEST_SYSFS_ROOT=$S "$H" "$@" --from "$FX" 2>"$T/stderr"; }
check_eq "no BMC: the bays of the disks in an enclosure's slots (SES), '-' for the others" \
    "sda=- sdb=1 sdc=2 sdd=Slot_07 sde=- sdf=- sdg=- sdh=- " "$(b_bays "$(hs disks)" BAY)"
check_eq "... the BMC's bay wins where it has one" "$B_WANT" "$(b_bays "$(hs disks --bmc new)" BAY)"
out=$(hs disks locate sdb); rc=$?
check_eq "locate without a BMC: the enclosure slot's LED, in-band" "0 sdb: bay 1 is blinking 1" "$rc $out $(cat "$E/SLOT  1 /locate")"
out=$(hs disks locate sdb --off --json); rc=$?
check_eq "... --off, --json: the slot, enclosure true, bmc null" "0 1 True None False 0" \
    "$rc $(py 'print(d["bay"], d["enclosure"], d["bmc"], d["blinking"])' <<<"$out") $(cat "$E/SLOT  1 /locate")"
out=$(hs disks locate sdc); rc=$?
check_eq "a slot without a locate LED: exit 1" 1 "$rc"
check_contains "... said" "the enclosure slot 2 of sdc has no locate LED" "$(cat "$T/stderr")"
out=$(hs disks locate sde); rc=$?
check_eq "a disk in no slot, no BMC: exit 1" 1 "$rc"
check_contains "... saying to give --bmc" "no BMC given and no SCSI enclosure (SES) or PCIe hot-plug slot holds it: give --bmc NAME" "$(cat "$T/stderr")"
check_eq "without the test root, --from's disks are another machine's: locate is a usage error" 2 \
    "$("$H" disks locate sdb --from "$FX" >/dev/null 2>&1; echo $?)"

# ---- no BMC: NVMe drives in PCIe hot-plug slots (pciehp), in-band ------------------------
# nvme0n1's controller 0000:01:00.0 sits in slot "4" (address 0000:01:00, its
# attention indicator off), slot "5" holds another device, nvme1n1 no slot
b_nvme "$T/nvme.json" "$S"
P=$S/bus/pci/slots
hn() { HOSTD_TEST_SYSFS_ROOT=$S "$H" "$@" --from "$T/nvme.json" 2>"$T/stderr"; }
check_eq "no BMC: an NVMe drive's bay is its PCIe hot-plug slot's name; '-' where no slot holds it" \
    "nvme0n1=4 nvme1n1=- " "$(b_bays "$(hn disks)" BAY | tr ' ' '\n' | grep '^nvme' | tr '\n' ' ')"
out=$(hn disks locate NVME0000A); rc=$?
check_eq "locate an NVMe drive without a BMC: its slot's attention indicator blinks (2, PCIe's identify)" \
    "0 nvme0n1: bay 4 is blinking 2" "$rc $out $(cat "$P/4/attention")"
out=$(hn disks locate nvme0n1 --off --json); rc=$?
check_eq "... --off, --json: the slot, the indicator off" "0 4 True False 0" \
    "$rc $(py 'print(d["bay"], d["enclosure"], d["blinking"])' <<<"$out") $(cat "$P/4/attention")"
check_eq "... and the other slot was left alone" 0 "$(cat "$P/5/attention")"
out=$(hn disks locate nvme1n1); rc=$?
check_eq "an NVMe drive in no slot, no BMC: exit 1, saying to give --bmc" "1 True" \
    "$rc $(grep -q 'no SCSI enclosure (SES) or PCIe hot-plug slot holds it: give --bmc NAME' "$T/stderr" && echo True)"

for s in new old paged; do
    check_eq "$s: every session deleted" "$("$LOGQ" "$T/$s/requests.log" sessions | awk '{ print "created", $2, "deleted", $2 }')" \
        "$("$LOGQ" "$T/$s/requests.log" sessions)"
done
tap_done
