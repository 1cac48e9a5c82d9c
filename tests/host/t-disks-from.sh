#!/bin/bash
# An offline inventory (`hostctl disks --json` saved to a file) read back:
# `hostctl disks --from FILE` (text and --json), its errors for a file that
# is no JSON or no inventory, and the same reading everywhere one is taken
# in: `raid plan --inventory FILE`, hostd's test inventory
# (HOSTD_TEST_INVENTORY) and so `hostctl --host ... disks`. A disk the file
# says is not in use while it records a mount of it is in use for all of
# them: whether a disk is in use is worked out again from what the file
# records, never taken on the file's word.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostd-lib.sh"
HOSTCTL=${HOSTCTL:?HOSTCTL must name the hostctl binary}
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
FX=$TOP/tests/fixtures/inventory/r630-2ssd-6hdd.json
py() { python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }

# ---- the file as saved ----------------------------------------------------------
json=$("$HOSTCTL" disks --from "$FX" --json); rc=$?
check_eq "disks --from --json: exit 0" 0 "$rc"
check_eq "disks --from --json: the disks of the file" "sda sdb sdc sdd sde sdf sdg sdh" \
    "$(py 'print(" ".join(x["name"] for x in d["disks"]))' <<<"$json")"
check_eq "disks --from --json: their sizes" "480103981056 1200243695616" \
    "$(py 'print(d["disks"][0]["size_bytes"], d["disks"][7]["size_bytes"])' <<<"$json")"
text=$("$HOSTCTL" disks --from "$FX"); rc=$?
check_eq "disks --from: exit 0" 0 "$rc"
check_contains "disks --from: the text names the last disk" "sdh" "$text"
check_eq "disks --from FILE show sdc: exit 0" 0 "$("$HOSTCTL" disks --from "$FX" show sdc >/dev/null; echo $?)"

# ---- files that are no inventory ------------------------------------------------
printf '{"disks": [' >"$H_TMP/cut.json"
printf '{"arrays": []}\n' >"$H_TMP/other.json"
for f in cut other missing; do
    out=$("$HOSTCTL" disks --from "$H_TMP/$f.json" --json 2>"$H_TMP/err"); rc=$?
    check_eq "disks --from $f.json --json: exit 1" 1 "$rc"
    check_eq "disks --from $f.json --json: one document with the error, naming the file" "True" \
        "$(py "print('$H_TMP/$f.json' in d['error']['message'] and 'disks' not in d)" <<<"$out" 2>&1)"
    check_eq "disks --from $f.json --json: and one line on stderr" 1 "$(wc -l <"$H_TMP/err")"
done
check_eq "no inventory: EBADMSG" "EBADMSG" \
    "$("$HOSTCTL" disks --from "$H_TMP/other.json" --json 2>/dev/null | py 'print(d["error"]["errno"])')"
err=$("$HOSTCTL" disks --from "$H_TMP/cut.json" 2>&1 >/dev/null); rc=$?
check_eq "disks --from a cut file: exit 1" 1 "$rc"
check_contains "... and one line on stderr naming it" "$H_TMP/cut.json" "$err"

# ---- in use by what the file records, for every reader -------------------------------
# sda (an SSD the default plan puts in the OS RAID 1) is mounted on / in the
# file, but the file says "in_use": false
python3 - "$FX" >"$H_TMP/mounted.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["disks"][0].update(mountpoints=["/"], in_use=False, in_use_reasons=[])
print(json.dumps(d))
EOF
check_eq "disks --from: the disk mounted on / is in use" "True ['mounted on /']" \
    "$("$HOSTCTL" disks --from "$H_TMP/mounted.json" --json | py 'x=d["disks"][0]; print(x["in_use"], x["in_use_reasons"])')"
plan=$("$HOSTCTL" raid plan --inventory "$H_TMP/mounted.json" --json 2>/dev/null); rc=$?
check_eq "raid plan --inventory: a plan on the disk mounted on / is refused (exit 3)" 3 "$rc"
check_contains "raid plan --inventory: it says why" "mounted on /" "$plan"
plan=$("$HOSTCTL" raid plan --inventory "$FX" --json 2>/dev/null); rc=$?
check_eq "raid plan --inventory: the file as saved plans (exit 0)" 0 "$rc"
check_eq "... with no md tuning: the file is another machine's, its memory and CPUs unknown" \
    "data None, tune steps 0" \
    "$(py 'print("data", [a["tuning"] for a in d["arrays"] if a["name"] == "data"][0], end=", "); print("tune steps", sum(s["kind"] == "tune" for s in d["steps"]))' <<<"$plan")"
err=$("$HOSTCTL" raid plan --inventory "$H_TMP/other.json" 2>&1 >/dev/null); rc=$?
check_eq "raid plan --inventory: no inventory, exit 1" 1 "$rc"
check_contains "raid plan --inventory: the message names the file" "$H_TMP/other.json: not a disk inventory" "$err"

if HOSTD_TEST_INVENTORY=$H_TMP/mounted.json h_start; then
    h_req GET /redfish/v1/Systems/host/Storage/md/Oem/Hostd/Inventory
    check_eq "hostd's test inventory: the disk mounted on / is in use" "True" \
        "$(py 'print(d["disks"][0]["in_use"])' <<<"$H_BODY")"
    json=$("$HOSTCTL" --host "unix://$H_SOCK" disks --json); rc=$?
    check_eq "disks --host: exit 0" 0 "$rc"
    check_eq "disks --host: the same disks, the same use as disks --from" \
        "$("$HOSTCTL" disks --from "$H_TMP/mounted.json" --json | py 'print([(x["name"], x["in_use"]) for x in d["disks"]])')" \
        "$(py 'print([(x["name"], x["in_use"]) for x in d["disks"]])' <<<"$json")"
    h_stop
else
    fail "hostd starts on the test inventory"
fi
tap_done
