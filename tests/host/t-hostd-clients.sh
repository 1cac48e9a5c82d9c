#!/bin/bash
# Real Redfish clients from Debian against hostd over TCP + TLS: redfishtool
# and python3-sushy read ServiceRoot, Systems, Storage, Drives and Volumes
# with HTTP Basic and with session authentication, and ask for a Volume (on
# this host the planner refuses it: the clients must show its reason).
# (redfishtool never verifies certificates; sushy is given the test CA.)
set -uo pipefail
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostd-lib.sh"
PY=/usr/bin/python3
# requests lets these override a session's verify=: the test trusts only its own CA
unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE

port=$(h_free_port)
h_tls_files admin pw
printf 'listen: "127.0.0.1:%s"\ntls_cert: %s\ntls_key: %s\nusers_file: %s\n' "$port" "$H_TMP/cert.pem" \
    "$H_TMP/key.pem" "$H_TMP/users" > "$H_TMP/hostd.conf"
h_start --config "$H_TMP/hostd.conf" || { fail "hostd starts"; tap_done; exit 1; }
serials=$("$HOSTCTL" disks --json | h_json '" ".join(sorted(x.get("serial") or x["name"] for x in d["disks"]))')

if command -v redfishtool >/dev/null; then
    for auth in Basic Session; do
        R=(redfishtool -r "127.0.0.1:$port" -u admin -p pw -S Always -A "$auth")
        out=$("${R[@]}" root 2>&1)
        check_contains "redfishtool ($auth): ServiceRoot" '"RedfishVersion": "1.15.0"' "$out"
        out=$("${R[@]}" Systems -I host 2>&1)
        check_contains "redfishtool ($auth): Systems/host" '"SystemType": "Physical"' "$out"
        out=$("${R[@]}" raw GET /redfish/v1/Systems/host/Storage/md/Drives 2>&1)
        check_contains "redfishtool ($auth): Drives" "Drives/${serials%% *}\"" "$out"
        out=$("${R[@]}" raw GET /redfish/v1/Systems/host/Storage/md/Volumes 2>&1)
        check_contains "redfishtool ($auth): Volumes" '"Members@odata.count": 0' "$out"
        out=$(redfishtool -r "127.0.0.1:$port" -u admin -p bad -S Always -A "$auth" Systems 2>&1)
        check_contains "redfishtool ($auth): a wrong password is refused" "401" "$out"
    done
else
    for i in 1 2 3 4 5 6 7 8 9 10; do skip "redfishtool check $i" "redfishtool is not installed"; done
fi

if $PY -c 'import sushy' 2>/dev/null; then
    for auth in Basic Session; do
        out=$($PY - "$port" "$H_TMP/cert.pem" "$auth" <<'PYEOF' 2>&1
import sys, sushy
from sushy import auth as sauth
port, ca, kind = sys.argv[1:]
a = sauth.BasicAuth('admin', 'pw') if kind == 'Basic' else sauth.SessionAuth('admin', 'pw')
s = sushy.Sushy('https://localhost:%s/redfish/v1' % port, auth=a, verify=ca)
print('root', s.redfish_version)
sysm = s.get_system('/redfish/v1/Systems/host')
print('system', sysm.identity, sysm.memory_summary.size_gib)
st = sysm.storage.get_members()[0]
print('drives', ' '.join(sorted(d.identity for d in st.drives)))
print('mediatype', st.drives[0].media_type)
print('volumes', len(st.volumes.get_members()))
try:
    drive = st.drives[0].path
    st.volumes.create({'Name': 'data', 'RAIDType': 'RAID5', 'Links': {'Drives': [{'@odata.id': drive}]}})
    print('create: accepted')
except sushy.exceptions.HTTPError as e:
    print('create refused', e.status_code, e.detail)
PYEOF
)
        check_contains "sushy ($auth): ServiceRoot" "root 1.15.0" "$out"
        check_contains "sushy ($auth): Systems/host" "system host" "$out"
        check_contains "sushy ($auth): the drives of 'hostctl disks'" "drives $serials" "$out"
        check_contains "sushy ($auth): Volumes (no md on this host)" "volumes 0" "$out"
        check_contains "sushy ($auth): creating a RAID 5 of one in-use disk is refused with the planner's reason" \
            "create refused 409" "$out"
    done
    out=$($PY -c "import sushy; from sushy import auth; sushy.Sushy('https://localhost:$port/redfish/v1', auth=auth.SessionAuth('admin','nope'), verify='$H_TMP/cert.pem').get_system('/redfish/v1/Systems/host')" 2>&1)
    check_contains "sushy: a wrong password is refused" "401" "$out"
else
    for i in 1 2 3 4 5 6 7 8 9 10 11; do skip "sushy check $i" "python3-sushy is not installed"; done
fi
tap_done
