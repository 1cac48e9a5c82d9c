# shellcheck shell=sh disable=SC3043
# (SC3043: `local` is not POSIX, but dash and busybox ash both have it)
# /lab/lib.sh - helpers for scripts run inside the lab guest (dash, POSIX sh).
# Use: . /lab/lib.sh
#
#   lab_check DESC CMD...    run CMD quietly; print "@@CHECK ok|FAIL DESC@@";
#                            failures are counted in LAB_FAILS
#   lab_t_start NAME / lab_t_end NAME
#                            print "@@T NAME SECONDS@@" (guest uptime based)
#   lab_disk ID              /dev/sdX of a lab disk (ssd0, hdd3, ...) via its
#                            WWN in /mnt/host/r630-disks.txt (no udev needed)
#   lab_disk_by_wwn 0xWWN    /dev/sdX whose sysfs wwid is naa.WWN
#   lab_disk_serial sdX      unit serial number (SCSI VPD page 0x80)
#   lab_ndisks               number of sd* disks in /sys/block
#   lab_part DISK N          name of partition N of DISK (sda1, nvme0n1p1)
#   lab_settle               udevadm settle when udevd runs, else nothing
#   lab_degraded MD          md/degraded of an array (0 = complete)
#   lab_ready NAME           print "@@LAB-READY NAME@@" (lab_wait_marker on
#                            the host waits for it)
#   lab_wait_signal NAME [S] wait up to S seconds (default 120) for the host's
#                            lab_signal NAME; 1 on timeout
#   lab_wait_gone DEV [S]    wait up to S seconds (default 60) for a block
#                            device to disappear from /sys/block; 1 on timeout
#   lab_pids NAME...         pids of the processes whose comm is one of NAME
#                            (the guest has neither pgrep nor pkill)
#   lab_comms NAME...        the names of those that run, one per process
#   lab_running NAME...      0 when such a process runs
#   lab_finish               print the failed-check count; exit with it

LAB_FAILS=0
LAB_SHARE=${LAB_SHARE:-/mnt/host}

lab_up() { cut -d' ' -f1 /proc/uptime; }

lab_check() {
    local desc="$1"
    shift
    if "$@" > /dev/null 2>&1; then
        echo "@@CHECK ok $desc@@"
    else
        echo "@@CHECK FAIL $desc@@"
        LAB_FAILS=$((LAB_FAILS + 1))
    fi
}

lab_t_start() { eval "LAB_TS_$1=\$(lab_up)"; }
lab_t_end() {
    local start=0
    eval "start=\$LAB_TS_$1"
    echo "@@T $1 $(awk -v a="$start" -v b="$(lab_up)" 'BEGIN { printf "%.1f", b - a }')@@"
}

lab_disk_by_wwn() {
    local wwid="naa.${1#0x}" d
    for d in /sys/block/sd*; do
        [ "$(cat "$d/device/wwid" 2>/dev/null)" = "$wwid" ] &&
            { echo "/dev/${d##*/}"; return 0; }
    done
    return 1
}

# an NVMe drive (LAB_NVME) by its controller's serial: its first namespace
lab_disk_nvme_by_serial() {
    local d
    for d in /sys/block/nvme*n1; do
        [ "$(tr -d ' ' < "$d/device/serial" 2>/dev/null)" = "$1" ] && { echo "/dev/${d##*/}"; return 0; }
    done
    return 1
}

lab_disk() {
    local row
    row=$(awk -v id="$1" '$1 == id { print $7, $8 }' "$LAB_SHARE/r630-disks.txt" 2>/dev/null)
    [ -n "$row" ] || return 1
    lab_disk_by_wwn "${row#* }" || lab_disk_nvme_by_serial "${row% *}"
}

lab_disk_serial() {
    # VPD page 0x80: 4-byte header, then the serial number
    tail -c +5 "/sys/block/${1##*/}/device/vpd_pg80" 2>/dev/null | tr -d '\0 '
}

lab_ndisks() {
    local n=0 d
    for d in /sys/block/sd*; do [ -e "$d" ] && n=$((n + 1)); done
    echo "$n"
}

lab_part() {
    case $1 in
        *[0-9]) echo "${1}p$2" ;;
        *) echo "$1$2" ;;
    esac
}

lab_settle() {
    [ -S /run/udev/control ] && udevadm settle --timeout=60
    return 0
}

lab_degraded() { cat "/sys/block/$(basename "$(readlink -f "$1")")/md/degraded"; }

lab_ready() { echo "@@LAB-READY $1@@"; }

lab_wait_signal() {
    local n="$(( ${2:-120} * 10 ))"
    while [ ! -e "$LAB_SHARE/signal/$1" ]; do
        [ "$n" -le 0 ] && return 1
        sleep 0.1
        n=$((n - 1))
    done
    return 0
}

lab_wait_gone() {
    local n="$(( ${2:-60} * 10 ))"
    while [ -e "/sys/block/${1##*/}" ]; do
        [ "$n" -le 0 ] && return 1
        sleep 0.1
        n=$((n - 1))
    done
    return 0
}

lab__scan() {  # lab__scan pid|comm NAME...
    local what=$1 d c n
    shift
    for d in /proc/[0-9]*; do
        # read, not cat: a fork per process makes a scan take a second under TCG
        read -r c 2> /dev/null < "$d/comm" || continue
        for n in "$@"; do
            [ "$c" = "$n" ] || continue
            if [ "$what" = pid ]; then echo "${d#/proc/}"; else echo "$c"; fi
        done
    done
    return 0
}

lab_pids() { lab__scan pid "$@"; }
lab_comms() { lab__scan comm "$@"; }

lab_running() { [ -n "$(lab_pids "$@")" ]; }

lab_finish() {
    echo "failed checks: $LAB_FAILS"
    exit "$LAB_FAILS"
}
