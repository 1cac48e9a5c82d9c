#!/bin/bash
# hostd's Systems/host/Oem/Hostd/Containers: linked from Systems/host, the
# same documents as `hostctl containers detect/status --json` for the paths
# hostd.conf names (or the CLI's defaults), read back by `hostctl --host`;
# 405 and 404 like every resource. With root and containerd: containerd
# placed on a loop-mounted pool, seen running there through the API.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostd-lib.sh"
R=/redfish/v1/Systems/host/Oem/Hostd/Containers

# containerd on a real pool needs what containers-lib.sh needs; sourced now,
# before any test (it sources tap.sh again), and both teardowns on exit
real=yes
[ "$(id -u)" = 0 ] || real="needs root (loop devices, mounts, containerd)"
for p in containerd ctr runc mkfs.xfs losetup /bin/busybox; do
    [ "$real" = yes ] && ! command -v "$p" >/dev/null 2>&1 && real="$p is not installed (make deps)"
done
if [ "$real" = yes ]; then
    . "$(dirname "$0")/containers-lib.sh"
    trap 'h_cleanup; teardown' EXIT
fi

# json_eq DESC A B: the same JSON documents, whatever the key order or spacing
json_eq() {
    local a b
    a=$(printf '%s' "$2" | h_json 'json.dumps(d, sort_keys=True)' 2>/dev/null) || a="expected is not JSON: $2"
    b=$(printf '%s' "$3" | h_json 'json.dumps(d, sort_keys=True)' 2>/dev/null) || b="actual is not JSON: $3"
    check_eq "$1" "$a" "$b"
}
# conf POOL CONFIG RUN_DIR: a hostd.conf naming them, path on stdout
conf() {
    printf 'containers:\n  pool: %s\n  config: %s\n  run_dir: %s\n' "$1" "$2" "$3" >"$H_TMP/hostd.conf"
    echo "$H_TMP/hostd.conf"
}

# ---- paths from hostd.conf: nothing placed there yet ----------------------------------
P1=$H_TMP/pool C1=$H_TMP/etc/containerd/config.toml RUN1=$H_TMP/run
mkdir -p "$P1" "$(dirname "$C1")" "$RUN1"
O1=(--pool "$P1" --config "$C1" --run-dir "$RUN1")
h_start --config "$(conf "$P1" "$C1" "$RUN1")" || { fail "hostd starts with containers: in hostd.conf"; tap_done; exit 1; }
ok "hostd starts with containers: in hostd.conf"

h_req GET /redfish/v1/Systems/host
check_eq "Systems/host links Oem.Hostd.Containers" "$R" "$(echo "$H_BODY" | h_json 'd["Oem"]["Hostd"]["Containers"]["@odata.id"]')"
h_req GET "$R"
check_eq "GET Containers is 200" 200 "$H_STATUS"
check_eq "with @odata.id, @odata.type, Id and Name" \
    "$R #HostdContainers.v1_0_0.HostdContainers Containers Container runtimes" \
    "$(echo "$H_BODY" | h_json '" ".join([d["@odata.id"], d["@odata.type"], d["Id"], d["Name"]])')"
res=$H_BODY
local_detect=$("$HOSTCTL" --json containers detect --config "$C1")
json_eq "its runtimes are those of 'hostctl containers detect --json' with hostd.conf's config" \
    "$(echo "$local_detect" | h_json 'json.dumps(d["runtimes"])')" "$(echo "$res" | h_json 'json.dumps(d["runtimes"])')"
check_eq "and name containerd, docker and podman" "containerd docker podman" \
    "$(echo "$res" | h_json '" ".join(r["name"] for r in d["runtimes"])')"
local_status=$("$HOSTCTL" --json containers status "${O1[@]}")
json_eq "its containerd is 'hostctl containers status --json' with hostd.conf's paths" \
    "$local_status" "$(echo "$res" | h_json 'json.dumps(d["containerd"])')"
check_eq "which is on hostd.conf's run dir and not placed yet" "$RUN1/containerd/containerd.sock False" \
    "$(echo "$res" | h_json 'd["containerd"]["address"], d["containerd"]["placed"]' | tr -d "(),'")"

# hostctl --host prints what the local command prints
remote=(--host "unix://$H_SOCK")
check_eq "hostctl --host containers status --json: the same as in-process" "$local_status" \
    "$("$HOSTCTL" --json "${remote[@]}" containers status)"
out=$("$HOSTCTL" "${remote[@]}" containers status)
check_eq "hostctl --host containers status: the same text" "$("$HOSTCTL" containers status "${O1[@]}")" "$out"
check_contains "which says why containerd is not placed" "containerd is not placed on a pool yet" "$out"
# docker and podman: their default config files, hostd.conf's pool and run dir
for rt in docker podman; do
    json_eq "its $rt is 'hostctl containers status --runtime $rt --json' with hostd.conf's pool and run dir" \
        "$("$HOSTCTL" --json containers status --runtime $rt --pool "$P1" --run-dir "$RUN1")" \
        "$(echo "$res" | h_json "json.dumps(d['$rt'])")"
    check_eq "hostctl --host containers status --runtime $rt: the same text" \
        "$("$HOSTCTL" containers status --runtime $rt --pool "$P1" --run-dir "$RUN1" 2>&1)" \
        "$("$HOSTCTL" "${remote[@]}" containers status --runtime $rt 2>&1)"
done
check_eq "docker's socket is on hostd.conf's run dir" "$RUN1/docker.sock" "$(echo "$res" | h_json 'd["docker"]["socket"]')"
check_eq "hostctl --host containers detect --json: the same as in-process" "$local_detect" \
    "$("$HOSTCTL" --json "${remote[@]}" containers detect)"
check_eq "hostctl --host containers detect: the same table" "$("$HOSTCTL" containers detect --config "$C1")" \
    "$("$HOSTCTL" "${remote[@]}" containers detect)"
check_eq "hostctl --host containers detect --runtime containerd --json: only containerd, as in-process" \
    "$("$HOSTCTL" --json containers detect --runtime containerd --config "$C1")" \
    "$("$HOSTCTL" --json "${remote[@]}" containers detect --runtime containerd)"
err=$("$HOSTCTL" "${remote[@]}" containers status --pool "$P1" 2>&1); rc=$?
check_eq "hostctl --host containers status --pool is a usage error (exit 2)" 2 "$rc"
check_contains "... saying hostd.conf names the paths" "hostd's configuration (containers: in hostd.conf) names them" "$err"
for verb in setup start stop verify migrate; do
    err=$("$HOSTCTL" "${remote[@]}" containers $verb 2>&1); rc=$?
    check_eq "hostctl --host containers $verb is refused (exit 1)" 1 "$rc"
    check_contains "... with the message of every command hostd does not serve" \
        "hostd does not serve 'hostctl containers $verb' yet" "$err"
done

# other methods and paths
h_req POST "$R" --data '{}'
check_eq "POST Containers is 405" 405 "$H_STATUS"
allow=$(curl -s -o /dev/null -D - -X DELETE --unix-socket "$H_SOCK" "http://localhost$R" | tr -d '\r' | sed -n 's/^Allow: //p')
check_eq "405 says GET is allowed (with HEAD and OPTIONS)" "GET, HEAD, OPTIONS" "$allow"
h_req GET "$R/nope"
check_eq "a path under Containers is 404" 404 "$H_STATUS"
check_eq "with a Redfish error body" "Base.1.16.ResourceNotFound" "$(echo "$H_BODY" | h_json 'd["error"]["code"]')"
h_req GET /redfish/v1/Systems/host/Oem/Hostd/Nope
check_eq "an unknown Oem/Hostd resource is 404" 404 "$H_STATUS"
h_req GET /redfish/v1/Systems/host/Oem
check_eq "Systems/host/Oem itself is 404" 404 "$H_STATUS"
h_stop

# hostd.conf: a bad containers: setting stops hostd at start, naming the key
printf 'containers:\n  pool: srv/pool\n' >"$H_TMP/bad.conf"
err=$("$HOSTD" --foreground --socket "$H_TMP/bad.sock" --state-dir "$H_TMP/bad" --config "$H_TMP/bad.conf" 2>&1); rc=$?
check "hostd refuses a relative containers.pool" test "$rc" != 0
check_contains "... naming the key" "containers.pool: 'srv/pool' is not an absolute path" "$err"
printf 'containers:\n  root: /srv\n' >"$H_TMP/bad.conf"
err=$("$HOSTD" --foreground --socket "$H_TMP/bad.sock" --state-dir "$H_TMP/bad" --config "$H_TMP/bad.conf" 2>&1)
check_contains "hostd refuses an unknown key under containers" "containers.root: unknown key (pool, config, run_dir)" "$err"

# without containers: in hostd.conf, the CLI's defaults
h_start || { fail "hostd starts without a config"; tap_done; exit 1; }
check_eq "without containers: in hostd.conf, hostd answers for the CLI's default paths" \
    "$("$HOSTCTL" --json containers status)" "$("$HOSTCTL" --json "${remote[@]}" containers status)"
h_stop

# ---- containerd placed on a loop-mounted pool ------------------------------------------
if [ "$real" != yes ]; then
    skip "containerd on a pool, through the API" "$real"
    tap_done; exit
fi
POOL=$(pool pool xfs 512M)
if [ -z "$POOL" ]; then
    skip "containerd on a pool, through the API" "cannot make a loop-mounted XFS pool here"
    tap_done; exit
fi
operator_config "$T/old-root"
O=(--pool "$POOL" --config "$CONF" --run-dir "$RUN")
out=$("$HOSTCTL" containers setup "${O[@]}" 2>&1); rc=$?
check_eq "hostctl containers setup on the pool exits 0" 0 "$rc"
[ "$rc" = 0 ] || echo "$out" | sed 's/^/# /'
h_start --config "$(conf "$POOL" "$CONF" "$RUN")" || { fail "hostd starts with the pool in hostd.conf"; tap_done; exit 1; }
h_req GET "$R"
pid=$(cat "$PIDFILE" 2>/dev/null)
check_eq "the API says containerd is placed and running, with its pid and root on the pool" \
    "True True $pid $POOL/containers/containerd" \
    "$(echo "$H_BODY" | h_json 'd["containerd"]["placed"], d["containerd"]["running"], d["containerd"]["pid"], d["containerd"]["root"]' | tr -d "(),'")"
check_eq "and that containerd keeps its data on the pool now" "$POOL/containers/containerd" \
    "$(echo "$H_BODY" | h_json '[r["data_root"] for r in d["runtimes"] if r["name"] == "containerd"][0]')"
check_eq "hostctl --host containers status --json: the same as in-process" \
    "$("$HOSTCTL" --json containers status "${O[@]}")" "$("$HOSTCTL" --json "${remote[@]}" containers status)"
out=$("$HOSTCTL" "${remote[@]}" containers status)
check_eq "hostctl --host containers status: the same text" "$("$HOSTCTL" containers status "${O[@]}")" "$out"
check_contains "which says running with the pid and the root on the pool" \
    "containerd: running (pid $pid), socket $RUN/containerd/containerd.sock
root: $POOL/containers/containerd (snapshotter overlayfs)" "$out"
"$HOSTCTL" containers stop "${O[@]}" >/dev/null 2>&1
check_eq "after 'containers stop', the API says not running (asked afresh)" "False 0" \
    "$("$HOSTCTL" --json "${remote[@]}" containers status | h_json 'd["running"], d["pid"]' | tr -d "(),'")"
tap_done
