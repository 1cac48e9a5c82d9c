#!/bin/bash
# t-vm-cli.sh — `hostctl vm` and `hostctl pool` as a user types them, with no
# daemon: --print-xml (never connects), usage errors (exit 2), spec errors
# naming the key, the missing hyperv driver, and one-process runs against
# libvirt's test:///default driver.
set -u
. "$(dirname "$0")/tap.sh"
HOSTCTL=${HOSTCTL:?} TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d /tmp/hostd-t-vm-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT

cat > "$T/web1.yaml" <<'Y'
vms:
  - name: web1
    vcpus: 2
    memory: 2G
    disks: [{size: 20G, image: debian-12.qcow2}]
    network: {type: nat}
    cloud_init: {user_data: web1.user-data, network_config: web1.network}
    firmware: bios
    autostart: true
Y
# a URI nobody answers: --print-xml must not connect at all
out=$("$HOSTCTL" vm create --spec "$T/web1.yaml" --print-xml -t kvm -c qemu+unix:///system?socket=/nonexistent 2>&1); rc=$?
check_eq "--print-xml exits 0 without libvirt" 0 "$rc"
check_eq "--print-xml prints the expected domain XML" "$(cat "$TOP/tests/fixtures/hypervisor/web1.xml")" "$out"

# The KVM probe (type auto on a qemu URI) runs once per boot, not per command:
# where KVM hangs each run costs its whole timeout. In a mount namespace, a
# /dev with a kvm node, an empty /run for the cache, and a qemu on PATH that
# counts its runs and answers as SeaBIOS does under a working KVM.
mkdir -p "$T/dev" "$T/bin"
cat > "$T/bin/qemu-system-x86_64" <<EOF
#!/bin/sh
echo probe >> "$T/probes"
echo "Booting from Hard Disk..."
EOF
chmod 755 "$T/bin/qemu-system-x86_64"
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
    out=$(PATH=$T/bin:$PATH unshare -m bash -c '
        set -e
        mount --make-rprivate /
        mknod "$1/dev/null" c 1 3; chmod 666 "$1/dev/null"; touch "$1/dev/kvm"
        mount --bind "$1/dev" /dev; mount -t tmpfs run /run
        for i in 1 2 3; do "$2" vm create --spec "$1/web1.yaml" --print-xml | grep -o "<domain type=.[a-z]*."; done
        cat /run/hostd/kvm-probe' _ "$T" "$HOSTCTL" 2>&1)
    check_eq "three commands asked for the domain type, the KVM probe ran once" "1" "$(wc -l < "$T/probes" 2>/dev/null)"
    check_eq "... each got its answer (kvm)" "3" "$(grep -c "<domain type=.kvm." <<<"$out")"
    check_contains "... kept for this boot" "$(cat /proc/sys/kernel/random/boot_id) kvm" "$out"
else
    skip "the KVM probe runs once per boot" "needs root and mount namespaces"
fi

cat > "$T/two.yaml" <<'Y'
hypervisor: {type: qemu, pool: tank, console_dir: /var/log/my vms}
vms:
  - {name: "a&b", memory: 256M, network: {type: bridge, bridge: br0}}
  - {name: c, memory: 256M, network: {type: user}}
Y
out=$("$HOSTCTL" vm create --spec "$T/two.yaml" --print-xml 2>&1)
check_eq "one XML document per VM" 2 "$(grep -c '^<?xml' <<<"$out")"
check_contains "the spec's hypervisor section sets the type" '<domain type="qemu">' "$out"
check_contains "names are escaped" "<name>a&amp;b</name>" "$out"
check_contains "the console dir comes from the spec" '<log file="/var/log/my vms/a&amp;b.log" append="off"/>' "$out"
check_contains "bridge network" '<source bridge="br0"/>' "$out"

printf 'vms:\n  - {name: x, memory: 2X}\n' > "$T/bad.yaml"
out=$("$HOSTCTL" vm create --spec "$T/bad.yaml" --print-xml 2>&1); rc=$?
check_eq "a bad spec fails (exit 1)" 1 "$rc"
check_contains "... naming the key" "vms[0].memory: '2X' is not a size" "$out"

out=$("$HOSTCTL" vm create 2>&1); rc=$?
check_eq "vm create without --spec is a usage error (exit 2)" 2 "$rc"
out=$("$HOSTCTL" vm show 2>&1); rc=$?
check_eq "vm show without a name is a usage error (exit 2)" 2 "$rc"
out=$("$HOSTCTL" vm list --keep-disks 2>&1); rc=$?
check_eq "an option of another verb is a usage error (exit 2)" 2 "$rc"
out=$("$HOSTCTL" vm stop x --timeout 0 2>&1); rc=$?
check_eq "--timeout 0 is a usage error (exit 2)" 2 "$rc"
out=$("$HOSTCTL" vm list -t xen 2>&1); rc=$?
check_contains "an unknown domain type is named" "--type: 'xen' is not kvm, qemu or auto" "$out"

out=$("$HOSTCTL" vm list -c hyperv://r630.example 2>&1); rc=$?
check_eq "hyperv:// without the driver fails (exit 1)" 1 "$rc"
check_contains "... naming the missing driver" "this host's libvirt has no 'hyperv' driver" "$out"
out=$("$HOSTCTL" --json vm list -c hyperv://r630.example 2>/dev/null)
check_contains "... also as JSON" '"errno": "EPROTONOSUPPORT"' "$out"

# test:///default lives in one process: each command sees a fresh mock host
out=$("$HOSTCTL" --json pool create -c test:///default --pool-dir "$T/pool" 2>&1)
check_contains "pool create --json on test:///default" '"created": true' "$out"
check_contains "... autostart on" '"autostart": true' "$out"
out=$("$HOSTCTL" pool create -c test:///default 2>&1); rc=$?
check_eq "pool create without a directory is a usage error" 2 "$rc"
out=$("$HOSTCTL" pool show -c test:///default 2>&1); rc=$?
check_contains "pool show names the missing pool and the fix" "storage pool 'hostd' does not exist: create it with 'hostctl pool create'" "$out"
printf 'vms:\n  - {name: t1, memory: 256M, disks: [{size: 1G}], network: {type: nat}}\n' > "$T/t1.yaml"
out=$("$HOSTCTL" --json vm create --spec "$T/t1.yaml" -c test:///default --pool default-pool -t qemu 2>&1)
check_contains "vm create --json on test:///default: running" '"state": "running"' "$out"
check_contains "... with its volume" '"default-pool/t1-disk0.qcow2"' "$out"
out=$("$HOSTCTL" vm list -c test:///default 2>&1)
check_contains "vm list prints a table" "NAME  STATE          VCPUS    MEMORY  AUTOSTART" "$out"
out=$("$HOSTCTL" vm stop test --force -c test:///default 2>&1)
check_eq "vm stop --force destroys" "VM test: destroyed" "$out"
out=$("$HOSTCTL" vm start nosuch -c test:///default 2>&1); rc=$?
check_eq "vm start of an unknown VM fails (exit 1)" 1 "$rc"
check_contains "... naming it" "no VM named 'nosuch'" "$out"
tap_done
