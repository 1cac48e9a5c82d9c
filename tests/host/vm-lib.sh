# vm-lib.sh — sourced by the VM tests and bench/: a private libvirtd
# (virtlogd + libvirtd with their own pid files, no systemd) and a tiny
# test guest (the host's Debian kernel, copied, plus a busybox initramfs
# whose /init mounts the cidata seed and prints its instance-id on ttyS0).
# The caller sets VMLIB_DIR (a temporary directory it removes).

# vmlib_can_run: prints why not and returns 1 when this machine cannot run it.
vmlib_can_run() {
    [ "$(id -u)" = 0 ] || { echo "needs root"; return 1; }
    local p
    for p in libvirtd virtlogd virsh qemu-system-x86_64 busybox cpio genisoimage; do
        command -v "$p" >/dev/null || { echo "$p is not installed"; return 1; }
    done
    getent passwd libvirt-qemu >/dev/null || { echo "user libvirt-qemu missing (libvirt-daemon-system)"; return 1; }
    ls /boot/vmlinuz-* >/dev/null 2>&1 || { echo "no kernel in /boot"; return 1; }
    if [ -S /run/libvirt/libvirt-sock ] && virsh -c qemu:///system -q version >/dev/null 2>&1; then
        echo "another libvirtd is already running"; return 1
    fi
}

vmlib_start_libvirtd() {
    mkdir -p /run/libvirt /var/log/libvirt/qemu /var/lib/libvirt/qemu /var/cache/libvirt/qemu
    getent group libvirt >/dev/null || groupadd -r libvirt
    if ! { [ -f /run/virtlogd.pid ] && kill -0 "$(cat /run/virtlogd.pid)" 2>/dev/null; }; then
        virtlogd -d -p "$VMLIB_DIR/virtlogd.pid" || return 1
    fi
    LIBVIRT_LOG_OUTPUTS="3:file:$VMLIB_DIR/libvirtd.log" libvirtd -d -p "$VMLIB_DIR/libvirtd.pid" || return 1
    local i=0
    until virsh -c qemu:///system -q version >/dev/null 2>&1; do
        i=$((i + 1)); [ $i -gt 600 ] && return 1
        sleep 0.1
    done
}

_vmlib_kill_pidfile() {
    [ -f "$1" ] || return 0
    local pid i=0; pid=$(cat "$1")
    kill -0 "$pid" 2>/dev/null || { rm -f "$1"; return 0; }
    kill -TERM "$pid"
    while kill -0 "$pid" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 100 ] && { kill -KILL "$pid"; break; }
        sleep 0.1
    done
    rm -f "$1"
}

# vmlib_stop_libvirtd POOLNAME...: destroy our domains and pools, then stop the daemons.
vmlib_stop_libvirtd() {
    local d p
    if [ -f "$VMLIB_DIR/libvirtd.pid" ] && kill -0 "$(cat "$VMLIB_DIR/libvirtd.pid")" 2>/dev/null; then
        for d in $(virsh -c qemu:///system list --all --name 2>/dev/null | grep "^${VMLIB_PREFIX:-hostdtest}"); do
            virsh -c qemu:///system destroy "$d" >/dev/null 2>&1
            virsh -c qemu:///system undefine --nvram "$d" >/dev/null 2>&1
        done
        for p in "$@"; do
            virsh -c qemu:///system pool-destroy "$p" >/dev/null 2>&1
            virsh -c qemu:///system pool-undefine "$p" >/dev/null 2>&1
        done
    fi
    _vmlib_kill_pidfile "$VMLIB_DIR/libvirtd.pid"
    _vmlib_kill_pidfile "$VMLIB_DIR/virtlogd.pid"
}

# vmlib_make_guest DIR: DIR/vmlinuz (a copy) and DIR/initramfs.cpio.gz
vmlib_make_guest() {
    local out=$1 kver w m ko b
    kver=$(ls /lib/modules | sort -V | tail -n1)
    cp "/boot/vmlinuz-$kver" "$out/vmlinuz"          # libvirt chowns it while a VM runs
    w=$(mktemp -d)
    mkdir -p "$w"/bin "$w"/dev "$w"/proc "$w"/sys "$w"/mnt "$w"/lib/modules "$w"/etc/acpi/PWRF
    cp "$(command -v busybox)" "$w"/bin/busybox
    for b in sh mount umount cat sed ls sleep insmod acpid poweroff sync cut tr mkdir; do ln -s busybox "$w/bin/$b"; done
    : > "$w"/etc/modules.order
    for m in virtio_pci virtio_blk ata_piix sr_mod isofs button evdev; do
        modprobe -S "$kver" --show-depends "$m" 2>/dev/null | awk '$1=="insmod"{print $2}'
    done | awk '!seen[$0]++' | while read -r ko; do
        b=$(basename "$ko")
        case "$ko" in
            *.ko.xz)  xz -dc "$ko" > "$w/lib/modules/${b%.xz}"; b=${b%.xz} ;;
            *.ko.zst) zstd -dcq "$ko" > "$w/lib/modules/${b%.zst}"; b=${b%.zst} ;;
            *)        cp "$ko" "$w/lib/modules/$b" ;;
        esac
        echo "$b" >> "$w"/etc/modules.order
    done
    printf '#!/bin/sh\necho "HOSTD-GUEST: poweroff" > /dev/ttyS0\nsync; poweroff -f\n' > "$w"/etc/acpi/PWRF/00000080
    chmod +x "$w"/etc/acpi/PWRF/00000080
    echo "PWRF PWRF/00000080" > "$w"/etc/acpid.conf
    cat > "$w"/init <<'S'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
exec </dev/ttyS0 >/dev/ttyS0 2>&1
echo "HOSTD-GUEST: init"
for m in $(cat /etc/modules.order); do insmod /lib/modules/$m 2>/dev/null; done
for i in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/sr0 ] && break; sleep 0.5; done
if mount -t iso9660 -o ro /dev/sr0 /mnt 2>/dev/null; then
  sed -n 's/^instance-id: *"*\([^"]*\)"*$/HOSTD-GUEST: instance-id=\1/p' /mnt/meta-data
  [ -f /mnt/user-data ] && sed -n 's/^# marker: /HOSTD-GUEST: user-data /p' /mnt/user-data
  umount /mnt
else
  echo "HOSTD-GUEST: no seed"
fi
echo "HOSTD-GUEST: disks $(ls /sys/block | tr '\n' ' ')"
mkdir -p /var/log /var/run
acpid -c /etc/acpi -a /etc/acpid.conf || echo "HOSTD-GUEST: acpid failed"
echo "HOSTD-GUEST: READY"
while :; do sleep 3600; done
S
    chmod +x "$w"/init
    (cd "$w" && find . | cpio -o -H newc --quiet | gzip -1) > "$out/initramfs.cpio.gz"
    rm -rf "$w"
}

# vmlib_wait_for FILE TEXT SECONDS: until TEXT is in FILE
vmlib_wait_for() {
    local i=0 n=$(($3 * 10))
    while [ $i -lt $n ]; do
        grep -aq -- "$2" "$1" 2>/dev/null && return 0
        i=$((i + 1)); sleep 0.1
    done
    return 1
}
