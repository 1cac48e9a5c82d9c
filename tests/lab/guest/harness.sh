#!/bin/sh
# harness.sh - guest side of tests/lab/t-harness.sh (runs in the lab guest).
#
# LAB_PHASE=raid    hostctl --version; disk inventory from sysfs into
#                   $LAB_OUT/inventory.txt; a 64 MiB RAID 1 (metadata 1.2)
#                   on ssd0 + ssd1, checked through /proc/mdstat and
#                   mdadm --detail, 1 MiB of data written, array stopped.
#                   Exit status: number of failed checks (0 = pass).
# LAB_PHASE=reboot  the array comes back with the same UUID and data; then
#                   hdd6 is hot-unplugged and plugged back by the host
#                   (lab_unplug/lab_plug), the script waits for both.
#                   Exit status: 7 when every check passed (the host asserts
#                   that exact value), else 1.
# Output: "@@CHECK ok|FAIL ...@@" lines, "@@T name seconds@@" timings.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. /lab/lib.sh

SSD0=$(lab_disk ssd0)
SSD1=$(lab_disk ssd1)
HDD6=$(lab_disk hdd6)
echo "ssd0=$SSD0 ssd1=$SSD1 hdd6=$HDD6 udev=$LAB_UDEV"

md_detail() { mdadm --detail --export "$1"; }

case ${LAB_PHASE:-} in
raid)
    # ---- the project's binary runs in the guest -------------------------------------
    if command -v hostctl > /dev/null; then
        hostctl --version
        echo "hostctl --version rc=$?"
    else
        echo "hostctl not staged"
    fi

    # ---- inventory: what the disks look like without udev ---------------------------
    for d in /sys/block/sd*; do
        n=${d##*/}
        printf '%s %s %s %s %s %s\n' "$(cat "$d/device/wwid")" "$(lab_disk_serial "$n")" \
            "$(($(cat "$d/size") * 512))" "$(cat "$d/queue/rotational")" \
            "$(cat "$d/device/vendor")" "$(cat "$d/device/model")"
    done | sed 's/  */ /g; s/ $//' | sort > "$LAB_OUT/inventory.txt"
    cat "$LAB_OUT/inventory.txt"

    # ---- RAID 1 on two small partitions ------------------------------------------------
    lab_t_start partition
    for d in "$SSD0" "$SSD1"; do
        sgdisk -o -n1:0:+64M -t1:fd00 -c1:harness "$d" > /dev/null &
    done
    wait
    lab_settle
    lab_t_end partition
    P0=$(lab_part "$SSD0" 1)
    P1=$(lab_part "$SSD1" 1)
    lab_check "partitions exist" test -b "$P0" -a -b "$P1"

    lab_t_start create
    # fresh all-zero images: --assume-clean skips a pointless resync
    mdadm --create /dev/md0 --run --level=1 --raid-devices=2 --metadata=1.2 \
        --homehost=r630-lab --name=harness --assume-clean "$P0" "$P1"
    lab_check "mdadm --create rc 0" test $? -eq 0
    lab_settle
    lab_t_end create
    cat /proc/mdstat
    lab_check "mdstat: md0 active raid1" grep -q '^md0 : active raid1' /proc/mdstat
    lab_check "mdstat: [UU]" grep -q '\[2/2\] \[UU\]' /proc/mdstat
    md_detail /dev/md0
    lab_check "detail: level raid1" sh -c 'mdadm --detail --export /dev/md0 | grep -qx MD_LEVEL=raid1'
    lab_check "detail: 2 devices" sh -c 'mdadm --detail --export /dev/md0 | grep -qx MD_DEVICES=2'
    lab_check "detail: metadata 1.2" sh -c 'mdadm --detail --export /dev/md0 | grep -qx MD_METADATA=1.2'
    lab_check "detail: name r630-lab:harness" \
        sh -c 'mdadm --detail --export /dev/md0 | grep -qx MD_NAME=r630-lab:harness'
    # shellcheck disable=SC2016  # (expanded by the inner sh)
    lab_check "detail: clean, not degraded" \
        sh -c 'mdadm --detail /dev/md0 | grep -q "State : clean *$" && [ "$(cat /sys/block/md0/md/degraded)" = 0 ]'
    md_detail /dev/md0 | sed -n 's/^MD_UUID=//p' > "$LAB_OUT/md-uuid.txt"

    # ---- data that must survive the reboot -----------------------------------------------
    dd if=/dev/urandom of=/tmp/blob bs=64k count=16 2> /dev/null
    dd if=/tmp/blob of=/dev/md0 bs=64k conv=fsync 2> /dev/null
    md5sum < /tmp/blob | cut -d' ' -f1 > "$LAB_OUT/md-md5.txt"

    lab_t_start stop
    mdadm --stop /dev/md0
    lab_settle
    lab_t_end stop
    lab_check "stopped: no md0 in mdstat" sh -c '! grep -q "^md0 " /proc/mdstat'
    lab_finish
    ;;
reboot)
    # ---- the array is back (udev may already have assembled it) -------------------------
    lab_settle
    [ -b /dev/md/harness ] || mdadm --assemble --scan
    lab_settle
    cat /proc/mdstat
    MD=$(readlink -f /dev/md/harness)
    echo "array: $MD"
    lab_check "assembled as /dev/md/harness" test -b /dev/md/harness
    lab_check "same UUID after reboot" \
        test "$(md_detail /dev/md/harness | sed -n 's/^MD_UUID=//p')" = "$(cat "$LAB_OUT/md-uuid.txt")"
    lab_check "same data after reboot" test \
        "$(head -c 1048576 /dev/md/harness | md5sum | cut -d' ' -f1)" = "$(cat "$LAB_OUT/md-md5.txt")"
    lab_check "not degraded" test "$(lab_degraded /dev/md/harness)" = 0
    mdadm --stop /dev/md/harness

    # ---- hot-unplug and hot-plug of hdd6, driven by the host ---------------------------------
    lab_check "hdd6 present" test -n "$HDD6"
    lab_t_start unplug
    lab_ready unplug
    lab_check "hdd6 hot-unplugged" lab_wait_gone "$HDD6" 60
    lab_t_end unplug
    lab_check "8 disks left" test "$(lab_ndisks)" -eq 8
    lab_t_start plug
    lab_ready plug
    n=0
    while ! lab_disk hdd6 > /dev/null && [ $n -lt 600 ]; do
        sleep 0.1
        n=$((n + 1))
    done
    lab_t_end plug
    lab_check "hdd6 plugged back" lab_disk hdd6
    lab_check "hdd6 serial WFK06ABC" test "$(lab_disk_serial "$(lab_disk hdd6)")" = WFK06ABC
    echo "failed checks: $LAB_FAILS"
    [ "$LAB_FAILS" -eq 0 ] && exit 7
    exit 1
    ;;
*)
    echo "harness.sh: unknown phase '$LAB_PHASE'"
    exit 2
    ;;
esac
