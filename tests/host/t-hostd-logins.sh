#!/bin/bash
# Wrong logins against hostd: each is logged (user, client address, never
# the password) and counted in /metrics; after 5 for one address or one user
# name, further tries are refused with 429 and Retry-After (before any
# hashing) until the backoff passes; a right password then resets it.
# Sessions: one user cannot fill the slots (its oldest session ends beyond
# sessions_per_user) and a user ends only its own sessions (the Unix socket
# is the administrator).
set -uo pipefail
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostd-lib.sh"

port=$(h_free_port)
h_tls_files admin 'admin pass' bob 'bob pass'
h_tls_conf "$port" 'sessions_per_user: 3'
h_start --config "$H_TMP/hostd.conf" || { fail "hostd starts with TLS"; tap_done; exit 1; }
ok "hostd starts with TLS on 127.0.0.1:$port"
U=https://localhost:$port/redfish/v1
# C FROM-ADDRESS curl-args...: a request from a loopback address of our choice
C() { local from=$1; shift
      curl -s --cacert "$H_TMP/cert.pem" --resolve "localhost:$port:127.0.0.1" --interface "$from" \
          -o "$H_TMP/body" -D "$H_TMP/hdr" -w '%{http_code}' "$@"; }
retry_after() { tr -d '\r' < "$H_TMP/hdr" | sed -n 's/^Retry-After: //ip'; }
login() {  # login FROM USER PASSWORD: POST Sessions; the status in $code, the token in $tok, the URI in $loc
    code=$(C "$1" -H 'Content-Type: application/json' \
        --data "{\"UserName\": \"$2\", \"Password\": \"$3\"}" "$U/SessionService/Sessions")
    tok=$(tr -d '\r' < "$H_TMP/hdr" | sed -n 's/^X-Auth-Token: //p')
    loc=$(tr -d '\r' < "$H_TMP/hdr" | sed -n 's/^Location: //p')
}

codes=
for i in 1 2 3 4 5; do codes+="$(C 127.0.0.1 -u "admin:wrong-$i" "$U/Systems") "; done
check_eq "5 wrong passwords for admin from 127.0.0.1: 401 each" "401 401 401 401 401 " "$codes"
check_eq "the 6th try, even with the right password: 429" 429 "$(C 127.0.0.1 -u 'admin:admin pass' "$U/Systems")"
wait_s=$(retry_after)
check "with Retry-After in seconds ($wait_s)" test "${wait_s:-0}" -ge 1
check_contains "and a Redfish error (a Base registry MessageId)" '"Base.1.16.ServiceTemporarilyUnavailable"' "$(cat "$H_TMP/body")"
check_eq "the same user from another address (127.0.0.2): 429" 429 "$(C 127.0.0.2 -u 'admin:admin pass' "$U/Systems")"
check_eq "another user from the same address: 429" 429 "$(C 127.0.0.1 -u 'bob:bob pass' "$U/Systems")"
check_eq "a third user from a third address is not held up: 200" 200 "$(C 127.0.0.3 -u 'bob:bob pass' "$U/Systems")"
log=$(cat "$H_TMP/hostd.log")
check_contains "each failure is logged with the user and the client address" \
    "failed login for user 'admin' from 127.0.0.1" "$log"
check "and the password never is" test "$(grep -c 'wrong-' "$H_TMP/hostd.log")" = 0
h_req GET /metrics
check_contains "/metrics counts them" "hostd_login_failures_total 5" "$H_BODY"
check_contains "and the refused tries" "hostd_login_throttled_total 3" "$H_BODY"
sleep "$((wait_s + 1))"
check_eq "after Retry-After the right password works: 200" 200 "$(C 127.0.0.1 -u 'admin:admin pass' "$U/Systems")"
check_eq "and has reset the count (one more wrong one: 401)" 401 "$(C 127.0.0.1 -u 'admin:wrong-6' "$U/Systems")"

for i in 1 2 3 4 5; do login 127.0.0.4 nosuchuser "x$i"; done
login 127.0.0.4 nosuchuser x6
check_eq "session logins are throttled too: 429" 429 "$code"
check "with Retry-After" test -n "$(retry_after)"

# sessions_per_user: 3; the 4th login of bob ends bob's oldest session, not admin's
login 127.0.0.5 admin 'admin pass'
check_eq "admin logs in" 201 "$code"
admin_tok=$tok admin_loc=$loc
login 127.0.0.5 bob 'bob pass'; bob_first=$tok
login 127.0.0.5 bob 'bob pass'; login 127.0.0.5 bob 'bob pass'; login 127.0.0.5 bob 'bob pass'
check_eq "bob's 4th session: 201" 201 "$code"
bob_tok=$tok bob_loc=$loc
check_eq "bob's oldest session has ended: 401" 401 "$(C 127.0.0.5 -H "X-Auth-Token: $bob_first" "$U/Systems")"
check_eq "bob's newest works" 200 "$(C 127.0.0.5 -H "X-Auth-Token: $bob_tok" "$U/Systems")"
check_eq "admin's session is untouched" 200 "$(C 127.0.0.5 -H "X-Auth-Token: $admin_tok" "$U/Systems")"
check_eq "bob cannot end admin's session: 403" 403 \
    "$(C 127.0.0.5 -X DELETE -H "X-Auth-Token: $bob_tok" "https://localhost:$port$admin_loc")"
check_eq "admin's session still works" 200 "$(C 127.0.0.5 -H "X-Auth-Token: $admin_tok" "$U/Systems")"
check_eq "admin ends its own: 204" 204 "$(C 127.0.0.5 -X DELETE -H "X-Auth-Token: $admin_tok" "https://localhost:$port$admin_loc")"
h_req DELETE "$bob_loc"
check_eq "the Unix socket (administrator) ends bob's: 204" 204 "$H_STATUS"
check_eq "bob's token is gone: 401" 401 "$(C 127.0.0.5 -H "X-Auth-Token: $bob_tok" "$U/Systems")"
tap_done
