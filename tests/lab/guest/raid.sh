# guest/raid.sh - the RAID lab scenario, run inside the virtual R630 (sh).
# Phases (LAB_PHASE): create, reboot, kill. Each command's stdout, stderr and
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
    # kill -9 hostctl while step K runs, let what it started finish, run again
    STEP_PROGRAMS="mdadm sgdisk wipefs mkfs.ext4 mkfs.xfs mkfs.vfat"
    for k in $KILL_STEPS; do
        reset_disks
        "$H" raid create --spec "$SPEC" --yes --assume-clean > /dev/null 2> "$O/kill-$k.log" &
        pid=$!
        n=0
        while ! grep -q "^\[ *$k/" "$O/kill-$k.log" && [ $n -lt 600 ]; do sleep 0.05; n=$((n + 1)); done
        # aim at the step's own program (up to 2 s), so the kill lands mid-step
        i=0
        while ! lab_running $STEP_PROGRAMS && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done
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
        if grep -q "^\[ *$k/[0-9]*\] create /dev/md/data" "$O/kill-$k.log"; then
            mdadm --stop /dev/md/data > "$O/kill-$k.stopped" 2>&1
            lab_settle
        fi
        run "rerun-$k" "$H" raid create --spec "$SPEC" --yes --assume-clean
        run "status-$k" "$H" raid status --json
        run "again-$k" "$H" raid create --spec "$SPEC" --yes --json
    done
    ;;
esac
lab_finish
