#!/bin/bash
# A BMC that misbehaves, or a user who mistypes: garbage JSON, truncated
# bodies, a certificate we do not trust, 401s, nobody listening, bad
# addresses. Each gives one clear error line and exit 1 (2 for usage), and
# never a crash or the password.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
H=${HOSTCTL:?HOSTCTL must name the hostctl binary}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SVC=$TOP/tests/bmc/redfish-service.sh
command -v openssl >/dev/null || { skip "Redfish bad input" "openssl not installed"; tap_done; exit; }
T=$(mktemp -d)
trap 'for s in ok garbage truncated short 401; do "$SVC" stop "$T/$s"; done; rm -rf "$T"' EXIT
export HOSTD_BMC_PASSWORD=calvin
# run NAME ARGS...: hostctl against service NAME; sets rc and err (stderr)
run() { local s=$1; shift; err=$("$H" bmc --address "https://127.0.0.1:$(head -n1 "$T/$s/ports")" --user root "$@" 2>&1 >/dev/null); rc=$?; }
for s in ok garbage truncated short 401; do
    mode=(); [ "$s" = ok ] || mode=(--bad "$s")
    "$SVC" start "$T/$s" "${mode[@]}" >/dev/null || fail "service $s starts"
done
P=$(head -n1 "$T/ok/ports")

run garbage --ca-file "$T/garbage/cert.pem" power status
check_eq "garbage JSON: exit 1" 1 "$rc"
check_contains "garbage JSON: says so" "GET /redfish/v1: invalid JSON at offset 0" "$err"
run truncated --ca-file "$T/truncated/cert.pem" power status
check_eq "truncated JSON body: exit 1" 1 "$rc"
check_contains "truncated JSON body: says so" "invalid JSON: truncated input" "$err"
run short --ca-file "$T/short/cert.pem" power status
check_eq "body shorter than its Content-Length: exit 1" 1 "$rc"
check_contains "... names the transfer problem" "transfer closed with" "$err"
run 401 --ca-file "$T/401/cert.pem" power status
check_eq "401: exit 1" 1 "$rc"
check_contains "401: says what to check" "HTTP 401 (check the user and password): Authentication failed." "$err"
HOSTD_BMC_PASSWORD=not-the-one run ok --ca-file "$T/ok/cert.pem" power status
check_contains "wrong password: the BMC's message" "POST /redfish/v1/SessionService/Sessions: HTTP 401 (check the user and password): Invalid user name or password." "$err"
case $err in *not-the-one*) fail "the password is not in the error" ;; *) ok "the password is not in the error" ;; esac

run ok --ca-file "$T/ok/other.pem" power status
check_eq "a certificate not signed by --ca-file is refused" 1 "$rc"
check_contains "... and the error says what to do" "the BMC's certificate is not trusted" "$err"
run ok power status
check_eq "no --ca-file: the system CAs do not trust it either" 1 "$rc"
out=$("$H" bmc --address "https://127.0.0.1:$P" --user root --insecure power status 2>"$T/stderr"); rc=$?
check_eq "--insecure connects" "0 off" "$rc $out"
check_eq "--insecure is logged as a warning" "hostctl: warning: BMC https://127.0.0.1:$P: TLS certificate verification is off (insecure)" \
    "$(cat "$T/stderr")"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
t0=$(date +%s%N)
err=$("$H" bmc --address "https://127.0.0.1:$port" --user root --ca-file "$T/ok/cert.pem" power status 2>&1); rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check_eq "nobody listening: exit 1" 1 "$rc"
check_contains "... says it could not connect" "Couldn't connect to server (is the address and port right, and the BMC reachable?)" "$err"
check "... after retrying with backoff (0.5+1+2 s)" test "$ms" -ge 3000

err=$("$H" bmc --address "http://127.0.0.1:$P" power status 2>&1); rc=$?
check_eq "http:// is refused" "1 hostctl bmc: BMC address 'http://127.0.0.1:$P' must start with https:// (Redfish) or ipmi://" "$rc $err"
err=$("$H" bmc --address "https://root:calvin@127.0.0.1:$P" power status 2>&1); rc=$?
check_contains "credentials in the address are refused" "credentials do not belong in the address" "$err"
case $err in *calvin*) fail "... without echoing them" ;; *) ok "... without echoing them" ;; esac
err=$("$H" bmc --address "https://127.0.0.1:$P" power sideways 2>&1); rc=$?
check_eq "an unknown power verb is a usage error" 2 "$rc"
check_contains "... listing the choices" "power takes one of status, on, off, shutdown, cycle, reset" "$err"
err=$("$H" bmc power status 2>&1); rc=$?
check_eq "no BMC given is a usage error" "2 hostctl bmc: which BMC? give --bmc NAME or --address URL; see 'hostctl bmc --help'" "$rc $err"
printf 'calvin\n' > "$T/pw"; chmod 644 "$T/pw"
err=$(HOSTD_BMC_PASSWORD= "$H" bmc --address "https://127.0.0.1:$P" --user root --insecure --password-file "$T/pw" power status 2>&1); rc=$?
check_eq "a password file readable by others is refused (exit 3)" 3 "$rc"
chmod 600 "$T/pw"
out=$(HOSTD_BMC_PASSWORD= "$H" bmc --address "https://127.0.0.1:$P" --user root --ca-file "$T/ok/cert.pem" --password-file "$T/pw" power status)
check_eq "--password-file works" off "$out"
# 4. a password on the command line, and abbreviated options
out=$("$H" bmc --address "https://127.0.0.1:$P" --password s3cr3t-VALUE power status 2>&1); rc=$?
check_eq "4. --password VALUE is a usage error" 2 "$rc"
check_contains "... that says where passwords go" "HOSTD_BMC_PASSWORD" "$out"
case $out in *s3cr3t-VALUE*) fail "... never echoing the value" ;; *) ok "... never echoing the value" ;; esac
out=$("$H" bmc --address "https://127.0.0.1:$P" --json --password=s3cr3t-VALUE power status 2>/dev/null); rc=$?
check_eq "4. --json --password=VALUE: exit 2, one JSON error without the value" "2 2 False" \
    "$rc $(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["error"]["exit_code"], "s3cr3t" in json.dumps(d))')"
out=$("$H" bmc --address "https://127.0.0.1:$P" --pass s3cr3t-VALUE power status 2>&1); rc=$?
check_eq "4. an abbreviation (--pass for --password-file) is not taken" "2 hostctl bmc: unknown option '--pass'; see 'hostctl bmc --help'" "$rc $out"
out=$("$H" bmc --address "https://127.0.0.1:$P" --user root --insec power status 2>&1); rc=$?
check_eq "4. ... nor --insec for --insecure" "2 hostctl bmc: unknown option '--insec'; see 'hostctl bmc --help'" "$rc $out"
out=$("$H" disks --al 2>&1); rc=$?
check_eq "4. ... in any command (disks --al for --all)" "2 hostctl disks: unknown option '--al'; see 'hostctl disks --help'" "$rc $out"

out=$("$H" bmc --config-dir "$T" --bmc nosuch power status 2>&1); rc=$?
check_eq "an unknown BMC name" "1 hostctl bmc: BMC nosuch: $T/nosuch.yaml: No such file or directory" "$rc $out"
out=$("$H" bmc --config-dir "$T" --bmc nosuch,other power status 2>&1); rc=$?
check_contains "many BMCs: each failure on its own line" "nosuch: error: BMC nosuch: $T/nosuch.yaml: No such file or directory
other: error: BMC other: $T/other.yaml: No such file or directory" "$out"
check_contains "... and a summary" "2 of 2 BMCs failed" "$out"
printf 'address: https://127.0.0.1:%s\nuser: root\npassword: "calvin"\nca_file: %s\n' "$P" "$T/ok/cert.pem" > "$T/good.yaml"
chmod 600 "$T/good.yaml"
out=$("$H" bmc --config-dir "$T" --bmc good,nosuch --json power status 2>/dev/null); rc=$?
check_eq "many BMCs, one failing, --json: exactly one document, the error inside and beside" \
    "1 off BMC nosuch: $T/nosuch.yaml: No such file or directory|1 of 2 BMCs failed" \
    "$rc $(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); r=d["results"]; print(r[0]["power"], r[1]["error"] + "|" + d["error"]["message"])')"
tap_done
