#!/bin/bash
# --json prints exactly one JSON document on stdout, also when a command
# fails: the error object inside it, beside whatever data the command had
# (a plan with its errors), never data and then a second document. Every
# command of `hostctl --help` is run into failures (unknown options, missing
# and broken files, bad inventories, unknown arrays, an unreachable --host or
# BMC) and its whole stdout parsed with python's strict json.loads.
# Every case fails before touching this machine: unknown arrays and disks,
# files that do not exist, sockets and ports nobody listens on.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
H=${HOSTCTL:?HOSTCTL must name the hostctl binary}
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
FX=$TOP/tests/fixtures/inventory
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

# the commands, from the help the operator reads: "raid plan", "bmc", ...
leaves() {
    local subs
    subs=$("$H" "$@" --help 2>/dev/null | awk '/^Commands:/ { f = 1; next } f && /^$/ { f = 0 } f { print $1 }')
    if [ -z "$subs" ]; then echo "$*"; return; fi
    local s
    for s in $subs; do leaves "$@" "$s"; done
}
mapfile -t LEAVES < <(leaves)
n=${#LEAVES[@]}
check "the help lists the commands ($n found)" test "$n" -ge 30

# fails DESC ARGS...: `hostctl ARGS --json` must exit non-zero with one JSON
# object on stdout whose "error" has a message, an errno name and the exit
# code. The runs are kept in $C and judged together at the end (python once).
C=$T/cases RAN=$T/ran
mkdir "$C"
ncase=0
fails_with() {   # fails_with "KEY..." DESC ARGS...: also the data keys the document must keep
    local keys=$1 d=$2; shift 2
    ncase=$((ncase + 1))
    printf '%s\n' "$*" >>"$RAN"
    printf '%s\n' "$d" >"$C/$ncase.desc"
    printf '%s\n' "$*" >"$C/$ncase.argv"
    printf '%s\n' "$keys" >"$C/$ncase.keys"
    timeout 120 "$H" "$@" --json >"$C/$ncase.out" 2>"$C/$ncase.err" </dev/null
    echo $? >"$C/$ncase.rc"
}
fails() { fails_with "" "$@"; }

# --- every command: an unknown option, and an unreachable --host ---
for leaf in "${LEAVES[@]}"; do
    # shellcheck disable=SC2086
    fails "$leaf: an unknown option" $leaf --no-such-option
    # shellcheck disable=SC2086
    fails "$leaf: --host nobody listens on" $leaf --host "unix://$T/nobody.sock"
done

# --- files and data that are not what they should be ---
: >"$T/empty"
printf '{"disks": [ {"name": ' >"$T/cut.json"
printf 'storage: [unclosed\n' >"$T/bad.yaml"
printf 'not a file but a directory\n' >"$T/file"
BAD_SHA=$(printf '%064d' 0)

fails "version: an operand it does not take" version extra
fails "status: --watch with --json (one document, not a stream)" status --watch --json
fails "status: no hostd answers at the socket" status --host "unix://$T/nosuch.sock"
fails "containers detect: an operand it does not take" containers detect extra
fails "containers setup: a pool that is not a mounted filesystem" containers setup --pool "$T" --config "$T/c.toml" --run-dir "$T/run"
fails "containers setup: an unknown runtime" containers setup --runtime nosuch --pool "$T"
fails "containers start: a pool that is not a mounted filesystem" containers start --pool "$T/nopool" --config "$T/c.toml" --run-dir "$T/run"
fails "containers stop: an operand it does not take" containers stop extra
fails "containers status: --pool without its value" containers status --pool
fails "containers verify: a bad memory size" containers verify --pool "$T/nopool" --memory lots
fails "containers run-bundle: a pool with no bundle" containers run-bundle --pool "$T/nopool" --run-dir "$T/run"
fails "containers migrate: a pool that is not a mounted filesystem" containers migrate --pool "$T/nopool"
fails "containers image: an output under a regular file" containers image --output "$T/file/oci"

fails "apply: a spec that does not exist" apply "$T/missing.yaml" --plan --inventory "$FX/r630-2ssd-6hdd.json"
fails "apply: a spec that is no YAML" apply "$T/bad.yaml" --plan --inventory "$FX/r630-2ssd-6hdd.json"
fails "apply: an inventory cut short" apply "$TOP/examples/r630.yaml" --plan --inventory "$T/cut.json"
fails_with "steps errors" "apply: a plan with errors is refused, the plan beside the refusal" apply "$TOP/examples/r630.yaml" --plan --inventory "$FX/two-disks.json"
fails "apply: an unknown phase" apply "$TOP/examples/r630.yaml" --plan --phase never

fails_with "arrays steps errors" "raid plan: a plan with errors keeps the plan beside the error" \
    raid plan --inventory "$FX/two-disks.json"
fails_with "arrays steps errors" "raid plan: a disk with a foreign partition table, the same" \
    raid plan --inventory "$FX/r630-foreign-gpt.json"
fails "raid plan: an inventory that does not exist" raid plan --inventory "$T/missing.json"
fails "raid plan: an empty inventory file" raid plan --inventory "$T/empty"
fails "raid plan: an inventory cut short" raid plan --inventory "$T/cut.json"
fails "raid plan: a spec that is no YAML" raid plan --spec "$T/bad.yaml" --inventory "$FX/r630-2ssd-6hdd.json"
fails "raid create: a spec that does not exist" raid create --spec "$T/missing.yaml" --yes
for verb in status scrub stop assemble; do
    fails "raid $verb: an array that does not run" raid "$verb" nosucharray
done
fails "raid replace: an array that does not run" raid replace nosucharray --failed sdx --with sdy
fails "raid add-spare: an array that does not run" raid add-spare nosucharray --disk sdx
fails "raid remove: an array that does not run" raid remove nosucharray --disk sdx
fails "raid grow: an array that does not run" raid grow nosucharray --add sdx
fails "raid destroy: without --yes" raid destroy nosucharray
fails "raid destroy: an array that does not run" raid destroy nosucharray --yes

fails "disks: an inventory that does not exist" disks --from "$T/missing.json"
fails "disks: an inventory cut short" disks --from "$T/cut.json"
fails "disks show: a disk that is not in the inventory" disks --from "$FX/r630-2ssd-6hdd.json" show nosuchdisk

# cmd_bmc*.c are being reworked elsewhere; these already hold with the frame's document
fails "bmc: no verb" bmc --address http://127.0.0.1:9
fails "bmc: which BMC is not said" bmc power status
fails "bmc: a BMC nobody answers for" bmc --address http://127.0.0.1:9 --timeout 2 power status
fails "bmc: a BMC name without a configuration" bmc --bmc nosuch --config-dir "$T" power status
mkdir -p "$T/bmc.d"
for b in a b; do printf 'address: http://127.0.0.1:9\nuser: root\n' >"$T/bmc.d/$b.yaml"; chmod 600 "$T/bmc.d/$b.yaml"; done
fails "bmc: two BMCs that both fail" \
    bmc --bmc a,b --config-dir "$T/bmc.d" --timeout 2 power status

fails "vm create: a spec that does not exist" vm create --spec "$T/missing.yaml" --connect test:///default
fails "vm create: a spec that is no YAML" vm create --spec "$T/bad.yaml" --connect test:///default
for verb in show start stop reboot delete; do
    fails "vm $verb: a VM that does not exist" vm "$verb" nosuchvm --connect test:///default
done
fails "vm list: a libvirt nobody runs" vm list --connect "qemu+unix:///system?socket=$T/nobody.sock"
fails "pool create: no directory said" pool create --connect test:///default
fails "pool show: a pool that does not exist" pool show --pool nosuchpool --connect test:///default

fails "image fetch: a server nobody runs" image fetch http://127.0.0.1:9/img --sha256 "$BAD_SHA" --dest "$T/img" --retries 0
fails "image fetch: a digest that is no sha256" image fetch http://127.0.0.1:9/img --sha256 abc --dest "$T/img"
fails "image fetch: a file:// image with another digest" image fetch "file://$T/file" --sha256 "$BAD_SHA"
fails "image sha256: a file that does not exist" image sha256 "$T/missing.img"
fails "report: a controller nobody runs" report http://127.0.0.1:9/callback --phase apply --state ok
fails "report: a state that is none of running, ok, failed" report http://127.0.0.1:9/callback --phase apply --state done

# the verdicts: "N ok" or "N why", one line per case
judge() {
    python3 - "$C" "$ncase" <<'EOF'
import json, sys
cases, n = sys.argv[1], int(sys.argv[2])
def verdict(i):
    out = open("%s/%d.out" % (cases, i)).read()
    rc = int(open("%s/%d.rc" % (cases, i)).read())
    want = open("%s/%d.keys" % (cases, i)).read().split()
    if rc == 0:
        return "exit status 0: the command did not fail"
    try:
        d = json.loads(out)        # the whole of stdout: one document, nothing after it
    except ValueError as e:
        return "stdout is not exactly one JSON document: %s" % e
    if not isinstance(d, dict) or not isinstance(d.get("error"), dict):
        return "the document has no error object"
    e = d["error"]
    if not isinstance(e.get("message"), str) or not e["message"]:
        return "the error has no message"
    if not isinstance(e.get("errno"), str) or not e["errno"]:
        return "the error has no errno name"
    if e.get("exit_code") != rc:
        return "exit_code %r is not the exit status %d" % (e.get("exit_code"), rc)
    for key in want:
        if key not in d:
            return "the data %r is missing beside the error" % key
    return "ok"
for i in range(1, n + 1):
    print(i, verdict(i))
EOF
}
judged=0
while read -r i why; do
    judged=$((judged + 1))
    d=$(cat "$C/$i.desc")
    if [ "$why" = ok ]; then
        ok "$d"
    else
        fail "$d"
        printf '#   hostctl %s --json: exit %s: %s\n' "$(cat "$C/$i.argv")" "$(cat "$C/$i.rc")" "$why"
        sed 's/^/#   stdout| /' "$C/$i.out" | head -n 15
        sed 's/^/#   stderr| /' "$C/$i.err" | head -n 3
    fi
done < <(judge)
check_eq "every case was judged" "$ncase" "$judged"

# every command met at least one failure of its own beyond the generic two
for leaf in "${LEAVES[@]}"; do
    n=$(grep -c "^$leaf " "$RAN")
    check "$leaf: failure cases run ($n)" test "$n" -ge 3
done
tap_done
