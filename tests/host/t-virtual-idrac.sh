#!/bin/bash
# The lab's virtual iDRAC (tests/bmc/virtual_idrac.py) driven by `hostctl
# bmc` as an operator drives a real one: power on starts the QEMU machine,
# off stops it; a one-time boot override to the CD with an image inserted
# through VirtualMedia (fetched over HTTP) boots that CD once, and the next
# start boots as before (here: nothing, strict boot order, no disks); eject
# empties the drive. The CD is a 2 KiB boot image that prints one line on
# the serial console, so the boot is seen, not assumed.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
H=${HOSTCTL:?HOSTCTL must name the hostctl binary}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
for p in qemu-system-x86_64 xorriso openssl; do
    command -v "$p" >/dev/null || { skip "the virtual iDRAC" "$p is not installed (make deps)"; tap_done; exit 0; }
done
T=$(mktemp -d)
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    pkill -f "qemu-starts.*$T" 2>/dev/null
    pkill -f -- "-serial file:$T/" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
exec 9>/tmp/hostd-qemu.lock
flock 9                                  # one QEMU guest at a time on this machine

# ---- the CD: a boot image (no emulation) that writes a line to COM1 and halts
mkdir -p "$T/iso" "$T/www" "$T/run"
python3 - "$T/iso/boot.img" <<'EOF'
import sys
# xor ax,ax; mov ds,ax; mov dx,0x3f8; mov si,msg; next: lodsb; test al,al; jz done;
# out dx,al; jmp next; done: cli; hlt; jmp done; nop; msg
code = bytes([0x31, 0xC0, 0x8E, 0xD8, 0xBA, 0xF8, 0x03, 0xBE, 0x17, 0x7C, 0xAC, 0x84, 0xC0, 0x74, 0x03, 0xEE,
              0xEB, 0xF8, 0xFA, 0xF4, 0xEB, 0xFC, 0x90])
open(sys.argv[1], "wb").write((code + b"HOSTD-CD-BOOTED\r\n\0").ljust(2048, b"\0"))
EOF
xorriso -as mkisofs -quiet -o "$T/www/installer.iso" -b boot.img -no-emul-boot -boot-load-size 4 "$T/iso" 2>/dev/null ||
    { fail "xorriso makes the test CD"; tap_done; exit 1; }

# ---- an image server (HEAD and GET), and the virtual iDRAC in front of a small machine
python3 - "$T/www" "$T/www.port" <<'EOF' &
import functools, http.server, os, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=sys.argv[1]))
open(sys.argv[2] + ".tmp", "w").write(str(s.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
s.serve_forever()
EOF
PIDS+=($!)
# the machine: a blank disk first in its boot order, as a server's disks are
truncate -s 1M "$T/disk.img"
printf '%s\n' -machine pc -accel tcg -m 128 -nodefaults -vga none \
    -drive "if=none,id=hd0,format=raw,file=$T/disk.img" -device virtio-blk-pci,drive=hd0,bootindex=1 > "$T/machine.args"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$T/cert.key" -out "$T/cert.pem" 2>/dev/null
python3 "$TOP/tests/bmc/virtual_idrac.py" --run "$T/run" --cert "$T/cert.pem" --key "$T/cert.key" \
    --port-file "$T/idrac.port" --qemu-args "$T/machine.args" --log "$T/requests.log" > "$T/idrac.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -f "$T/idrac.port" ] && [ -f "$T/www.port" ] && break; sleep 0.1; done
[ -f "$T/idrac.port" ] || { fail "the virtual iDRAC starts"; sed 's/^/#   /' "$T/idrac.log"; tap_done; exit 1; }
export HOSTD_BMC_CONFIG_DIR=$T/bmc.d
mkdir -p "$HOSTD_BMC_CONFIG_DIR"
printf 'address: https://127.0.0.1:%s\nuser: root\npassword: calvin\nca_file: %s\n' "$(cat "$T/idrac.port")" \
    "$T/cert.pem" > "$HOSTD_BMC_CONFIG_DIR/r630.yaml"
chmod 600 "$HOSTD_BMC_CONFIG_DIR/r630.yaml"
ISO=http://127.0.0.1:$(cat "$T/www.port")/installer.iso
bmc() { "$H" bmc --bmc r630 "$@" 2>>"$T/stderr"; }
# the machine's QEMU (its command line starts with the program: not this script's greps)
qemu_runs() { pgrep -f "^qemu-system-x86_64 .*-serial file:$T/run/console.log" >/dev/null; }
export -f qemu_runs
export T
starts() { wc -l < "$T/run/qemu-starts.log" 2>/dev/null || echo 0; }
console_says() {   # console_says TEXT SECONDS
    local i
    for i in $(seq $(($2 * 10))); do grep -q "$1" "$T/run/console.log" 2>/dev/null && return 0; sleep 0.1; done
    return 1
}

# ---- power ----------------------------------------------------------------------------
check_eq "power status: off" "off" "$(bmc power status)"
check_contains "power on: the machine starts" "power on done: was off, now on" "$(bmc power on)"
check "... a QEMU runs" qemu_runs
check_contains "power off" "power off done: was on, now off" "$(bmc power off)"
check "... no QEMU runs" bash -c "! qemu_runs"

# ---- the CD, once ------------------------------------------------------------------------
check_contains "vmedia insert URL: the iDRAC fetched it" "virtual media CD: $ISO" "$(bmc vmedia insert "$ISO")"
check "... the same bytes" cmp -s "$T/www/installer.iso" "$T/run/media/installer.iso"
check_contains "boot cd --once" "boot override cd (next boot only" "$(bmc boot cd --once)"
rm -f "$T/run/console.log"
check_contains "power on" "power on done: was off, now on" "$(bmc power on)"
check "the machine boots the CD: its line on the serial console" console_says HOSTD-CD-BOOTED 60
check_contains "... with the CD first in the boot order of that start" "bootindex=0" "$(tail -n 1 "$T/run/qemu-starts.log")"
check_eq "the override is spent by that start" "None Disabled" \
    "$(curl -s --cacert "$T/cert.pem" -u root:calvin "https://127.0.0.1:$(cat "$T/idrac.port")/redfish/v1/Systems/System.Embedded.1" |
        python3 -c 'import json,sys; b=json.load(sys.stdin)["Boot"]; print(b["BootSourceOverrideTarget"], b["BootSourceOverrideEnabled"])')"
rm -f "$T/run/console.log"          # (the new start makes a new one)
check_contains "power reset" "power reset done" "$(bmc power reset)"
sleep 8
check "... the next start boots the disk, not the CD (strict order, no override): nothing on the console" \
    sh -c "! grep -q HOSTD-CD-BOOTED '$T/run/console.log' 2>/dev/null"
check "... and has no bootindex for it" sh -c "! tail -n 1 '$T/run/qemu-starts.log' | grep -q bootindex=0"
check_eq "two starts with the CD in, one of them from it" "3 1" "$(starts) $(grep -c 'bootindex=0' "$T/run/qemu-starts.log")"
check_contains "vmedia eject" "virtual media CD: empty" "$(bmc vmedia eject)"
check_contains "power off" "power off done: was on, now off" "$(bmc power off)"

# ---- what a strict iDRAC refuses -----------------------------------------------------------
out=$("$H" bmc --bmc r630 boot bios --once 2>&1); rc=$?
check_eq "boot bios: the target is not among the allowed ones: exit 1" 1 "$rc"
out=$("$H" bmc --bmc r630 boot cd --once --uefi 2>&1); rc=$?
check_eq "boot --uefi on a Legacy machine: refused (exit 1)" 1 "$rc"
check_eq "every session deleted" "0" "$(python3 -c '
import json, sys
n = 0
for l in open(sys.argv[1]):
    r = json.loads(l)
    n += r["method"] == "POST" and r["path"].endswith("/Sessions") and r["status"] == 201
    n -= r["method"] == "DELETE" and "/Sessions/" in r["path"] and r["status"] == 204
print(n)' "$T/requests.log")"
tap_done
