#!/usr/bin/python3
# -*- coding: utf-8 -*-
# hostd_apply: run `hostctl apply SPEC --json` on the managed host and report
# what it did; in check mode `hostctl apply SPEC --plan --json`.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: hostd_apply
short_description: Bring a host to its hostd spec with C(hostctl apply)
description:
  - Runs C(hostctl apply SPEC --json) on the managed host. hostctl partitions
    the disks, builds the OS RAID 1 and the data RAID 5, installs the OS, and
    sets up the hypervisor and the container runtime, step by step; steps that
    are already done are left alone.
  - C(changed) is true only when hostctl reports that at least one step changed
    the machine (C(changed) > 0 in its JSON).
  - In check mode the module runs C(hostctl apply SPEC --plan --json) instead,
    which changes nothing, and C(changed) is true when the plan has steps that
    would change the machine (C(pending) > 0).
  - hostctl exits 3 when it refuses for safety, for example when a disk holds
    data and is not listed under C(storage.wipe) in the spec. The task then
    fails with a message that says so; nothing was changed.
  - No secret is ever put on a command line; hostctl reads what it needs from
    the spec and from files on the host.
version_added: "0.1.0"
author:
  - hostd authors
options:
  spec:
    description:
      - Path of the host spec (YAML) on the managed host, usually
        C(/etc/hostd/host.yaml).
    type: path
    required: true
  hostctl:
    description:
      - The hostctl program on the managed host, a name looked up in C(PATH)
        (and the sbin directories) or an absolute path.
    type: str
    default: hostctl
  inventory:
    description:
      - Plan offline from a disk inventory captured earlier with
        C(hostctl disks --json) (a path on the managed host), passed as
        C(--inventory FILE).
      - Only valid in check mode, where hostctl only plans. The module fails
        when it is given outside check mode.
    type: path
  phase:
    description:
      - Run only this phase (C(--phase)). C(install) partitions, builds the
        RAID and installs the OS from a rescue or network-booted system;
        C(firstboot) finishes on the installed OS. Without it hostctl
        decides (see C(hostctl apply --help)).
    type: str
    choices: [install, firstboot]
  "yes":
    description:
      - Pass C(--yes), the confirmation hostctl wants before it changes
        disks. The module has no terminal to answer a question on (stdin is
        C(/dev/null)).
      - Not used in check mode (a plan asks nothing).
      - "Write the key quoted, C(\"yes\": false), or use the alias
        C(assume_yes): YAML reads an unquoted C(yes) key as the boolean true."
    type: bool
    default: true
    aliases: [assume_yes]
  timeout:
    description:
      - Seconds to wait for hostctl. When they are up hostctl gets SIGTERM
        (and SIGKILL 30 seconds later) and the task fails; run the module in
        check mode afterwards to see where the host stands.
      - C(0) waits as long as it takes.
    type: int
    default: 0
notes:
  - Supports check mode (C(hostctl apply --plan)).
  - The JSON that hostctl prints is returned as C(steps), C(phase), C(next)
    and friends; the raw output is in C(stdout) and C(stderr).
  - C(hostctl apply --help) on the host and hostctl(8) describe the steps.
requirements:
  - hostctl with the C(apply) command on the managed host
"""

EXAMPLES = r"""
- name: Bring the host to its spec
  hostd_apply:
    spec: /etc/hostd/host.yaml
  register: applied

- name: Plan only, against a disk inventory captured on the host earlier
  hostd_apply:
    spec: /etc/hostd/host.yaml
    inventory: /var/tmp/disks.json
  check_mode: true
  register: plan

- name: Show the steps that would change the machine
  ansible.builtin.debug:
    msg: "{{ plan.steps | selectattr('state', 'equalto', 'pending') | map(attribute='description') | list }}"

- name: The install phase only, from the network-booted installer, with a time limit
  hostd_apply:
    spec: /etc/hostd/host.yaml
    hostctl: /usr/local/sbin/hostctl
    phase: install
    timeout: 7200
"""

RETURN = r"""
changed:
  description:
    - Apply mode, true when at least one step changed the machine.
    - Check mode, true when at least one step would change it.
    - On failure, true when the JSON hostctl printed shows steps that changed
      the machine before the failure.
  returned: always
  type: bool
mode:
  description: C(apply), or C(plan) in check mode, as hostctl reports it.
  returned: when hostctl printed its JSON
  type: str
  sample: apply
host:
  description: The host name from the spec.
  returned: when hostctl printed its JSON
  type: str
  sample: r630-01
phase:
  description: The phase hostctl ran or planned.
  returned: when hostctl printed its JSON
  type: str
  sample: install
next:
  description:
    - C(reboot) after the install phase (boot the installed OS; its
      first-boot unit does the rest), null when there is nothing left to do.
  returned: when hostctl printed its JSON
  type: str
  sample: reboot
steps:
  description: Every step, in order, with what became of it.
  returned: when hostctl printed its JSON
  type: list
  elements: dict
  contains:
    index:
      description: Position of the step, from 1.
      type: int
    id:
      description: Stable id of the step.
      type: str
      sample: "os:fetch"
    domain:
      description: C(raid), C(os), C(containers) or C(hypervisor).
      type: str
    description:
      description: What the step does.
      type: str
    state:
      description: C(pending), C(done), C(changed), C(unchanged) or C(failed).
      type: str
    message:
      description: What hostctl said about the step.
      type: str
  sample:
    - index: 1
      id: "raid:partition"
      domain: raid
      description: "partition sda and sdb for the OS RAID 1"
      state: changed
      message: ""
steps_changed:
  description: Steps that changed the machine (0 in check mode).
  returned: when hostctl printed its JSON
  type: int
  sample: 3
steps_pending:
  description: Steps that would change the machine (check mode; 0 otherwise).
  returned: when hostctl printed its JSON
  type: int
  sample: 0
cmd:
  description: The command that ran.
  returned: always
  type: list
  elements: str
  sample: [hostctl, apply, /etc/hostd/host.yaml, --json, --yes]
rc:
  description: hostctl's exit status (0 ok, 1 failure, 2 usage error, 3 refused for safety).
  returned: when hostctl ran
  type: int
  sample: 0
stdout:
  description: hostctl's standard output (its JSON).
  returned: when hostctl ran
  type: str
stderr:
  description: hostctl's standard error (its log).
  returned: when hostctl ran
  type: str
errors:
  description: What is wrong with the plan (a disk with data not listed under wipe, ...), when hostctl lists it.
  returned: when hostctl printed a plan with errors
  type: list
  elements: str
  sample: ["disk WFK02ABC (sde) carries data (ext4): list it under storage.wipe to allow wiping it"]
error:
  description: The C(error) object hostctl printed on failure.
  returned: on failure, when hostctl printed one
  type: dict
  sample: {"code": -1, "message": "the plan has 1 error(s): nothing was written"}
"""

import json
import os
import signal
import subprocess
import time

from ansible.module_utils.basic import AnsibleModule

EXIT_REFUSED = 3
EXIT_USAGE = 2
KILL_GRACE_S = 30


def run(argv, timeout):
    """Run argv; return (rc, stdout, stderr, timed_out)."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            close_fds=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout if timeout > 0 else None)
        return proc.returncode, out, err, False
    except subprocess.TimeoutExpired:
        # SIGTERM first, so that hostctl can stop cleanly; SIGKILL after the grace time.
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=KILL_GRACE_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
        return proc.returncode, out, err, True


def text(b):
    return b.decode("utf-8", errors="replace") if isinstance(b, bytes) else (b or "")


def parse_json(s):
    """The JSON objects on stdout, in order. hostctl prints one, with its
    "error" beside the data on failure (the steps, the plan's "errors");
    older builds printed the data and then a second object with the error."""
    docs, dec, i = [], json.JSONDecoder(), 0
    while True:
        while i < len(s) and s[i].isspace():
            i += 1
        if i >= len(s):
            return docs
        try:
            d, i = dec.raw_decode(s, i)
        except ValueError:
            return docs
        if isinstance(d, dict):
            docs.append(d)


def count(d, key):
    v = d.get(key, 0)
    try:
        return int(v or 0)
    except (TypeError, ValueError):
        return 0


def main():
    module = AnsibleModule(
        argument_spec=dict(
            spec=dict(type="path", required=True),
            hostctl=dict(type="str", default="hostctl"),
            inventory=dict(type="path"),
            phase=dict(type="str", choices=["install", "firstboot"]),
            yes=dict(type="bool", default=True, aliases=["assume_yes"]),
            timeout=dict(type="int", default=0),
        ),
        supports_check_mode=True,
    )
    p = module.params
    plan = module.check_mode
    result = dict(changed=False)

    if p["inventory"] and not plan:
        module.fail_json(msg="inventory is only for planning: a captured disk inventory cannot be applied; "
                             "run in check mode or drop inventory", **result)
    if p["timeout"] < 0:
        module.fail_json(msg="timeout must be 0 (no limit) or a number of seconds", **result)

    hostctl = p["hostctl"]
    if "/" in hostctl:
        if not (os.path.isfile(hostctl) and os.access(hostctl, os.X_OK)):
            module.fail_json(msg="hostctl %s is not an executable file" % hostctl, **result)
    else:
        hostctl = module.get_bin_path(hostctl, required=True, opt_dirs=["/usr/local/sbin", "/usr/sbin", "/sbin"])

    argv = [hostctl, "apply", p["spec"], "--json"]
    if plan:
        argv.append("--plan")
        if p["inventory"]:
            argv += ["--inventory", p["inventory"]]
    elif p["yes"]:
        argv.append("--yes")
    if p["phase"]:
        argv += ["--phase", p["phase"]]
    result["cmd"] = argv

    t0 = time.monotonic()
    try:
        rc, out, err, timed_out = run(argv, p["timeout"])
    except OSError as ex:
        module.fail_json(msg="cannot run %s: %s" % (hostctl, ex), **result)
    out, err = text(out), text(err)
    result.update(rc=rc, stdout=out, stderr=err, duration_s=round(time.monotonic() - t0, 1))
    docs = parse_json(out)
    data = next((d for d in reversed(docs) if any(k != "error" for k in d)), None)
    error = next((d["error"] for d in reversed(docs) if "error" in d), None)

    if data is not None:
        for key in ("host", "phase", "mode", "next", "steps", "errors"):
            if key in data:
                result[key] = data[key]
        if not plan:
            # also on failure: steps that ran before the one that failed did change the machine
            steps = data.get("steps") if isinstance(data.get("steps"), list) else []
            result["changed"] = count(data, "changed") > 0 or any(
                isinstance(st, dict) and st.get("state") == "changed" for st in steps)

    if timed_out:
        module.fail_json(msg="hostctl apply did not finish within %d s and was stopped; run the module in "
                             "check mode to see where the host stands" % p["timeout"], **result)

    if rc != 0:
        message = ""
        if isinstance(error, dict):
            result["error"] = error
            message = str(error.get("message") or "")
        if not message:
            lines = [ln for ln in err.strip().splitlines() if ln.strip()]
            message = lines[-1] if lines else "no message"
        errors = data.get("errors") if data is not None else None
        if isinstance(errors, list) and not all(str(x) in message for x in errors):
            message += ": " + "; ".join(str(x) for x in errors)
        if rc == EXIT_REFUSED:
            msg = "hostctl apply refused for safety (exit 3): %s" % message
        elif rc == EXIT_USAGE:
            msg = "hostctl apply usage error (exit 2): %s" % message
        elif rc < 0:
            msg = "hostctl apply was killed by signal %d: %s" % (-rc, message)
        else:
            msg = "hostctl apply failed (exit %d): %s" % (rc, message)
        module.fail_json(msg=msg, **result)

    if data is None:
        module.fail_json(msg="hostctl apply exited 0 but did not print its JSON on stdout", **result)
    if not isinstance(data.get("steps", []), list):
        module.fail_json(msg="hostctl apply printed JSON without a list of steps", **result)

    want = "plan" if plan else "apply"
    if data.get("mode") != want:
        module.fail_json(msg="hostctl apply reported mode %r where %r was asked for" % (data.get("mode"), want),
                         **result)

    result["steps_changed"] = count(data, "changed")
    result["steps_pending"] = count(data, "pending")
    result["changed"] = (result["steps_pending"] if plan else result["steps_changed"]) > 0
    module.exit_json(**result)


if __name__ == "__main__":
    main()
