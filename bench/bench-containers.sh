#!/bin/bash
# bench-containers.sh — `hostctl containers verify` (import check + one
# container with limits, a bind mount and 7 checks) against a bare
# `ctr run --rm` of the same image on the same containerd, in the same run.
# Pool: a loop-mounted XFS; containerd private to this run. Goal: <= 1.2x.
# N=10 runs each (alternating), medians in ms.
set -uo pipefail
H=${HOSTCTL:-$(cd "$(dirname "$0")/.." && pwd)/build/hostctl}
N=${N:-10}
[ "$(id -u)" = 0 ] || { echo "bench-containers: needs root (skipped)"; exit 0; }
for p in containerd ctr runc mkfs.xfs; do command -v $p >/dev/null || { echo "bench-containers: $p missing (skipped)"; exit 0; }; done

T=$(mktemp -d /tmp/hostd-bench-ctr.XXXXXX)
RUN=$T/run CONF=$T/etc/config.toml POOL=$T/pool
mkdir -p "$RUN" "$T/etc" "$POOL"
done_() {
    "$H" containers stop --pool "$POOL" --config "$CONF" --run-dir "$RUN" >/dev/null 2>&1
    mountpoint -q "$POOL" && umount "$POOL"; [ -n "${DEV:-}" ] && losetup -d "$DEV"; rm -rf "$T"
}
trap done_ EXIT
truncate -s 512M "$T/pool.img"; DEV=$(losetup -f --show "$T/pool.img")
mkfs.xfs -q -f -n ftype=1 "$DEV" && mount "$DEV" "$POOL"
printf 'version = 2\nroot = "%s/old"\n' "$T" >"$CONF"
O=(--pool "$POOL" --config "$CONF" --run-dir "$RUN")
"$H" containers setup "${O[@]}" >/dev/null || { echo "setup failed"; exit 1; }
SNAP=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["snapshotter"])' "$T/etc/hostd-pool.json")
CTR=(ctr -a "$RUN/containerd/containerd.sock" -n hostd)
"$H" containers verify "${O[@]}" >/dev/null || { echo "verify fails; no benchmark"; exit 1; }

ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || echo "  (rc=$? from: ${*:1:3} ...)" >&2; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
v=() b=()
for i in $(seq "$N"); do
    v+=("$(ms "$H" containers verify "${O[@]}")")
    b+=("$(ms "${CTR[@]}" run --rm --snapshotter "$SNAP" --runc-root "$RUN/containerd/runc" \
            --fifo-dir "$RUN/containerd/fifo" localhost/hostd-busybox:1 bench-$i /bin/true)")
done
mv=$(printf '%s\n' "${v[@]}" | median) mb=$(printf '%s\n' "${b[@]}" | median)
printf '%-44s median %4s ms   runs: %s\n' "hostctl containers verify" "$mv" "${v[*]}"
printf '%-44s median %4s ms   runs: %s\n' "ctr run --rm ($SNAP, /bin/true)" "$mb" "${b[*]}"
awk -v a="$mv" -v b="$mb" 'BEGIN { r = a / b; printf "ratio verify / ctr run: %.2fx (goal <= 1.2x)%s\n", r, r <= 1.2 ? "" : "  ABOVE GOAL" }'
