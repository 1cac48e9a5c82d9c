#!/bin/bash
# run-tests.sh [unit] [host] [lab] — run the test suites and count their TAP.
# Every test program prints TAP: "ok N - what", "not ok N - what",
# "ok N - what # SKIP why" (cmocka through CMOCKA_MESSAGE_OUTPUT=TAP).
# A program that dies without saying "not ok", or whose plan line does not
# match what it reported, counts as one failure more. The host tests named in
# PARALLEL_SAFE run two at a time (they use only temp dirs and free loopback
# ports); the others, which start containerd or libvirtd, use loop devices or
# load the machine on purpose, run alone. The lab runs one guest at a time.
# When both host and lab run (make check), the lab's guests (one at a time)
# run beside the host suite, which then runs one test at a time. The host
# tests that time themselves against the clock or load the machine on
# purpose (AFTER_LAB), and those that boot a QEMU guest of their own (they
# take the lab's lock), wait until the lab is done. OVERLAP_LAB=0 runs the
# lab after the host suite instead. The lab starts first, before the unit
# suite, so that a guest is busy from the first minute. The lab is the long
# pole, so it has the machine first: what runs beside it (the unit and host
# suites, PREPARE) runs under `nice -n $BESIDE_LAB_NICE` (10), and its
# guests get two vCPUs (LAB_SMP_FILE holds LAB_SMP_BESIDE_HOST, 2, unless
# LAB_SMP is set). A TCG guest keeps ~1.1 cores busy on average (t-firstboot
# alone: 815 CPU-s in 726 s), so the host tests still get most of a core.
# (Measured before: at equal priority a second vCPU only competed with the
# host test and spun when its lock holder was descheduled: the lab tests
# beside the host suite took 955 s with one vCPU, 1060 s with two; alone,
# t-firstboot took 701 s with two, 865 s with one.)
# PREPARE (make check: tests/prepare-check.sh) builds what the slower tests
# need besides the binaries (the package, the installer image, the lab's
# root filesystem) in the background from the start; a test whose script
# names HOSTD_DEB or HOSTD_INSTALLER waits for it, and the lab runs those
# tests last (t-firstboot at the very end: LAB_LAST).
# The last lines are the ten slowest tests and
# "N passed, N failed, N skipped"; the exit status is 0 only with 0 failed.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
export TOP BUILD HOSTCTL=${HOSTCTL:-$BUILD/hostctl} HOSTD=${HOSTD:-$BUILD/hostd}
export CMOCKA_MESSAGE_OUTPUT=TAP
LOGS=$BUILD/test-logs
mkdir -p "$LOGS"
rm -f "$LOGS"/*.sum "$LOGS"/*.report
PARALLEL_SAFE=" t-cli t-layers t-fuzz t-download t-bmc-bad t-bmc-ipmi t-bmc-redfish t-vm-cli t-hostd t-hostd-api "
PARALLEL_SAFE+=" t-hostd-dsp0266 t-hostd-schemas t-hostd-logins t-hostd-subscriptions t-hostd-health t-bmc-awkward t-hostd-auth t-hostd-clients t-hostd-hostile t-hostd-state t-hostd-vms t-json-errors t-hostd-dell t-disks-from t-disks-health "
AFTER_LAB=" t-hostd-slow-clients t-hostd-usernames t-hostd-test-events t-hostd-reload "
passed=0 failed=0 skipped=0
failures=()
lab_pid="" prepare_pid=""

# PREPARE in the background; its exit status lands in $PREPARED
PREPARED=$LOGS/prepare.rc
rm -f "$PREPARED"
start_prepare() {
    [ -n "${PREPARE:-}" ] || return 0
    ( "${BESIDE_LAB[@]}" "$PREPARE" > "$LOGS/prepare.log" 2>&1 < /dev/null; rc=$?; times > "$LOGS/prepare.times"; echo $rc > "$PREPARED" ) &
    prepare_pid=$!
}
needs_prepared() { grep -qE 'HOSTD_DEB|HOSTD_INSTALLER' "$1"; }
await_prepared() {
    [ -n "${PREPARE:-}" ] || return 0
    while [ ! -s "$PREPARED" ]; do sleep 1; done
}
report_prepare() {
    [ -n "${PREPARE:-}" ] || return 0
    await_prepared
    echo "== prepared (exit $(cat "$PREPARED"), cpu $(cpu_seconds "$LOGS/prepare.times") s)"
    sed 's/^/  /' "$LOGS/prepare.log"
}
# host_jobs: how many host tests run in the background (not the lab, not PREPARE)
host_jobs() { jobs -rp | grep -vcxF -e "${lab_pid:-none}" -e "${prepare_pid:-none}"; }

# run_one NAME COMMAND...: run, count, and leave NAME's line (and its details
# when something failed) in $LOGS/<name>.report, its counts in <name>.sum
run_one() {
    local name=$1; shift
    local base=$LOGS/${name//\//_} t0 rc
    if [[ ${!#} == *.sh ]] && needs_prepared "${!#}"; then await_prepared; fi
    t0=$(date +%s)
    # (in a subshell whose `times` gives the CPU the test and its children used)
    local prio=("${BESIDE_LAB[@]}")
    [[ $name != lab/* ]] || prio=()
    ( "${prio[@]}" "$@" >"$base.log" 2>&1 </dev/null; rc=$?; times > "$base.times"; exit $rc )
    rc=$?
    local ok notok skip plan secs
    secs=$(( $(date +%s) - t0 ))
    skip=$(grep -cE '^ok [0-9]+.*# (SKIP|skip)' "$base.log")
    ok=$(grep -cE '^ok [0-9]+' "$base.log")
    ok=$((ok - skip))
    notok=$(grep -cE '^not ok [0-9]+' "$base.log")
    plan=$(grep -oE '^1\.\.[0-9]+' "$base.log" | head -n1 | cut -d. -f3)
    local extra=0 why=""
    if [ "$rc" != 0 ] && [ "$notok" = 0 ]; then extra=1; why="exited $rc without a failing test"; fi
    if [ -n "$plan" ] && [ "$plan" != $((ok + skip + notok)) ]; then extra=1; why="planned $plan tests, reported $((ok + skip + notok))"; fi
    if [ -z "$plan" ] && [ $((ok + skip + notok)) = 0 ]; then extra=1; why="reported no test"; fi
    {
        printf '%-34s %3d passed %3d failed %3d skipped  %4ss\n' "$name" "$ok" $((notok + extra)) "$skip" "$secs"
        grep -E '^ok [0-9]+.*# (SKIP|skip)' "$base.log" | sed 's/^/    /'
        if [ $((notok + extra)) != 0 ]; then
            grep -E '^not ok' "$base.log" | sed 's/^/    /'
            [ -n "$why" ] && echo "    $name: $why"
            echo "    --- last lines of $base.log:"; tail -n 25 "$base.log" | sed 's/^/    | /'
        fi
    } > "$base.report"
    echo "$ok $((notok + extra)) $skip $secs $name $(cpu_seconds "$base.times")" > "$base.sum"
}

# cpu_seconds TIMES: the user+system seconds of the children line of `times`
cpu_seconds() {
    sed -n 2p "$1" 2> /dev/null | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); t += p[1] * 60 + p[2] } printf "%d\n", t }'
}

# report NAME: print what run_one left and add it to the totals
report() {
    local base=$LOGS/${1//\//_} ok bad skip secs
    cat "$base.report"
    read -r ok bad skip secs _ < "$base.sum"
    passed=$((passed + ok)); failed=$((failed + bad)); skipped=$((skipped + skip))
    [ "$bad" = 0 ] || failures+=("$1")
}

# the lab's tests, those that need PREPARE's output last
# and t-firstboot, the longest, at the very end: the host suite is done by
# then, and a guest beside it ran much slower (its installer boot, power on
# to installed: 202 s alone, 360 s beside the host suite)
LAB_LAST=" t-firstboot "
lab_tests() {
    local t n
    for t in "$TOP"/tests/lab/t-*.sh; do [ -f "$t" ] && ! needs_prepared "$t" && echo "$t"; done
    for t in "$TOP"/tests/lab/t-*.sh; do
        n=$(basename "$t" .sh)
        [ -f "$t" ] && needs_prepared "$t" && [[ $LAB_LAST != *" $n "* ]] && echo "$t"
    done
    for n in $LAB_LAST; do [ -f "$TOP/tests/lab/$n.sh" ] && echo "$TOP/tests/lab/$n.sh"; done
}
run_lab() {
    local t
    for t in $(lab_tests); do run_one "lab/$(basename "$t" .sh)" bash "$t"; done
}
report_lab() {
    local t
    for t in $(lab_tests); do report "lab/$(basename "$t" .sh)"; done
}

# host_one PATH: run one host test in the foreground and report it
host_one() { run_one "host/$(basename "$1" .sh)" bash "$1"; report "host/$(basename "$1" .sh)"; }

# run_host: the host suite; when the lab runs beside it, one test at a time
run_host() {
    local t n safe=() alone=() after=() slots=2
    for t in "$TOP"/tests/host/t-*.sh; do
        [ -f "$t" ] || continue
        n=$(basename "$t" .sh)
        case $PARALLEL_SAFE in *" $n "*) safe+=("$t"); continue ;; esac
        case $AFTER_LAB in *" $n "*) after+=("$t"); continue ;; esac
        if grep -q hostd-qemu.lock "$t"; then after+=("$t"); else alone+=("$t"); fi
    done
    # beside the lab one at a time: a second host test slowed the guests by
    # more than it saved (at equal priority: t-harness 115 -> 201 s; at nice
    # 10, t-raid's life boot ran into its timeout once)
    [ -z "$lab_pid" ] || slots=${HOST_SLOTS_BESIDE_LAB:-1}
    for t in "${safe[@]}"; do
        while [ "$(host_jobs)" -ge "$slots" ]; do wait -n; done
        run_one "host/$(basename "$t" .sh)" bash "$t" &
    done
    while [ "$(host_jobs)" -gt 0 ]; do wait -n; done
    for t in "${safe[@]}"; do report "host/$(basename "$t" .sh)"; done
    for t in "${alone[@]}"; do host_one "$t"; done
    [ -z "$lab_pid" ] || rm -f "$LAB_SMP_FILE"
    [ -z "$lab_pid" ] || wait "$lab_pid"
    BESIDE_LAB=()   # (the lab is done: the machine is theirs)
    for t in "${after[@]}"; do host_one "$t"; done
    if [ -n "$lab_pid" ]; then echo "== lab"; report_lab; fi
}

suites=("$@"); [ ${#suites[@]} -gt 0 ] || suites=(unit host lab)
with_lab=""
if [[ " ${suites[*]} " == *" host "* && " ${suites[*]} " == *" lab "* && ${OVERLAP_LAB:-1} = 1 ]]; then
    with_lab=with-lab
fi
# what runs beside the lab yields the machine to its guests (see above)
BESIDE_LAB=()
[ -z "$with_lab" ] || BESIDE_LAB=(nice -n "${BESIDE_LAB_NICE:-10}")
start_prepare
if [ -n "$with_lab" ]; then
    export LAB_SMP_FILE=$LOGS/lab-smp
    echo "${LAB_SMP_BESIDE_HOST:-2}" > "$LAB_SMP_FILE"
    run_lab &
    lab_pid=$!
    echo "(the lab runs beside the unit and host suites; the host suite runs one test at a time until the lab is done)"
fi
for suite in "${suites[@]}"; do
    [ "$suite" = lab ] && [ -n "$with_lab" ] && continue   # (reported after the host suite)
    echo "== $suite"
    case $suite in
    unit)
        for t in "$BUILD"/tests/test_*; do [ -x "$t" ] && { run_one "unit/${t##*/}" "$t"; report "unit/${t##*/}"; }; done ;;
    host)
        run_host ;;
    lab)
        run_lab; report_lab ;;
    *) echo "run-tests: unknown suite '$suite' (unit, host, lab)" >&2; exit 2 ;;
    esac
done
report_prepare
echo "== the ten slowest (wall; the CPU the test and its children used)"
cat "$LOGS"/*.sum 2>/dev/null | sort -k4,4nr | head -n 10 | awk '{ printf "  %5ss  %-28s cpu %5ss\n", $4, $5, $6 }'
cat "$LOGS"/*.sum 2>/dev/null | awk '{ c[substr($5, 1, index($5, "/") - 1)] += $6 } END { for (s in c) printf "  cpu of the %s suite: %d s\n", s, c[s] }' | sort
[ ${#failures[@]} = 0 ] || echo "failed: ${failures[*]} (logs in $LOGS)"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
