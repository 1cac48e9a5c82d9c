#!/bin/bash
# bench-bmc.sh — power status of N BMCs (default 50) on loopback:
#   Redfish: N test services (tests/bmc/redfish_service.py, HTTPS), hostctl
#            with all N in flight against one `curl` at a time (the baseline
#            knows the system's URL, so it does 1 GET where hostctl does root,
#            session, Systems, system, logout);
#   IPMI:    N ipmi_sim, hostctl in parallel against one `ipmitool` at a time.
# Prints both times and the ratio. Timings never decide a test.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
H=${HOSTCTL:-$TOP/build/hostctl}
N=${BMC_BENCH_N:-50}
T=$(mktemp -d)
SIMS=()
cleanup() {
    for i in $(seq 0 4); do "$TOP/tests/bmc/redfish-service.sh" stop "$T/rf$i"; done
    for s in "${SIMS[@]}"; do "$TOP/tests/bmc/ipmi-sim.sh" stop "$s"; done
    rm -rf "$T"
}
trap cleanup EXIT
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
ratio() { python3 -c "import sys; print('%.1fx' % (float(sys.argv[1]) / max(float(sys.argv[2]), 1)))" "$1" "$2"; }

# ---- Redfish: N services in 5 processes
mkdir -p "$T/bmc.d"
per=$(( (N + 4) / 5 ))
ports=()
for i in $(seq 0 4); do
    n=$(( N - i * per )); [ $n -gt $per ] && n=$per; [ $n -le 0 ] && break
    mkdir -p "$T/rf$i"; [ $i = 0 ] || cp "$T/rf0/cert."* "$T/rf0/other."* "$T/rf$i/" 2>/dev/null
    mapfile -t p < <("$TOP/tests/bmc/redfish-service.sh" start "$T/rf$i" --count "$n")
    ports+=("${p[@]}")
done
[ ${#ports[@]} = "$N" ] || { echo "only ${#ports[@]} of $N Redfish services started"; exit 1; }
: > "$T/names"
for i in "${!ports[@]}"; do
    printf 'address: https://127.0.0.1:%s\nuser: root\npassword: "calvin"\nca_file: %s\n' "${ports[$i]}" "$T/rf0/cert.pem" > "$T/bmc.d/rf$i.yaml"
    chmod 600 "$T/bmc.d/rf$i.yaml"; echo "rf$i" >> "$T/names"
done
printf 'machine 127.0.0.1 login root password calvin\n' > "$T/netrc"; chmod 600 "$T/netrc"

t0=$(now)
out=$("$H" bmc --config-dir "$T/bmc.d" --bmc-file "$T/names" --parallel "$N" power status)
t1=$(now)
par=$(ms "$t0" "$t1"); okp=$(grep -c ': off$' <<<"$out")
t0=$(now); okc=0
for p in "${ports[@]}"; do
    curl -s --cacert "$T/rf0/cert.pem" --netrc-file "$T/netrc" "https://127.0.0.1:$p/redfish/v1/Systems/437XR1138R2" | grep -q '"PowerState": "Off"' && okc=$((okc + 1))
done
t1=$(now); seq_curl=$(ms "$t0" "$t1")
t0=$(now); oks=0
while read -r name; do
    [ "$("$H" bmc --config-dir "$T/bmc.d" --bmc "$name" power status)" = off ] && oks=$((oks + 1))
done < "$T/names"
t1=$(now); seq_h=$(ms "$t0" "$t1")
echo "Redfish power status of $N BMCs:"
echo "  hostctl, $N in parallel:       ${par} ms   ($okp answered)"
echo "  curl, one at a time (1 GET):   ${seq_curl} ms   ($okc answered)   ratio $(ratio "$seq_curl" "$par")"
echo "  hostctl, one at a time:        ${seq_h} ms   ($oks answered)   ratio $(ratio "$seq_h" "$par")"

# ---- IPMI: N ipmi_sim
if command -v ipmi_sim >/dev/null; then
    : > "$T/inames"
    for i in $(seq 1 "$N"); do
        SIMS+=("$T/sim$i")
        ( "$TOP/tests/bmc/ipmi-sim.sh" start "$T/sim$i" pw > "$T/sim$i.port" ) &
    done
    wait
    for i in $(seq 1 "$N"); do
        printf 'address: ipmi://127.0.0.1:%s\nuser: admin\npassword: "pw"\n' "$(cat "$T/sim$i.port")" > "$T/bmc.d/ip$i.yaml"
        chmod 600 "$T/bmc.d/ip$i.yaml"; echo "ip$i" >> "$T/inames"
    done
    t0=$(now)
    out=$("$H" bmc --config-dir "$T/bmc.d" --bmc-file "$T/inames" --parallel "$N" power status)
    t1=$(now); par=$(ms "$t0" "$t1"); okp=$(grep -c ': off$' <<<"$out")
    t0=$(now); oki=0
    for i in $(seq 1 "$N"); do
        IPMI_PASSWORD=pw ipmitool -I lanplus -H 127.0.0.1 -p "$(cat "$T/sim$i.port")" -U admin -E -C 3 chassis power status | grep -q off && oki=$((oki + 1))
    done
    t1=$(now); seq_i=$(ms "$t0" "$t1")
    echo "IPMI power status of $N BMCs:"
    echo "  hostctl, $N in parallel:       ${par} ms   ($okp answered)"
    echo "  ipmitool, one at a time:       ${seq_i} ms   ($oki answered)   ratio $(ratio "$seq_i" "$par")"
else
    echo "IPMI: skipped (ipmi_sim not installed)"
fi
