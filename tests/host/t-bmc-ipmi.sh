#!/bin/bash
# hostctl bmc over IPMI against OpenIPMI's ipmi_sim (a fake R630 on 127.0.0.1):
# power changes the simulator's recorded state (and nothing is sent when the
# state is already right), boot devices are recorded, SEL and FRU are read,
# and the password never shows in any child's command line.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
H=${HOSTCTL:?HOSTCTL must name the hostctl binary}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v ipmi_sim >/dev/null || [ ! -x /usr/bin/ipmitool ]; then
    skip "IPMI driver against ipmi_sim" "ipmi_sim or ipmitool not installed (Debian: openipmi ipmitool)"; tap_done; exit
fi
T=$(mktemp -d)
PW='hostd-T3st-pw'
trap '"$TOP/tests/bmc/ipmi-sim.sh" stop "$T/sim"; rm -rf "$T"' EXIT
PORT=$("$TOP/tests/bmc/ipmi-sim.sh" start "$T/sim" "$PW") || { fail "ipmi_sim starts"; tap_done; exit; }
export SPY_LOG=$T/spy.log PATH=$TOP/tests/bmc/spy:$PATH
A=ipmi://127.0.0.1:$PORT
bmc() { HOSTD_BMC_PASSWORD=$PW "$H" bmc --address "$A" --user admin "$@"; }
state() { cat "$T/sim/$1"; }
sets() { grep -c " set $1" "$T/sim/calls.log"; }

check_eq "power status of the off simulator" "off" "$(bmc power status)"
out=$(bmc power on); rc=$?
check_eq "power on exits 0" 0 "$rc"
check_eq "power on says what changed" "power on done: was off, now on" "$out"
check_eq "the simulator is on" 1 "$(state power)"
n=$(sets power)
check_eq "power on when on: nothing to do" "already on, nothing to do" "$(bmc power on)"
check_eq "power on when on sends no power command" "$n" "$(sets power)"
out=$(bmc power cycle)
check_eq "power cycle waits until it is on again" "power cycle done (chassis power cycle): was on, now on" "$out"
check_eq "cycle turned it off once then on" "set power 0,set power 1" \
    "$(grep ' set power' "$T/sim/calls.log" | tail -n 2 | cut -d' ' -f2-4 | paste -sd,)"
bmc power reset >/dev/null
check "power reset reaches the simulator" test -s "$T/sim/resets"
out=$(bmc power off); check_eq "power off (forced)" "power off done: was on, now off" "$out"
check_eq "the simulator is off" 0 "$(state power)"
n=$(sets power)
out=$(bmc power off); rc=$?
check_eq "power off when off exits 0 (a Dell refuses it; we do not ask)" "0 already off, nothing to do" "$rc $out"
check_eq "power off when off sends nothing" "$n" "$(sets power)"
bmc power on >/dev/null
out=$(bmc power shutdown); check_eq "graceful shutdown" "power shutdown done: was on, now off" "$out"
check_eq "shutdown was a soft-off request" 1 "$(sets shutdown)"

out=$(bmc boot pxe); check_eq "2. boot pxe keeps the mode the BMC shows (Legacy here)" "boot override pxe (next boot only, Legacy)" "$out"
check_eq "2. ... the EFI bit is not set" "chassis bootdev pxe" "$(tail -n 1 "$SPY_LOG" | grep -o 'chassis bootdev.*efiboot\|chassis bootdev pxe')"
bmc boot pxe --uefi >/dev/null
check_contains "2. --uefi sets it" "chassis bootdev pxe options=efiboot" "$(tail -n 1 "$SPY_LOG")"
check_eq "the simulator records bootdev pxe" pxe "$(state boot)"
bmc boot cd --persistent --legacy >/dev/null
check_eq "boot cd records cdrom" cdrom "$(state boot)"
check_contains "boot options reach ipmitool" "chassis bootdev cdrom options=persistent " "$(tail -n 1 "$SPY_LOG")"

out=$(bmc sel)
check_contains "sel lists the power-off event" "Power Unit #0x03 | Power off/down | Asserted" "$out"
check_eq "sel --json has the 3 entries" 3 "$(bmc sel --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]))')"
inv=$(bmc --json inventory | python3 -c 'import json,sys; i=json.load(sys.stdin)["inventory"]; print(i["manufacturer"], i["model"], i["serial"], i["service_tag"], i["bmc_firmware"])')
check_eq "9. inventory: serial is the board's, service_tag the Dell one (as over Redfish)" "DELL PowerEdge R630 CN7475153B0123 ABC1234 2.41" "$inv"
check_eq "9. sel: an entry from before the clock was set has no time, and its raw value beside" "None Pre-Init" \
    "$(bmc sel --json | python3 -c 'import json,sys; e=json.load(sys.stdin)["entries"][0]; print(e["created"], e["created_raw"].split()[0])')"
bmc identify on >/dev/null; bmc identify off >/dev/null
check_eq "identify on/off reach the chassis" "set identify 0 1,set identify 0 0" \
    "$(grep ' set identify' "$T/sim/calls.log" | cut -d' ' -f2-5 | paste -sd,)"
err=$(bmc vmedia status 2>&1); rc=$?
check_eq "vmedia over IPMI is a clear failure" "1 hostctl bmc: BMC $A: the IPMI driver has no virtual media (use the Redfish address of this BMC)" "$rc $err"
out=$(bmc sel clear); check_eq "sel clear" "event log cleared" "$out"
check_eq "the SEL is empty after clear" 0 "$(bmc sel --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]))')"

# the password: never in argv, never in output
check_eq "no ipmitool command line carries the password" 0 "$(grep -c -- "$PW" "$SPY_LOG")"
check_eq "every ipmitool run took the password from the environment (-E)" \
    "$(wc -l < "$SPY_LOG")" "$(grep -c -- ' -E .*| env=set$' "$SPY_LOG")"
out=$(bmc --json power status 2>&1)
check_contains "--json power status" '"power": "off"' "$out"

# a config file: mode checked, password by file descriptor
mkdir -p "$T/bmc.d"
printf 'address: %s\nuser: admin\npassword: "%s"\nipmi_password_via: file\n' "$A" "$PW" > "$T/bmc.d/r630.yaml"
chmod 644 "$T/bmc.d/r630.yaml"
err=$("$H" bmc --config-dir "$T/bmc.d" --bmc r630 power status 2>&1); rc=$?
check_eq "a config readable by others is refused (exit 3)" 3 "$rc"
check_contains "the refusal says how to fix it" "chmod 600" "$err"
chmod 600 "$T/bmc.d/r630.yaml"
: > "$SPY_LOG"
check_eq "power status through the config file" off "$("$H" bmc --config-dir "$T/bmc.d" --bmc r630 power status)"
check_contains "the file mode hands the password on fd 3" " -f /dev/fd/3 chassis power status  | env=" "$(cat "$SPY_LOG")"
check_eq "... and not in argv" 0 "$(grep -c -- "$PW" "$SPY_LOG")"
cp "$T/bmc.d/r630.yaml" "$T/bmc.d/second.yaml"
out=$("$H" bmc --config-dir "$T/bmc.d" --bmc r630,second power status)
check_eq "two BMCs: one line each, in the order given" "r630: off
second: off" "$out"

err=$(HOSTD_BMC_PASSWORD=wrong-pw-1234 "$H" bmc --address "$A" --user admin power status 2>&1); rc=$?
check_eq "a wrong password fails with exit 1" 1 "$rc"
check_contains "the error names the BMC" "BMC $A: ipmitool chassis failed" "$err"
case $err in *wrong-pw-1234*) fail "the error does not show the password" ;; *) ok "the error does not show the password" ;; esac
check_eq "9. the --json error has no trailing newline" False \
    "$(HOSTD_BMC_PASSWORD=wrong-pw-1234 "$H" bmc --address "$A" --user admin --json power status 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["error"]["message"].endswith("\n"))')"
port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
err=$(HOSTD_BMC_PASSWORD=$PW "$H" bmc --address "ipmi://127.0.0.1:$port" --user admin --timeout 4 power status 2>&1); rc=$?
check_eq "8. nobody answering: ipmitool gives up within --timeout with its own reason" \
    "1 hostctl bmc: BMC ipmi://127.0.0.1:$port: ipmitool chassis failed: Error: Unable to establish IPMI v2 / RMCP+ session" "$rc $err"
tap_done
