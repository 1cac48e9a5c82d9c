# hostd-lib.sh — sourced by the t-hostd-*.sh tests: start hostd on a temp
# socket (and port) with a temp state dir, stop it by pid on any exit.
HOSTD=${HOSTD:?HOSTD must name the hostd binary}
HOSTCTL=${HOSTCTL:-}
H_TMP=$(mktemp -d)
H_PID=
h_cleanup() { [ -n "$H_PID" ] && { kill -9 "$H_PID"; wait "$H_PID"; } 2>/dev/null; rm -rf "$H_TMP"; }
trap h_cleanup EXIT
H_SOCK=$H_TMP/hostd.sock
# h_start [--config FILE]: start and wait until the socket answers
h_start() {
    "$HOSTD" --foreground --socket "$H_SOCK" --state-dir "$H_TMP/state" --pid-file "$H_TMP/hostd.pid" "$@" \
        2>>"$H_TMP/hostd.log" &
    H_PID=$!
    local i
    for i in $(seq 100); do
        curl -s -o /dev/null --unix-socket "$H_SOCK" http://localhost/redfish/v1 && return 0
        kill -0 "$H_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "# hostd did not come up:"; sed 's/^/#   /' "$H_TMP/hostd.log"; return 1
}
h_stop() { [ -n "$H_PID" ] && kill -TERM "$H_PID" && wait "$H_PID"; local rc=$?; H_PID=; return $rc; }
# h_get PATH: body on stdout; the status code in $H_STATUS
# (a body goes as application/json, as hostd requires, unless the args name a Content-Type)
h_req() {  # h_req METHOD PATH [curl args...]
    local m=$1 p=$2; shift 2
    local ct=(-H 'Content-Type: application/json')
    case "${*,,}" in *content-type:*) ct=() ;; esac
    H_STATUS=$(curl -s -o "$H_TMP/body" -w '%{http_code}' -X "$m" --unix-socket "$H_SOCK" "${ct[@]}" "$@" "http://localhost$p")
    H_BODY=$(cat "$H_TMP/body")
}
# h_tls_files USER PASSWORD [USER PASSWORD...]: a self-signed cert.pem/key.pem
# for localhost and a users file (mode 0600, as hostd requires) in $H_TMP
h_tls_files() {
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$H_TMP/key.pem" -out "$H_TMP/cert.pem" -days 2 \
        -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
    : > "$H_TMP/users"; chmod 600 "$H_TMP/users"
    while [ $# -ge 2 ]; do echo "$1:$(openssl passwd -6 "$2")" >> "$H_TMP/users"; shift 2; done
}
# h_tls_conf PORT [LINE...]: $H_TMP/hostd.conf for TLS on 127.0.0.1:PORT with
# those files, and the extra lines
h_tls_conf() {
    printf 'listen: "127.0.0.1:%s"\ntls_cert: %s\ntls_key: %s\nusers_file: %s\n' \
        "$1" "$H_TMP/cert.pem" "$H_TMP/key.pem" "$H_TMP/users" > "$H_TMP/hostd.conf"
    shift; [ $# = 0 ] || printf '%s\n' "$@" >> "$H_TMP/hostd.conf"
}
# a free TCP port on loopback
h_free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# jq-less JSON field: h_json 'expr' reads JSON on stdin, prints python's eval of expr on d
h_json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# h_webhook FILE: a webhook receiver on a free port of 127.0.0.1 that writes
# each POSTed body as one line of FILE; sets R_PORT and R_PID (the caller
# kills it)
h_webhook() {
    R_PORT=$(h_free_port)
    : >"$1"
    python3 -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(sys.argv[2], "ab") as f:
            f.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(204); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
' "$R_PORT" "$1" &
    R_PID=$!
}
