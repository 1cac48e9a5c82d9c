#!/bin/bash
# /metrics and the alerting rules on it: hostd runs on the fake md layer
# (md-lib.sh) in each state an operator must hear about (arrays whole,
# degraded, rebuilding, rebuild stalled, failed; the pool nearly full; a
# disk SMART predicts will fail; hostd gone), promtool lints every scrape, and `promtool test rules` runs
# contrib/prometheus/hostd-rules.yml over a timeline made of those real
# scrapes: each alert fires in its state and in no other.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostd-lib.sh"
. "$(dirname "$0")/md-lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# the disks: the R630's inventory, each healthy to a stand-in smartctl (smart-lib.sh)
. "$(dirname "$0")/smart-lib.sh"
smart_disk default ata-hdd-healthy.json
export HOSTD_TEST_INVENTORY=$TOP/tests/fixtures/inventory/r630-2ssd-6hdd.json
RULES=$TOP/contrib/prometheus/hostd-rules.yml

command -v promtool >/dev/null || { skip "alerting rules" "promtool is not installed (Debian prometheus; make deps)"; tap_done; exit 0; }
quiet() { "$@" >"$H_TMP/quiet.log" 2>&1 || { sed "s/^/#   /" "$H_TMP/quiet.log"; return 1; }; }
check "promtool check rules $(basename "$RULES")" quiet promtool check rules "$RULES"

# The pool: a small tmpfs of its own (root), so that it can be filled
POOL=$H_TMP/pool
mkdir -p "$POOL"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=4m hostd-test-pool "$POOL"; then
    trap 'umount "$POOL" 2>/dev/null; h_cleanup' EXIT
    have_pool=1
else
    have_pool=0
fi
printf 'containers:\n  pool: %s\n' "$POOL" >"$H_TMP/hostd.conf"

# scrape NAME: start hostd on the md tree as it is now, keep its /metrics in
# $H_TMP/NAME.prom after a few API requests (200 and 404) and its first
# check of the disks' health, stop it
scrape() {
    HOSTD_TEST_SYSFS_ROOT=$SYS PATH=$BIN:$SMART_BIN:$PATH h_start --config "$H_TMP/hostd.conf" ||
        { fail "hostd starts ($1)"; return; }
    local i
    for i in $(seq 50); do
        h_req GET /metrics
        case $H_BODY in *hostd_disk_health\{*) break ;; esac
        sleep 0.1
    done
    echo "$i" >"$H_TMP/$1.polls"   # GETs of /metrics (200s) while waiting
    h_req GET /redfish/v1
    h_req GET /redfish/v1/no-such-thing
    h_req GET /metrics
    printf '%s\n' "$H_BODY" >"$H_TMP/$1.prom"
    h_stop
    if promtool check metrics <"$H_TMP/$1.prom" >"$H_TMP/lint" 2>&1; then
        ok "$1: promtool check metrics finds nothing to say"
    else
        fail "$1: promtool check metrics"; sed 's/^/#   /' "$H_TMP/lint"
    fi
}
value() {  # value STATE 'name{labels}' (through the environment: awk -v would eat backslashes)
    K=$2 awk '$1 == ENVIRON["K"] { print $2 }' "$H_TMP/$1.prom"
}
D='array="data",device="md126"'

md md127 os raid1 clean 2 0 sda1 sdb1
md md126 data raid5 clean 3 0 sdc1 sdd1 sde1
scrape whole
check_eq "whole: the data array is active" "1" "$(value whole "hostd_array_state{$D,state=\"active\"}")"
check_eq "whole: 3 active members" "3" "$(value whole "hostd_array_disks{$D,state=\"active\"}")"
check_eq "whole: sync ratio 1 when idle" "1.0000" "$(value whole "hostd_array_sync_ratio{$D}")"
check_eq "whole: size in bytes" "1073741824" "$(value whole "hostd_array_size_bytes{$D}")"
check_eq "requests are counted by status: two 200s (and those of the wait)" "$((2 + $(cat "$H_TMP/whole.polls")))" \
    "$(value whole 'hostd_http_request_duration_seconds_count{code="200"}')"
check_eq "... and one 404" "1" "$(value whole 'hostd_http_request_duration_seconds_count{code="404"}')"
check_eq "hostd_build_info says the version" "1" \
    "$(value whole "hostd_build_info{version=\"$("$HOSTD" --version | awk '{print $NF}')\"}")"

# names from the system are label values like any other: a quote, a
# backslash in an array's name is escaped, not cut into the syntax
md md125 'we"ird\name' raid1 clean 2 0 sdg1 sdh1
scrape odd-name
check_eq "an array name with a quote and a backslash is escaped" "0" \
    "$(value odd-name 'hostd_array_health{array="we\"ird\\name",device="md125"}')"
rm -rf "${SYS:?}/block/md125"

md md126 data raid5 clean 3 1 sdc1 sdd1 sde1:faulty
scrape degraded
check_eq "degraded: one member missing" "1" "$(value degraded "hostd_array_degraded{$D}")"
check_eq "degraded: one failed member" "1" "$(value degraded "hostd_array_disks{$D,state=\"failed\"}")"

# sdf1 is being rebuilt into sde1's place, sdg1 waits as a hot spare
md md126 data raid5 clean 3 1 sdc1 sdd1 sde1:faulty sdf1:rebuilding sdg1:spare
md_sync md126 recover 1000 4000 51200
scrape rebuild-a
md_sync md126 recover 2000 4000 51200
scrape rebuild-b
check_eq "rebuilding: the state is recovering" "1" "$(value rebuild-b "hostd_array_state{$D,state=\"recovering\"}")"
check_eq "rebuilding: half done" "0.5000" "$(value rebuild-b "hostd_array_sync_ratio{$D}")"
check_eq "rebuilding: the speed in bytes per second" "52428800" \
    "$(value rebuild-b "hostd_array_sync_speed_bytes_per_second{$D}")"
# node_exporter's node_md_disks: active is mdstat's [3/2], the members in
# sync (raid_disks - degraded); the member being rebuilt is a "_" there, in
# none of active, failed, spare; spare is a member without a slot, (S)
check_eq "rebuilding: the member being rebuilt is not active" "2" \
    "$(value rebuild-b "hostd_array_disks{$D,state=\"active\"}")"
check_eq "rebuilding: active is disks_required - degraded" \
    "$(( $(value rebuild-b "hostd_array_disks_required{$D}") - $(value rebuild-b "hostd_array_degraded{$D}") ))" \
    "$(value rebuild-b "hostd_array_disks{$D,state=\"active\"}")"
check_eq "rebuilding: the member being rebuilt is no spare, the hot spare is" "1" \
    "$(value rebuild-b "hostd_array_disks{$D,state=\"spare\"}")"
check_eq "rebuilding: the faulty member is failed" "1" \
    "$(value rebuild-b "hostd_array_disks{$D,state=\"failed\"}")"

md md126 data raid5 inactive 3 0 sdc1 sdd1 sde1
scrape failed
check_eq "failed: health 2" "2" "$(value failed "hostd_array_health{$D}")"

md md126 data raid5 clean 3 0 sdc1 sdd1 sde1
if [ "$have_pool" = 1 ]; then
    dd if=/dev/zero of="$POOL/fill" bs=64k count=60 status=none
    scrape full
    check_eq "full pool: its size" "4194304" "$(value full "hostd_pool_size_bytes{path=\"$POOL\"}")"
else
    skip "full pool" "needs root to mount a small tmpfs as the pool"
fi

# the pool only where a filesystem is mounted: a pool not mounted is a
# directory of the filesystem beneath it, whose size is not the pool's
mkdir -p "$H_TMP/nopool"
printf 'containers:\n  pool: %s\n' "$H_TMP/nopool" >"$H_TMP/hostd.conf"
scrape unmounted
check_eq "a pool that is not mounted: no pool series (not the size of the filesystem beneath)" "" \
    "$(grep '^hostd_pool_' "$H_TMP/unmounted.prom")"
if [ "$have_pool" = 1 ]; then
    # named through a symlink (its real path is the mount point), the name a label value to escape
    ln -s "$POOL" "$H_TMP/po\"ol"
    printf 'containers:\n  pool: %s\n' "$H_TMP/po\"ol" >"$H_TMP/hostd.conf"
    scrape linked
    check_eq "a pool named through a symlink to its mount, its path escaped" "4194304" \
        "$(value linked "hostd_pool_size_bytes{path=\"$H_TMP/po\\\"ol\"}")"
else
    skip "pool through a symlink" "needs root to mount a small tmpfs as the pool"
fi
# containers.pool unset: the containers' default pool, /srv/pool. hostd runs
# in a mount namespace of its own where /srv is a tmpfs holding a 2 MiB
# tmpfs on /srv/pool: the host's /srv is not touched, nor seen
if [ "$have_pool" = 1 ] && [ -d /srv ] && command -v unshare >/dev/null; then
    printf '%s\n' '#!/bin/sh' \
        'exec unshare -m --propagation private sh -c '\''mount -t tmpfs -o size=1m hostd-test-srv /srv &&
            mkdir /srv/pool && mount -t tmpfs -o size=2m hostd-test-default-pool /srv/pool && exec "$0" "$@"'\'' \
            "$REAL_HOSTD" "$@"' >"$H_TMP/hostd-ns"
    chmod +x "$H_TMP/hostd-ns"
    : >"$H_TMP/hostd.conf"
    REAL_HOSTD=$HOSTD HOSTD=$H_TMP/hostd-ns scrape default-pool
    check_eq "containers.pool unset: the default pool /srv/pool, when it is mounted" "2097152" \
        "$(value default-pool 'hostd_pool_size_bytes{path="/srv/pool"}')"
else
    skip "the default pool" "needs root, /srv and unshare(1)"
fi

# sdd's SMART says it is failing
smart_disk sdd ata-hdd-failing.json
scrape disk-failing
check_eq "disk-failing: sdd's failure is predicted" "1" \
    "$(value disk-failing 'hostd_disk_failure_predicted{disk="sdd",serial="WFK01ABC"}')"
check_eq "disk-failing: and no other disk's" "0" \
    "$(value whole 'hostd_disk_failure_predicted{disk="sdd",serial="WFK01ABC"}')"
smart_disk sdd ata-hdd-healthy.json

# ---- the rules over a timeline of those scrapes (one sample a minute) ---------------
# minutes 0-9 whole, 10-19 degraded, 20-24 rebuilding, 25-69 rebuilding without
# progress, 70-79 whole, 80-89 failed, 90-109 pool full, 110-119 a disk
# predicted to fail, 120-129 hostd down
# rules_test RULES WRONG: the test file; WRONG=1 also expects a stalled rebuild at
# minute 40, where the rebuild moved 15 minutes before
rules_test() {
python3 - "$H_TMP" "$have_pool" "$1" "$2" <<'EOF'
import json, re, sys
tmp, have_pool, rules, wrong = sys.argv[1], sys.argv[2] == "1", sys.argv[3], sys.argv[4] == "1"
timeline = [("whole", 10), ("degraded", 10), ("rebuild-a", 5), ("rebuild-b", 45), ("whole", 10), ("failed", 10),
            ("full" if have_pool else "whole", 20), ("disk-failing", 10), (None, 10)]
extra = 'instance="r630",job="hostd"'
def load(state):
    out = {}
    for line in open(f"{tmp}/{state}.prom"):
        m = re.match(r'^(hostd_(?:array|pool|disk)_[a-z_]+)(?:\{(.*)\})? (\S+)$', line.strip())
        if m:
            labels = m.group(2) + "," + extra if m.group(2) else extra
            out[f"{m.group(1)}{{{labels}}}"] = m.group(3)
    return out
scrapes = {s: load(s) for s, _ in timeline if s}
series = sorted({k for v in scrapes.values() for k in v})
def values(key):
    return " ".join(" ".join([scrapes[s].get(key, "_") if s else "_"] * n) for s, n in timeline)
inputs = [{"series": k, "values": values(k)} for k in series]
inputs.append({"series": "up{%s}" % extra, "values": " ".join(" ".join(["0" if s is None else "1"] * n) for s, n in timeline)})
data = {"array": "data", "device": "md126", "instance": "r630", "job": "hostd"}
def degraded():
    return {"exp_labels": dict(data, severity="warning"),
            "exp_annotations": {"summary": "Array data (md126) on r630 is degraded",
                                "description": "1 member(s) missing: the data is whole, its redundancy is not. "
                                               "Replace the disk (hostctl raid replace)."}}
stalled = {"exp_labels": dict(data, severity="warning", state="recovering"),
           "exp_annotations": {"summary": "The recovering of array data on r630 makes no progress",
                               "description": "md's sync has not advanced for over 30 minutes (speed limits, a stuck disk?)."}}
failed = {"exp_labels": dict(data, severity="critical"),
          "exp_annotations": {"summary": "Array data (md126) on r630 has failed",
                              "description": "The array is inactive or has lost more members than its level survives."}}
down = {"exp_labels": {"instance": "r630", "job": "hostd", "severity": "critical"},
        "exp_annotations": {"summary": "hostd on r630 does not answer",
                            "description": "Prometheus cannot scrape /metrics: the host's arrays are not watched."}}
full = []
if have_pool:
    f = scrapes["full"]
    size = next(v for k, v in f.items() if k.startswith("hostd_pool_size_bytes"))
    avail = next(v for k, v in f.items() if k.startswith("hostd_pool_avail_bytes"))
    path = re.search(r'path="([^"]*)"', next(k for k in f if k.startswith("hostd_pool_size_bytes"))).group(1)
    full = [{"exp_labels": {"path": path, "instance": "r630", "job": "hostd", "severity": "warning"},
             "exp_annotations": {"summary": f"The pool {path} on r630 is nearly full",
                                 "description": "{:.4g}% of the pool is free.".format(float(avail) / float(size) * 100)}}]
disk = {"exp_labels": {"disk": "sdd", "serial": "WFK01ABC", "instance": "r630", "job": "hostd", "severity": "critical"},
        "exp_annotations": {"summary": "Disk sdd (serial WFK01ABC) on r630 is predicted to fail",
                            "description": "SMART predicts a failure (hostctl disks --health says why): replace the disk "
                                           "before its array loses it (hostctl raid replace)."}}
names = ["HostdArrayDegraded", "HostdArrayFailed", "HostdRebuildStalled", "HostdPoolNearlyFull", "HostdDiskFailurePredicted",
         "HostdDown"]
def at(minute, **firing):
    return [{"eval_time": f"{minute}m", "alertname": n, "exp_alerts": firing.get(n, [])} for n in names]
at40 = dict(HostdArrayDegraded=[degraded()], HostdRebuildStalled=[stalled] if wrong else [])
alerts = (at(9) + at(15, HostdArrayDegraded=[degraded()]) + at(40, **at40)
          + at(68, HostdArrayDegraded=[degraded()], HostdRebuildStalled=[stalled]) + at(79) + at(88, HostdArrayFailed=[failed])
          + at(108, HostdPoolNearlyFull=full) + at(116, HostdDiskFailurePredicted=[disk]) + at(119, HostdDiskFailurePredicted=[disk])
          + at(128, HostdDown=[down]))
print(json.dumps({"rule_files": [rules], "evaluation_interval": "1m",
                  "tests": [{"interval": "1m", "input_series": inputs, "alert_rule_test": alerts}]}, indent=1))
EOF
}
rules_test "$RULES" 0 >"$H_TMP/rules-test.yml"
rules_test "$RULES" 1 >"$H_TMP/rules-wrong.yml"
echo "# the timeline has $(grep -c '"series"' "$H_TMP/rules-test.yml") series"
if promtool test rules "$H_TMP/rules-test.yml" >"$H_TMP/promtool.log" 2>&1; then
    ok "promtool test rules: each alert fires in its state and in no other"
else
    fail "promtool test rules"; sed 's/^/#   /' "$H_TMP/promtool.log" | head -n 60
fi
# the test above can fail: a stall expected where the rebuild moved 15 minutes before
if promtool test rules "$H_TMP/rules-wrong.yml" >/dev/null 2>&1; then
    fail "promtool test rules fails when an alert is expected where it does not fire"
else
    ok "promtool test rules fails when an alert is expected where it does not fire"
fi
tap_done
