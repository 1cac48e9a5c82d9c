#!/bin/bash
# The layering of docs/ARCHITECTURE.md is a test: the tree has no include
# that crosses a wall, and the checker does catch each kind of crossing.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
CHECK=$TOP/scripts/check-layers.sh

out=$("$CHECK" "$TOP" 2>&1); rc=$?
check_eq "the tree crosses no wall" "0:" "$rc:$out"

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# crossing LAYER/FILE INCLUDE EXPECTED-WORDS: a copy of the tree's layers with one bad include
crossing() {
    rm -rf "$tmp/tree"; mkdir -p "$tmp/tree"
    for d in lib raid hypervisor containers ipmi os provision cli daemon; do
        [ -d "$TOP/$d" ] && cp -r "$TOP/$d" "$tmp/tree/$d"
    done
    printf '#include "%s"\n' "$2" >> "$tmp/tree/$1"
    out=$("$CHECK" "$tmp/tree" 2>&1); rc=$?
    check_eq "refused: $1 including $2 (exit 1)" 1 "$rc"
    check_contains "the crossing is named: $1" "$1:" "$out"
}
crossing lib/strutil.c raid/md.h
crossing raid/md.c hypervisor/vm.h
crossing containers/setup.c raid/md.h
crossing ipmi/bmc.c os/deploy.h
crossing os/image.c containers/place.h
crossing raid/plan.c provision/apply.h
crossing provision/apply_plan.c cli/cli.h
crossing daemon/jobs.c cli/client.h
crossing cli/cmd_raid.c daemon/api.h
crossing raid/plan.c ../hypervisor/vm.h

rm -rf "$tmp/tree"; mkdir -p "$tmp/tree/lib" "$tmp/tree/newpart"; cp "$TOP"/lib/*.[ch] "$tmp/tree/lib/"
echo 'int x;' > "$tmp/tree/newpart/x.c"
out=$("$CHECK" "$tmp/tree" 2>&1); rc=$?
check_eq "a folder of C code in no layer is refused" 1 "$rc"
check_contains "and named" "newpart/: C code in no layer" "$out"
tap_done
