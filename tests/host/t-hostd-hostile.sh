#!/bin/bash
# hostd against a hostile client and a careless admin: secrets readable by
# others are refused, plain HTTP off loopback is warned about, TLS below 1.2
# and static-RSA ciphers are refused, Basic credentials are compared whole
# (a NUL does not cut the password) with the scheme in any case, and an
# unauthenticated request is answered before its body is read.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostd-lib.sh"

port=$(h_free_port)
h_tls_files admin 's3cret pass'
conf() {  # conf EXTRA-LINES...: hostd.conf with TLS on 127.0.0.1:$port
    printf 'listen: "127.0.0.1:%s"\ntls_cert: %s\ntls_key: %s\nusers_file: %s\nmax_body: 8388608\n' \
        "$port" "$H_TMP/cert.pem" "$H_TMP/key.pem" "$H_TMP/users" > "$H_TMP/hostd.conf"
    printf '%s\n' "$@" >> "$H_TMP/hostd.conf"
}
# refused_start WHAT: hostd must not start; its error names the file and the fix
refused_start() {
    : > "$H_TMP/hostd.log"
    timeout 10 "$HOSTD" --foreground --socket "$H_SOCK" --state-dir "$H_TMP/state" --config "$H_TMP/hostd.conf" \
        2>>"$H_TMP/hostd.log"
    local rc=$?
    check "hostd refuses to start with a $1 others can read (exit $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
    check_contains "and says which file and how to fix it" "$1 $2 is open to every local user (mode 0644): chmod o-rwx $2" \
        "$(cat "$H_TMP/hostd.log")"
}

conf; chmod 644 "$H_TMP/users"
refused_start "users file" "$H_TMP/users"
chmod 600 "$H_TMP/users"; chmod 644 "$H_TMP/key.pem"
refused_start "TLS key" "$H_TMP/key.pem"
chmod 600 "$H_TMP/key.pem"

wport=$(h_free_port)
printf 'listen: "0.0.0.0:%s"\ntls: false\nusers_file: %s\n' "$wport" "$H_TMP/users" > "$H_TMP/plain.conf"
: > "$H_TMP/hostd.log"
h_start --config "$H_TMP/plain.conf" && h_stop
check_contains "plain HTTP off loopback is warned about" "listen 0.0.0.0:$wport without TLS: passwords and session tokens cross the network in clear text" \
    "$(cat "$H_TMP/hostd.log")"
: > "$H_TMP/hostd.log"
printf 'listen: "127.0.0.1:%s"\ntls: false\nusers_file: %s\n' "$wport" "$H_TMP/users" > "$H_TMP/plain.conf"
h_start --config "$H_TMP/plain.conf" && h_stop
check "plain HTTP on loopback is not" test -z "$(grep 'without TLS' "$H_TMP/hostd.log")"

conf
h_start --config "$H_TMP/hostd.conf" || { fail "hostd starts with TLS"; tap_done; exit 1; }
tls() { echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" "$@" 2>&1; }
# the client is let offer what Debian's OpenSSL would not (SECLEVEL=0), so
# that only the server's policy decides
refused() { case $1 in *"Cipher is (NONE)"*) return 0 ;; *"Cipher is "*) return 1 ;; *) return 0 ;; esac; }
out=$(tls -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'); check "TLS 1.1 is refused: $(grep -o 'Cipher is.*' <<<"$out")" refused "$out"
out=$(tls -tls1 -cipher 'DEFAULT:@SECLEVEL=0'); check "TLS 1.0 is refused: $(grep -o 'Cipher is.*' <<<"$out")" refused "$out"
out=$(tls -tls1_2 -cipher 'AES128-SHA256:@SECLEVEL=0'); check "static-RSA key exchange over TLS 1.2 is refused" refused "$out"
out=$(tls -tls1_2 -cipher 'ECDHE-RSA-AES128-SHA256:@SECLEVEL=0'); check "a CBC cipher over TLS 1.2 is refused" refused "$out"
out=$(tls -tls1_2); check_contains "TLS 1.2 with ECDHE and AES-GCM is served" "Cipher is ECDHE-RSA-AES" "$out"
check_contains "with an AEAD cipher" "GCM" "$(grep 'Cipher is' <<<"$out")"
out=$(tls -tls1_3); check_contains "TLS 1.3 is served" "TLSv1.3" "$out"

U=https://localhost:$port/redfish/v1
C=(curl -s --cacert "$H_TMP/cert.pem" --resolve "localhost:$port:127.0.0.1" -o "$H_TMP/body" -w '%{http_code}')
b64() { printf "$1" | base64 -w0; }
check_eq "Basic with the right password: 200" 200 "$("${C[@]}" -H "Authorization: Basic $(b64 'admin:s3cret pass')" "$U/Systems")"
check_eq "the scheme in lower case (RFC 7617): 200" 200 "$("${C[@]}" -H "Authorization: basic $(b64 'admin:s3cret pass')" "$U/Systems")"
check_eq "the scheme in upper case: 200" 200 "$("${C[@]}" -H "Authorization: BASIC $(b64 'admin:s3cret pass')" "$U/Systems")"
check_eq "the right password with a NUL and more after it: 401" 401 \
    "$("${C[@]}" -H "Authorization: Basic $(b64 'admin:s3cret pass\0junk')" "$U/Systems")"
check_eq "a password cut short: 401" 401 "$("${C[@]}" -H "Authorization: Basic $(b64 'admin:s3cret')" "$U/Systems")"
check_eq "not base64: 401" 401 "$("${C[@]}" -H "Authorization: Basic !!!!" "$U/Systems")"

AUTH=(-u 'admin:s3cret pass')
code=$("${C[@]}" "${AUTH[@]}" --data '{"Destination": "http://127.0.0.1:9/x"}' "$U/EventService/Subscriptions")
check_eq "a write whose body is a form post (curl's default type): 415" 415 "$code"
check_contains "saying which header" "Header 'Content-Type' is invalid" "$(cat "$H_TMP/body")"
code=$("${C[@]}" "${AUTH[@]}" -H 'Content-Type: text/plain' --data '{}' "$U/EventService/Subscriptions")
check_eq "a write whose body is text/plain: 415" 415 "$code"
code=$("${C[@]}" "${AUTH[@]}" -H 'Content-Type: application/json; charset=utf-8' \
    --data '{"Destination": "http://127.0.0.1:9/x"}' "$U/EventService/Subscriptions")
check_eq "application/json with a charset: 201" 201 "$code"
code=$("${C[@]}" "${AUTH[@]}" -X DELETE "https://localhost:$port$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["@odata.id"])' "$H_TMP/body")")
check_eq "a write without a body needs no Content-Type (DELETE): 204" 204 "$code"

# An unauthenticated POST that announces 8 MiB and sends none of it is
# answered at once: the body is never waited for, nor kept.
early=$(python3 - "$port" "$H_TMP/cert.pem" <<'PY'
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="localhost")
s.sendall(b"POST /redfish/v1/EventService/Subscriptions HTTP/1.1\r\nHost: localhost\r\n"
          b"Content-Type: application/json\r\nContent-Length: 8388608\r\n\r\n")
s.settimeout(5)
try:
    print(s.recv(64).decode(errors="replace").split("\r\n")[0])
except socket.timeout:
    print("no answer in 5 s")
PY
)
check_eq "an unauthenticated POST is answered before its body" "HTTP/1.1 401 Unauthorized" "$early"

rss() { awk '/^VmRSS/ {print $2}' "/proc/$H_PID/status"; }
before=$(rss)
python3 - "$port" "$H_TMP/cert.pem" <<'PY'
import socket, ssl, sys, threading
ctx = ssl.create_default_context(cafile=sys.argv[2])
def flood():
    try:
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10), server_hostname="localhost")
        s.sendall(b"POST /redfish/v1/EventService/Subscriptions HTTP/1.1\r\nHost: localhost\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 8388608\r\n\r\n")
        chunk = b"x" * 65536
        for _ in range(128):
            s.sendall(chunk)
    except OSError:
        pass   # answered 401 and closed: what is wanted
threads = [threading.Thread(target=flood) for _ in range(40)]
for t in threads: t.start()
for t in threads: t.join()
PY
after=$(rss)
check "40 unauthenticated 8 MiB bodies leave RSS within 32 MiB of before (${before} -> ${after} KiB)" \
    test $((after - before)) -lt 32768
check_eq "and hostd still answers" 200 "$("${C[@]}" -u 'admin:s3cret pass' "$U/Systems")"

h_stop
conf 'tls_priorities: "SECURE128:-VERS-ALL:+VERS-TLS1.2:-RSA"'
h_start --config "$H_TMP/hostd.conf" || fail "hostd starts with tls_priorities"
out=$(tls -tls1_3); check "tls_priorities narrows the policy: TLS 1.3 refused" refused "$out"
out=$(tls -tls1_2); check_contains "and TLS 1.2 served" "Cipher is ECDHE" "$out"
tap_done
