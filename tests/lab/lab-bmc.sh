# lab-bmc.sh - the virtual R630 behind its BMC, for lab tests that provision
# as a datacenter does: the virtual iDRAC (tests/bmc/virtual_idrac.py) in
# front of the lab's machine (lab_machine_args: same disks, bays and
# identities as every lab boot), and the provisioning network's server
# (provision_server.py: the ISO, the OS image and specs over HTTP, the
# installer's callback). Source after lab.sh, call after lab_init.
#
#   lab_bmc_start [--uefi]   start both; LAB_BMC_WWW is the served directory,
#                            LAB_BMC_URL the server as the guest sees it
#                            (http://10.0.2.2:PORT), LAB_BMC_LOCAL as the host
#                            does; `lab_bmc_ctl VERB...` is `hostctl bmc` on it;
#                            a Pxe boot runs LAB_BMC_WWW/boot.ipxe (iPXE)
#   lab_bmc_wait_off S       until the machine is off (it powered itself
#                            off), at most S seconds; 1 on timeout
#   lab_bmc_wait_callback ERE S    until a callback line matches ERE
#   lab_bmc_callbacks        the callback bodies, one JSON a line
#   lab_bmc_console N        the serial console of the machine's Nth start
#   lab_bmc_stop             stop the service, its machine and the server
# lab_init sets the EXIT trap: a test sets its own after it, calling
# lab_bmc_stop and lab_cleanup from it. The service and the server do not
# inherit the lab's lock (a leftover must not hold it).
LAB_BMC_PIDS=()

lab_bmc_start() {
    local uefi=${1:-} i
    LAB_BMC_DIR=$LAB_WORK/bmc
    LAB_BMC_RUN=$LAB_BMC_DIR/run
    LAB_BMC_WWW=$LAB_BMC_DIR/www
    rm -rf "$LAB_BMC_DIR"
    mkdir -p "$LAB_BMC_RUN" "$LAB_BMC_WWW" "$LAB_BMC_DIR/bmc.d"
    lab_machine_args "$LAB_BMC_DIR/machine.args" $uefi || return 1
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=127.0.0.1" \
        -addext "subjectAltName=IP:127.0.0.1" -keyout "$LAB_BMC_DIR/cert.key" -out "$LAB_BMC_DIR/cert.pem" 2> /dev/null ||
        { lab__err "openssl could not make the iDRAC's certificate"; return 1; }
    python3 "$LAB_DIR/provision_server.py" "$LAB_BMC_WWW" "$LAB_BMC_DIR/callbacks.jsonl" "$LAB_BMC_DIR/www.port" \
        > "$LAB_BMC_DIR/www.log" 2>&1 {LAB__LOCK_FD}>&- &
    LAB_BMC_PIDS+=($!)
    python3 "$LAB_DIR/../bmc/virtual_idrac.py" --run "$LAB_BMC_RUN" --cert "$LAB_BMC_DIR/cert.pem" \
        --key "$LAB_BMC_DIR/cert.key" --port-file "$LAB_BMC_DIR/idrac.port" \
        --qemu-args "$LAB_BMC_DIR/machine.args" --qemu "$LAB_QEMU" --log "$LAB_BMC_DIR/requests.log" \
        --pxe-tftp "$LAB_BMC_WWW" --pxe-bootfile boot.ipxe \
        > "$LAB_BMC_DIR/idrac.log" 2>&1 {LAB__LOCK_FD}>&- &
    LAB_BMC_PIDS+=($!)
    for i in $(seq 100); do
        [ -f "$LAB_BMC_DIR/idrac.port" ] && [ -f "$LAB_BMC_DIR/www.port" ] && break
        sleep 0.1
    done
    printf '%s\n' "${LAB_BMC_PIDS[@]}" > "$LAB_BMC_DIR/pids"   # (.ci/run stops what a killed test left)
    [ -f "$LAB_BMC_DIR/idrac.port" ] && [ -f "$LAB_BMC_DIR/www.port" ] ||
        { lab__err "the virtual iDRAC or the server did not start"; cat "$LAB_BMC_DIR"/*.log >&2; return 1; }
    LAB_BMC_URL=http://10.0.2.2:$(cat "$LAB_BMC_DIR/www.port")
    LAB_BMC_LOCAL=http://127.0.0.1:$(cat "$LAB_BMC_DIR/www.port")
    printf 'address: https://127.0.0.1:%s\nuser: root\npassword: calvin\nca_file: %s\n' \
        "$(cat "$LAB_BMC_DIR/idrac.port")" "$LAB_BMC_DIR/cert.pem" > "$LAB_BMC_DIR/bmc.d/r630.yaml"
    chmod 600 "$LAB_BMC_DIR/bmc.d/r630.yaml"
}

lab_bmc_ctl() {
    HOSTD_BMC_CONFIG_DIR=$LAB_BMC_DIR/bmc.d "${HOSTCTL:-$LAB_REPO/build/hostctl}" bmc --bmc r630 "$@"
}

# (the service's own view, run/power: a guest that reboots is started anew,
# and its QEMU's exit alone would look like off for a moment)
lab_bmc_machine_runs() { [ "$(cat "$LAB_BMC_RUN/power" 2> /dev/null)" = on ]; }

lab_bmc_wait_off() {
    local limit=$((${1:-600} * 5))
    while lab_bmc_machine_runs || [ ! -s "$LAB_BMC_RUN/qemu-starts.log" ]; do
        [ "$limit" -gt 0 ] || return 1
        sleep 0.2
        limit=$((limit - 1))
    done
}

lab_bmc_callbacks() { cat "$LAB_BMC_DIR/callbacks.jsonl" 2> /dev/null; }

lab_bmc_wait_callback() {
    local limit=$((${2:-600} * 5))
    until lab_bmc_callbacks | grep -qE -- "$1"; do
        [ "$limit" -gt 0 ] || return 1
        sleep 0.2
        limit=$((limit - 1))
    done
}

lab_bmc_console() {
    local n=$1 starts
    starts=$(wc -l < "$LAB_BMC_RUN/qemu-starts.log" 2> /dev/null || echo 0)
    if [ "$n" = "$starts" ]; then cat "$LAB_BMC_RUN/console.log"; else cat "$LAB_BMC_RUN/console-start-$n.log"; fi 2> /dev/null
}

lab_bmc_stop() {
    local p
    [ -n "${LAB_BMC_RUN:-}" ] || return 0
    for p in "${LAB_BMC_PIDS[@]}"; do kill "$p" 2> /dev/null || true; done
    pkill -f "^$LAB_QEMU .*-serial file:$LAB_BMC_RUN/console.log" 2> /dev/null || true
    LAB_BMC_PIDS=()
}
