#!/bin/bash
# hostd on its Unix socket: the Redfish resources a client reads, the same
# disks as `hostctl disks`, and the errors: 400, 404, 405, 413, 409, 428.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostd-lib.sh"
V=/redfish/v1/Systems/host/Storage/md

h_start || { fail "hostd starts and answers on its socket"; tap_done; exit 1; }
ok "hostd starts and answers on its socket"
check_eq "the socket is mode 0660" 660 "$(stat -c %a "$H_SOCK")"
out=$(curl -s --unix-socket "$H_SOCK" http://localhost/redfish/v1)
check_eq "GET /redfish/v1 is the ServiceRoot" "#ServiceRoot.v1_15_0.ServiceRoot /redfish/v1/Systems" \
    "$(echo "$out" | h_json 'd["@odata.type"], d["Systems"]["@odata.id"]' | tr -d "(),'")"
h_req GET /redfish/v1/Systems
check_eq "Systems lists host" "/redfish/v1/Systems/host" "$(echo "$H_BODY" | h_json 'd["Members"][0]["@odata.id"]')"
h_req GET /redfish/v1/Systems/host
check_eq "Systems/host has the logical CPUs of this machine" "$(nproc --all)" \
    "$(echo "$H_BODY" | h_json 'd["ProcessorSummary"]["LogicalProcessorCount"]')"
mem=$(awk '/MemTotal/ {printf "%.2f", $2/1024/1024}' /proc/meminfo)
check_eq "and its memory in GiB" "$mem" "$(echo "$H_BODY" | h_json 'd["MemorySummary"]["TotalSystemMemoryGiB"]')"
h_req GET /redfish/v1/Systems/host/Storage
check_eq "Storage lists md" "$V" "$(echo "$H_BODY" | h_json 'd["Members"][0]["@odata.id"]')"

# Drives: the same disks, by serial, as hostctl disks --json
want=$("$HOSTCTL" disks --json | h_json '"\n".join(sorted(x.get("serial") or x["name"] for x in d["disks"]))')
h_req GET "$V/Drives"
got=$(echo "$H_BODY" | h_json '"\n".join(sorted(m["@odata.id"].rsplit("/",1)[1] for m in d["Members"]))')
check_eq "Drives lists the disks of 'hostctl disks'" "$want" "$got"
first=$(echo "$got" | head -n1)
h_req GET "$V/Drives/$first"
check_eq "a Drive answers 200" 200 "$H_STATUS"
size=$("$HOSTCTL" disks --json | h_json "[x['size_bytes'] for x in d['disks'] if (x.get('serial') or x['name'])=='$first'][0]")
check_eq "with the disk's CapacityBytes" "$size" "$(echo "$H_BODY" | h_json 'd["CapacityBytes"]')"
check "and MediaType SSD or HDD" grep -qxE "SSD|HDD" <<<"$(echo "$H_BODY" | h_json 'd["MediaType"]')"

h_req GET "$V/Volumes"
n_md=$(ls -d /sys/block/md* 2>/dev/null | wc -l)
check_eq "Volumes lists the md arrays ($n_md here)" "$n_md" "$(echo "$H_BODY" | h_json 'd["Members@odata.count"]')"

h_req GET /redfish/v1/Nope
check_eq "an unknown path is 404" 404 "$H_STATUS"
check_eq "with a Redfish error body" "Base.1.16.ResourceNotFound" "$(echo "$H_BODY" | h_json 'd["error"]["code"]')"
h_req GET "$V/Drives/NO-SUCH-SERIAL"
check_eq "an unknown drive is 404" 404 "$H_STATUS"
h_req DELETE /redfish/v1/Systems/host
check_eq "DELETE on a system is 405" 405 "$H_STATUS"
allow=$(curl -s -o /dev/null -D - -X PATCH --unix-socket "$H_SOCK" http://localhost$V/Volumes | tr -d '\r' | sed -n 's/^Allow: //p')
check_eq "405 says what is allowed (HEAD with GET, OPTIONS everywhere)" "GET, HEAD, POST, OPTIONS" "$allow"
h_req POST "$V/Volumes" -H 'Content-Type: application/json' --data '{"RAIDType": "RAID5",'
check_eq "bad JSON is 400" 400 "$H_STATUS"
check_eq "with a Redfish MalformedJSON error" "Base.1.16.MalformedJSON" "$(echo "$H_BODY" | h_json 'd["error"]["code"]')"
h_req POST "$V/Volumes" --data '{"RAIDType": "RAID7", "Name": "x", "Links": {"Drives": []}}'
check_eq "a bad RAIDType is 400" 400 "$H_STATUS"
check_contains "and says which types there are" "RAID1, RAID5" "$H_BODY"
head -c 100000 /dev/zero | tr '\0' ' ' > "$H_TMP/big"
h_req POST "$V/Volumes" --data-binary @"$H_TMP/big"
check_eq "a body over 64 KiB is 413" 413 "$H_STATUS"
h_req POST "$V/Volumes" --data "{\"RAIDType\": \"RAID1\", \"Name\": \"os\", \"Links\": {\"Drives\": [{\"@odata.id\": \"$V/Drives/$first\"}]}}"
check_eq "a RAID 1 of one disk (in use) is refused with 409 by the planner" 409 "$H_STATUS"
check_contains "and the planner's reason" "nothing was written" "$H_BODY"
h_req GET /redfish/v1/TaskService/Tasks
check_eq "no task was started by refused requests" 0 "$(echo "$H_BODY" | h_json 'd["Members@odata.count"]')"
h_req DELETE "$V/Volumes/nosuch"
check_eq "DELETE of a missing volume is 404" 404 "$H_STATUS"
check_contains "... as hostctl raid destroy would say: a stopped array is destroyed from its superblocks" \
    "no array named nosuch is running, and no disk carries a member of it" "$H_BODY"
# the Volume actions (raid/lifecycle.h, the code of hostctl raid <verb>)
h_req POST "$V/Volumes/nosuch/Actions/Volume.CheckConsistency" --data '{}'
check_eq "CheckConsistency of a missing volume is 404" 404 "$H_STATUS"
h_req POST "$V/Volumes/nosuch/Actions/Oem/Hostd.Assemble" --data '{}'
check_eq "Assemble of an array no disk carries is 404" 404 "$H_STATUS"
check_contains "and says so as hostctl raid assemble does" "no disk carries a member of an array named nosuch" "$H_BODY"
h_req POST "$V/Volumes/bad%20name/Actions/Oem/Hostd.Assemble" --data '{}'
check_eq "an array name with a blank is 400" 400 "$H_STATUS"
h_req GET "$V/Volumes/nosuch/Actions/Oem/Hostd.Stop"
check_eq "GET of an action is 405" 405 "$H_STATUS"
h_req POST "$V/Volumes/nosuch/Actions/Oem/Hostd.Explode" --data '{}'
check_eq "an unknown action is 404" 404 "$H_STATUS"
h_req GET /metrics
check_contains "/metrics counts the disks in Prometheus format" "hostd_disks $(echo "$got" | wc -l)" "$H_BODY"

# hostctl as a client prints what it prints in-process: with hostd's health
# check of the disks, what `disks --health` finds asking them itself
for i in $(seq 50); do
    "$HOSTCTL" --json --host "unix://$H_SOCK" disks | grep -q '"health": null' || break
    sleep 0.1
done
check_eq "hostctl --host unix://SOCK disks prints the same table as hostctl disks --health" "$("$HOSTCTL" disks --health)" \
    "$("$HOSTCTL" --host "unix://$H_SOCK" disks)"
# (a real disk's temperature may move between the two asks: the health's state only)
health_state_only() {
    python3 -c 'import json,sys; d=json.load(sys.stdin)
for x in d["disks"]: x["health"] = x["health"] and x["health"]["state"]
print(json.dumps(d, indent=1))'
}
check_eq "and the same JSON" "$("$HOSTCTL" --json disks --health | health_state_only)" \
    "$("$HOSTCTL" --json --host "unix://$H_SOCK" disks | health_state_only)"
check_eq "hostctl --host raid status --json: the same as in-process" "$("$HOSTCTL" --json raid status)" \
    "$("$HOSTCTL" --json --host "unix://$H_SOCK" raid status)"
err=$("$HOSTCTL" --host "unix://$H_SOCK" raid create --yes 2>&1); rc=$?
check_eq "a command hostd does not serve yet refuses --host (exit 1)" 1 "$rc"
check_contains "... and says to run it on the machine itself" "hostd does not serve 'hostctl raid create' yet" "$err"
# hostctl raid <verb> --host: the Volume actions, with hostd's answer as the error
err=$("$HOSTCTL" --host "unix://$H_SOCK" raid assemble nosuch 2>&1); rc=$?
check_eq "hostctl --host raid assemble of an array nobody carries exits 1" 1 "$rc"
check_contains "... with the planner's words, as in-process" "no disk carries a member of an array named nosuch" "$err"
check_contains "... which are the same in-process" "no disk carries a member of an array named nosuch" \
    "$("$HOSTCTL" raid assemble nosuch 2>&1)"
err=$("$HOSTCTL" --host "unix://$H_SOCK" raid scrub nosuch 2>&1); rc=$?
check_eq "hostctl --host raid scrub of a missing array exits 1 (404)" "1 HTTP 404" "$rc $(grep -o 'HTTP 404' <<<"$err")"
err=$("$HOSTCTL" --host "unix://$H_SOCK" raid replace nosuch --failed A1 --with B2 --wait 2>&1); rc=$?
check_eq "--wait with --host is a usage error (exit 2)" 2 "$rc"
h_req GET /redfish/v1/TaskService/Tasks
check_eq "no task was started by the refused actions" 0 "$(echo "$H_BODY" | h_json 'd["Members@odata.count"]')"
err=$("$HOSTCTL" --host "unix://$H_TMP/nope.sock" disks 2>&1); rc=$?
check_eq "hostctl --host with no hostd there exits 1" 1 "$rc"
check_contains "and says it cannot reach hostd" "cannot reach hostd at unix://$H_TMP/nope.sock" "$err"

# subscriptions persist across a restart
h_req POST /redfish/v1/EventService/Subscriptions --data '{"Destination": "http://127.0.0.1:9/hook", "Context": "t"}'
check_eq "POST a subscription is 201" 201 "$H_STATUS"
h_req POST /redfish/v1/EventService/Subscriptions --data '{"Destination": "file:///etc/passwd"}'
check_eq "a non-HTTP destination is 400" 400 "$H_STATUS"
check "SIGTERM stops hostd cleanly" h_stop
check "and removes its socket" test ! -e "$H_SOCK"
h_start
h_req GET /redfish/v1/EventService/Subscriptions/1
check_eq "the subscription is still there after a restart" "http://127.0.0.1:9/hook" "$(echo "$H_BODY" | h_json 'd["Destination"]')"
check "the store is SQLite in WAL mode" test "$(python3 -c "import sqlite3;print(sqlite3.connect('$H_TMP/state/hostd.db').execute('pragma journal_mode').fetchone()[0])")" = wal
tap_done
