# containers-lib.sh — sourced by t-containers-*.sh: a private world for
# containerd (temp dir, loop-mounted pools, config, run dir) and a trap that
# takes it all down by pid and by device on any exit.
. "$(dirname "$0")/tap.sh"
H=${HOSTCTL:?HOSTCTL must name the hostctl binary}

# skip_all REASON: the whole file cannot run here
skip_all() { skip "containers tests" "$1"; tap_done; exit 0; }

VERIFY_CHECKS=("image" "output" "exit code" "memory limit" "cpu limit" "rootfs on pool" "bind mount write")
# checks_pass WHAT WHEN OUT CHECK...: each check of WHAT's text output (the
# "ok    name" lines hostctl prints) passed; WHEN, if not empty, names the run
checks_pass() {
    local what=$1 when=$2 out=$3 c; shift 3
    for c in "$@"; do
        check_contains "$what check '$c' passes${when:+ ($when)}" "$(printf 'ok    %-17s' "$c")" "$out"
    done
}
# limits_seen OUT: a verify run with --memory 96M --cpus 0.25 --exit-code 3
# read back what it asked for
limits_seen() {
    check_contains "verify reads the memory limit it asked for" "100663296 bytes in /sys/fs/cgroup/" "$1"
    check_contains "verify reads the CPU limit it asked for" "CFS quota 25000 us" "$1"
    check_contains "verify sees the exit code it asked for" "3 (wanted 3)" "$1"
}
[ "$(id -u)" = 0 ] || skip_all "needs root (loop devices, mounts, containerd)"
for p in containerd ctr runc mkfs.xfs mkfs.ext4 losetup /bin/busybox; do
    command -v "$p" >/dev/null 2>&1 || skip_all "$p is not installed (make deps)"
done

T=$(mktemp -d /tmp/hostd-ctr.XXXXXX)
RUN=$T/run                         # test-private /run: state, socket, pid file
CONF=$T/etc/containerd/config.toml  # the "operator's" config
mkdir -p "$RUN" "$(dirname "$CONF")"

# pool NAME FS SIZE: a loop-mounted filesystem at $T/NAME, path on stdout;
# the loop device is noted in $T/loops for the teardown
pool() {
    local img=$T/$1.img mnt=$T/$1 dev
    truncate -s "$3" "$img" && mkdir -p "$mnt" || return 1
    dev=$(losetup -f --show "$img") || return 1
    echo "$dev" >>"$T/loops"      # a file: pool runs in a $(subshell)
    case $2 in
    xfs) mkfs.xfs -q -f -n ftype=1 "$dev" ;;
    ext4) mkfs.ext4 -q -F "$dev" ;;
    esac >/dev/null 2>&1 && mount "$dev" "$mnt" && echo "$mnt"
}

# operator_config ROOT: a config with settings an operator may have made
operator_config() {
    cat >"$CONF" <<EOC
# site settings — do not lose them
version = 2
root = "$1"
state = "$RUN/containerd"
oom_score = -500

[grpc]
  address = "$RUN/containerd/containerd.sock"
  max_recv_message_size = 33554432

[debug]
  level = "warn"

[plugins]
  [plugins."io.containerd.gc.v1.scheduler"]
    pause_threshold = 0.03
    deletion_threshold = 7
EOC
}

CTR="ctr -a $RUN/containerd/containerd.sock"
PIDFILE=$RUN/hostd/containerd.pid

# start containerd ourselves on whatever the config says (the operator's way)
start_raw() {
    mkdir -p "$RUN/hostd"
    setsid containerd --config "$CONF" >>"$T/containerd-raw.log" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    for _ in $(seq 300); do $CTR version >/dev/null 2>&1 && return 0; sleep 0.05; done
    return 1
}

teardown() {
    local pid ns t
    if [ -f "$PIDFILE" ] && pid=$(cat "$PIDFILE") && kill -0 "$pid" 2>/dev/null; then
        for ns in $($CTR namespaces ls -q 2>/dev/null); do
            for t in $($CTR -n "$ns" tasks ls -q 2>/dev/null); do
                $CTR -n "$ns" tasks kill -s SIGKILL "$t" >/dev/null 2>&1
                $CTR -n "$ns" tasks delete -f "$t" >/dev/null 2>&1
            done
        done
        kill "$pid"; for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        kill -9 "$pid" 2>/dev/null
    fi
    # shims of this test's containerd (their command line names our socket)
    for pid in $(pgrep -f "containerd-shim.*$RUN/containerd/containerd.sock"); do kill -9 "$pid"; done
    awk -v t="$T/" 'index($2, t) == 1 {print $2}' /proc/self/mounts | sort -r | while read -r m; do umount -l "$m"; done
    [ -f "$T/loops" ] && while read -r d; do losetup -d "$d" 2>/dev/null; done <"$T/loops"
    rm -rf "$T"
}
trap teardown EXIT
