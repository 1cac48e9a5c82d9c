#!/bin/bash
# t-apply.sh — hostctl apply on this machine, without the lab: the CLI's
# answers (help, usage, spec errors), an offline plan from a captured
# inventory, and the first-boot phase against a private libvirtd: pool and a
# VM made, a second run changes nothing, --plan has nothing pending, and the
# journal says what was done when. (The install phase, which needs md and
# disks, runs in the lab: tests/lab/t-firstboot.sh.)
set -u
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/vm-lib.sh"
HOSTCTL=${HOSTCTL:?}
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d /tmp/hostd-t-apply.XXXXXX)
chmod 755 "$T"
VMLIB_DIR=$T
POOL=hostdtest-apply$$
export VMLIB_PREFIX=hostdtest-apply
cleanup() {
    [ -f "$T/libvirtd.pid" ] && vmlib_stop_libvirtd "$POOL"
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

out=$("$HOSTCTL" apply --help 2>&1); rc=$?
check_eq "apply --help exits 0" 0 "$rc"
check_contains "... and names both phases" "firstboot" "$out"
out=$("$HOSTCTL" apply 2>&1); rc=$?
check_eq "apply without a spec: usage error (exit 2)" 2 "$rc"
check_contains "... that asks which spec" "which host spec?" "$out"
out=$("$HOSTCTL" apply "$TOP/examples/r630.yaml" --inventory x.json 2>&1); rc=$?
check_eq "--inventory without --plan: exit 2" 2 "$rc"
out=$("$HOSTCTL" apply "$TOP/examples/r630.yaml" --package "$T/nonexistent.deb" 2>&1); rc=$?
check_eq "--package naming no file: usage error (exit 2), named" "2 True" \
    "$rc $(grep -q 'nonexistent.deb: no such file' <<<"$out" && echo True)"
out=$("$HOSTCTL" apply "$TOP/examples/r630.yaml" --package "$TOP/Makefile" 2>&1); rc=$?
check_eq "--package naming no .deb: usage error (exit 2)" 2 "$rc"
touch "$T/hostd_0.1.0_amd64.deb"
out=$("$HOSTCTL" apply "$TOP/examples/r630.yaml" --phase firstboot --package "$T/hostd_0.1.0_amd64.deb" 2>&1); rc=$?
check_eq "--package with phase firstboot: usage error (exit 2), saying it goes with the install" "2 True" \
    "$rc $(grep -q 'it goes with phase install' <<<"$out" && echo True)"

sed 's/^\(  sha256: \).*/\1"12"/' "$TOP/examples/r630.yaml" > "$T/bad.yaml"
out=$("$HOSTCTL" apply "$T/bad.yaml" --plan 2>&1); rc=$?
check_eq "a bad sha256 in the spec: exit 1" 1 "$rc"
check_contains "... the message names the key" "os.sha256: '12' is not 64 hex digits" "$out"
printf 'host: {name: a}\nstorag: {}\n' > "$T/typo.yaml"
out=$("$HOSTCTL" apply "$T/typo.yaml" --plan 2>&1); rc=$?
check_contains "an unknown section is named" "storag: unknown key" "$out"

# the whole plan for a blank R630, offline: nothing on this machine is read or written
out=$("$HOSTCTL" apply "$TOP/examples/r630.yaml" --plan --json --state-dir "$T/state" \
      --inventory "$TOP/tests/fixtures/inventory/r630-2ssd-6hdd.json" 2>&1); rc=$?
check_eq "offline plan exits 0" 0 "$rc"
py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$2" 2>/dev/null; }
echo "$out" > "$T/plan.json"
check_eq "... phase install, mode plan" "install plan" "$(py 'd["phase"], d["mode"]' "$T/plan.json" | tr -d "(),'")"
check_eq "... the image is fetched and checked first" "os:fetch" "$(py 'd["steps"][0]["id"]' "$T/plan.json")"
check_eq "... GRUB goes on both OS disks" 2 "$(py 'sum(s["id"].startswith("os:grub-bios:") for s in d["steps"])' "$T/plan.json")"
check_eq "... every step pending, next: reboot" "True reboot" \
    "$(py 'all(s["state"] == "pending" for s in d["steps"]) and d["pending"] == len(d["steps"]), d["next"]' "$T/plan.json" | tr -d "(),'")"
check "... and no journal was written" test ! -e "$T/state"

# refused: the OS on a RAID 5
sed 's/^\(  sha256: .*\)$/\1\n  root_array: data/' "$TOP/examples/r630.yaml" > "$T/os-on-r5.yaml"
out=$("$HOSTCTL" apply "$T/os-on-r5.yaml" --plan --inventory "$TOP/tests/fixtures/inventory/r630-2ssd-6hdd.json" 2>&1); rc=$?
check_eq "the OS on a RAID 5 is refused (exit 3)" 3 "$rc"
check_contains "... and says why" "the OS goes on a RAID 1" "$out"

# --- phase firstboot against a private libvirtd: pool + one VM
if ! why=$(vmlib_can_run); then
    skip "apply's first-boot phase against libvirtd" "$why"
    tap_done; exit
fi
exec 9>/tmp/hostd-qemu.lock
flock 9                                  # one QEMU guest at a time on this machine
vmlib_make_guest "$T"
if ! vmlib_start_libvirtd; then
    fail "libvirtd starts"; tap_done; exit
fi
mkdir -p "$T/raid5" "$T/logs"
cat > "$T/host.yaml" <<Y
host: {name: apply-test}
hypervisor: {uri: "qemu:///system", type: qemu, pool: $POOL, pool_mount: $T/raid5, console_dir: $T/logs}
vms:
  - name: hostdtest-apply-vm1
    memory: 128M
    disks: [{size: 16M}]
    network: {type: none}
    kernel: vmlinuz
    initrd: initramfs.cpio.gz
    cmdline: console=ttyS0 panic=-1 quiet
Y
out=$("$HOSTCTL" apply "$T/host.yaml" --plan --json --state-dir "$T/state" 2>"$T/plan.err"); rc=$?
echo "$out" > "$T/p1.json"
check_eq "plan on this machine: exit 0, phase firstboot, 2 steps pending" "0 firstboot 2" \
    "$rc $(py 'd["phase"], d["pending"]' "$T/p1.json" | tr -d "(),'")"
mkdir -p "$T/state"
out=$(flock "$T/state/apply.lock" "$HOSTCTL" apply "$T/host.yaml" --yes --state-dir "$T/state" 2>&1); rc=$?
check_eq "while another apply holds the machine: exit 1" 1 "$rc"
check_contains "... and it says so" "another hostctl apply is running on this machine" "$out"
out=$("$HOSTCTL" apply "$T/host.yaml" --yes --json --state-dir "$T/state" 2>"$T/a1.err"); rc=$?
echo "$out" > "$T/a1.json"
check_eq "apply: exit 0, 2 steps changed (pool, VMs)" "0 2" "$rc $(py 'd["changed"]' "$T/a1.json")"
[ "$rc" = 0 ] || sed 's/^/#   /' "$T/a1.err" | tail -5
check_contains "... the pool runs" "running" "$(virsh -c qemu:///system pool-info "$POOL" 2>&1)"
check_eq "... the VM runs" "running" "$(virsh -c qemu:///system domstate hostdtest-apply-vm1 2>&1)"
out=$("$HOSTCTL" apply "$T/host.yaml" --yes --state-dir "$T/state" 2>"$T/a2.err"); rc=$?
check_eq "a second apply: exit 0" 0 "$rc"
check_contains "... and it says nothing changed" "Nothing to do: the machine is already as" "$out"
out=$("$HOSTCTL" apply "$T/host.yaml" --plan --json --state-dir "$T/state" 2>/dev/null)
echo "$out" > "$T/p2.json"
check_eq "--plan afterwards: 0 pending" 0 "$(py 'd["pending"]' "$T/p2.json")"
check_eq "... every step unchanged, in the words of lib/outcome.h" "unchanged unchanged" \
    "$(py '" ".join(s["state"] for s in d["steps"])' "$T/p2.json")"
out=$("$HOSTCTL" apply --journal --state-dir "$T/state" 2>&1); rc=$?
check_eq "apply --journal exits 0" 0 "$rc"
check_contains "... it shows the pool step changed" "hypervisor:pool: changed" "$out"
check_contains "... and the second run's result" "finished, 0 step(s) changed the machine" "$out"
out=$("$HOSTCTL" apply --journal --json --state-dir "$T/state" 2>/dev/null)
echo "$out" > "$T/j.json"
check_eq "the JSON journal has two runs" 2 "$(py 'len(set(r["data"]["run"] for r in d))' "$T/j.json")"
"$HOSTCTL" apply --journal --json --limit 1 --state-dir "$T/state" > "$T/j1.json" 2>/dev/null
check_eq "--limit 1: every record of the last run, and only those" \
    "1 $(py 'sum(1 for r in d if r["data"]["run"] == d[-1]["data"]["run"])' "$T/j.json")" \
    "$(py 'len(set(r["data"]["run"] for r in d)), len(d)' "$T/j1.json" | tr -d '(),')"
virsh -c qemu:///system destroy hostdtest-apply-vm1 >/dev/null 2>&1
tap_done
