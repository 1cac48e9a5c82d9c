#!/bin/bash
# SIGHUP while requests run: hostd swaps in the new configuration whole
# (requests keep the one they started with) and lives on. Clients hammer the
# API (the session service, the containers resource, request bodies against
# max_body) while the configuration changes and SIGHUP arrives again and again;
# every request is answered, the last configuration wins, and a sanitizer
# build (make SANITIZE=1, or a ThreadSanitizer build) reports nothing.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostd-lib.sh"

# conf N: configuration number N (timeouts, body limit and container paths differ)
conf() {
    printf 'session_timeout: %d\nmax_body: %d\ncontainers:\n  pool: %s/pool%d\n  config: %s/config%d.toml\n  run_dir: %s/run%d\n' \
        $((600 + $1)) $((4096 + $1)) "$H_TMP" "$1" "$H_TMP" "$1" "$H_TMP" "$1" >"$H_TMP/hostd.conf.new"
    mv "$H_TMP/hostd.conf.new" "$H_TMP/hostd.conf"
}
conf 0
h_start --config "$H_TMP/hostd.conf" || { tap_done; exit; }

# clients: each loop writes one status code per request into its file
hammer() {
    local out=$1; shift
    while [ ! -e "$H_TMP/stop" ]; do
        curl -s -o /dev/null -w '%{http_code}\n' --unix-socket "$H_SOCK" "$@" >>"$out"
    done
}
hammer "$H_TMP/codes.sessions" http://localhost/redfish/v1/SessionService &
c1=$!
hammer "$H_TMP/codes.containers" http://localhost/redfish/v1/Systems/host/Oem/Hostd/Containers &
c2=$!
head -c 2048 /dev/zero | tr '\0' x >"$H_TMP/body"
hammer "$H_TMP/codes.bodies" -X POST -H 'Content-Type: application/json' --data-binary @"$H_TMP/body" \
    http://localhost/redfish/v1/SessionService/Sessions &
c3=$!
for i in $(seq 1 150); do
    conf "$i"
    kill -HUP "$H_PID" 2>/dev/null || break
    sleep 0.01
done
sleep 0.5
touch "$H_TMP/stop"
wait $c1 $c2 $c3

check "hostd lives through 150 SIGHUPs under load" kill -0 "$H_PID"
total=$(cat "$H_TMP"/codes.* | wc -l)
check "the clients made requests (${total})" test "$total" -gt 30
check_eq "every session service request answered 200" "" "$(grep -v '^200$' "$H_TMP/codes.sessions" | sort | uniq -c)"
check_eq "every containers request answered 200" "" "$(grep -v '^200$' "$H_TMP/codes.containers" | sort | uniq -c)"
check_eq "every request with a body answered (none dropped)" "" "$(grep '^000$' "$H_TMP/codes.bodies" | sort | uniq -c)"

# the last configuration is the one in force, every part of it
h_req GET /redfish/v1/SessionService
check_eq "the session timeout is the last one loaded" 750 "$(printf '%s' "$H_BODY" | h_json 'd["SessionTimeout"]')"
h_req GET /redfish/v1/Systems/host/Oem/Hostd/Containers
check_contains "the containers paths are the last ones loaded" "$H_TMP/config150.toml" "$H_BODY"
head -c 4300 /dev/zero | tr '\0' x >"$H_TMP/big"
h_req POST /redfish/v1/SessionService/Sessions --data-binary @"$H_TMP/big"
check_eq "a body over the last max_body (4246) is refused" 413 "$H_STATUS"

h_stop; rc=$?
check_eq "SIGTERM stops it with exit 0" 0 "$rc"
check_eq "no sanitizer report" "" "$(grep -E 'Sanitizer|runtime error' "$H_TMP/hostd.log" | head -3)"
tap_done
