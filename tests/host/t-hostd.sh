#!/bin/bash
# The hostd process frame: options, pid file, SIGHUP keeps it running,
# SIGTERM stops it cleanly and removes the pid file.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
D=${HOSTD:?HOSTD must name the hostd binary}
tmp=$(mktemp -d); pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

out=$("$D" --version); check_eq "hostd --version" "hostd 0.1.0" "$out"
out=$("$D" --help); check_contains "hostd --help documents the signals" "SIGHUP reloads" "$out"
err=$("$D" --bogus 2>&1); rc=$?
check_eq "an unknown option exits 2" 2 "$rc"
check_eq "and says what to do" "hostd: unknown option '--bogus'; see 'hostd --help'" "$err"
err=$("$D" --log-level loud 2>&1); rc=$?
check_eq "a bad log level exits 2" 2 "$rc"

"$D" --foreground --state-dir "$tmp/state" --pid-file "$tmp/run/hostd.pid" --socket "$tmp/hostd.sock" 2>"$tmp/log" &
pid=$!
for _ in $(seq 50); do [ -s "$tmp/run/hostd.pid" ] && break; sleep 0.1; done
check_eq "the pid file holds the daemon's pid" "$pid" "$(cat "$tmp/run/hostd.pid" 2>/dev/null)"
check "the state directory is made" test -d "$tmp/state"
kill -HUP "$pid"; sleep 0.3
check "SIGHUP does not stop it" kill -0 "$pid"
kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
check_eq "SIGTERM stops it with exit 0" 0 "$rc"
check "the pid file is removed" test ! -e "$tmp/run/hostd.pid"
check_contains "it logged its stop" "stopping" "$(cat "$tmp/log")"
tap_done
