#!/bin/bash
# playbooks/: the Ansible side. Syntax and ansible-lint; the hostd_apply
# module's documentation; the module in check mode against the real
# `hostctl apply --plan` with a captured disk inventory (and hostctl runs no
# other program); the module's reading of `hostctl apply --json` answers, the
# provision, health and bmc_boot roles against tests/fixtures/apply/fake-hostctl
# (canned JSON: those test the playbooks' handling of the contract, not hostctl).
# Everything runs on localhost through the local connection, as root, with
# Ansible's state in a temporary directory.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
H=${HOSTCTL:?HOSTCTL must name the hostctl binary}
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
PB=$TOP/playbooks FX=$TOP/tests/fixtures/apply

if ! command -v ansible-playbook >/dev/null; then
    echo "ok 1 - playbooks # SKIP ansible-playbook not installed"
    echo "1..1"
    exit 0
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/home" "$T/bin" "$T/specs"
export HOME=$T/home ANSIBLE_HOME=$T/home/.ansible ANSIBLE_LOCAL_TEMP=$T/tmp-local ANSIBLE_REMOTE_TEMP=$T/tmp-remote
export ANSIBLE_CONFIG=$PB/ansible.cfg ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_RETRY_FILES_ENABLED=0
export ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_LOAD_CALLBACK_PLUGINS=1 ANSIBLE_DEPRECATION_WARNINGS=0
export ANSIBLE_PIPELINING=1 ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0 ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3
unset FAKE_APPLY FAKE_RAID FAKE_HOSTCTL_LOG FAKE_KEEP_SPECS
py() { python3 -c "$@"; }

# ---- static: syntax, lint, documentation -----------------------------------------
out=$(ansible-playbook -i "$PB/inventory/example.yml" --syntax-check "$PB/site.yml" 2>&1); rc=$?
check_eq "ansible-playbook --syntax-check site.yml" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/#   | /' | tail -n 20

out=$(ansible-playbook -i "$PB/inventory/example.yml" --list-hosts "$PB/site.yml" 2>&1)
check_eq "the example inventory has r630-01..03 in every play" 3 "$(printf '%s\n' "$out" | grep -c 'hosts (3)')"

if ! command -v ansible-lint >/dev/null; then
    skip "ansible-lint is clean" "ansible-lint not installed"
elif ! why=$(ansible-lint --version 2>&1); then
    skip "ansible-lint is clean" "ansible-lint does not run here: $(printf '%s' "$why" | tail -n 1)"
else
    # --offline: no collection or role is fetched; files are found with git ls-files
    out=$(cd "$PB" && ansible-lint --offline --nocolor 2>&1); rc=$?
    check_eq "ansible-lint is clean (production profile, offline)" 0 "$rc"
    [ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/#   | /' | tail -n 30
    check_contains "... and reports no warning either" "0 failure(s), 0 warning(s)" "$out"
fi

out=$(ansible-doc -M "$PB/library" hostd_apply 2>&1); rc=$?
check_eq "ansible-doc -M playbooks/library hostd_apply" 0 "$rc"
check_contains "... shows the module and its spec option" "= spec" "$out"
doc=$(ansible-doc -j -M "$PB/library" hostd_apply 2>/dev/null | py '
import json, sys
d = json.load(sys.stdin)["hostd_apply"]
o = d["doc"]["options"]
print(sorted(o), o["yes"]["default"], o["hostctl"]["default"], bool(d["examples"].strip()),
      sorted(k for k in ("changed", "steps", "phase", "next", "stdout", "stderr") if k in d["return"]))')
check_eq "... DOCUMENTATION, EXAMPLES and RETURN are complete" \
    "['hostctl', 'inventory', 'phase', 'spec', 'timeout', 'yes'] True hostctl True ['changed', 'next', 'phase', 'stderr', 'stdout', 'steps']" "$doc"

# ---- the module in check mode against the real hostctl --------------------------
# hostctl runs under strace when it can, so that the test sees every program it
# starts: planning from a captured inventory must start none.
if ! "$H" apply --help >/dev/null 2>&1; then
    skip "hostd_apply check mode with the real hostctl apply --plan" "hostctl apply not built yet"
else
    traced=0
    if command -v strace >/dev/null && strace -f -qq -e trace=execve -o /dev/null true 2>/dev/null; then
        traced=1
        # (LeakSanitizer, in a SANITIZE=1 build, refuses to run under ptrace)
        printf '#!/bin/sh\nASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 exec strace -f -qq -e trace=execve,execveat -o %q %q "$@"\n' \
            "$T/exec.log" "$H" > "$T/bin/hostctl-traced"
        chmod +x "$T/bin/hostctl-traced"
        hostctl=$T/bin/hostctl-traced
    else
        hostctl=$H
    fi
    mdstat0=$(cat /proc/mdstat 2>/dev/null)
    ANSIBLE_STDOUT_CALLBACK=json ansible localhost -i localhost, -c local -M "$PB/library" --check -m hostd_apply \
        -a "spec=$TOP/examples/r630.yaml inventory=$TOP/tests/fixtures/inventory/r630-2ssd-6hdd.json hostctl=$hostctl" \
        > "$T/real.json" 2> "$T/real.err"; rc=$?
    res=$(py '
import json, sys
r = json.load(open(sys.argv[1]))["plays"][0]["tasks"][0]["hosts"]["localhost"]
states = sorted({s.get("state") for s in r.get("steps", [])})
print(r.get("failed", False), r.get("changed"), r.get("mode"), len(r.get("steps", [])) > 0, r.get("steps_pending", 0) > 0,
      "--plan" in r.get("cmd", []), "--inventory" in r.get("cmd", []), "--yes" in r.get("cmd", []),
      [s for s in states if s in ("changed", "done", "failed")])
if r.get("failed"): print("#  ", r.get("msg"))' "$T/real.json" 2>&1)
    check_eq "hostd_apply --check, real hostctl, r630.yaml on the 2 SSD + 6 HDD inventory: planned, changed, steps" \
        "False True plan True True True True False []" "$(head -n 1 <<< "$res")"
    [ "$rc" = 0 ] || { tail -n +2 <<< "$res"; sed 's/^/#   | /' "$T/real.err" | tail -n 10; }
    if [ $traced = 1 ]; then
        n=$(grep -E 'execve(at)?\(' "$T/exec.log" | grep -vc ENOENT)
        check_eq "... hostctl started no program while planning (strace: one execve, its own)" 1 "$n"
        [ "$n" = 1 ] || grep -E 'execve' "$T/exec.log" | sed 's/^/#   | /' | head -n 20
    else
        skip "... hostctl started no program while planning" "strace cannot trace here"
    fi
    check_eq "... and /proc/mdstat is as it was" "$mdstat0" "$(cat /proc/mdstat 2>/dev/null)"
    # a disk with a filesystem, not listed under wipe: hostctl refuses (exit 3)
    ANSIBLE_STDOUT_CALLBACK=json ansible localhost -i localhost, -c local -M "$PB/library" --check -m hostd_apply \
        -a "spec=$TOP/examples/r630.yaml inventory=$TOP/tests/fixtures/inventory/r630-dirty-fs.json hostctl=$H" \
        > "$T/dirty.json" 2> "$T/dirty.err"
    res=$(py '
import json, sys
r = json.load(open(sys.argv[1]))["plays"][0]["tasks"][0]["hosts"]["localhost"]
print(r.get("failed", False), r.get("rc"), r.get("msg"))' "$T/dirty.json" 2>&1)
    check_contains "hostd_apply --check, real hostctl, a disk with data not under wipe: fails as refused for safety" \
        "True 3 hostctl apply refused for safety (exit 3): " "$res"
    check_contains "... naming the disk" "WFK02ABC (sde) carries data" "$res"
fi

# ---- contract tests of the module's reporting (fake hostctl, not hostctl) --------
FAKE_HOSTCTL_LOG=$T/contract.log ansible-playbook -i localhost, -c local "$FX/contract.yml" -e "out=$T/contract.json" \
    > "$T/contract.out" 2>&1; rc=$?
check_eq "contract: the playbook ran (failures expected and ignored)" 0 "$rc"
[ "$rc" = 0 ] || sed 's/^/#   | /' "$T/contract.out" | tail -n 20
if [ -s "$T/contract.json" ]; then
    c() { py 'import json, sys; r = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/contract.json" "$1"; }
    check_eq "contract: hostctl changed 3 steps -> changed=true, steps, phase and next returned" \
        "True False 4 3 install reboot apply" \
        "$(c '" ".join(map(str, (r["changed"]["changed"], r["changed"].get("failed", False), len(r["changed"]["steps"]), r["changed"]["steps_changed"], r["changed"]["phase"], r["changed"]["next"], r["changed"]["mode"])))')"
    check_eq "contract: hostctl changed 0 steps -> changed=false, ok" "False False 0 firstboot None" \
        "$(c '" ".join(map(str, (r["unchanged"]["changed"], r["unchanged"].get("failed", False), r["unchanged"]["steps_changed"], r["unchanged"]["phase"], r["unchanged"]["next"])))')"
    check_eq "contract: exit 3 with an error JSON -> the task fails, rc 3, changed=false" "True False 3" \
        "$(c '" ".join(map(str, (r["refused"]["failed"], r["refused"]["changed"], r["refused"]["rc"])))')"
    check_eq "... and its message says refused for safety and carries hostctl's message" \
        "hostctl apply refused for safety (exit 3): sdc holds an xfs filesystem (label old-pool) and is not listed under storage.wipe" \
        "$(c 'r["refused"]["msg"]')"
    check_eq "contract: exit 1 after a step changed the machine -> fails, changed=true, hostctl's message" \
        "True True 1 hostctl apply failed (exit 1): step 2 (raid:partition:os:PHYG0000480BGN) failed: sgdisk exited 4" \
        "$(c '" ".join(map(str, (r["failed"]["failed"], r["failed"]["changed"], r["failed"]["rc"], r["failed"]["msg"])))')"
    check_contains "contract: inventory outside check mode is refused before hostctl runs" \
        "True inventory is only for planning" "$(c '"%s %s" % (r["inventory"]["failed"], r["inventory"]["msg"])')"
    check_eq "contract: the command lines (apply mode: --yes, no --plan; phase; yes=false)" \
"apply /nonexistent/host.yaml --json --yes 
apply /nonexistent/host.yaml --json --yes --phase firstboot 
apply /nonexistent/host.yaml --json --yes 
apply /nonexistent/host.yaml --json --yes 
apply /nonexistent/host.yaml --json " "$(cat "$T/contract.log")"
else
    fail "contract: the results were written"
fi

# ---- the roles through site.yml, on three local "servers" -----------------------
printf 'not-the-password\n' > "$T/bmc-password"; chmod 600 "$T/bmc-password"
for s in degraded healthy; do
    printf '#!/bin/sh\nFAKE_RAID=%s exec %q "$@"\n' "$s" "$FX/fake-hostctl" > "$T/bin/hostctl-$s"
    chmod +x "$T/bin/hostctl-$s"
done
cat > "$T/inventory.yml" <<EOF
all:
  children:
    r630:
      hosts:
        r630-01: {bmc_address: 192.0.2.11, hostd_hostctl: $T/bin/hostctl-degraded}
        r630-02: {bmc_address: 192.0.2.12, hostd_hostctl: $T/bin/hostctl-healthy, bmc_boot_method: vmedia,
                  bmc_vmedia_url: "http://198.51.100.2/hostd/installer.iso"}
        r630-03: {bmc_address: 192.0.2.13, hostd_hostctl: $T/bin/hostctl-healthy, bmc_boot_enabled: false}
      vars:
        ansible_connection: local
        ansible_become: false
        ansible_python_interpreter: /usr/bin/python3
        host_spec: $PB/inventory/specs/r630.yaml.j2
        hostd_os_image: https://images.example.org/debian-12-rootfs.tar.xz
        hostd_os_sha256: "0000000000000000000000000000000000000000000000000000000000000000"
        hostd_spec_dest: "$T/{{ inventory_hostname }}/etc/hostd/host.yaml"
        health_expected_arrays: [os, data]
        bmc_boot_enabled: true
        bmc_boot_wait: false
        bmc_hostctl: $FX/fake-hostctl
        bmc_password_file: $T/bmc-password
EOF
play() { ansible-playbook -i "$T/inventory.yml" "$PB/site.yml" "$@" 2>&1; }
recap() { printf '%s\n' "$1" | sed -n 's/^\(r630-0[0-9]\) *: ok=[0-9]* *changed=\([0-9]*\) .*failed=\([0-9]*\) .*/\1 changed=\2 failed=\3/p' | sort | tr '\n' ' '; }

# provision in check mode: plans from a temporary copy of the templated spec, installs nothing
# (r630-03 is only for bmc_boot: two hosts are enough here and keep the runs short)
out=$(FAKE_HOSTCTL_LOG=$T/plan.log FAKE_KEEP_SPECS=$T/specs play --check --tags provision --limit r630-01,r630-02); rc=$?
check_eq "provision --check: the play passes and reports changes to come" \
    "0 r630-01 changed=3 failed=0 r630-02 changed=3 failed=0 " "$rc $(recap "$out")"
[ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/#   | /' | tail -n 20
check_eq "... no spec was installed" "" "$(ls "$T"/r630-0*/etc/hostd/host.yaml 2>/dev/null)"
check_eq "... hostctl was asked for a plan, once per host" 2 "$(grep -c -- ' --json --plan $' "$T/plan.log" 2>/dev/null)"
check_eq "... from the spec templated per host" "r630-01 r630-02" \
    "$(sed -n 's/^host: {name: \(.*\)}$/\1/p' "$T"/specs/* 2>/dev/null | sort | tr '\n' ' ' | sed 's/ $//')"
if "$H" apply --help >/dev/null 2>&1; then
    spec=$(grep -l 'name: r630-02' "$T"/specs/* 2>/dev/null | head -n 1)
    "$H" apply "${spec:-/nonexistent}" --plan --json --inventory "$TOP/tests/fixtures/inventory/r630-2ssd-6hdd.json" > "$T/spec-plan.json" 2>&1; rc=$?
    check_eq "... the templated spec is one the real hostctl apply --plan takes" 0 "$rc"
    [ "$rc" = 0 ] || sed 's/^/#   | /' "$T/spec-plan.json" | tail -n 10
else
    skip "... the templated spec is one the real hostctl apply --plan takes" "hostctl apply not built yet"
fi
left=$(awk '{print $2}' "$T/plan.log" 2>/dev/null | while read -r f; do [ -e "$f" ] && echo "$f"; done)
check_eq "... and the temporary copies are gone" "" "$left"
check_contains "... the plan is reported" "plan of r630-01 (install phase): 3 of 3 steps to do; next: boot the installed OS" "$out"

# provision for real, then health: r630-01's data array is degraded
out=$(FAKE_APPLY=unchanged play --tags provision,health --limit r630-01,r630-02); rc=$?
check_eq "provision + health: the play fails for r630-01 only" \
    "2 r630-01 changed=2 failed=1 r630-02 changed=2 failed=0 " "$rc $(recap "$out")"
check_eq "... the spec is installed, templated, mode 0600" "600 host: {name: r630-02}" \
    "$(stat -c %a "$T/r630-02/etc/hostd/host.yaml" 2>/dev/null) $(grep '^host:' "$T/r630-02/etc/hostd/host.yaml" 2>/dev/null)"
check_contains "... the failure names the degraded array and the failed disk" \
    "RAID degraded on r630-01: data (/dev/md/data, raid5) is missing 1 of 5 members (failed: sde1)" "$out"
check_eq "... and only r630-01 failed" 1 "$(printf '%s\n' "$out" | grep -c 'RAID degraded on')"
out=$(FAKE_APPLY=unchanged play --tags provision,health --limit r630-02); rc=$?
check_eq "provision again on the healthy one: nothing changes, health passes" \
    "0 r630-02 changed=0 failed=0 " "$rc $(recap "$out")"
check_contains "... health reports the arrays" "os, data: not degraded" "$out"

# bmc_boot: check mode runs nothing; for real, the commands in order, the password never on a line
out=$(FAKE_HOSTCTL_LOG=$T/bmc-check.log play --check --tags bmc); rc=$?
check_eq "bmc_boot --check: the play passes" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/#   | /' | tail -n 20
check_eq "... and ran no hostctl bmc (the fake records every call)" absent "$([ -e "$T/bmc-check.log" ] && echo present || echo absent)"
check_contains "... it says what it would run" \
    "would run: $FX/fake-hostctl bmc --address https://192.0.2.11 --user root --password-file $T/bmc-password boot pxe --once --uefi" "$out"
check_contains "... vmedia: insert, then boot from CD once" \
    "would run: $FX/fake-hostctl bmc --address https://192.0.2.12 --user root --password-file $T/bmc-password vmedia insert http://198.51.100.2/hostd/installer.iso" "$out"
out=$(FAKE_HOSTCTL_LOG=$T/bmc.log play --tags bmc); rc=$?
check_eq "bmc_boot for real (control: the fake does record)" "0 r630-01 changed=2 failed=0 r630-02 changed=3 failed=0 r630-03 changed=0 failed=0 " \
    "$rc $(recap "$out")"
pw="--user root --password-file $T/bmc-password"
check_eq "... r630-01: PXE once, then power cycle" \
"bmc --address https://192.0.2.11 $pw boot pxe --once --uefi 
bmc --address https://192.0.2.11 $pw power cycle " "$(grep 192.0.2.11 "$T/bmc.log" 2>/dev/null)"
check_eq "... r630-02: virtual media, CD once, power cycle" \
"bmc --address https://192.0.2.12 $pw vmedia insert http://198.51.100.2/hostd/installer.iso 
bmc --address https://192.0.2.12 $pw boot cd --once --uefi 
bmc --address https://192.0.2.12 $pw power cycle " "$(grep 192.0.2.12 "$T/bmc.log" 2>/dev/null)"
check_eq "... r630-03 (bmc_boot_enabled false) is left alone" 0 "$(grep -c 192.0.2.13 "$T/bmc.log" 2>/dev/null)"
check_eq "... the password is on no command line" 0 "$(grep -c not-the-password "$T/bmc.log" 2>/dev/null)"

tap_done
