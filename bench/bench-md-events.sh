#!/bin/bash
# bench-md-events.sh: how soon hostd reports a failed or pulled RAID member,
# against `mdadm --monitor` run beside it, in the virtual R630 (udevd running,
# udev's mdadm rules installed as on a Debian host). One run of each case:
#   fail     `mdadm --fail` of a member of an idle RAID 5 (md0)
#   idle     a member of an idle RAID 5 (md1) unplugged through QMP
#   loaded   a member of a mounted RAID 1 (md2) under write load, unplugged
# From the kernel's event (the "remove" uevent of the disk; for `fail`, md's
# notification that the member's state changed) to the webhook receiver's receipt of hostd's
# MemberFailed and ArrayDegraded POSTs, and to mdadm --monitor's program call
# (one clock: CLOCK_MONOTONIC in the guest). Goal: MemberFailed <= 100 ms and
# ArrayDegraded <= 150 ms, never later than mdadm --monitor. Not a test: no
# verdict. Under TCG emulation every figure is several times a real server's.
# hostd has sent one event (a test event) before the cases, as a hostd that
# has been running has; that first one is timed apart.
# BENCH_KEEP=DIR keeps the guest's logs (the receiver's, hostd's) there.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/lab/lab.sh"
HOSTD=${HOSTD:-$here/../build/hostd}
if why=$(lab_skip_reason); then echo "bench-md-events: skipped: $why"; exit 0; fi
[ -x "$HOSTD" ] || { echo "bench-md-events: no $HOSTD (make first)"; exit 1; }

T=$(mktemp -d /tmp/hostd-bench-mdev.XXXXXX)
trap 'rm -rf "$T"' EXIT
${CC:-cc} -O2 -o "$T/hostd-webhook" "$here/../tests/lab/hostd-webhook.c" -lmicrohttpd -ludev -lcurl ||
    { echo "bench-md-events: cannot build the webhook receiver"; exit 1; }
lab_init
trap 'lab_cleanup; rm -rf "$T"' EXIT
lab_stage "$HOSTD:/usr/local/sbin/hostd" "$T/hostd-webhook:/usr/local/bin/hostd-webhook"

cat > "$T/guest.sh" << 'EOS'
. /lab/lib.sh
O=/mnt/host/out
R=$O/webhook.log
: > $R
create() {   # create MD LEVEL DISK...
    _md=$1 _lvl=$2; shift 2
    _devs=""; for _d in "$@"; do _devs="$_devs $(lab_disk "$_d")"; done
    mdadm --create "/dev/$_md" --level="$_lvl" --raid-devices=$# --assume-clean --run --metadata=1.2 $_devs \
        > /dev/null 2>&1
}
create md0 5 hdd0 hdd1 hdd2 || exit 10
create md1 5 hdd3 hdd4 hdd5 || exit 10
create md2 1 ssd0 ssd1 || exit 10
lab_settle
mkfs.ext4 -q /dev/md2 && mkdir -p /mnt/pool && mount /dev/md2 /mnt/pool || exit 11
for d in hdd1 hdd4 ssd1; do echo "$d $(basename "$(readlink -f "$(lab_disk $d)")")"; done > $O/names.txt
printf '#!/bin/sh\nexec hostd-webhook stamp %s MDMON "$@"\n' "$R" > /tmp/mdmon-program
chmod +x /tmp/mdmon-program
mdadm --monitor --scan --delay=1 --program=/tmp/mdmon-program > $O/mdmon.out 2>&1 &
hostd-webhook listen 8099 $R > /dev/null 2> $O/webhook.err &
hostd -f --state-dir /tmp/hostd --socket /run/hostd/hostd.sock --pid-file /run/hostd/hostd.pid > $O/hostd.out 2>&1 &
i=0; while [ ! -S /run/hostd/hostd.sock ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1
hostd-webhook subscribe /run/hostd/hostd.sock http://127.0.0.1:8099/hook > $O/subscribe.txt || exit 12
sleep 2
# hostd sends one event before the cases, as a hostd that has been running
# has: the first POST after its start pays for libcurl's first transfer and
# the connection (cold code under TCG), timed on its own as "first-event"
hostd-webhook stamp $R CASE first-event
hostd-webhook request /run/hostd/hostd.sock POST /redfish/v1/EventService/Actions/EventService.SubmitTestEvent '{}' \
    > /dev/null
sleep 2
hostd-webhook stamp $R CASE fail md0
# the kernel's event of a --fail: md's dev-X/state, which hostd polls too
hostd-webhook watch $R "/sys/block/md0/md/dev-$(basename "$(readlink -f "$(lab_disk hdd1)")")/state" &
watcher=$!
sleep 1
mdadm /dev/md0 --fail "$(lab_disk hdd1)" > /dev/null 2>&1
sleep 3
kill $watcher
hostd-webhook stamp $R CASE idle md1
lab_ready idle
lab_wait_signal unplugged-idle 120 || exit 13
sleep 3
( while :; do dd if=/dev/zero of=/mnt/pool/load bs=1M count=16 conv=fsync 2> /dev/null; done ) &
load=$!
sleep 2
hostd-webhook stamp $R CASE loaded md2
lab_ready loaded
lab_wait_signal unplugged-loaded 120 || exit 13
sleep 5
kill $load
kill "$(cat /run/hostd/hostd.pid)" $(lab_pids mdadm hostd-webhook) 2> /dev/null
wait $load
umount /mnt/pool
exit 0
EOS

lab_reset_disks
lab_boot_bg mdevents "$T/guest.sh"
lab_wait_marker "@@LAB-READY idle@@" 300 && lab_unplug hdd4 && lab_signal unplugged-idle
lab_wait_marker "@@LAB-READY loaded@@" 120 && lab_unplug ssd1 && lab_signal unplugged-loaded
rc=0; lab_wait > "$T/guest.txt" 2>&1 || rc=$?
[ "$rc" = 0 ] || { sed 's/^/  /' "$T/guest.txt" | tail -n 30; echo "bench-md-events: the guest failed ($rc)"; exit 1; }
W=$LAB_SHARE/out/webhook.log
[ -n "${BENCH_KEEP:-}" ] && mkdir -p "$BENCH_KEEP" && cp -r "$LAB_SHARE/out/." "$BENCH_KEEP/"
echo "from the kernel's event (remove uevent; for fail, md's dev-X/state change) to the receipt, ms (TCG emulation):"
printf '  %-8s %14s %14s %16s\n' case MemberFailed ArrayDegraded "mdadm --monitor"
for c in fail:md0:hdd1 idle:md1:hdd4 loaded:md2:ssd1; do
    IFS=: read -r name md disk <<< "$c"
    dev=$(awk -v d="$disk" '$1 == d { print $2 }' "$LAB_SHARE/out/names.txt")
    awk -v name="$name" -v md="$md" -v dev="$dev" '
        $1 == "CASE" && $3 == name { on = 1; next }
        $1 == "CASE" && on { exit }
        !on { next }
        $1 == "REMOVE" && $3 == dev && !k { k = $2 }
        $1 == "CHANGE" && name == "fail" && !k { k = $2 }
        $1 == "POST" && /MemberFailed/ && index($0, "array " md ":") && !mf { mf = $2 }
        $1 == "POST" && /ArrayDegraded/ && index($0, "array " md " ") && !ad { ad = $2 }
        $1 == "MDMON" && ($4 == "/dev/" md || $4 == "/dev/md/" substr(md, 3)) && $3 ~ /Fail|Degraded/ && !mm { mm = $2 }
        function d(t) { return t ? sprintf("%.0f", t - k) : "none" }
        END {
            if (!k) { printf "  %-8s no kernel event seen\n", name; exit }
            printf "  %-8s %14s %14s %16s\n", name, d(mf), d(ad), d(mm)
        }' "$W"
done
echo "goal: MemberFailed <= 100, ArrayDegraded <= 150, and neither later than mdadm --monitor"
awk '$1 == "CASE" && $3 == "first-event" { t = $2 } t && $1 == "POST" && /TestEvent/ { printf "the first event after hostd started (a test event, before the cases): %.0f ms from the request to the receipt\n", $2 - t; exit }' "$W"
