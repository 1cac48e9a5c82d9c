#!/bin/bash
# hostctl apply with containers.runtime docker and podman on a loop-mounted
# XFS pool, as the first boot runs it (--phase firstboot): the runtime the
# spec names is placed on the pool and a container runs from there with every
# check; a second run changes nothing; the runtimes the spec does not name
# keep their configs byte for byte.
set -uo pipefail
. "$(dirname "$0")/containers-lib.sh"
for p in dockerd docker podman start-stop-daemon; do
    command -v "$p" >/dev/null 2>&1 || skip_all "$p is not installed (make deps: docker.io, podman)"
done

DCONF=$T/etc/docker/daemon.json SCONF=$T/etc/containers/storage.conf
mkdir -p "$(dirname "$DCONF")" "$(dirname "$SCONF")" "$T/state"
# dockerd's socket, exec-root and pid file in the test's run dir, set in
# daemon.json itself (hostd passes no flag for what the file sets)
cat >"$DCONF" <<EOC
{
  "data-root": "$T/docker-empty",
  "bridge": "none",
  "iptables": false,
  "hosts": ["unix://$RUN/docker.sock"],
  "exec-root": "$RUN/docker",
  "pidfile": "$RUN/docker.pid"
}
EOC
printf '[storage]\ndriver = "overlay"\nrunroot = "%s"\ngraphroot = "%s"\n' "$RUN/containers/storage" "$T/podman-empty" >"$SCONF"
apply_teardown() {
    local pid
    if [ -f "$RUN/docker.pid" ] && pid=$(cat "$RUN/docker.pid"); then
        kill "$pid" 2>/dev/null && for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    fi
    env CONTAINERS_STORAGE_CONF="$SCONF" podman rm -af -t 0 >/dev/null 2>&1
    teardown
}
trap apply_teardown EXIT
POOL=$(pool pool xfs 512M) || skip_all "cannot make a loop-mounted XFS pool here"

# what the runtimes the spec does not name keep: the system's configs
others() { local f; for f in /etc/containerd/config.toml /etc/containers/storage.conf /etc/docker/daemon.json; do
    printf '%s: ' "$f"; if [ -f "$f" ]; then sha256sum <"$f"; else echo absent; fi; done; }

for rt in docker podman; do
    conf=$DCONF; [ $rt = podman ] && conf=$SCONF
    printf 'host: {name: apply-%s}\ncontainers: {runtime: %s, pool: %s, config: %s}\n' "$rt" "$rt" "$POOL" "$conf" >"$T/$rt.yaml"
    before=$(others); cp "$SCONF" "$T/storage.conf.before"; cp "$DCONF" "$T/daemon.json.before"
    out=$("$H" apply "$T/$rt.yaml" --plan --phase firstboot 2>&1)
    check_contains "apply --plan ($rt) would put $rt's root on the pool" "put $rt's root on $POOL/containers/$rt" "$out"
    out=$("$H" apply "$T/$rt.yaml" --phase firstboot --yes --state-dir "$T/state" 2>&1); rc=$?
    check_eq "apply with runtime $rt exits 0" 0 "$rc"
    check_contains "apply placed $rt on the pool" "changed: $rt: root $POOL/containers/$rt" "$out"
    check_contains "and ran a container from there with every check" \
        "a container ran from $POOL/containers/$rt: 8 checks passed" "$out"
    out=$("$H" apply "$T/$rt.yaml" --phase firstboot --yes --state-dir "$T/state" 2>&1); rc=$?
    check_eq "apply again ($rt) exits 0" 0 "$rc"
    check_contains "and changes nothing" "Nothing to do: the machine is already as $T/$rt.yaml says (0 changes)" "$out"
    check_eq "the system's runtime configs are untouched ($rt)" "$before" "$(others)"
    if [ $rt = docker ]; then
        check_eq "podman's storage.conf is untouched by a docker spec" "$(cat "$T/storage.conf.before")" "$(cat "$SCONF")"
        check_eq "dockerd reports its root on the pool" "$POOL/containers/docker" \
            "$(docker -H "unix://$RUN/docker.sock" info --format '{{.DockerRootDir}}' 2>&1)"
    else
        check_eq "daemon.json is untouched by a podman spec" "$(cat "$T/daemon.json.before")" "$(cat "$DCONF")"
        check_eq "podman reports its graphroot on the pool" "$POOL/containers/podman" \
            "$(env CONTAINERS_STORAGE_CONF="$SCONF" podman info --format '{{.Store.GraphRoot}}' 2>&1)"
    fi
done
out=$("$H" containers stop --runtime docker --config "$DCONF" --pool "$POOL" 2>&1); rc=$?
check_eq "dockerd stops (pid file from daemon.json)" "0 dockerd stopped" "$rc $out"

tap_done
