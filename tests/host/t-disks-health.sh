#!/bin/bash
# Disk health from SMART, as an operator meets it: the HEALTH column and
# "health" of `hostctl disks` (nothing asked without --health: the plain
# listing runs no smartctl), --health and --wake on this machine's disks;
# hostd's periodic check over the R630 inventory (HOSTD_TEST_INVENTORY),
# seen as the Drives' Status.Health, FailurePredicted and
# PredictedMediaLifeLeftPercent, the hostd_disk_* series of /metrics,
# `hostctl --host disks`, the DiskFailurePredicted and DiskHealthChanged
# events at a webhook, and the planner leaving a failing disk out. smartctl
# is a stand-in that replays tests/fixtures/smart/ (smart-lib.sh).
set -uo pipefail
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostd-lib.sh"
HOSTCTL=${HOSTCTL:?HOSTCTL must name the hostctl binary}
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/smart-lib.sh"
FX=$TOP/tests/fixtures/inventory/r630-2ssd-6hdd.json
py() { python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
hc() { PATH=$SMART_BIN:$PATH "$HOSTCTL" "$@"; }

# ---- hostctl disks on this machine ------------------------------------------------
table=$(hc disks); rc=$?
check_eq "disks: exit 0" 0 "$rc"
check_contains "disks: a HEALTH column" "HEALTH" "$(head -n 1 <<<"$table")"
check_eq "disks: no smartctl run without --health" "" "$(cat "$SMART_CALLS")"
n_disks=$(hc disks --json | py 'print(len(d["disks"]))')
check_eq "disks --json: health null for every disk, not asked" "$n_disks" \
    "$(hc disks --json | py 'print(sum(1 for x in d["disks"] if "health" in x and x["health"] is None))')"
check_eq "disks: HEALTH '-' for every disk" "$n_disks" \
    "$(awk -v c="$(head -n 1 <<<"$table" | awk '{ print index($0, "HEALTH") }')" \
        'NR > 1 && substr($0, c, 2) == "- " { n++ } END { print n + 0 }' <<<"$table")"
if [ "$n_disks" -gt 0 ]; then
    smart_disk default ata-hdd-failing.json
    json=$(hc disks --health --json); rc=$?
    check_eq "disks --health --json: exit 0" 0 "$rc"
    check_eq "smartctl was asked once a disk, each time with -n standby (never waking a disk)" "$n_disks $n_disks" \
        "$(wc -l <"$SMART_CALLS") $(grep -c -- '-n standby' "$SMART_CALLS")"
    check_eq "disks --health: every disk failed, failure predicted, as smartctl says" "$n_disks $n_disks" \
        "$(py 'print(sum(x["health"]["state"] == "failed" for x in d["disks"]), sum(x["health"]["failure_predicted"] for x in d["disks"]))' <<<"$json")"
    check_eq "disks --health: the counters too" "3912 41 52311" \
        "$(py 'h = d["disks"][0]["health"]; print(h["reallocated_sectors"], h["temperature_c"], h["power_on_hours"])' <<<"$json")"
    check_contains "disks --health: the table says failed" " failed " "$(hc disks --health)"
    first=$(hc disks --json | py 'print(d["disks"][0]["name"])')
    check_contains "disks show --health: the reason" "SMART overall-health self-assessment: FAILED" \
        "$(hc disks show "$first" --health)"
    smart_sleep default
    : >"$SMART_CALLS"
    check_eq "a sleeping disk is standby, not failed" "standby" \
        "$(hc disks --health --json | py 'print(d["disks"][0]["health"]["state"])')"
    check_eq "--wake asks it anyway (-n never), and hears it is failing" "failed" \
        "$(hc disks --health --wake --json | py 'print(d["disks"][0]["health"]["state"])')"
    check_contains "... with -n never" "-n never" "$(cat "$SMART_CALLS")"
    rm -f "$SMART_DIR"/default.*
    check_eq "a disk without SMART (virtio, as the real smartctl answers) is unknown" "unknown" \
        "$(hc disks --health --json | py 'print(d["disks"][0]["health"]["state"])')"
else
    skip "disks --health on this machine" "no block disk here"
fi
err=$(hc --host "unix://$H_TMP/none.sock" disks --health 2>&1); rc=$?
check_eq "--health with --host is a usage error (exit 2)" 2 "$rc"
check_contains "... that says where HEALTH comes from then" "hostd's last check" "$err"

# ---- hostd: the periodic check over the R630's disks -----------------------------------
# sda/sdb the OS SSDs (one worn), sdc..sdh the HDDs: sdd failing, sde with bad
# sectors, sdf asleep, sdg a SAS disk with grown defects, sdh an NVMe with media errors
smart_disk sda ata-ssd-healthy.json
smart_disk sdb ata-ssd-worn.json
smart_disk sdc ata-hdd-healthy.json
smart_disk sdd ata-hdd-failing.json
smart_disk sde ata-hdd-sectors.json
smart_disk sdf ata-hdd-healthy.json
smart_sleep sdf
smart_disk sdg scsi-sas-defects.json
smart_disk sdh nvme-media-errors.json
h_webhook "$H_TMP/received"
trap 'kill $R_PID 2>/dev/null; h_cleanup' EXIT
printf 'disk_health_interval: 1\n' >"$H_TMP/hostd.conf"
HOSTD_TEST_INVENTORY=$FX PATH=$SMART_BIN:$PATH h_start --config "$H_TMP/hostd.conf" ||
    { fail "hostd starts"; tap_done; exit 1; }
h_req POST /redfish/v1/EventService/Subscriptions -d "{\"Destination\": \"http://127.0.0.1:$R_PORT/hook\", \"Context\": \"t\"}"
check_eq "a webhook subscribes" 201 "$H_STATUS"
D=/redfish/v1/Systems/host/Storage/md/Drives
drive() {  # drive SERIAL EXPR: python's eval of EXPR on the Drive
    h_req GET "$D/$1"
    printf '%s' "$H_BODY" | h_json "$2" 2>&1
}
for i in $(seq 50); do
    [ "$(drive WFK01ABC 'd["Status"]["Health"]')" = Critical ] && break
    sleep 0.1
done
check_eq "Drive sdd (failing): Health Critical, FailurePredicted" "Critical True" \
    "$(drive WFK01ABC 'd["Status"]["Health"], d["FailurePredicted"]' | tr -d "(),'")"
check_eq "Drive sda (healthy SSD): OK, 97% of its life left" "OK False 97" \
    "$(drive PHYG0000480BGN 'd["Status"]["Health"], d["FailurePredicted"], d["PredictedMediaLifeLeftPercent"]' | tr -d "(),'")"
check_eq "Drive sdb (worn SSD): Warning, 4% left" "Warning False 4" \
    "$(drive PHYG0010480BGN 'd["Status"]["Health"], d["FailurePredicted"], d["PredictedMediaLifeLeftPercent"]' | tr -d "(),'")"
check_eq "Drive sdf (asleep): no Health, StandbyOffline, no FailurePredicted" "None StandbyOffline False" \
    "$(drive WFK03ABC 'd["Status"]["Health"], d["Status"]["State"], "FailurePredicted" in d' | tr -d "(),'")"
check_eq "Drive sdh (NVMe, media errors): Warning" "Warning" "$(drive WFK05ABC 'd["Status"]["Health"]')"

h_req GET /metrics
printf '%s\n' "$H_BODY" >"$H_TMP/metrics.prom"
val() { K=$1 awk '$1 == ENVIRON["K"] { print $2 }' "$H_TMP/metrics.prom"; }
check_eq "/metrics: sdd's health 2, failure predicted" "2 1" \
    "$(val 'hostd_disk_health{disk="sdd",serial="WFK01ABC"}') $(val 'hostd_disk_failure_predicted{disk="sdd",serial="WFK01ABC"}')"
check_eq "/metrics: sdd's counters in base units" "3912 188319600 41" \
    "$(val 'hostd_disk_reallocated_sectors{disk="sdd",serial="WFK01ABC"}') $(val 'hostd_disk_power_on_seconds{disk="sdd",serial="WFK01ABC"}') $(val 'hostd_disk_temperature_celsius{disk="sdd",serial="WFK01ABC"}')"
check_eq "/metrics: sdb's life left as a ratio" "0.04" "$(val 'hostd_disk_life_left_ratio{disk="sdb",serial="PHYG0010480BGN"}')"
check_eq "/metrics: sdg's grown defects, sdh's media errors" "57 12" \
    "$(val 'hostd_disk_grown_defects{disk="sdg",serial="WFK04ABC"}') $(val 'hostd_disk_media_errors{disk="sdh",serial="WFK05ABC"}')"
check_eq "/metrics: no health series for the sleeping disk" "" "$(grep 'disk="sdf"' "$H_TMP/metrics.prom")"
if command -v promtool >/dev/null; then
    check "/metrics: promtool check metrics finds nothing to say" promtool check metrics <"$H_TMP/metrics.prom"
else
    skip "promtool check metrics" "promtool is not installed (Debian prometheus; make deps)"
fi

table=$("$HOSTCTL" --host "unix://$H_SOCK" disks)
check_eq "hostctl --host disks: HEALTH from hostd's check" "ok warning failed warning standby" \
    "$(awk 'NR == 1 { c = index($0, "HEALTH") } NR > 1 { split(substr($0, c), w, " "); printf "%s ", w[1] }' <<<"$table" | cut -d' ' -f1,2,4,5,6)"
"$HOSTCTL" --host "unix://$H_SOCK" --json disks >"$H_TMP/inventory.json"
check_eq "hostctl --host --json disks: health of sdd" "failed True" \
    "$(py 'h = d["disks"][3]["health"]; print(h["state"], h["failure_predicted"])' <"$H_TMP/inventory.json")"

# events: the first check's in the journal (it ran before the webhook
# subscribed); a disk that starts failing later, at the webhook too
h_req GET /redfish/v1/Managers/hostd/LogServices/Events/Entries
check_contains "the event log has DiskFailurePredicted for sdd from the first check" \
    "disk sdd (serial WFK01ABC): SMART predicts a failure" "$H_BODY"
check_eq "... and for no other disk" 1 "$(printf '%s' "$H_BODY" | grep -o 'SMART predicts a failure' | wc -l)"
smart_disk sdc ata-hdd-failing.json
for i in $(seq 50); do grep -q 'sdc.*ok -> failed' "$H_TMP/received" && break; sleep 0.1; done
check_contains "sdc starts failing: the webhook hears DiskFailurePredicted" \
    "disk sdc (serial WFK00ABC): SMART predicts a failure" "$(grep DiskFailurePredicted "$H_TMP/received")"
check_contains "... and DiskHealthChanged ok -> failed" \
    "disk sdc (serial WFK00ABC): health ok -> failed" "$(grep DiskHealthChanged "$H_TMP/received")"
check_contains "... as Critical" '"Severity":"Critical"' "$(grep 'sdc.*ok -> failed' "$H_TMP/received" | tr -d ' ')"
check_eq "a sleeping disk is no change of health: no event for sdf" "" "$(grep 'disk sdf' "$H_TMP/received")"
: >"$H_TMP/received"
sleep 2.5
check_eq "the next checks send nothing for disks that did not change" "" "$(cat "$H_TMP/received")"
h_stop

# ---- the planner on hostd's inventory ------------------------------------------------
plan=$("$HOSTCTL" raid plan --inventory "$H_TMP/inventory.json" 2>&1); rc=$?
check_contains "raid plan: says the failing disk is not chosen" \
    "disk WFK01ABC (sdd) is not chosen: its health check fails (SMART overall-health self-assessment: FAILED" "$plan"
check_eq "raid plan: ... and leaves it out of the arrays" "" "$(grep -E '^ *(member|spare).*WFK01ABC' <<<"$plan")"
printf 'storage:\n  arrays:\n    - {name: data, level: raid1, disks: {serials: [WFK00ABC, WFK01ABC]}}\n' >"$H_TMP/named.yaml"
out=$("$HOSTCTL" raid plan --inventory "$H_TMP/inventory.json" --spec "$H_TMP/named.yaml" 2>&1); rc=$?
check_eq "raid plan with a spec naming it: refused (exit 3)" 3 "$rc"
check_contains "... saying how to override" "set disks.allow_failing: true to use it anyway" "$out"
printf 'storage:\n  arrays:\n    - {name: data, level: raid1, disks: {serials: [WFK00ABC, WFK01ABC], allow_failing: true}}\n' \
    >"$H_TMP/allowed.yaml"
out=$("$HOSTCTL" raid plan --inventory "$H_TMP/inventory.json" --spec "$H_TMP/allowed.yaml" 2>&1); rc=$?
check_eq "raid plan with allow_failing: exit 0" 0 "$rc"
check_contains "... with a warning" "used all the same, as disks.allow_failing says" "$out"
tap_done
