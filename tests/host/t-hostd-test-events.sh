#!/bin/bash
# SubmitTestEvent is limited to one a second per user, so that one client
# cannot flood the journal and every webhook receiver: the second within the
# second is 429 with Retry-After: 1 and a Redfish error body, another user is
# not held up by it, and a second later the first may submit again. The
# refused ones are neither journaled nor counted.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostd-lib.sh"

port=$(h_free_port)
: > "$H_TMP/users"; chmod 600 "$H_TMP/users"
echo "op:$(openssl passwd -6 oppw):Operator" >> "$H_TMP/users"
echo "op2:$(openssl passwd -6 op2pw):Operator" >> "$H_TMP/users"
printf 'listen: "127.0.0.1:%s"\ntls: false\nusers_file: %s\n' "$port" "$H_TMP/users" > "$H_TMP/hostd.conf"
h_start --config "$H_TMP/hostd.conf" || { fail "hostd starts"; tap_done; exit 1; }
ACTION=/redfish/v1/EventService/Actions/EventService.SubmitTestEvent
T() {  # T USER:PASSWORD: submit a test event; the status on stdout, headers and body in $H_TMP
    curl -s -u "$1" -H 'Content-Type: application/json' --data '{"Message": "rate"}' -D "$H_TMP/hdr" \
        -o "$H_TMP/body" -w '%{http_code}' "http://127.0.0.1:$port$ACTION"; }
hdr() { tr -d '\r' < "$H_TMP/hdr" | sed -n "s/^$1: //Ip" | head -n1; }

check_eq "the first test event: 204" 204 "$(T op:oppw)"
codes=$(for _ in 1 2 3 4 5; do T op:oppw; echo; done | sort | uniq -c | awk '{print $2 "x" $1}' | xargs)
check_eq "five more at once from the same user: all 429" "429x5" "$codes"
check_eq "with Retry-After: 1" 1 "$(hdr Retry-After)"
check_eq "and a Redfish error with a Base MessageId" "Base.1.16.ServiceTemporarilyUnavailable" \
    "$(h_json 'd["error"]["code"]' < "$H_TMP/body")"
check_contains "saying why" "one test event a second per user" "$(cat "$H_TMP/body")"
check_eq "another user in the same second: 204" 204 "$(T op2:op2pw)"
sleep 1.1
check_eq "a second later the first user again: 204" 204 "$(T op:oppw)"
h_req GET "/redfish/v1/Managers/hostd/LogServices/Events/Entries"
check_eq "the journal holds the three accepted, not the refused" 3 \
    "$(printf '%s' "$H_BODY" | h_json 'sum("(submitted by" in m.get("Message", "") for m in d["Members"])')"
tap_done
