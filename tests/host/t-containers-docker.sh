#!/bin/bash
# hostctl containers --runtime docker with the real docker.io on loop-mounted
# XFS pools: setup (the operator's daemon.json keeps its settings, dockerd
# started by pid file and reports its root on the pool), status, verify
# (every check, the project's docker-archive loaded), stop, start; then a
# migrate of an operator's Docker root that holds images and a stopped
# container: refused by setup, undone when the pool is too small, done with
# --keep-old onto a real pool where the old container starts again.
set -uo pipefail
. "$(dirname "$0")/containers-lib.sh"
for p in dockerd docker start-stop-daemon; do
    command -v "$p" >/dev/null 2>&1 || skip_all "$p is not installed (make deps: docker.io)"
done

DCONF=$T/etc/docker/daemon.json
mkdir -p "$(dirname "$DCONF")"
# operator_docker_config ROOT: a daemon.json with settings an operator may have
operator_docker_config() {
    cat >"$DCONF" <<EOC
{
  "data-root": "$1",
  "bridge": "none",
  "iptables": false,
  "log-level": "warn",
  "max-concurrent-downloads": 2,
  "storage-driver": "overlay2"
}
EOC
}
# dockerd and the containerd it started, for the teardown (by pid files)
docker_teardown() {
    local f pid
    for f in "$RUN/docker.pid" "$RUN/docker/containerd/containerd.pid" "$T/raw.pid"; do
        [ -f "$f" ] && pid=$(cat "$f") && kill "$pid" 2>/dev/null && \
            for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        [ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null
        pid=
    done
    for pid in $(pgrep -f "containerd-shim.*$RUN/docker/containerd"); do kill -9 "$pid"; done
    teardown
}
trap docker_teardown EXIT

POOL=$(pool pool xfs 512M) || skip_all "cannot make a loop-mounted XFS pool here"
operator_docker_config "$T/docker-empty"
cp "$DCONF" "$T/daemon.json.orig"
O=(--runtime docker --config "$DCONF" --run-dir "$RUN")
D="docker -H unix://$RUN/docker.sock"

out=$("$H" containers detect --runtime docker 2>&1); rc=$?
check_eq "detect --runtime docker exits 0" 0 "$rc"
check_contains "detect shows docker installed with dockerd's version" \
    "docker      yes       $(dockerd --version | awk '{print $3}' | tr -d ,)" "$out"

out=$("$H" containers setup --pool "$T" "${O[@]}" 2>&1); rc=$?
check_eq "setup refuses a pool that is not a mounted filesystem (exit 3)" 3 "$rc"
check_contains "and says why" "is not a mounted filesystem" "$out"

# daemon.json's exec-root and pid file are where hostd reads and unmounts:
# a relative path is refused before dockerd is touched
BAD=$T/bad/daemon.json
mkdir -p "$(dirname "$BAD")"
for kv in "exec-root run/docker" "pidfile docker.pid"; do
    read -r key val <<<"$kv"
    printf '{"%s": "%s"}\n' "$key" "$val" >"$BAD"
    out=$("$H" containers stop --runtime docker --config "$BAD" --run-dir "$RUN" 2>&1); rc=$?
    check_eq "stop refuses a relative $key in daemon.json (exit 3)" 3 "$rc"
    check_contains "and says which key and why" "\"$key\" is \"$val\": hostd refuses a relative path" "$out"
done

# a dockerd on the socket that hostd did not start cannot be stopped to read
# the new config: setup fails and puts the config back as it was
printf '{"data-root": "%s", "bridge": "none", "iptables": false}\n' "$T/raw-root" >"$T/raw.json"
setsid dockerd --config-file "$T/raw.json" --pidfile "$T/raw.pid" --exec-root "$T/raw-exec" \
    -H "unix://$RUN/docker.sock" >"$T/raw.log" 2>&1 </dev/null &
for _ in $(seq 600); do $D version >/dev/null 2>&1 && break; sleep 0.1; done
out=$("$H" containers setup --pool "$POOL" "${O[@]}" 2>&1); rc=$?
check_eq "setup fails when the running dockerd cannot be stopped (exit 1)" 1 "$rc"
check_contains "and says the config was put back and why" \
    "config put back: a dockerd answers on $RUN/docker.sock but was not started with the pid file" "$out"
check_eq "daemon.json is as it was" "$(cat "$T/daemon.json.orig")" "$(cat "$DCONF")"
rawpid=$(cat "$T/raw.pid" 2>/dev/null)
kill "$rawpid" 2>/dev/null
for _ in $(seq 300); do kill -0 "$rawpid" 2>/dev/null || break; sleep 0.1; done
check "the foreign dockerd is gone before the real setup" bash -c "! $D version >/dev/null 2>&1"

out=$("$H" containers setup --pool "$POOL" "${O[@]}" 2>&1); rc=$?
check_eq "setup exits 0" 0 "$rc"
check_contains "setup reports data-root on the pool and where it was" \
    "docker: data-root $POOL/containers/docker in $DCONF (was $T/docker-empty)" "$out"
check_contains "setup started dockerd on the test's socket" "dockerd: started, socket $RUN/docker.sock" "$out"
check_eq "daemon.json: data-root on the pool" "$POOL/containers/docker" \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["data-root"])' "$DCONF")"
check_eq "daemon.json keeps every other setting" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("data-root"); print(sorted(d.items()))' "$T/daemon.json.orig")" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("data-root"); print(sorted(d.items()))' "$DCONF")"
check_eq "a backup of the original daemon.json is kept" "$(cat "$T/daemon.json.orig")" "$(cat "$DCONF.hostd-orig")"
check_eq "dockerd itself reports its root on the pool" "$POOL/containers/docker" "$($D info --format '{{.DockerRootDir}}' 2>&1)"
pid=$(cat "$RUN/docker.pid" 2>/dev/null)
check_eq "dockerd runs from the pid file" dockerd "$(cat /proc/"$pid"/comm 2>/dev/null)"

out=$("$H" containers detect "${O[@]}" 2>&1)
check_contains "detect: docker active, its data where daemon.json puts it" \
    "$(printf '%-6s %s' yes "$POOL/containers/docker")" "$(echo "$out" | grep '^docker ')"
check_eq "detect --json: active, data_root on the pool" "True $POOL/containers/docker" \
    "$("$H" --json containers detect "${O[@]}" | python3 -c 'import json,sys; r=json.load(sys.stdin)["runtimes"][0]; print(r["active"], r["data_root"])')"
out=$("$H" containers status "${O[@]}" --pool "$POOL" 2>&1)
check_contains "status says running with the pid" "docker: running (pid $pid), socket $RUN/docker.sock" "$out"
check_contains "status says the root is on the pool" "root: $POOL/containers/docker (on the pool)" "$out"
out=$("$H" containers setup --pool "$POOL" "${O[@]}" 2>&1); rc=$?
check_eq "setup again exits 0" 0 "$rc"
check_contains "and changes nothing" "in $DCONF (already)" "$out"
check_contains "and leaves dockerd running" "dockerd: running" "$out"
check_eq "the same dockerd still runs" dockerd "$(cat /proc/"$pid"/comm 2>/dev/null)"

verify_all() {  # verify_all WHEN POOL
    local out rc
    out=$("$H" containers verify --pool "$2" "${O[@]}" 2>&1); rc=$?
    check_eq "verify exits 0 ($1)" 0 "$rc"
    checks_pass verify "$1" "$out" "${VERIFY_CHECKS[@]}" "cleanup"
    echo "$out" | sed 's/^/# /'
}
verify_all "first start" "$POOL"
# the pool's directory is a field of --mount: a ',' in its path would split it
COMMA=$(pool "comma,pool" ext4 16M) || skip_all "cannot make a loop-mounted ext4 here"
out=$("$H" containers verify --pool "$COMMA" "${O[@]}" 2>&1); rc=$?
check_eq "verify refuses a pool path with a ',' (exit 3)" 3 "$rc"
check_contains "and says why" "$COMMA/containers/verify contains ',', which would split the --mount option" "$out"
check_eq "and runs no container" "" "$($D ps -aq)"
out=$("$H" containers verify --pool "$POOL" "${O[@]}" --memory 96M --cpus 0.25 --exit-code 3 2>&1)
limits_seen "$out"
check_contains "the rootfs is an overlay whose upper dir is in the pool's docker root" \
    "overlay, upperdir $POOL/containers/docker/overlay2/" "$out"
json=$("$H" --json containers verify --pool "$POOL" "${O[@]}" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["ok"], len(d["checks"]), all(c["ok"] for c in d["checks"]))')
check_eq "verify --json: ok with 8 passing checks" "True 8 True" "$json"
$D rmi localhost/hostd-busybox:1 >/dev/null 2>&1
out=$("$H" containers verify --pool "$POOL" "${O[@]}" 2>&1); rc=$?
check_eq "verify after the image was removed exits 0" 0 "$rc"
check_contains "verify loaded the docker-archive again" " loaded" "$(echo "$out" | grep '^ok    image')"
check_contains "Docker's image ID is the OCI config digest" \
    "$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["config"]["digest"])' \
        "$POOL/containers/image/layout/blobs/sha256/$(sed 's/^sha256://' "$POOL/containers/image/manifest.digest")")" \
    "$(echo "$out" | grep '^ok    image')"
check_eq "verify leaves no file in the bind-mounted dir" "" "$(ls "$POOL/containers/verify")"
check_eq "verify leaves no container" "" "$($D ps -aq)"

# a container left running: stop must end it with dockerd
$D run -d --name sleeper --network none localhost/hostd-busybox:1 sleep 600 >/dev/null 2>&1
check_eq "a long-running container is up before stop" running "$($D inspect -f '{{.State.Status}}' sleeper 2>&1)"
out=$("$H" containers stop "${O[@]}" --pool "$POOL" 2>&1); rc=$?
check_eq "stop exits 0" 0 "$rc"
check_eq "stop says so" "dockerd stopped" "$out"
check "dockerd is gone after stop" bash -c "! kill -0 $pid 2>/dev/null"
check_eq "no shim of this dockerd is left" "" "$(pgrep -f "containerd-shim.*$RUN/docker/containerd")"
check_eq "no rootfs stays mounted under the pool" "" "$(awk -v p="$POOL/containers/" 'index($2,p)==1' /proc/self/mounts)"
out=$("$H" containers status "${O[@]}" --pool "$POOL" 2>&1)
check_contains "status says not running" "docker: not running" "$out"
check_contains "detect: docker not active once stopped" "$(printf '%-6s %s' no "$POOL/containers/docker")" \
    "$("$H" containers detect "${O[@]}" 2>&1 | grep '^docker ')"
out=$("$H" containers verify --pool "$POOL" "${O[@]}" 2>&1); rc=$?
check_eq "verify fails while dockerd is stopped" 1 "$rc"
check_contains "and says how to fix it" "run 'hostctl containers start --runtime docker'" "$out"
out=$("$H" containers start --pool "$POOL" "${O[@]}" 2>&1); rc=$?
check_eq "start exits 0" 0 "$rc"
check_contains "start says running with the pid" "dockerd running (pid $(cat "$RUN/docker.pid" 2>/dev/null))" "$out"
check_eq "the stopped container is still known after the restart" exited \
    "$($D inspect -f '{{.State.Status}}' sleeper 2>&1)"
verify_all "after stop and start" "$POOL"
"$H" containers stop "${O[@]}" --pool "$POOL" >/dev/null 2>&1

# --- migrate: an operator's Docker root with images and a stopped container
OLD=$T/docker-old
POOL2=$(pool pool2 xfs 512M) || skip_all "cannot make a second loop-mounted XFS pool here"
TINY=$(pool tiny ext4 3M) || skip_all "cannot make a tiny loop-mounted ext4 here"
operator_docker_config "$OLD"
cp "$DCONF" "$T/daemon.json.old"
"$H" containers start "${O[@]}" --pool "$POOL2" >/dev/null 2>&1
$D load -i "$POOL/containers/image/hostd-busybox-docker.tar" >/dev/null 2>&1
$D tag localhost/hostd-busybox:1 localhost/ops-tools:2 >/dev/null 2>&1
$D run --name keeper --network none localhost/hostd-busybox:1 sh -c 'echo kept-across-migration > /keep' >/dev/null 2>&1
check_eq "before: dockerd keeps its data in the old root" "$OLD" "$($D info --format '{{.DockerRootDir}}' 2>&1)"
check_eq "before: the old root holds two image tags" "localhost/hostd-busybox:1 localhost/ops-tools:2" \
    "$($D images --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "before: and a stopped container" "keeper exited" "$($D ps -a --format '{{.Names}} {{.State}}')"

out=$("$H" containers setup --pool "$POOL2" "${O[@]}" 2>&1); rc=$?
check_eq "setup refuses when the old root holds images (exit 3)" 3 "$rc"
check_contains "and points to migrate" "run 'hostctl containers migrate --runtime docker'" "$out"
check_eq "and leaves daemon.json alone" "$(cat "$T/daemon.json.old")" "$(cat "$DCONF")"

out=$("$H" containers migrate --pool "$TINY" "${O[@]}" 2>&1); rc=$?
check_eq "migrate to a full pool fails (exit 1)" 1 "$rc"
check_contains "the error says the copy failed" "copying $OLD" "$out"
check_contains "the error says the migration was undone" "migration undone, docker keeps its data where it was" "$out"
check_eq "daemon.json is as it was" "$(cat "$T/daemon.json.old")" "$(cat "$DCONF")"
check_eq "dockerd answers on the old root again" "$OLD" "$($D info --format '{{.DockerRootDir}}' 2>&1)"
check_eq "with its stopped container" "keeper exited" "$($D ps -a --format '{{.Names}} {{.State}}')"
check_eq "no partial copy is left on the tiny pool" "" "$(ls "$TINY/containers" 2>/dev/null)"

out=$("$H" containers migrate --pool "$POOL2" --keep-old "${O[@]}" 2>&1); rc=$?
check_eq "migrate exits 0" 0 "$rc"
check_contains "migrate reports what it moved" "moved 2 images and 1 containers from $OLD to $POOL2/containers/docker" "$out"
check_contains "and that the old data is kept" "old data kept" "$out"
check_eq "dockerd reports its root on the pool" "$POOL2/containers/docker" "$($D info --format '{{.DockerRootDir}}' 2>&1)"
check_eq "daemon.json names the pool's root" "$POOL2/containers/docker" \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["data-root"])' "$DCONF")"
check_eq "after: the same image tags" "localhost/hostd-busybox:1 localhost/ops-tools:2" \
    "$($D images --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "after: the stopped container" "keeper exited" "$($D ps -a --format '{{.Names}} {{.State}}')"
check_eq "the migrated container starts and still holds its file" "kept-across-migration" \
    "$($D start -a keeper >/dev/null 2>&1; $D cp keeper:/keep - 2>/dev/null | tar -xO 2>/dev/null)"
check "--keep-old kept the old root" test -d "$OLD/overlay2"
verify_all "after migrate" "$POOL2"
out=$("$H" containers migrate --pool "$POOL2" "${O[@]}" 2>&1); rc=$?
check_eq "migrate again exits 0" 0 "$rc"
check_contains "and says it is already there" "docker already keeps its data on the pool ($POOL2/containers/docker)" "$out"
"$H" containers stop "${O[@]}" --pool "$POOL2" >/dev/null 2>&1

tap_done
