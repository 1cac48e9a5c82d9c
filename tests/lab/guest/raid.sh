# guest/raid.sh - the RAID lab scenario, run inside the virtual R630 (sh).
# Phases (LAB_PHASE): create, reboot, kill, life. Each command's stdout, stderr and
# exit status land in the share's out/<phase>-<name>.{out,err,rc}; the host
# (t-raid.sh) asserts them. @@CHECK lines cover what is simpler to see here.
. /lab/lib.sh
. /mnt/host/lab.env
H=/usr/local/bin/hostctl
O=${LAB_OUT:-/mnt/host/out}
SPEC=/mnt/host/r630-lab.yaml
P=$LAB_PHASE

run() {  # run NAME CMD...: record output and exit status
    local name=$1
    shift
    "$@" > "$O/$P-$name.out" 2> "$O/$P-$name.err"
    echo $? > "$O/$P-$name.rc"
}
mb() { echo $(( $(blockdev --getsize64 "$1") / 1048576 )); }
# the first and last 32 MiB of a disk: where any partitioning, wipe or md
# superblock would land
edges_sum() {
    { dd if="$1" bs=1M count=32 2> /dev/null
      dd if="$1" bs=1M skip=$(( $(mb "$1") - 32 )) count=32 2> /dev/null; } | sha256sum | cut -d' ' -f1
}
wait_idle() {  # wait_idle ARRAY SECONDS: until not degraded and no sync runs
    local md n=$(( $2 * 2 ))
    while [ "$n" -gt 0 ]; do
        md=$(basename "$(readlink -f "/dev/md/$1")")
        [ "$(cat /sys/block/$md/md/degraded 2> /dev/null)" = 0 ] &&
            [ "$(cat /sys/block/$md/md/sync_action 2> /dev/null)" = idle ] && return 0
        sleep 0.5
        n=$((n - 1))
    done
    return 1
}
uuids() {
    for a in os-esp os data; do
        printf '%s %s\n' "$a" "$(mdadm --detail --export "/dev/md/$a" 2> /dev/null | sed -n 's/^MD_UUID=//p')"
    done
}
# stop every array and forget every superblock and partition table
reset_disks() {
    umount /srv/pool 2> /dev/null
    mdadm --stop --scan > /dev/null 2>&1
    for d in /sys/block/sd*; do
        d=/dev/${d##*/}
        for p in "$d"[0-9]*; do [ -b "$p" ] && mdadm --zero-superblock "$p" > /dev/null 2>&1; done
        wipefs -a -q "$d" > /dev/null 2>&1
    done
    lab_settle
    rm -f /etc/mdadm/mdadm.conf.hostd /etc/fstab
    printf 'HOMEHOST <system>\nDEVICE partitions\n' > /etc/mdadm/mdadm.conf
}

case $P in
create)
    CANARY=$(lab_disk hdd6)
    mkfs.ext4 -q -F -L canary "$CANARY"
    mkdir -p /mnt/canary && mount "$CANARY" /mnt/canary &&
        dd if=/dev/urandom of=/mnt/canary/data bs=1M count=4 2> /dev/null && umount /mnt/canary
    edges_sum "$CANARY" > "$O/canary.before"

    run plan-default "$H" raid plan --json
    run plan-spec "$H" raid plan --spec "$SPEC" --json
    lab_t_start create
    run create "$H" raid create --spec "$SPEC" --yes --assume-clean
    lab_t_end create
    run status "$H" raid status --json
    run create-again "$H" raid create --spec "$SPEC" --yes --json
    run disks "$H" disks --json
    cp /etc/mdadm/mdadm.conf "$O/mdadm.conf"
    cp /etc/fstab "$O/fstab" 2> /dev/null
    grep ' /srv/pool ' /proc/mounts > "$O/pool.mount"
    xfs_db -r -c 'sb 0' -c 'print unit width' /dev/md/data > "$O/xfs-geometry" 2>&1
    blkid -o export /dev/md/data > "$O/data.blkid"
    blkid -o export /dev/md/os > "$O/os.blkid"
    blkid -o export /dev/md/os-esp > "$O/esp.blkid"
    uuids > "$O/uuids.before"
    dd if=/dev/urandom of=/srv/pool/payload bs=1M count=8 2> /dev/null
    sha256sum /srv/pool/payload | cut -d' ' -f1 > "$O/payload.sum"
    sync

    # a member is pulled (the host unplugs hdd2): the spare takes over
    lab_ready unplug
    lab_wait_signal unplugged 120
    dd if=/dev/zero of=/srv/pool/poke bs=1M count=4 conv=fsync 2> /dev/null
    sleep 1
    run status-pulled "$H" raid status data --json
    lab_t_start rebuild
    lab_check "the spare rebuilt the array" wait_idle data 600
    lab_t_end rebuild
    run status-rebuilt "$H" raid status data --json

    # a member fails while present; no spare is left: degraded
    M3=$(lab_part "$(lab_disk hdd3)" 1)
    mdadm /dev/md/data --fail "/dev/${M3##*/}" > /dev/null 2>&1
    sleep 1
    run status-failed "$H" raid status data --json
    # a new disk goes into bay 2; replace the failed member with it
    lab_ready plug
    lab_wait_signal plugged 120
    lab_settle
    run replace "$H" raid replace data --failed WFK03ABC --with WFKNEW01 --wait
    run status-replaced "$H" raid status data --json
    run add-spare "$H" raid add-spare data --disk WFK03ABC --wipe
    run status-spare "$H" raid status data --json
    run scrub "$H" raid scrub data --wait --json
    umount /srv/pool
    run stop "$H" raid stop data
    run status-stopped "$H" raid status data
    run assemble "$H" raid assemble data
    wait_idle data 60
    mount /dev/md/data /srv/pool
    sha256sum /srv/pool/payload | cut -d' ' -f1 > "$O/payload.after-assemble"
    run refuse-destroy "$H" raid destroy data
    umount /srv/pool
    edges_sum "$CANARY" > "$O/canary.after"
    ;;
reboot)
    # udev's incremental assembly brings the arrays back (as md125-127)
    lab_settle
    for a in os-esp os data; do wait_idle "$a" 120; done
    uuids > "$O/uuids.after"
    run status "$H" raid status --json
    mkdir -p /srv/pool && mount /dev/md/data /srv/pool &&
        sha256sum /srv/pool/payload | cut -d' ' -f1 > "$O/payload.after-reboot"
    umount /srv/pool
    edges_sum "$(lab_disk hdd6)" > "$O/canary.after-reboot"
    run destroy "$H" raid destroy data --yes
    run examine "$H" raid status data
    M0=$(lab_part "$(lab_disk hdd0)" 1)
    mdadm --examine "/dev/${M0##*/}" > "$O/$P-examine.out" 2>&1
    echo $? > "$O/$P-examine.rc"
    edges_sum "$(lab_disk hdd6)" > "$O/canary.after-destroy"
    ;;
kill)
    # One create, killed (-9) while step K runs, for each K of KILL_STEPS in
    # order: each run again starts where the kill left the disks, must get
    # past the step it was killed in (to the next kill, or to the end), and
    # the last one must leave the layout of a run never killed. (One chain,
    # not a fresh create per kill: the same kills, a third of the time.)
    in_map() {  # in_map /dev/md/NAME: mdadm's map has it (read, no fork: TCG is slow)
        [ -r /run/mdadm/map ] || return 1
        while read -r _ _ _ dev; do [ "$dev" = "$1" ] && return 0; done < /run/mdadm/map
        return 1
    }
    STEP_PROGRAMS="mdadm sgdisk wipefs mkfs.ext4 mkfs.xfs mkfs.vfat"
    reset_disks
    for k in $KILL_STEPS; do
        "$H" raid create --spec "$SPEC" --yes --assume-clean > /dev/null 2> "$O/kill-$k.log" &
        pid=$!
        n=0
        while ! grep -q "^\[ *$k/" "$O/kill-$k.log" && kill -0 $pid 2> /dev/null && [ $n -lt 1200 ]; do
            sleep 0.05
            n=$((n + 1))
        done
        i=0
        if grep -q "^\[ *$k/[0-9]*\] create /dev/md/data" "$O/kill-$k.log"; then
            # the create step runs mdadm twice (--examine, then --create): aim
            # at the array itself (up to 20 s), or the kill may land before
            # it exists, as it did on a slower machine
            while ! in_map /dev/md/data && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
        else
            # aim at the step's own program (up to 2 s), so the kill lands mid-step
            while ! lab_running $STEP_PROGRAMS && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done
        fi
        # what ran when the kill landed: proof the kill hit the step, not after it
        ran=$(lab_comms $STEP_PROGRAMS)
        kill -9 $pid 2> /dev/null && echo 1 > "$O/kill-$k.killed" || echo 0 > "$O/kill-$k.killed"
        echo "$ran" > "$O/kill-$k.children"
        grep -q "^\[ *$k/" "$O/kill-$k.log" && echo 1 > "$O/kill-$k.reached" || echo 0 > "$O/kill-$k.reached"
        wait $pid 2> /dev/null
        # the step's own program (mdadm, mkfs) is not ours to kill: let it end
        n=0
        while lab_running $STEP_PROGRAMS && [ $n -lt 600 ]; do
            sleep 0.1
            n=$((n + 1))
        done
        echo "$n" > "$O/kill-$k.waited"
        # killed while creating the data array, then stopped (as after a crash
        # and a boot that assembled nothing): the run again must assemble it
        # from the superblocks that run wrote, not create it anew
        # (by mdadm's map: the kill may land before the /dev/md/data link is
        # made, by udev or by the step after the create)
        if grep -q "^\[ *$k/[0-9]*\] create /dev/md/data" "$O/kill-$k.log"; then
            lab_settle
            kname=$(awk '$4 == "/dev/md/data" { print $1 }' /run/mdadm/map 2> /dev/null)
            { echo "data ran as ${kname:-nothing in mdadm's map}"
              mdadm --stop "/dev/${kname:-md/data}"; } > "$O/kill-$k.stopped" 2>&1
            lab_settle
        fi
    done
    run rerun "$H" raid create --spec "$SPEC" --yes --assume-clean
    run status "$H" raid status --json
    run again "$H" raid create --spec "$SPEC" --yes --json
    ;;
life)
    # Each lifecycle operation once through hostctl (T=cli) and once through
    # hostd's API (T=api), on the same small RAID 5 of the same disks, one
    # after the other; after each, snap records what the machine shows
    # (array, superblocks, mdadm.conf, fstab) for the host to compare.
    LSPEC=/mnt/host/life.yaml
    S=/run/hostd/hostd.sock
    V=/redfish/v1/Systems/host/Storage/md/Volumes/life
    D=/redfish/v1/Systems/host/Storage/md/Drives
    mkdir -p /run/hostd
    hostd --state-dir /tmp/hostd --socket $S --pid-file /run/hostd/hostd.pid > "$O/life-hostd.out" 2>&1 &
    i=0; while [ ! -S $S ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    snap() {  # snap T STEP
        f=$O/life-$1-$2
        "$H" raid status life --json > "$f.status" 2> /dev/null
        echo $? > "$f.status-rc"
        grep -c 'name=[^ ]*:life ' /etc/mdadm/mdadm.conf > "$f.conf"
        grep ' /srv/life ' /etc/fstab > "$f.fstab"
        for b in hdd0 hdd1 hdd2 hdd3; do
            printf '%s %s\n' "$b" "$(mdadm --examine "$(lab_part "$(lab_disk $b)" 1)" 2> /dev/null |
                sed -n 's/^ *Name : [^:]*:\([^ ]*\).*/\1/p')"
        done > "$f.sb"
    }
    api() {  # api NAME METHOD PATH [BODY]: the request, then its task until it ends
        name=$1
        shift
        hostd-webhook request $S "$@" > "$O/life-api-$name.out"
        echo $? > "$O/life-api-$name.rc"
        task=$(grep -o '/redfish/v1/TaskService/Tasks/[0-9]*' "$O/life-api-$name.out" | head -1)
        [ -n "$task" ] || return 1
        i=0
        while [ $i -lt 1200 ]; do
            hostd-webhook request $S GET "$task" > "$O/life-api-$name.task"
            grep -q '"TaskState": *"\(Completed\|Exception\)"' "$O/life-api-$name.task" && break
            sleep 0.25
            i=$((i + 1))
        done
    }
    ref() { echo "{\"@odata.id\": \"$D/$1\"}"; }
    for T in cli api; do
        run "$T-create" "$H" raid create --spec "$LSPEC" --yes --assume-clean
        wait_idle life 120
        snap $T created
        if [ $T = cli ]; then run cli-add-spare "$H" raid add-spare life --disk WFK03ABC --wipe
        else api add-spare POST "$V/Actions/Oem/Hostd.AddSpare" "{\"Drive\": $(ref WFK03ABC), \"Wipe\": true}"; fi
        lab_settle
        snap $T spare
        if [ $T = cli ]; then run cli-remove "$H" raid remove life --disk WFK03ABC
        else api remove POST "$V/Actions/Oem/Hostd.Remove" "{\"Drive\": $(ref WFK03ABC)}"; fi
        snap $T removed
        # a member fails; the removed disk replaces it
        mdadm /dev/md/life --fail "/dev/$(basename "$(lab_part "$(lab_disk hdd1)" 1)")" > /dev/null 2>&1
        sleep 1
        if [ $T = cli ]; then run cli-replace "$H" raid replace life --failed WFK01ABC --with WFK03ABC
        else api replace POST "$V/Actions/Oem/Hostd.Replace" \
            "{\"FailedDrive\": $(ref WFK01ABC), \"ReplacementDrive\": $(ref WFK03ABC)}"; fi
        sleep 1
        wait_idle life 300
        snap $T replaced
        # a healthy array, and a --failed disk that is no member: refused
        if [ $T = cli ]; then run cli-replace-refused "$H" raid replace life --failed WFK05ABC --with WFK01ABC
        else hostd-webhook request $S POST "$V/Actions/Oem/Hostd.Replace" \
            "{\"FailedDrive\": $(ref WFK05ABC), \"ReplacementDrive\": $(ref WFK01ABC)}" > "$O/life-api-replace-refused.out"; fi
        snap $T refused
        # grow onto the disk the replace took out
        if [ $T = cli ]; then run cli-grow "$H" raid grow life --add WFK01ABC
        else api grow POST "$V/Actions/Volume.ChangeRAIDLayout" \
            "{\"Drives\": [$(ref WFK00ABC), $(ref WFK02ABC), $(ref WFK03ABC), $(ref WFK01ABC)]}"; fi
        sleep 1
        wait_idle life 600
        snap $T grown
        if [ $T = cli ]; then run cli-scrub "$H" raid scrub life
        else api scrub POST "$V/Actions/Volume.CheckConsistency" '{}'; fi
        sleep 1
        wait_idle life 300
        snap $T scrubbed
        umount /srv/life
        if [ $T = cli ]; then run cli-stop "$H" raid stop life
        else api stop POST "$V/Actions/Oem/Hostd.Stop" '{}'; fi
        lab_settle
        snap $T stopped
        if [ $T = cli ]; then run cli-assemble "$H" raid assemble life
        else api assemble POST "$V/Actions/Oem/Hostd.Assemble" '{}'; fi
        lab_settle
        wait_idle life 60
        snap $T assembled
        if [ $T = cli ]; then run cli-destroy "$H" raid destroy life --yes
        else HOSTD_CONFIRM=life api destroy DELETE "$V"; fi
        lab_settle
        snap $T destroyed
    done
    kill "$(cat /run/hostd/hostd.pid)"
    wait
    ;;
esac
lab_finish
