#!/bin/bash
# t-harness.sh - proves the lab harness (tests/lab/lab.sh) end to end; TAP.
#
# Boots the virtual R630 twice on the same disks, plus two short boots that
# must fail in a controlled way:
#   signal   a lab script killed by SIGTERM while its guest runs leaves no QEMU
#   raid     (udev on) hostctl --version runs in the guest; the 9 disks have
#            the exact identities of r630-disks.txt; a RAID 1 (metadata 1.2,
#            --name) is built, checked with /proc/mdstat + mdadm --detail,
#            stopped; the script's exit status 0 reaches the host
#   reboot   (udev off, run in the background) the array comes back with the
#            same UUID and data; the host hot-unplugs hdd6 over QMP and plugs
#            it back while the script waits; exit status 7 reaches the host
#   timeout  a boot that exceeds LAB_TIMEOUT returns 124, QEMU is gone
# Env: HOSTCTL (default build/hostctl), plus the lab.sh knobs (LAB_WORK,
# LAB_HBA, ...).  Skips (never passes silently) without QEMU or a kernel.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lab.sh
. "$HERE/lab.sh"
HOSTCTL=${HOSTCTL:-$LAB_REPO/build/hostctl}

# ---- TAP ---------------------------------------------------------------------------------
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# check DESC CMD...: ok when CMD succeeds
check() {
    local d=$1
    shift
    if "$@"; then ok "$d"; else not_ok "$d"; fi
}
finish() {
    echo "1..$n"
    [ "$failed" -eq 0 ]
}

if why=$(lab_skip_reason); then
    echo "ok 1 - lab # SKIP $why"
    echo "1..1"
    exit 0
fi
T_LOCK=$SECONDS
lab_init
T_START=$SECONDS
TMP=$LAB_WORK/t-harness
rm -rf "$TMP"
mkdir -p "$TMP"

# ---- 1. no QEMU survives a killed lab script ----------------------------------------------------
# A child lab script (it shares our lab lock) starts a guest and is then
# sent SIGTERM: its trap must take the guest down.
printf 'sleep 600\n' > "$TMP/sleep.sh"
(
    lab_init > /dev/null
    lab_boot_bg signal "$TMP/sleep.sh"
    cat "$LAB_WORK/qemu.pid" > "$TMP/signal.pid"
    # short sleeps: bash runs the TERM trap once the current one ends, and
    # no background sleep is left holding the lab lock
    while :; do sleep 0.2; done
) &
child=$!
for ((i = 0; i < 300; i++)); do
    [ -s "$TMP/signal.pid" ] && break
    sleep 0.1
done
qpid=$(cat "$TMP/signal.pid" 2> /dev/null || true)
if [ -n "$qpid" ] && kill -0 "$qpid" 2> /dev/null; then
    kill -TERM "$child"
    crc=0
    wait "$child" || crc=$?
    for ((i = 0; i < 100; i++)); do
        kill -0 "$qpid" 2> /dev/null || break
        sleep 0.1
    done
    check "SIGTERM to a lab script (rc $crc) kills its QEMU (pid $qpid)" \
        test "$crc" -eq 143 -a ! -d "/proc/$qpid"
else
    kill -TERM "$child" 2> /dev/null || true
    wait "$child" || true
    not_ok "SIGTERM to a lab script kills its QEMU (no QEMU started)"
fi

# ---- 2. setup (again: the child reset the share) ------------------------------------------------
lab_init
check "initramfs and kernel built" test -s "$LAB_WORK/initramfs.cpio" -a -s "$LAB_WORK/vmlinux"
bad=0
for id in "${LAB_DISKS[@]}"; do
    [ "$(stat -c %s "$(lab_disk_img "$id")")" = "${LAB_DISK_BYTES[$id]}" ] || bad=1
done
check "9 disk images with the table's sizes" test "${#LAB_DISKS[@]}" -eq 9 -a "$bad" -eq 0

want_version=
if [ -x "$HOSTCTL" ]; then
    want_version=$("$HOSTCTL" --version)
    lab_stage "$HOSTCTL:/usr/local/bin/hostctl"
fi

# ---- 3. boot "raid": exit status 0, hostctl, inventory, RAID 1 ---------------------------------
rc=0
LAB_UDEV=1 lab_boot raid "$HERE/guest/harness.sh" || rc=$?
check "phase raid: guest script exit status 0 reaches the host (got $rc)" test "$rc" -eq 0
log=$(lab_guest_log raid)
if [ -z "$want_version" ]; then
    skip "hostctl --version runs in the guest" "no $HOSTCTL (build it first)"
else
    check "hostctl --version in the guest prints '$want_version'" \
        grep -qxF -- "$want_version" "$log"
fi
# the guest's sysfs view of every disk, against the table
for id in "${LAB_DISKS[@]}"; do
    rot=1
    [ "${LAB_DISK_RPM[$id]}" = 1 ] && rot=0
    echo "naa.${LAB_DISK_WWN[$id]#0x} ${LAB_DISK_SERIAL[$id]} ${LAB_DISK_BYTES[$id]} $rot ${LAB_DISK_VENDOR[$id]} ${LAB_DISK_PRODUCT[$id]}"
done | sort > "$TMP/inventory.want"
if diff -u "$TMP/inventory.want" "$LAB_SHARE/out/inventory.txt" > "$TMP/inventory.diff"; then
    ok "guest sees the 9 disks with exact WWN, serial, size, rotation, vendor, model"
else
    sed 's/^/# /' "$TMP/inventory.diff"
    not_ok "guest sees the 9 disks with exact WWN, serial, size, rotation, vendor, model"
fi
check "RAID 1 created and checked in the guest (no failed check)" \
    eval "grep -q '@@CHECK ok detail: metadata 1.2@@' '$log' && ! grep -q '@@CHECK FAIL' '$log'"
check "array UUID recorded" grep -Eq '^[0-9a-f]{8}(:[0-9a-f]{8}){3}$' "$LAB_SHARE/out/md-uuid.txt"

# ---- 4. boot "reboot" in the background: persistence, exit 7, hot-unplug -----------------------
rc=0
LAB_UDEV=0 lab_boot_bg reboot "$HERE/guest/harness.sh"
if lab_wait_marker "@@LAB-READY unplug@@" 300; then
    check "QMP hot-unplug of hdd6 while the guest runs" lab_unplug hdd6
else
    not_ok "QMP hot-unplug of hdd6 while the guest runs (guest never ready)"
fi
if lab_wait_marker "@@LAB-READY plug@@" 120; then
    check "QMP hot-plug of hdd6 back into its bay" lab_plug hdd6
else
    not_ok "QMP hot-plug of hdd6 back into its bay (guest never ready)"
fi
lab_wait || rc=$?
check "phase reboot: guest 'exit 7' comes back as exactly 7 (got $rc)" test "$rc" -eq 7
log=$(lab_guest_log reboot)
check "array survives the reboot (same UUID and data)" \
    eval "grep -q '@@CHECK ok same UUID after reboot@@' '$log' && grep -q '@@CHECK ok same data after reboot@@' '$log'"
check "guest saw hdd6 leave and come back" \
    eval "grep -q '@@CHECK ok hdd6 hot-unplugged@@' '$log' && grep -q '@@CHECK ok hdd6 serial WFK06ABC@@' '$log'"

# ---- 5. timeout ------------------------------------------------------------------------------------
rc=0
LAB_TIMEOUT=3 LAB_QUIET=1 lab_boot timeout "$TMP/sleep.sh" > "$TMP/timeout.out" || rc=$?
check "a boot over LAB_TIMEOUT returns 124 (got $rc, $LAB_STATUS)" \
    test "$rc" -eq 124 -a "$LAB_STATUS" = timeout
check "no QEMU left after the timeout" eval '! lab_running'

lab_report
echo "# t-harness: $((SECONDS - T_START)) s (+ $((T_START - T_LOCK)) s for the lab lock and image)"
finish
