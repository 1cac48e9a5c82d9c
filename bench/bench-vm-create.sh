#!/bin/bash
# bench-vm-create.sh — define and start 5 VMs (256 MiB each, the same
# kernel/initramfs guest, disks in the same dir pool) with `hostctl vm create`
# and with virt-install (Debian's virtinst), in the same run against the same
# private libvirtd. Prints the wall time until all 5 are defined and started,
# until each guest's serial marker, and the ratios hostctl / virt-install.
# Needs root, libvirt-daemon-system, qemu-system-x86, virtinst, busybox-static.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
HOSTCTL=${HOSTCTL:-$TOP/build/hostctl}
. "$TOP/tests/host/vm-lib.sh"
N=${BENCH_VMS:-5}
MARKER="HOSTD-GUEST: READY"

if ! why=$(vmlib_can_run); then echo "bench-vm-create: skipped: $why"; exit 0; fi
command -v virt-install >/dev/null || { echo "bench-vm-create: skipped: virt-install is not installed"; exit 0; }
[ -x "$HOSTCTL" ] || { echo "bench-vm-create: $HOSTCTL not built"; exit 1; }
VMLIB_DIR=$(mktemp -d /tmp/hostd-bench-vm.XXXXXX)
chmod 755 "$VMLIB_DIR"
export VMLIB_PREFIX=hostdbench
POOL=hostdbench$$
trap 'vmlib_stop_libvirtd "$POOL"; rm -rf "$VMLIB_DIR"' EXIT
trap 'exit 130' INT TERM
exec 9>/tmp/hostd-qemu.lock
flock 9                                   # one QEMU user at a time on this machine

vmlib_make_guest "$VMLIB_DIR"
vmlib_start_libvirtd || { echo "libvirtd does not start"; exit 1; }
mkdir -p "$VMLIB_DIR/raid5" "$VMLIB_DIR/logs"
"$HOSTCTL" pool create -c qemu:///system --pool "$POOL" --pool-mount "$VMLIB_DIR/raid5" >/dev/null || exit 1
CMDLINE="console=ttyS0 panic=-1 quiet"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# wait_markers T0 NAME...: prints each guest's marker time (s after T0)
wait_markers() {
    local t0=$1; shift
    local -A seen=()
    local left=$# deadline=$(( $(now_ms) + ${BENCH_TIMEOUT_S:-150} * 1000 )) n
    while [ "$left" -gt 0 ] && [ "$(now_ms)" -lt "$deadline" ]; do
        for n in "$@"; do
            [ -n "${seen[$n]:-}" ] && continue
            if grep -aq "$MARKER" "$VMLIB_DIR/logs/$n.log" 2>/dev/null; then
                seen[$n]=$(( $(now_ms) - t0 )); left=$((left - 1))
            fi
        done
        sleep 0.05
    done
    for n in "$@"; do printf '%s ' "${seen[$n]:-timeout}"; done
}

cleanup_round() {   # delete the round's VMs (and their volumes)
    local n
    for n in "$@"; do "$HOSTCTL" vm delete "$n" -c qemu:///system --pool "$POOL" >/dev/null 2>&1; done
}

secs() { awk -v m="$1" 'BEGIN { printf "%.2f", m / 1000 }'; }
last() { local m=0 x; for x in $1; do [ "$x" = timeout ] && { echo 999999; return; }; [ "$x" -gt "$m" ] && m=$x; done; echo "$m"; }

# --- hostctl: one spec, one command
{
    echo "hypervisor: {type: qemu, console_dir: $VMLIB_DIR/logs}"
    echo "vms:"
    for i in $(seq 1 "$N"); do
        echo "  - {name: hostdbench-h$i, memory: 256M, disks: [{size: 64M}], network: {type: none},"
        echo "     kernel: $VMLIB_DIR/vmlinuz, initrd: $VMLIB_DIR/initramfs.cpio.gz, cmdline: '$CMDLINE'}"
    done
} > "$VMLIB_DIR/bench.yaml"
H_NAMES=$(for i in $(seq 1 "$N"); do echo "hostdbench-h$i"; done)
t0=$(now_ms)
"$HOSTCTL" vm create --spec "$VMLIB_DIR/bench.yaml" -c qemu:///system --pool "$POOL" >/dev/null || { echo "hostctl vm create failed"; exit 1; }
h_started=$(( $(now_ms) - t0 ))
# shellcheck disable=SC2086
h_markers=$(wait_markers "$t0" $H_NAMES)
# shellcheck disable=SC2086
cleanup_round $H_NAMES

# --- virt-install: one command per VM, the same guest and pool
V_NAMES=$(for i in $(seq 1 "$N"); do echo "hostdbench-v$i"; done)
t0=$(now_ms)
for n in $V_NAMES; do
    virt-install --connect qemu:///system --name "$n" --virt-type qemu --memory 256 --vcpus 1 \
        --osinfo detect=on,require=off --import \
        --disk "pool=$POOL,size=0.0625,format=qcow2,bus=virtio" \
        --boot "kernel=$VMLIB_DIR/vmlinuz,initrd=$VMLIB_DIR/initramfs.cpio.gz,kernel_args=$CMDLINE" \
        --network none --graphics none --serial "pty,log.file=$VMLIB_DIR/logs/$n.log" \
        --noautoconsole >"$VMLIB_DIR/virt-install.out" 2>&1 \
        || { echo "virt-install failed:"; tail -3 "$VMLIB_DIR/virt-install.out"; exit 1; }
done
v_started=$(( $(now_ms) - t0 ))
# shellcheck disable=SC2086
v_markers=$(wait_markers "$t0" $V_NAMES)
# shellcheck disable=SC2086
for n in $V_NAMES; do
    virsh -c qemu:///system destroy "$n" >/dev/null 2>&1
    virsh -c qemu:///system undefine "$n" --remove-all-storage >/dev/null 2>&1
done

h_last=$(last "$h_markers"); v_last=$(last "$v_markers")
echo "$N VMs x 256 MiB, TCG, direct kernel boot, qcow2 disk in a dir pool; times from the first command"
printf '  %-18s defined+started %6s s   guest markers (ms): %s\n' "hostctl vm create" "$(secs "$h_started")" "$h_markers"
printf '  %-18s defined+started %6s s   guest markers (ms): %s\n' "virt-install" "$(secs "$v_started")" "$v_markers"
awk -v a="$h_started" -v b="$v_started" -v c="$h_last" -v d="$v_last" 'BEGIN {
    printf "  ratio hostctl/virt-install: defined+started %.2fx (goal <= 0.5x), all guests at marker %.2fx\n", a / b, c / d }'
