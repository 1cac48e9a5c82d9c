#!/bin/bash
# The hostctl frame as an operator meets it: help on every level, --version,
# --json, one-line errors and the documented exit codes.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
H=${HOSTCTL:?HOSTCTL must name the hostctl binary}

out=$("$H" --help); rc=$?
check_eq "hostctl --help exits 0" 0 "$rc"
check_contains "--help shows the usage line" "Usage: hostctl [global options] COMMAND" "$out"
check_contains "--help lists the exit codes" "Exit codes: 0 ok, 1 failure, 2 usage error, 3 refused for safety." "$out"
check_contains "--help lists the version command" "version        Print the version of hostctl" "$out"

out=$("$H" --version); check_eq "--version prints name and version" "hostctl 0.1.0" "$out"
out=$("$H" --json --version | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["name"], d["version"])')
check_eq "--version --json is JSON" "hostctl 0.1.0" "$out"

out=$("$H" version --help); rc=$?
check_eq "help on a command exits 0" 0 "$rc"
check_contains "help on a command shows its path" "Usage: hostctl version" "$out"
out=$("$H" version --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
check_eq "--json after the command works too" "0.1.0" "$out"

err=$("$H" frobnicate 2>&1 >/dev/null); rc=$?
check_eq "an unknown command is a usage error (exit 2)" 2 "$rc"
check_eq "the error is one line saying what to do" "hostctl: unknown command 'frobnicate'; run 'hostctl --help' for the list" "$err"

out=$("$H" --json frobnicate 2>/dev/null); rc=$?
check_eq "--json usage error exits 2" 2 "$rc"
msg=$(printf '%s' "$out" | python3 -c 'import json,sys; e=json.load(sys.stdin)["error"]; print(e["exit_code"], e["errno"])')
check_eq "--json errors are JSON on stdout with the exit code" "2 EINVAL" "$msg"

err=$("$H" version extra 2>&1 >/dev/null); rc=$?
check_eq "a stray argument is a usage error" 2 "$rc"
check_contains "the usage error points to --help" "see 'hostctl version --help'" "$err"

"$H" >/dev/null 2>&1; rc=$?
check_eq "no command at all is a usage error" 2 "$rc"

out=$("$H" -- --help 2>&1); rc=$?
check_eq "after -- nothing is a global option" 2 "$rc"
check_contains "after -- the word is a command name" "unknown command '--help'" "$out"

# exit 3 means "refused for safety" and nothing else: a plan with errors is a
# refusal; an EPERM from the kernel (here: chmod of a file another user owns)
# is a plain failure, named as the errno it is
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
out=$("$H" --json raid plan --inventory "$TOP/tests/fixtures/inventory/two-disks.json" 2>/dev/null); rc=$?
check_eq "a plan with errors is refused for safety (exit 3)" 3 "$rc"
check_contains "... and --json names it REFUSED, not an errno" '"errno": "REFUSED"' "$out"
check_contains "... with exit_code 3" '"exit_code": 3' "$out"
mkdir "$T/sticky" && chmod 1777 "$T/sticky" && chmod 755 "$T"
touch "$T/sticky/img.part" && chmod 666 "$T/sticky/img.part"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$H" --json image fetch http://127.0.0.1:9/img \
      --sha256 "$(printf '%064d' 0)" --dest "$T/sticky/img" 2>/dev/null); rc=$?
check_eq "a kernel EPERM (not the file's owner) is a failure (exit 1), not a refusal" 1 "$rc"
check_contains "... and --json names it EPERM" '"errno": "EPERM"' "$out"
check_contains "... with the kernel's message" "Operation not permitted" "$out"

# libvirt and libcurl (with some 50 libraries of their own) and libcrypto
# (only an image's sha256 needs it) load on first use only: `disks` and
# `raid` start without them
loaded=$(LD_DEBUG=files "$H" --version 2>&1 >/dev/null | grep -oE 'file=lib(virt|curl|xml2|crypto)[^ ]*' | sort -u | tr '\n' ' ')
check_eq "hostctl --version loads neither libvirt, libcurl, libxml2 nor libcrypto" "" "$loaded"
loaded=$(LD_DEBUG=files "$H" vm create --help 2>&1 >/dev/null | grep -c 'file=libvirt')
check_eq "... nor does the help of a VM command" 0 "$loaded"
out=$(readelf -p .hostd_dlopen "$H" | grep -oE 'lib[a-z0-9]+\.so\.[0-9]+' | sort | tr '\n' ' ')
check_eq "the binary names what it opens on first use (.hostd_dlopen)" \
    "libcrypto.so.3 libcurl.so.4 libvirt.so.0 libxml2.so.2 " "$out"
tap_done
