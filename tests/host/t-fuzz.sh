#!/bin/bash
# The libFuzzer targets (make fuzz: every parser that reads what a client, a
# BMC or the kernel sends) run in every check for a fixed count: their seed
# corpus, then 10 000 generated inputs each, under ASan and UBSan. A crash,
# a leak or undefined behaviour fails the test with the input that did it.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
FUZZ=$TOP/build/fuzz
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for src in "$TOP"/tests/fuzz/fuzz_*.c; do
    target=$(basename "$src" .c)
    bin=$FUZZ/$target
    if [ ! -x "$bin" ]; then
        skip "$target: 10 000 runs" "not built ($bin): make fuzz needs clang with libFuzzer"
        continue
    fi
    corpus=$tmp/$target; mkdir -p "$corpus"
    seeds=$TOP/tests/fuzz/corpus-${target#fuzz_}
    [ -d "$seeds" ] && cp "$seeds"/* "$corpus"/
    # run from the top: the API target reads its fixture by a relative path
    (cd "$TOP" && "$bin" -runs=10000 -seed=1 -max_total_time=300 -artifact_prefix="$tmp/$target-" "$corpus") \
        > "$tmp/$target.log" 2>&1
    rc=$?
    runs=$(grep -oE '^#[0-9]+' "$tmp/$target.log" | tail -n1)
    if [ "$rc" = 0 ] && grep -q 'Done 10000 runs' "$tmp/$target.log"; then
        ok "$target: seed corpus and 10 000 runs, no crash (${runs#\#} executions)"
    else
        fail "$target: exit $rc"
        grep -E 'ERROR|SUMMARY|runtime error|artifact' "$tmp/$target.log" | head -n 15 | sed 's/^/#   /'
    fi
done
tap_done
