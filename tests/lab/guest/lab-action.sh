#!/bin/sh
# lab-action - an errand the host gives one boot of the installed system
# through QEMU's fw_cfg (lab_boot_disks with LAB_FW_CFG); build-rootfs.sh
# puts it among the boot report's hooks (lab-report.d, after the report's own
# lines, before the power-off).  Output: "@@R <key> <line>@@" as the other
# hooks; "@@R <key>! ..." when a command failed.  Every boot it also prints
# how the pool's mount unit ended (pool-unit, pool-journal) and md's tuning
# of each parity array (md-tuning <mdX> <stripe_cache_size>
# <group_thread_cnt> <sync_speed_min>), which only udev's rule sets at boot,
# and whether hostd.service runs and answers (hostd-service, hostd-answers:
# the names of the disks hostd lists), and what the OS disk holds beneath
# the pool's mount point (beneath-pool <count> <names>).
#   destroy-pool  what an operator does to retire the pool: stop the runtime
#                 that keeps its root there, unmount it, `hostctl raid
#                 destroy data --yes`; then show the fstab and mdadm.conf
#                 lines that are left (the next boot must not wait for it).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# every boot: how the pool's mount unit ended (systemd's own account)
systemctl show srv-pool.mount -p ActiveState -p Result 2> /dev/null | tr '\n' ' ' |
    sed 's|^|@@R pool-unit |; s|$|@@|'
echo
journalctl -b -o short-monotonic --no-pager -u srv-pool.mount 2> /dev/null | tail -n 5 |
    sed 's|^|@@R pool-journal |; s|$|@@|'
for md in /sys/block/md*/md; do
    [ -r "$md/stripe_cache_size" ] || continue
    echo "@@R md-tuning $(basename "$(dirname "$md")") $(cat "$md/stripe_cache_size") $(cat "$md/group_thread_cnt")" \
        "$(cut -d' ' -f1 "$md/sync_speed_min")@@"
done
# every boot: what lies on the OS disk beneath the pool's mount point (a
# runtime started before the mount writes there): "beneath-pool <count> <names>"
beneath=$(mktemp -d)
if mount --bind / "$beneath" 2> /dev/null; then
    echo "@@R beneath-pool $(ls -A "$beneath/srv/pool" 2> /dev/null | wc -l) $(ls -A "$beneath/srv/pool" 2> /dev/null | tr '\n' ' ')@@"
    umount "$beneath"
else
    echo "@@R beneath-pool! cannot bind-mount /@@"
fi
rmdir "$beneath"
# every boot: hostd's own unit (the package's) and whether it answers
echo "@@R hostd-service $(systemctl is-active hostd.service 2> /dev/null)@@"
# (the disks' names: a virtual CD the BMC left in is listed too, as sr0)
echo "@@R hostd-answers $(hostctl --host unix:///run/hostd/hostd.sock disks 2> /dev/null | awk 'NR > 1 { print $1 }' | tr '\n' ' ')@@"
raw=/sys/firmware/qemu_fw_cfg/by_name/opt/hostd-lab/action/raw
modprobe qemu_fw_cfg 2> /dev/null
[ -r "$raw" ] || { echo "@@R action none@@"; exit 0; }
action=$(cat "$raw")
echo "@@R action $action@@"
tmp=$(mktemp -d)
run() {   # run KEY CMD...: as build-rootfs.sh's hook (stdout on one line)
    key=$1
    shift
    rc=0
    timeout 240 "$@" > "$tmp/out" 2> "$tmp/err" || rc=$?
    tr -d '\n' < "$tmp/out" | sed "s|^|@@R $key |; s|\$|@@|"
    echo
    [ "$rc" = 0 ] || { sed "s|^|@@R $key! |; s|\$|@@|" "$tmp/err"; echo "@@R $key! rc=$rc@@"; }
}
case $action in
    destroy-pool)
        run stop-runtime systemctl stop containerd.service
        run umount umount /srv/pool
        run destroy hostctl raid destroy data --yes --json
        grep -E '^[^#].*[[:space:]]/srv/pool[[:space:]]' /etc/fstab | sed 's|^|@@R fstab-pool |; s|$|@@|'
        grep -c '^ARRAY' /etc/mdadm/mdadm.conf | sed 's|^|@@R mdadm-arrays |; s|$|@@|'
        { grep -c 'MD_UUID' /etc/udev/rules.d/64-hostd-md-tuning.rules 2> /dev/null || true; } |
            sed 's|^|@@R tuning-rules |; s|$|@@|'
        sync
        ;;
    *) echo "@@R action! unknown action '$action'@@" ;;
esac
rm -rf "$tmp"
