#!/bin/bash
# hostctl containers migrate with real containerd: an operator's containerd
# holds an image and a stopped container in its old root. A migration to a
# pool that is too small fails halfway and leaves containerd working on the
# old root with all its data; a migration to a real pool moves everything
# (owners, modes, hard links, xattrs kept) and only then removes the old root.
set -uo pipefail
. "$(dirname "$0")/containers-lib.sh"

OLD=$T/old-root
POOL=$(pool pool xfs 512M) || skip_all "cannot make a loop-mounted XFS pool here"
TINY=$(pool tiny ext4 3M) || skip_all "cannot make a tiny loop-mounted ext4 here"
operator_config "$OLD"
cp "$CONF" "$T/config.orig"

# the operator's containerd with data: an image and a stopped container
start_raw || skip_all "containerd does not start here: $(tail -3 "$T/containerd-raw.log")"
"$H" containers image --output "$T/img" >/dev/null || { fail "the image builds"; tap_done; exit 1; }
$CTR -n ops images import --snapshotter overlayfs "$T/img/hostd-busybox-oci.tar" >/dev/null 2>&1
$CTR -n ops run --snapshotter overlayfs --runc-root "$RUN/containerd/runc" --fifo-dir "$RUN/containerd/fifo" \
    localhost/hostd-busybox:1 keeper /bin/sh -c 'echo kept-across-migration > /keep' >/dev/null 2>&1
$CTR -n ops tasks delete keeper >/dev/null 2>&1
check_eq "before: the old root holds the image" "localhost/hostd-busybox:1" "$($CTR -n ops images ls -q)"
check_eq "before: and a stopped container" "keeper" "$($CTR -n ops containers ls -q)"
# files whose owner, mode, hard link and xattr the copy must keep
mkdir -p "$OLD/hostd-test" && echo x >"$OLD/hostd-test/a" && ln "$OLD/hostd-test/a" "$OLD/hostd-test/b"
chown 1234:5678 "$OLD/hostd-test/a" && chmod 0640 "$OLD/hostd-test/a"
python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.hostd", b"kept")' "$OLD/hostd-test/a" 2>/dev/null
O=(--config "$CONF" --run-dir "$RUN")

out=$("$H" containers setup --pool "$POOL" "${O[@]}" 2>&1); rc=$?
check_eq "setup refuses when the old root holds images (exit 3)" 3 "$rc"
check_contains "and points to migrate" "run 'hostctl containers migrate'" "$out"

# 1. the pool is too small: the copy fails halfway
out=$("$H" containers migrate --pool "$TINY" "${O[@]}" 2>&1); rc=$?
check_eq "migrate to a full pool fails (exit 1)" 1 "$rc"
check_contains "the error says the copy failed" "copying $OLD" "$out"
check_contains "the error says the migration was undone" "migration undone, containerd runs on $OLD again" "$out"
check "containerd answers again after the failed migration" bash -c "$CTR version >/dev/null"
check_eq "the config is as the operator wrote it" "$(cat "$T/config.orig")" "$(cat "$CONF")"
check_eq "containerd still reads the old root" "root = \"$OLD\"" "$(containerd --config "$CONF" config dump 2>/dev/null | grep '^root')"
check_eq "the image is still there" "localhost/hostd-busybox:1" "$($CTR -n ops images ls -q)"
check_eq "the stopped container is still there" "keeper" "$($CTR -n ops containers ls -q)"
check_eq "no half copy is left on the small pool" "" "$(ls "$TINY/containers" 2>/dev/null)"

# 2. a real pool
out=$("$H" containers migrate --pool "$POOL" "${O[@]}" 2>&1); rc=$?
check_eq "migrate exits 0" 0 "$rc"
check_contains "migrate reports what it moved" "moved 1 images and 1 containers from $OLD to $POOL/containers/containerd" "$out"
check_eq "containerd now reads its root on the pool" "root = \"$POOL/containers/containerd\"" \
    "$(containerd --config "$CONF" config dump 2>/dev/null | grep '^root')"
check_eq "the image is there after the move" "localhost/hostd-busybox:1" "$($CTR -n ops images ls -q)"
check_eq "the stopped container is there after the move" "keeper" "$($CTR -n ops containers ls -q)"
check_eq "the stopped container's own writes moved with it" "kept-across-migration" \
    "$(cat "$POOL"/containers/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/*/fs/keep 2>&1)"
out=$($CTR -n ops run --rm --snapshotter overlayfs --runc-root "$RUN/containerd/runc" --fifo-dir "$RUN/containerd/fifo" \
    localhost/hostd-busybox:1 reader /bin/cat /etc/passwd 2>&1)
check_contains "the moved image runs" "root:x:0:0" "$out"
N=$POOL/containers/containerd/hostd-test
check_eq "owner and mode kept" "1234:5678 640" "$(stat -c '%u:%g %a' "$N/a" 2>&1)"
check_eq "hard link kept" "$(stat -c %i "$N/a" 2>&1)" "$(stat -c %i "$N/b" 2>&1)"
check_eq "xattr kept" "kept" "$(python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "user.hostd").decode())' "$N/a" 2>&1)"
check "the old root is removed" test ! -e "$OLD"
out=$("$H" containers verify --pool "$POOL" "${O[@]}" 2>&1); rc=$?
check_eq "verify passes on the migrated runtime" 0 "$rc"
echo "$out" | sed 's/^/# /'
out=$("$H" containers migrate --pool "$POOL" "${O[@]}" 2>&1); rc=$?
check_eq "migrate again: nothing to do, exit 0" 0 "$rc"
check_contains "and says so" "already keeps its data on the pool" "$out"
check_eq "migrate --json: containerd, not moved, its root on the pool" "containerd False $POOL/containers/containerd" \
    "$("$H" --json containers migrate --pool "$POOL" "${O[@]}" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["runtime"], d["moved"], d["root"])')"

tap_done
