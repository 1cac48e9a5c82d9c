#!/bin/sh
# demo.sh - guest side of tests/lab/demo.sh (`make demo`), in the lab guest.
# Runs hostctl --version, --help and disks, then plans and builds the R630
# default RAID layout (raid plan, create, status, a second create that
# changes nothing), and lsblk of the 9 disks; prints "@@T step seconds@@".
# Exit status: that of the first step that failed, else 0.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC3043
. /lab/lib.sh

RC=0
# step NAME CMD...: run CMD with a banner and a timing line
step() {
    local name="$1" rc=0
    shift
    echo
    echo "==> $*"
    lab_t_start "$name"
    "$@" || rc=$?
    lab_t_end "$name"
    [ "$rc" -eq 0 ] || echo "==> exit status $rc"
    [ "$RC" -ne 0 ] || RC=$rc
}

echo "virtual R630: $(lab_ndisks) disks, udev=$LAB_UDEV, kernel $(uname -r)"
step version hostctl --version
step help hostctl --help
if hostctl --help 2>&1 | grep -qw disks; then
    step disks hostctl disks
else
    echo "==> hostctl has no 'disks' command yet"
fi
if hostctl --help 2>&1 | grep -qw raid; then
    # the R630 default on blank disks: OS RAID 1 (+ESP) on the SSDs, RAID 5
    # with a hot spare on the HDDs; brand-new (all-zero) disks: no initial sync
    step raid_plan hostctl raid plan
    step raid_create hostctl raid create --yes --assume-clean
    step raid_status hostctl raid status
    step raid_again hostctl raid create --yes
    step disks_after hostctl disks
    step pool df -h /srv/pool
fi
# shellcheck disable=SC2046  # (one word per disk)
step lsblk lsblk -d -o NAME,SIZE,ROTA,TRAN,VENDOR,MODEL,SERIAL,WWN,HCTL $(for d in /sys/block/sd*; do echo "/dev/${d##*/}"; done)
exit "$RC"
