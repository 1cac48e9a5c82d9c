#!/bin/bash
# Every resource hostd serves, reached from the root as a client reaches it,
# checked against the DMTF JSON schema of its @odata.type (vendored under
# tests/fixtures/redfish/schemas/ by its vendor.sh), and what DSP0266 asks of
# each: $metadata includes its namespace, the Link header names its schema,
# every object with @odata.id and properties and every Oem object has an
# @odata.type, no @odata.id leads outside /redfish/v1. Then the same checks
# on broken documents must fail, and every MessageId hostd's code uses must
# be a Base registry message of the version it names.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
. "$HERE/tap.sh"
. "$HERE/hostd-lib.sh"
SCHEMAS=$TOP/tests/fixtures/redfish/schemas
WALK=$TOP/tests/helpers/redfish_schema_walk.py
if ! python3 -c 'import jsonschema' 2>/dev/null; then
    skip "the schema walk" "python3-jsonschema is not installed"; tap_done; exit 0
fi

# walk ARGS...: run the walker; each PASS/FAIL line becomes ok/not ok, and a
# walker that dies without saying FAIL is one failure more. $W_FAILS: its FAIL lines.
walk() {
    python3 "$WALK" --schemas "$SCHEMAS" "$@" > "$H_TMP/walk.out" 2>&1
    local rc=$? verdict what
    W_FAILS=$(grep -c '^FAIL' "$H_TMP/walk.out")
    while IFS=$'\t' read -r verdict what; do
        case $verdict in PASS) ok "$what" ;; FAIL) fail "$what" ;; PATH) ;; *) echo "# $verdict $what" ;; esac
    done < "$H_TMP/walk.out"
    [ "$rc" = 0 ] || [ "$W_FAILS" != 0 ] || fail "the walker exited $rc without a FAIL line"
}
# expect_fail DESC NEEDLE ARGS...: the walker must reject it, saying NEEDLE
expect_fail() {
    local d=$1 needle=$2; shift 2
    python3 "$WALK" --schemas "$SCHEMAS" "$@" > "$H_TMP/neg.out" 2>&1
    local rc=$?
    if [ "$rc" != 0 ] && grep '^FAIL' "$H_TMP/neg.out" | grep -qF -- "$needle"; then ok "$d"
    else fail "$d"; sed 's/^/#   /' "$H_TMP/neg.out" | head -n 10; fi
}

port=$(h_free_port)
h_tls_files admin 'admin pw'
h_tls_conf "$port"
h_start --config "$H_TMP/hostd.conf" || { fail "hostd starts"; tap_done; exit 1; }
ok "hostd starts"
# something in every collection a client may find filled
h_req POST /redfish/v1/SessionService/Sessions --data '{"UserName": "admin", "Password": "admin pw"}'
check_eq "a session to walk to" 201 "$H_STATUS"
h_req POST /redfish/v1/EventService/Subscriptions --data '{"Destination": "http://127.0.0.1:9/hook", "Context": "walk"}'
check_eq "a subscription to walk to" 201 "$H_STATUS"

walk --socket "$H_SOCK"
check_contains "it validated a Session" "#Session.v1_6_0.Session against Session.v1_6_3.json" "$(cat "$H_TMP/walk.out")"
check_contains "and an EventDestination" "#EventDestination.v1_13_0.EventDestination against" "$(cat "$H_TMP/walk.out")"

# the checks can fail: broken copies of what hostd served
h_req GET /redfish/v1/
echo "$H_BODY" > "$H_TMP/root.json"
python3 - "$H_TMP" <<'PY'
import json, sys
d = sys.argv[1]
root = json.load(open(d + "/root.json"))
def save(name, doc):
    json.dump(doc, open(f"{d}/{name}.json", "w"))
save("bad-type", dict(root, RedfishVersion=5))
save("bad-link", dict(root, Systems={"@odata.id": "/redfish/v1/Systems", "Name": "x"}))
save("bad-oem", dict(root, Oem={"Hostd": {"Version": "1"}}))
save("bad-metrics", dict(root, Oem={"Hostd": {"@odata.type": "#Hostd.v1_0_0.ServiceRoot", "Metrics": {"@odata.id": "/metrics"}}}))
save("bad-unknown", dict(root, NoSuchProperty=1))
save("bad-error", {"error": {"code": "Base.1.16.Throttled", "message": "m",
                             "@Message.ExtendedInfo": [{"MessageId": "Base.1.16.Throttled"}]}})
PY
expect_fail "a property of the wrong type fails the schema" "RedfishVersion" --check "$H_TMP/bad-type.json"
expect_fail "a property the schema does not have fails it" "NoSuchProperty" --check "$H_TMP/bad-unknown.json"
expect_fail "an object with @odata.id and properties but no @odata.type fails" "no @odata.type" \
    --check "$H_TMP/bad-link.json"
expect_fail "an Oem object without @odata.type fails" "Oem object without @odata.type" --check "$H_TMP/bad-oem.json"
expect_fail "/metrics linked as an @odata.id fails" "is not a Redfish resource" --check "$H_TMP/bad-metrics.json"
expect_fail "a MessageId the Base registry lacks fails" "Base.1.16.Throttled" --check-error "$H_TMP/bad-error.json"
expect_fail "a MessageId newer than the version it names fails" "Base.1.2.PayloadTooLarge" \
    --message-ids Base.1.2.PayloadTooLarge

# every MessageId the daemon can answer with
ids=$(cat "$TOP"/daemon/*.c | tr -d '\n' | grep -oE 'api_error\([^,]+, *[0-9]+, *"[A-Za-z]+"' | grep -oE '"[A-Za-z]+"$' | tr -d '"')
ids+=" $(sed -n '/message_for_status/,/^}/p' "$TOP/daemon/api_protocol.c" | grep -oE '"[A-Z][A-Za-z]+"' | tr -d '"')"
ids=$(printf '%s\n' $ids | sort -u | sed 's/^/Base.1.16./')
check "the daemon's code names MessageIds (found $(echo "$ids" | wc -l))" test "$(echo "$ids" | wc -l)" -gt 10
walk --message-ids $ids
tap_done
