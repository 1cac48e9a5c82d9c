#!/bin/bash
# run-all.sh — run every benchmark in bench/ (each runs its baseline in the
# same run and prints both figures and the ratio). Timings never decide a test.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
n=0 rc=0
for b in "$here"/bench-*.sh; do
    [ -f "$b" ] || continue
    n=$((n + 1))
    echo "== $(basename "$b" .sh)"
    bash "$b" || { echo "benchmark $(basename "$b") failed"; rc=1; }
done
[ "$n" -gt 0 ] || echo "no benchmarks in bench/ yet"
exit $rc
