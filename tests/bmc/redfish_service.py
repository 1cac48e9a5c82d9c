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
- --flaky: the first GET of the systems collection answers 503, the first
  PATCH 412 (the ETag changes, as if someone else wrote: a retry must fetch a
  fresh one);
- --idrac: iDRAC 8's layout: the system is System.Embedded.1 and the virtual
  media sit under the Manager, with InsertMedia/EjectMedia actions;
- --bad garbage|truncated|short|401: a broken BMC.

The awkward services real BMCs are (each found in the field):
- --paging members|odata|repeat: log entries 3, two a page, the next page
  linked by Members@odata.nextLink (DMTF tools, iDRAC) or @odata.nextLink;
  repeat: the next page is the first again, linking to itself forever;
- --legacy-boot: the system boots Legacy BIOS (BootSourceOverrideMode);
- --reset-types A,B: the ResetType values the system allows;
- --vmedia sticky: (the drive starts empty) once an image is in, insert and eject answer 204 and
  change nothing; --vmedia fail-insert: inserting answers 500 and does not;
- --act-then-fail: Reset, InsertMedia and EjectMedia act, then answer 500;
- --no-sessions: the root has no Links.Sessions (Basic auth only);
- --session-204: the session POST answers 204 without a token;
- --stall S: GETs under /Systems/ answer after S seconds (logged on arrival
  with status "stalled").

The drives in the server's front bays (--drives, with --idrac: a PERC
H730 Mini as iDRAC 8 shows it, eight drives of an R630, the serials those of
tests/fixtures/inventory/r630-2ssd-6hdd.json in a shuffled order, one padded
with blanks as iDRAC pads SAS serials):
- --drives storage: the Storage resource lists them (Drives); --drives
  chassis: only the chassis' Drives collection does, two a page, linked by
  Members@odata.nextLink;
- --drive-led location: LocationIndicatorActive and PhysicalLocation's
  ordinal (newer firmware); indicator: IndicatorLED only, the bay only in the
  Id Disk.Bay.N:... (iDRAC 8); none: no LED control at all;
- a PATCH of a Drive is strict: a property the drive does not have is 400
  PropertyUnknown, a value outside the allowed ones 400 PropertyValueNotInList;
- Dell's OEM data: the PERC's CurrentControllerMode and each drive's
  RaidStatus (--perc-mode raid: bays 0 and 1 Online in a virtual disk, the
  others Ready; hba: all NonRAID), and DellRaidService's ConvertToNonRAID,
  unlinked as on an iDRAC, strict about its body (only PDArray, drives that
  exist and are Ready), answering 202 with a job in the manager's Jobs whose
  every GET moves it on: Scheduled, Running, then Completed (the drives are
  NonRAID only then); --job fail: it ends Failed and changes nothing;
  --job stuck: it stays Scheduled, as a job waiting for a restart does.
An image server (plain HTTP; HEAD or GET of *.iso answers 200, anything else
404) listens too: its port is in PORT-FILE.images.

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
P.add_argument("--paging", choices=["members", "odata", "repeat"])
P.add_argument("--legacy-boot", action="store_true")
P.add_argument("--reset-types")
P.add_argument("--vmedia", choices=["sticky", "fail-insert"])
P.add_argument("--act-then-fail", action="store_true")
P.add_argument("--no-sessions", action="store_true")
P.add_argument("--session-204", action="store_true")
P.add_argument("--stall", type=float, default=0.0)
P.add_argument("--drives", choices=["storage", "chassis"])
P.add_argument("--drive-led", choices=["location", "indicator", "none"], default="location")
P.add_argument("--perc-mode", choices=["raid", "hba"], default="raid")
P.add_argument("--job", choices=["complete", "fail", "stuck"], default="complete")
A = P.parse_args()
LOG_LOCK = threading.Lock()
ROOT = "/redfish/v1"
MOCK_SYSTEM = "437XR1138R2"
PERC = "RAID.Integrated.1-1"
# bay -> serial, model, media, protocol: sdc..sdh of the R630 fixture in reverse
BAYS = [("PHYG0000480BGN", "SSDSC2KG480G8R", "SSD", "SATA"), ("PHYG0010480BGN", "SSDSC2KG480G8R", "SSD", "SATA")] + \
    [(s, "ST1200MM0099", "HDD", "SAS") for s in ("WFK05ABC", "WFK04ABC", "WFK03ABC  ", "WFK02ABC", "WFK01ABC", "WFK00ABC")]
DRIVE_LED_VALUES = ["Lit", "Blinking", "Off"]


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
            if A.legacy_boot:
                o["Boot"]["BootSourceOverrideMode"] = "Legacy"
            if A.reset_types:
                o["Actions"]["#ComputerSystem.Reset"]["ResetType@Redfish.AllowableValues"] = A.reset_types.split(",")
    if A.drives:
        add_drives(res)
    if A.no_sessions:
        del res[ROOT]["Links"]["Sessions"]
    if A.vmedia:                              # start with an empty drive
        for o in res.values():
            if "MediaTypes" in o:
                o.update(Image=None, Inserted=False)
    return res


def add_drives(res):
    """--drives: the PERC's Storage and its drives under the system (iDRAC 8's paths)."""
    sysp = next(p for p, o in res.items() if "/Systems/" in p and "PowerState" in o)
    system = res[sysp]
    coll, st = sysp + "/Storage", sysp + "/Storage/" + PERC
    system["Storage"] = {"@odata.id": coll}
    res[coll] = {"@odata.id": coll, "@odata.type": "#StorageCollection.StorageCollection", "Name": "Storage",
                 "Members": [{"@odata.id": st}], "Members@odata.count": 1}
    drives = []
    for bay, (serial, model, media, proto) in enumerate(BAYS):
        did = "Disk.Bay.%d:Enclosure.Internal.0-1:%s" % (bay, PERC)
        d = {"@odata.id": st + "/Drives/" + did, "@odata.type": "#Drive.v1_9_0.Drive", "Id": did,
             "Name": "Physical Disk 0:1:%d" % bay, "SerialNumber": serial, "Model": model, "MediaType": media,
             "Protocol": proto, "CapacityBytes": 1200243695616 if media == "HDD" else 480103981056,
             "Status": {"Health": "OK", "State": "Enabled"},
             "Oem": {"Dell": {"DellPhysicalDisk": {"RaidStatus": "NonRAID" if A.perc_mode == "hba"
                                                   else "Online" if bay < 2 else "Ready"}}}}
        if A.drive_led == "location":
            d["LocationIndicatorActive"] = False
            d["PhysicalLocation"] = {"PartLocation": {"LocationOrdinalValue": bay, "LocationType": "Slot"}}
        elif A.drive_led == "indicator":
            d["@odata.type"] = "#Drive.v1_0_0.Drive"
            d["IndicatorLED"] = "Off"
        res[d["@odata.id"]] = d
        drives.append({"@odata.id": d["@odata.id"]})
    res[st] = {"@odata.id": st, "@odata.type": "#Storage.v1_7_0.Storage", "Id": PERC, "Name": "PERC H730 Mini",
               "StorageControllers": [{"MemberId": PERC, "Name": "PERC H730 Mini", "Model": "PERC H730 Mini"}],
               "Oem": {"Dell": {"DellController": {"CurrentControllerMode": A.perc_mode.upper()}}}}
    svc = sysp + "/Oem/Dell/DellRaidService"
    res[svc] = {"@odata.id": svc, "@odata.type": "#DellRaidService.v1_5_0.DellRaidService", "Id": "DellRaidService",
                "Actions": {"#DellRaidService.ConvertToNonRAID": {
                    "target": svc + "/Actions/DellRaidService.ConvertToNonRAID"}}}
    if A.drives == "storage":
        res[st]["Drives"] = drives
        res[st]["Drives@odata.count"] = len(drives)
    chp = system["Links"]["Chassis"][0]["@odata.id"]
    chassis = res.setdefault(chp, {"@odata.id": chp, "@odata.type": "#Chassis.v1_14_0.Chassis",
                                   "Id": chp.rsplit("/", 1)[1], "Name": "Chassis", "ChassisType": "RackMount"})
    if A.drives == "chassis":
        chassis["Drives"] = {"@odata.id": chp + "/Drives"}
        res[chp + "/Drives"] = {"@odata.id": chp + "/Drives", "@odata.type": "#DriveCollection.DriveCollection",
                                "Name": "Drives", "Members": drives, "Members@odata.count": len(drives)}


def drives_page(coll, query):
    """--drives chassis: the drive collection two a page."""
    skip = int(query.get("$skip", "0"))
    page = dict(coll, Members=coll["Members"][skip:skip + 2])
    if skip + 2 < len(coll["Members"]):
        page["Members@odata.nextLink"] = coll["@odata.id"] + "?$skip=%d" % (skip + 2)
    return page


def drive_patch_refusal(obj, body):
    """A Drive takes only the LED property it has, with an allowed value."""
    for k, v in body.items():
        if k not in ("LocationIndicatorActive", "IndicatorLED") or k not in obj:
            return "PropertyUnknown", "The property %s is not in the list of valid properties for the resource." % k
        if (k == "LocationIndicatorActive" and not isinstance(v, bool)) or \
                (k == "IndicatorLED" and v not in DRIVE_LED_VALUES):
            return "PropertyValueNotInList", "The value %s for the property %s is not in the list of acceptable values." % (json.dumps(v), k)
    return None


def entries_page(coll, query):
    """--paging: the entries collection as pages of two (a third entry added)."""
    members = copy.deepcopy(coll["Members"])
    if members and len(members) < 3:
        extra = copy.deepcopy(members[-1])
        extra["Id"] = "3"
        extra["@odata.id"] = coll["@odata.id"] + "/3"
        extra["Created"] = "2012-03-07T14:46:00Z"
        members.append(extra)
    skip = int(query.get("$skip", "0"))
    if A.paging == "repeat":
        skip = 0
    page = {k: v for k, v in coll.items() if k not in ("Members", "@odata.nextLink")}
    page["Members@odata.count"] = len(members)
    page["Members"] = members[skip:skip + 2]
    if skip + 2 < len(members) or A.paging == "repeat":
        key = "Members@odata.nextLink" if A.paging in ("members", "repeat") else "@odata.nextLink"
        page[key] = coll["@odata.id"] + "?$skip=2"
    return page


def links_in(o, out):
    if isinstance(o, dict):
        for k, v in o.items():
            if k in ("@odata.id", "target", "@odata.nextLink", "Members@odata.nextLink") and isinstance(v, str):
                out.add(v.split("?")[0].rstrip("/"))
            else:
                links_in(v, out)
    elif isinstance(o, list):
        for v in o:
            links_in(v, out)


def error_body(msg, mid="GeneralError"):
    return {"error": {"code": "Base.1.8." + mid, "message": msg,
                      "@Message.ExtendedInfo": [{"MessageId": "Base.1.8." + mid, "Message": msg}]}}


class BMC:
    def __init__(self):
        self.res = load(A.root, A.idrac)
        self.etag = {p: 1 for p in self.res}
        self.sessions = {}
        self.linked = {ROOT}
        self.tries = {}
        self.tasks = {}
        self.jobs = {}
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
        if A.stall and self.command == "GET" and "/Systems/" in path:
            self.status, self.linked_before = "stalled", set()
            self.record(body)
            time.sleep(A.stall)
            self.status = 0
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
        sessions = ROOT + "/SessionService/Sessions"
        if m == "POST" and path == sessions and A.no_sessions:
            return self.reply(405, error_body("Sessions are not supported."))
        if m == "POST" and path == sessions and A.session_204:
            return self.reply(204)
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
        if m == "GET" and path in bmc.jobs:
            return self.reply(200, self.job_step(bmc, path))
        if m == "GET" and path in bmc.tasks:
            done = bmc.tasks[path]
            return self.reply(202 if time.monotonic() < done else 204, None, {"Location": path})
        if m == "GET":
            if path.endswith("/Systems") and bmc.first("systems"):
                return self.reply(503, error_body("Service temporarily unavailable."))
            q = dict(kv.partition("=")[::2] for kv in self.path.partition("?")[2].split("&") if kv)
            if A.paging and path.endswith("/Entries") and path in bmc.res:
                return self.reply(200, entries_page(bmc.res[path], q))
            if A.drives == "chassis" and path.endswith("/Drives") and path in bmc.res:
                return self.reply(200, drives_page(bmc.res[path], q))
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
            return self.reply(412, error_body("The resource has changed."))
        if im != 'W/"%d"' % bmc.etag[path]:
            return self.reply(412, error_body("The ETag does not match."))
        if not isinstance(body, dict):
            return self.reply(400, error_body("Malformed JSON."))
        if "Inserted" in body and self.vmedia_refuses(obj, body["Inserted"]):
            return self.reply(500 if A.vmedia == "fail-insert" else 204)
        if "#Drive." in obj.get("@odata.type", ""):
            refusal = drive_patch_refusal(obj, body)
            if refusal:
                return self.reply(400, error_body(refusal[1], refusal[0]))
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
            if A.act_then_fail:
                return self.reply(500, error_body("Internal error."))
            if A.task:
                mon = ROOT + "/TaskService/TaskMonitors/" + secrets.token_hex(4)
                bmc.tasks[mon] = time.monotonic() + A.power_delay
                return self.reply(202, None, {"Location": mon})
            return self.reply(204)
        if act in ("VirtualMedia.InsertMedia", "VirtualMedia.EjectMedia"):
            insert = act == "VirtualMedia.InsertMedia"
            if self.vmedia_refuses(obj, insert):
                return self.reply(500 if A.vmedia == "fail-insert" else 204)
            if insert:
                obj.update(Image=body.get("Image"), Inserted=True, WriteProtected=body.get("WriteProtected", True))
            else:
                obj.update(Image=None, Inserted=False)
            bmc.etag[owner] += 1
            return self.reply(500 if A.act_then_fail else 204)
        if act == "DellRaidService.ConvertToNonRAID":
            return self.convert_to_non_raid(bmc, body)
        if act == "LogService.ClearLog":
            entries = bmc.res.get(obj.get("Entries", {}).get("@odata.id"))
            if entries is not None:
                entries["Members"] = []
                entries["Members@odata.count"] = 0
                entries.pop("@odata.nextLink", None)
            return self.reply(204)
        return self.reply(404, error_body("No such action: " + act))

    def convert_to_non_raid(self, bmc, body):
        """Dell's ConvertToNonRAID: strict about PDArray, a job as the answer."""
        drives = {o["Id"]: o for o in bmc.res.values() if o.get("@odata.type", "").startswith("#Drive.")}
        for k in body:
            if k != "PDArray":
                return self.reply(400, error_body("The property %s is not in the list of valid properties." % k,
                                                  "PropertyUnknown"))
        pds = body.get("PDArray")
        if not isinstance(pds, list) or not pds or not all(isinstance(x, str) for x in pds):
            return self.reply(400, error_body("PDArray must be a list of physical disk FQDDs.", "PropertyValueTypeError"))
        for pd in pds:
            if pd not in drives:
                return self.reply(400, error_body("Invalid physical disk FQDD %s." % pd, "ResourceNotFound"))
            status = drives[pd]["Oem"]["Dell"]["DellPhysicalDisk"]["RaidStatus"]
            if status != "Ready":
                return self.reply(400, error_body("Physical disk %s is %s, not in the Ready state." % (pd, status),
                                                  "ActionNotSupported"))
        mgr = next(p for p, o in bmc.res.items() if "/Managers/" in p and o.get("@odata.type", "").startswith("#Manager."))
        jid = "JID_%010d" % (len(bmc.jobs) + 1)
        loc = mgr + "/Jobs/" + jid
        bmc.jobs[loc] = {"job": {"@odata.id": loc, "@odata.type": "#DellJob.v1_4_0.DellJob", "Id": jid,
                                 "JobType": "RealTimeNoRebootConfiguration", "JobState": "Scheduled",
                                 "Message": "Task successfully scheduled.", "PercentComplete": 0},
                         "drives": [drives[pd] for pd in pds]}
        return self.reply(202, None, {"Location": loc})

    def job_step(self, bmc, path):
        """Each GET of a job moves it on; the drives change when it completes."""
        j = bmc.jobs[path]
        job = j["job"]
        if A.job == "stuck" or job["JobState"] in ("Completed", "Failed"):
            return job
        if job["JobState"] == "Scheduled":
            job.update(JobState="Running", Message="Job in progress.", PercentComplete=50)
        elif A.job == "fail":
            job.update(JobState="Failed", Message="Unable to convert the physical disk(s) to non-RAID.",
                       PercentComplete=100)
        else:
            job.update(JobState="Completed", Message="Job completed successfully.", PercentComplete=100)
            for d in j["drives"]:
                d["Oem"]["Dell"]["DellPhysicalDisk"]["RaidStatus"] = "NonRAID"
        return job

    def vmedia_refuses(self, obj, insert):
        """--vmedia: sticky keeps what is in; fail-insert fails every insert."""
        if A.vmedia == "sticky":
            return bool(obj.get("Inserted"))
        return A.vmedia == "fail-insert" and bool(insert)


class ImageHandler(BaseHTTPRequestHandler):
    """The web server an operator's images live on: HEAD/GET of *.iso is 200."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_HEAD(self):
        ok = self.path.split("?")[0].endswith(".iso")
        self.send_response(200 if ok else 404)
        self.send_header("Content-Length", "1048576" if ok else "0")
        self.end_headers()

    def do_GET(self):                      # a ranged GET: the first byte
        ok = self.path.split("?")[0].endswith(".iso")
        self.send_response(206 if ok else 404)
        if ok:
            self.send_header("Content-Range", "bytes 0-0/1048576")
        self.send_header("Content-Length", "1" if ok else "0")
        self.end_headers()
        if ok:
            self.wfile.write(b"\0")


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
    img = ThreadingHTTPServer(("127.0.0.1", 0), ImageHandler)
    img.daemon_threads = True
    threading.Thread(target=img.serve_forever, daemon=True).start()
    with open(A.port_file + ".images.tmp", "w") as f:
        f.write("%d\n" % img.server_address[1])
    os.rename(A.port_file + ".images.tmp", A.port_file + ".images")
    tmp = A.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(map(str, ports)) + "\n")
    os.rename(tmp, A.port_file)
    threading.Event().wait()


if __name__ == "__main__":
    main()
