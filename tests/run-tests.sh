#!/bin/bash
# run-tests.sh [unit] [host] [lab] — run the test suites and count their TAP.
# Every test program prints TAP: "ok N - what", "not ok N - what",
# "ok N - what # SKIP why" (cmocka through CMOCKA_MESSAGE_OUTPUT=TAP).
# A program that dies without saying "not ok", or whose plan line does not
# match what it reported, counts as one failure more. The last line is
# "N passed, N failed, N skipped"; the exit status is 0 only with 0 failed.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
export TOP BUILD HOSTCTL=${HOSTCTL:-$BUILD/hostctl} HOSTD=${HOSTD:-$BUILD/hostd}
export CMOCKA_MESSAGE_OUTPUT=TAP
LOGS=$BUILD/test-logs
mkdir -p "$LOGS"
passed=0 failed=0 skipped=0
failures=()

run_one() {  # run_one NAME COMMAND...
    local name=$1; shift
    local log=$LOGS/${name//\//_}.log t0 rc
    t0=$(date +%s)
    "$@" >"$log" 2>&1 </dev/null
    rc=$?
    local ok notok skip plan
    skip=$(grep -cE '^ok [0-9]+.*# (SKIP|skip)' "$log")
    ok=$(grep -cE '^ok [0-9]+' "$log")
    ok=$((ok - skip))
    notok=$(grep -cE '^not ok [0-9]+' "$log")
    plan=$(grep -oE '^1\.\.[0-9]+' "$log" | head -n1 | cut -d. -f3)
    local extra=0 why=""
    if [ "$rc" != 0 ] && [ "$notok" = 0 ]; then extra=1; why="exited $rc without a failing test"; fi
    if [ -n "$plan" ] && [ "$plan" != $((ok + skip + notok)) ]; then extra=1; why="planned $plan tests, reported $((ok + skip + notok))"; fi
    if [ -z "$plan" ] && [ $((ok + skip + notok)) = 0 ]; then extra=1; why="reported no test"; fi
    passed=$((passed + ok)); skipped=$((skipped + skip)); failed=$((failed + notok + extra))
    printf '%-34s %3d passed %3d failed %3d skipped  %4ss\n' "$name" "$ok" $((notok + extra)) "$skip" $(( $(date +%s) - t0 ))
    grep -E '^ok [0-9]+.*# (SKIP|skip)' "$log" | sed 's/^/    /'
    if [ $((notok + extra)) != 0 ]; then
        grep -E '^not ok' "$log" | sed 's/^/    /'
        [ -n "$why" ] && echo "    $name: $why"
        echo "    --- last lines of $log:"; tail -n 25 "$log" | sed 's/^/    | /'
        failures+=("$name")
    fi
}

suites=("$@"); [ ${#suites[@]} -gt 0 ] || suites=(unit host lab)
for suite in "${suites[@]}"; do
    echo "== $suite"
    case $suite in
    unit)
        for t in "$BUILD"/tests/test_*; do [ -x "$t" ] && run_one "unit/${t##*/}" "$t"; done ;;
    host|lab)
        for t in "$TOP"/tests/"$suite"/t-*.sh; do [ -f "$t" ] && run_one "$suite/$(basename "$t" .sh)" bash "$t"; done ;;
    *) echo "run-tests: unknown suite '$suite' (unit, host, lab)" >&2; exit 2 ;;
    esac
done
[ ${#failures[@]} = 0 ] || echo "failed: ${failures[*]} (logs in $LOGS)"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
