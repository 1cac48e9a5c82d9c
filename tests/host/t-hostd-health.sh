#!/bin/bash
# Status.Health of the API and the health gauges of /metrics follow the md
# arrays: a degraded array is Warning, a failed or inactive one Critical, and
# Storage/md and Systems/host are the worst of them. The host has no md
# driver: hostd reads a copy of the md part of sysfs (HOSTD_TEST_SYSFS_ROOT)
# and runs a stand-in mdadm for `--detail --export`, as on the lab's R630.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostd-lib.sh"

. "$(dirname "$0")/md-lib.sh"

start() {
    HOSTD_TEST_SYSFS_ROOT=$SYS PATH=$BIN:$PATH h_start || { fail "hostd starts"; tap_done; exit 1; }
}
# health URL-PATH: "Health HealthRollup" of the resource's Status
health() {
    h_req GET "$1"
    printf '%s' "$H_BODY" | h_json 'd["Status"]["Health"] + " " + d["Status"].get("HealthRollup", "-")'
}
gauge() {  # gauge NAME{labels}: its value in /metrics
    h_req GET /metrics
    printf '%s\n' "$H_BODY" | awk -v k="$1" '$1 == k { print $2 }'
}
V=/redfish/v1/Systems/host/Storage/md/Volumes

# --- os whole, data degraded (one of three members failed) ---
md md127 os raid1 clean 2 0 sda1 sdb1
md md126 data raid5 clean 3 1 sdc1 sdd1 sde1:faulty
start
check_contains "hostd says it reads a test tree" "HOSTD_TEST_SYSFS_ROOT" "$(cat "$H_TMP/hostd.log")"
h_req GET "$V"
check_eq "both arrays are Volumes" "2" "$(printf '%s' "$H_BODY" | h_json 'd["Members@odata.count"]')"
check_eq "a whole array is OK" "OK OK" "$(health "$V/os")"
check_eq "a degraded array is Warning" "Warning Warning" "$(health "$V/data")"
h_req GET "$V/data"
check_eq "... and its State says Degraded" "Degraded" "$(printf '%s' "$H_BODY" | h_json 'd["Status"]["State"]')"
check_eq "Storage/md is the worst of its arrays" "Warning Warning" "$(health /redfish/v1/Systems/host/Storage/md)"
check_eq "Systems/host rolls up its storage" "Warning Warning" "$(health /redfish/v1/Systems/host)"
check_eq "/metrics: the whole array's health is 0" "0" "$(gauge 'hostd_array_health{array="os",device="md127"}')"
check_eq "/metrics: the degraded array's health is 1" "1" "$(gauge 'hostd_array_health{array="data",device="md126"}')"
check_eq "/metrics: the host's health is 1" "1" "$(gauge hostd_health)"
h_stop

# --- data inactive: Critical ---
md md126 data raid5 inactive 3 0 sdc1 sdd1 sde1
start
check_eq "an inactive array is Critical" "Critical Critical" "$(health "$V/data")"
check_eq "... and so are Storage/md" "Critical Critical" "$(health /redfish/v1/Systems/host/Storage/md)"
check_eq "... and Systems/host" "Critical Critical" "$(health /redfish/v1/Systems/host)"
check_eq "... while the other array stays OK" "OK OK" "$(health "$V/os")"
check_eq "/metrics: the inactive array's health is 2" "2" "$(gauge 'hostd_array_health{array="data",device="md126"}')"
check_eq "/metrics: the host's health is 2" "2" "$(gauge hostd_health)"
h_stop

# --- data lost two of three members: failed, Critical ---
md md126 data raid5 clean 3 2 sdc1 sdd1:faulty sde1:faulty
start
check_eq "a RAID 5 short of two members is Critical" "Critical Critical" "$(health "$V/data")"
h_stop

# --- all whole again: OK everywhere ---
md md126 data raid5 clean 3 0 sdc1 sdd1 sde1
start
check_eq "whole arrays: Storage/md is OK" "OK OK" "$(health /redfish/v1/Systems/host/Storage/md)"
check_eq "whole arrays: Systems/host is OK" "OK OK" "$(health /redfish/v1/Systems/host)"
check_eq "/metrics: the host's health is 0" "0" "$(gauge hostd_health)"
h_stop
tap_done
