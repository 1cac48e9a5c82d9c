#!/bin/bash
# demo.sh - `make demo`: a blank virtual R630 (9 disks) becomes a container
# host through its BMC alone: build the Debian root filesystem (debootstrap,
# cached) and the installer image; through the virtual iDRAC, `hostctl bmc
# vmedia insert` the ISO (with examples/r630.yaml on it), `boot cd --once`,
# `power on`: the installer builds the RAID, installs the OS on the RAID 1,
# reports to its callback and reboots; the machine boots from its own disks
# (SeaBIOS) where the first-boot unit mounts the pool, places containerd on
# the RAID 5 and runs a container; then it boots again with an OS disk
# pulled; FIRMWARE=uefi also boots it by OVMF.
# Prints what it checked (TAP) and a report: disks, arrays, mounts, OS,
# runtime, seconds per phase. Exit status 0 when every check passed.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LAB_SCENARIO=demo
[ "${FIRMWARE:-bios}" = uefi ] && export LAB_UEFI=1 || export LAB_UEFI=${LAB_UEFI:-0}
exec "$HERE/t-firstboot.sh"
