#!/bin/bash
# Event subscriptions are bounded: per user and in all (hostd.conf
# subscriptions_per_user, subscriptions_max; a POST beyond answers 400 with
# a Redfish error naming the limit), Destination and Context have a maximum
# length; each records its owner (a database from before gets the column),
# and a TCP user deletes only its own (the Unix socket is administrator).
# They are read from the database once, at the start, not per GET or event.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostd-lib.sh"

# a database as an older hostd left it: subscriptions without an owner column
mkdir -m 700 "$H_TMP/state"
sqlite3 "$H_TMP/state/hostd.db" "CREATE TABLE subscriptions (id INTEGER PRIMARY KEY AUTOINCREMENT,
    destination TEXT NOT NULL, context TEXT);
    INSERT INTO subscriptions (destination, context) VALUES ('http://127.0.0.1:9/old', 'old');"
chmod 600 "$H_TMP/state/hostd.db"

port=$(h_free_port)
h_tls_files alice 'alice pass' bob 'bob pass'
h_tls_conf "$port" 'subscriptions_per_user: 3' 'subscriptions_max: 5'
h_start --config "$H_TMP/hostd.conf" || { fail "hostd starts"; tap_done; exit 1; }
ok "hostd starts on a database from before subscriptions had owners"
S=/redfish/v1/EventService/Subscriptions
C() {  # C USER curl-args...: a request over TLS as USER (password "USER pass")
    local u=$1; shift
    curl -s --cacert "$H_TMP/cert.pem" --resolve "localhost:$port:127.0.0.1" -u "$u:$u pass" \
        -o "$H_TMP/body" -D "$H_TMP/hdr" -w '%{http_code}' "$@"; }
sub() {  # sub USER [DESTINATION [CONTEXT]]: POST a subscription; the status, and its URI in $loc
    local code
    code=$(C "$1" -H 'Content-Type: application/json' \
        --data "{\"Destination\": \"${2:-http://127.0.0.1:9/hook}\", \"Context\": \"${3:-c}\"}" "https://localhost:$port$S")
    loc=$(tr -d '\r' < "$H_TMP/hdr" | sed -n 's/^Location: //p')
    echo "$code"
}
h_req GET "$S"
check_contains "the older subscription is still listed" "\"$S/1\"" "$H_BODY"

codes=
for i in 1 2 3; do codes+="$(sub alice) "; done
check_eq "alice makes 3 subscriptions: 201 each" "201 201 201 " "$codes"
a_loc=$(tr -d '\r' < "$H_TMP/hdr" | sed -n 's/^Location: //p')
check_eq "her 4th is refused: 400" 400 "$(sub alice)"
check_contains "with a Redfish error naming the limit" "subscriptions_per_user (3)" "$(cat "$H_TMP/body")"
check_contains "as CreateLimitReachedForResource" "CreateLimitReachedForResource" "$(cat "$H_TMP/body")"
check_eq "bob makes one: 201" 201 "$(sub bob)"
b_loc=$(tr -d '\r' < "$H_TMP/hdr" | sed -n 's/^Location: //p')
check_eq "the 6th in all is refused: 400" 400 "$(sub bob)"
check_contains "naming subscriptions_max" "subscriptions_max (5)" "$(cat "$H_TMP/body")"
check_eq "a Destination longer than 512 characters: 400" 400 \
    "$(sub alice "http://127.0.0.1:9/$(printf 'a%.0s' $(seq 600))")"
check_eq "a Context longer than 256 characters: 400" 400 \
    "$(sub alice http://127.0.0.1:9/hook "$(printf 'c%.0s' $(seq 300))")"
check_eq "the owner is recorded" alice \
    "$(sqlite3 "$H_TMP/state/hostd.db" "SELECT owner FROM subscriptions WHERE id = ${a_loc##*/}")"

check_eq "bob cannot delete alice's: 403" 403 "$(C bob -X DELETE "https://localhost:$port$a_loc")"
check_eq "it is still there" 200 "$(C alice "https://localhost:$port$a_loc")"
check_eq "bob cannot delete the older one (no owner): 403" 403 "$(C bob -X DELETE "https://localhost:$port$S/1")"
check_eq "alice deletes hers: 204" 204 "$(C alice -X DELETE "https://localhost:$port$a_loc")"
check_eq "and it is gone: 404" 404 "$(C alice "https://localhost:$port$a_loc")"
h_req DELETE "$S/1"
check_eq "the Unix socket (administrator) deletes the older one: 204" 204 "$H_STATUS"
h_req DELETE "$b_loc"
check_eq "and bob's: 204" 204 "$H_STATUS"

# read once at the start: a row written behind hostd's back shows only after a restart
sqlite3 "$H_TMP/state/hostd.db" "INSERT INTO subscriptions (id, destination) VALUES (99, 'http://127.0.0.1:9/x')"
h_req GET "$S"
check "a GET does not read the subscriptions from the database" test "${H_BODY/\"$S\/99\"/}" = "$H_BODY"
h_stop
h_start --config "$H_TMP/hostd.conf" || fail "hostd restarts"
h_req GET "$S"
check_contains "the next start does" "\"$S/99\"" "$H_BODY"
tap_done
