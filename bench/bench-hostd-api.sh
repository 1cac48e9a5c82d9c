#!/bin/bash
# bench-hostd-api.sh — requests per second and p99 latency of
# GET .../Storage/md/Volumes under many concurrent clients (wrk), hostd's
# peak RSS under that load, and in the same run the same wrk against a stock
# HTTP server (busybox httpd) serving the same bytes as a static file.
# Goals: >= 10 000 req/s on 2 cores, RSS < 10 MiB.
# TCP on loopback without TLS (wrk speaks no Unix socket), session token auth;
# then the same wrk with HTTP Basic on every request, and the ratio
# session / Basic (goal: Basic within 2x of a session, that is ratio <= 2).
# With HOSTD_BEFORE (another hostd binary, e.g. main's) the session and Basic
# runs are repeated against it in the same run, for a before/after.
# TLS=1: hostd serves HTTPS (a self-signed certificate), as in production.
# Env: HOSTD (binary), HOSTD_BEFORE, TLS (0), CONNS (64), SECS (10), THREADS (2).
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
HOSTD=${HOSTD:-$TOP/build/hostd}
CONNS=${CONNS:-64} SECS=${SECS:-10} THREADS=${THREADS:-2}
command -v wrk >/dev/null || { echo "SKIP: wrk is not installed (apt-get install wrk)"; exit 0; }
command -v busybox >/dev/null || { echo "SKIP: busybox is not installed"; exit 0; }
HOSTD_BEFORE=${HOSTD_BEFORE:-}
tmp=$(mktemp -d) pid= bpid= opid=
trap '[ -n "$pid" ] && kill "$pid"; [ -n "$bpid" ] && kill "$bpid"; [ -n "$opid" ] && kill "$opid"; wait; rm -rf "$tmp"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port) bport=$(free_port)
echo "bench:$(openssl passwd -6 bench)" > "$tmp/users"; chmod 600 "$tmp/users"
basic="Authorization: Basic $(printf 'bench:bench' | base64)"
TLS=${TLS:-0} scheme=http tls_conf='tls: false' CURL=(curl -s)
if [ "$TLS" = 1 ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 -subj /CN=127.0.0.1 \
        -addext subjectAltName=IP:127.0.0.1 2>/dev/null
    scheme=https tls_conf="tls_cert: $tmp/cert.pem
tls_key: $tmp/key.pem"
    CURL+=(--cacert "$tmp/cert.pem")
fi
start_hostd() {  # start_hostd BINARY PORT DIR: prints the pid once it answers
    mkdir -p "$3"
    printf 'listen: "127.0.0.1:%s"\n%s\nusers_file: %s\n' "$2" "$tls_conf" "$tmp/users" > "$3/hostd.conf"
    "$1" --foreground --config "$3/hostd.conf" --socket "$3/s" --state-dir "$3/state" --pid-file "$3/pid" \
        --log-level warning >/dev/null 2>"$3/log" &
    local p=$!
    for _ in $(seq 50); do "${CURL[@]}" -o /dev/null "$scheme://127.0.0.1:$2/redfish/v1" && break; sleep 0.1; done
    echo "$p"
}
login() {  # login PORT: a session token
    "${CURL[@]}" -D - -o /dev/null -H 'Content-Type: application/json' --data '{"UserName":"bench","Password":"bench"}' \
        "$scheme://127.0.0.1:$1/redfish/v1/SessionService/Sessions" | tr -d '\r' | sed -n 's/^X-Auth-Token: //p'
}
pid=$(start_hostd "$HOSTD" "$port" "$tmp/new")
tok=$(login "$port")
P=/redfish/v1/Systems/host/Storage/md/Volumes
"${CURL[@]}" -H "X-Auth-Token: $tok" "$scheme://127.0.0.1:$port$P" > "$tmp/www.json"
[ -s "$tmp/www.json" ] || { echo "hostd did not answer"; cat "$tmp/new/log"; exit 1; }
echo "response: $(wc -c < "$tmp/www.json") bytes: $(head -c 120 "$tmp/www.json")"

peak_rss() {  # sample VmRSS of $1 every 0.1 s while wrk runs; print the max in KiB
    local max=0 v
    while kill -0 "$2" 2>/dev/null; do
        v=$(awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0)
        [ "${v:-0}" -gt "$max" ] && max=$v
        sleep 0.1
    done
    echo "$max"
}
run_wrk() {  # run_wrk URL [header] -> prints "rps p99"
    local out
    wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency ${2:+-H "$2"} "$1" > "$tmp/wrk.out" 2>&1 &
    local w=$!
    [ -n "${3:-}" ] && peak_rss "$3" "$w" > "$tmp/rss"
    wait "$w"
    out=$(cat "$tmp/wrk.out")
    local rps p99 non2xx
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
    echo "$rps $p99 ${non2xx:-0}"
}
read -r h_rps h_p99 h_bad < <(run_wrk "$scheme://127.0.0.1:$port$P" "X-Auth-Token: $tok" "$pid")
rss=$(cat "$tmp/rss")
read -r hb_rps hb_p99 hb_bad < <(run_wrk "$scheme://127.0.0.1:$port$P" "$basic")
if [ -n "$HOSTD_BEFORE" ]; then
    oport=$(free_port)
    opid=$(start_hostd "$HOSTD_BEFORE" "$oport" "$tmp/before")
    otok=$(login "$oport")
    read -r o_rps o_p99 o_bad < <(run_wrk "$scheme://127.0.0.1:$oport$P" "X-Auth-Token: $otok")
    read -r ob_rps ob_p99 ob_bad < <(run_wrk "$scheme://127.0.0.1:$oport$P" "$basic")
    kill "$opid"; wait "$opid" 2>/dev/null; opid=
fi
mkdir -p "$tmp/www"; cp "$tmp/www.json" "$tmp/www/Volumes"
busybox httpd -f -p "127.0.0.1:$bport" -h "$tmp/www" & bpid=$!
sleep 0.3
read -r b_rps b_p99 b_bad < <(run_wrk "http://127.0.0.1:$bport/Volumes")
echo "wrk -t$THREADS -c$CONNS -d${SECS}s GET $scheme://...$P"
printf '%-34s %10s req/s  p99 %8s  non-2xx %s\n' "hostd (session token)" "$h_rps" "$h_p99" "$h_bad"
printf '%-34s %10s req/s  p99 %8s  non-2xx %s\n' "hostd (HTTP Basic)" "$hb_rps" "$hb_p99" "$hb_bad"
printf '%-34s %10s req/s  p99 %8s  non-2xx %s\n' "busybox httpd, same bytes (static)" "$b_rps" "$b_p99" "$b_bad"
if [ -n "$HOSTD_BEFORE" ]; then
    printf '%-34s %10s req/s  p99 %8s  non-2xx %s\n' "before: hostd (session token)" "$o_rps" "$o_p99" "$o_bad"
    printf '%-34s %10s req/s  p99 %8s  non-2xx %s\n' "before: hostd (HTTP Basic)" "$ob_rps" "$ob_p99" "$ob_bad"
    awk -v a="$o_rps" -v b="$ob_rps" 'BEGIN { if (b > 0) printf "before: ratio session / Basic: %.2f\n", a / b }'
fi
awk -v a="$h_rps" -v b="$hb_rps" 'BEGIN { if (b > 0) printf "ratio session / Basic: %.2f; goal <= 2: %s\n", a / b, (a / b <= 2 ? "met" : "NOT met") }' 
awk -v a="$h_rps" -v b="$b_rps" 'BEGIN { if (b > 0) printf "ratio hostd / busybox httpd: %.2f\n", a / b }'
printf 'hostd peak RSS under load: %d KiB (%.1f MiB); goal < 10 MiB\n' "$rss" "$(echo "$rss / 1024" | bc -l)"
awk -v a="$h_rps" 'BEGIN { printf "goal >= 10000 req/s: %s\n", (a >= 10000 ? "met" : "NOT met") }'
