#!/bin/bash
# The look before a write: hostctl raid create plans from an inventory that
# says two loop disks are blank (what udev's database would still say after a
# write it did not see), one of them then gets an ext4 superblock written
# raw with dd; apply must probe the disk itself before its first write,
# refuse (exit 3) naming the disk and the ext4, and leave every byte of both
# disks as it was. On blank disks the same look lets apply go on (to the
# stand-in mdadm, which fails: this host has no md). Needs root, losetup,
# sgdisk, mkfs.ext4.
set -u
. "$(dirname "$0")/tap.sh"
HOSTCTL=${HOSTCTL:?HOSTCTL must name the hostctl binary}

need() {
    for t in losetup sgdisk mkfs.ext4 python3 sha256sum; do
        command -v "$t" >/dev/null || { echo "$t is not installed"; return 1; }
    done
    [ "$(id -u)" = 0 ] || { echo "not root"; return 1; }
    losetup -f >/dev/null 2>&1 || { echo "no free loop device"; return 1; }
}
if ! why=$(need); then
    skip "the look before a write, on loop devices" "$why"
    tap_done
    exit
fi

T=$(mktemp -d /tmp/hostd-raid-look.XXXXXX)
loops=()
cleanup() {
    for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT

for n in a b; do truncate -s 256M "$T/$n.img"; done
A=$(losetup -f --show -P "$T/a.img") && loops+=("$A") &&
    B=$(losetup -f --show -P "$T/b.img") && loops+=("$B") || { fail "attach two loop devices"; tap_done; exit 1; }

# the inventory as the listing gives it, with the serials loop devices lack
# and names the planner takes for disks (it leaves virtual devices alone)
"$HOSTCTL" disks --all --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
keep = {sys.argv[1]: "LOOKA", sys.argv[2]: "LOOKB"}
d["disks"] = [dict(x, serial=keep[x["path"]], name="sdlook" + keep[x["path"]][-1].lower(), rotational=False)
              for x in d["disks"] if x["path"] in keep]
json.dump(d, open(sys.argv[3], "w"))' "$A" "$B" "$T/inv.json"
cat >"$T/spec.yaml" <<EOF
storage:
  arrays:
    - name: looktest
      level: raid1
      disks: {serials: [LOOKA, LOOKB]}
EOF
mkdir -p "$T/bin"
printf '#!/bin/sh\necho "stand-in mdadm: no md on this host" >&2\nexit 1\n' >"$T/bin/mdadm"
# sgdisk itself, then the kernel told of the new table (as t-disks-loop does:
# its re-read does not always reach a loop device here)
printf '#!/bin/sh\n%s "$@" || exit\neval "dev=\\${$#}"\npartx -u "$dev" 2>/dev/null || blockdev --rereadpt "$dev"\n' \
    "$(command -v sgdisk)" >"$T/bin/sgdisk"
chmod +x "$T/bin/mdadm" "$T/bin/sgdisk"
create() { HOSTD_TEST_INVENTORY=$T/inv.json PATH=$T/bin:$PATH "$HOSTCTL" raid create --spec "$T/spec.yaml" --yes "$@"; }

out=$("$HOSTCTL" raid plan --spec "$T/spec.yaml" --inventory "$T/inv.json" 2>&1); rc=$?
check_eq "the plan of the two blank loop disks has no error" 0 "$rc"
check_contains "... and partitions LOOKA" "partition disk LOOKA" "$out"

# an ext4 superblock, written raw behind udev's and the plan's back
mkfs.ext4 -q -F -L behind "$T/fs.img" 8M >/dev/null 2>&1
dd if="$T/fs.img" of="$A" bs=1M oflag=direct conv=fsync status=none
check_eq "the listing, probing, sees the ext4 on $A" "ext4" \
    "$("$HOSTCTL" disks --all --probe show "$A" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["signatures"][0]["type"])')"
sum_a=$(sha256sum <"$T/a.img") sum_b=$(sha256sum <"$T/b.img")
out=$(create 2>&1); rc=$?
check_eq "apply refuses for safety (exit 3)" 3 "$rc"
check_contains "... naming the disk" "disk LOOKA ($A)" "$out"
check_contains "... what the plan saw and what it carries now" "the plan saw nothing, it now carries ext4" "$out"
check_eq "... and $A's bytes are unchanged" "$sum_a" "$(sha256sum <"$T/a.img")"
check_eq "... and $B's bytes are unchanged" "$sum_b" "$(sha256sum <"$T/b.img")"

# blank again: the look passes and apply goes on to partition both disks
dd if=/dev/zero of="$A" bs=1M count=8 oflag=direct conv=fsync status=none
out=$(create 2>&1); rc=$?
check_eq "on disks as planned apply goes on, to the stand-in mdadm (exit 1)" 1 "$rc"
check_contains "... which is what failed" "no md on this host" "$out"
check_eq "... after partitioning both disks" "gpt gpt" "$(blkid -p -o value -s PTTYPE "$A") $(blkid -p -o value -s PTTYPE "$B")"

tap_done
