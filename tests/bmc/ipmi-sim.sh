#!/bin/bash
# ipmi-sim.sh start RUNDIR PASSWORD  -> starts OpenIPMI's ipmi_sim as a fake Dell
#   R630 BMC on a free UDP port of 127.0.0.1; prints the port; leaves
#   RUNDIR/ipmi_sim.pid, RUNDIR/power, RUNDIR/boot, RUNDIR/calls.log (every
#   chassis call, see ipmi/chassiscontrol.sh).
# ipmi-sim.sh stop RUNDIR            -> stops it by its recorded pid.
# Users: admin/PASSWORD and root/calvin. Exit 77 when ipmi_sim is missing.
set -euo pipefail
DIR=$(cd "$(dirname "$0")/ipmi" && pwd)
cmd=$1 RUN=$2
case $cmd in
start)
    PASSWORD=$3
    command -v ipmi_sim >/dev/null && command -v sdrcomp >/dev/null || { echo "ipmi_sim not installed (openipmi)" >&2; exit 77; }
    mkdir -p "$RUN/state/ipmi_sim/r630bmc"      # ipmi_sim appends ipmi_sim/<name> to -s
    echo 0 > "$RUN/power"; echo default > "$RUN/boot"; : > "$RUN/calls.log"
    python3 "$DIR/mkfru.py" "$RUN/fru0.bin" >/dev/null
    sdrcomp -o "$RUN/state/ipmi_sim/r630bmc/sdr.20.main" "$DIR/r630.sdrs"
    for try in 1 2 3 4 5; do
        PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        sed -e "s|@DIR@|$DIR|g" -e "s|@RUN@|$RUN|g" -e "s|@PORT@|$PORT|g" -e "s|@PASSWORD@|$PASSWORD|g" \
            -e '/^console /d' "$DIR/lan.conf.in" > "$RUN/lan.conf"
        sed -e "s|@RUN@|$RUN|g" "$DIR/r630.emu.in" > "$RUN/r630.emu"
        setsid ipmi_sim -n -c "$RUN/lan.conf" -f "$RUN/r630.emu" -s "$RUN/state" > "$RUN/ipmi_sim.log" 2>&1 < /dev/null &
        PID=$!
        echo $PID > "$RUN/ipmi_sim.pid"
        for i in $(seq 1 50); do
            kill -0 "$PID" 2>/dev/null || break
            if IPMI_PASSWORD=$PASSWORD ipmitool -I lanplus -H 127.0.0.1 -p "$PORT" -U admin -E -C 3 -N 1 -R 1 mc info >/dev/null 2>&1; then
                echo "$PORT"; exit 0
            fi
            sleep 0.1
        done
        kill "$PID" 2>/dev/null || true
    done
    echo "ipmi_sim did not come up:" >&2; cat "$RUN/ipmi_sim.log" >&2; exit 1 ;;
stop)
    [ -f "$RUN/ipmi_sim.pid" ] || exit 0
    PID=$(cat "$RUN/ipmi_sim.pid")
    if kill -0 "$PID" 2>/dev/null; then
        kill "$PID"
        for i in $(seq 1 25); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$PID" 2>/dev/null && kill -9 "$PID"
    fi
    rm -f "$RUN/ipmi_sim.pid" ;;
*) echo "usage: ipmi-sim.sh start RUNDIR PASSWORD | stop RUNDIR" >&2; exit 2 ;;
esac
