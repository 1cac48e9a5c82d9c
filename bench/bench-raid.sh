#!/bin/bash
# bench-raid.sh - `hostctl raid create --yes` against a plain shell script
# running the same sgdisk / mdadm / mkfs commands on the same disks of the
# virtual R630, recreated between runs; medians of N runs each, alternating.
# Boot 1 captures the plan (the exact argv of every step); the host writes
# the baseline script from it; boot 2 times both. Prints both and the ratio.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
export LAB_SSD_SIZE=${LAB_SSD_SIZE:-2G} LAB_HDD_SIZE=${LAB_HDD_SIZE:-1G}
. "$TOP/tests/lab/lab.sh"
HOSTCTL=${HOSTCTL:-$TOP/build/hostctl}
N=${N:-3}
if why=$(lab_skip_reason); then echo "bench-raid: skipped: $why"; exit 0; fi
lab_init
lab_stage "$HOSTCTL:/usr/local/bin/hostctl"
cp "$TOP/tests/lab/r630-lab.yaml" "$LAB_SHARE/spec.yaml"
O=$LAB_SHARE/out

cat > "$LAB_WORK/bench-plan.sh" <<'GUEST'
hostctl raid plan --spec /mnt/host/spec.yaml --json > /mnt/host/out/plan.json
GUEST
LAB_QUIET=1 lab_boot plan "$LAB_WORK/bench-plan.sh" > /dev/null

# the baseline: the plan's commands, plus the settles and files a careful
# script needs (no state checks: it runs on blank disks only)
python3 - "$O/plan.json" > "$LAB_SHARE/baseline.sh" <<'PY'
import json, shlex, sys
plan = json.load(open(sys.argv[1]))
print("set -e")
for s in plan["steps"]:
    if s["kind"] == "create-array":
        print(shlex.join(s["argv"][:4] + ["--assume-clean"] + s["argv"][4:]))
        print("udevadm settle")
    elif s["kind"] == "partition":
        print(shlex.join(s["argv"])); print("udevadm settle")
    elif s["argv"] and s["kind"] in ("mkfs",):
        # forced, as hostctl does on a new array: the last run's filesystem shows through
        force = {"mkfs.xfs": ["-f"], "mkfs.ext4": ["-F"]}.get(s["argv"][0], [])
        print(shlex.join(s["argv"][:1] + force + s["argv"][1:]))
    elif s["kind"] == "mdadm-conf":
        for a in plan["arrays"]:
            print("mdadm --detail --brief /dev/md/%s >> /etc/mdadm/mdadm.conf" % a["name"])
    elif s["kind"] == "fstab":
        print("echo \"UUID=$(blkid -s UUID -o value /dev/md/data) /srv/pool xfs defaults 0 2\" >> /etc/fstab")
    elif s["kind"] == "mount":
        print("mkdir -p /srv/pool"); print(shlex.join(s["argv"]))
PY

cat > "$LAB_WORK/bench-run.sh" <<'GUEST'
. /lab/lib.sh
reset() {
    umount /srv/pool 2> /dev/null; mdadm --stop --scan > /dev/null 2>&1
    for d in /sys/block/sd*; do
        for p in /dev/${d##*/}[0-9]*; do [ -b "$p" ] && mdadm --zero-superblock "$p" > /dev/null 2>&1; done
        wipefs -a -q "/dev/${d##*/}"
    done
    printf 'HOMEHOST <system>\nDEVICE partitions\n' > /etc/mdadm/mdadm.conf; : > /etc/fstab
    lab_settle
}
now() { cut -d' ' -f1 /proc/uptime; }
for i in $(seq "$N"); do
    for who in hostctl baseline; do
        reset
        t0=$(now)
        if [ $who = hostctl ]; then
            hostctl raid create --spec /mnt/host/spec.yaml --yes --assume-clean > /dev/null 2>&1 || echo "@@FAIL hostctl@@"
        else
            sh /mnt/host/baseline.sh > /mnt/host/out/baseline-$i.log 2>&1 || echo "@@FAIL baseline@@"
        fi
        echo "@@B $who $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')@@"
    done
done
GUEST
lab_env "N=$N"
LAB_QUIET=1 lab_boot bench "$LAB_WORK/bench-run.sh" > /dev/null || true
log=$(lab_console bench)
grep -q '@@FAIL' "$log" && { echo "bench-raid: a run failed:"; grep -a '@@FAIL' "$log"; exit 1; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
h=$(grep -ao '@@B hostctl [0-9.]*' "$log" | awk '{ print $3 }' | median)
b=$(grep -ao '@@B baseline [0-9.]*' "$log" | awk '{ print $3 }' | median)
echo "raid create of the R630 layout (os RAID 1 + ESP, data RAID 5 of 5 + spare, mkfs, mdadm.conf, fstab, mount),"
echo "virtual R630 under TCG, median of $N runs each, disks recreated between runs:"
printf '  hostctl raid create --yes   %6.2f s\n  plain shell script           %6.2f s\n  ratio                        %6.2f (goal <= 1.05)\n' \
    "$h" "$b" "$(awk -v a="$h" -v b="$b" 'BEGIN { print a / b }')"
