#!/bin/bash
# t-raid.sh - software RAID on the virtual R630 with real md (issue: RAID);
# TAP. Three boots on the lab's disks:
#   create  the R630 layout from r630-lab.yaml (os RAID 1 + ESP, data RAID 5
#           with a hot spare), status, a second create that changes nothing;
#           a member pulled over QMP -> the spare rebuilds; a member failed
#           -> degraded -> replaced by a new disk; add-spare, scrub, stop,
#           assemble; a canary disk nobody may touch keeps its checksum
#   reboot  the same names and UUIDs and data come back; destroy
#   kill    on fresh disks: kill -9 hostctl during several steps of create,
#           one after the other: each run again gets past the step the kill
#           hit, and the last leaves the layout a run never killed leaves
#   life    on fresh small disks: add-spare, remove, replace (and its refusal
#           of a disk that is no member), grow, scrub, stop, assemble and
#           destroy of a RAID 5, once with hostctl and once through hostd's
#           Volume actions; what each left is compared
# Env: HOSTCTL, HOSTD, KILL_STEPS (default "2 9 14 15 17"), RAID_LAB_ONLY_LIFE=1 (only the
# life boot, while working on it), the lab.sh knobs.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# small disks: a rebuild copies a whole member, at ~20 MB/s under TCG
export LAB_SSD_SIZE=${LAB_SSD_SIZE:-2G} LAB_HDD_SIZE=${LAB_HDD_SIZE:-256M}
# shellcheck source=lab.sh
. "$HERE/lab.sh"
# shellcheck source=../host/tap.sh
. "$HERE/../host/tap.sh"
HOSTCTL=${HOSTCTL:-$LAB_REPO/build/hostctl}
HOSTD=${HOSTD:-$LAB_REPO/build/hostd}
KILL_STEPS=${KILL_STEPS:-"2 9 14 15 17"}

if why=$(lab_skip_reason); then skip "RAID lab" "$why"; tap_done; exit 0; fi
[ -x "$HOSTCTL" ] || { skip "RAID lab" "no $HOSTCTL: build it first"; tap_done; exit 0; }
[ -x "$HOSTD" ] || { skip "RAID lab" "no $HOSTD: build it first"; tap_done; exit 0; }
T0=$SECONDS
WEBHOOK=$(mktemp /tmp/hostd-webhook.XXXXXX)
${CC:-cc} -O2 -o "$WEBHOOK" "$HERE/hostd-webhook.c" -lmicrohttpd -ludev -lcurl ||
    { fail "build the lab's request tool (hostd-webhook)"; tap_done; exit 1; }
lab_init
trap 'lab_cleanup; rm -f "$WEBHOOK"' EXIT
lab_stage "$HOSTCTL:/usr/local/bin/hostctl" "$HOSTD:/usr/local/sbin/hostd" "$WEBHOOK:/usr/local/bin/hostd-webhook"
cp "$HERE/r630-lab.yaml" "$LAB_SHARE/"
cat > "$LAB_SHARE/life.yaml" << 'EOF'
# t-raid's life boot: a small RAID 5 that hostctl and hostd each take through its life
storage:
  homehost: r630-lab
  arrays:
    - name: life
      level: raid5
      chunk: 64K
      disks: {serials: [WFK00ABC, WFK01ABC, WFK02ABC]}
      filesystem: {type: ext4, mount: /srv/life, label: life}
EOF
lab_env "KILL_STEPS=$KILL_STEPS"
for phase in create reboot kill life; do cp "$HERE/guest/raid.sh" "$LAB_SHARE/run-$phase.sh"; done
O=$LAB_SHARE/out

out() { cat "$O/$1.out" 2> /dev/null; }
rc() { cat "$O/$1.rc" 2> /dev/null || echo missing; }
# jq-like: py EXPR FILE -> print(EXPR) with d = the JSON in FILE
py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$2" 2> /dev/null || echo "(unreadable)"; }

if [ "${RAID_LAB_ONLY_LIFE:-}" != 1 ]; then
# ---- boot 1: create and keep alive -----------------------------------------------------
rc=0
LAB_UDEV=1 lab_boot_bg create "$HERE/guest/raid.sh"
if lab_wait_marker "@@LAB-READY unplug@@" 900; then
    check "QMP: hdd2 (WFK02ABC) pulled while the array is mounted" lab_unplug hdd2
    lab_signal unplugged
else
    fail "the guest never got to the pull (see $(lab_console create))"
fi
if lab_wait_marker "@@LAB-READY plug@@" 900; then
    truncate -s "$LAB_HDD_SIZE" "$LAB_WORK/disks/new1.img"
    check "QMP: a new disk WFKNEW01 plugged into bay 2" lab_plug hdd2 "$LAB_WORK/disks/new1.img" WFKNEW01 0x5000c500a0b0cf10
    lab_signal plugged
else
    fail "the guest never got to the new disk"
fi
lab_wait || rc=$?
check_eq "boot create: the guest script saw every check pass" 0 "$rc"

check_eq "default plan refuses (exit 3): the canary disk carries data" 3 "$(rc create-plan-default)"
check_contains "and names it by serial" "disk WFK06ABC" "$(out create-plan-default)"
check_eq "the spec's plan has no errors" "0 []" "$(rc create-plan-spec) $(py 'd["errors"]' "$O/create-plan-spec.out")"
check_eq "raid create exits 0" 0 "$(rc create-create)"
st=$O/create-status.out
check_eq "three arrays: os-esp os data" "['data', 'os', 'os-esp']" "$(py 'sorted(a["name"] for a in d["arrays"])' "$st")"
check_eq "data is raid5 of 5 members + 1 spare, not degraded" "raid5 5 1 0" \
    "$(py '" ".join(str(x) for x in [[a["level"], sum(m["role"]=="active" for m in a["members"]), sum(m["role"]=="spare" for m in a["members"]), a["degraded"]] for a in d["arrays"] if a["name"]=="data"][0])' "$st")"
check_eq "os and os-esp are raid1 of 2" "raid1 2 raid1 2" \
    "$(py '" ".join("%s %d" % (a["level"], len(a["members"])) for n in ("os","os-esp") for a in d["arrays"] if a["name"]==n)' "$st")"
check_eq "a second create changes nothing and says so" "0 0" \
    "$(rc create-create-again) $(py 'd["changed"]' "$O/create-create-again.out")"
check_eq "every applied step of the second run was 'already done' or 'skipped'" "True" \
    "$(py 'all(s["result"] in ("already done","skipped") for s in d["applied"])' "$O/create-create-again.out")"
check_contains "XFS on data aligned to the stripe: su 512K (1024 sectors), sw 4" "unit = 128" "$(cat "$O/xfs-geometry")"
check_contains "... width = 4 x unit" "width = 512" "$(cat "$O/xfs-geometry")"
check_contains "data holds XFS labelled pool" "LABEL=pool" "$(cat "$O/data.blkid")"
check_contains "os holds ext4" "TYPE=ext4" "$(cat "$O/os.blkid")"
check_contains "os-esp holds FAT" "TYPE=vfat" "$(cat "$O/esp.blkid")"
check_eq "mdadm.conf lists the three arrays by UUID" 3 "$(grep -c '^ARRAY .*UUID=' "$O/mdadm.conf" || true)"
check_contains "fstab mounts the pool by UUID" " /srv/pool xfs " "$(cat "$O/fstab" 2> /dev/null)"
check_contains "the pool is mounted from md" "/srv/pool xfs" "$(cat "$O/pool.mount")"
check_eq "inventory: data members carry the md signature named data" "['WFK00ABC', 'WFK01ABC', 'WFK02ABC', 'WFK03ABC', 'WFK04ABC', 'WFK05ABC']" \
    "$(py 'sorted(x["serial"] for x in d["disks"] if any(s.get("array_name")=="data" for p in x["partitions"] for s in p["signatures"]))' "$O/create-disks.out")"
check_eq "inventory: they are in use" "True" \
    "$(py 'all(x["in_use"] for x in d["disks"] if x["serial"] and x["serial"].startswith("WFK0") and x["serial"]!="WFK06ABC")' "$O/create-disks.out")"
check_eq "after the pull: degraded or rebuilding at once" "True" \
    "$(py '(lambda a: a["degraded"] > 0 or a["sync_action"] == "recover")(d["arrays"][0])' "$O/create-status-pulled.out")"
check_eq "the spare rebuilt it: 5 active, degraded 0" "5 0" \
    "$(py '(lambda a: "%d %d" % (sum(m["role"]=="active" and m["state"]=="in_sync" for m in a["members"]), a["degraded"]))(d["arrays"][0])' "$O/create-status-rebuilt.out")"
check_eq "a failed member without a spare: degraded 1" 1 "$(py 'd["arrays"][0]["degraded"]' "$O/create-status-failed.out")"
check_eq "raid replace exits 0" 0 "$(rc create-replace)"
check_eq "after replace: degraded 0, no faulty member" "0 0" \
    "$(py '(lambda a: "%d %d" % (a["degraded"], sum("faulty" in (m["state"] or "") for m in a["members"])))(d["arrays"][0])' "$O/create-status-replaced.out")"
check_eq "add-spare (the old disk, wiped) exits 0 and shows 1 spare" "0 1" \
    "$(rc create-add-spare) $(py 'sum(m["role"]=="spare" for m in d["arrays"][0]["members"])' "$O/create-status-spare.out")"
check_eq "scrub: check finished, 0 mismatches" "0 0" "$(rc create-scrub) $(py 'd["mismatch_cnt"]' "$O/create-scrub.out")"
check_eq "stop exits 0; status then says it is not running (exit 1)" "0 1" "$(rc create-stop) $(rc create-status-stopped)"
check_eq "assemble exits 0" 0 "$(rc create-assemble)"
check_eq "the payload reads back after stop + assemble" "$(cat "$O/payload.sum")" "$(cat "$O/payload.after-assemble" 2> /dev/null)"
check_eq "destroy without --yes is refused (exit 3)" 3 "$(rc create-refuse-destroy)"
check_eq "the canary disk is untouched (first and last 32 MiB)" "$(cat "$O/canary.before")" "$(cat "$O/canary.after" 2> /dev/null)"

# ---- boot 2: reboot ----------------------------------------------------------------------
# the new disk stays in bay 2 (QEMU gives the bay the table's identity again,
# WFK02ABC; md goes by its superblocks, not by serials)
mv "$LAB_WORK/disks/new1.img" "$(lab_disk_img hdd2)"
rc=0
LAB_UDEV=1 lab_boot reboot "$HERE/guest/raid.sh" > /dev/null || rc=$?
check_eq "boot reboot: guest checks pass" 0 "$rc"
check_eq "same array names and UUIDs after the reboot" "$(cat "$O/uuids.before")" "$(cat "$O/uuids.after" 2> /dev/null)"
check_eq "the payload reads back after the reboot" "$(cat "$O/payload.sum")" "$(cat "$O/payload.after-reboot" 2> /dev/null)"
check_eq "destroy --yes exits 0" 0 "$(rc reboot-destroy)"
check_eq "after destroy the array is gone and its members carry no superblock" "1 1" \
    "$(rc reboot-examine) $(cat "$O/reboot-examine.rc")"
check_eq "the canary is still untouched after reboot and destroy" "$(cat "$O/canary.before") $(cat "$O/canary.before")" \
    "$(cat "$O/canary.after-reboot" 2> /dev/null) $(cat "$O/canary.after-destroy" 2> /dev/null)"

# ---- boot 3: kill -9 during create, on fresh disks ----------------------------------------
lab_reset_disks
rc=0
LAB_UDEV=1 lab_boot kill "$HERE/guest/raid.sh" > /dev/null || rc=$?
check_eq "boot kill: guest script exit 0" 0 "$rc"
# one chain of runs: the run killed during step k, then the one after it
# (killed during the next step of KILL_STEPS, or the last run, to the end)
set -- $KILL_STEPS
while [ $# -gt 0 ]; do
    k=$1 next=${2:-}
    shift
    check_eq "step $k had started, and hostctl still ran, when it was killed" "1 1" \
        "$(cat "$O/kill-$k.reached" "$O/kill-$k.killed" 2> /dev/null | tr '\n' ' ' | sed 's/ $//')"
    step=$(grep -m1 "^\[ *$k/" "$O/kill-$k.log" 2> /dev/null)
    ran=$(tr '\n' ' ' < "$O/kill-$k.children" 2> /dev/null)
    echo "# kill during $step; running then: ${ran:-nothing}; waited $(cat "$O/kill-$k.waited" 2> /dev/null) x 0.1 s for it"
    case $step in
        *"] make "*) check_contains "... in the middle of its mkfs" "mkfs." "$ran" ;;
    esac
    if [ -n "$next" ]; then
        after=$(cat "$O/kill-$next.log" 2> /dev/null)
        check_eq "... the run after it got past step $k, to step $next" 1 "$(cat "$O/kill-$next.reached" 2> /dev/null)"
    else
        after=$(cat "$O/kill-rerun.err" "$O/kill-rerun.out" 2> /dev/null)
        check_eq "... the run after it went to the end: exit 0" 0 "$(rc kill-rerun)"
    fi
    if [ -s "$O/kill-$k.stopped" ]; then
        echo "# stopped after the kill: $(tr "\n" " " < "$O/kill-$k.stopped")"
        check_contains "... the data array, stopped after the kill, was assembled from its superblocks" \
            "assembled from the superblocks an earlier run wrote" "$after"
    fi
done
check_eq "after the kills: os-esp, os, data with 2, 2, 5+1 members, none degraded" "os-esp:2:0 os:2:0 data:6:0" \
    "$(py '" ".join("%s:%d:%d" % (a["name"], len(a["members"]), a["degraded"]) for n in ("os-esp","os","data") for a in d["arrays"] if a["name"]==n)' "$O/kill-status.out")"
check_eq "... and one more run changes nothing" 0 "$(py 'd["changed"]' "$O/kill-again.out")"
check "one kill hit the creation of the data array, which was then stopped" \
    sh -c "cat '$O'/kill-*.stopped 2> /dev/null | grep -q 'mdadm: stopped /dev/md'"
fi

# ---- boot 4: each lifecycle operation through hostctl and through hostd's API ----------------
LAB_HDD_SIZE=256M lab_reset_disks
rc=0
T4=$SECONDS
LAB_UDEV=1 lab_boot life "$HERE/guest/raid.sh" > /dev/null || rc=$?
check_eq "boot life: guest script exit 0" 0 "$rc"
# what a step left, the same for either front end: the array (level, devices,
# degraded, each member's kernel name, role and state), which disks carry a
# superblock naming it, its mdadm.conf lines, its fstab line (UUIDs out)
left() {
    python3 - "$O/life-$1-$2" << 'PY' 2> /dev/null || echo "(unreadable)"
import json, re, sys
f = sys.argv[1]
rc = open(f + ".status-rc").read().strip()
if rc == "0":
    a = json.load(open(f + ".status"))["arrays"][0]
    arr = "%s/%d/degraded %d: %s" % (a["level"], a["raid_disks"], a["degraded"],
        " ".join(sorted("%s:%s:%s" % (m["dev"], m["role"], m["state"]) for m in a["members"])))
else:
    arr = "not running"
sb = " ".join(l.split()[0] + "=" + (l.split()[1] if len(l.split()) > 1 else "-") for l in open(f + ".sb"))
fstab = re.sub(r"UUID=\S+", "UUID=*", open(f + ".fstab").read().strip()) or "-"
print("%s | superblocks %s | mdadm.conf lines %s | fstab %s" % (arr, sb, open(f + ".conf").read().strip(), fstab))
PY
}
for step in created spare removed replaced refused grown scrubbed stopped assembled destroyed; do
    echo "# $step (hostctl): $(left cli $step)"
    check_eq "life: after $step, hostd's API left what hostctl left" "$(left cli $step)" "$(left api $step)"
done
for op in add-spare remove replace grow scrub stop assemble destroy; do
    check_eq "life: hostctl raid $op exits 0" 0 "$(rc "life-cli-$op")"
    check_contains "life: the API's $op is a task that completed" '"TaskState":"Completed"' \
        "$(tr -d ' \n' < "$O/life-api-$op.task" 2> /dev/null)"
done
check_contains "life: the pool's fstab line has nofail and a device timeout" "defaults,nofail,x-systemd.device-timeout=90s 0 2" \
    "$(cat "$O/life-cli-created.fstab" 2> /dev/null)"
check_contains "life: add-spare: one spare" ":spare:" "$(left cli spare)"
check_contains "life: replace: not degraded, 3 devices" "raid5/3/degraded 0" "$(left cli replaced)"
check_eq "life: replace with a --failed disk that is no member: refused (exit 3)" 3 "$(rc life-cli-replace-refused)"
check_contains "... naming the disk and the members" "disk WFK05ABC is not a member of /dev/md" \
    "$(cat "$O/life-cli-replace-refused.err" 2> /dev/null)"
check_contains "... and the API answers 409 with the same words" "disk WFK05ABC is not a member of /dev/md" \
    "$(cat "$O/life-api-replace-refused.out" 2> /dev/null)"
check_contains "... 409" "HTTP 409" "$(cat "$O/life-api-replace-refused.out" 2> /dev/null)"
check_contains "life: grow: 4 devices" "raid5/4/degraded 0" "$(left cli grown)"
check_contains "life: stop: not running" "not running" "$(left cli stopped)"
check_eq "life: destroy: no array, no superblock on its disks, no mdadm.conf or fstab line" \
    "not running | superblocks hdd0=- hdd1=- hdd2=- hdd3=- | mdadm.conf lines 0 | fstab -" "$(left cli destroyed)"
echo "# t-raid: the life boot took $((SECONDS - T4)) s"
lab_report
echo "# t-raid: $((SECONDS - T0)) s in all"
tap_done
