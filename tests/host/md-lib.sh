# md-lib.sh — sourced after hostd-lib.sh: a fake md layer for hostd, as on
# the lab's R630 without its disks. hostd reads a copy of the md part of
# sysfs in $SYS (HOSTD_TEST_SYSFS_ROOT) and runs the stand-in mdadm in $BIN
# for `--detail --export`; start hostd with
#   HOSTD_TEST_SYSFS_ROOT=$SYS PATH=$BIN:$PATH h_start
SYS=$H_TMP/sys BIN=$H_TMP/bin
mkdir -p "$SYS/block" "$BIN" "$H_TMP/export"
cat >"$BIN/mdadm" <<'EOF'
#!/bin/sh
# mdadm --detail --export /dev/mdN: what the test wrote for mdN
[ "$1 $2" = "--detail --export" ] || { echo "fake mdadm: $*?" >&2; exit 1; }
exec cat "$FAKE_MDADM_EXPORT/${3#/dev/}"
EOF
chmod +x "$BIN/mdadm"
export FAKE_MDADM_EXPORT=$H_TMP/export

# md KNAME NAME LEVEL ARRAY_STATE RAID_DISKS DEGRADED MEMBER...: one array
# as sysfs shows it, with a UUID of its own; a member is a partition (sda1)
# or a whole disk (sda); "sdX1:faulty" is marked failed, "sdX1:spare" is a
# spare (state spare, slot none), "sdX1:rebuilding" is a spare md is
# rebuilding into the array (state spare, as md says it, and a slot)
md() {
    local k=$1 name=$2 level=$3 state=$4 disks=$5 degraded=$6; shift 6
    local d=$SYS/block/$k/md
    rm -rf "${SYS:?}/block/$k"; mkdir -p "$d"
    echo "$level" >"$d/level"; echo "$state" >"$d/array_state"; echo idle >"$d/sync_action"
    echo "$disks" >"$d/raid_disks"; echo "$degraded" >"$d/degraded"; echo 0 >"$d/mismatch_cnt"
    echo none >"$d/sync_completed"; echo 2097152 >"$SYS/block/$k/size"
    printf 'MD_LEVEL=%s\nMD_DEVICES=%s\nMD_METADATA=1.2\nMD_UUID=7185e138:cb94239d:78d019d9:3bfa0d%02x\nMD_NAME=r630:%s\n' \
        "$level" "$disks" "${k#md}" "$name" >"$H_TMP/export/$k"
    local slot=0 m
    for m in "$@"; do
        local dev=${m%%:*} st=in_sync at sl=$slot
        [ "$dev" != "$m" ] && st=${m#*:}
        case $st in
            spare) sl=none ;;
            rebuilding) st=spare ;;
        esac
        at=${dev%%[0-9]*}/$dev; [ "${dev%%[0-9]*}" = "$dev" ] && at=$dev
        mkdir -p "$d/dev-$dev" "$SYS/block/$at"
        echo "$st" >"$d/dev-$dev/state"; echo "$sl" >"$d/dev-$dev/slot"
        ln -s "../../../$at" "$d/dev-$dev/block"
        [ "$sl" = none ] || slot=$((slot + 1))
    done
}

# md_sync KNAME ACTION DONE TOTAL KIB_PER_S: a resync, recovery or check in
# progress (md/sync_action, sync_completed in sectors, sync_speed)
md_sync() {
    local d=$SYS/block/$1/md
    echo "$2" >"$d/sync_action"; echo "$3 / $4" >"$d/sync_completed"; echo "$5" >"$d/sync_speed"
}
