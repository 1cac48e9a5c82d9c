#!/bin/bash
# The PERC through the iDRAC: `hostctl bmc storage` shows the controller's
# mode and each drive's bay, serial and RAID status; `storage non-raid`
# turns Ready drives into non-RAID disks with Dell's DellRaidService and
# waits for the iDRAC's job, refuses a drive that is in a virtual disk
# before anything is sent, and says so when the job fails or stays
# Scheduled (a controller that applies it only at the next restart). The
# BMC is the test Redfish service as iDRAC 8 shows an R630's PERC H730.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
H=${HOSTCTL:?HOSTCTL must name the hostctl binary}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
command -v openssl >/dev/null || { skip "the PERC through the iDRAC" "openssl not installed"; tap_done; exit; }
. "$(dirname "$0")/bay-lib.sh"
trap b_cleanup EXIT
T=$B_TMP
py() { python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
bmc() { "$H" bmc --bmc "$@"; }

b_start raid --drives storage --perc-mode raid || { tap_done; exit; }
b_start hba --drives storage --perc-mode hba
b_start fails --drives storage --job fail
b_start stuck --drives storage --job stuck
b_start ipmi-less --drives storage   # (its config is turned into an IPMI one below)

# ---- show ------------------------------------------------------------------------
out=$(bmc raid storage); rc=$?
check_eq "storage: exit 0" 0 "$rc"
check_contains "the controller and its mode" "RAID.Integrated.1-1  PERC H730 Mini  mode RAID" "$out"
check_contains "a drive in a virtual disk: bay, serial, Online" "0    PHYG0000480BGN       Online" "$out"
check_contains "a Ready drive (its serial as the BMC pads it, trimmed)" "4    WFK03ABC             Ready" "$out"
json=$(bmc raid storage --json)
check_eq "--json: the controller's mode and its 8 drives" "RAID 8" \
    "$(py 'c=d["controllers"][0]; print(c["mode"], len(c["drives"]))' <<<"$json")"
check_eq "--json: a drive's id, bay, serial and RAID status" \
    "Disk.Bay.7:Enclosure.Internal.0-1:RAID.Integrated.1-1 7 WFK00ABC Ready" \
    "$(py 'x=d["controllers"][0]["drives"][7]; print(x["id"], x["bay"], x["serial"], x["raid_status"])' <<<"$json")"
check_contains "HBA mode: the mode and NonRAID drives" "mode HBA" "$(bmc hba storage)"

# ---- non-raid ----------------------------------------------------------------------
out=$(bmc raid storage non-raid WFK00ABC 6 2>"$T/progress"); rc=$?
check_eq "non-raid by serial and by bay: exit 0" "0 2 drive(s) now non-RAID (job JID_0000000001 Completed)" "$rc $out"
check_contains "... the job's states on stderr as it went" "job JID_0000000001: Running: Job in progress." "$(cat "$T/progress")"
check_eq "... one ConvertToNonRAID with the two drives' ids, and the job followed by its Location" \
    'POST /redfish/v1/Systems/System.Embedded.1/Oem/Dell/DellRaidService/Actions/DellRaidService.ConvertToNonRAID 202 {"PDArray": ["Disk.Bay.7:Enclosure.Internal.0-1:RAID.Integrated.1-1", "Disk.Bay.6:Enclosure.Internal.0-1:RAID.Integrated.1-1"]}' \
    "$(b_log raid | grep ConvertToNonRAID) $("$LOGQ" "$T/raid/requests.log" bodies POST | tail -n 1)"
check_eq "... the drives are NonRAID now" "NonRAID NonRAID Ready" \
    "$(bmc raid storage --json | py 'v=d["controllers"][0]["drives"]; print(v[7]["raid_status"], v[6]["raid_status"], v[5]["raid_status"])')"
out=$(bmc raid storage non-raid WFK00ABC --json); rc=$?
check_eq "again: nothing to do, nothing sent" "0 [] ['Disk.Bay.7:Enclosure.Internal.0-1:RAID.Integrated.1-1'] 1" \
    "$rc $(py 'print(d["converted"], d["already_non_raid"])' <<<"$out") $(b_log raid | grep -c ConvertToNonRAID)"
out=$(bmc raid storage non-raid PHYG0000480BGN 2>&1); rc=$?
check_eq "a drive in a virtual disk: refused for safety (exit 3)" 3 "$rc"
check_contains "... saying why" "drive PHYG0000480BGN (bay 0) is Online, not Ready" "$out"
check_eq "... and nothing was sent" 1 "$(b_log raid | grep -c ConvertToNonRAID)"
out=$(bmc raid storage non-raid NOSUCH 2>&1); rc=$?
check_eq "an unknown drive: exit 1, named" "1 True" "$rc $(grep -q "no drive 'NOSUCH'" <<<"$out" && echo True)"
out=$(bmc fails storage non-raid 5 2>&1); rc=$?
check_eq "a job that fails: exit 1" 1 "$rc"
check_contains "... with the iDRAC's reason" "Failed: Unable to convert the physical disk(s) to non-RAID." "$out"
check_eq "... and the drive is as it was" "Ready" \
    "$(bmc fails storage --json | py 'print(d["controllers"][0]["drives"][2]["raid_status"])')"
out=$("$H" bmc --bmc stuck --wait 2 storage non-raid 5 2>&1); rc=$?
check_eq "a job that stays Scheduled: exit 1 after --wait" 1 "$rc"
check_contains "... saying the controller applies it at the next restart" "applies it at the server's next restart" "$out"
check_eq "no path asked that the service had not linked, but DellRaidService's, which the iDRAC links nowhere" "" \
    "$(cat "$T"/{raid,fails,stuck}/requests.log > "$T/all.log"; "$LOGQ" "$T/all.log" unlinked | grep -v DellRaidService)"

# ---- a BMC without the service --------------------------------------------------------
port=$(sed -n 's|address: https://127.0.0.1:||p' "$HOSTD_BMC_CONFIG_DIR/ipmi-less.yaml")
printf 'address: ipmi://127.0.0.1:%s\nuser: root\npassword: calvin\n' "$port" > "$HOSTD_BMC_CONFIG_DIR/ipmi-less.yaml"
out=$(bmc ipmi-less storage --json); rc=$?
check_eq "IPMI: exit 1, one JSON document saying to use the Redfish address" "1 True" \
    "$rc $(py 'print("Redfish address" in d["error"]["message"])' <<<"$out")"
out=$(bmc raid storage frobnicate 2>&1); rc=$?
check_eq "a wrong word: usage error" "2 True" "$rc $(grep -q 'storage takes show' <<<"$out" && echo True)"
tap_done
