# dell-lib.sh - sourced by tests that drive hostd with Dell's Ansible modules
# (dellemc.openmanage) over TLS, in the host tests and the lab. The caller
# sets DELL_URL (https://localhost:PORT), DELL_CA (the server's certificate)
# and H_TMP (a temp dir); the login is admin / pw, as h_tls_files made it.
unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE OMAM_CA_BUNDLE
export ANSIBLE_STDOUT_CALLBACK=json ANSIBLE_LOAD_CALLBACK_PLUGINS=1 ANSIBLE_LOCALHOST_WARNING=0
export ANSIBLE_INVENTORY_UNPARSED_WARNING=0 ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_HOME=$H_TMP/ansible

# dell_missing: why the modules cannot run here (exit 1 when they can)
dell_missing() {
    ansible-doc -t module dellemc.openmanage.redfish_storage_volume > /dev/null 2>&1 && return 1
    echo "Ansible's dellemc.openmanage collection is not installed"
}
# api METHOD PATH [curl args]: over TLS as admin (Basic); body in $H_BODY, status in $H_STATUS
api() {
    local m=$1 p=$2; shift 2
    H_STATUS=$(curl -s --cacert "$DELL_CA" -u admin:pw -o "$H_TMP/body" -w '%{http_code}' -X "$m" \
        -H 'Content-Type: application/json' "$@" "$DELL_URL$p")
    H_BODY=$(cat "$H_TMP/body")
}
# mod MODULE JSON-ARGS [--check]: run it on localhost against hostd; its result (JSON) on stdout
mod() {
    local name=$1 args=$2; shift 2
    args=$(python3 -c 'import json,sys; a=json.loads(sys.argv[1]); a.update(baseuri=sys.argv[2], username="admin",
password="pw", ca_path=sys.argv[3]); print(json.dumps(a))' "$args" "${DELL_URL#https://}" "$DELL_CA")
    ansible localhost -m "dellemc.openmanage.$name" -a "$args" "$@" 2>"$H_TMP/ansible.err" |
        python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps(d["plays"][0]["tasks"][0]["hosts"]["localhost"]))'
}
# res JSON EXPR: EXPR of the module's result r
res() { printf '%s' "$1" | python3 -c "import json,sys; r=json.load(sys.stdin); print($2)"; }
# wait_task URI [TENTHS]: poll the task the module was given until it ends
# (up to TENTHS x 0.1 s, default 100); its TaskState in $T_STATE, the task in $H_BODY
wait_task() {
    local i
    T_STATE=
    for i in $(seq "${2:-100}"); do
        api GET "$1"
        T_STATE=$(printf '%s' "$H_BODY" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("TaskState"))' 2>/dev/null)
        case $T_STATE in Running|New|Starting|Pending) sleep 0.1 ;; *) break ;; esac
    done
}
# volume NAME TYPE DRIVE...: redfish_storage_volume's args to make it on controller md
volume() {
    local name=$1 type=$2; shift 2
    python3 -c 'import json,sys; print(json.dumps(dict(state="present", controller_id="md", name=sys.argv[1],
volume_type=sys.argv[2], drives=sys.argv[3:])))' "$name" "$type" "$@"
}
