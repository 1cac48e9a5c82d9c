#!/bin/bash
# Dell's Redfish clients against hostd over TCP + TLS: Ansible's
# dellemc.openmanage redfish_storage_volume logs in at /redfish/v1/Sessions,
# creates a RAID 1 and a RAID 5 with Dell's payload (VolumeType, top-level
# Drives linked under Storage/Drives), reads them back through
# Storage/Volumes/<id>/Settings (a second run changes nothing) and deletes
# them through Storage/Volumes/<id>; redfish_powerstate reads Systems/host.
# The host has no md driver and no disks to spare: hostd reads the disks of
# an inventory fixture (HOSTD_TEST_INVENTORY), md arrays from a copy of sysfs
# with a stand-in mdadm (HOSTD_TEST_SYSFS_ROOT, as t-hostd-health.sh), and its
# tasks run dry (HOSTD_TEST_DRY_RUN): they plan and look, write nothing. What
# mdadm would have made, the test then writes into that sysfs.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostd-lib.sh"
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/dell-lib.sh"

if why=$(dell_missing); then
    skip "dellemc.openmanage against hostd" "$why"
    tap_done; exit 0
fi

. "$(dirname "$0")/md-lib.sh"

# the fixture's R630: 2 SSDs, 6 HDDs, sde carrying an ext4 filesystem
INV=$H_TMP/inventory.json
cp "$TOP/tests/fixtures/inventory/r630-dirty-fs.json" "$INV"
serial() { h_json "[x['serial'] for x in d['disks'] if x['name'] == '$1'][0]" <"$INV"; }
SA=$(serial sda) SB=$(serial sdb) SC=$(serial sdc) SD=$(serial sdd) SE=$(serial sde) SF=$(serial sdf)

port=$(h_free_port)
h_tls_files admin pw
h_tls_conf "$port"
start() {
    HOSTD_TEST_SYSFS_ROOT=$SYS HOSTD_TEST_INVENTORY=$INV HOSTD_TEST_DRY_RUN=1 PATH=$BIN:$PATH \
        h_start --config "$H_TMP/hostd.conf" || { fail "hostd starts"; tap_done; exit 1; }
}
start
check_contains "hostd says its disks and tasks are the test's" "HOSTD_TEST_DRY_RUN" "$(cat "$H_TMP/hostd.log")"

DELL_URL=https://localhost:$port DELL_CA=$H_TMP/cert.pem
TLS=(--cacert "$DELL_CA")
URL=$DELL_URL

# ---- sessions at Dell's path -------------------------------------------------
st=$(curl -s "${TLS[@]}" -o "$H_TMP/body" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data '{"UserName": "admin", "Password": "wrong"}' "$URL/redfish/v1/Sessions")
check_eq "POST /redfish/v1/Sessions with a wrong password: 401" 401 "$st"
check_contains "... with a Redfish error body" '"@Message.ExtendedInfo"' "$(cat "$H_TMP/body")"
st=$(curl -s "${TLS[@]}" -D "$H_TMP/headers" -o "$H_TMP/body" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data '{"UserName": "admin", "Password": "pw"}' "$URL/redfish/v1/Sessions")
token=$(tr -d '\r' <"$H_TMP/headers" | sed -n 's/^X-Auth-Token: //Ip')
sid=$(h_json 'd["Id"]' <"$H_TMP/body")
check_eq "POST /redfish/v1/Sessions logs in: 201 and a token" "201 yes" "$st $([ -n "$token" ] && echo yes)"
st=$(curl -s "${TLS[@]}" -o /dev/null -w '%{http_code}' -H "X-Auth-Token: $token" "$URL/redfish/v1/Sessions/$sid")
check_eq "GET /redfish/v1/Sessions/<id> with the token" 200 "$st"
st=$(curl -s "${TLS[@]}" -o /dev/null -w '%{http_code}' -X DELETE -H "X-Auth-Token: $token" "$URL/redfish/v1/Sessions/$sid")
check_eq "DELETE /redfish/v1/Sessions/<id> logs out" 204 "$st"
st=$(curl -s "${TLS[@]}" -o /dev/null -w '%{http_code}' -H "X-Auth-Token: $token" "$URL/redfish/v1/Systems")
check_eq "... and the token is dead" 401 "$st"

# ---- the module ----------------------------------------------------------------
r=$(mod redfish_storage_volume "$(volume os Mirrored "$SA" "$SB")" --check)
check_eq "check mode: a RAID 1 that is not there is a change" "True Changes found to be applied." \
    "$(res "$r" '"%s %s" % (r.get("changed"), r.get("msg"))')"

r=$(mod redfish_storage_volume "$(volume os Mirrored "$SA" "$SB")")
check_eq "RAID 1 (Mirrored) of sda and sdb by serial: the create task is submitted" \
    "True Successfully submitted create volume task." "$(res "$r" '"%s %s" % (r.get("changed"), r.get("msg"))')"
task=$(res "$r" 'r["task"]["uri"]')
check_contains "... and its task is one of hostd's" "/redfish/v1/TaskService/Tasks/" "$task"
wait_task "$task"
check_eq "... which completes" Completed "$T_STATE"
check_contains "... having made (dry) a RAID 1 of both drives" "create /dev/md/os: raid1 of 2 members" "$H_BODY"
check_contains "... and saying that it ran dry" "dry run, nothing was written" "$H_BODY"

r=$(mod redfish_storage_volume "$(volume data StripedWithParity "$SC" "$SD" "$SE")")
check_eq "RAID 5 over sde, which holds ext4: refused by the planner" "True" "$(res "$r" 'r.get("failed")')"
check_contains "... with the planner's reason" "sde" "$(res "$r" 'json.dumps(r.get("error_info"))')"
check_contains "... saying how to go on" "wipe" "$(res "$r" 'json.dumps(r.get("error_info"))')"
args=$(python3 -c 'import json,sys; a=json.loads(sys.argv[1]); a["oem"]={"Oem": {"Hostd": {"WipeDrives": [
{"@odata.id": "/redfish/v1/Systems/host/Storage/Drives/" + sys.argv[2]}]}}}; print(json.dumps(a))' \
    "$(volume data StripedWithParity "$SC" "$SD" "$SE")" "$SE")
r=$(mod redfish_storage_volume "$args")
check_eq "RAID 5 (StripedWithParity) naming sde for wiping (oem): submitted" "True" "$(res "$r" 'r.get("changed")')"
task=$(res "$r" '(r.get("task") or {}).get("uri")')
wait_task "$task"
check_eq "... and its task completes" Completed "$T_STATE"
check_contains "... having made (dry) a RAID 5 of the three" "create /dev/md/data: raid5 of 3 members" "$H_BODY"

# what the two tasks would have made, as mdadm makes it; hostd reads it at start
h_stop
md md127 os raid1 clean 2 0 sda sdb
md md126 data raid5 clean 3 0 sdc sdd sde
start

r=$(mod redfish_storage_volume "$(volume os Mirrored "$SA" "$SB")")
check_eq "the RAID 1 again: no change (read back through Storage/Volumes/os/Settings)" \
    "False No changes found to be applied." "$(res "$r" '"%s %s" % (r.get("changed"), r.get("msg"))')"
r=$(mod redfish_storage_volume "$(volume data StripedWithParity "$SC" "$SD" "$SE")")
check_eq "the RAID 5 again: no change" "False No changes found to be applied." \
    "$(res "$r" '"%s %s" % (r.get("changed"), r.get("msg"))')"
r=$(mod redfish_storage_volume "$(volume os Mirrored "$SA" "$SC")" --check)
check_eq "check mode, os on other drives: a change" "True" "$(res "$r" 'r.get("changed")')"

api GET /redfish/v1/Systems/host/Storage/Volumes/data/Settings
check_eq "Settings: VolumeType, RAIDType, Drives by serial" "StripedWithParity RAID5 $SC $SD $SE" \
    "$(printf '%s' "$H_BODY" | h_json '" ".join([d["VolumeType"], d["RAIDType"]] + [x["@odata.id"].split("/")[-1] for x in d["Links"]["Drives"]])')"
api PATCH /redfish/v1/Systems/host/Storage/Volumes/data/Settings --data '{"Name": "x"}'
check_eq "Settings cannot be patched: 405" 405 "$H_STATUS"
api GET /redfish/v1/Systems/host/Storage/Drives/"$SE"
check_eq "Storage/Drives/<id> is the drive" "$SE" "$(printf '%s' "$H_BODY" | h_json 'd["SerialNumber"]')"
api DELETE /redfish/v1/Systems/host/Storage/md/Volumes/os
check_eq "the standard path still wants X-Hostd-Confirm to delete" 428 "$H_STATUS"

# Dell's payload where hostd cannot follow it: a 400 with the reason, nothing started
for bad in '{"VolumeType": "NonRedundant"}' '{"VolumeType": "Mirrored", "RAIDType": "RAID5"}' \
           '{"VolumeType": "Mirrored", "CapacityBytes": 1000000}' '{"VolumeType": "Mirrored", "Encrypted": true}' \
           '{"VolumeType": "Mirrored", "Drives": []}' '{"VolumeType": "Mirrored", "Drives": [{"@odata.id": "/redfish/v1/Systems/host/Storage/Drives/nosuch"}]}'; do
    body=$(python3 -c 'import json,sys; a=json.loads(sys.argv[1]); a.setdefault("Name", "x")
a.setdefault("Drives", [{"@odata.id": "/redfish/v1/Systems/host/Storage/Drives/" + s} for s in sys.argv[2:]]); print(json.dumps(a))' \
        "$bad" "$SF" "$(serial sdg)")
    api POST /redfish/v1/Systems/host/Storage/md/Volumes --data "$body"
    check_eq "refused with 400: $bad" 400 "$H_STATUS"
done

r=$(mod redfish_storage_volume '{"state": "absent", "volume_id": "os"}')
check_eq "delete os through Storage/Volumes/os: submitted" "True Successfully submitted delete volume task." \
    "$(res "$r" '"%s %s" % (r.get("changed"), r.get("msg"))')"
task=$(res "$r" '(r.get("task") or {}).get("uri")')
wait_task "$task"
check_eq "... and its task completes" Completed "$T_STATE"
check_contains "... having stopped (dry) os" "stop" "$H_BODY"
echo "# $(printf %s "$H_BODY" | h_json "d['Messages'][0]['Message']")"
r=$(mod redfish_storage_volume '{"state": "absent", "volume_id": "data"}')
check_eq "delete data: submitted" "True" "$(res "$r" 'r.get("changed")')"
wait_task "$(res "$r" '(r.get("task") or {}).get("uri")')"
check_eq "... and its task completes" Completed "$T_STATE"

h_stop
rm -rf "$SYS/block/md127" "$SYS/block/md126"
start
r=$(mod redfish_storage_volume '{"state": "absent", "volume_id": "os"}' --check)
check_eq "check mode, os gone: no change" "False" "$(res "$r" 'r.get("changed")')"
r=$(mod redfish_storage_volume '{"state": "absent", "volume_id": "os"}')
check_contains "delete os again: the module says it is not there" "Specified Volume Id os does not exist" \
    "$(res "$r" 'r.get("msg")')"
api GET /redfish/v1/Sessions
check_eq "every run logged out of its session" 0 "$(printf '%s' "$H_BODY" | h_json 'd["Members@odata.count"]')"

# ---- redfish_powerstate --------------------------------------------------------
r=$(mod redfish_powerstate '{"resource_id": "nosuch", "reset_type": "GracefulRestart"}')
check_contains "redfish_powerstate reads Systems: an unknown resource_id" "Invalid device Id 'nosuch'" \
    "$(res "$r" 'r.get("msg")')"
api GET /redfish/v1/Systems/host
allowed=$(printf '%s' "$H_BODY" |
    h_json '" ".join(d["Actions"]["#ComputerSystem.Reset"].get("ResetType@Redfish.AllowableValues", []))' 2>/dev/null)
case " $allowed " in
*" GracefulRestart "*)
    r=$(mod redfish_powerstate '{"resource_id": "host", "reset_type": "GracefulRestart"}' --check)
    check_eq "redfish_powerstate GracefulRestart, check mode: a change" "True" "$(res "$r" 'r.get("changed")')" ;;
*)
    skip "redfish_powerstate GracefulRestart, check mode" \
        "Systems/host offers no GracefulRestart (AllowableValues: '${allowed}'): the host's Reset is not on this branch" ;;
esac
r=$(mod redfish_powerstate '{"resource_id": "host", "reset_type": "On"}' --check)
check_contains "redfish_powerstate On: not a reset Systems/host offers, the module lists those it does" \
    "The acceptable values for device reset types are ${allowed// /, }." "$(res "$r" 'r.get("msg")')"
tap_done
