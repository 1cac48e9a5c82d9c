#!/bin/bash
# redfish-service.sh start RUNDIR [redfish_service.py options...]
#   makes a certificate for 127.0.0.1 (RUNDIR/cert.pem, once per RUNDIR; also
#   RUNDIR/other.pem, a certificate that did not sign it), starts the service
#   in the background and prints its port(s), one a line. Defaults: the
#   public-rackmount1 mockup, user root, password calvin, log RUNDIR/requests.log.
# redfish-service.sh stop RUNDIR   -> stops it by its recorded pid.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
cmd=$1 RUN=$2; shift 2
case $cmd in
start)
    mkdir -p "$RUN"
    for c in cert other; do
        [ -f "$RUN/$c.pem" ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
            -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
            -keyout "$RUN/$c.key" -out "$RUN/$c.pem" 2>/dev/null
    done
    rm -f "$RUN/ports"
    setsid python3 "$HERE/redfish_service.py" --root "$HERE/../fixtures/redfish/public-rackmount1" \
        --cert "$RUN/cert.pem" --key "$RUN/cert.key" --port-file "$RUN/ports" --log "$RUN/requests.log" "$@" \
        > "$RUN/service.log" 2>&1 < /dev/null &
    echo $! > "$RUN/service.pid"
    for i in $(seq 1 100); do
        [ -f "$RUN/ports" ] && { cat "$RUN/ports"; exit 0; }
        kill -0 "$(cat "$RUN/service.pid")" 2>/dev/null || break
        sleep 0.05
    done
    echo "the Redfish test service did not start:" >&2; cat "$RUN/service.log" >&2; exit 1 ;;
stop)
    [ -f "$RUN/service.pid" ] || exit 0
    PID=$(cat "$RUN/service.pid")
    kill "$PID" 2>/dev/null && for i in $(seq 1 25); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$PID" 2>/dev/null || true
    rm -f "$RUN/service.pid" ;;
*) echo "usage: redfish-service.sh start RUNDIR [options] | stop RUNDIR" >&2; exit 2 ;;
esac
