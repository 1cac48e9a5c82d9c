#!/bin/bash
# hostctl bmc over Redfish against tests/bmc/redfish_service.py (DMTF mockups
# over HTTPS with a certificate made here): power with a delayed state change
# and a task monitor; a 503 on a GET retried; boot PATCH with If-Match and a
# fresh ETag on the retry after a 412; virtual media under the System and, iDRAC-style,
# under the Manager; inventory; the log; sessions always deleted; and no path
# requested that the service had not linked.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
H=${HOSTCTL:?HOSTCTL must name the hostctl binary}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SVC=$TOP/tests/bmc/redfish-service.sh LOGQ=$TOP/tests/bmc/reqlog.py
command -v openssl >/dev/null || { skip "Redfish driver" "openssl not installed"; tap_done; exit; }
T=$(mktemp -d)
trap 'for s in a b c; do "$SVC" stop "$T/$s"; done; rm -rf "$T"' EXIT
PA=$("$SVC" start "$T/a" --flaky --task --power-delay 0.3) || { fail "service a starts"; tap_done; exit; }
export HOSTD_BMC_PASSWORD=calvin
bmc() { echo >> "$T/a/runs"; "$H" bmc --address "https://127.0.0.1:$PA" --user root --ca-file "$T/a/cert.pem" "$@"; }
resets() { "$LOGQ" "$T/a/requests.log" bodies POST | grep -c ResetType; }

check_eq "power status (the first GET of Systems got a 503 and was retried)" off "$(bmc power status)"
check_contains "... the 503 was seen" "GET /redfish/v1/Systems 503" "$("$LOGQ" "$T/a/requests.log" lines)"
out=$(bmc power on); rc=$?
check_eq "power on waits for the delayed change" "0 power on done: was off, now on" "$rc $out"
check_eq "the reset was sent once" "POST /redfish/v1/Systems/437XR1138R2/Actions/ComputerSystem.Reset 202" \
    "$("$LOGQ" "$T/a/requests.log" lines | grep ComputerSystem.Reset)"
check_contains "the 202 was followed through its task monitor" "GET /redfish/v1/TaskService/TaskMonitors/" "$("$LOGQ" "$T/a/requests.log" lines)"
n=$(resets)
check_eq "power on when on: nothing to do" "already on, nothing to do" "$(bmc power on)"
check_eq "... and no Reset was sent (an iDRAC answers 409)" "$n" "$(resets)"
check_eq "power cycle says how" "power cycle done (ForceRestart): was on, now on" "$(bmc power cycle)"
check_eq "cycle uses an allowed ResetType (no PowerCycle here)" '{"ResetType": "ForceRestart"}' \
    "$("$LOGQ" "$T/a/requests.log" bodies POST | grep ResetType | tail -n 1)"
check_eq "power off" "power off done: was on, now off" "$(bmc power off)"
check_eq "power shutdown when off sends nothing" "already off, nothing to do" "$(bmc power shutdown)"

out=$(bmc boot pxe); check_eq "boot pxe" "boot override pxe (next boot only, UEFI)" "$out"
check_eq "the PATCH body (the mode left as the system has it)" '{"Boot": {"BootSourceOverrideEnabled": "Once", "BootSourceOverrideTarget": "Pxe"}}' \
    "$("$LOGQ" "$T/a/requests.log" bodies PATCH | tail -n 1)"
check_eq "If-Match sent; after the 412 the retry carried the fresh ETag" 'W/"1" 412
W/"2" 200' "$("$LOGQ" "$T/a/requests.log" patches)"
bmc boot hdd --persistent --legacy >/dev/null
check_contains "persistent legacy boot" '"BootSourceOverrideEnabled": "Continuous", "BootSourceOverrideMode": "Legacy", "BootSourceOverrideTarget": "Hdd"' \
    "$("$LOGQ" "$T/a/requests.log" bodies PATCH | tail -n 1)"

IMGA=http://127.0.0.1:$(cat "$T/a/ports.images")
out=$(bmc vmedia insert "$IMGA/debian.iso")
check_eq "vmedia insert (PATCH: this mockup has no InsertMedia action)" "virtual media CD1: $IMGA/debian.iso" "$out"
check_eq "vmedia status" "virtual media CD1: $IMGA/debian.iso" "$(bmc vmedia status)"
check_eq "vmedia eject" "virtual media CD1: empty" "$(bmc vmedia eject)"
check_eq "every PATCH carried If-Match" 0 "$("$LOGQ" "$T/a/requests.log" patches | grep -c '^None')"

inv=$(bmc --json inventory | python3 -c 'import json,sys; i=json.load(sys.stdin)["inventory"]; print(i["manufacturer"], i["model"], i["serial"], i["bios_version"], i["cpu_count"], i["memory_bytes"], len(i["nics"]), i["nics"][0]["mac"], len(i["drives"]))')
check_eq "inventory" "Contoso 3500 437XR1138R2 P79 v1.45 (12/06/2017) 2 103079215104 4 12:44:6A:3B:04:11 2" "$inv"
check_eq "9. inventory: serial (the board's) and service_tag (SKU), the words IPMI uses too" "437XR1138R2 8675309" \
    "$(bmc --json inventory | python3 -c 'import json,sys; i=json.load(sys.stdin)["inventory"]; print(i["serial"], i["service_tag"])')"
check_eq "9. sel times in ISO 8601" "2012-03-07T14:44:00Z" \
    "$(bmc --json sel | python3 -c 'import json,sys; print(json.load(sys.stdin)["entries"][0]["created"])')"
check_eq "sel reads the system log" 2 "$(bmc sel --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]))')"
check_eq "sel clear" "event log cleared" "$(bmc sel clear)"
check_eq "the log is empty after clear" "0 event log entries" "$(bmc sel | head -c0; bmc --json sel | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]), "event log entries")')"
bmc identify on >/dev/null
check_eq "identify on" '{"IndicatorLED": "Lit"}' "$("$LOGQ" "$T/a/requests.log" bodies PATCH | tail -n 1)"
check_eq "one session per run, every one deleted" "created $(wc -l < "$T/a/runs") deleted $(wc -l < "$T/a/runs")" "$("$LOGQ" "$T/a/requests.log" sessions)"
check_eq "no path requested that the service did not link" "" "$("$LOGQ" "$T/a/requests.log" unlinked)"
check_eq "no Basic auth used in session mode" 0 "$(grep -c '"basic": true' "$T/a/requests.log")"

# iDRAC 8 layout: another system id, virtual media under the Manager with actions
PB=$("$SVC" start "$T/b" --idrac --power On) || fail "service b starts"
bmcb() { "$H" bmc --address "https://127.0.0.1:$PB" --user root --ca-file "$T/b/cert.pem" "$@"; }
check_eq "iDRAC layout: power status" on "$(bmcb power status)"
IMGB=http://127.0.0.1:$(cat "$T/b/ports.images")
check_eq "iDRAC layout: vmedia insert" "virtual media CD1: $IMGB/r630.iso" "$(bmcb vmedia insert "$IMGB/r630.iso")"
check_eq "... through the InsertMedia action under the Manager" \
    "POST /redfish/v1/Managers/BMC/VirtualMedia/CD1/Actions/VirtualMedia.InsertMedia 204" \
    "$("$LOGQ" "$T/b/requests.log" lines | grep InsertMedia)"
check_eq "iDRAC layout: eject by action" "virtual media CD1: empty" "$(bmcb vmedia eject)"
check_eq "iDRAC layout: nothing unlinked requested" "" "$("$LOGQ" "$T/b/requests.log" unlinked)"

# Basic auth from a config file; Storage with Drives
PC=$("$SVC" start "$T/c" --root "$TOP/tests/fixtures/redfish/public-localstorage" --power-delay 3) || fail "service c starts"
mkdir -p "$T/bmc.d"
printf 'address: https://127.0.0.1:%s\nuser: root\npassword: "calvin"\nca_file: %s\nauth: basic\n' "$PC" "$T/c/cert.pem" > "$T/bmc.d/ls.yaml"
chmod 600 "$T/bmc.d/ls.yaml"
drives=$(HOSTD_BMC_PASSWORD= "$H" bmc --config-dir "$T/bmc.d" --bmc ls --json inventory | python3 -c 'import json,sys; i=json.load(sys.stdin)["inventory"]; print(i["storage_controllers"][0]["model"], sorted(d["serial"] for d in i["drives"]))')
check_eq "Storage: controller and drives with serials" "12Gbs Integrated RAID ['1234567', '1234568', '1234569', '1234570']" "$drives"
check_eq "Basic auth: no session created" "created 0 deleted 0" "$("$LOGQ" "$T/c/requests.log" sessions)"
out=$("$H" bmc --address "https://127.0.0.1:$PC" --user root --ca-file "$T/c/cert.pem" --json power status 2>&1)
case $out in *calvin*) fail "--json output never shows the password" ;; *) ok "--json output never shows the password" ;; esac
err=$("$H" bmc --address "https://127.0.0.1:$PC" --user root --ca-file "$T/c/cert.pem" --wait 1 power on 2>&1); rc=$?
check_eq "a power change slower than --wait fails clearly" \
    "1 hostctl bmc: BMC https://127.0.0.1:$PC: power on sent, but the power is still off after 1 s" "$rc $err"
check_eq "sessions deleted after a failing call too" "created 2 deleted 2" "$("$LOGQ" "$T/c/requests.log" sessions)"
tap_done
