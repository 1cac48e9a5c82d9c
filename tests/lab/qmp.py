#!/usr/bin/env python3
"""qmp.py - minimal QMP client for the hostd lab (tests/lab/lab.sh: lab_qmp).

usage: qmp.py [--timeout S] [--event NAME[:KEY=VALUE]] SOCKET [COMMAND-JSON...]
       qmp.py --socket SOCKET [--timeout S] [--event ...] [COMMAND-JSON...]

Connects to QEMU's QMP socket (retrying until it exists, up to --timeout),
negotiates capabilities, sends each COMMAND-JSON in order and prints every
reply as one JSON line on stdout.  With --event, it then waits for that
event (one that arrived while the commands ran counts too), optionally one
whose "data" has KEY equal to VALUE, e.g.
    qmp.py --event DEVICE_DELETED:device=hdd6 SOCK \
        '{"execute":"device_del","arguments":{"id":"hdd6"}}'
and prints it.

Exit status: 0 all replies were "return"s (and the event came),
             1 a reply was an "error" or the event did not come in time,
             2 usage error or no connection.
"""
import json
import socket
import sys
import time


def main(argv):
    timeout = 30.0
    event = None
    path = None
    args = list(argv)
    while args and args[0].startswith("--"):
        opt = args.pop(0)
        if opt == "--timeout" and args:
            timeout = float(args.pop(0))
        elif opt == "--event" and args:
            event = args.pop(0)
        elif opt == "--socket" and args:
            path = args.pop(0)
        else:
            print(__doc__, file=sys.stderr)
            return 2
    if path is None:
        if not args:
            print(__doc__, file=sys.stderr)
            return 2
        path = args.pop(0)
    commands = args
    try:
        commands = [json.loads(c) for c in commands]
    except ValueError as e:
        print(f"qmp.py: bad command JSON: {e}", file=sys.stderr)
        return 2

    deadline = time.monotonic() + timeout
    sock = socket.socket(socket.AF_UNIX)
    while True:
        try:
            sock.connect(path)
            break
        except OSError as e:
            if time.monotonic() > deadline:
                print(f"qmp.py: {path}: {e}", file=sys.stderr)
                return 2
            time.sleep(0.1)
    sock.settimeout(max(deadline - time.monotonic(), 1.0))
    stream = sock.makefile("rw")
    events = []

    def receive():
        """Next non-event message; events are kept for --event."""
        while True:
            line = stream.readline()
            if not line:
                raise EOFError("QMP connection closed")
            msg = json.loads(line)
            if "event" in msg:
                events.append(msg)
                continue
            return msg

    def send(cmd):
        stream.write(json.dumps(cmd) + "\n")
        stream.flush()
        return receive()

    rc = 0
    try:
        stream.readline()  # greeting
        send({"execute": "qmp_capabilities"})
        for cmd in commands:
            reply = send(cmd)
            print(json.dumps(reply))
            if "error" in reply:
                rc = 1
        if event:
            name, _, cond = event.partition(":")
            key, _, value = cond.partition("=")

            def matches(m):
                if m.get("event") != name:
                    return False
                return not key or str(m.get("data", {}).get(key)) == value

            while not any(matches(m) for m in events):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no event {event}")
                sock.settimeout(left)
                line = stream.readline()
                if not line:
                    raise EOFError("QMP connection closed")
                msg = json.loads(line)
                if "event" in msg:
                    events.append(msg)
            print(json.dumps(next(m for m in events if matches(m))))
    except (OSError, EOFError, TimeoutError, ValueError) as e:
        print(f"qmp.py: {e}", file=sys.stderr)
        return 1
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
