#!/bin/bash
# bench-raid-io.sh: RAID 5 write speed with md's defaults against hostd's
# tuning (raid/tuning.h), same array, same run, in the virtual R630: the pool
# is made by `hostctl raid create` (5 HDDs, chunk 512K, --assume-clean), then
# fio writes to /dev/md/data, alternating md's defaults (stripe_cache_size
# 256, group_thread_cnt 0, the system's sync floor) and hostd's settings,
# BENCH_ROUNDS rounds (default 2), each: sequential 1 MiB writes and random
# 4 KiB writes, O_DIRECT, BENCH_SECS seconds each (default 15).
# Prints MiB/s and IOPS of each and the ratio hostd/defaults. Not a test.
# Under TCG emulation the disks are files on the host and every instruction
# is emulated: what this shows is whether the stripe cache saves md its
# read-modify-write cycles, not what an R630's disks would do.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/lab/lab.sh"
HOSTCTL=${HOSTCTL:-$here/../build/hostctl}
if why=$(lab_skip_reason); then echo "bench-raid-io: skipped: $why"; exit 0; fi
[ -x "$HOSTCTL" ] || { echo "bench-raid-io: no $HOSTCTL (make first)"; exit 1; }
FIO=$(command -v fio) || { echo "bench-raid-io: skipped: no fio (make bench installs it)"; exit 0; }

T=$(mktemp -d /tmp/hostd-bench-rio.XXXXXX)
trap 'rm -rf "$T"' EXIT
lab_init
trap 'lab_cleanup; rm -rf "$T"' EXIT
lab_stage "$HOSTCTL:/usr/local/bin/hostctl" "$FIO:/usr/local/bin/fio"
lab_env "ROUNDS=${BENCH_ROUNDS:-2}" "SECS=${BENCH_SECS:-15}"
cat > "$LAB_SHARE/pool.yaml" << 'EOF'
storage:
  arrays:
    - name: data
      level: raid5
      chunk: 512K
      disks: {serials: [WFK00ABC, WFK01ABC, WFK02ABC, WFK03ABC, WFK04ABC]}
EOF

cat > "$T/guest.sh" << 'EOS'
. /lab/lib.sh
O=/mnt/host/out
hostctl --json raid create --spec /mnt/host/pool.yaml --yes --assume-clean > $O/create.json 2> $O/create.err || exit 10
md=/sys/block/$(basename "$(readlink -f /dev/md/data)")/md
cat $md/stripe_cache_size $md/group_thread_cnt $md/sync_speed_min > $O/tuned.txt
# shellcheck disable=SC2046
set -- $(cat $O/tuned.txt)   # "1024" "0" "50000" "(local)": what hostd set
cache=$1 threads=$2 floor=$3
set_md() { echo "$1" > $md/stripe_cache_size; echo "$2" > $md/group_thread_cnt; echo "$3" > $md/sync_speed_min; }
job() {   # job NAME RW BS DEPTH
    fio --name="$1" --filename=/dev/md/data --rw="$2" --bs="$3" --iodepth="$4" --ioengine=libaio --direct=1 \
        --time_based --runtime="$SECS" --size=4G --group_reporting --output-format=json > "$O/fio-$1.json" 2>&1
}
r=1
while [ "$r" -le "$ROUNDS" ]; do
    set_md 256 0 system
    job "default-seq-$r" write 1M 8
    job "default-rand-$r" randwrite 4k 16
    set_md "$cache" "$threads" "$floor"
    job "hostd-seq-$r" write 1M 8
    job "hostd-rand-$r" randwrite 4k 16
    r=$((r + 1))
done
exit 0
EOS

lab_reset_disks
LAB_SYSROOT=9p LAB_UDEV=1 LAB_TIMEOUT=$((600 + ${BENCH_ROUNDS:-2} * ${BENCH_SECS:-15} * 8)) \
    lab_boot rio "$T/guest.sh" > "$T/guest.txt" 2>&1
rc=$?
O=$LAB_SHARE/out
[ "$rc" = 0 ] || { tail -n 30 "$T/guest.txt"; cat "$O/create.err" 2> /dev/null; echo "bench-raid-io: the guest failed ($rc)"; exit 1; }
python3 - "$O" << 'EOF'
import glob, json, os, statistics, sys
out = sys.argv[1]
def load(p):
    with open(p) as f:
        text = f.read()
    return json.loads(text[text.index("{"):])["jobs"][0]["write"]
res = {}
for p in sorted(glob.glob(os.path.join(out, "fio-*.json"))):
    name = os.path.basename(p)[4:-5]            # default-seq-1
    setting, kind, _ = name.split("-")
    w = load(p)
    res.setdefault((setting, kind), []).append((w["bw"] / 1024.0, w["iops"]))
tuned = open(os.path.join(out, "tuned.txt")).read().split()
print("hostd's tuning of the 5-disk RAID 5: stripe_cache_size %s, group_thread_cnt %s, sync_speed_min %s" %
      (tuned[0], tuned[1], tuned[2]))
print("  %-28s %14s %14s %7s" % ("fio, O_DIRECT, /dev/md/data", "md defaults", "hostd", "ratio"))
for kind, label, unit, i in (("seq", "sequential write 1 MiB", "MiB/s", 0), ("rand", "random write 4 KiB", "IOPS", 1)):
    d = statistics.median(v[i] for v in res.get(("default", kind), [(0, 0)]))
    h = statistics.median(v[i] for v in res.get(("hostd", kind), [(0, 0)]))
    print("  %-28s %8.1f %-5s %8.1f %-5s %6.2fx" % (label, d, unit, h, unit, h / d if d else 0))
print("  (median of %d rounds each, interleaved)" % len(res.get(("hostd", "seq"), [])))
EOF
