#!/usr/bin/python3
"""A Redfish service for tests: serves a DMTF mockup (tests/fixtures/redfish)
over HTTPS and behaves like a BMC where it matters to a client:

- sessions (POST to the collection linked from the root; X-Auth-Token;
  DELETE ends them) and Basic auth; everything but the root needs one;
- ComputerSystem.Reset changes PowerState after --power-delay seconds and
  refuses (409) a request for the state the system is already in (as iDRAC);
  with --task the reset answers 202 and a task monitor;
- PATCH needs If-Match with the current ETag (428 without, 412 when stale);
- VirtualMedia insert/eject (actions in --idrac mode, PATCH otherwise);
- LogService.ClearLog; entries pages after the first are empty;
- --flaky: the first Reset, the first PATCH and the first GET of the systems
  collection answer 503 (the PATCH's 503 also changes the ETag, as if someone
  else wrote: a retry must fetch a fresh one);
- --idrac: iDRAC 8's layout: the system is System.Embedded.1 and the virtual
  media sit under the Manager, with InsertMedia/EjectMedia actions;
- --bad garbage|truncated|short|401: a broken BMC.

Every request is logged as a JSON line (--log): method, path, If-Match, auth
kind, status, the body (passwords masked) and whether the path had been
served before as a link (@odata.id, an action target, a Location) - a client
that builds paths itself shows up as linked: false.
Usage: redfish_service.py --root DIR --cert PEM --key PEM --port-file F
       [--count N] [--log F] [--user U --password P] [options]
"""
import argparse, base64, copy, json, os, re, secrets, ssl, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

P = argparse.ArgumentParser()
P.add_argument("--root", required=True)
P.add_argument("--cert", required=True)
P.add_argument("--key", required=True)
P.add_argument("--port-file", required=True)
P.add_argument("--count", type=int, default=1)
P.add_argument("--log")
P.add_argument("--user", default="root")
P.add_argument("--password", default="calvin")
P.add_argument("--power-delay", type=float, default=0.0)
P.add_argument("--power", choices=["On", "Off"], default="Off")
P.add_argument("--task", action="store_true")
P.add_argument("--flaky", action="store_true")
P.add_argument("--idrac", action="store_true")
P.add_argument("--bad", choices=["garbage", "truncated", "short", "401"])
A = P.parse_args()
LOG_LOCK = threading.Lock()
ROOT = "/redfish/v1"
MOCK_SYSTEM = "437XR1138R2"


def load(root, idrac):
    res = {}
    for d, _, files in os.walk(root):
        if "index.json" in files:
            rel = os.path.relpath(d, root)
            path = ROOT if rel == "." else ROOT + "/" + rel
            with open(os.path.join(d, "index.json")) as f:
                text = f.read()
            if idrac:
                text = text.replace(MOCK_SYSTEM, "System.Embedded.1")
                path = path.replace(MOCK_SYSTEM, "System.Embedded.1")
            res[path] = json.loads(text)
    if idrac:
        sysp = ROOT + "/Systems/System.Embedded.1"
        old, new = sysp + "/VirtualMedia", ROOT + "/Managers/BMC/VirtualMedia"
        res[sysp].pop("VirtualMedia", None)
        res[ROOT + "/Managers/BMC"]["VirtualMedia"] = {"@odata.id": new}
        for p in [p for p in res if p.startswith(old)]:
            obj = json.loads(json.dumps(res.pop(p)).replace(old, new))
            if "MediaTypes" in obj:
                base = obj["@odata.id"]
                obj["Actions"] = {
                    "#VirtualMedia.InsertMedia": {"target": base + "/Actions/VirtualMedia.InsertMedia"},
                    "#VirtualMedia.EjectMedia": {"target": base + "/Actions/VirtualMedia.EjectMedia"}}
            res[p.replace(old, new)] = obj
    for p, o in res.items():
        if "PowerState" in o and "/Systems/" in p:
            o["PowerState"] = A.power
    return res


def links_in(o, out):
    if isinstance(o, dict):
        for k, v in o.items():
            if k in ("@odata.id", "target", "@odata.nextLink") and isinstance(v, str):
                out.add(v.split("?")[0].rstrip("/"))
            else:
                links_in(v, out)
    elif isinstance(o, list):
        for v in o:
            links_in(v, out)


def error_body(msg):
    return {"error": {"code": "Base.1.8.GeneralError", "message": msg,
                      "@Message.ExtendedInfo": [{"MessageId": "Base.1.8.GeneralError", "Message": msg}]}}


class BMC:
    def __init__(self):
        self.res = load(A.root, A.idrac)
        self.etag = {p: 1 for p in self.res}
        self.sessions = {}
        self.linked = {ROOT}
        self.tries = {}
        self.tasks = {}
        self.lock = threading.Lock()

    def first(self, what):
        self.tries[what] = self.tries.get(what, 0) + 1
        return A.flaky and self.tries[what] == 1


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body=None, headers=None, raw=None):
        b = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        self.send_response(status)
        length = len(b)
        if A.bad == "short" and b:
            length, b = len(b), b[: len(b) // 2]
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(length))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(b)
        if A.bad == "short":
            self.close_connection = True
        if body is not None:
            links_in(body, self.server.bmc.linked)
        if headers and "Location" in headers:
            self.server.bmc.linked.add(headers["Location"])
        self.status = status

    def record(self, body):
        if not A.log:
            return
        if isinstance(body, dict) and "Password" in body:
            body = dict(body, Password="***")
        path = self.path.split("?")[0].rstrip("/") or "/"
        e = {"port": self.server.server_address[1], "method": self.command, "path": self.path,
             "if_match": self.headers.get("If-Match"), "token": self.headers.get("X-Auth-Token") is not None,
             "basic": (self.headers.get("Authorization") or "").startswith("Basic "),
             "linked": path in self.linked_before, "status": getattr(self, "status", 0), "body": body}
        with LOG_LOCK, open(A.log, "a") as f:
            f.write(json.dumps(e) + "\n")

    def authorized(self):
        bmc = self.server.bmc
        tok = self.headers.get("X-Auth-Token")
        if tok is not None:
            return tok in bmc.sessions
        auth = self.headers.get("Authorization") or ""
        if auth.startswith("Basic "):
            try:
                u, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            except Exception:
                return False
            return u == A.user and pw == A.password
        return False

    def handle_any(self):
        bmc = self.server.bmc
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = "<not json>"
        path = self.path.split("?")[0].rstrip("/") or "/"
        with bmc.lock:
            self.linked_before = set(bmc.linked)
            try:
                self.route(bmc, path, body)
            finally:
                self.record(body)

    do_GET = do_POST = do_PATCH = do_DELETE = handle_any

    def route(self, bmc, path, body):
        m = self.command
        if A.bad == "401" and path != ROOT:
            return self.reply(401, error_body("Authentication failed."))
        if A.bad == "garbage":
            return self.reply(200, raw=b"<html><body>iDRAC is busy</body></html>")
        if m == "GET" and path == ROOT:
            return self.reply(200, bmc.res[ROOT])
        sessions = bmc.res[ROOT]["Links"]["Sessions"]["@odata.id"]
        if m == "POST" and path == sessions:
            if not isinstance(body, dict) or body.get("UserName") != A.user or body.get("Password") != A.password:
                return self.reply(401, error_body("Invalid user name or password."))
            tok, sid = secrets.token_hex(16), secrets.token_hex(4)
            loc = sessions + "/" + sid
            bmc.sessions[tok] = loc
            return self.reply(201, {"@odata.id": loc, "Id": sid, "UserName": A.user},
                              {"X-Auth-Token": tok, "Location": loc})
        if not self.authorized():
            return self.reply(401, error_body("Authentication required."))
        if m == "DELETE" and path.startswith(sessions + "/"):
            for tok, loc in list(bmc.sessions.items()):
                if loc == path:
                    del bmc.sessions[tok]
                    return self.reply(204)
            return self.reply(404, error_body("No such session."))
        if m == "GET" and path in bmc.tasks:
            done = bmc.tasks[path]
            return self.reply(202 if time.monotonic() < done else 204, None, {"Location": path})
        if m == "GET":
            if path.endswith("/Systems") and bmc.first("systems"):
                return self.reply(503, error_body("Service temporarily unavailable."))
            if "$skiptoken" in self.path:
                return self.reply(200, {"@odata.id": path, "Members": [], "Members@odata.count": 0})
            obj = bmc.res.get(path)
            if obj is None:
                return self.reply(404, error_body("Resource not found: " + path))
            if A.bad == "truncated":
                text = json.dumps(obj).encode()
                return self.reply(200, raw=text[: len(text) // 2])
            return self.reply(200, obj, {"ETag": 'W/"%d"' % bmc.etag[path]})
        if m == "PATCH":
            return self.patch(bmc, path, body)
        if m == "POST":
            return self.action(bmc, path, body)
        return self.reply(405, error_body("Method not allowed."))

    def patch(self, bmc, path, body):
        obj = bmc.res.get(path)
        if obj is None:
            return self.reply(404, error_body("Resource not found."))
        im = self.headers.get("If-Match")
        if im is None:
            return self.reply(428, error_body("If-Match is required."))
        if bmc.first("patch"):
            bmc.etag[path] += 1              # someone else wrote meanwhile
            return self.reply(503, error_body("Service temporarily unavailable."))
        if im != 'W/"%d"' % bmc.etag[path]:
            return self.reply(412, error_body("The ETag does not match."))
        if not isinstance(body, dict):
            return self.reply(400, error_body("Malformed JSON."))
        boot = body.get("Boot", {})
        allowed = obj.get("Boot", {}).get("BootSourceOverrideTarget@Redfish.AllowableValues")
        if allowed and "BootSourceOverrideTarget" in boot and boot["BootSourceOverrideTarget"] not in allowed:
            return self.reply(400, error_body("Bad BootSourceOverrideTarget."))

        def merge(dst, src):
            for k, v in src.items():
                if isinstance(v, dict) and isinstance(dst.get(k), dict):
                    merge(dst[k], v)
                else:
                    dst[k] = v
        merge(obj, body)
        bmc.etag[path] += 1
        return self.reply(200, obj, {"ETag": 'W/"%d"' % bmc.etag[path]})

    def action(self, bmc, path, body):
        body = body if isinstance(body, dict) else {}
        owner, _, act = path.partition("/Actions/")
        obj = bmc.res.get(owner)
        if obj is None or not act:
            return self.reply(404, error_body("No such action."))
        if act == "ComputerSystem.Reset":
            if bmc.first("reset"):
                return self.reply(503, error_body("Service temporarily unavailable."))
            t, state = body.get("ResetType"), obj["PowerState"]
            allowed = obj["Actions"]["#ComputerSystem.Reset"]["ResetType@Redfish.AllowableValues"]
            if t not in allowed:
                return self.reply(400, error_body("ResetType %s is not supported." % t))
            if (t in ("ForceOff", "GracefulShutdown") and state == "Off") or (t in ("On", "ForceOn") and state == "On"):
                return self.reply(409, error_body("The server is already powered %s." % state.lower()))
            final = "Off" if t in ("ForceOff", "GracefulShutdown") else "On"
            if t in ("ForceRestart", "GracefulRestart", "PowerCycle"):
                obj["PowerState"] = "Off" if A.power_delay else "On"
            def change():
                with bmc.lock:
                    obj["PowerState"] = final
            if A.power_delay:
                threading.Timer(A.power_delay, change).start()
            else:
                change_now = final
                obj["PowerState"] = change_now
            if A.task:
                mon = ROOT + "/TaskService/TaskMonitors/" + secrets.token_hex(4)
                bmc.tasks[mon] = time.monotonic() + A.power_delay
                return self.reply(202, None, {"Location": mon})
            return self.reply(204)
        if act == "VirtualMedia.InsertMedia":
            obj.update(Image=body.get("Image"), Inserted=True, WriteProtected=body.get("WriteProtected", True))
            bmc.etag[owner] += 1
            return self.reply(204)
        if act == "VirtualMedia.EjectMedia":
            obj.update(Image=None, Inserted=False)
            bmc.etag[owner] += 1
            return self.reply(204)
        if act == "LogService.ClearLog":
            entries = bmc.res.get(obj.get("Entries", {}).get("@odata.id"))
            if entries is not None:
                entries["Members"] = []
                entries["Members@odata.count"] = 0
                entries.pop("@odata.nextLink", None)
            return self.reply(204)
        return self.reply(404, error_body("No such action: " + act))


def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(A.cert, A.key)
    ports = []
    for _ in range(A.count):
        srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        srv.daemon_threads = True
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        srv.bmc = BMC()
        ports.append(srv.server_address[1])
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    tmp = A.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(map(str, ports)) + "\n")
    os.rename(tmp, A.port_file)
    threading.Event().wait()


if __name__ == "__main__":
    main()
