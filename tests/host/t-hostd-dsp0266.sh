#!/bin/bash
# What DSP0266 (the Redfish protocol) asks of every response, as a client
# sees it over TLS with curl: $metadata and the OData service document
# without credentials, OData-Version 4.0 (412 for another), HEAD and
# OPTIONS, Allow on every resource (the same as its 405 names), Link
# rel=describedby to the DMTF schema, trailing-slash aliases, a Redfish error
# with a Base MessageId on every 4xx/5xx (401 too), POST Sessions/Members,
# /metrics not an @odata.id; and HTTP Basic remembered only until SIGHUP.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
. "$HERE/tap.sh"
. "$HERE/hostd-lib.sh"
SCHEMAS=$TOP/tests/fixtures/redfish/schemas
WALK=$TOP/tests/helpers/redfish_schema_walk.py

port=$(h_free_port)
h_tls_files admin 'admin pw'
h_tls_conf "$port"
h_start --config "$H_TMP/hostd.conf" || { fail "hostd starts with TLS"; tap_done; exit 1; }
ok "hostd starts with TLS"
U=https://localhost:$port
# R [curl args...] URL: status in $S, headers (CR stripped) in $H_TMP/hdr, body in $H_TMP/body
R() { S=$(curl -s --cacert "$H_TMP/cert.pem" --resolve "localhost:$port:127.0.0.1" -o "$H_TMP/body" -D "$H_TMP/h" \
          -w '%{http_code}' "$@"); tr -d '\r' < "$H_TMP/h" > "$H_TMP/hdr"; }
A=(-u 'admin:admin pw')
hdr() { sed -n "s/^$1: //Ip" "$H_TMP/hdr" | head -n1; }
body() { cat "$H_TMP/body"; }
field() { h_json "$1" < "$H_TMP/body"; }
# error_ok DESC: the body is a Redfish error: the schema, and its MessageIds in the Base registry
error_ok() {
    if python3 -c 'import jsonschema' 2>/dev/null; then
        python3 "$WALK" --schemas "$SCHEMAS" --check-error "$H_TMP/body" > "$H_TMP/err.out" 2>&1
        if [ $? = 0 ]; then ok "$1"; else fail "$1"; sed 's/^/#   /' "$H_TMP/err.out"; body | sed 's/^/#   | /'; fi
    else
        check_contains "$1" '"@Message.ExtendedInfo"' "$(body)"
    fi
}

# ---- the OData documents, open to anyone
R "$U/redfish/v1/\$metadata"
check_eq "\$metadata without credentials: 200" 200 "$S"
check_eq "as XML" "application/xml" "$(hdr Content-Type)"
check "a CSDL document naming the ServiceRoot's schema" python3 -c '
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
ns = {"edmx": "http://docs.oasis-open.org/odata/ns/edmx"}
refs = {i.get("Namespace"): ref.get("Uri") for ref in r.iterfind("edmx:Reference", ns) for i in ref.iterfind("edmx:Include", ns)}
sys.exit(refs.get("ServiceRoot.v1_15_0") != "http://redfish.dmtf.org/schemas/v1/ServiceRoot_v1.xml")' "$H_TMP/body"
# every schema $metadata references on this service is served, without credentials
local_refs=$(python3 -c '
import sys, xml.etree.ElementTree as ET
ns = {"edmx": "http://docs.oasis-open.org/odata/ns/edmx"}
print(" ".join(r.get("Uri") for r in ET.parse(sys.argv[1]).getroot().iterfind("edmx:Reference", ns) if r.get("Uri").startswith("/")))' "$H_TMP/body")
check_eq "\$metadata references hostd's own CSDL" "/redfish/v1/Schemas/Hostd_v1.xml" "$local_refs"
for u in $local_refs; do
    R "$U$u"
    check_eq "$u without credentials: 200" 200 "$S"
    check "and XML defining Hostd.v1_0_0" python3 -c '
import sys, xml.etree.ElementTree as ET
edm = "{http://docs.oasis-open.org/odata/ns/edm}Schema"
sys.exit("Hostd.v1_0_0" not in [s.get("Namespace") for s in ET.parse(sys.argv[1]).getroot().iter(edm)])' "$H_TMP/body"
done
R "$U/redfish/v1/odata"
check_eq "the OData service document without credentials: 200" 200 "$S"
check_eq "its context is \$metadata" '/redfish/v1/$metadata' "$(field 'd["@odata.context"]')"
check_contains "it lists the ServiceRoot's Systems" "Systems /redfish/v1/Systems" \
    "$(field '"\n".join(v["name"] + " " + v["url"] for v in d["value"])')"

# ---- OData-Version
R -H 'OData-Version: 4.0' "$U/redfish/v1/"
check_eq "OData-Version: 4.0 is served" 200 "$S"
check_eq "and every answer says OData-Version: 4.0" "4.0" "$(hdr OData-Version)"
R -H 'OData-Version: 4.01' "$U/redfish/v1/"
check_eq "OData-Version: 4.01: 412" 412 "$S"
check_eq "with PreconditionFailed" "Base.1.16.PreconditionFailed" "$(field 'd["error"]["code"]')"
error_ok "... a Redfish error with a Base MessageId"
R -H 'OData-Version: 4.0' "${A[@]}" "$U/redfish/v1/Systems/host"
check_eq "OData-Version: 4.0 with credentials on a resource: 200" 200 "$S"

# ---- the root and its aliases
R "$U/redfish/v1/"; root=$(body)
check_eq "the root's @odata.id is /redfish/v1/" "/redfish/v1/" "$(field 'd["@odata.id"]')"
R "$U/redfish/v1"
check_eq "/redfish/v1 is the same document as /redfish/v1/" "$root" "$(body)"
check_eq "the Oem.Hostd object has an @odata.type" "#Hostd.v1_0_0.ServiceRoot" "$(field 'd["Oem"]["Hostd"]["@odata.type"]')"
check_eq "/metrics is a plain URI there" "/metrics" "$(field 'd["Oem"]["Hostd"]["MetricsURI"]')"
check "and no @odata.id of the root leads to /metrics" python3 -c '
import json, sys
def ids(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "@odata.id": yield v
            else: yield from ids(v)
    elif isinstance(o, list):
        for v in o: yield from ids(v)
sys.exit(any(not i.startswith("/redfish/v1") for i in ids(json.load(open(sys.argv[1])))))' "$H_TMP/body"
R "${A[@]}" "$U/redfish/v1/Systems/"; a=$(body)
R "${A[@]}" "$U/redfish/v1/Systems"
check_eq "/redfish/v1/Systems/ is /redfish/v1/Systems" "$S $(body)" "200 $a"
R "${A[@]}" "$U/redfish/v1/Systems/host/"
check_eq "/redfish/v1/Systems/host/ answers" 200 "$S"

# ---- Link and Allow
R "${A[@]}" "$U/redfish/v1/Systems/host"
check_eq "Link names the resource's DMTF schema" \
    "<http://redfish.dmtf.org/schemas/v1/ComputerSystem.v1_20_0.json>; rel=describedby" "$(hdr Link)"
check_eq "Allow on a resource read only" "GET, HEAD, OPTIONS" "$(hdr Allow)"
R "${A[@]}" "$U/redfish/v1/Systems"
check_eq "a collection's Link is its unversioned schema" \
    "<http://redfish.dmtf.org/schemas/v1/ComputerSystemCollection.json>; rel=describedby" "$(hdr Link)"
R "${A[@]}" "$U/redfish/v1/Systems/host/Oem/Hostd/Containers"
check_eq "hostd's own Oem resource links no DMTF schema" "" "$(hdr Link)"
# every resource a client can reach: its Allow is what its handler's 405 names
if python3 -c 'import jsonschema' 2>/dev/null; then
    python3 "$WALK" --schemas "$SCHEMAS" --socket "$H_SOCK" --list > "$H_TMP/walk.out" 2>&1
    paths=$(sed -n 's/^PATH\t//p' "$H_TMP/walk.out")
else
    paths="/redfish/v1/ /redfish/v1/Systems /redfish/v1/Systems/host /redfish/v1/SessionService /redfish/v1/EventService"
fi
n=0 bad=
for p in $paths; do
    R "${A[@]}" "$U$p"; get_allow=$(hdr Allow) get_status=$S
    R "${A[@]}" -X PUT -H 'Content-Type: application/json' --data '{}' "$U$p"; put_allow=$(hdr Allow)
    R "${A[@]}" -X OPTIONS "$U$p"; opt_allow=$(hdr Allow)
    n=$((n + 1))
    if [ "$get_status" != 200 ] || [ -z "$get_allow" ] || [ "$S" != 204 ] || [ "$get_allow" != "$put_allow" ] || [ "$get_allow" != "$opt_allow" ]; then
        bad+=" $p (GET $get_status '$get_allow', 405 '$put_allow', OPTIONS $S '$opt_allow')"
    fi
done
check_eq "every resource walked ($n) has Allow, the same on GET, OPTIONS (204) and its 405" "" "$bad"
check "and the walk reached more than the root" test "$n" -gt 5

# ---- HEAD and OPTIONS
R "${A[@]}" "$U/redfish/v1/Systems/host"; get_len=$(wc -c < "$H_TMP/body")
R "${A[@]}" -I "$U/redfish/v1/Systems/host"
check_eq "HEAD on a resource: 200" 200 "$S"
# curl -I reads no body even if one came: a raw HTTP/1.1 HEAD over TLS, then all the server sent
raw=$(python3 - "$port" "$H_TMP/cert.pem" <<'PY'
import base64, socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
with ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="localhost") as s:
    auth = base64.b64encode(b"admin:admin pw").decode()
    s.sendall(f"HEAD /redfish/v1/Systems/host HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic {auth}\r\n"
              "Connection: close\r\n\r\n".encode())
    data = b""
    while chunk := s.recv(65536):
        data += chunk
print(len(data.split(b"\r\n\r\n", 1)[1]))
PY
)
check_eq "with no body (raw HTTP: nothing after the headers)" 0 "$raw"
check_eq "and the GET's Content-Length" "$get_len" "$(hdr Content-Length)"
check_eq "and its Link" "<http://redfish.dmtf.org/schemas/v1/ComputerSystem.v1_20_0.json>; rel=describedby" "$(hdr Link)"
R -I "$U/redfish/v1/"
check_eq "HEAD on the root needs no credentials" 200 "$S"
R "${A[@]}" -X OPTIONS "$U/redfish/v1/Systems/host/Storage/md/Volumes"
check_eq "OPTIONS: 204" 204 "$S"
check_eq "with Allow" "GET, HEAD, POST, OPTIONS" "$(hdr Allow)"
R "${A[@]}" -X OPTIONS "$U/redfish/v1/NoSuchThing"
check_eq "OPTIONS on nothing: 404" 404 "$S"

# ---- errors: always a Redfish error with a Base MessageId
# count401: the 401s /metrics has counted
count401() {
    curl -s --cacert "$H_TMP/cert.pem" --resolve "localhost:$port:127.0.0.1" "${A[@]}" "$U/metrics" |
        awk '/^hostd_http_request_duration_seconds_count\{code="401"\}/ {n = $2} END {print n + 0}'
}
before=$(count401)
R "$U/redfish/v1/Systems"
check_eq "no credentials: 401" 401 "$S"
check_eq "with NoValidSession" "Base.1.16.NoValidSession" "$(field 'd["error"]["code"]')"
error_ok "... a Redfish error with a Base MessageId"
check_eq "and the Basic challenge" 'Basic realm="hostd"' "$(hdr WWW-Authenticate)"
check_eq "and OData-Version, as every answer" "4.0" "$(hdr OData-Version)"
check_eq "and Cache-Control: no-store, as every answer" "no-store" "$(hdr Cache-Control)"
check_eq "and the 401 is counted in /metrics" "$((before + 1))" "$(count401)"
R "${A[@]}" "$U/redfish/v1/NoSuchThing"
check_eq "404" "404 Base.1.16.ResourceNotFound" "$S $(field 'd["error"]["code"]')"
error_ok "... a Redfish error with a Base MessageId"
R "${A[@]}" -X DELETE "$U/redfish/v1/Systems/host"
check_eq "405" "405 Base.1.16.OperationNotAllowed" "$S $(field 'd["error"]["code"]')"
error_ok "... a Redfish error with a Base MessageId"
R "${A[@]}" -H 'Content-Type: application/json' --data '{' "$U/redfish/v1/EventService/Subscriptions"
check_eq "400 on malformed JSON" "400 Base.1.16.MalformedJSON" "$S $(field 'd["error"]["code"]')"
error_ok "... a Redfish error with a Base MessageId"
R "${A[@]}" -H 'Content-Type: text/plain' --data 'x' "$U/redfish/v1/EventService/Subscriptions"
check_eq "415 on a body that is not JSON" 415 "$S"
error_ok "... a Redfish error with a Base MessageId"

# ---- sessions: POST to the collection's Members logs in too
R -H 'Content-Type: application/json' --data '{"UserName": "admin", "Password": "admin pw"}' \
    "$U/redfish/v1/SessionService/Sessions/Members"
check_eq "POST Sessions/Members without credentials logs in: 201" 201 "$S"
tok=$(hdr X-Auth-Token)
check "with a token" test ${#tok} = 64
R -H "X-Auth-Token: $tok" "$U/redfish/v1/Systems/host"
check_eq "which opens Systems/host" 200 "$S"
R -H 'Content-Type: application/json' --data '{"UserName": "admin", "Password": "wrong"}' \
    "$U/redfish/v1/SessionService/Sessions/Members"
check_eq "a wrong password there: 401" 401 "$S"
error_ok "... a Redfish error with a Base MessageId"
check_eq "with the Basic challenge, as every 401" 'Basic realm="hostd"' "$(hdr WWW-Authenticate)"

# ---- HTTP Basic remembered: the whole header, and only until the users file is re-read
R "${A[@]}" "$U/redfish/v1/Systems"; first=$S
R "${A[@]}" "$U/redfish/v1/Systems"
check_eq "Basic twice: 200 both times" "200 200" "$first $S"
R -u 'admin:admin pwX' "$U/redfish/v1/Systems"
check_eq "a wrong password right after a right one: 401" 401 "$S"
echo "admin:$(openssl passwd -6 'new pw')" > "$H_TMP/users"
kill -HUP "$H_PID"; sleep 0.5
R "${A[@]}" "$U/redfish/v1/Systems"
check_eq "after SIGHUP with a new password the old Basic header: 401" 401 "$S"
R -u 'admin:new pw' "$U/redfish/v1/Systems"
check_eq "and the new password: 200" 200 "$S"
check "the log holds no password" bash -c "! grep -q 'admin pw\|new pw' '$H_TMP/hostd.log'"
tap_done
