#!/bin/bash
# bench-inventory.sh: `hostctl disks --json` (local, and through hostd:
# `hostctl --host unix://... disks --json`, which hostd answers from its
# inventory in memory) against `lsblk -J -O -b` in the same guest of the
# virtual R630 (udevd running), interleaved, median of many runs: for the 9
# lab disks, then for 256 more made by scsi_debug.
# Prints the times, the ratios to lsblk (goals: local <= 1.0, through hostd
# <= 0.2) and the time per disk (goal: flat, i.e. time linear in the number
# of disks). Also the floor under "through hostd": `hostctl --version`, the
# start of the same program with no work (its libraries loaded and
# relocated), beside `lsblk --version`; what "through hostd" costs above
# that floor is the request (libcurl's loading, the HTTP exchange, the JSON
# printed). And `hostctl disks --probe`: every disk read by libblkid, as a
# plan that decides writes reads them. Not a test: no verdict.
#   BENCH_ROUNDS_SMALL (default 7) rounds of BENCH_BATCH (default 10) runs each
#   BENCH_ROUNDS_LARGE (default 5) runs with 265 disks
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/lab/lab.sh"
HOSTCTL=${HOSTCTL:-$here/../build/hostctl}
HOSTD=${HOSTD:-$here/../build/hostd}
if why=$(lab_skip_reason); then echo "bench-inventory: skipped: $why"; exit 0; fi
[ -x "$HOSTCTL" ] && [ -x "$HOSTD" ] || { echo "bench-inventory: no $HOSTCTL or $HOSTD (make first)"; exit 1; }

T=$(mktemp -d /tmp/hostd-bench-inv.XXXXXX)
lab_init
trap 'lab_cleanup; rm -rf "$T"' EXIT
lab_stage "$HOSTCTL:/usr/local/bin/hostctl" "$HOSTD:/usr/local/sbin/hostd"
lab_env "ROUNDS_SMALL=${BENCH_ROUNDS_SMALL:-7}" "BATCH=${BENCH_BATCH:-10}" \
    "ROUNDS_LARGE=${BENCH_ROUNDS_LARGE:-5}"

cat > "$T/bench.sh" << 'EOF'
. /lab/lib.sh
R=/mnt/host/out/bench.txt
: > $R
up() { cut -d' ' -f1 /proc/uptime; }
# batch DISKS TOOL N: run TOOL N times; one line "DISKS TOOL ms-per-run"
batch() {
    _t0=$(up)
    _i=0
    while [ $_i -lt "$3" ]; do
        case $2 in
            hostctl) hostctl disks --json > /dev/null ;;
            probe) hostctl disks --probe --json > /dev/null ;;
            hostd) hostctl --host $H disks --json > /dev/null ;;
            lsblk) lsblk -J -O -b > /dev/null ;;
            hostctl-start) hostctl --version > /dev/null ;;
            lsblk-start) lsblk --version > /dev/null ;;
        esac || echo "$2 failed" >&2
        _i=$((_i + 1))
    done
    awk -v a="$_t0" -v b="$(up)" -v n="$3" -v d="$1" -v t="$2" \
        'BEGIN { printf "%s %s %.1f\n", d, t, (b - a) * 1000 / n }' >> $R
}
ndisks() { ls -d /sys/block/sd* | wc -l; }
# hostd's count of disks (the table's lines less the header)
hostd_ndisks() { echo $(($(hostctl --host $H disks 2>/dev/null | wc -l) - 1)); }
H=unix:///run/hostd/hostd.sock
mkdir -p /run/hostd
hostd --state-dir /tmp/hostd --socket /run/hostd/hostd.sock --pid-file /run/hostd/hostd.pid > /mnt/host/out/hostd.out 2>&1 &
i=0; while [ ! -S /run/hostd/hostd.sock ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
# the outputs, for the record: what each reports
hostctl disks --json > /mnt/host/out/hostctl-9.json
lsblk -J -O -b > /mnt/host/out/lsblk-9.json
hostctl --host $H disks --json > /mnt/host/out/hostd-9.json
n=$(ndisks)
r=0
while [ $r -lt "$ROUNDS_SMALL" ]; do
    batch "$n" hostctl "$BATCH"
    batch "$n" hostd "$BATCH"
    batch "$n" lsblk "$BATCH"
    batch "$n" probe "$BATCH"
    batch "$n" hostctl-start "$BATCH"
    batch "$n" lsblk-start "$BATCH"
    r=$((r + 1))
done
lab_t_start scsi_debug
modprobe scsi_debug add_host=4 num_tgts=1 max_luns=64 dev_size_mb=16 delay=0 || exit 10
i=0
while [ "$(ndisks)" -lt $((n + 256)) ] && [ $i -lt 600 ]; do sleep 0.5; i=$((i + 1)); done
udevadm settle --timeout=300
n=$(ndisks)
# hostd's monitor takes the new disks from their uevents
i=0
while [ "$(hostd_ndisks)" -lt "$n" ] && [ $i -lt 600 ]; do sleep 0.5; i=$((i + 1)); done
lab_t_end scsi_debug
hostctl disks --json > /mnt/host/out/hostctl-large.json
lsblk -J -O -b > /mnt/host/out/lsblk-large.json
hostctl --host $H disks --json > /mnt/host/out/hostd-large.json
r=0
while [ $r -lt "$ROUNDS_LARGE" ]; do
    batch "$n" hostctl 1
    batch "$n" hostd 1
    batch "$n" lsblk 1
    batch "$n" probe 1
    r=$((r + 1))
done
exit 0
EOF

LAB_QUIET=1 LAB_MEM=${LAB_MEM:-2048} LAB_TIMEOUT=${LAB_TIMEOUT:-1800} lab_boot bench-inventory "$T/bench.sh" || {
    echo "bench-inventory: the guest failed (rc $LAB_RC)"
    exit 1
}
python3 - "$LAB_SHARE/out" << 'EOF'
import json, statistics, sys
out = sys.argv[1]
runs = {}
for line in open(f"{out}/bench.txt"):
    d, tool, ms = line.split()
    runs.setdefault(int(d), {}).setdefault(tool, []).append(float(ms))

def fields(path, key):
    try:
        doc = json.load(open(path))
    except (OSError, ValueError):
        return 0, 0
    items = doc[key]
    flat = []
    def walk(x):
        flat.append(x)
        for c in x.get("children", []):
            walk(c)
    for x in items:
        walk(x)
    return len(items), sum(len(x) for x in flat) // max(len(flat), 1)

print(f"{'disks':>6} {'hostctl ms':>11} {'via hostd ms':>13} {'lsblk ms':>9} {'ratio':>6} {'hostd ratio':>12}"
      f" {'hostctl ms/disk':>16} {'lsblk ms/disk':>14}  runs")
for d in sorted(runs):
    h, l = statistics.median(runs[d]["hostctl"]), statistics.median(runs[d]["lsblk"])
    v = statistics.median(runs[d]["hostd"]) if runs[d].get("hostd") else float("nan")
    print(f"{d:>6} {h:>11.1f} {v:>13.1f} {l:>9.1f} {h / l:>6.2f} {v / l:>12.2f}"
          f" {h / d:>16.2f} {l / d:>14.2f}  {len(runs[d]['hostctl'])}")
print("goals: ratio (local / lsblk) <= 1.0, hostd ratio (through hostd / lsblk) <= 0.2")
for d in sorted(runs):
    if not runs[d].get("hostctl-start"):
        continue
    s, ls = statistics.median(runs[d]["hostctl-start"]), statistics.median(runs[d]["lsblk-start"])
    l, v = statistics.median(runs[d]["lsblk"]), statistics.median(runs[d]["hostd"])
    print(f"floor ({d} disks): hostctl --version {s:.1f} ms = {s / l:.2f}x lsblk (lsblk --version {ls:.1f} ms); "
          f"through hostd above that floor: {v - s:.1f} ms = {(v - s) / l:.2f}x lsblk")
for d in sorted(runs):
    if runs[d].get("probe"):
        p, l = statistics.median(runs[d]["probe"]), statistics.median(runs[d]["lsblk"])
        print(f"what a plan that decides writes reads ({d} disks): hostctl disks --probe {p:.1f} ms = {p / l:.2f}x lsblk")
for tag in ("9", "large"):
    hn, hf = fields(f"{out}/hostctl-{tag}.json", "disks")
    vn, _ = fields(f"{out}/hostd-{tag}.json", "disks")
    ln, lf = fields(f"{out}/lsblk-{tag}.json", "blockdevices")
    print(f"reported ({tag}): hostctl {hn} disks, {hf} fields each (+ partitions, signatures, use); "
          f"through hostd {vn} disks; lsblk {ln} devices, {lf} columns each")
EOF
