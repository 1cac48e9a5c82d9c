# bay-lib.sh — sourced by t-disks-bay.sh and t-hostd-bay.sh: BMCs that place
# an R630's drives in bays (the test Redfish service with --drives), each
# with a BMC config under $HOSTD_BMC_CONFIG_DIR, and a reader of the BAY column.
SVC=$TOP/tests/bmc/redfish-service.sh LOGQ=$TOP/tests/bmc/reqlog.py
FX=$TOP/tests/fixtures/inventory/r630-2ssd-6hdd.json
B_TMP=$(mktemp -d)
B_STARTED=()
b_cleanup() { local s; for s in "${B_STARTED[@]}"; do "$SVC" stop "$B_TMP/$s"; done; rm -rf "$B_TMP"; }
export HOSTD_BMC_CONFIG_DIR=$B_TMP/bmc.d
mkdir -p "$HOSTD_BMC_CONFIG_DIR"
# b_start NAME OPTIONS...: an iDRAC-like service and the BMC config NAME that names it
b_start() {
    local name=$1 port; shift
    port=$("$SVC" start "$B_TMP/$name" --idrac "$@") || { fail "service $name starts"; return 1; }
    B_STARTED+=("$name")
    printf 'address: https://127.0.0.1:%s\nuser: root\npassword: calvin\nca_file: %s\n' \
        "$port" "$B_TMP/$name/cert.pem" > "$HOSTD_BMC_CONFIG_DIR/$name.yaml"
    chmod 600 "$HOSTD_BMC_CONFIG_DIR/$name.yaml"
}
# b_log NAME: the requests the service NAME saw, "METHOD PATH STATUS" a line
b_log() { "$LOGQ" "$B_TMP/$1/requests.log" lines; }
# b_led NAME: the body of the last PATCH the service NAME took
b_led() { "$LOGQ" "$B_TMP/$1/requests.log" bodies PATCH | tail -n 1; }
# b_bays TABLE: "disk=bay " for each row of a `hostctl disks` table
b_bays() {
    awk -v c="$(head -n 1 <<<"$1" | awk '{ print index($0, "BAY") }')" \
        'NR > 1 { split(substr($0, c), f, " "); printf "%s=%s ", $1, f[1] }' <<<"$1"
}
# the bays of the R630 fixture's disks in every BMC started here (serials shuffled)
B_WANT="sda=0 sdb=1 sdc=7 sdd=6 sde=5 sdf=4 sdg=3 sdh=2 "
