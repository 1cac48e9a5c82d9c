#!/bin/bash
# hostd in the virtual R630: a RAID 5 of 4 HDDs, hostd running with a webhook
# subscription, one member pulled out through QMP. The webhook receiver in the
# guest must get MemberFailed (and ArrayDegraded) events, syslog must have
# them, and the delay from the kernel's "remove" uevent of the disk to the
# webhook POST is printed (bench/bench-md-events.sh measures it). udev's
# "mdadm -If" rule is taken out for the pull: hostd itself tells md. Then
# hostd listens on the guest's NIC over TLS (an isolated user network, one
# port forwarded from the host's loopback), and Dell's Ansible module redfish_storage_volume, run on the
# host, makes a real RAID 1 of the two SSDs, finds it again and deletes it.
set -u
# 1G disks: the RAID 1s made here (the task's scratch, Dell's dellos) resync
# in the background for the rest of the boot, which on the table's 16G and
# 8G disks never ended and took a vCPU from hostd's answers; the spare's
# recovery onto hdd6 still runs for ~30 s, long enough to be seen
export LAB_SSD_SIZE=${LAB_SSD_SIZE:-1G} LAB_HDD_SIZE=${LAB_HDD_SIZE:-1G}
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
# Dell's Ansible modules reach the guest's hostd through a forwarded port
. "$(dirname "$0")/../host/hostd-lib.sh"
. "$(dirname "$0")/../host/dell-lib.sh"
dell_why=$(dell_missing)
LAB_HOSTFWD=$(h_free_port)
export LAB_HOSTFWD
DELL_URL=https://localhost:$LAB_HOSTFWD DELL_CA=$H_TMP/cert.pem
h_tls_files admin pw
${CC:-cc} -O2 -o "$T/hostd-webhook" "$(dirname "$0")/hostd-webhook.c" -lmicrohttpd -ludev -lcurl ||
    { fail "build the webhook receiver"; tap_done; exit 1; }
lab_init
trap 'lab_cleanup; h_cleanup; rm -rf "$T"' EXIT
mkdir -p "$LAB_SHARE/tls" && cp "$H_TMP/cert.pem" "$H_TMP/key.pem" "$H_TMP/users" "$LAB_SHARE/tls/"
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
# (hostd's inventory carries its health check of the disks: compare with one asked here)
hostctl disks --health > $O/disks-local.txt
hostctl --host unix:///run/hostd/hostd.sock raid status --json > $O/status-api.json
hostctl raid status --json > $O/status-local.json
# without udev's "mdadm -If" on remove, md never notices that an idle array
# lost a member: hostd must tell it itself (the rule is not on every host)
grep -v '^ACTION=="remove"' /usr/lib/udev/rules.d/64-md-raid-assembly.rules \
    > /etc/udev/rules.d/64-md-raid-assembly.rules && udevadm control --reload
grep -c mdadm /etc/udev/rules.d/64-md-raid-assembly.rules > $O/rules-without-remove.txt
lab_ready hostd
lab_wait_signal unplugged 180 || exit 13
sleep 3
rm -f /etc/udev/rules.d/64-md-raid-assembly.rules && udevadm control --reload
cp /tmp/messages $O/messages
cat /sys/block/md0/md/degraded > $O/degraded
hostctl --host unix:///run/hostd/hostd.sock raid status > $O/status-api-degraded.txt
hostctl raid status > $O/status-local-degraded.txt
# a rebuild onto hdd6, as a person at the console sees it; then frozen: the
# rest needs no rebuild competing with it under emulation
mdadm /dev/md0 --add "$(lab_disk hdd6)" > $O/add-spare.txt 2>&1
i=0; while ! grep -q recover /sys/block/md0/md/sync_action && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 3
hostctl status > $O/status-rebuild.txt 2>&1
echo frozen > /sys/block/md0/md/sync_action
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
# Dell's storage module from the host, over TLS through the forwarded port:
# hostd again, now listening on the guest's NIC
kill "$(cat /run/hostd/hostd.pid)" "$webhook" "$webhook2"
i=0; while [ -S $S ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
modprobe -q virtio_net
lab_settle
{ ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0; } > $O/net.txt 2>&1 ||
    ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up >> $O/net.txt 2>&1
mkdir -p /tmp/tls && cp /mnt/host/tls/cert.pem /mnt/host/tls/key.pem /mnt/host/tls/users /tmp/tls/ &&
    chmod 600 /tmp/tls/key.pem /tmp/tls/users
printf 'listen: "0.0.0.0:8443"\ntls_cert: /tmp/tls/cert.pem\ntls_key: /tmp/tls/key.pem\nusers_file: /tmp/tls/users\n' \
    > /tmp/tls/hostd.conf
hostd --config /tmp/tls/hostd.conf --state-dir /tmp/hostd --socket $S --pid-file /run/hostd/hostd.pid > $O/hostd3.out 2>&1 &
i=0; while [ ! -S $S ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
lab_ready dell
if lab_wait_signal dell-made 900; then
    mdadm --detail /dev/md/dellos > $O/dell-detail.txt 2>&1
    lab_ready dell-looked
fi
if lab_wait_signal dell-gone 900; then
    cat /proc/mdstat > $O/dell-mdstat-after.txt
    for d in ssd0 ssd1; do mdadm --examine "$(lab_part "$(lab_disk $d)" 1)"; done > $O/dell-examine.txt 2>&1
fi
kill "$(cat /run/hostd/hostd.pid)"
wait
exit 0
EOS

lab_reset_disks   # (blank: the RAID 1 below must not meet an earlier test's superblocks)
lab_boot_bg events "$T/guest.sh"
if lab_wait_marker "@@LAB-READY hostd@@" 300; then
    ok "the guest built a RAID 5 and started hostd"
    lab_unplug hdd1
    lab_signal unplugged
else
    fail "the guest built a RAID 5 and started hostd"
fi
# ---- dellemc.openmanage's redfish_storage_volume on real md, over TLS -------
if [ -n "$dell_why" ]; then
    skip "dellemc.openmanage makes and deletes a RAID 1 in the guest" "$dell_why"
elif lab_wait_marker "@@LAB-READY dell@@" 600; then
    r=$(mod redfish_storage_volume "$(volume dellos Mirrored PHYG0000480BGN PHYG0010480BGN)")
    check_eq "Dell's module: a RAID 1 (Mirrored) of ssd0 and ssd1 by serial is submitted" \
        "True Successfully submitted create volume task." "$(res "$r" '"%s %s" % (r.get("changed"), r.get("msg"))')"
    wait_task "$(res "$r" '(r.get("task") or {}).get("uri")')" 1800
    check_eq "... and hostd's task completes" Completed "$T_STATE"
    r=$(mod redfish_storage_volume "$(volume dellos Mirrored PHYG0000480BGN PHYG0010480BGN)")
    check_eq "... run again: no change (read back from the real array)" "False No changes found to be applied." \
        "$(res "$r" '"%s %s" % (r.get("changed"), r.get("msg"))')"
    lab_signal dell-made
    lab_wait_marker "@@LAB-READY dell-looked@@" 120
    check_contains "... mdadm in the guest: /dev/md/dellos is a RAID 1" "Raid Level : raid1" \
        "$(cat "$LAB_SHARE/out/dell-detail.txt" 2> /dev/null)"
    check_eq "... of 2 devices" 2 "$(sed -n 's/^ *Raid Devices : //p' "$LAB_SHARE/out/dell-detail.txt" 2> /dev/null)"
    r=$(mod redfish_storage_volume '{"state": "absent", "volume_id": "dellos"}')
    check_eq "Dell's module deletes it: submitted" "True Successfully submitted delete volume task." \
        "$(res "$r" '"%s %s" % (r.get("changed"), r.get("msg"))')"
    wait_task "$(res "$r" '(r.get("task") or {}).get("uri")')" 1800
    check_eq "... and the task completes" Completed "$T_STATE"
    api GET /redfish/v1/Systems/host/Storage/md/Volumes/dellos
    check_eq "... the Volume is gone: 404" 404 "$H_STATUS"
    lab_signal dell-gone
else
    fail "dellemc.openmanage makes and deletes a RAID 1 in the guest (hostd on the guest's NIC did not come up)"
fi

rc=0; lab_wait || rc=$?
check_eq "the guest script ran to the end" 0 "$rc"
O=$LAB_SHARE/out
if [ -z "$dell_why" ]; then
    check "... md in the guest: no dellos left" sh -c "! grep -q dellos '$O/dell-mdstat-after.txt' && [ -s '$O/dell-mdstat-after.txt' ]"
    check_contains "... and no superblock on ssd0's or ssd1's member" "No md superblock detected" \
        "$(cat "$O/dell-examine.txt" 2> /dev/null)"
    check_eq "... on either" 2 "$(grep -c "No md superblock detected" "$O/dell-examine.txt" 2> /dev/null)"
fi
check_eq "hostctl --host prints the same disks as in-process, in the guest" "$(cat "$O/disks-local.txt" 2>/dev/null)" \
    "$(cat "$O/disks-api.txt" 2>/dev/null)"
check_eq "hostctl --host raid status --json is the in-process JSON" "$(cat "$O/status-local.json" 2>/dev/null)" \
    "$(cat "$O/status-api.json" 2>/dev/null)"
check_contains "... which shows the RAID 5" '"level":"raid5"' "$(tr -d ' \n' < "$O/status-api.json" 2>/dev/null)"
check_eq "after the pull, hostctl --host raid status prints the same text" "$(cat "$O/status-local-degraded.txt" 2>/dev/null)" \
    "$(cat "$O/status-api-degraded.txt" 2>/dev/null)"
check_contains "... DEGRADED" "DEGRADED (1 missing)" "$(cat "$O/status-api-degraded.txt" 2>/dev/null)"
sed 's/^/# /' "$O/status-rebuild.txt" 2> /dev/null
check_contains "hostctl status during the rebuild onto hdd6: the array, degraded" "DEGRADED" "$(cat "$O/status-rebuild.txt" 2>/dev/null)"
check "... with md's recovery and its progress bar" grep -Eq 'recover +\[#*\.*\] +[0-9.]+%' "$O/status-rebuild.txt"
log=$(cat "$O/webhook.log" 2>/dev/null)
check_contains "the webhook received MemberFailed" '"MessageId":"Hostd.1.0.MemberFailed"' "$log"
check_contains "... naming the disk to pull by its serial (hdd1's)" "; disk ${LAB_DISK_SERIAL[hdd1]}" \
    "$(grep MemberFailed "$O/webhook.log" 2>/dev/null)"
check_contains "and ArrayDegraded" '"MessageId":"Hostd.1.0.ArrayDegraded"' "$log"
check_contains "the spare's recovery: RebuildStarted says recover" '"Message":"array md0: recover started"' "$log"
check "... and no freeze (mdadm --add's, or the test's) is called a rebuild that started" \
    sh -c "! grep -q 'frozen started' '$O/webhook.log'"
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
check_contains "... because hostd told md (udev's rule for it was taken out)" "is gone: md was told" \
    "$(cat "$O/messages" 2>/dev/null)"
t_rm=$(awk '$1 == "REMOVE" { print $2; exit }' "$O/webhook.log" 2>/dev/null)
t_mf=$(awk '$1 == "POST" && /MemberFailed/ { print $2; exit }' "$O/webhook.log" 2>/dev/null)
t_ad=$(awk '$1 == "POST" && /ArrayDegraded/ { print $2; exit }' "$O/webhook.log" 2>/dev/null)
if [ -n "$t_rm" ] && [ -n "$t_mf" ]; then
    d=$(awk -v a="$t_rm" -v b="$t_mf" 'BEGIN { printf "%.0f", b - a }')
    d2=$(awk -v a="$t_rm" -v b="${t_ad:-$t_rm}" 'BEGIN { printf "%.0f", b - a }')
    echo "# measured: kernel remove uevent -> MemberFailed webhook POST: $d ms; -> ArrayDegraded POST: $d2 ms"
    # (how fast is for bench/bench-md-events.sh: timings pass or fail nothing here)
    check "the receiver saw the kernel's remove uevent, then the MemberFailed POST" test "$d" -ge 0
else
    fail "the receiver saw the kernel's remove uevent, then the MemberFailed POST (no timestamps)"
fi
tap_done
