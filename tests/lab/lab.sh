# shellcheck shell=bash disable=SC2034
# (SC2034: the LAB_* variables set here are read by the tests that source this)
# lab.sh - the hostd lab: a "virtual R630" booted under QEMU (TCG, no KVM).
#
# Source it from a bash test (set -euo pipefail is fine):
#
#     . "$(dirname "$0")/lab.sh"
#     if why=$(lab_skip_reason); then echo "ok 1 - lab # SKIP $why"; echo 1..1; exit 0; fi
#     lab_init                                  # lock, image, fresh disks, share
#     lab_stage build/hostctl:/usr/local/bin/hostctl
#     rc=0; lab_boot install guest-script.sh || rc=$?
#
# The guest is Debian's kernel with an initramfs built from host files (dash,
# busybox applets, mdadm, udev, ...: build-initramfs.sh), 2 SSDs + 6 HDDs +
# 1 spare on one SCSI HBA (the table in r630-disks.txt) and a 9p share
# through which scripts, output and exit codes travel; staged programs are
# appended to the initramfs.  A guest script runs as `sh SCRIPT` (dash) with
# /lab/lib.sh available (see guest/lib.sh); its exit status is the value
# lab_boot returns.  Disk images persist across boots until lab_init or
# lab_reset_disks, so reboot tests just call lab_boot again.
#
# Functions (return 0 on success unless said otherwise):
#   lab_skip_reason            print why the lab cannot run here; 0 = cannot
#   lab_init                   lock + traps, build the image if its inputs
#                              changed, fresh disks and share
#   lab_reset_disks            recreate the 9 sparse disk images (all zero)
#   lab_stage BIN[:PATH]...    put programs + their ldd libraries in the guest
#                              (at PATH, default BIN's own path); any file
#                              works, e.g. a config: lab_stage x.yaml:/etc/x.yaml
#   lab_env NAME=VALUE...      export NAME=VALUE to guest scripts (lab.env)
#   lab_boot PHASE SCRIPT      boot, run SCRIPT as phase PHASE, wait; returns
#                              the script's exit status, 124 on timeout, 125
#                              when the guest gave no status (crash, panic)
#   lab_boot_bg PHASE SCRIPT   the same, but return once QEMU has started
#   lab_wait                   wait for the guest of lab_boot_bg; as lab_boot
#   lab_wait_marker TEXT [S]   wait up to S s (default 120) for TEXT on the
#                              console (e.g. "@@LAB-READY x@@"); 1 if not seen
#   lab_signal NAME            wake a guest blocked in lab_wait_signal NAME
#   lab_qmp [--event E] JSON...  send QMP commands to the running guest
#   lab_unplug ID              hot-unplug disk ID (ssd0..hdd6), wait until done
#   lab_plug ID [IMG [SERIAL [WWN]]]  hot-plug disk ID back (or a new image
#                              with another identity) into its bay
#   lab_running                0 while a guest runs
#   lab_kill                   stop the running guest now
#   lab_share SRC NAME         make host file SRC visible to guest scripts as
#                              /mnt/host/NAME (a hard link into the share,
#                              a copy across filesystems): big inputs such
#                              as the rootfs tar, which lab_stage would put
#                              in the initramfs (guest RAM)
#   lab_boot_disks PHASE [--uefi] [--without ID]... [--snapshot]
#                              boot the machine from its own disks (no
#                              -kernel: SeaBIOS, or OVMF with --uefi and a
#                              fresh copy of its NVRAM template), same HBA,
#                              bays and identities as lab_boot, the os disks
#                              first in the boot order; --without leaves disk
#                              ID out (its bay stays empty); --snapshot runs
#                              on throw-away qcow2 overlays (a degraded boot
#                              must not split the real mirror).  Waits for
#                              the installed system's boot report (its
#                              lab-marker.service, build-rootfs.sh) to end
#                              with @@MARKER-END@@ on the console, for QEMU
#                              to exit, or LAB_BOOT_TIMEOUT; then stops QEMU
#                              (on the real disks the guest first gets
#                              LAB_POWEROFF_GRACE s to power itself off).
#                              Returns 0 when the report is complete, 124 on
#                              timeout, 125 otherwise; sets LAB_STATUS (ok|
#                              timeout|nomarker), LAB_WALL, LAB_T_MARKER
#                              (seconds from QEMU start to @@BOOTED)
#   lab_marker PHASE TAG       the payloads of the @@TAG ...@@ lines of the
#                              phase's console, one a line (CR and whatever
#                              precedes "@@" stripped): lab_marker bios BOOTED
#   lab_console PHASE          path of the phase's serial console log
#   lab_guest_log PHASE        path of the phase's script output
#   lab_disk_img ID            path of disk ID's image
#   lab_report                 timing table of every boot so far (booted@:
#                              @@BOOTED of a lab_boot_disks boot)
#   lab_cleanup                kill any guest (installed as EXIT/INT/TERM
#                              trap by lab_init; call it from your own trap)
#
# Disk table (from r630-disks.txt): LAB_DISKS=(ssd0 ssd1 hdd0 ... hdd6) and,
# indexed by id, LAB_DISK_SLOT LAB_DISK_SIZE LAB_DISK_BYTES LAB_DISK_VENDOR
# LAB_DISK_PRODUCT LAB_DISK_REV LAB_DISK_SERIAL LAB_DISK_WWN LAB_DISK_RPM
# LAB_DISK_ROLE.  After each boot: LAB_RC, LAB_STATUS (ok|timeout|killed|
# norc; lab_boot_disks: ok|timeout|nomarker), LAB_WALL (seconds), and after
# lab_boot_disks LAB_T_MARKER.
#
# Env knobs (read at each boot, except LAB_WORK, LAB_KVER, LAB_QEMU and
# LAB_LOCK: read when this file is sourced):
#   LAB_WORK      work dir (default <repo>/build/lab)
#   LAB_TIMEOUT   seconds per boot, enforced with timeout -k (default 600)
#   LAB_HBA       virtio-scsi-pci (default) | megasas-gen2 (PERC's
#                 megaraid_sas driver) | mptsas1068 (SAS, 8 phys)
#   LAB_HBA_OPTS  its QEMU properties, e.g. use_jbod=on (megasas-gen2:
#                 the disks passed through as in HBA mode; off, QEMU's
#                 default, makes each one a logical drive)
#   LAB_QEMU_EXTRA  more QEMU arguments for a provisioning boot, words
#                 separated by blanks (no blanks inside one): more
#                 controllers and disks, NVMe
#   LAB_NVME      ids of the table's disks that are NVMe drives instead of
#                 SCSI disks (e.g. "ssd1"): a controller with the table's
#                 serial and one namespace, in every boot (lab_boot,
#                 lab_boot_disks, lab_machine_args); they do not unplug
#   LAB_UDEV      1 = run systemd-udevd in the guest (default 1)
#   LAB_OMIT_DISKS  ids left out of this boot, e.g. "ssd0" (degraded boot)
#   LAB_SSD_SIZE LAB_HDD_SIZE  other disk sizes than the table's 8G / 16G,
#                 e.g. 2G / 1G for tests that rebuild whole members (read
#                 by lab_init and lab_reset_disks)
#   LAB_SMP LAB_MEM  vCPUs (2) and MiB (1024)
#   LAB_CPU       QEMU's CPU model (qemu64; see lab__cpu)
#   LAB_SMP_FILE  where LAB_SMP is unset: a file holding the vCPU count,
#                 read at each boot (make check: LAB_SMP_BESIDE_HOST while
#                 the host suite runs beside the lab); no file: 2
#   LAB_APPEND    extra kernel command-line words (e.g. lab.mods=...)
#   LAB_HOSTFWD   a NIC on an isolated user network; host 127.0.0.1:PORT
#                 is forwarded to the guest's port 8443 (hostd over TLS)
#   LAB_SHELL=1   console on your terminal, shell after the script (not
#                 for lab_boot_disks)
#   LAB_QUIET=1   do not print the guest's output after each boot
#   LAB_LOG_PREFIX  put before each line of it (default "# PHASE| ", TAP-safe)
#   LAB_POWEROFF_GRACE  seconds a guest may take to power off after its
#                 script ended (lab_boot_disks: after its boot report on
#                 the real disks) before it is killed (default 30)
#   LAB_SYSROOT   cpio (default): staged programs go in as a second initramfs
#                 archive; 9p: guest/init copies them from the share (slow)
#   LAB_KVER      kernel version (default: newest in /lib/modules)
#   LAB_QEMU      QEMU binary (default qemu-system-x86_64)
#   LAB_LOCK      lock file: one QEMU at a time, shared with the libvirt
#                 tests (default /tmp/hostd-qemu.lock); a lab script run by
#                 another one reuses its lock (LAB_LOCK_FD_HELD)
#   LAB_LOCK_WAIT seconds to wait for the lock (default 3600)
#   LAB_BOOT_TIMEOUT  seconds per lab_boot_disks boot (default 600)
#   LAB_FW_CFG    lab_boot_disks: a QEMU -fw_cfg item for the guest, e.g.
#                 name=opt/hostd-lab/action,string=destroy-pool
#   LAB_OVMF_CODE LAB_OVMF_VARS  UEFI firmware and NVRAM template of
#                 lab_boot_disks --uefi (default /usr/share/OVMF/OVMF_*_4M.fd)

[ -n "${LAB_SH_LOADED:-}" ] && return 0
LAB_SH_LOADED=1

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_REPO=$(cd "$LAB_DIR/../.." && pwd)
LAB_WORK=${LAB_WORK:-$LAB_REPO/build/lab}
LAB_KVER=${LAB_KVER:-$(find /lib/modules -mindepth 1 -maxdepth 1 -printf '%f\n' 2> /dev/null | sort -V | tail -n1)}
LAB_QEMU=${LAB_QEMU:-qemu-system-x86_64}
LAB_LOCK=${LAB_LOCK:-/tmp/hostd-qemu.lock}
LAB_SHARE=$LAB_WORK/share
export LAB_WORK LAB_KVER

# ---- the disk table ------------------------------------------------------------------
declare -ga LAB_DISKS=()
declare -gA LAB_DISK_SLOT=() LAB_DISK_SIZE=() LAB_DISK_BYTES=() LAB_DISK_VENDOR=() \
    LAB_DISK_PRODUCT=() LAB_DISK_REV=() LAB_DISK_SERIAL=() LAB_DISK_WWN=() \
    LAB_DISK_RPM=() LAB_DISK_ROLE=()
while read -r _id _slot _size _vendor _product _rev _serial _wwn _rpm _role; do
    case $_id in '#'* | '') continue ;; esac
    LAB_DISKS+=("$_id")
    LAB_DISK_SLOT[$_id]=$_slot
    LAB_DISK_SIZE[$_id]=$_size
    LAB_DISK_VENDOR[$_id]=$_vendor
    LAB_DISK_PRODUCT[$_id]=$_product
    LAB_DISK_REV[$_id]=$_rev
    LAB_DISK_SERIAL[$_id]=$_serial
    LAB_DISK_WWN[$_id]=$_wwn
    LAB_DISK_RPM[$_id]=$_rpm
    LAB_DISK_ROLE[$_id]=$_role
done < "$LAB_DIR/r630-disks.txt"
unset _id _slot _size _vendor _product _rev _serial _wwn _rpm _role

# lab__sizes: apply LAB_SSD_SIZE / LAB_HDD_SIZE and fill LAB_DISK_BYTES.
lab__sizes() {
    local id size
    for id in "${LAB_DISKS[@]}"; do
        if [ "${LAB_DISK_RPM[$id]}" = 1 ]; then
            size=${LAB_SSD_SIZE:-${LAB_DISK_SIZE[$id]}}
        else
            size=${LAB_HDD_SIZE:-${LAB_DISK_SIZE[$id]}}
        fi
        LAB_DISK_SIZE[$id]=$size
        case $size in
            *G) LAB_DISK_BYTES[$id]=$((${size%G} << 30)) ;;
            *M) LAB_DISK_BYTES[$id]=$((${size%M} << 20)) ;;
            *) LAB_DISK_BYTES[$id]=$size ;;
        esac
    done
}
lab__sizes

# Per-boot results and timings, indexed by phase.
declare -ga LAB_PHASES=()
declare -gA LAB_T_WALL=() LAB_T_INIT=() LAB_T_READY=() LAB_T_SCRIPT=() \
    LAB_T_BOOTED=() LAB_RCS=() LAB_STATUSES=()
LAB_RC='' LAB_STATUS='' LAB_WALL='' LAB_T_MARKER=''
LAB__INIT='' LAB__LOCK_FD='' LAB__BG_PID='' LAB__PHASE='' LAB__T0='' LAB__KILLED=''
LAB__OVERLAY='' LAB__NDISKS=0 LAB__NNVME=0
LAB__T_BUILD=''

lab__err() { echo "lab: $*" >&2; }
lab__now() { date +%s.%N; }
lab__secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

lab_skip_reason() {
    local c
    for c in "$LAB_QEMU" timeout flock python3 cpio xz readelf ldd depmod mdadm; do
        command -v "$c" > /dev/null 2>&1 || { echo "no $c"; return 0; }
    done
    if [ -z "$LAB_KVER" ] || [ ! -d "/lib/modules/$LAB_KVER/kernel/drivers/md" ]; then
        echo "no kernel with md modules in /lib/modules"
        return 0
    fi
    [ -r "/boot/vmlinuz-$LAB_KVER" ] || { echo "no /boot/vmlinuz-$LAB_KVER"; return 0; }
    [ -x /bin/busybox ] || { echo "no /bin/busybox (busybox-static)"; return 0; }
    return 1
}

lab_disk_img() { echo "$LAB_WORK/disks/$1.img"; }
lab_console() { echo "$LAB_WORK/console-$1.log"; }
lab_guest_log() { echo "$LAB_SHARE/out/$1.log"; }

# ---- guest processes -------------------------------------------------------------------
# lab__ours PID: PID is alive and one of our QEMU/timeout processes (its
# command line names our work dir); never trust a bare pid file.
lab__ours() {
    [ -n "$1" ] && [ -r "/proc/$1/cmdline" ] &&
        tr '\0' ' ' < "/proc/$1/cmdline" 2> /dev/null | grep -qF -- "$LAB_WORK/"
}

lab_running() {
    local p
    for p in "$(cat "$LAB_WORK/qemu.pid" 2> /dev/null)" \
             "$(cat "$LAB_WORK/timeout.pid" 2> /dev/null)"; do
        lab__ours "$p" && return 0
    done
    return 1
}

lab_kill() {
    local p pids=() i
    for p in "$(cat "$LAB_WORK/timeout.pid" 2> /dev/null)" \
             "$(cat "$LAB_WORK/qemu.pid" 2> /dev/null)"; do
        lab__ours "$p" && pids+=("$p")
    done
    [ ${#pids[@]} -gt 0 ] || return 0
    LAB__KILLED=1
    kill -TERM "${pids[@]}" 2> /dev/null || true
    for ((i = 0; i < 50; i++)); do
        lab_running || return 0
        sleep 0.1
    done
    for p in "${pids[@]}"; do
        lab__ours "$p" && kill -KILL "$p" 2> /dev/null
    done
    return 0
}

lab_cleanup() {
    if lab_running; then
        lab__err "stopping the guest left running"
        lab_kill
    fi
    rm -f "$LAB_WORK/qmp.sock"
}

# ---- setup ----------------------------------------------------------------------------
lab__lock() {
    [ -n "$LAB__LOCK_FD" ] && return 0
    # A lab script started by another one inherits its locked descriptor
    # (flock locks belong to the open file, shared with children): use it.
    local held=${LAB_LOCK_FD_HELD:-}
    if [[ $held =~ ^[0-9]+$ ]] && [ -e "/proc/$BASHPID/fd/$held" ] &&
       [ "$(stat -L -c %d:%i "/proc/$BASHPID/fd/$held")" = "$(stat -c %d:%i "$LAB_LOCK" 2> /dev/null)" ]; then
        LAB__LOCK_FD=$held
        return 0
    fi
    mkdir -p "$(dirname "$LAB_LOCK")"
    exec {LAB__LOCK_FD}>> "$LAB_LOCK"
    if ! flock -n "$LAB__LOCK_FD"; then
        local who
        who=$(lslocks -n -o PID,COMMAND,PATH 2> /dev/null | grep -F "$LAB_LOCK" |
              awk '{ printf " %s (%s)", $1, $2 }' || true)
        lab__err "waiting for another lab guest to finish ($LAB_LOCK${who:+, held by$who})"
        flock -w "${LAB_LOCK_WAIT:-3600}" "$LAB__LOCK_FD" ||
            { lab__err "lock $LAB_LOCK not free"; return 1; }
    fi
    export LAB_LOCK_FD_HELD=$LAB__LOCK_FD
}

lab_reset_disks() {
    local id
    if lab_running; then lab__err "lab_reset_disks: a guest is running"; return 1; fi
    rm -rf "$LAB_WORK/disks"
    mkdir -p "$LAB_WORK/disks"
    lab__sizes
    for id in "${LAB_DISKS[@]}"; do
        truncate -s "${LAB_DISK_SIZE[$id]}" "$(lab_disk_img "$id")"
    done
}

lab_init() {
    local t
    mkdir -p "$LAB_WORK"
    case $LAB_WORK in
        *,* | *' '*) lab__err "LAB_WORK must not contain commas or blanks"; return 1 ;;
    esac
    lab__lock
    trap 'lab_cleanup' EXIT
    trap 'lab_cleanup; exit 129' HUP
    trap 'lab_cleanup; exit 130' INT
    trap 'lab_cleanup; exit 143' TERM
    # we hold the lock: a guest still running on this work dir is orphaned
    lab_cleanup
    rm -f "$LAB_WORK/qemu.pid" "$LAB_WORK/timeout.pid"
    if [ -z "$LAB__INIT" ]; then
        t=$(lab__now)
        "$LAB_DIR/build-initramfs.sh" | sed 's/^/# /'
        LAB__T_BUILD=$(lab__secs "$t" "$(lab__now)")
    fi
    lab_reset_disks
    rm -rf "$LAB_SHARE"
    mkdir -p "$LAB_SHARE/out" "$LAB_SHARE/signal" "$LAB_SHARE/sysroot"
    cp "$LAB_DIR/r630-disks.txt" "$LAB_SHARE/"
    : > "$LAB_SHARE/lab.env"
    LAB__INIT=1
}

# lab__copy PATH: copy PATH into sysroot/ under its real name, recreating
# the symlinks on the way (/lib64/ld-linux-x86-64.so.2 -> /usr/lib/...).
lab__copy() {
    local p=$1 dir base tgt root=$LAB_SHARE/sysroot
    while :; do
        dir=$(realpath "$(dirname "$p")")
        base=$(basename "$p")
        mkdir -p "$root$dir"
        if [ -L "$dir/$base" ]; then
            tgt=$(readlink "$dir/$base")
            ln -sfn "$tgt" "$root$dir/$base"
            case $tgt in /*) p=$tgt ;; *) p=$dir/$tgt ;; esac
        else
            cp -a "$dir/$base" "$root$dir/$base"
            return 0
        fi
    done
}

lab_stage() {
    local arg src dst lib root=$LAB_SHARE/sysroot
    [ -n "$LAB__INIT" ] || { lab__err "lab_stage: call lab_init first"; return 1; }
    # merged /usr, as on the host and in the image
    mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib" "$root/usr/lib64"
    for lib in bin sbin lib lib64; do [ -e "$root/$lib" ] || ln -s "usr/$lib" "$root/$lib"; done
    for arg in "$@"; do
        src=${arg%%:*}
        [ -e "$src" ] || { lab__err "lab_stage: no $src"; return 1; }
        src=$(realpath "$src")
        if [ "$arg" != "${arg#*:}" ]; then
            dst=${arg#*:}
            mkdir -p "$root$(dirname "$dst")"
            cp -a "$src" "$root$dst"
        else
            lab__copy "$src"
        fi
        # not a dynamic executable (script, static binary): no libraries
        for lib in $("$LAB_DIR/runtime-libs.sh" "$src"); do
            lab__copy "$lib"
        done
    done
}


lab_env() {
    local kv v q="'"
    [ -n "$LAB__INIT" ] || { lab__err "lab_env: call lab_init first"; return 1; }
    for kv in "$@"; do
        [[ $kv =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || { lab__err "lab_env: bad '$kv'"; return 1; }
        # single-quoted for the guest's sh: ' becomes '\''
        v=${kv#*=}
        v=${v//$q/$q\\$q$q}
        printf "%s='%s'\n" "${kv%%=*}" "$v" >> "$LAB_SHARE/lab.env"
    done
}

# lab_share SRC NAME: SRC as /mnt/host/NAME in the guest; a hard link when
# the share is on SRC's filesystem (a 500 MB rootfs tar costs nothing),
# else a copy.  For big inputs a guest script reads: lab_stage would put
# them in the initramfs, i.e. in the guest's RAM.
lab_share() {
    local src=${1:-} name=${2:-}
    [ $# -eq 2 ] || { lab__err "usage: lab_share SRC NAME"; return 2; }
    [ -n "$LAB__INIT" ] || { lab__err "lab_share: call lab_init first"; return 2; }
    [[ $name =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]] || { lab__err "lab_share: bad name '$name'"; return 2; }
    case $name in
        out | signal | sysroot | lab.env | r630-disks.txt | run-*.sh)
            lab__err "lab_share: $name is the harness's own"
            return 2 ;;
    esac
    [ -f "$src" ] || { lab__err "lab_share: no file $src"; return 1; }
    src=$(realpath "$src")   # (a link to a symlink would dangle in the guest)
    rm -f "$LAB_SHARE/$name"
    ln "$src" "$LAB_SHARE/$name" 2> /dev/null || cp "$src" "$LAB_SHARE/$name"
}

# ---- booting -----------------------------------------------------------------------------
# lab__smp: this boot's vCPU count (LAB_SMP, else LAB_SMP_FILE's, else 2)
lab__smp() {
    local n=${LAB_SMP:-}
    [ -n "$n" ] || [ -z "${LAB_SMP_FILE:-}" ] || n=$(cat "$LAB_SMP_FILE" 2> /dev/null)
    [[ $n =~ ^[1-9][0-9]?$ ]] || n=2
    echo "$n"
}

# lab__cpu: the CPU model of every boot. TCG runs the plain qemu64 model
# faster than "max", which has the guest use AVX2 and XSAVE, emulated.
# Measured in lab boots, the two models interleaved, three each: 200
# starts of dynamically linked programs 7.1-8.7 s vs 8.1-10.0 s, sha256 of
# 200 MB 4.4-4.9 s vs 5.2-6.5 s, gzip -1 of 100 MB 3.1-3.4 s vs 3.6-4.4 s.
# qemu64 keeps SVM (turning it off made the installed Debian boot
# degraded); kvm_amd is blacklisted in the lab's images instead.
lab__cpu() {
    local m=${LAB_CPU:-qemu64}
    [[ $m =~ ^[A-Za-z0-9_.,+=-]+$ ]] || m=qemu64
    echo "$m"
}

# lab__qemu_base PHASE: start LAB__ARGS with what every boot has: TCG
# machine, pid file, QMP socket and the serial console.
lab__qemu_base() {
    local phase=$1
    LAB__ARGS=(-name hostd-lab -nodefaults -no-user-config -no-reboot
        -accel tcg -cpu "$(lab__cpu)" -smp "$(lab__smp)" -m "${LAB_MEM:-1024}"
        -display none -vga none
        -pidfile "$LAB_WORK/qemu.pid"
        -qmp "unix:$LAB_WORK/qmp.sock,server=on,wait=off")
    # LAB_HOSTFWD=PORT: a NIC on QEMU's user network, isolated (restrict=on:
    # the guest reaches neither the host nor the world), whose only way in
    # is 127.0.0.1:PORT on the host, forwarded to the guest's port 8443
    if [ -n "${LAB_HOSTFWD:-}" ]; then
        # shellcheck disable=SC2054  # (commas belong to QEMU's option syntax)
        LAB__ARGS+=(-netdev "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:$LAB_HOSTFWD-:8443"
            -device virtio-net-pci,netdev=net0)
    fi
    if [ "${LAB_SHELL:-0}" = 1 ]; then
        # shellcheck disable=SC2054  # (commas belong to QEMU's option syntax)
        LAB__ARGS+=(-chardev "stdio,id=con,mux=on,signal=off,logfile=$(lab_console "$phase")"
            -serial chardev:con -mon chardev=con,mode=readline)
    else
        LAB__ARGS+=(-serial "file:$(lab_console "$phase")")
    fi
}

# lab__disk_args OMIT [boot]: append the HBA(s) and the disks of the table
# but those in OMIT (ids separated by blanks) to LAB__ARGS; LAB__NDISKS =
# how many SCSI disks, LAB__NNVME how many NVMe drives (LAB_NVME).  Every disk sits in its own bay (a missing one leaves a gap).
# boot: the os disks get a bootindex (the firmware's boot order), and when
# LAB__OVERLAY is a directory, each disk is a qcow2 overlay there (made by
# lab_boot_disks) over its image, which the guest then cannot change.
lab__disk_args() {
    local omit=" $1 " boot=${2:-} hba=${LAB_HBA:-virtio-scsi-pci} id img bootidx
    LAB__NDISKS=0 LAB__NNVME=0
    LAB__ARGS+=(-device "$hba,id=hba0${LAB_HBA_OPTS:+,$LAB_HBA_OPTS}")
    # mptsas1068 has 8 phys (targets 0-7): bay 8 goes on a second HBA
    [ "$hba" = mptsas1068 ] && LAB__ARGS+=(-device "$hba,id=hba1")
    for id in "${LAB_DISKS[@]}"; do
        [[ $omit == *" $id "* ]] && continue
        if lab__is_nvme "$id"; then LAB__NNVME=$((LAB__NNVME + 1)); else LAB__NDISKS=$((LAB__NDISKS + 1)); fi
        lab__bay "$id"
        img=$(lab_disk_img "$id")
        bootidx=
        if [ "$boot" = boot ] && [ "${LAB_DISK_ROLE[$id]}" = os ]; then
            bootidx=,bootindex=$((LAB_DISK_SLOT[$id] + 1))
        fi
        # -blockdev (not -drive): the image node outlives a hot-unplug, so
        # lab_plug can put the same disk back.  cache.no-flush = cache=unsafe.
        if [ "$boot" = boot ] && [ -n "${LAB__OVERLAY:-}" ]; then
            LAB__ARGS+=(
                -blockdev "driver=file,node-name=base-file-$id,filename=$img,read-only=on,aio=threads,cache.direct=off,cache.no-flush=on"
                -blockdev "driver=raw,node-name=base-$id,file=base-file-$id,read-only=on"
                -blockdev "driver=file,node-name=file-$id,filename=$LAB__OVERLAY/$id.qcow2,aio=threads,cache.direct=off,cache.no-flush=on"
                -blockdev "driver=qcow2,node-name=img-$id,file=file-$id,backing=base-$id,cache.no-flush=on")
        else
            LAB__ARGS+=(
                -blockdev "driver=file,node-name=file-$id,filename=$img,aio=threads,cache.direct=off,cache.no-flush=on"
                -blockdev "driver=raw,node-name=img-$id,file=file-$id,cache.no-flush=on")
        fi
        if lab__is_nvme "$id"; then
            # (the guest's kernel takes the namespace's identity from the
            # controller's serial: QEMU's namespace ids are on its quirk list)
            LAB__ARGS+=(-device "nvme,id=$id,serial=${LAB_DISK_SERIAL[$id]}"
                -device "nvme-ns,bus=$id,drive=img-$id,nsid=1$bootidx")
            continue
        fi
        LAB__ARGS+=(-device "scsi-hd,id=$id,bus=$LAB__BUS,scsi-id=$LAB__TARGET,lun=0,drive=img-$id,vendor=${LAB_DISK_VENDOR[$id]},product=${LAB_DISK_PRODUCT[$id]},ver=${LAB_DISK_REV[$id]},serial=${LAB_DISK_SERIAL[$id]},wwn=${LAB_DISK_WWN[$id]},rotation_rate=${LAB_DISK_RPM[$id]}$bootidx")
    done
}

# lab__is_nvme ID: whether LAB_NVME makes disk ID an NVMe drive
lab__is_nvme() {
    [[ " ${LAB_NVME:-} " == *" $1 "* ]]
}

# lab__qemu_args PHASE: fill LAB__ARGS with the QEMU command line of a lab
# (provisioning) boot: the kernel and lab initramfs, the share, the disks.
lab__qemu_args() {
    local phase=$1 kernel=$LAB_WORK/vmlinux
    [ -s "$kernel" ] || kernel=/boot/vmlinuz-$LAB_KVER
    lab__qemu_base "$phase"
    LAB__ARGS+=(-kernel "$kernel" -initrd "$LAB__INITRD"
        -virtfs "local,path=$LAB_SHARE,mount_tag=hostshare,security_model=none,id=hostshare")
    lab__disk_args "${LAB_OMIT_DISKS:-}"
    local extra=()
    [ -z "${LAB_QEMU_EXTRA:-}" ] || read -r -d "" -a extra <<< "$LAB_QEMU_EXTRA" || true
    LAB__ARGS+=("${extra[@]}")
    LAB__ARGS+=(-append "console=ttyS0 panic=-1 edd=off quiet lab.phase=$phase lab.run=/mnt/host/run-$phase.sh lab.udev=${LAB_UDEV:-1} lab.disks=$LAB__NDISKS lab.nvme=$LAB__NNVME lab.shell=${LAB_SHELL:-0} lab.sysroot=$([ "${LAB_SYSROOT:-cpio}" = 9p ] && echo 1 || echo 0)${LAB_APPEND:+ $LAB_APPEND}")
}

# lab__initrd: set LAB__INITRD, the image to boot.  Staged programs
# (sysroot/) are appended to the base image as a second cpio archive, which
# the kernel unpacks over it before /init runs; copying them from the 9p
# share instead runs at ~4 MB/s under TCG (16 s for hostctl's 68 MB of
# libraries).  LAB_SYSROOT=9p leaves them to guest/init's copy.
lab__initrd() {
    LAB__INITRD=$LAB_WORK/initramfs.cpio
    [ "${LAB_SYSROOT:-cpio}" = cpio ] || return 0
    [ -n "$(find "$LAB_SHARE/sysroot" -mindepth 1 -maxdepth 1 2> /dev/null)" ] || return 0
    ( cd "$LAB_SHARE/sysroot" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
      cpio --null -o -H newc --quiet ) > "$LAB_WORK/sysroot.cpio"
    cat "$LAB_WORK/initramfs.cpio" "$LAB_WORK/sysroot.cpio" > "$LAB_WORK/boot.cpio"
    LAB__INITRD=$LAB_WORK/boot.cpio
}

# lab__bay ID: set LAB__BUS and LAB__TARGET of disk ID's bay.
lab__bay() {
    LAB__BUS=hba0.0
    LAB__TARGET=${LAB_DISK_SLOT[$1]}
    if [ "${LAB_HBA:-virtio-scsi-pci}" = mptsas1068 ] && [ "$LAB__TARGET" -ge 8 ]; then
        LAB__BUS=hba1.0
        LAB__TARGET=$((LAB__TARGET - 8))
    fi
}

# lab__launch LIMIT PHASE: start QEMU with LAB__ARGS in the background under
# timeout (its own process group, QEMU in it); a subshell records the exit
# status in qemu.rc; the pid files let lab_kill find both. Sets LAB__BG_PID.
lab__launch() {
    local limit=$1 phase=$2
    (
        exec {LAB__LOCK_FD}>&-
        timeout -k 10 "$limit" "$LAB_QEMU" "${LAB__ARGS[@]}" \
            < /dev/null > "$LAB_WORK/qemu-$phase.err" 2>&1 &
        echo $! > "$LAB_WORK/timeout.pid"
        rc=0
        wait $! || rc=$?
        echo "$rc" > "$LAB_WORK/qemu.rc.tmp"
        mv "$LAB_WORK/qemu.rc.tmp" "$LAB_WORK/qemu.rc"
    ) &
    LAB__BG_PID=$!
}

lab_boot_bg() {
    local phase=${1:-} script=${2:-} f
    [ $# -eq 2 ] || { lab__err "usage: lab_boot_bg PHASE SCRIPT"; return 2; }
    [[ $phase =~ ^[A-Za-z0-9_.-]+$ ]] || { lab__err "bad phase name '$phase'"; return 2; }
    if [ ! -r "$script" ] || [ -d "$script" ]; then lab__err "no script $script"; return 2; fi
    [ -n "$LAB__INIT" ] || { lab__err "call lab_init first"; return 2; }
    if lab_running; then lab__err "a guest is already running"; return 2; fi
    cat "$script" > "$LAB_SHARE/run-$phase.sh"   # (a file, or <(...))
    for f in "$LAB_SHARE/out/$phase.rc" "$LAB_SHARE/out/$phase.log" \
             "$(lab_console "$phase")" "$LAB_WORK/qemu-$phase.err" \
             "$LAB_WORK/qemu.rc" "$LAB_WORK/qemu.pid" "$LAB_WORK/timeout.pid" \
             "$LAB_WORK/qmp.sock"; do
        rm -f "$f"
    done
    rm -rf "$LAB_SHARE/signal"
    mkdir -p "$LAB_SHARE/signal"
    lab__initrd
    lab__qemu_args "$phase"
    LAB__PHASE=$phase LAB__KILLED='' LAB__T0=$(lab__now)
    if [ "${LAB_SHELL:-0}" = 1 ]; then
        # interactive: QEMU in the foreground on this terminal, no timeout
        local rc=0
        "$LAB_QEMU" "${LAB__ARGS[@]}" 2> "$LAB_WORK/qemu-$phase.err" {LAB__LOCK_FD}>&- || rc=$?
        echo "$rc" > "$LAB_WORK/qemu.rc"
        LAB__BG_PID=
        return 0
    fi
    lab__launch "${LAB_TIMEOUT:-600}" "$phase"
    # return once QEMU runs (its pid file) or has already ended
    for ((f = 0; f < 100; f++)); do
        [ -s "$LAB_WORK/qemu.pid" ] || [ -e "$LAB_WORK/qemu.rc" ] && break
        sleep 0.1
    done
    return 0
}

# lab__uptime PHASE WHAT: guest uptime at console marker "@@LAB WHAT ... uptime=X@@".
lab__uptime() {
    local console
    console=$(lab_console "$1")
    [ -f "$console" ] || return 0
    tr -d '\r' < "$console" | sed -n "s/^@@LAB $2.* uptime=\\([0-9.]*\\)@@.*/\\1/p" |
        head -n1 || true
}

lab_wait() {
    local phase=$LAB__PHASE console qrc rc status seen='' grace=${LAB_POWEROFF_GRACE:-30}
    local prefix=${LAB_LOG_PREFIX-"# $LAB__PHASE| "}
    [ -n "$phase" ] || { lab__err "lab_wait: no guest was started"; return 2; }
    console=$(lab_console "$phase")
    # Poll rather than `wait`: once the script's status is out, a guest that
    # hangs on its way down is killed after $grace seconds.
    while [ ! -e "$LAB_WORK/qemu.rc" ]; do
        if [ -n "$LAB__BG_PID" ] && ! kill -0 "$LAB__BG_PID" 2> /dev/null; then
            [ -e "$LAB_WORK/qemu.rc" ] || echo 255 > "$LAB_WORK/qemu.rc"
            break
        fi
        if [ -z "$seen" ] && grep -aqF "@@LAB-RC $phase " "$console" 2> /dev/null; then
            seen=$SECONDS
        fi
        if [ -n "$seen" ] && [ $((SECONDS - seen)) -gt "$grace" ]; then
            lab__err "guest did not power off ${grace}s after its script ended"
            lab_kill
        fi
        sleep 0.1
    done
    [ -z "$LAB__BG_PID" ] || wait "$LAB__BG_PID" 2> /dev/null || true
    LAB__BG_PID=
    LAB_WALL=$(lab__secs "$LAB__T0" "$(lab__now)")
    rm -f "$LAB_WORK/qmp.sock"
    qrc=$(cat "$LAB_WORK/qemu.rc")
    rc=$(cat "$LAB_SHARE/out/$phase.rc" 2> /dev/null || true)
    # the console marker is the fallback when the share did not work
    if [ -z "$rc" ] && [ -f "$console" ]; then
        rc=$(tr -d '\r' < "$console" | sed -n "s/^@@LAB-RC $phase \\([0-9]*\\)@@.*/\\1/p" |
            tail -n1)
    fi
    if [[ $rc =~ ^[0-9]+$ ]]; then
        status=ok
    elif [ -n "$LAB__KILLED" ]; then
        status=killed rc=125
    elif [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
        status=timeout rc=124
    else
        status=norc rc=125
    fi
    LAB_RC=$rc LAB_STATUS=$status
    [[ " ${LAB_PHASES[*]} " == *" $phase "* ]] || LAB_PHASES+=("$phase")
    LAB_RCS[$phase]=$rc
    LAB_STATUSES[$phase]=$status
    LAB_T_WALL[$phase]=$LAB_WALL
    LAB_T_BOOTED[$phase]=
    LAB_T_INIT[$phase]=$(lab__uptime "$phase" init-start)
    LAB_T_READY[$phase]=$(lab__uptime "$phase" run-start)
    local end
    end=$(lab__uptime "$phase" run-end)
    LAB_T_SCRIPT[$phase]=
    [ -z "$end" ] || [ -z "${LAB_T_READY[$phase]}" ] ||
        LAB_T_SCRIPT[$phase]=$(lab__secs "${LAB_T_READY[$phase]}" "$end")

    if [ "${LAB_QUIET:-0}" != 1 ] || [ "$status" != ok ]; then
        if [ -s "$(lab_guest_log "$phase")" ]; then
            tr -d '\r' < "$(lab_guest_log "$phase")" | PREFIX=$prefix awk '{ print ENVIRON["PREFIX"] $0 }'
        fi
        if [ "$status" != ok ]; then
            echo "# $phase: no exit status from the guest; console tail:"
            [ ! -f "$console" ] || tr -d '\r' < "$console" | tail -n 30 | sed "s/^/# $phase! /"
            [ ! -f "$LAB_WORK/qemu-$phase.err" ] ||
                sed "s/^/# $phase qemu: /" "$LAB_WORK/qemu-$phase.err"
        fi
    fi
    printf '# lab: phase %s rc=%s (%s, qemu rc=%s) %ss wall, /init at %ss, script at %ss, script ran %ss\n' \
        "$phase" "$rc" "$status" "$qrc" "$LAB_WALL" "${LAB_T_INIT[$phase]:-?}" \
        "${LAB_T_READY[$phase]:-?}" "${LAB_T_SCRIPT[$phase]:-?}"
    return "$rc"
}

lab_boot() {
    lab_boot_bg "$@" || return
    lab_wait
}

# lab__boot_disks_usage: the usage line of lab_boot_disks.
lab__boot_disks_usage() {
    lab__err "usage: lab_boot_disks PHASE [--uefi] [--without ID]... [--snapshot]"
    return 2
}

lab_boot_disks() {
    local phase=${1:-} uefi=0 snapshot=0 without='' id f console qrc status rc
    local t_booted='' ended='' grace=${LAB_POWEROFF_GRACE:-30} limit=${LAB_BOOT_TIMEOUT:-600}
    local code=${LAB_OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
    local vars=${LAB_OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
    local prefix=${LAB_LOG_PREFIX-"# $phase| "}
    [ $# -ge 1 ] || { lab__boot_disks_usage; return; }
    shift
    while [ $# -gt 0 ]; do
        case $1 in
            --uefi) uefi=1 ;;
            --snapshot) snapshot=1 ;;
            --without)
                id=${2:-}
                if [ -z "$id" ] || [ -z "${LAB_DISK_SLOT[$id]:-}" ]; then
                    lab__err "lab_boot_disks: unknown disk '$id'"
                    return 2
                fi
                without+=" $id"
                shift ;;
            *) lab__boot_disks_usage; return ;;
        esac
        shift
    done
    [[ $phase =~ ^[A-Za-z0-9_.-]+$ ]] || { lab__err "bad phase name '$phase'"; return 2; }
    [ -n "$LAB__INIT" ] || { lab__err "call lab_init first"; return 2; }
    if lab_running; then lab__err "a guest is already running"; return 2; fi
    console=$(lab_console "$phase")
    for f in "$console" "$LAB_WORK/qemu-$phase.err" "$LAB_WORK/qemu.rc" \
             "$LAB_WORK/qemu.pid" "$LAB_WORK/timeout.pid" "$LAB_WORK/qmp.sock"; do
        rm -f "$f"
    done

    local LAB_SHELL=0   # (the console goes to the log; there is no login)
    lab__qemu_base "$phase"
    if [ "$uefi" = 1 ]; then
        # OVMF; its NVRAM (boot entries) from a fresh copy of the template
        if [ ! -r "$code" ] || [ ! -r "$vars" ]; then
            lab__err "no OVMF ($code, $vars): apt-get install ovmf"
            return 2
        fi
        cp "$vars" "$LAB_WORK/ovmf-vars-$phase.fd"
        # shellcheck disable=SC2054
        LAB__ARGS+=(-machine q35
            -drive "if=pflash,format=raw,unit=0,readonly=on,file=$code"
            -drive "if=pflash,format=raw,unit=1,file=$LAB_WORK/ovmf-vars-$phase.fd")
    fi
    # SeaBIOS otherwise (QEMU's default firmware, machine pc as the lab boots)
    LAB__OVERLAY=
    if [ "$snapshot" = 1 ]; then
        command -v qemu-img > /dev/null || { lab__err "--snapshot needs qemu-img (qemu-utils)"; return 2; }
        LAB__OVERLAY=$LAB_WORK/overlay
        rm -rf "$LAB__OVERLAY"
        mkdir -p "$LAB__OVERLAY"
        for id in "${LAB_DISKS[@]}"; do
            qemu-img create -q -f qcow2 -F raw -b "$(lab_disk_img "$id")" \
                "$LAB__OVERLAY/$id.qcow2" || return 1
        done
    fi
    lab__disk_args "$without ${LAB_OMIT_DISKS:-}" boot
    [ -z "${LAB_FW_CFG:-}" ] || LAB__ARGS+=(-fw_cfg "$LAB_FW_CFG")

    LAB__PHASE=$phase LAB__KILLED='' LAB__T0=$(lab__now)
    lab__launch "$limit" "$phase"
    # Poll the console: the time of @@BOOTED, the end of the block.  On
    # overlays the guest is stopped at once; on the real disks it gets
    # $grace seconds to power off by itself (clean filesystems and arrays
    # for the next boot).
    while [ ! -e "$LAB_WORK/qemu.rc" ]; do
        if ! kill -0 "$LAB__BG_PID" 2> /dev/null; then
            [ -e "$LAB_WORK/qemu.rc" ] || echo 255 > "$LAB_WORK/qemu.rc"
            break
        fi
        if [ -z "$t_booted" ] && grep -aqF '@@BOOTED ' "$console" 2> /dev/null; then
            t_booted=$(lab__secs "$LAB__T0" "$(lab__now)")
        fi
        if [ -z "$ended" ] && grep -aqF '@@MARKER-END@@' "$console" 2> /dev/null; then
            ended=$SECONDS
            [ "$snapshot" = 1 ] && lab_kill
        fi
        if [ -n "$ended" ] && [ $((SECONDS - ended)) -gt "$grace" ]; then
            lab__err "guest did not power off ${grace}s after its boot report"
            lab_kill
        fi
        sleep 0.2
    done
    wait "$LAB__BG_PID" 2> /dev/null || true
    LAB__BG_PID=
    LAB_WALL=$(lab__secs "$LAB__T0" "$(lab__now)")
    rm -f "$LAB_WORK/qmp.sock"
    [ -z "$LAB__OVERLAY" ] || rm -rf "$LAB__OVERLAY"
    LAB__OVERLAY=
    qrc=$(cat "$LAB_WORK/qemu.rc")
    # QEMU may have written the last lines after the last poll
    [ -n "$t_booted" ] || ! grep -aqF '@@BOOTED ' "$console" 2> /dev/null || t_booted=$LAB_WALL
    if grep -aqF '@@MARKER-END@@' "$console" 2> /dev/null && [ -n "$t_booted" ]; then
        status=ok rc=0
    elif [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
        status=timeout rc=124
    else
        status=nomarker rc=125
    fi
    LAB_RC=$rc LAB_STATUS=$status LAB_T_MARKER=$t_booted
    [[ " ${LAB_PHASES[*]} " == *" $phase "* ]] || LAB_PHASES+=("$phase")
    LAB_RCS[$phase]=$rc
    LAB_STATUSES[$phase]=$status
    LAB_T_WALL[$phase]=$LAB_WALL
    LAB_T_INIT[$phase]='' LAB_T_READY[$phase]='' LAB_T_SCRIPT[$phase]=''
    LAB_T_BOOTED[$phase]=$t_booted

    if [ "$status" = ok ]; then
        if [ "${LAB_QUIET:-0}" != 1 ]; then
            tr -d '\r' < "$console" | sed -n 's/^.*\(@@[A-Z][A-Z0-9-]*[ @]\)/\1/p' |
                PREFIX=$prefix awk '{ print ENVIRON["PREFIX"] $0 }'
        fi
    else
        echo "# $phase: no complete boot report; console tail:"
        [ ! -f "$console" ] || tr -d '\r' < "$console" | tail -n 30 | sed "s/^/# $phase! /"
        [ ! -s "$LAB_WORK/qemu-$phase.err" ] ||
            sed "s/^/# $phase qemu: /" "$LAB_WORK/qemu-$phase.err"
    fi
    printf '# lab: disk boot %s (%s%s%s) %s (qemu rc=%s) @@BOOTED at %ss, %ss wall\n' \
        "$phase" "$([ "$uefi" = 1 ] && echo uefi || echo bios)" "${without:+, without$without}" \
        "$([ "$snapshot" = 1 ] && echo ", snapshot")" "$status" "$qrc" "${t_booted:-?}" "$LAB_WALL"
    return "$rc"
}

# lab_machine_args FILE [--uefi]: the virtual R630 as a machine behind the
# virtual iDRAC (tests/bmc/virtual_idrac.py --qemu-args FILE), one QEMU
# argument a line: CPUs, memory (LAB_MEM, default 2048: the installer holds
# the OS image in RAM), DMI (a service tag), the HBA and the disks of this lab
# with the OS disks in the firmware's boot order, and one NIC on QEMU's user
# network (DHCP; the host's 127.0.0.1 is 10.0.2.2 there; LAB_MACHINE_NET=nodhcp:
# a NIC with a link and nobody answering). LAB_MACHINE_EXTRA: more arguments,
# blank-separated (a USB stick). The service adds the CD, the boot order of
# the override, the console and QMP.
lab_machine_args() {
    local file=${1:-} uefi=0 code=${LAB_OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
    local vars=${LAB_OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
    [ -n "$file" ] || { lab__err "usage: lab_machine_args FILE [--uefi]"; return 2; }
    [ "${2:-}" != --uefi ] || uefi=1
    [ -n "$LAB__INIT" ] || { lab__err "call lab_init first"; return 2; }
    # shellcheck disable=SC2054  # (commas belong to QEMU's option syntax)
    LAB__ARGS=(-name hostd-lab -nodefaults -no-user-config -accel tcg -cpu "$(lab__cpu)" -smp "$(lab__smp)"
        -m "${LAB_MEM:-2048}" -vga none -smbios type=1,manufacturer=Dell\ Inc.,product=PowerEdge\ R630,serial=VR630LB
        -device virtio-net-pci,netdev=net0)
    if [ "${LAB_MACHINE_NET:-user}" = nodhcp ]; then
        # a UDP socket to a port nobody listens on: the link is up, no DHCP answers
        LAB__ARGS+=(-netdev socket,id=net0,udp=127.0.0.1:9,localaddr=127.0.0.1:0)
    else
        LAB__ARGS+=(-netdev user,id=net0)
    fi
    local extra=()
    [ -z "${LAB_MACHINE_EXTRA:-}" ] || read -r -d "" -a extra <<< "$LAB_MACHINE_EXTRA" || true
    LAB__ARGS+=("${extra[@]}")
    if [ "$uefi" = 1 ]; then
        cp "$vars" "$LAB_WORK/ovmf-vars-machine.fd"
        # shellcheck disable=SC2054
        LAB__ARGS+=(-machine q35 -drive "if=pflash,format=raw,unit=0,readonly=on,file=$code"
            -drive "if=pflash,format=raw,unit=1,file=$LAB_WORK/ovmf-vars-machine.fd")
    else
        LAB__ARGS+=(-machine pc)
    fi
    LAB__OVERLAY=
    lab__disk_args "${LAB_OMIT_DISKS:-}" boot
    printf '%s\n' "${LAB__ARGS[@]}" > "$file"
}

lab_marker() {
    local phase=${1:-} tag=${2:-} console
    [ $# -eq 2 ] || { lab__err "usage: lab_marker PHASE TAG"; return 2; }
    [[ $tag =~ ^[A-Z][A-Z0-9-]*$ ]] || { lab__err "lab_marker: bad tag '$tag'"; return 2; }
    console=$(lab_console "$phase")
    [ -f "$console" ] || { lab__err "lab_marker: no console log of phase $phase"; return 1; }
    # anything before "@@" (kernel messages, systemd's status lines) goes
    tr -d '\r' < "$console" | sed -nE "s/^.*@@$tag( (.*))?@@.*\$/\\2/p"
}

lab_wait_marker() {
    local text=$1 limit=$((${2:-120} * 10)) console
    console=$(lab_console "$LAB__PHASE")
    while ! grep -aqF -- "$text" "$console" 2> /dev/null; do
        if [ "$limit" -le 0 ] || [ -e "$LAB_WORK/qemu.rc" ]; then
            lab__err "'$text' not seen on the console"
            return 1
        fi
        sleep 0.1
        limit=$((limit - 1))
    done
}

lab_signal() { : > "$LAB_SHARE/signal/$1"; }

lab_qmp() {
    lab_running || { lab__err "lab_qmp: no guest running"; return 1; }
    python3 "$LAB_DIR/qmp.py" --socket "$LAB_WORK/qmp.sock" "$@"
}

lab_unplug() {
    local id=${1:-}
    [ -n "${LAB_DISK_SLOT[$id]:-}" ] || { lab__err "lab_unplug: unknown disk '$id'"; return 2; }
    ! lab__is_nvme "$id" || { lab__err "lab_unplug: $id is an NVMe drive (LAB_NVME); only SCSI disks unplug"; return 2; }
    lab_qmp --event "DEVICE_DELETED:device=$id" \
        "{\"execute\":\"device_del\",\"arguments\":{\"id\":\"$id\"}}" > /dev/null
}

lab_plug() {
    local id=${1:-} img=${2:-} serial=${3:-} wwn=${4:-}
    [ -n "${LAB_DISK_SLOT[$id]:-}" ] || { lab__err "lab_plug: unknown disk '$id'"; return 2; }
    ! lab__is_nvme "$id" || { lab__err "lab_plug: $id is an NVMe drive (LAB_NVME); only SCSI disks plug"; return 2; }
    serial=${serial:-${LAB_DISK_SERIAL[$id]}}
    wwn=${wwn:-${LAB_DISK_WWN[$id]}}
    lab__bay "$id"
    if [ -n "$img" ]; then
        # a new image in the bay: replace the image node of the old one
        [[ $img != *[\"\\]* ]] || { lab__err "lab_plug: awkward path $img"; return 2; }
        img=$(realpath "$img")
        lab_qmp "{\"execute\":\"blockdev-del\",\"arguments\":{\"node-name\":\"img-$id\"}}" \
            > /dev/null 2>&1 || true
        lab_qmp "{\"execute\":\"blockdev-del\",\"arguments\":{\"node-name\":\"file-$id\"}}" \
            > /dev/null 2>&1 || true
        lab_qmp "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"raw\",\"node-name\":\"img-$id\",\"cache\":{\"no-flush\":true},\"file\":{\"driver\":\"file\",\"node-name\":\"file-$id\",\"filename\":\"$img\",\"aio\":\"threads\",\"cache\":{\"direct\":false,\"no-flush\":true}}}}" \
            > /dev/null || return 1
    fi
    # QMP wants numbers for wwn (uint64) and rotation_rate: $((0x...)) fits
    # in bash's int64 for these WWNs.
    lab_qmp "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"scsi-hd\",\"id\":\"$id\",\"bus\":\"$LAB__BUS\",\"scsi-id\":$LAB__TARGET,\"lun\":0,\"drive\":\"img-$id\",\"vendor\":\"${LAB_DISK_VENDOR[$id]}\",\"product\":\"${LAB_DISK_PRODUCT[$id]}\",\"ver\":\"${LAB_DISK_REV[$id]}\",\"serial\":\"$serial\",\"wwn\":$((wwn)),\"rotation_rate\":${LAB_DISK_RPM[$id]}}}" \
        > /dev/null
}

lab_report() {
    local p
    echo "# lab timings in seconds (initramfs build/check: ${LAB__T_BUILD:-?})"
    printf '# %-14s %4s %-8s %7s %8s %9s %7s %8s\n' phase rc status wall "/init@" script@ script booted@
    for p in "${LAB_PHASES[@]}"; do
        printf '# %-14s %4s %-8s %7s %8s %9s %7s %8s\n' "$p" "${LAB_RCS[$p]}" \
            "${LAB_STATUSES[$p]}" "${LAB_T_WALL[$p]}" "${LAB_T_INIT[$p]:--}" \
            "${LAB_T_READY[$p]:--}" "${LAB_T_SCRIPT[$p]:--}" "${LAB_T_BOOTED[$p]:--}"
    done
}
