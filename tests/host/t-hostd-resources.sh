#!/bin/bash
# The resources Redfish clients expect, read by the clients Debian ships,
# with the host's facts from tests/fixtures/host/r630 (facts_root) and the
# host's Reset recorded, not carried out (host_reset_record):
# - python3-sushy walks every resource reachable from the root, reads the
#   system's processors, memory, NICs, the chassis, the manager, the task
#   and event services, submits a test event (a subscriber receives it) and
#   resets the host;
# - redfishtool's Systems, Chassis, Managers, SessionService, AccountService;
# - Ansible community.general redfish_info for the categories hostd has and
#   redfish_command for sessions and power.
# Then, without facts_root, this machine's own sockets, memory and network
# devices. Roles are in t-hostd-roles.sh.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostd-lib.sh"
PY=/usr/bin/python3
unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE
FACTS=$TOP/tests/fixtures/host/r630

port=$(h_free_port)
h_tls_files admin pw
h_tls_conf "$port" "facts_root: $FACTS" "host_reset_record: $H_TMP/resets"
h_start --config "$H_TMP/hostd.conf" || { fail "hostd starts"; tap_done; exit 1; }

# a webhook receiver: each POSTed event body as one line of $H_TMP/received
h_webhook "$H_TMP/received"
trap 'kill $R_PID 2>/dev/null; h_cleanup' EXIT
h_req POST /redfish/v1/EventService/Subscriptions -d "{\"Destination\": \"http://127.0.0.1:$R_PORT/hook\", \"Context\": \"t\"}"
check_eq "a subscriber for the test event" 201 "$H_STATUS"

if $PY -c 'import sushy' 2>/dev/null; then
    out=$($PY - "$port" "$H_TMP/cert.pem" <<'PYEOF' 2>&1
import sys, sushy
from sushy import auth as sauth
port, ca = sys.argv[1:]
s = sushy.Sushy('https://localhost:%s/redfish/v1' % port, auth=sauth.SessionAuth('admin', 'pw'), verify=ca)
# every resource reachable from the root through @odata.id links
seen, todo, bad = set(), ['/redfish/v1'], []
def links(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == '@odata.id' and isinstance(v, str):
                yield v
            else:
                yield from links(v)
    elif isinstance(o, list):
        for v in o:
            yield from links(v)
while todo:
    p = todo.pop()
    if p in seen or not p.startswith('/redfish/v1'):
        continue
    seen.add(p)
    try:
        d = s._conn.get(p).json()
    except Exception as e:
        bad.append('%s: %s' % (p, e)); continue
    # (objects under Oem may lack a Redfish type: those are hostd's own)
    if '@odata.type' not in d and '/Oem/' not in p:
        bad.append('%s: no @odata.type' % p)
    todo.extend(links(d))
print('walked', len(seen), 'bad', bad)
for p in ('/redfish/v1/Chassis/host', '/redfish/v1/Managers/hostd', '/redfish/v1/AccountService/Roles/ReadOnly',
          '/redfish/v1/Systems/host/EthernetInterfaces/eno1', '/redfish/v1/Managers/hostd/LogServices/Events/Entries'):
    print('reached', p, p in seen)
sysm = s.get_system('/redfish/v1/Systems/host')
print('processors', sysm.processors.summary)
print('cpu', [(p.identity, p.total_cores, p.total_threads) for p in sysm.processors.get_members()])
print('links', [c.identity for c in sysm.chassis], [m.identity for m in sysm.managers])
# (sushy 4.3 has no Memory class: read the collection through its connector)
mem = [s._conn.get(m['@odata.id']).json() for m in s._conn.get(sysm.json['Memory']['@odata.id']).json()['Members']]
print('memory', sorted((m['Id'], m['CapacityMiB']) for m in mem))
print('nics', sorted((n.identity, n.mac_address, n.speed_mbps) for n in sysm.ethernet_interfaces.get_members()))
ch = s.get_chassis('/redfish/v1/Chassis/host')
print('chassis', ch.manufacturer, '|', ch.model, '|', ch.serial_number, '|', ch.asset_tag, '|', ch.chassis_type.value)
print('chassis drives', len(ch.json['Links']['Drives']))
m = s.get_manager('/redfish/v1/Managers/hostd')
print('manager', m.firmware_version, m.manager_type.value, [x.identity for x in m.systems])
print('tasks', s.get_task_service().path)
ev = s.get_event_service()
ev.submit_test_event('1', '2026-01-01T00:00:00Z', 'Alert', 'hello from sushy', [], 'Base.1.0.Test', None, 'Warning')
print('test event submitted')
print('reset values', sorted(v.value for v in sysm.get_allowed_reset_system_values()))
sysm.reset_system(sushy.RESET_GRACEFUL_RESTART)
print('reset done')
try:
    sysm.reset_system(sushy.RESET_FORCE_OFF)
except (sushy.exceptions.InvalidParameterValueError, sushy.exceptions.HTTPError) as e:
    print('force off refused:', type(e).__name__)
PYEOF
)
    check_contains "sushy walks every resource from the root with no error" "bad []" "$out"
    for p in Chassis/host Managers/hostd AccountService/Roles/ReadOnly Systems/host/EthernetInterfaces/eno1 \
        Managers/hostd/LogServices/Events/Entries; do
        check_contains "sushy's walk reaches $p" "reached /redfish/v1/$p True" "$out"
    done
    check_contains "sushy: the processors' summary (2 sockets, 8 threads)" "processors ProcessorSummary(count=8" "$out"
    check_contains "sushy: each socket's cores and threads" "cpu [('CPU0', 2, 4), ('CPU1', 2, 4)]" "$out"
    check_contains "sushy follows Systems/host's Links to its chassis and manager" "links ['host'] ['hostd']" "$out"
    check_contains "sushy: the DIMMs from SMBIOS" "memory [('DIMM0', 32768), ('DIMM1', 16384)]" "$out"
    check_contains "sushy: the network devices, not lo or docker0" \
        "nics [('eno1', '24:6e:96:10:20:30', 1000), ('eno2', '24:6e:96:10:20:31', None)]" "$out"
    check_contains "sushy: the chassis from DMI" "chassis Dell Inc. | PowerEdge R630 | 7XK2QH2 | RACK-B07-U22 | RackMount" "$out"
    check_contains "sushy: the chassis contains the drives of 'hostctl disks'" \
        "chassis drives $("$HOSTCTL" disks --json | h_json 'len(d["disks"])')" "$out"
    check_contains "sushy: the manager is hostd, of this version" "manager $("$HOSTD" --version | cut -d' ' -f2) Service ['host']" "$out"
    check_contains "sushy finds the TaskService through the root's Tasks" "tasks /redfish/v1/TaskService" "$out"
    check_contains "sushy submits a test event" "test event submitted" "$out"
    check_contains "sushy: the reset values are the two hostd carries out" \
        "reset values ['GracefulRestart', 'GracefulShutdown']" "$out"
    check_contains "sushy resets the host" "reset done" "$out"
    check_contains "sushy refuses a value not advertised" "force off refused: InvalidParameterValueError" "$out"
    check_eq "the reset was recorded, once, with its type and user" "GracefulRestart admin" "$(cat "$H_TMP/resets" 2>&1)"
    for i in $(seq 50); do grep -q 'hello from sushy' "$H_TMP/received" 2>/dev/null && break; sleep 0.1; done
    check_contains "the subscriber received the test event" '"Message":"hello from sushy (submitted by admin)"' \
        "$(cat "$H_TMP/received" 2>&1)"
    h_req GET /redfish/v1/Managers/hostd/LogServices/Events/Entries
    check_contains "the manager's event log shows the reset" "GracefulRestart of the host requested by admin" "$H_BODY"
else
    for i in $(seq 25); do skip "sushy check $i" "python3-sushy is not installed"; done
fi

h_req POST /redfish/v1/Systems/host/Actions/ComputerSystem.Reset -d '{"ResetType": "ForceRestart"}'
check_eq "a ResetType hostd does not carry out: 400" 400 "$H_STATUS"
check_contains "as PropertyValueNotInList" "Base.1.16.PropertyValueNotInList" "$H_BODY"
h_req POST /redfish/v1/Systems/host/Actions/ComputerSystem.Reset -d '{}'
check_eq "no ResetType: 400 PropertyMissing" "400 PropertyMissing" "$H_STATUS $(echo "$H_BODY" | h_json 'd["error"]["code"].split(".")[-1]')"
h_req POST /redfish/v1/EventService/Actions/EventService.SubmitTestEvent -d '{"Severity": "Bad"}'
check_eq "a test event of an unknown Severity: 400" 400 "$H_STATUS"

if command -v redfishtool >/dev/null; then
    R=(redfishtool -r "127.0.0.1:$port" -u admin -p pw -S Always -A Session)
    out=$("${R[@]}" Systems -I host Processors 2>&1)
    check_contains "redfishtool Systems Processors" '"/redfish/v1/Systems/host/Processors/CPU1"' "$out"
    out=$("${R[@]}" Systems -I host EthernetInterfaces -i eno1 2>&1)
    check_contains "redfishtool Systems EthernetInterfaces -i eno1" '"MACAddress": "24:6e:96:10:20:30"' "$out"
    out=$("${R[@]}" Chassis -I host 2>&1)
    check_contains "redfishtool Chassis -I host" '"AssetTag": "RACK-B07-U22"' "$out"
    out=$("${R[@]}" Chassis list 2>&1)
    check_contains "redfishtool Chassis list" '/redfish/v1/Chassis/host' "$out"
    out=$("${R[@]}" Managers -I hostd 2>&1)
    check_contains "redfishtool Managers -I hostd" '"ManagerType": "Service"' "$out"
    out=$("${R[@]}" Managers -I hostd NetworkProtocol 2>&1)
    check_contains "redfishtool Managers NetworkProtocol: the HTTPS port" "\"Port\": $port" "$out"
    out=$("${R[@]}" SessionService 2>&1)
    check_contains "redfishtool SessionService" '"SessionTimeout"' "$out"
    out=$("${R[@]}" SessionService Sessions list 2>&1)
    check_contains "redfishtool SessionService Sessions list" '/redfish/v1/SessionService/Sessions/' "$out"
    out=$("${R[@]}" AccountService 2>&1)
    check_contains "redfishtool AccountService" '"Roles": {' "$out"
    out=$("${R[@]}" AccountService Accounts -i admin 2>&1)
    check_contains "redfishtool AccountService Accounts -i admin" '"RoleId": "Administrator"' "$out"
    out=$("${R[@]}" AccountService Roles list 2>&1)
    check_contains "redfishtool AccountService Roles list" 'ReadOnly' "$out"
else
    for i in $(seq 11); do skip "redfishtool check $i" "redfishtool is not installed"; done
fi

if command -v ansible-playbook >/dev/null && [ -d /usr/lib/python3/dist-packages/ansible_collections/community/general ]; then
    cat > "$H_TMP/play.yml" <<EOF
- hosts: localhost
  gather_facts: false
  vars:
    rf: &rf
      baseuri: "127.0.0.1:$port"
      username: admin
      password: pw
  tasks:
    - community.general.redfish_info:
        <<: *rf
        category: Systems
        command: GetSystemInventory,GetCpuInventory,GetMemoryInventory,GetNicInventory,GetHealthReport,GetStorageControllerInventory,GetDiskInventory,GetVolumeInventory
      register: i_sys
    - community.general.redfish_info:
        <<: *rf
        category: Chassis
        command: GetChassisInventory
      register: i_chassis
    - community.general.redfish_info:
        <<: *rf
        category: Accounts
        command: ListUsers
      register: i_accounts
    - community.general.redfish_info:
        <<: *rf
        category: Sessions
        command: GetSessions
      register: i_sessions
    - community.general.redfish_info:
        <<: *rf
        category: Manager
        command: GetManagerInventory,GetLogs,GetNetworkProtocols
      register: i_manager
    - community.general.redfish_command:
        <<: *rf
        category: Sessions
        command: CreateSession
      register: session
    - community.general.redfish_command:
        category: Sessions
        command: DeleteSession
        baseuri: "127.0.0.1:$port"
        auth_token: "{{ session.session.token }}"
        session_uri: "{{ session.session.uri }}"
      register: logout
    - community.general.redfish_command:
        <<: *rf
        category: Systems
        command: PowerReboot
      register: reboot
    - community.general.redfish_command:
        <<: *rf
        category: Systems
        command: PowerGracefulShutdown
      register: shutdown
    - ansible.builtin.copy:
        dest: "$H_TMP/ansible.json"
        content: "{{ {'info': i_sys.redfish_facts | combine(i_chassis.redfish_facts, i_accounts.redfish_facts, i_sessions.redfish_facts, i_manager.redfish_facts), 'session': session, 'logout': logout, 'reboot': reboot, 'shutdown': shutdown} | to_json }}"
EOF
    : > "$H_TMP/resets"
    ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_NOCOLOR=1 \
        ansible-playbook "$H_TMP/play.yml" > "$H_TMP/ansible.log" 2>&1
    rc=$?
    check_eq "ansible-playbook with redfish_info and redfish_command succeeds" 0 "$rc"
    [ "$rc" = 0 ] || grep -E "fatal|FAILED|msg" "$H_TMP/ansible.log" | cut -c1-600 | sed "s/^/#   /"
    A() { h_json "$1" < "$H_TMP/ansible.json" 2>&1; }
    # each command's result: ret true and what hostd holds
    for c in system:Systems cpu:Cpu memory:Memory nic:Nic health_report:HealthReport storage_controller:StorageController \
        disk:Disk volume:Volume chassis:Chassis user:User session:Session manager:Manager log:Logs \
        network_protocols:NetworkProtocols; do
        key=${c%%:*}
        check_eq "redfish_info: $key answers" True "$(A "d['info']['$key']['ret']")"
    done
    check_eq "redfish_info GetCpuInventory: the sockets" "['CPU0', 'CPU1']" \
        "$(A "[c['Id'] for c in d['info']['cpu']['entries'][0][1]]")"
    check_eq "redfish_info GetMemoryInventory: the DIMMs" "[32768, 16384]" \
        "$(A "[m['CapacityMiB'] for m in d['info']['memory']['entries'][0][1]]")"
    check_eq "redfish_info GetNicInventory: the network devices" "['eno1', 'eno2']" \
        "$(A "[n['Id'] for n in d['info']['nic']['entries'][0][1]]")"
    check_eq "redfish_info GetChassisInventory: the chassis" "RACK-B07-U22" "$(A "d['info']['chassis']['entries'][0]['AssetTag']")"
    check_eq "redfish_info ListUsers: the users file" "[('admin', 'Administrator')]" \
        "$(A "[(u['UserName'], u['RoleId']) for u in d['info']['user']['entries']]")"
    check_eq "redfish_info GetManagerInventory: hostd" "Service" "$(A "d['info']['manager']['entries'][0][1]['ManagerType']")"
    check_eq "redfish_info GetNetworkProtocols: HTTPS on the port" "$port" \
        "$(A "d['info']['network_protocols']['entries']['HTTPS']['Port']")"
    check_contains "redfish_info GetLogs: hostd's events" "GracefulRestart of the host requested by admin" \
        "$(A "d['info']['log']['entries'][0]['Entries']")"
    check_eq "redfish_command CreateSession: a session" True "$(A "d['session']['changed'] and d['session']['session']['uri'].startswith('/redfish/v1/SessionService/Sessions/')")"
    check_eq "redfish_command DeleteSession" True "$(A "d['logout']['changed']")"
    check_eq "redfish_command PowerReboot and PowerGracefulShutdown change" "True True" \
        "$(A "d['reboot']['changed'], d['shutdown']['changed']" | tr -d '(),')"
    check_eq "both were recorded as hostd carries them out" "GracefulRestart admin,GracefulShutdown admin" \
        "$(paste -sd, "$H_TMP/resets")"
else
    for i in $(seq 27); do skip "ansible check $i" "ansible with community.general is not installed"; done
fi

# this machine's own facts (no facts_root; only GETs: no reset without the record file)
# the log never overwrites: an entry older than the newest 500 the collection
# lists is still there by its id
sqlite3 "$H_TMP/state/hostd.db" "INSERT INTO journal (time_ms, kind, severity, message)
    SELECT 1700000000000, 'Event', 'OK', 'filler ' || value FROM generate_series(1, 600)" 2>/dev/null ||
sqlite3 "$H_TMP/state/hostd.db" "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 600)
    INSERT INTO journal (time_ms, kind, severity, message) SELECT 1700000000000, 'Event', 'OK', 'filler ' || v FROM n"
first=$(sqlite3 "$H_TMP/state/hostd.db" "SELECT min(id) FROM journal")
h_req GET "/redfish/v1/Managers/hostd/LogServices/Events/Entries/$first"
check_eq "the oldest entry ($first of $(sqlite3 "$H_TMP/state/hostd.db" "SELECT count(*) FROM journal")) answers 200 by its id" 200 "$H_STATUS"
check_eq "... with its own Id" "$first" "$(echo "$H_BODY" | h_json 'd["Id"]')"
for bad in 0 abc 99999999 1x; do
    h_req GET "/redfish/v1/Managers/hostd/LogServices/Events/Entries/$bad"
    check_eq "entry '$bad': 404" 404 "$H_STATUS"
done

h_stop
h_start || { fail "hostd starts without facts_root"; tap_done; exit 1; }
h_req GET /redfish/v1/Systems/host/Processors
check_eq "this machine's sockets" "$(grep '^physical id' /proc/cpuinfo | sort -u | wc -l | sed 's/^0$/1/')" \
    "$(echo "$H_BODY" | h_json 'd["Members@odata.count"]')"
h_req GET /redfish/v1/Systems/host/Memory
if ls /sys/firmware/dmi/entries/17-* >/dev/null 2>&1; then
    check_contains "this machine's DIMMs, from SMBIOS" "/Memory/DIMM" "$H_BODY"
else
    h_req GET /redfish/v1/Systems/host/Memory/total
    check_eq "without SMBIOS, one member with the kernel's MemTotal" \
        "$(( $(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 1024 ))" "$(echo "$H_BODY" | h_json 'd["CapacityMiB"]')"
fi
h_req GET /redfish/v1/Systems/host/EthernetInterfaces
check_eq "this machine's network devices" \
    "$(for n in /sys/class/net/*; do [ -e "$n/device" ] && echo "${n##*/}"; done | sort | paste -sd' ')" \
    "$(echo "$H_BODY" | h_json '" ".join(sorted(m["@odata.id"].split("/")[-1] for m in d["Members"]))')"
tap_done
