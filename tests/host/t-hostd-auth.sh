#!/bin/bash
# hostd's doors: TCP with TLS needs HTTP Basic or a Redfish session; no
# credentials, a wrong password, a deleted or idle-expired session: 401.
# The Unix socket lets in root and the socket's group only (SO_PEERCRED).
set -uo pipefail
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostd-lib.sh"

port=$(h_free_port)
h_tls_files admin 's3cret pass'
grp=$(getent group users | cut -d: -f1)
cat > "$H_TMP/hostd.conf" <<EOC
listen: "127.0.0.1:$port"
tls_cert: $H_TMP/cert.pem
tls_key: $H_TMP/key.pem
users_file: $H_TMP/users
session_timeout: 2
socket_mode: "0666"
socket_group: $grp
EOC
h_start --config "$H_TMP/hostd.conf" || { fail "hostd starts with TLS"; tap_done; exit 1; }
ok "hostd starts with TLS on 127.0.0.1:$port"
U=https://localhost:$port/redfish/v1
C=(curl -s --cacert "$H_TMP/cert.pem" --resolve "localhost:$port:127.0.0.1" -o "$H_TMP/body" -w '%{http_code}')

check_eq "the ServiceRoot is open (Redfish requires it)" 200 "$("${C[@]}" "$U")"
check_eq "Systems without credentials: 401" 401 "$("${C[@]}" "$U/Systems")"
check_eq "with a Redfish error saying why (NoValidSession)" "Base.1.16.NoValidSession" \
    "$(h_json 'd["error"]["@Message.ExtendedInfo"][0]["MessageId"]' < "$H_TMP/body")"
check_eq "a wrong password: 401" 401 "$("${C[@]}" -u 'admin:wrong' "$U/Systems")"
check_eq "an unknown user: 401" 401 "$("${C[@]}" -u 'root:s3cret pass' "$U/Systems")"
check_eq "HTTP Basic with the right password: 200" 200 "$("${C[@]}" -u 'admin:s3cret pass' "$U/Systems")"
check_eq "plain HTTP on the TLS port gets no answer" 000 \
    "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$port/redfish/v1")"

code=$("${C[@]}" -D "$H_TMP/hdr" -H 'Content-Type: application/json' \
    --data '{"UserName": "admin", "Password": "s3cret pass"}' "$U/SessionService/Sessions")
check_eq "POST Sessions logs in: 201" 201 "$code"
tok=$(tr -d '\r' < "$H_TMP/hdr" | sed -n 's/^X-Auth-Token: //p')
loc=$(tr -d '\r' < "$H_TMP/hdr" | sed -n 's/^Location: //p')
check "with an X-Auth-Token" test ${#tok} = 64
check_contains "and the session's URI" "/redfish/v1/SessionService/Sessions/" "$loc"
check_eq "the token opens Systems/host" 200 "$("${C[@]}" -H "X-Auth-Token: $tok" "$U/Systems/host")"
check_eq "a made-up token: 401" 401 "$("${C[@]}" -H "X-Auth-Token: ${tok%?}$([ "${tok: -1}" = 0 ] && echo 1 || echo 0)" "$U/Systems/host")"
check_eq "a login with a wrong password: 401" 401 "$("${C[@]}" -H 'Content-Type: application/json' --data '{"UserName": "admin", "Password": "x"}' "$U/SessionService/Sessions")"
check_eq "DELETE of the session URI logs out: 204" 204 "$("${C[@]}" -X DELETE -H "X-Auth-Token: $tok" "https://localhost:$port$loc")"
check_eq "the deleted session's token: 401" 401 "$("${C[@]}" -H "X-Auth-Token: $tok" "$U/Systems/host")"

"${C[@]}" -D "$H_TMP/hdr" -H 'Content-Type: application/json' --data '{"UserName": "admin", "Password": "s3cret pass"}' "$U/SessionService/Sessions" >/dev/null
tok=$(tr -d '\r' < "$H_TMP/hdr" | sed -n 's/^X-Auth-Token: //p')
check_eq "a new session works" 200 "$("${C[@]}" -H "X-Auth-Token: $tok" "$U/Systems")"
sleep 3.2
check_eq "after the idle timeout (2 s) its token is refused: 401" 401 "$("${C[@]}" -H "X-Auth-Token: $tok" "$U/Systems")"

# SIGHUP re-reads the users: a removed user can no longer log in
echo "other:$(openssl passwd -6 pw2)" > "$H_TMP/users"
kill -HUP "$H_PID"; sleep 0.5
check_eq "after SIGHUP a user removed from users_file: 401" 401 "$("${C[@]}" -u 'admin:s3cret pass' "$U/Systems")"
check_eq "and the new user works" 200 "$("${C[@]}" -u 'other:pw2' "$U/Systems")"

# the Unix socket: SO_PEERCRED (the socket is 0666 here so that the check is the daemon's)
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
    chmod 755 "$H_TMP"
    code=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
        curl -s -o /dev/null -w '%{http_code}' --unix-socket "$H_SOCK" http://localhost/redfish/v1/Systems)
    check_eq "a local user outside the socket's group: 403" 403 "$code"
    code=$(setpriv --reuid=nobody --regid="$grp" --clear-groups \
        curl -s -o /dev/null -w '%{http_code}' --unix-socket "$H_SOCK" http://localhost/redfish/v1/Systems)
    check_eq "a local user in the socket's group ($grp): 200" 200 "$code"
else
    skip "a local user outside the socket's group: 403" "no setpriv or no user nobody"
    skip "a local user in the socket's group: 200" "no setpriv or no user nobody"
fi
check_eq "root on the socket needs no password" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$H_SOCK" http://localhost/redfish/v1/Systems)"
tap_done
