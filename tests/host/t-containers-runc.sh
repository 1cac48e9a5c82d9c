#!/bin/bash
# hostctl containers run-bundle: the project's image run by runc directly (no
# daemon) from a bundle on a loop-mounted XFS pool: every check passes, the
# chosen exit code and limits come back, the bundle runs by hand too, nothing
# is left after the run; runc missing from PATH is one clear error; docker
# and podman, not installed here, say so.
set -uo pipefail
. "$(dirname "$0")/containers-lib.sh"
export H POOL RUN

RUNC_ROOT=$RUN/runc
# a container of ours left by a failed check goes before containers-lib's teardown
runc_teardown() {
    local id
    for id in $(runc --root "$RUNC_ROOT" list -q 2>/dev/null); do runc --root "$RUNC_ROOT" delete --force "$id"; done
    teardown
}
trap runc_teardown EXIT

POOL=$(pool pool xfs 512M) || skip_all "cannot make a loop-mounted XFS pool here"
O=(--pool "$POOL" --run-dir "$RUN")
B=$POOL/containers/bundles/verify

leftovers() {  # what a run may leave: runc state, mounts under the pool, cgroups
    runc --root "$RUNC_ROOT" list -q 2>/dev/null
    ls "$RUNC_ROOT" 2>/dev/null
    awk -v p="$POOL/containers/" 'index($2, p) == 1 {print "mount " $2}' /proc/self/mounts
    ls -d /sys/fs/cgroup/*/hostd/hostd-runc-* /sys/fs/cgroup/unified/hostd/hostd-runc-* 2>/dev/null
}

out=$("$H" containers run-bundle "${O[@]}" 2>&1); rc=$?
check_eq "run-bundle exits 0" 0 "$rc"
checks_pass run-bundle "" "$out" "bundle" "${VERIFY_CHECKS[@]:1}" "nothing left"
echo "$out" | sed 's/^/# /'
check_contains "the default limits are what the container saw" "67108864 bytes in /sys/fs/cgroup/memory/hostd/hostd-runc-" "$out"
check_contains "the rootfs is the bundle's directory on the pool's device" \
    "xfs on $(mountpoint -d "$POOL") (pool $(mountpoint -d "$POOL")) at /containers/bundles/verify/rootfs" "$out"
check_eq "nothing is left after the run (runc state, mounts, cgroup)" "" "$(leftovers)"
check_eq "no file is left in the bind-mounted dir" "" "$(ls "$POOL/containers/verify")"

# the bundle: on the pool, the project's image unpacked, config.json as generated
check "the bundle's rootfs holds the image's busybox" test -x "$B/rootfs/bin/busybox"
check_eq "the bundle's rootfs is on the pool's filesystem" "$(stat -c %d "$POOL")" "$(stat -c %d "$B/rootfs/bin/busybox")"
cfg=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); l=c["linux"]
print(c["root"], c["process"]["terminal"], c["process"]["user"], [n["type"] for n in l["namespaces"]],
      l["resources"]["memory"], l["resources"]["cpu"], [m["source"] for m in c["mounts"] if m["type"]=="bind"])' "$B/config.json")
check_eq "config.json: rw rootfs, no terminal, root, 5 namespaces, limits, binds from the pool" \
    "{'path': 'rootfs', 'readonly': False} False {'uid': 0, 'gid': 0} ['pid', 'ipc', 'uts', 'mount', 'network'] {'limit': 67108864} {'quota': 50000, 'period': 100000} ['$POOL/containers/verify', '/sys/fs/cgroup']" "$cfg"

out=$("$H" containers run-bundle "${O[@]}" --exit-code 3 --memory 96M --cpus 0.25 2>&1); rc=$?
check_eq "run-bundle --exit-code 3 exits 0 (the check passed)" 0 "$rc"
check_contains "the chosen exit code came back from runc" "ok    exit code         3 (wanted 3)" "$out"
check_contains "the chosen memory limit is in the container's cgroup" "100663296 bytes in /sys/fs/cgroup/memory/hostd/" "$out"
check_contains "the chosen CPU limit is in the container's cgroup" "CFS quota 25000 us" "$out"
check_eq "nothing is left after the second run" "" "$(leftovers)"

# the bundle stays and runs by hand, with runc alone: the same exit code
runc --root "$RUNC_ROOT" run --bundle "$B" by-hand >"$T/by-hand.out" 2>&1 </dev/null; rc=$?
check_eq "the bundle runs with 'runc run' by hand and exits with the chosen code" 3 "$rc"
check_contains "and prints the marker" "hostd-runc-" "$(head -n1 "$T/by-hand.out")"
rm -f "$POOL"/containers/verify/*
check_eq "runc (without --keep) left nothing after the run by hand" "" "$(leftovers)"

json=$("$H" --json containers run-bundle "${O[@]}" | python3 -c 'import json,sys; d=json.load(sys.stdin)
print(d["ok"], d["runtime"], len(d["checks"]), all(c["ok"] for c in d["checks"]), d["bundle"], d["runc_root"])')
check_eq "run-bundle --json: ok, 8 passing checks, bundle and runc root" "True runc 8 True $B $RUNC_ROOT" "$json"

# a failing check is exit 1 and names itself: a memory limit the kernel rounds
out=$("$H" containers run-bundle "${O[@]}" --memory 4097K 2>&1); rc=$?
if [ "$rc" = 1 ]; then
    check_contains "a limit the kernel did not take as asked fails its check" "FAIL  memory limit" "$out"
else
    skip "a limit the kernel did not take as asked fails its check" "this kernel keeps a 4097K limit byte for byte"
fi
check_eq "nothing is left after a failed check" "" "$(leftovers)"

# runc missing: PATH names a dir without runc, and since hostd also looks in
# the sbin dirs, runc is hidden there in a private mount namespace (/dev/null
# bound over it: this test's processes only). One clear line, exit 1.
mkdir -p "$T/bin-no-runc"
for p in tar gzip rm sha256sum mkdir; do ln -sf "$(command -v "$p")" "$T/bin-no-runc/$p"; done
hide=()
for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do [ -e "$d/runc" ] && hide+=("$(readlink -f "$d/runc")"); done
rm -rf "$B"
unshare -m --propagation private bash -c 'for f in "${@:2}"; do mount --bind /dev/null "$f" || exit 99; done
    PATH=$1 exec "$H" containers run-bundle --pool "$POOL" --run-dir "$RUN"' _ "$T/bin-no-runc" "${hide[@]}" \
    >"$T/no-runc.out" 2>"$T/no-runc.err"; rc=$?
check_eq "without runc run-bundle exits 1" 1 "$rc"
check_eq "and says so in one line on stderr" \
    "hostctl containers run-bundle: runc: not found in PATH or the sbin directories; install the runc package to run bundles without a daemon" \
    "$(cat "$T/no-runc.err")"
check_eq "and prints nothing on stdout" "" "$(cat "$T/no-runc.out")"
check "and makes no bundle" test ! -e "$B"

out=$("$H" containers run-bundle --pool "$T" --run-dir "$RUN" 2>&1); rc=$?
check_eq "run-bundle refuses a pool that is not a mounted filesystem (exit 3)" 3 "$rc"
check_contains "and says why" "is not a mounted filesystem" "$out"

# Docker Engine or podman not installed: every verb says so, exit 1
for r in docker podman; do
    exe=$r; [ "$r" = docker ] && exe=dockerd
    if command -v "$exe" >/dev/null 2>&1; then
        skip "$r: detect, start, stop, verify say 'not installed'" "$exe is installed"
        continue
    fi
    for v in detect start stop verify; do
        out=$("$H" containers "$v" --runtime "$r" 2>&1); rc=$?
        check_eq "$v --runtime $r exits 1" 1 "$rc"
        check_contains "$v --runtime $r says '$r: not installed'" "hostctl containers $v: $r: not installed (no $exe" "$out"
    done
done
out=$("$H" containers detect 2>&1)
if command -v dockerd >/dev/null 2>&1; then
    check_contains "detect lists docker as installed with dockerd's version" \
        "docker      yes       $(dockerd --version | awk '{print $3}' | tr -d ,)" "$(echo "$out" | grep '^docker ')"
else
    check_contains "detect lists docker as not installed" "not installed (no dockerd" "$(echo "$out" | grep '^docker ')"
fi

tap_done
