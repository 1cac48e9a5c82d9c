#!/bin/bash
# hostctl bmc against the awkward Redfish services real BMCs are (modes of
# tests/bmc/redfish_service.py): log pages linked by Members@odata.nextLink or
# looping, a Legacy-BIOS system, a short ResetType list, virtual media that
# keeps its image or fails, actions that act and then answer 500, no Sessions
# link, a session POST answering 204, and a stalled answer.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
H=${HOSTCTL:?HOSTCTL must name the hostctl binary}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SVC=$TOP/tests/bmc/redfish-service.sh LOGQ=$TOP/tests/bmc/reqlog.py
command -v openssl >/dev/null || { skip "awkward Redfish services" "openssl not installed"; tap_done; exit; }
T=$(mktemp -d)
SERVICES="members repeat legacy graceful offon sticky plain actfail nosess s204 stall"
trap 'for s in $SERVICES; do "$SVC" stop "$T/$s"; done; rm -rf "$T"' EXIT
mkdir -p "$T/certs"
"$SVC" start "$T/certs" >/dev/null && "$SVC" stop "$T/certs"      # one certificate for all
start() { local s=$1; shift; mkdir -p "$T/$s"; cp "$T/certs/"*.pem "$T/certs/"*.key "$T/$s/"
          "$SVC" start "$T/$s" "$@" >/dev/null || fail "service $s starts"; }
export HOSTD_BMC_PASSWORD=calvin
# bmc NAME ARGS...: hostctl bmc against service NAME (stdout; stderr to $T/err)
bmc() { local s=$1; shift; "$H" bmc --address "https://127.0.0.1:$(cat "$T/$s/ports")" --user root \
            --ca-file "$T/certs/cert.pem" "$@" 2>"$T/err"; }
lines() { "$LOGQ" "$T/$1/requests.log" lines; }
count() { lines "$1" | grep -c -- "$2"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# 1. SEL paging
start members --paging members; start repeat --paging repeat
check_eq "1. log pages linked by Members@odata.nextLink: all 3 entries, not cut" "3 False" \
    "$(bmc members --json sel | json 'len(d["entries"]), d.get("truncated")')"
check_eq "1. a next page that repeats a page: the 2 entries once, and the list is said to be cut" "2 True" \
    "$(bmc repeat --json sel | json 'len(d["entries"]), d.get("truncated")')"
check_contains "... the text says so too" "the list is cut" "$(bmc repeat sel)"

# 2. boot mode
start legacy --legacy-boot
check_eq "2. boot pxe --once on a Legacy-BIOS system reports Legacy" "boot override pxe (next boot only, Legacy)" \
    "$(bmc legacy boot pxe --once)"
check_eq "2. ... and the PATCH leaves BootSourceOverrideMode alone" \
    '{"Boot": {"BootSourceOverrideEnabled": "Once", "BootSourceOverrideTarget": "Pxe"}}' \
    "$("$LOGQ" "$T/legacy/requests.log" bodies PATCH | tail -n 1)"
check_eq "2. --uefi switches it, on request only" "boot override pxe (next boot only, UEFI)" "$(bmc legacy boot pxe --uefi)"
check_contains "... in the PATCH" '"BootSourceOverrideMode": "UEFI"' "$("$LOGQ" "$T/legacy/requests.log" bodies PATCH | tail -n 1)"

# 3. virtual media read back
start sticky --vmedia sticky; start plain
IMG=http://127.0.0.1:$(cat "$T/sticky/ports.images")
check_eq "3. insert into the empty drive" "virtual media CD1: $IMG/one.iso" "$(bmc sticky vmedia insert "$IMG/one.iso")"
out=$(bmc sticky vmedia insert "$IMG/two.iso"); rc=$?
check_eq "3. an insert the BMC did not do fails" 1 "$rc"
check_contains "... saying what the BMC shows" "the BMC shows $IMG/one.iso" "$(cat "$T/err")"
out=$(bmc sticky --json vmedia eject); rc=$?
check_eq "3. an eject the BMC did not do fails, in one JSON document" "1 True" \
    "$rc $(printf '%s' "$out" | json '"still inserted" in d["error"]["message"]')"
IMGP=http://127.0.0.1:$(cat "$T/plain/ports.images")
bmc plain vmedia insert "$IMGP/one.iso" >/dev/null
ejects=$("$LOGQ" "$T/plain/requests.log" bodies PATCH | grep -c '"Inserted": false')
out=$(bmc plain vmedia insert "$IMGP/missing.iso.gone"); rc=$?
check_eq "3. replacing with an image URL that does not answer fails" 1 "$rc"
check_contains "... naming the answer" "$IMGP/missing.iso.gone: HTTP 404" "$(cat "$T/err")"
check_eq "... and the old image is still in" "virtual media CD1: $IMGP/one.iso" "$(bmc plain vmedia status)"
check_eq "... nothing was ejected" "$ejects" "$("$LOGQ" "$T/plain/requests.log" bodies PATCH | grep -c '"Inserted": false')"

# 5. Basic auth on --address
start nosess --no-sessions; start s204 --session-204
check_eq "5. a service without Links.Sessions: Basic auth (auto)" off "$(bmc nosess power status)"
check_eq "... every request after the root carried Basic" "0" \
    "$(grep -v '"path": "/redfish/v1"' "$T/nosess/requests.log" | grep -c '"basic": false')"
out=$(bmc nosess --auth session power status); rc=$?
check_eq "5. --auth session there fails" 1 "$rc"
check_contains "... and says why" "no Links.Sessions" "$(cat "$T/err")"
check_eq "5. a session POST answering 204: falls back to Basic" off "$(bmc s204 power status)"
logins=$(count plain 'POST /redfish/v1/SessionService/Sessions')
check_eq "5. --auth basic: no session POST at all" "off $logins" \
    "$(bmc plain --auth basic power status) $(count plain 'POST /redfish/v1/SessionService/Sessions')"

# 6. no second Reset / InsertMedia after a 5xx
start actfail --idrac --act-then-fail
IMGA=http://127.0.0.1:$(cat "$T/actfail/ports.images")
out=$(bmc actfail vmedia insert "$IMGA/one.iso"); rc=$?
check_eq "6. InsertMedia answered 500 after acting: verified by reading, exit 0" "0 virtual media CD1: $IMGA/one.iso" "$rc $out"
check_eq "... and sent once" 1 "$(count actfail 'InsertMedia')"
out=$(bmc actfail power on); rc=$?
check_eq "6. a Reset answered 500 after acting: the power is read, exit 0" 0 "$rc"
check_eq "... and the Reset was sent once" 1 "$(count actfail 'ComputerSystem.Reset')"

# 7. power cycle without ForceRestart
start graceful --power On --reset-types On,ForceOff,GracefulShutdown,GracefulRestart
start offon --power On --reset-types On,ForceOff
out=$(bmc graceful power cycle); rc=$?
check_eq "7. cycle with GracefulRestart only" "0 power cycle done (GracefulRestart): was on, now on" "$rc $out"
out=$(bmc offon power cycle); rc=$?
check_eq "7. cycle with ForceOff and On only" "0 power cycle done (ForceOff, then On): was on, now on" "$rc $out"
check_eq "... in that order" '{"ResetType": "ForceOff"}
{"ResetType": "On"}' "$("$LOGQ" "$T/offon/requests.log" bodies POST | grep ResetType)"

# 8. --timeout bounds the whole command
start stall --stall 60
out=$(bmc stall --timeout 2 power status); rc=$?
check_eq "8. a stalled BMC: exit 1" 1 "$rc"
check_contains "... the error names the command's time limit" "--timeout 2" "$(cat "$T/err")"
check_eq "... and the stalled GET was not sent again past it" 1 "$(grep -c '"status": "stalled"' "$T/stall/requests.log")"
tap_done
