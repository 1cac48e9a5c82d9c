#!/bin/bash
# hostctl status: the one screen from a running hostd (fake md layer): the
# arrays with a progress bar during a rebuild, degraded and failed arrays
# said so, the disks, the runtime, the last events; --json as one document
# with the same parts; --watch redraws; a hostd that does not answer is one
# error line and exit 1.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostd-lib.sh"
. "$(dirname "$0")/md-lib.sh"
HOSTCTL=${HOSTCTL:?HOSTCTL must name the hostctl binary}
U=unix://$H_SOCK

md md127 os raid1 clean 2 0 sda1 sdb1
md md126 data raid5 clean 3 1 sdc1 sdd1 sde1:faulty sdf1
md_sync md126 recover 1000 4000 51200
HOSTD_TEST_SYSFS_ROOT=$SYS PATH=$BIN:$PATH h_start || { fail "hostd starts"; tap_done; exit 1; }

out=$("$HOSTCTL" --host "$U" status 2>&1); rc=$?
check_eq "hostctl status exits 0" "0" "$rc"
check_contains "the screen says where it asked" "hostd at $U" "$out"
check_contains "the whole RAID 1 is listed with its members" "os         md127   raid1  clean     2/2 members" "$out"
check_contains "the rebuilding RAID 5 says DEGRADED" "data       md126   raid5  clean     2/3 members  DEGRADED" "$out"
check_contains "... with a progress bar at 25%" "recover  [########......................]  25.0%  50.0 MiB/s" "$out"
check_contains "the disks are counted" "Disks (" "$out"
check_contains "the runtime is there" "containerd: " "$out"
check_contains "the last events are there" "Last events (" "$out"
echo "$out" | sed 's/^/#   | /'

json=$("$HOSTCTL" --host "$U" --json status); rc=$?
check_eq "--json exits 0" "0" "$rc"
check_eq "--json: one document with arrays, disks, containers, events" "2 True True 25.0" "$(printf '%s' "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(len(d["arrays"]), isinstance(d["disks"], list), isinstance(d["events"], list), d["arrays"][1]["sync_percent"])')"

# each screen asks hostd for the runtime, which runs its programs: about a
# second on a loaded machine, hence the long window
timeout 15 "$HOSTCTL" --host "$U" status --watch=0.2 >"$H_TMP/watch.out"
screens=$(grep -c $'\033\[H\033\[2Jhostd at' "$H_TMP/watch.out")
check "--watch redraws the screen (${screens} screens in 15 s, each after clearing the terminal)" test "$screens" -ge 2
"$HOSTCTL" --host "$U" --json status --watch >/dev/null 2>&1
check_eq "--watch with --json is a usage error (exit 2)" "2" "$?"
h_stop

md md126 data raid5 inactive 3 0 sdc1 sdd1 sde1
HOSTD_TEST_SYSFS_ROOT=$SYS PATH=$BIN:$PATH h_start || { fail "hostd starts"; tap_done; exit 1; }
check_contains "an inactive array says FAILED" "inactive  3/3 members  FAILED" "$("$HOSTCTL" --host "$U" status 2>&1)"
h_stop

# clean, yet two of a RAID 5's three members gone: its data is lost (hostd's
# health, not a rule of the screen's own that reads only "inactive")
md md126 data raid5 clean 3 2 sdc1
HOSTD_TEST_SYSFS_ROOT=$SYS PATH=$BIN:$PATH h_start || { fail "hostd starts"; tap_done; exit 1; }
check_contains "a RAID 5 with two members gone says FAILED" "clean     1/3 members  FAILED" "$("$HOSTCTL" --host "$U" status 2>&1)"
check_eq "raid status --json says its health: Critical" "Critical" \
    "$("$HOSTCTL" --host "$U" --json raid status | python3 -c 'import json,sys; print([a["health"] for a in json.load(sys.stdin)["arrays"] if a["name"] == "data"][0])')"
h_stop

err=$("$HOSTCTL" --host "$U" status 2>&1 >/dev/null); rc=$?
check_eq "no hostd: exit 1" "1" "$rc"
check_eq "no hostd: one error line" "1" "$(printf '%s\n' "$err" | wc -l)"
tap_done
