#!/bin/bash
# The bay to pull, through hostd: with `bmc: NAME` in hostd.conf, hostd reads
# the BMC's drives and gives each Drive its bay (PhysicalLocation) and LED
# state (LocationIndicatorActive); a PATCH of LocationIndicatorActive blinks
# the bay through the BMC, as `hostctl --host disks locate` does. The BMC is
# the test Redfish service as iDRAC shows an R630 (bay-lib.sh), the disks
# those of the R630 inventory (HOSTD_TEST_INVENTORY).
set -uo pipefail
. "$(dirname "$0")/tap.sh"
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
HOSTCTL=${HOSTCTL:?HOSTCTL must name the hostctl binary}
command -v openssl >/dev/null || { skip "bays through hostd" "openssl not installed"; tap_done; exit; }
. "$(dirname "$0")/hostd-lib.sh"
. "$(dirname "$0")/bay-lib.sh"
trap 'b_cleanup; h_cleanup' EXIT
hc() { "$HOSTCTL" --host "unix://$H_SOCK" "$@" 2>"$H_TMP/stderr"; }
DRIVE=/redfish/v1/Systems/host/Storage/md/Drives
# hostd_with BMC: (re)start hostd over the R630's disks, its hostd.conf naming BMC ("" for none)
hostd_with() {
    h_stop 2>/dev/null
    printf 'disk_health_interval: 0\n' > "$H_TMP/hostd.conf"
    [ -z "$1" ] || printf 'bmc: %s\n' "$1" >> "$H_TMP/hostd.conf"
    HOSTD_TEST_INVENTORY=$FX h_start --config "$H_TMP/hostd.conf"
}
# wait until hostd shows the bays (it reads the BMC after it starts)
wait_bays() {
    local i
    for i in $(seq 100); do
        h_req GET "$DRIVE/WFK00ABC"
        case $H_BODY in *PhysicalLocation*) return 0 ;; esac
        sleep 0.1
    done
    return 1
}

b_start new --drives storage --drive-led location || { tap_done; exit; }
b_start none --drives storage --drive-led none
hostd_with new || { fail "hostd starts"; tap_done; exit; }
check "hostd reads the bays from the BMC hostd.conf names" wait_bays
check_eq "hostctl --host disks: the BAY column" "$B_WANT" "$(b_bays "$(hc disks)")"
check_eq "... bay in --json" "7" "$(hc disks --json | h_json '[x["bay"] for x in d["disks"] if x["name"] == "sdc"][0]')"
h_req GET "$DRIVE/WFK00ABC"
check_eq "the Drive: PhysicalLocation and LocationIndicatorActive" "7 Bay 7 False" \
    "$(h_json 'd["PhysicalLocation"]["PartLocation"]["LocationOrdinalValue"], d["PhysicalLocation"]["PartLocation"]["ServiceLabel"], d["LocationIndicatorActive"]' <<<"$H_BODY" | tr -d "(),'")"
# schema_ok FILE [--check-error]: the DMTF schema of its @odata.type (or the Base registry) takes it
schema_ok() {
    python3 -c 'import jsonschema' 2>/dev/null || return 0
    python3 "$TOP/tests/helpers/redfish_schema_walk.py" --schemas "$TOP/tests/fixtures/redfish/schemas" \
        "${2:---check}" "$1" > "$H_TMP/walk.out" 2>&1 || { sed 's/^/#   /' "$H_TMP/walk.out"; return 1; }
}
echo "$H_BODY" > "$H_TMP/drive.json"
check "... as the Drive schema has them" schema_ok "$H_TMP/drive.json"
h_req PATCH "$DRIVE/WFK00ABC" -d '{"LocationIndicatorActive": true}'
check_eq "PATCH LocationIndicatorActive true: 200, the Drive says so" "200 True" \
    "$H_STATUS $(h_json 'd["LocationIndicatorActive"]' <<<"$H_BODY")"
check_eq "... the BMC's drive in bay 7 was told" \
    "PATCH /redfish/v1/Systems/System.Embedded.1/Storage/RAID.Integrated.1-1/Drives/Disk.Bay.7:Enclosure.Internal.0-1:RAID.Integrated.1-1 200 {\"LocationIndicatorActive\": true}" \
    "$(b_log new | grep PATCH | tail -n 1) $(b_led new)"
h_req GET "$DRIVE/WFK00ABC"
check_eq "... a GET after says so too" "True" "$(h_json 'd["LocationIndicatorActive"]' <<<"$H_BODY")"
out=$(hc disks locate sdd); rc=$?
check_eq "hostctl --host disks locate: the same through hostd" "0 sdd: bay 6 is blinking" "$rc $out"
check_eq "... the BMC's drive in bay 6 was told" '1 {"LocationIndicatorActive": true}' \
    "$(b_log new | grep PATCH | tail -n 1 | grep -c '/Drives/Disk.Bay.6:') $(b_led new)"
out=$(hc disks locate sdd --off --json); rc=$?
check_eq "... --off, --json" "0 6 False" "$rc $(h_json 'd["bay"], d["blinking"]' <<<"$out" | tr -d "(),'")"
check_eq "... LocationIndicatorActive false at the BMC" '{"LocationIndicatorActive": false}' "$(b_led new)"
n=$(b_log new | grep -c PATCH)
h_req PATCH "$DRIVE/WFK00ABC" -d '{"LocationIndicatorActive": "yes"}'
check_eq "a value that is no boolean: 400" "400 PropertyValueTypeError" \
    "$H_STATUS $(h_json 'd["error"]["@Message.ExtendedInfo"][0]["MessageId"].split(".")[-1]' <<<"$H_BODY")"
h_req PATCH "$DRIVE/WFK00ABC" -d '{"IndicatorLED": "Blinking"}'
check_eq "another property: 400" "400 PropertyNotWritable" \
    "$H_STATUS $(h_json 'd["error"]["@Message.ExtendedInfo"][0]["MessageId"].split(".")[-1]' <<<"$H_BODY")"
echo "$H_BODY" > "$H_TMP/error.json"
check "... a Base registry message" schema_ok "$H_TMP/error.json" --check-error
check_eq "... and neither reached the BMC" "$n" "$(b_log new | grep -c PATCH)"

hostd_with none || fail "hostd starts"
check "hostd with a BMC that has no drive LEDs still shows the bays" wait_bays
h_req PATCH "$DRIVE/WFK00ABC" -d '{"LocationIndicatorActive": true}'
check_eq "a BMC without drive LEDs: 400" 400 "$H_STATUS"
check_contains "... saying so plainly" "this BMC offers no drive LED control" "$H_BODY"
out=$(hc disks locate sdc); rc=$?
check_eq "hostctl --host disks locate: exit 1" 1 "$rc"
check_contains "... with hostd's message" "this BMC offers no drive LED control" "$(cat "$H_TMP/stderr")"
check_eq "... and nothing was sent to the BMC" "" "$(b_log none | grep PATCH)"
check_eq "... the Drive has no LocationIndicatorActive" "False" \
    "$(h_req GET "$DRIVE/WFK00ABC"; h_json '"LocationIndicatorActive" in d' <<<"$H_BODY")"

hostd_with "" || fail "hostd starts"
h_req GET "$DRIVE/WFK00ABC"
check_eq "without bmc: no PhysicalLocation" "False" "$(h_json '"PhysicalLocation" in d' <<<"$H_BODY")"
check_eq "... BAY is -" "sdc=-" "$(b_bays "$(hc disks)" | tr ' ' '\n' | grep sdc)"
h_req PATCH "$DRIVE/WFK00ABC" -d '{"LocationIndicatorActive": true}'
check_eq "... a PATCH: 400, naming the setting" "400 True" "$H_STATUS $(h_json '"bmc: NAME in hostd.conf" in d["error"]["message"]' <<<"$H_BODY")"
printf 'bmc: new\n' >> "$H_TMP/hostd.conf"
kill -HUP "$H_PID"
check "bmc: added and SIGHUP: the Drives get their bays" wait_bays
printf 'bmc: "../x"\n' > "$H_TMP/bad.conf"
err=$(timeout 10 "$HOSTD" --foreground --config "$H_TMP/bad.conf" --socket "$H_TMP/bad.sock" \
    --state-dir "$H_TMP/bad-state" --pid-file "$H_TMP/bad.pid" 2>&1); rc=$?
check_eq "a bmc: that is no config name: hostd does not start" 1 "$rc"
check_contains "... and names the setting" "bmc: '../x' is no BMC config name" "$err"

# ---- a slow BMC holds one server thread, never all of them -------------------------------
b_start slow --drives storage --drive-led location --stall 1
hostd_with slow
curl -s -o "$H_TMP/a.body" -w '%{http_code}' -X PATCH --unix-socket "$H_SOCK" -H 'Content-Type: application/json' \
    -d '{"LocationIndicatorActive": true}' "http://localhost$DRIVE/WFK00ABC" > "$H_TMP/a.status" &
a=$!
for _ in $(seq 50); do b_log slow | grep -q "Storage/RAID" && break; sleep 0.1; done   # the first is at the BMC
t0=$(date +%s%N)
second=$(curl -s -D "$H_TMP/b.head" -o "$H_TMP/b.body" -w '%{http_code}' -X PATCH --unix-socket "$H_SOCK" \
    -H 'Content-Type: application/json' -d '{"LocationIndicatorActive": true}' "http://localhost$DRIVE/WFK01ABC")
h_req GET /redfish/v1/Systems/host
kill -0 "$a" 2>/dev/null && first_running=yes || first_running=no
echo "# the second PATCH and the GET took $((($(date +%s%N) - t0) / 1000000)) ms together"
check_eq "a second PATCH while the first waits on a slow BMC: 503 with Retry-After" "503 True" \
    "$second $(grep -qi '^Retry-After: 5' "$H_TMP/b.head" && echo True)"
check_eq "... and hostd answers other requests meanwhile" "200" "$H_STATUS"
check_eq "... while the first PATCH was still at the BMC" "yes" "$first_running"
wait "$a"
check_eq "the first PATCH ends as the BMC answered it" "200" "$(cat "$H_TMP/a.status")"

# ---- no BMC: the SCSI enclosure slot (SES), in-band --------------------------------------
S=$H_TMP/sys
mkdir -p "$S/devices/host0/target0:0:2/0:0:2:0" "$S/block/sdc" "$S/class/enclosure/0:0:32:0/SLOT  3 "
ln -s ../../devices/host0/target0:0:2/0:0:2:0 "$S/block/sdc/device"
ln -s ../../../../devices/host0/target0:0:2/0:0:2:0 "$S/class/enclosure/0:0:32:0/SLOT  3 /device"
echo 3 > "$S/class/enclosure/0:0:32:0/SLOT  3 /slot"
echo 0 > "$S/class/enclosure/0:0:32:0/SLOT  3 /locate"
b_nvme "$H_TMP/nvme.json" "$S"
h_stop
printf 'disk_health_interval: 0\n' > "$H_TMP/hostd.conf"
HOSTD_TEST_SYSFS_ROOT=$S HOSTD_TEST_INVENTORY=$H_TMP/nvme.json h_start --config "$H_TMP/hostd.conf" || fail "hostd starts"
h_req GET "$DRIVE/WFK00ABC"
check_eq "no bmc: the Drive in an enclosure slot has that bay, its LED dark" "3 False" \
    "$(h_json 'd["PhysicalLocation"]["PartLocation"]["LocationOrdinalValue"], d["LocationIndicatorActive"]' <<<"$H_BODY" | tr -d "(),'")"
h_req PATCH "$DRIVE/WFK00ABC" -d '{"LocationIndicatorActive": true}'
check_eq "... a PATCH blinks the slot in-band" "1" "$(cat "$S/class/enclosure/0:0:32:0/SLOT  3 /locate")"
check "... and answers 2xx" test "${H_STATUS:-0}" -ge 200 -a "${H_STATUS:-0}" -lt 300
h_req GET "$DRIVE/WFK00ABC"
check_eq "... which the Drive then shows" "True" "$(h_json 'd["LocationIndicatorActive"]' <<<"$H_BODY")"
h_req PATCH "$DRIVE/WFK02ABC" -d '{"LocationIndicatorActive": true}'
check_eq "a Drive in no slot, no bmc: 400, naming both" "400 True" \
    "$H_STATUS $(h_json '"no SCSI enclosure (SES) or PCIe hot-plug slot holds" in d["error"]["message"]' <<<"$H_BODY")"
# an NVMe drive in a PCIe hot-plug slot (pciehp): the slot's name, its attention indicator
h_req GET "$DRIVE/NVME0000A"
check_eq "no bmc: an NVMe Drive in a PCIe hot-plug slot has the slot's name as its bay, its LED dark" "4 False" \
    "$(h_json 'd["PhysicalLocation"]["PartLocation"]["LocationOrdinalValue"], d["LocationIndicatorActive"]' <<<"$H_BODY" | tr -d "(),'")"
h_req PATCH "$DRIVE/NVME0000A" -d '{"LocationIndicatorActive": true}'
check_eq "... a PATCH blinks the slot's attention indicator (2) in-band" "2" "$(cat "$S/bus/pci/slots/4/attention")"
h_req GET "$DRIVE/NVME0000A"
check_eq "... which the Drive then shows as lit" "True" "$(h_json 'd["LocationIndicatorActive"]' <<<"$H_BODY")"
h_req PATCH "$DRIVE/NVME0000A" -d '{"LocationIndicatorActive": false}'
check_eq "... and false turns it off" "0" "$(cat "$S/bus/pci/slots/4/attention")"
h_stop
tap_done
