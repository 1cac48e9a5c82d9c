#!/bin/bash
# demo.sh - `make demo`: boot the virtual R630 and run hostctl on it.
#
# Boots the lab guest (tests/lab/lab.sh) with udev on, the 9 disks of
# r630-disks.txt and the project's binaries staged, runs guest/demo.sh in
# it (hostctl --version, --help, disks; lsblk), then prints a timing report.
# Exit status: the guest script's (0 = every step passed), or 1 when the lab
# cannot run here or hostctl has not been built.
# Env: HOSTCTL (default build/hostctl), HOSTD (default build/hostd), and the
# lab.sh knobs (LAB_HBA=megasas-gen2 for the PERC driver, LAB_TIMEOUT, ...).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lab.sh
. "$HERE/lab.sh"
HOSTCTL=${HOSTCTL:-$LAB_REPO/build/hostctl}
HOSTD=${HOSTD:-$LAB_REPO/build/hostd}

if why=$(lab_skip_reason); then
    echo "demo: the lab cannot run here: $why" >&2
    exit 1
fi
if [ ! -x "$HOSTCTL" ]; then
    echo "demo: no $HOSTCTL; build it first (make)" >&2
    exit 1
fi

t0=$SECONDS
echo "== virtual R630 demo ($(${LAB_QEMU} --version | head -n1), kernel $LAB_KVER, HBA ${LAB_HBA:-virtio-scsi-pci})"
lab_init
lab_stage "$HOSTCTL:/usr/local/bin/hostctl"
[ ! -x "$HOSTD" ] || lab_stage "$HOSTD:/usr/local/sbin/hostd"
t_setup=$((SECONDS - t0))

rc=0
LAB_UDEV=1 LAB_LOG_PREFIX="r630| " lab_boot demo "$HERE/guest/demo.sh" || rc=$?

echo
echo "== report"
printf '%-24s %8s\n' step seconds
printf '%-24s %8s\n' "setup (lock, image)" "$t_setup"
printf '%-24s %8s\n' "kernel to /init" "${LAB_T_INIT[demo]:--}"
printf '%-24s %8s\n' "boot to script" "${LAB_T_READY[demo]:--}"
tr -d '\r' < "$(lab_console demo)" | sed -n 's/^@@T \([^ ]*\) \([0-9.]*\)@@.*/\1 \2/p' |
    while read -r name secs; do printf '%-24s %8s\n' "  $name" "$secs"; done
printf '%-24s %8s\n' "guest wall clock" "$LAB_WALL"
printf '%-24s %8s\n' "total" "$((SECONDS - t0))"
echo "guest exit status: $rc ($LAB_STATUS)"
exit "$rc"
