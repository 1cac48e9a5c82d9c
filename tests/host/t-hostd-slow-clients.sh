#!/bin/bash
# One client must not take the API away from everyone: many slow or idle TCP
# connections (one byte a second, no TLS handshake) from one address are held
# to a per-client cap, from many addresses to a deadline that trickled bytes
# do not extend; meanwhile a normal client keeps its latency, a client that
# authenticated before the attack keeps its connection (the reserve), and the
# Unix socket answers.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostd-lib.sh"
SLOW=$(dirname "$0")/../helpers/slow-clients.py

port=$(h_free_port)
h_tls_files admin pw
printf 'listen: "127.0.0.1:%s"\ntls_cert: %s\ntls_key: %s\nusers_file: %s\nmax_connections: 64\nmax_connections_per_client: 8\nheader_timeout: 2\n' \
    "$port" "$H_TMP/cert.pem" "$H_TMP/key.pem" "$H_TMP/users" > "$H_TMP/hostd.conf"
h_start --config "$H_TMP/hostd.conf" || { fail "hostd starts"; tap_done; exit 1; }
U=https://localhost:$port/redfish/v1/Systems
# normal: one fresh client's GET; prints "CODE SECONDS"
normal() { curl -s -o /dev/null --max-time 5 --cacert "$H_TMP/cert.pem" --resolve "localhost:$port:127.0.0.1" \
    -u admin:pw -w '%{http_code} %{time_total}' "$U"; }
# served: a 200 within curl's 5 s (under the attack that this guards against,
# clients waited 28 s); the time is shown, not judged
fast() { test "$1" = 200; }

read -r code t <<<"$(normal)"
check "before any attack a normal GET answers 200 ($code, $t s)" fast "$code" "$t"

# 1. one address: 1100 connections (more than libmicrohttpd's default slots),
#    idle ones that never start TLS, then ones that trickle their headers
for mode in idle trickle; do
    python3 "$SLOW" $mode "$port" 1100 10 2 2 > "$H_TMP/attack1" &
    attacker=$!
    sleep 4
    for i in 1 2; do
        read -r code t <<<"$(normal)"
        check "under 1100 $mode sockets from one address, a normal GET: 200 ($code, $t s)" fast "$code" "$t"
    done
    wait "$attacker"
    read -r _ made _ _ _ ended < "$H_TMP/attack1"
    check "all $mode sockets were refused or cut: $(cat "$H_TMP/attack1")" test "$ended" -ge "$made"
done

# 2. many addresses (40 x 8 = 320 > 64 slots): an authenticated keep-alive
#    connection made before the attack keeps being served
python3 - "$port" "$H_TMP/cert.pem" > "$H_TMP/keepalive" <<'PY' &
import base64, http.client, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[2])
c = http.client.HTTPSConnection("localhost", int(sys.argv[1]), context=ctx, timeout=5)
auth = {"Authorization": "Basic " + base64.b64encode(b"admin:pw").decode()}
codes = []
for i in range(9):
    try:
        c.request("GET", "/redfish/v1/Systems", headers=auth)
        r = c.getresponse(); r.read(); codes.append(str(r.status))
    except Exception as e:
        codes.append(type(e).__name__)
    time.sleep(1)
print(" ".join(codes))
PY
keepalive=$!
sleep 1.5
python3 "$SLOW" trickle "$port" 320 6 2 41 > "$H_TMP/attack2" &
attacker=$!
sleep 3
h_req GET /redfish/v1/Systems
check_eq "under 320 slow sockets from 40 addresses the Unix socket answers" 200 "$H_STATUS"
wait "$attacker"; wait "$keepalive"
check_eq "the client that had authenticated was served throughout" "200 200 200 200 200 200 200 200 200" "$(cat "$H_TMP/keepalive")"
read -r _ made _ _ _ ended < "$H_TMP/attack2"
check "every slow socket was refused or ended by the deadline: $(cat "$H_TMP/attack2")" test "$ended" -ge "$made"
read -r code t <<<"$(normal)"
check "after the attack a fresh client answers 200 ($code, $t s)" fast "$code" "$t"
check_contains "hostd logs the connections it cut" "that had not authenticated within 2 s" "$(cat "$H_TMP/hostd.log")"
tap_done
