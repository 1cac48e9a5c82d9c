#!/bin/bash
# Roles from the users file (name:hash[:role]; no role: Administrator, as
# files from before roles mean). Over TCP + TLS:
# - a ReadOnly user gets 403 InsufficientPrivilege on POST, PATCH, PUT and
#   DELETE of every resource reachable from the root and of every action
#   target, and nothing changes; it still logs in and out of its own session
#   and reads everything;
# - an Operator cannot manage accounts (403) nor reset the host, and may
#   change the machine (a test event, a subscription);
# - an Administrator's account writes are 405: the accounts are the file's.
# - a users file with an unknown role or a bad name keeps hostd from starting,
#   naming the line.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostd-lib.sh"

port=$(h_free_port)
h_tls_files admin pw
# openssl passwd -6 hashes hold no ':' so the role is a third field
echo "ro:$(openssl passwd -6 ropw):ReadOnly" >> "$H_TMP/users"
echo "op:$(openssl passwd -6 oppw):Operator" >> "$H_TMP/users"
h_tls_conf "$port" "host_reset_record: $H_TMP/resets"
h_start --config "$H_TMP/hostd.conf" || { fail "hostd starts"; tap_done; exit 1; }
B=https://localhost:$port
C() {  # C USER:PASSWORD curl-args...: a request over TLS; the status on stdout, the body in $H_TMP/body
    local u=$1; shift
    curl -s --cacert "$H_TMP/cert.pem" --resolve "localhost:$port:127.0.0.1" -u "$u" -H 'Content-Type: application/json' \
        -o "$H_TMP/body" -w '%{http_code}' "$@"; }

# Every resource and action target reachable from the root, as the
# administrator reads them; then ReadOnly, in a session of its own, tries
# POST, PATCH, PUT and DELETE on each (but its own session) on one kept-alive
# connection, and every answer that is not 403 InsufficientPrivilege is bad.
out=$(python3 - "$port" "$H_TMP/cert.pem" <<'PYEOF'
import base64, http.client, json, ssl, sys
port, ca = sys.argv[1:]
conn = http.client.HTTPSConnection('localhost', int(port), context=ssl.create_default_context(cafile=ca))
def req(method, path, headers, body=None):
    conn.request(method, path, body=body, headers=dict(headers, **{'Content-Type': 'application/json'}))
    r = conn.getresponse()
    return r.status, r.getheader('Location'), r.getheader('X-Auth-Token'), r.read()
def walk(o, out):
    if isinstance(o, dict):
        for k, v in o.items():
            if k in ('@odata.id', 'target') and isinstance(v, str):
                out.append(v)
            else:
                walk(v, out)
    elif isinstance(o, list):
        for v in o:
            walk(v, out)
admin = {'Authorization': 'Basic ' + base64.b64encode(b'admin:pw').decode()}
seen, todo = set(), ['/redfish/v1']
while todo:
    p = todo.pop()
    if p in seen or not p.startswith('/redfish/v1'):
        continue
    seen.add(p)
    if '/Actions/' not in p:
        out = []
        walk(json.loads(req('GET', p, admin)[3]), out)
        todo.extend(out)
for p in sorted(seen):
    print('uri', p)
code, own, token, _ = req('POST', '/redfish/v1/SessionService/Sessions', {},
                          json.dumps({'UserName': 'ro', 'Password': 'ropw'}))
print('login', code, own)
ro = {'X-Auth-Token': token}
tried, bad = 0, []
body = json.dumps({'ResetType': 'GracefulRestart', 'Name': 'x', 'Destination': 'http://127.0.0.1:9/x'})
for p in sorted(seen):
    for m in ('POST', 'PATCH', 'PUT', 'DELETE'):
        if p == own or (m == 'POST' and p == '/redfish/v1/SessionService/Sessions'):
            continue   # its own logout, and the login every role may make
        tried += 1
        code, _, _, answer = req(m, p, ro, body)
        if code != 403 or b'InsufficientPrivilege' not in answer:
            bad.append('%s %s: %d' % (m, p, code))
print('tried', tried, 'bad', bad)
PYEOF
)
ro_session=$(echo "$out" | sed -n 's/^login 201 //p')
check_contains "the walk finds the action targets" "uri /redfish/v1/Systems/host/Actions/ComputerSystem.Reset" "$out"
check_contains "and the accounts" "uri /redfish/v1/AccountService/Accounts/ro" "$out"
check_contains "ReadOnly logs in: 201" "login 201 /redfish/v1/SessionService/Sessions/" "$out"
check_contains "ReadOnly: 403 InsufficientPrivilege on every write ($(echo "$out" | grep -c '^uri') URIs x 4 methods)" \
    "bad []" "$(echo "$out" | grep '^tried')"
check_eq "no reset was recorded" "" "$(cat "$H_TMP/resets" 2>/dev/null)"
h_req GET /redfish/v1/EventService/Subscriptions
check_contains "no subscription was made" '"Members@odata.count": 0' "$(echo "$H_BODY" | sed 's/:/: /g')"
check_eq "ReadOnly reads the Systems" 200 "$(C ro:ropw "$B/redfish/v1/Systems/host")"
check_eq "ReadOnly logs out of its own session: 204" 204 "$(C ro:ropw -X DELETE "$B$ro_session")"

check_eq "Operator cannot add an account: 403" 403 "$(C op:oppw -X POST --data '{"UserName": "x", "Password": "y", "RoleId": "Operator"}' "$B/redfish/v1/AccountService/Accounts")"
check_contains "naming the role it needs" "managing accounts needs the Administrator role; op is Operator" "$(cat "$H_TMP/body")"
check_eq "Operator cannot change an account: 403" 403 "$(C op:oppw -X PATCH --data '{"RoleId": "Operator"}' "$B/redfish/v1/AccountService/Accounts/admin")"
check_eq "Operator cannot delete an account: 403" 403 "$(C op:oppw -X DELETE "$B/redfish/v1/AccountService/Accounts/ro")"
check_eq "Operator cannot change the AccountService: 403" 403 "$(C op:oppw -X PATCH --data '{"ServiceEnabled": false}' "$B/redfish/v1/AccountService")"
check_eq "Operator cannot reset the host: 403" 403 "$(C op:oppw -X POST --data '{"ResetType": "GracefulRestart"}' "$B/redfish/v1/Systems/host/Actions/ComputerSystem.Reset")"
check_contains "naming what it needs the Administrator role for" "resetting the host needs the Administrator role; op is Operator" "$(cat "$H_TMP/body")"
check_eq "Operator cannot reset with a bad body either: 403 before 400" 403 "$(C op:oppw -X POST --data '{}' "$B/redfish/v1/Systems/host/Actions/ComputerSystem.Reset")"
check_eq "Operator submits a test event: 204" 204 "$(C op:oppw -X POST --data '{}' "$B/redfish/v1/EventService/Actions/EventService.SubmitTestEvent")"
check_eq "Operator subscribes to events: 201" 201 "$(C op:oppw -X POST --data '{"Destination": "http://127.0.0.1:9/op"}' "$B/redfish/v1/EventService/Subscriptions")"
check_eq "Operator reads its account with its role" Operator "$(C op:oppw "$B/redfish/v1/AccountService/Accounts/op" >/dev/null; h_json 'd["RoleId"]' < "$H_TMP/body")"
check_eq "Administrator adding an account: 405 (the accounts are the users file's)" 405 "$(C admin:pw -X POST --data '{"UserName": "x", "Password": "y", "RoleId": "Operator"}' "$B/redfish/v1/AccountService/Accounts")"
check_contains "saying where accounts are made" "edit it (name:hash[:role]) and reload hostd" "$(cat "$H_TMP/body")"
check_eq "Administrator resets the host: 204" 204 "$(C admin:pw -X POST --data '{"ResetType": "GracefulShutdown"}' "$B/redfish/v1/Systems/host/Actions/ComputerSystem.Reset")"
check_eq "recorded" "GracefulShutdown admin" "$(cat "$H_TMP/resets" 2>&1)"
check_eq "the Roles: the three predefined ones" "Administrator Operator ReadOnly" \
    "$(C admin:pw "$B/redfish/v1/AccountService/Roles" >/dev/null; h_json '" ".join(sorted(m["@odata.id"].split("/")[-1] for m in d["Members"]))' < "$H_TMP/body")"
check_eq "ReadOnly's privileges" "['Login', 'ConfigureSelf']" \
    "$(C ro:ropw "$B/redfish/v1/AccountService/Roles/ReadOnly" >/dev/null; h_json 'd["AssignedPrivileges"]' < "$H_TMP/body")"
h_stop

bad_users() {  # bad_users LINE: hostd's message for a users file with that line (as its 2nd)
    h_tls_files admin pw
    echo "$1" >> "$H_TMP/users"
    timeout 10 "$HOSTD" --foreground --socket "$H_TMP/bad.sock" --state-dir "$H_TMP/state" --pid-file "$H_TMP/bad.pid" \
        --config "$H_TMP/hostd.conf" 2>&1
    echo "exit $?"
}
out=$(bad_users 'eve:$6$x$y:Superuser')
check_contains "an unknown role keeps hostd from starting, naming the line" "users:2: unknown role 'Superuser'" "$out"
check_contains "and it exits with failure" "exit 1" "$out"
out=$(bad_users 'eve/x:$6$x$y')
check_contains "a user name that cannot be a URI segment is refused" "users:2: the user name may hold only" "$out"
out=$(bad_users 'eve::ReadOnly')
check_contains "a line without a hash is refused" "users:2: 'eve::ReadOnly' is not name:hash[:role]" "$out"
tap_done
