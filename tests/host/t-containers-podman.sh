#!/bin/bash
# hostctl containers --runtime podman with the real podman on a loop-mounted
# XFS pool: setup (the operator's storage.conf keeps its settings and podman
# itself reports the graphroot on the pool), status, verify (every check, the
# OCI archive loaded), stop (ends running containers); setup refuses an old
# graphroot that holds images; migrate refuses while a container is there
# (its record names the old graphroot) and moves the images by save and load.
set -uo pipefail
. "$(dirname "$0")/containers-lib.sh"
command -v podman >/dev/null 2>&1 || skip_all "podman is not installed (make deps)"

SCONF=$T/etc/containers/storage.conf
mkdir -p "$(dirname "$SCONF")"
# operator_storage_config GRAPHROOT: a storage.conf an operator may have
operator_storage_config() {
    cat >"$SCONF" <<EOC
# site storage settings — do not lose them
[storage]
driver = "overlay"
runroot = "$RUN/containers/storage"
graphroot = "$1"

[storage.options.overlay]
mountopt = "nodev"
EOC
}
P="env CONTAINERS_STORAGE_CONF=$SCONF podman"
podman_teardown() {
    $P rm -af -t 0 >/dev/null 2>&1
    teardown
}
trap podman_teardown EXIT

POOL=$(pool pool xfs 512M) || skip_all "cannot make a loop-mounted XFS pool here"
operator_storage_config "$T/podman-empty"
cp "$SCONF" "$T/storage.conf.orig"
O=(--runtime podman --config "$SCONF" --run-dir "$RUN")

out=$("$H" containers detect --runtime podman 2>&1); rc=$?
check_eq "detect --runtime podman exits 0" 0 "$rc"
check_contains "detect shows podman installed with its version" \
    "podman      yes       $(podman --version | awk '{print $3}')" "$out"

out=$("$H" containers setup --pool "$T" "${O[@]}" 2>&1); rc=$?
check_eq "setup refuses a pool that is not a mounted filesystem (exit 3)" 3 "$rc"

out=$("$H" containers setup --pool "$POOL" "${O[@]}" 2>&1); rc=$?
check_eq "setup exits 0" 0 "$rc"
check_contains "setup reports the graphroot on the pool and where it was" \
    "podman: graphroot $POOL/containers/podman in $SCONF (was $T/podman-empty)" "$out"
check_contains "setup says podman reports it itself" "'podman info' reports graphroot $POOL/containers/podman" "$out"
check_eq "storage.conf: the graphroot line is the only change" \
    "$(sed "s|^graphroot = .*|graphroot = \"$POOL/containers/podman\"|" "$T/storage.conf.orig")" "$(cat "$SCONF")"
check_eq "a backup of the original storage.conf is kept" "$(cat "$T/storage.conf.orig")" "$(cat "$SCONF.hostd-orig")"
check_eq "podman itself reports the graphroot on the pool" "$POOL/containers/podman" \
    "$($P info --format '{{.Store.GraphRoot}}' 2>&1)"
out=$("$H" containers setup --pool "$POOL" "${O[@]}" 2>&1)
check_contains "setup again changes nothing" "in $SCONF (already)" "$out"

out=$("$H" containers status --pool "$POOL" "${O[@]}" 2>&1)
check_contains "status says podman is installed and has no daemon" "podman: installed (no daemon)" "$out"
check_contains "status says the graphroot is on the pool" "root: $POOL/containers/podman (on the pool)" "$out"
st=$("$H" --json containers status --pool "$POOL" "${O[@]}" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["placed"], d["root"])')
check_eq "status --json: placed, with the root" "True $POOL/containers/podman" "$st"

out=$("$H" containers verify --pool "$POOL" "${O[@]}" 2>&1); rc=$?
check_eq "verify exits 0" 0 "$rc"
checks_pass verify "" "$out" "${VERIFY_CHECKS[@]}" "cleanup"
check_contains "verify loaded the OCI archive the first time" " loaded" "$(echo "$out" | grep '^ok    image')"
check_contains "the rootfs is an overlay whose upper dir is in the pool's graphroot" \
    "overlay, upperdir $POOL/containers/podman/overlay/" "$out"
echo "$out" | sed 's/^/# /'
out=$("$H" containers verify --pool "$POOL" "${O[@]}" --memory 96M --cpus 0.25 --exit-code 3 2>&1)
limits_seen "$out"
check_contains "verify found the image in the store this time" "already in the image store" "$out"
check_eq "verify leaves no container" "" "$($P ps -aq)"
check_eq "verify leaves no file in the bind-mounted dir" "" "$(ls "$POOL/containers/verify")"

# stop: no daemon, so it ends podman's running containers
$P run -d --name sleeper --network none --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 \
    localhost/hostd-busybox:1 sleep 600 >/dev/null 2>&1
check_eq "a long-running container is up before stop" running "$($P inspect -f '{{.State.Status}}' sleeper 2>&1)"
check_contains "detect: podman active (a container runs), its data on the pool" \
    "$(printf '%-6s %s' yes "$POOL/containers/podman")" "$("$H" containers detect "${O[@]}" 2>&1 | grep '^podman ')"
out=$("$H" containers stop --pool "$POOL" "${O[@]}" 2>&1); rc=$?
check_eq "stop exits 0" 0 "$rc"
check_contains "stop says podman has no daemon and its containers are stopped" "its running containers are stopped" "$out"
check_eq "the container is stopped" exited "$($P inspect -f '{{.State.Status}}' sleeper 2>&1)"
check_contains "detect: podman not active once its containers are stopped" \
    "$(printf '%-6s %s' no "$POOL/containers/podman")" "$("$H" containers detect "${O[@]}" 2>&1 | grep '^podman ')"
out=$("$H" containers start --pool "$POOL" "${O[@]}" 2>&1); rc=$?
check_eq "start exits 0 (nothing to start)" 0 "$rc"
check_contains "and says why" "podman has no daemon" "$out"

# an old graphroot with images: setup refuses; migrate refuses while a
# container's record names the old graphroot, then moves the images
OLD=$T/podman-old
operator_storage_config "$OLD"
$P load -i "$POOL/containers/image/hostd-busybox-oci.tar" >/dev/null 2>&1
$P tag localhost/hostd-busybox:1 localhost/ops-tools:2 >/dev/null 2>&1
$P create --name keeper localhost/hostd-busybox:1 true >/dev/null 2>&1
images() { $P images --no-trunc --format '{{.ID}} {{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ' | sed 's/ $//'; }
before=$(images)
check_eq "before: the old graphroot holds two image tags" 2 "$(echo "$before" | wc -w | awk '{print $1/2}')"
POOL2=$(pool pool2 xfs 512M) || skip_all "cannot make a second loop-mounted XFS pool here"
cp "$SCONF" "$T/storage.conf.old"
out=$("$H" containers setup --pool "$POOL2" "${O[@]}" 2>&1); rc=$?
check_eq "setup refuses when the old graphroot holds images (exit 3)" 3 "$rc"
check_contains "and points to migrate" "run 'hostctl containers migrate --runtime podman'" "$out"
check_eq "and leaves storage.conf alone" "$(cat "$T/storage.conf.old")" "$(cat "$SCONF")"
out=$("$H" containers migrate --pool "$POOL2" "${O[@]}" 2>&1); rc=$?
check_eq "migrate refuses while a container is there (exit 3)" 3 "$rc"
check_contains "and says why" "podman keeps 1 containers in $OLD; their records name that graphroot" "$out"
check_eq "and leaves storage.conf alone" "$(cat "$T/storage.conf.old")" "$(cat "$SCONF")"
check_eq "and copies nothing" "" "$(ls "$POOL2/containers" 2>/dev/null)"
$P rm keeper >/dev/null 2>&1
# more tags than the fixed argv of `podman save` held (57): each one moves
for i in $(seq 60); do $P tag localhost/hostd-busybox:1 "localhost/many:$i" >/dev/null 2>&1; done
before=$(images)
out=$("$H" containers migrate --pool "$POOL2" --keep-old "${O[@]}" 2>&1); rc=$?
check_eq "migrate --keep-old exits 0" 0 "$rc"
check_contains "migrate reports the images it moved" "moved 62 images and 0 containers from $OLD to $POOL2/containers/podman" "$out"
check_eq "podman reports its graphroot on the pool" "$POOL2/containers/podman" \
    "$($P info --format '{{.Store.GraphRoot}}' 2>&1)"
check_eq "after: the same image IDs and tags" "$before" "$(images)"
check "--keep-old kept the old graphroot" test -d "$OLD/overlay"
check_eq "no archive is left on the pool" "" "$(ls "$POOL2/containers" | grep -v '^podman$')"
out=$("$H" containers verify --pool "$POOL2" "${O[@]}" 2>&1); rc=$?
check_eq "verify on the new pool exits 0" 0 "$rc"
check_contains "and found the moved image in the store" "already in the image store" "$out"
check_contains "and ran it from the new pool" "overlay, upperdir $POOL2/containers/podman/overlay/" "$out"
out=$("$H" containers migrate --pool "$POOL2" "${O[@]}" 2>&1); rc=$?
check_contains "migrate again says it is already there (exit $rc)" "podman already keeps its data on the pool" "$out"
check_eq "migrate --json: podman, not moved, its root on the pool" "podman False $POOL2/containers/podman" \
    "$("$H" --json containers migrate --pool "$POOL2" "${O[@]}" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["runtime"], d["moved"], d["root"])')"

tap_done
