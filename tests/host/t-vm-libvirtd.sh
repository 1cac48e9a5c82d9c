#!/bin/bash
# t-vm-libvirtd.sh — hostctl against a real libvirtd with a software-emulated
# (TCG) guest: pool on a directory, a VM whose guest reads its cloud-init
# seed and prints the instance-id on the serial console, stop, delete, and
# nothing left in the pool; then the failures a user meets: name already
# used, not enough memory, pool directory missing, libvirtd down.
set -u
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/vm-lib.sh"
HOSTCTL=${HOSTCTL:?}

if ! why=$(vmlib_can_run); then
    skip "real libvirtd VM lifecycle" "$why"; tap_done; exit
fi
VMLIB_DIR=$(mktemp -d /tmp/hostd-t-vm.XXXXXX)
chmod 755 "$VMLIB_DIR"                   # QEMU runs as libvirt-qemu
POOL=hostdtest$$
VM=hostdtest-vm1
export VMLIB_PREFIX=hostdtest
cleanup() {
    vmlib_stop_libvirtd "$POOL" "${POOL}b"
    rm -rf "$VMLIB_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
exec 9>/tmp/hostd-qemu.lock
flock 9                                  # one QEMU guest at a time on this machine

vmlib_make_guest "$VMLIB_DIR"
if ! vmlib_start_libvirtd; then
    fail "libvirtd starts"; tail -5 "$VMLIB_DIR/libvirtd.log" | sed 's/^/#   /'; tap_done; exit
fi
MNT=$VMLIB_DIR/raid5                     # stands in for the RAID 5 mount
mkdir -p "$MNT" "$VMLIB_DIR/logs"
hc() { "$HOSTCTL" "$@" -c qemu:///system --pool "$POOL"; }

# --- the pool
out=$(hc pool create --pool-mount "$MNT" 2>&1)
check_contains "pool create makes <mount>/vms" "created storage pool $POOL at $MNT/vms" "$out"
out=$(virsh -c qemu:///system pool-info "$POOL" 2>&1)
check_contains "the pool is running" "State:          running" "$out"
check_contains "the pool autostarts" "Autostart:      yes" "$out"

# --- a VM that boots and reads its seed
printf '#cloud-config\n# marker: hello-from-user-data\n' > "$VMLIB_DIR/vm1.user-data"
cat > "$VMLIB_DIR/vms.yaml" <<Y
hypervisor: {type: qemu, console_dir: $VMLIB_DIR/logs}
vms:
  - name: $VM
    memory: 256M
    disks: [{size: 64M}]
    network: {type: none}
    cloud_init: {user_data: vm1.user-data}
    kernel: vmlinuz
    initrd: initramfs.cpio.gz
    cmdline: console=ttyS0 panic=-1 quiet
Y
t0=$(date +%s%N)
out=$(hc vm create --spec "$VMLIB_DIR/vms.yaml" 2>&1); rc=$?
check_eq "vm create exits 0" 0 "$rc"
check_contains "vm create reports the VM running" "created VM $VM (running, qemu)" "$out"
LOG=$VMLIB_DIR/logs/$VM.log
if vmlib_wait_for "$LOG" "HOSTD-GUEST: READY" 120; then
    ok "the guest booted ($(( ($(date +%s%N) - t0) / 1000000 )) ms to its READY marker)"
else
    fail "the guest booted"; tail -5 "$LOG" 2>/dev/null | sed 's/^/#   /'
fi
check_contains "the guest read instance-id from the cidata seed" "HOSTD-GUEST: instance-id=$VM" "$(tr -d '\r' < "$LOG")"
check_contains "the guest read the user-data" "HOSTD-GUEST: user-data hello-from-user-data" "$(tr -d '\r' < "$LOG")"
check_contains "the guest sees its pool disk as vda" "vda" "$(grep -a 'HOSTD-GUEST: disks' "$LOG")"
out=$(hc --json vm list)
check_contains "vm list --json shows it running" "\"state\": \"running\"" "$out"
out=$(hc vm show "$VM")
check_contains "vm show gives the console log path" "console log: $LOG" "$out"
check_contains "vm show lists its pool volumes" "$POOL/$VM-disk0.qcow2 $POOL/$VM-cidata.iso" "$out"
out=$(hc pool show)
check_contains "the volumes are in the pool" "$VM-disk0.qcow2" "$out"

# --- failures with the VM in place
out=$(hc vm create --spec "$VMLIB_DIR/vms.yaml" 2>&1); rc=$?
check_eq "creating the same name again fails (exit 1)" 1 "$rc"
check_contains "... saying the name is used" "create VM '$VM': a VM named '$VM' already exists" "$out"
check_contains "... and the first VM still runs" "running" "$(hc vm show "$VM" | grep state)"
sed -e "s/name: $VM/name: hostdtest-huge/" -e 's/memory: 256M/memory: 1T/' "$VMLIB_DIR/vms.yaml" > "$VMLIB_DIR/huge.yaml"
out=$(hc vm create --spec "$VMLIB_DIR/huge.yaml" 2>&1); rc=$?
check_eq "a VM larger than the host's memory fails (exit 1)" 1 "$rc"
check_contains "... saying how much is missing" "needs 1.0T of memory; the host has" "$out"
check_eq "... and leaves no domain" "" "$(virsh -c qemu:///system list --all --name | grep hostdtest-huge)"
check_eq "... and no volume" "" "$(ls "$MNT/vms" | grep hostdtest-huge)"

# --- stop, delete, nothing left
out=$(hc vm stop "$VM" --timeout 30 2>&1)
check_contains "vm stop shuts the guest down through ACPI" "VM $VM: shut down" "$out"
check_contains "... the guest saw the power button" "HOSTD-GUEST: poweroff" "$(tr -d '\r' < "$LOG")"
check_contains "vm show says shutoff" "shutoff" "$(hc vm show "$VM" | grep state)"
out=$(hc vm delete "$VM" 2>&1)
check_contains "vm delete" "VM $VM: deleted with its volumes" "$out"
check_eq "nothing left in the pool directory" "" "$(ls -A "$MNT/vms")"
check_contains "pool show lists no volume" "volumes:    -" "$(hc pool show)"
check_eq "the domain is gone" "" "$(virsh -c qemu:///system list --all --name | grep "$VM")"

# --- the pool directory missing
out=$("$HOSTCTL" pool create -c qemu:///system --pool "${POOL}b" --pool-mount "$VMLIB_DIR/not-mounted" 2>&1); rc=$?
check_eq "pool create on a missing mount fails (exit 1)" 1 "$rc"
check_contains "... naming the mount" "pool mount $VMLIB_DIR/not-mounted does not exist" "$out"
check_eq "... and defines no pool" "" "$(virsh -c qemu:///system pool-list --all --name | grep "${POOL}b")"
rmdir "$MNT/vms"
out=$(hc vm create --spec "$VMLIB_DIR/vms.yaml" 2>&1); rc=$?
check_eq "vm create with the pool directory gone fails (exit 1)" 1 "$rc"
check_contains "... saying the directory is missing" "its directory $MNT/vms is missing" "$out"
check_eq "... and leaves no domain" "" "$(virsh -c qemu:///system list --all --name | grep "$VM")"

# --- libvirtd down
vmlib_stop_libvirtd "$POOL"
out=$(hc vm list 2>&1); rc=$?
check_eq "vm list with libvirtd down fails (exit 1)" 1 "$rc"
check_contains "... saying libvirtd is not running" "cannot connect to qemu:///system: libvirtd is not running" "$out"
tap_done
