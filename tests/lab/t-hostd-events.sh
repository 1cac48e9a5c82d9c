#!/bin/bash
# hostd in the virtual R630: a RAID 5 of 4 HDDs, hostd running with a webhook
# subscription, one member pulled out through QMP. The webhook receiver in the
# guest must get MemberFailed (and ArrayDegraded) events, syslog must have
# them, and the delay from the kernel's "remove" uevent of the disk to the
# webhook POST is printed (goal: < 1 s).
set -u
. "$(dirname "$0")/../host/tap.sh"
. "$(dirname "$0")/lab.sh"
HOSTD=${HOSTD:?HOSTD must name the hostd binary}
HOSTCTL=${HOSTCTL:?HOSTCTL must name the hostctl binary}

if why=$(lab_skip_reason); then
    skip "hostd events in the virtual R630" "$why"
    tap_done
    exit
fi
T=$(mktemp -d /tmp/hostd-lab-ev.XXXXXX)
trap 'lab_cleanup; rm -rf "$T"' EXIT
${CC:-cc} -O2 -o "$T/hostd-webhook" "$(dirname "$0")/hostd-webhook.c" -lmicrohttpd -ludev -lcurl ||
    { fail "build the webhook receiver"; tap_done; exit 1; }
lab_init
trap 'lab_cleanup; rm -rf "$T"' EXIT
lab_stage "$HOSTD:/usr/local/sbin/hostd" "$HOSTCTL:/usr/local/bin/hostctl" "$T/hostd-webhook:/usr/local/bin/hostd-webhook"

cat > "$T/guest.sh" << 'EOS'
. /lab/lib.sh
O=/mnt/host/out
mdadm --create /dev/md0 --name=data --homehost=r630 --level=5 --raid-devices=4 --assume-clean --run \
    "$(lab_disk hdd0)" "$(lab_disk hdd1)" "$(lab_disk hdd2)" "$(lab_disk hdd3)" || exit 10
lab_settle
busybox syslogd -O /tmp/messages || exit 11
# (background programs must not hold the console pipe: /init waits for its end)
hostd-webhook listen 8099 $O/webhook.log > /dev/null 2> $O/webhook.err &
webhook=$!
hostd-webhook listen 8098 $O/webhook-refusing.log 1 > /dev/null 2> $O/webhook2.err &
webhook2=$!
hostd --state-dir /tmp/hostd --socket /run/hostd/hostd.sock --pid-file /run/hostd/hostd.pid > $O/hostd.out 2>&1 &
i=0; while [ ! -S /run/hostd/hostd.sock ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1
hostd-webhook subscribe /run/hostd/hostd.sock http://127.0.0.1:8099/hook > $O/subscribe.txt || exit 12
hostd-webhook subscribe /run/hostd/hostd.sock http://127.0.0.1:8098/hook >> $O/subscribe.txt || exit 12
hostctl --host unix:///run/hostd/hostd.sock disks > $O/disks-api.txt
hostctl disks > $O/disks-local.txt
hostctl --host unix:///run/hostd/hostd.sock raid status --json > $O/status-api.json
hostctl raid status --json > $O/status-local.json
lab_ready hostd
lab_wait_signal unplugged 180 || exit 13
sleep 3
cp /tmp/messages $O/messages
cat /sys/block/md0/md/degraded > $O/degraded
hostctl --host unix:///run/hostd/hostd.sock raid status > $O/status-api-degraded.txt
hostctl raid status > $O/status-local-degraded.txt
sleep 2   # the retry to the refusing receiver comes 1 s after its 503
# a task stopped by SIGTERM between two steps, resumed after a restart
S=/run/hostd/hostd.sock
D=/redfish/v1/Systems/host/Storage/md/Drives
hostd-webhook request $S POST /redfish/v1/Systems/host/Storage/md/Volumes \
    "{\"Name\": \"scratch\", \"RAIDType\": \"RAID1\", \"Links\": {\"Drives\": [{\"@odata.id\": \"$D/WFK04ABC\"}, {\"@odata.id\": \"$D/WFK05ABC\"}]}}" \
    > $O/post-volume.txt
hostd_pid=$(cat /run/hostd/hostd.pid)
kill -TERM "$hostd_pid"
i=0; while kill -0 "$hostd_pid" 2> /dev/null && [ $i -lt 900 ]; do sleep 0.1; i=$((i + 1)); done
echo "$i" > $O/stop-tenths
task=$(grep -o '/redfish/v1/TaskService/Tasks/[0-9]*' $O/post-volume.txt | head -1)
hostd --state-dir /tmp/hostd --socket $S --pid-file /run/hostd/hostd.pid > $O/hostd2.out 2>&1 &
i=0; while [ ! -S $S ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1
hostd-webhook request $S GET "$task" > $O/task-after-stop.txt
hostd-webhook request $S POST "$task/Actions/Oem/Hostd.Resume" '{}' > $O/resume.txt
i=0
while [ $i -lt 180 ]; do
    hostd-webhook request $S GET "$task" > $O/task-final.txt
    grep -q '"TaskState": *"\(Completed\|Exception\)"' $O/task-final.txt && break
    sleep 1; i=$((i + 1))
done
mdadm --detail /dev/md/scratch > $O/scratch.txt 2>&1
cp /tmp/messages $O/messages-end
kill "$(cat /run/hostd/hostd.pid)" "$webhook" "$webhook2"
wait
exit 0
EOS

lab_boot_bg events "$T/guest.sh"
if lab_wait_marker "@@LAB-READY hostd@@" 300; then
    ok "the guest built a RAID 5 and started hostd"
    lab_unplug hdd1
    lab_signal unplugged
else
    fail "the guest built a RAID 5 and started hostd"
fi
rc=0; lab_wait || rc=$?
check_eq "the guest script ran to the end" 0 "$rc"
O=$LAB_SHARE/out
check_eq "hostctl --host prints the same disks as in-process, in the guest" "$(cat "$O/disks-local.txt" 2>/dev/null)" \
    "$(cat "$O/disks-api.txt" 2>/dev/null)"
check_eq "hostctl --host raid status --json is the in-process JSON" "$(cat "$O/status-local.json" 2>/dev/null)" \
    "$(cat "$O/status-api.json" 2>/dev/null)"
check_contains "... which shows the RAID 5" '"level":"raid5"' "$(tr -d ' \n' < "$O/status-api.json" 2>/dev/null)"
check_eq "after the pull, hostctl --host raid status prints the same text" "$(cat "$O/status-local-degraded.txt" 2>/dev/null)" \
    "$(cat "$O/status-api-degraded.txt" 2>/dev/null)"
check_contains "... DEGRADED" "DEGRADED (1 missing)" "$(cat "$O/status-api-degraded.txt" 2>/dev/null)"
log=$(cat "$O/webhook.log" 2>/dev/null)
check_contains "the webhook received MemberFailed" '"MessageId":"Hostd.1.0.MemberFailed"' "$log"
check_contains "and ArrayDegraded" '"MessageId":"Hostd.1.0.ArrayDegraded"' "$log"
check_contains "syslog has the MemberFailed event" "event MemberFailed" "$(cat "$O/messages" 2>/dev/null)"
refusing=$(cat "$O/webhook-refusing.log" 2>/dev/null)
check_contains "a receiver that answered 503 ..." "REFUSED " "$refusing"
first_refused=$(awk '$1 == "REFUSED" { for (i = 3; i <= NF; i++) if ($i ~ /"Id":/) { print $i; exit } }' "$O/webhook-refusing.log" 2>/dev/null)
check_contains "... got the same event again, 1 s later" "$first_refused" "$(awk '$1 == "POST"' "$O/webhook-refusing.log" 2>/dev/null)"
check_contains "POST Volumes (scratch, RAID 1) is accepted as a task" "HTTP 202" "$(cat "$O/post-volume.txt" 2>/dev/null)"
check_contains "SIGTERM right after: hostd let the step end, then recorded the task Interrupted" '"TaskState":"Interrupted"' \
    "$(cat "$O/task-after-stop.txt" 2>/dev/null)"
echo "# hostd stopped $(awk '{ printf "%.1f", $1 / 10 }' "$O/stop-tenths" 2>/dev/null) s after SIGTERM"
check_contains "the first hostd said it waited for the running step" "to finish their current step" "$(cat "$O/messages-end" 2>/dev/null)"
check_contains "after a restart, Hostd.Resume is accepted" "HTTP 2" "$(cat "$O/resume.txt" 2>/dev/null)"
check_contains "... and the resumed task completes" '"TaskState":"Completed"' "$(cat "$O/task-final.txt" 2>/dev/null)"
check_contains "... /dev/md/scratch runs: RAID 1 of WFK04ABC and WFK05ABC" "Raid Level : raid1" "$(cat "$O/scratch.txt" 2>/dev/null)"
check_eq "md agrees: one member missing" 1 "$(cat "$O/degraded" 2>/dev/null)"
t_rm=$(awk '$1 == "REMOVE" { print $2; exit }' "$O/webhook.log" 2>/dev/null)
t_mf=$(awk '$1 == "POST" && /MemberFailed/ { print $2; exit }' "$O/webhook.log" 2>/dev/null)
t_ad=$(awk '$1 == "POST" && /ArrayDegraded/ { print $2; exit }' "$O/webhook.log" 2>/dev/null)
if [ -n "$t_rm" ] && [ -n "$t_mf" ]; then
    d=$(awk -v a="$t_rm" -v b="$t_mf" 'BEGIN { printf "%.0f", b - a }')
    d2=$(awk -v a="$t_rm" -v b="${t_ad:-$t_rm}" 'BEGIN { printf "%.0f", b - a }')
    echo "# measured: kernel remove uevent -> MemberFailed webhook POST: $d ms; -> ArrayDegraded POST: $d2 ms"
    check "the MemberFailed webhook arrived within 1 s of the kernel's remove uevent ($d ms)" test "$d" -lt 1000
else
    fail "the MemberFailed webhook arrived within 1 s of the kernel's remove uevent (no timestamps)"
fi
tap_done
