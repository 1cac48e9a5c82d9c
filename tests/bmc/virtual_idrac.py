#!/usr/bin/env python3
"""A virtual iDRAC for the lab: a Redfish service (HTTPS) in front of one
QEMU machine, so that a client drives it as it drives a server's BMC.

- ComputerSystem.Reset: On starts the QEMU; ForceOff stops it; GracefulShutdown
  asks the guest (ACPI) and leaves it to power off; ForceRestart and
  PowerCycle stop it and start it anew. PowerState follows the process.
- Boot: BootSourceOverrideTarget None, Pxe, Cd, Hdd (nothing else);
  BootSourceOverrideEnabled Once, Continuous, Disabled. The target decides
  the boot order of the next start (QEMU bootindex, strict: a device outside
  the order is not booted); Once is spent by that start, as on an iDRAC. A
  guest that reboots is started anew by the service (QEMU runs with
  -no-reboot), so that a spent override no longer applies.
  BootSourceOverrideMode is the firmware's (UEFI with an OVMF pflash in the
  machine's arguments, else Legacy) and cannot be changed (400).
- Managers/iDRAC.Embedded.1/VirtualMedia/CD (iDRAC 8's layout): InsertMedia
  {"Image": URL} fetches the image over HTTP(S) from where it is served and
  puts it in the machine's CD drive (at once when it runs); a second insert
  while one is in is 409, as on an iDRAC; EjectMedia empties it.
- Sessions (X-Auth-Token) and Basic auth; ETags, and If-Match checked on
  PATCH (412 when stale); unknown properties and values not allowed are 400.
Every request is logged as a JSON line (--log); QEMU's command line of each
start goes to RUNDIR/qemu-starts.log, its serial console to RUNDIR/console.log
(the console of start N is kept as RUNDIR/console-start-N.log when the next
one begins).

Usage: virtual_idrac.py --run DIR --cert PEM --key PEM --port-file F
       --qemu-args FILE (the machine: one QEMU argument a line, no -boot, no
       -serial, no -qmp) [--user U --password P] [--log F]
       [--pxe-tftp DIR --pxe-bootfile FILE] (what a Pxe override's network boots)
"""
import argparse, base64, json, os, secrets, shutil, socket, ssl, subprocess, sys, threading, time, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

P = argparse.ArgumentParser()
for a in ("--run", "--cert", "--key", "--port-file", "--qemu-args"):
    P.add_argument(a, required=True)
P.add_argument("--user", default="root")
P.add_argument("--password", default="calvin")
P.add_argument("--log")
P.add_argument("--qemu", default="qemu-system-x86_64")
P.add_argument("--pxe-tftp", help="the PXE network's TFTP directory (QEMU's user network serves it)")
P.add_argument("--pxe-bootfile", help="the file its DHCP names to boot (an iPXE script may chain to HTTP)")
A = P.parse_args()

R = "/redfish/v1"
SYS, MGR, CHS = R + "/Systems/System.Embedded.1", R + "/Managers/iDRAC.Embedded.1", R + "/Chassis/System.Embedded.1"
CD = MGR + "/VirtualMedia/CD"
TARGETS = ["None", "Pxe", "Cd", "Hdd"]
ENABLED = ["Once", "Continuous", "Disabled"]
RESETS = ["On", "ForceOff", "GracefulShutdown", "ForceRestart", "PowerCycle"]
MACHINE = [l.rstrip("\n") for l in open(A.qemu_args) if l.strip()]
UEFI = any("OVMF" in a for a in MACHINE)


def error(msg, mid="GeneralError"):
    return {"error": {"code": "Base.1.8." + mid, "message": msg,
                      "@Message.ExtendedInfo": [{"MessageId": "Base.1.8." + mid, "Message": msg}]}}


class Machine:
    """The QEMU process behind the service, and what its next start boots."""

    def __init__(self):
        self.lock = threading.RLock()
        self.proc = None
        self.target, self.enabled = "None", "Disabled"
        self.image, self.media = None, None        # the URL, and the local copy
        self.stopping = False
        # The power as this service sees it: on from a start until it has
        # seen the QEMU exit and decided not to start it again. A rebooting
        # guest's QEMU exits before its SHUTDOWN event is read, so the
        # process alone would say off for a moment. The lab reads the file.
        self.on = False
        self.power_path = os.path.join(A.run, "power")
        self.qmp_path = os.path.join(A.run, "qmp.sock")
        self.events_path = os.path.join(A.run, "qmp-events.sock")

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def argv(self):
        boot = self.target if self.enabled != "Disabled" else "None"
        cd = ["-drive", "if=none,id=cdimg,media=cdrom,readonly=on" + (",file=" + self.media if self.media else ""),
              "-device", "ide-cd,drive=cdimg,id=cd0" + (",bootindex=0" if boot == "Cd" else "")]
        tftp = ",tftp=%s,bootfile=%s" % (A.pxe_tftp, A.pxe_bootfile) if A.pxe_tftp and A.pxe_bootfile else ""
        pxe = ["-netdev", "user,id=pxe0" + tftp, "-device", "virtio-net-pci,netdev=pxe0,bootindex=0"] if boot == "Pxe" else []
        return ([A.qemu] + MACHINE + cd + pxe +
                ["-boot", "strict=on", "-no-reboot", "-display", "none", "-pidfile", os.path.join(A.run, "qemu.pid"),
                 "-serial", "file:" + os.path.join(A.run, "console.log"),
                 "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path,
                 "-qmp", "unix:%s,server=on,wait=off" % self.events_path])

    def start(self):
        with self.lock:
            if self.running():
                return
            argv = self.argv()
            starts = os.path.join(A.run, "qemu-starts.log")
            n = sum(1 for _ in open(starts)) if os.path.exists(starts) else 0
            console = os.path.join(A.run, "console.log")
            if n and os.path.exists(console):     # the last start's console, kept
                os.rename(console, os.path.join(A.run, "console-start-%d.log" % n))
            with open(starts, "a") as f:
                f.write(json.dumps(argv) + "\n")
            if self.enabled == "Once":      # spent by this start
                self.target, self.enabled = "None", "Disabled"
            self.stopping = False
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=open(os.path.join(A.run, "qemu.err"), "a"))
            self.set_power(True)
            threading.Thread(target=self.watch, args=(self.proc,), daemon=True).start()

    def watch(self, proc):
        """A guest that rebooted (QEMU exits: -no-reboot; its SHUTDOWN event
        says guest-reset) is started anew, with what the next start boots."""
        reason = None
        s = None
        for _ in range(100):
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(self.events_path)
                break
            except OSError:
                s = None
                if proc.poll() is not None:
                    break
                time.sleep(0.1)
        if s:
            f = s.makefile("rw")
            try:
                f.readline()
                f.write(json.dumps({"execute": "qmp_capabilities"}) + "\n")
                f.flush()
                for line in f:
                    ev = json.loads(line)
                    if ev.get("event") == "SHUTDOWN":
                        reason = ev.get("data", {}).get("reason")
            except (OSError, ValueError):
                pass
            s.close()
        proc.wait()
        with self.lock:
            if proc is self.proc and not self.stopping and reason == "guest-reset":
                self.proc = None
                self.start()
            elif proc is self.proc:
                self.set_power(False)

    def set_power(self, on):
        self.on = on
        with open(self.power_path + ".tmp", "w") as f:
            f.write("on\n" if on else "off\n")
        os.replace(self.power_path + ".tmp", self.power_path)

    def powered(self):
        return self.on

    def qmp(self, *commands):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(5)
        s.connect(self.qmp_path)
        f = s.makefile("rw")
        f.readline()
        for c in ({"execute": "qmp_capabilities"},) + commands:
            f.write(json.dumps(c) + "\n")
            f.flush()
            while True:
                r = json.loads(f.readline())
                if "return" in r or "error" in r:
                    break
        s.close()

    def stop(self, graceful=False):
        with self.lock:
            if not self.running():
                self.stopping = True    # (a reboot under way does not start it again)
                self.set_power(False)
                return
            if graceful:
                self.qmp({"execute": "system_powerdown"})
                return
            self.stopping = True
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            self.set_power(False)

    def set_media(self, url, path):
        with self.lock:
            self.image, self.media = url, path
            if self.running():
                if path:
                    self.qmp({"execute": "blockdev-change-medium",
                              "arguments": {"id": "cd0", "filename": path, "format": "raw"}})
                else:
                    self.qmp({"execute": "eject", "arguments": {"id": "cd0", "force": True}})


M = Machine()
SESSIONS = {}
ETAG = {SYS: 1, CD: 1}
LOG_LOCK = threading.Lock()


def resources():
    with M.lock:
        on = M.powered()
        return {
            R: {"@odata.id": R, "@odata.type": "#ServiceRoot.v1_5_0.ServiceRoot", "Id": "RootService",
                "Name": "Root Service", "RedfishVersion": "1.6.0", "Systems": {"@odata.id": R + "/Systems"},
                "Managers": {"@odata.id": R + "/Managers"}, "Chassis": {"@odata.id": R + "/Chassis"},
                "SessionService": {"@odata.id": R + "/SessionService"},
                "Links": {"Sessions": {"@odata.id": R + "/SessionService/Sessions"}}},
            R + "/SessionService": {"@odata.id": R + "/SessionService", "Id": "SessionService",
                                    "Sessions": {"@odata.id": R + "/SessionService/Sessions"}},
            R + "/Systems": collection(R + "/Systems", [SYS]),
            R + "/Managers": collection(R + "/Managers", [MGR]),
            R + "/Chassis": collection(R + "/Chassis", [CHS]),
            SYS: {"@odata.id": SYS, "@odata.type": "#ComputerSystem.v1_5_0.ComputerSystem",
                  "Id": "System.Embedded.1", "Name": "System", "Manufacturer": "Dell Inc.",
                  "Model": "PowerEdge R630 (virtual)", "SKU": "VIRT630", "PowerState": "On" if on else "Off",
                  "Boot": {"BootSourceOverrideTarget": M.target, "BootSourceOverrideEnabled": M.enabled,
                           "BootSourceOverrideMode": "UEFI" if UEFI else "Legacy",
                           "BootSourceOverrideTarget@Redfish.AllowableValues": TARGETS},
                  "Actions": {"#ComputerSystem.Reset": {"target": SYS + "/Actions/ComputerSystem.Reset",
                                                        "ResetType@Redfish.AllowableValues": RESETS}},
                  "Links": {"Chassis": [{"@odata.id": CHS}], "ManagedBy": [{"@odata.id": MGR}]}},
            CHS: {"@odata.id": CHS, "@odata.type": "#Chassis.v1_6_0.Chassis", "Id": "System.Embedded.1",
                  "Name": "Chassis", "ChassisType": "RackMount", "PowerState": "On" if on else "Off",
                  "Links": {"ComputerSystems": [{"@odata.id": SYS}], "ManagedBy": [{"@odata.id": MGR}]}},
            MGR: {"@odata.id": MGR, "@odata.type": "#Manager.v1_3_0.Manager", "Id": "iDRAC.Embedded.1",
                  "Name": "Manager", "ManagerType": "BMC", "FirmwareVersion": "2.83.83.83",
                  "VirtualMedia": {"@odata.id": MGR + "/VirtualMedia"},
                  "Links": {"ManagerForServers": [{"@odata.id": SYS}]}},
            MGR + "/VirtualMedia": collection(MGR + "/VirtualMedia", [CD]),
            CD: {"@odata.id": CD, "@odata.type": "#VirtualMedia.v1_2_0.VirtualMedia", "Id": "CD",
                 "Name": "Virtual CD", "MediaTypes": ["CD", "DVD"], "Image": M.image, "Inserted": M.image is not None,
                 "WriteProtected": True, "ConnectedVia": "URI" if M.image else "NotConnected",
                 "Actions": {"#VirtualMedia.InsertMedia": {"target": CD + "/Actions/VirtualMedia.InsertMedia"},
                             "#VirtualMedia.EjectMedia": {"target": CD + "/Actions/VirtualMedia.EjectMedia"}}},
        }


def collection(path, members):
    return {"@odata.id": path, "Name": path.rsplit("/", 1)[1], "Members": [{"@odata.id": m} for m in members],
            "Members@odata.count": len(members)}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.status = status

    def authorized(self):
        tok = self.headers.get("X-Auth-Token")
        if tok and tok in SESSIONS:
            return True
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                return False
            return user == A.user and pw == A.password
        return False

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = "unreadable"
        path = self.path.partition("?")[0].rstrip("/") or "/"
        self.status = 0
        try:
            self.route(path, body)
        finally:
            if A.log:
                masked = dict(body, Password="***") if isinstance(body, dict) and "Password" in body else body
                with LOG_LOCK, open(A.log, "a") as f:
                    f.write(json.dumps({"method": self.command, "path": path, "status": self.status,
                                        "if_match": self.headers.get("If-Match"), "body": masked}) + "\n")

    do_GET = do_HEAD = do_POST = do_PATCH = do_DELETE = handle_any

    def route(self, path, body):
        m, sessions = self.command, R + "/SessionService/Sessions"
        if m == "POST" and path == sessions:
            if not isinstance(body, dict) or body.get("UserName") != A.user or body.get("Password") != A.password:
                return self.reply(401, error("Invalid user name or password.", "InsufficientPrivilege"))
            tok, loc = secrets.token_hex(16), sessions + "/" + secrets.token_hex(4)
            SESSIONS[tok] = loc
            return self.reply(201, {"@odata.id": loc, "Id": loc.rsplit("/", 1)[1], "UserName": A.user},
                              {"X-Auth-Token": tok, "Location": loc})
        if path != R and not self.authorized():
            return self.reply(401, error("Authentication required.", "InsufficientPrivilege"))
        if m == "DELETE" and path.startswith(sessions + "/"):
            for tok, loc in list(SESSIONS.items()):
                if loc == path:
                    del SESSIONS[tok]
                    return self.reply(204)
            return self.reply(404, error("No such session.", "ResourceMissingAtURI"))
        res = resources()
        if m in ("GET", "HEAD"):
            if path == sessions:
                return self.reply(200, collection(sessions, list(SESSIONS.values())))
            if path not in res:
                return self.reply(404, error("No resource at %s." % path, "ResourceMissingAtURI"))
            return self.reply(200, res[path], {"ETag": 'W/"%d"' % ETAG.get(path, 1)})
        if m == "PATCH" and path == SYS:
            return self.patch_boot(body)
        if m == "POST" and "/Actions/" in path:
            return self.action(path, body if isinstance(body, dict) else {})
        return self.reply(405, error("%s is not allowed on %s." % (m, path), "OperationNotAllowed"))

    def patch_boot(self, body):
        if self.headers.get("If-Match") not in (None, 'W/"%d"' % ETAG[SYS]):
            return self.reply(412, error("The resource has changed.", "PreconditionFailed"))
        if not isinstance(body, dict) or set(body) != {"Boot"} or not isinstance(body["Boot"], dict):
            return self.reply(400, error("Only Boot can be changed here.", "PropertyNotWritable"))
        boot = body["Boot"]
        for k, v in boot.items():
            if k == "BootSourceOverrideTarget" and v not in TARGETS:
                return self.reply(400, error("The value %s for BootSourceOverrideTarget is not allowed." % v,
                                             "PropertyValueNotInList"))
            if k == "BootSourceOverrideEnabled" and v not in ENABLED:
                return self.reply(400, error("The value %s for BootSourceOverrideEnabled is not allowed." % v,
                                             "PropertyValueNotInList"))
            if k == "BootSourceOverrideMode" and v != ("UEFI" if UEFI else "Legacy"):
                return self.reply(400, error("The boot mode cannot be changed on this server.", "PropertyNotWritable"))
            if k not in ("BootSourceOverrideTarget", "BootSourceOverrideEnabled", "BootSourceOverrideMode"):
                return self.reply(400, error("The property %s is not in the list of valid properties." % k,
                                             "PropertyUnknown"))
        with M.lock:
            M.target = boot.get("BootSourceOverrideTarget", M.target)
            M.enabled = boot.get("BootSourceOverrideEnabled", M.enabled if M.enabled != "Disabled" else "Once")
            ETAG[SYS] += 1
        return self.reply(200, resources()[SYS], {"ETag": 'W/"%d"' % ETAG[SYS]})

    def action(self, path, body):
        if path == SYS + "/Actions/ComputerSystem.Reset":
            t = body.get("ResetType")
            if t not in RESETS or set(body) != {"ResetType"}:
                return self.reply(400, error("ResetType %s is not supported." % t, "ActionParameterNotSupported"))
            on = M.powered()
            if (t == "On" and on) or (t in ("ForceOff", "GracefulShutdown") and not on):
                return self.reply(409, error("The server is already powered %s." % ("on" if on else "off"),
                                             "ActionNotSupported"))
            if t in ("ForceOff", "GracefulShutdown"):
                M.stop(graceful=t == "GracefulShutdown")
            else:
                M.stop()
                M.start()
            return self.reply(204)
        if path == CD + "/Actions/VirtualMedia.InsertMedia":
            url = body.get("Image")
            if not isinstance(url, str) or not url.startswith(("http://", "https://")) or \
                    set(body) - {"Image", "Inserted", "WriteProtected"}:
                return self.reply(400, error("Image must be an http(s) URL.", "ActionParameterValueFormatError"))
            if M.image:
                return self.reply(409, error("Virtual media is already attached.", "ResourceInUse"))
            local = os.path.join(A.run, "media", os.path.basename(url.partition("?")[0]) or "image.iso")
            os.makedirs(os.path.dirname(local), exist_ok=True)
            try:
                with urllib.request.urlopen(url, timeout=60) as r, open(local, "wb") as f:
                    shutil.copyfileobj(r, f)
            except OSError as e:
                return self.reply(400, error("Unable to fetch %s: %s" % (url, e), "ActionParameterValueFormatError"))
            M.set_media(url, local)
            ETAG[CD] += 1
            return self.reply(204)
        if path == CD + "/Actions/VirtualMedia.EjectMedia":
            if not M.image:
                return self.reply(409, error("No virtual media is attached.", "ActionNotSupported"))
            M.set_media(None, None)
            ETAG[CD] += 1
            return self.reply(204)
        return self.reply(404, error("No such action.", "ResourceMissingAtURI"))


def main():
    os.makedirs(A.run, exist_ok=True)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(A.cert, A.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(A.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(A.port_file + ".tmp", A.port_file)
    try:
        srv.serve_forever()
    finally:
        M.stop()


if __name__ == "__main__":
    sys.exit(main())
