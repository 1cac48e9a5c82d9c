#!/bin/bash
# hostctl disks on real block devices: four loop devices carrying a GPT with
# two partitions (an ext4 on the first, mounted), an ext4 on the whole device
# (mounted), a swap signature, and nothing. The inventory must report each
# exactly, mark the right ones in use and say why. Needs root, losetup, sgdisk,
# mkfs.ext4, mkswap. Loop devices appear only with --all.
set -u
. "$(dirname "$0")/tap.sh"
HOSTCTL=${HOSTCTL:?HOSTCTL must name the hostctl binary}
[ -x "$HOSTCTL" ] || { fail "$HOSTCTL is not an executable"; tap_done; exit 1; }

need() {
    for t in losetup sgdisk mkfs.ext4 mkswap mount python3 blkid; do
        command -v "$t" >/dev/null || { echo "$t is not installed"; return 1; }
    done
    [ "$(id -u)" = 0 ] || { echo "not root"; return 1; }
    losetup -f >/dev/null 2>&1 || { echo "no free loop device"; return 1; }
}
if ! why=$(need); then
    skip "inventory of loop devices" "$why"
    tap_done
    exit
fi

T=$(mktemp -d /tmp/hostd-disks.XXXXXX)
loops=() mounts=() swaps=()
cleanup() {
    for s in "${swaps[@]}"; do swapoff "$s" 2>/dev/null; done
    for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
    for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT

attach() {  # attach VAR IMAGE [losetup options]: VAR = the new loop device
    local dev
    dev=$(losetup -f --show "${@:3}" "$2") || return 1
    loops+=("$dev")
    printf -v "$1" %s "$dev"
}
for n in gpt ext4 swap empty; do truncate -s 64M "$T/$n.img"; done
attach GPT "$T/gpt.img" -P && attach EXT "$T/ext4.img" && attach SWP "$T/swap.img" &&
    attach EMP "$T/empty.img" || { fail "attach four loop devices"; tap_done; exit 1; }
sgdisk -n1:2048:+16M -t1:8300 -c1:boot -n2:0:+8M -t2:fd00 "$GPT" >/dev/null
partx -u "$GPT" 2>/dev/null || blockdev --rereadpt "$GPT" 2>/dev/null
for _ in $(seq 50); do [ -b "${GPT}p2" ] && break; sleep 0.1; done
mkfs.ext4 -q -F -L part1fs "${GPT}p1" && mkfs.ext4 -q -F -L wholefs "$EXT" &&
    mkswap -L myswap "$SWP" >/dev/null || { fail "make the filesystems and swap"; tap_done; exit 1; }
mkdir -p "$T/m1" "$T/m 2"
mount "${GPT}p1" "$T/m1" && mounts+=("$T/m1")
mount "$EXT" "$T/m 2" && mounts+=("$T/m 2")
g=${GPT#/dev/} e=${EXT#/dev/} s=${SWP#/dev/} z=${EMP#/dev/}

# q PYTHON-EXPR: evaluated with d = the JSON on stdin, D = disks by name
# (prints "<invalid JSON>" when it is not, which no expected value equals)
q() {
    python3 -c 'import json,sys
try: d=json.load(sys.stdin)
except ValueError: print("<invalid JSON>"); sys.exit(1)
D={x["name"]:x for x in d.get("disks",[])} if isinstance(d, dict) else {}
print('"$1"')' 2>&1 | tail -n 1
}

json=$("$HOSTCTL" disks --all --json)
check_eq "disks --json is valid JSON with a disks array" "True" "$(q 'isinstance(d["disks"], list)' <<<"$json")"
plain=$("$HOSTCTL" disks --json)
check_eq "loop devices only with --all" "False" "$(q "'$g' in D or '$e' in D" <<<"$plain")"

# the GPT disk: table, partitions exactly as sgdisk made them
check_eq "$g: gpt with 2 partitions" "gpt 2" "$(q "D['$g']['partition_table'], len(D['$g']['partitions'])" <<<"$json" | tr -d "(),'")"
check_eq "$g: partition 1 start, size, type, label" \
    "1 ${g}p1 1048576 16777216 0fc63daf-8483-4772-8e79-3d69d8477de4 Linux filesystem boot" \
    "$(q "' '.join(str(D['$g']['partitions'][0][k]) for k in ('number','name','start','size','type','type_name','label'))" <<<"$json")"
check_eq "$g: partition 2 start, size, type" "2 17825792 8388608 a19d880f-05fc-4d3b-a006-743f0f84911e Linux RAID" \
    "$(q "' '.join(str(D['$g']['partitions'][1][k]) for k in ('number','start','size','type','type_name'))" <<<"$json")"
check_eq "$g: partition uuid is the GPT's" "$(sgdisk -i1 "$GPT" | sed -n 's/^Partition unique GUID: //p' | tr A-Z a-z)" \
    "$(q "D['$g']['partitions'][0]['uuid']" <<<"$json")"
check_eq "$g: partition 1 carries the ext4 (label, uuid)" "ext4 part1fs $(blkid -p -o value -s UUID "${GPT}p1")" \
    "$(q "' '.join(D['$g']['partitions'][0]['signatures'][0][k] for k in ('type','label','uuid'))" <<<"$json")"
check_eq "$g: no signature on the whole disk, none on partition 2" "0 0" \
    "$(q "len(D['$g']['signatures']), len(D['$g']['partitions'][1]['signatures'])" <<<"$json" | tr -d '(),')"
check_eq "$g: in use because partition 1 is mounted" "True ['partition ${g}p1 mounted on $T/m1']" \
    "$(q "D['$g']['in_use'], D['$g']['in_use_reasons']" <<<"$json" | tr -d '()' | sed 's/, \[/ [/')"
check_eq "$g: mountpoints of its partitions" "['$T/m1']" "$(q "D['$g']['mountpoints']" <<<"$json")"

# the whole-disk ext4, mounted on a path with a blank
check_eq "$e: ext4 signature with label and uuid" "ext4 filesystem wholefs $(blkid -p -o value -s UUID "$EXT")" \
    "$(q "' '.join(D['$e']['signatures'][0][k] for k in ('type','usage','label','uuid'))" <<<"$json")"
check_eq "$e: in use, mounted on $T/m 2" "True|mounted on $T/m 2" \
    "$(q "str(D['$e']['in_use']) + '|' + '|'.join(D['$e']['in_use_reasons'])" <<<"$json")"

# the swap signature: contents, not use (nobody swaps on it)
check_eq "$s: swap signature with label and uuid" "swap myswap $(blkid -p -o value -s UUID "$SWP")" \
    "$(q "' '.join(D['$s']['signatures'][0][k] for k in ('type','label','uuid'))" <<<"$json")"
check_eq "$s: not in use" "False [] False" "$(q "D['$s']['in_use'], D['$s']['in_use_reasons'], D['$s']['swap_in_use']" <<<"$json" | tr -d '(),')"

# the empty one
check_eq "$z: nothing on it, not in use, 64M exactly" "None [] [] False 67108864 512" \
    "$(q "D['$z']['partition_table'], D['$z']['partitions'], D['$z']['signatures'], D['$z']['in_use'], D['$z']['size_bytes'], D['$z']['logical_sector_size']" <<<"$json" | tr -d '(),')"
check_eq "$z: identity unknown is null, not empty" "None None None None" \
    "$(q "D['$z']['serial'], D['$z']['wwn'], D['$z']['model'], D['$z']['by_path']" <<<"$json" | tr -d '(),')"

# active swap, where this kernel lets us
if swapon "$SWP" 2>/dev/null; then
    swaps+=("$SWP")
    check_eq "$s: active swap is use" "True ['active swap']" \
        "$("$HOSTCTL" disks --all --json | q "D['$s']['in_use'], D['$s']['in_use_reasons']" | tr -d '()' | sed 's/, \[/ [/')"
    swapoff "$SWP"
else
    skip "$s: active swap is use" "swapon on a loop device is not permitted here"
fi

# the table
table=$("$HOSTCTL" disks --all)
check_contains "table has a header" "NAME" "$table"
check "table: $g gpt (2 partitions), in use" grep -qE "^$g +- +64.0M .*gpt \(2 partitions\) +yes: partition ${g}p1 mounted" <<<"$table"
check "table: $s swap, not in use" grep -qE "^$s +- +64.0M .* swap +no$" <<<"$table"
check "table: $z empty, not in use" grep -qE "^$z +- +64.0M .* - +no$" <<<"$table"

# show ID
check_eq "show by name" "$EXT" "$("$HOSTCTL" disks show "$e" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["path"])')"
check_contains "show by path, as key: value" "in_use                yes" "$("$HOSTCTL" disks show "$EXT")"
out=$("$HOSTCTL" disks show nosuchdisk 2>&1); rc=$?
check_eq "show of an unknown disk: exit 1" 1 "$rc"
check_contains "show of an unknown disk: says which" "disk nosuchdisk not found" "$out"
"$HOSTCTL" disks bogus >/dev/null 2>&1
check_eq "an unknown verb is a usage error (exit 2)" 2 "$?"

# --debug says where identity came from; --no-udev is the same here (no udevd)
dbg=$("$HOSTCTL" --debug disks --json 2>/dev/null)
check_eq "--debug: every disk has its identity sources" "True" \
    "$(q "all(isinstance(x.get('sources'), dict) for x in d['disks'])" <<<"$dbg")"
a=$(q "len(d['disks']) > 0 and json.dumps(d, sort_keys=True)" <<<"$json")
b=$("$HOSTCTL" disks --all --no-udev --json | q "len(d['disks']) > 0 and json.dumps(d, sort_keys=True)")
check "--no-udev gives the same inventory without udevd" test "${#a}" -gt 20 -a "$a" = "$b"

# hostile strings: a model of $(reboot);"<x> read back from a saved inventory
cat >"$T/hostile.json" <<EOF
{"disks": [{"name": "sdq", "model": "\$(reboot);\"<x>", "serial": "\$(touch $T/CANARY)\`touch $T/CANARY\`",
            "vendor": "\u001b[2J", "size_bytes": 8589934592, "rotational": false}]}
EOF
hj=$("$HOSTCTL" disks --from "$T/hostile.json" --json)
check_eq "hostile model: valid JSON, same bytes back" '$(reboot);"<x>' "$(q "D['sdq']['model']" <<<"$hj")"
ht=$("$HOSTCTL" disks --from "$T/hostile.json")
check_contains "hostile model: printed as it is in the table" '$(reboot);"<x>' "$ht"
hs=$("$HOSTCTL" disks --from "$T/hostile.json" show sdq)
check_contains "hostile vendor: shown escaped" 'vendor                \x1b[2J' "$hs"
check "hostile vendor: no escape byte reaches the terminal" test "$hs" = "$(tr -d '\033' <<<"$hs")"
check "no shell ever ran a string from a disk" test ! -e "$T/CANARY"

tap_done
