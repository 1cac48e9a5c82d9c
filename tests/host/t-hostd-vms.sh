#!/bin/bash
# VMs as Redfish Systems: hostd on TLS with `hypervisor: {uri: test:///default}`
# (libvirt's in-process test driver, so hostd's own connection is the one to
# look at through GET). The test driver's VM "test" is a System with
# SystemType Virtual; `hostctl bmc --system UUID power off|on` drives it;
# Reset, Boot (ETag) and VirtualMedia map to the domain; events appear.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostd-lib.sh"
HOSTCTL=${HOSTCTL:?HOSTCTL must name the hostctl binary}

port=$(h_free_port)
h_tls_files admin 's3cret'
cat > "$H_TMP/hostd.conf" <<EOC
listen: "127.0.0.1:$port"
tls_cert: $H_TMP/cert.pem
tls_key: $H_TMP/key.pem
users_file: $H_TMP/users
hypervisor: {uri: "test:///default"}
EOC
h_start --config "$H_TMP/hostd.conf" || { fail "hostd starts with hypervisor: test:///default"; tap_done; exit 1; }
ok "hostd starts with hypervisor: test:///default"
S=https://127.0.0.1:$port/redfish/v1/Systems
req() {  # req METHOD URL [curl args]: body in $B, status in $ST
    local m=$1 u=$2; shift 2
    ST=$(curl -s --cacert "$H_TMP/cert.pem" -u admin:s3cret -o "$H_TMP/b" -D "$H_TMP/h" -w '%{http_code}' \
        -H 'Content-Type: application/json' -X "$m" "$@" "$u")
    B=$(cat "$H_TMP/b")
}
field() { printf '%s' "$B" | h_json "$1"; }

req GET "$S"
members=$(field '" ".join(m["@odata.id"] for m in d["Members"])')
check_contains "Systems still lists the host" "/redfish/v1/Systems/host" "$members"
uuid=6695eb01-f6a4-8304-79aa-97f2502e193f   # the test driver's VM "test"
check_contains "Systems lists the test driver's VM by its UUID" "/redfish/v1/Systems/$uuid" "$members"
V=$S/$uuid
req GET "$V"
check_eq "the VM's System: 200" 200 "$ST"
check_eq "SystemType Virtual, named after the domain, running" "Virtual test On" \
    "$(field 'd["SystemType"], d["Name"], d["PowerState"]' | tr -d "(),'")"
check_eq "Reset offers On, ForceOff, GracefulShutdown, ForceRestart" "True" \
    "$(field 'set(["On","ForceOff","GracefulShutdown","ForceRestart"]) <= set(d["Actions"]["#ComputerSystem.Reset"]["ResetType@Redfish.AllowableValues"])')"
req GET "$S/host"
check_eq "Systems/host is still the physical host" "Physical" "$(field 'd["SystemType"]')"
req GET "$S/00000000-0000-0000-0000-000000000000"
check_eq "an unknown UUID: 404" 404 "$ST"

# hostctl bmc against hostd: there are two Systems, so --system picks the VM
export HOSTD_BMC_PASSWORD=s3cret
bmc() { "$HOSTCTL" bmc --address "https://127.0.0.1:$port" --user admin --ca-file "$H_TMP/cert.pem" \
            --wait 10 "$@" 2>&1; }
check_eq "hostctl bmc --system UUID power status: on" "on" "$(bmc --system "$uuid" power status)"
out=$(bmc --system "$uuid" power off); rc=$?
check_eq "hostctl bmc power off succeeds" 0 "$rc"
req GET "$V"
check_eq "after power off the domain is off (GET through hostd's connection)" "Off" "$(field 'd["PowerState"]')"
check_eq "--system UUID power status now: off" "off" "$(bmc --system "$uuid" power status)"
check_eq "without --system the first System (host) answers: on" "on" "$(bmc power status)"
out=$(bmc --system "$uuid" power on); rc=$?
check_eq "hostctl bmc power on succeeds" 0 "$rc"
req GET "$V"
check_eq "after power on the domain runs" "On" "$(field 'd["PowerState"]')"
out=$(bmc --system no-such-system power status); rc=$?
check_contains "--system naming no System fails and says so" "no member 'no-such-system'" "$out"

# Reset through the API
req POST "$V/Actions/ComputerSystem.Reset" -H 'Content-Type: application/json' -d '{"ResetType":"Explode"}'
check_eq "Reset with a bad ResetType: 400" 400 "$ST"
check_eq "with a Redfish error naming the value" "Base.1.16.ActionParameterValueNotInList True" \
    "$(field 'd["error"]["code"], "Explode" in d["error"]["message"]' | tr -d "(),'")"
req POST "$V/Actions/ComputerSystem.Reset" -d '{"ResetType":"ForceOff"}'
check_eq "Reset ForceOff: 204" 204 "$ST"
req GET "$V"; check_eq "ForceOff: Off" "Off" "$(field 'd["PowerState"]')"
req POST "$V/Actions/ComputerSystem.Reset" -d '{"ResetType":"ForceRestart"}'
check_eq "ForceRestart of a VM that is off: 409" 409 "$ST"
req POST "$V/Actions/ComputerSystem.Reset" -d '{"ResetType":"On"}'
req GET "$V"; check_eq "Reset On: On" "On" "$(field 'd["PowerState"]')"
req POST "$V/Actions/ComputerSystem.Reset" -d '{"ResetType":"GracefulShutdown"}'
req GET "$V"; check_eq "GracefulShutdown: Off (the test driver stops at once)" "Off" "$(field 'd["PowerState"]')"
req POST "$V/Actions/ComputerSystem.Reset" -d '{"ResetType":"On"}'

# Boot: PATCH with If-Match
req GET "$V"
etag=$(grep -i '^etag:' "$H_TMP/h" | cut -d' ' -f2- | tr -d '\r')
check_eq "GET gives an ETag and no boot override (hd first)" "None Disabled" \
    "$(field 'd["Boot"]["BootSourceOverrideTarget"], d["Boot"]["BootSourceOverrideEnabled"]' | tr -d "(),'")"
check "the System has an ETag header" test -n "$etag"
req PATCH "$V" -H "If-Match: $etag" -d '{"Boot":{"BootSourceOverrideTarget":"Pxe","BootSourceOverrideEnabled":"Continuous"}}'
check_eq "PATCH Boot Pxe with the current ETag: 204" 204 "$ST"
req GET "$V"
check_eq "GET shows Pxe, Continuous" "Pxe Continuous" \
    "$(field 'd["Boot"]["BootSourceOverrideTarget"], d["Boot"]["BootSourceOverrideEnabled"]' | tr -d "(),'")"
req PATCH "$V" -H "If-Match: $etag" -d '{"Boot":{"BootSourceOverrideTarget":"Cd"}}'
check_eq "PATCH with the stale ETag: 412" 412 "$ST"
check_eq "with a Redfish error" "Base.1.16.PreconditionFailed" "$(field 'd["error"]["code"]')"
req PATCH "$V" -d '{"Boot":{"BootSourceOverrideTarget":"Floppy"}}'
check_eq "PATCH Boot with a target Redfish has but a VM lacks: 400" 400 "$ST"
req PATCH "$V" -d '{"Boot":{"BootSourceOverrideTarget":"Pxe","BootSourceOverrideEnabled":"Once"}}'
check_eq "PATCH Once (a boot order has no 'once'): 400" 400 "$ST"
req GET "$V"; check_eq "the refused PATCHes left Pxe" "Pxe" "$(field 'd["Boot"]["BootSourceOverrideTarget"]')"

# VirtualMedia
req GET "$V/VirtualMedia"
check_eq "VirtualMedia lists the CD" "/redfish/v1/Systems/$uuid/VirtualMedia/CD" "$(field 'd["Members"][0]["@odata.id"]')"
iso=$H_TMP/install.iso; head -c 4096 /dev/zero > "$iso"
req GET "$V/VirtualMedia/CD"
check_eq "the CD is empty" "False" "$(field 'd["Inserted"]')"
req POST "$V/VirtualMedia/CD/Actions/VirtualMedia.InsertMedia" -d "{\"Image\":\"file://$iso\",\"Inserted\":true}"
check_eq "InsertMedia an ISO: 204" 204 "$ST"
req GET "$V/VirtualMedia/CD"
check_eq "the CD holds the ISO" "True $iso" "$(field 'd["Inserted"], d["Image"]' | tr -d "(),'")"
req POST "$V/VirtualMedia/CD/Actions/VirtualMedia.InsertMedia" -d '{"Image":"/nonexistent/x.iso"}'
check_eq "InsertMedia of a missing file: 400" 400 "$ST"
req POST "$V/VirtualMedia/CD/Actions/VirtualMedia.EjectMedia" -d '{}'
check_eq "EjectMedia: 204" 204 "$ST"
req GET "$V/VirtualMedia/CD"
check_eq "the CD is empty again" "False None" "$(field 'd["Inserted"], d["Image"]' | tr -d "(),'")"

# events from libvirt's event loop
for i in $(seq 30); do
    req GET "https://127.0.0.1:$port/redfish/v1/EventService/Oem/Hostd/Events"
    case $B in *VmStarted*VmStopped*|*VmStopped*VmStarted*) break ;; esac
    sleep 0.1
done
check_contains "a VM stop is a hostd event" "VmStopped" "$B"
check_contains "a VM start is a hostd event" "VmStarted" "$B"
check_contains "naming the VM's System" "/redfish/v1/Systems/$uuid" "$B"

check "hostd stops cleanly" h_stop
tap_done
