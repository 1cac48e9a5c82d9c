#!/bin/bash
# hostctl containers on a loop-mounted XFS pool with real containerd + runc:
# detect, setup (the operator's config keeps its settings), verify (every
# check), stop, start, verify again; setup refuses a pool that is not mounted.
set -uo pipefail
. "$(dirname "$0")/containers-lib.sh"

POOL=$(pool pool xfs 512M) || skip_all "cannot make a loop-mounted XFS pool here"
operator_config "$T/old-root"
cp "$CONF" "$T/config.orig"
O=(--pool "$POOL" --config "$CONF" --run-dir "$RUN")

out=$("$H" containers detect --config "$CONF"); rc=$?
check_eq "detect exits 0" 0 "$rc"
check_contains "detect shows containerd installed with its version" "containerd  yes       $(containerd --version | awk '{print $3}')" "$out"
check_contains "detect shows where containerd keeps its data today" "$T/old-root" "$out"

out=$("$H" containers setup --pool "$T" --config "$CONF" --run-dir "$RUN" 2>&1); rc=$?
check_eq "setup refuses a pool that is not a mounted filesystem (exit 3)" 3 "$rc"
check_contains "and says why" "is not a mounted filesystem" "$out"

out=$("$H" containers setup "${O[@]}" 2>&1); rc=$?
check_eq "setup exits 0" 0 "$rc"
check_contains "setup reports the root on the pool" "containerd: root $POOL/containers/containerd (was $T/old-root)" "$out"
check_contains "setup reports the snapshotter it tested" "snapshotter: overlayfs" "$out"

# the operator's file: every line kept, one import added
imports="imports = [\"$(dirname "$CONF")/hostd-pool.toml\"]"
check_eq "the operator's config gains one line: the import" "1" "$(grep -cxF "$imports" "$CONF")"
check_eq "and keeps every other byte" "$(cat "$T/config.orig")" "$(grep -vxF "$imports" "$CONF")"
dump=$(containerd --config "$CONF" config dump 2>/dev/null)
check_contains "containerd reads its root on the pool" "root = \"$POOL/containers/containerd\"" "$dump"
check_contains "containerd keeps oom_score" "oom_score = -500" "$dump"
check_contains "containerd keeps max_recv_message_size" "max_recv_message_size = 33554432" "$dump"
check_contains "containerd keeps the debug level" 'level = "warn"' "$dump"
check_contains "containerd keeps the gc plugin settings" "pause_threshold = 0.03" "$dump"
check_contains "containerd keeps the gc deletion threshold" "deletion_threshold = 7" "$dump"
check_eq "a backup of the original config is kept" "$(cat "$T/config.orig")" "$(cat "$CONF.hostd-orig")"

pid=$(cat "$PIDFILE" 2>/dev/null)
check_eq "containerd runs from the pid file" containerd "$(cat /proc/"$pid"/comm 2>/dev/null)"
out=$("$H" containers status "${O[@]}")
check_contains "status says running with the pid" "containerd: running (pid $pid)" "$out"

verify_all() {  # verify_all WHEN
    local out rc n
    out=$("$H" containers verify "${O[@]}" 2>&1); rc=$?
    check_eq "verify exits 0 ($1)" 0 "$rc"
    checks_pass verify "$1" "$out" "${VERIFY_CHECKS[@]}"
    echo "$out" | sed 's/^/# /'
}
verify_all "first start"
out=$("$H" containers verify "${O[@]}" --memory 96M --cpus 0.25 --exit-code 3 2>&1)
check_contains "verify reads the memory limit it asked for" "100663296 bytes in /sys/fs/cgroup/memory/hostd/" "$out"
check_contains "verify reads the CPU limit it asked for" "CFS quota 25000 us" "$out"
check_contains "verify sees the exit code it asked for" "3 (wanted 3)" "$out"
json=$("$H" --json containers verify "${O[@]}" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["ok"], len(d["checks"]), all(c["ok"] for c in d["checks"]))')
check_eq "verify --json: ok with 7 passing checks" "True 7 True" "$json"
$CTR -n hostd images rm localhost/hostd-busybox:1 >/dev/null 2>&1
out=$("$H" containers verify "${O[@]}" 2>&1); rc=$?
check_eq "verify after the image was removed exits 0" 0 "$rc"
check_contains "verify imports the image again" "ok    image             localhost/hostd-busybox:1 sha256:" "$out"
check_contains "and says it imported it" " imported" "$(echo "$out" | grep '^ok    image')"
check_eq "verify leaves no file in the bind-mounted dir" "" "$(ls "$POOL/containers/verify")"

# a container left running: stop must kill its task and its shim
$CTR -n hostd run -d --snapshotter overlayfs --runc-root "$RUN/containerd/runc" --fifo-dir "$RUN/containerd/fifo" \
    localhost/hostd-busybox:1 sleeper /bin/sleep 600 >/dev/null 2>&1
check_eq "a long-running container is up before stop" RUNNING "$($CTR -n hostd tasks ls | awk '$1=="sleeper"{print $3}')"
out=$("$H" containers stop "${O[@]}" 2>&1); rc=$?
check_eq "stop exits 0" 0 "$rc"
check "containerd is gone after stop" bash -c "! kill -0 $pid 2>/dev/null"
check_eq "no shim of this containerd is left" "" "$(pgrep -f "containerd-shim.*$RUN/containerd/containerd.sock")"
check_eq "no rootfs stays mounted under the pool" "" "$(awk -v p="$POOL/containers/" 'index($2,p)==1' /proc/self/mounts)"
out=$("$H" containers verify "${O[@]}" 2>&1); rc=$?
check_eq "verify fails while containerd is stopped" 1 "$rc"
check_contains "and says how to fix it" "run 'hostctl containers start'" "$out"

out=$("$H" containers start "${O[@]}" 2>&1); rc=$?
check_eq "start exits 0" 0 "$rc"
check_contains "start reports the pid" "containerd running (pid $(cat "$PIDFILE"))" "$out"
verify_all "after restart"
check_eq "the stopped container survived the restart" "sleeper" "$($CTR -n hostd containers ls -q | grep sleeper)"

before=$(md5sum <"$CONF")
out=$("$H" containers setup "${O[@]}" 2>&1); rc=$?
check_eq "setup again exits 0" 0 "$rc"
check_contains "setup again changes nothing" "(already)" "$out"
check_eq "setup again leaves the config byte for byte" "$before" "$(md5sum <"$CONF")"

# the image: the project's own, the same bytes every build
"$H" containers image --output "$T/img1" >/dev/null && "$H" containers image --output "$T/img2" >/dev/null
a=$(sha256sum <"$T/img1/hostd-busybox-oci.tar"); b=$(sha256sum <"$T/img2/hostd-busybox-oci.tar")
check_eq "two image builds give the same bytes" "$a" "$b"
a=$(sha256sum <"$T/img1/hostd-busybox-docker.tar"); b=$(sha256sum <"$T/img2/hostd-busybox-docker.tar")
check_eq "two builds give the same docker-archive bytes" "$a" "$b"
check_eq "the docker-archive's config is the OCI image's config, byte for byte" \
    "$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["config"]["digest"][7:])' \
        "$T/img1/layout/blobs/sha256/$(sed 's/^sha256://' "$T/img1/manifest.digest")")" \
    "$(tar -xOf "$T/img1/hostd-busybox-docker.tar" manifest.json | python3 -c 'import json,sys; c=json.load(sys.stdin)[0]["Config"]; print(c[:-5])')"
check_eq "verify ran that very image" "$(cat "$T/img1/manifest.digest")" "$(cat "$POOL/containers/image/manifest.digest")"

tap_done
