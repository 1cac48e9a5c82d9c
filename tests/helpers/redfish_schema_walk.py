#!/usr/bin/env python3
"""Walk a Redfish service from its root and check each resource against the
DMTF JSON schema of its @odata.type, and against what DSP0266 asks of it.

  redfish_schema_walk.py --socket PATH --schemas DIR
      GET every resource reachable from /redfish/v1/ over hostd's Unix socket.
  redfish_schema_walk.py --schemas DIR --check FILE
      Check one saved document (the tests feed it a broken one, to show that
      a wrong document fails).
  redfish_schema_walk.py --schemas DIR --check-error FILE
      Check one Redfish error body: the redfish-error schema, and that every
      MessageId is a Base message added in the version the id names or before.

Prints one line per check, "PASS<TAB>what" or "FAIL<TAB>what: why" (and with
--list "PATH<TAB>path" for each resource walked), for the
shell test to count. Exit status 0 when nothing failed. Stdlib and
python3-jsonschema only.
"""
import argparse
import http.client
import json
import os
import re
import socket
import sys
import warnings
import xml.etree.ElementTree as ET

import jsonschema

DMTF = "http://redfish.dmtf.org/schemas/v1/"
# Storage references Volume as Swordfish did; those schemas are Redfish's now
SWORDFISH = "http://redfish.dmtf.org/schemas/swordfish/v1/"
ODATA_ID = re.compile(r"^/redfish/v1(/|$)")
failures = 0


def report(ok, what):
    global failures
    if not ok:
        failures += 1
    print(("PASS\t" if ok else "FAIL\t") + what, flush=True)


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=30)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(self.unix_path)


def get(sock_path, path):
    c = UnixHTTPConnection(sock_path)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    headers = {k.lower(): v for k, v in r.getheaders()}
    c.close()
    return r.status, headers, body


class NotVendored(dict):
    """A schema vendor.sh did not copy (a version of a type hostd does not
    use, referenced from that type's unversioned schema): every definition
    in it matches nothing, so a link to such a type must match the idRef
    (@odata.id) branch beside it."""

    def __missing__(self, key):
        return NotVendored({"not": {}})


class Schemas:
    """The vendored schemas, by their DMTF URI."""

    def __init__(self, directory):
        self.dir = os.path.join(directory, "json")
        self.files = set(os.listdir(self.dir))
        self.cache = {}

    def load(self, uri):
        for prefix in (DMTF, SWORDFISH):
            if uri.startswith(prefix):
                name = uri[len(prefix):].split("#")[0]
                break
        else:
            name = None
        if name is None:
            raise ValueError(f"a schema outside {DMTF}: {uri}")
        if name in self.cache:
            return self.cache[name]
        if name in self.files:
            with open(os.path.join(self.dir, name)) as f:
                doc = json.load(f)
        elif re.fullmatch(r"[A-Za-z0-9]+\.v\d+_\d+_\d+\.json", name):
            doc = NotVendored()
        else:
            raise ValueError(f"schema {name} is not vendored (tests/fixtures/redfish/schemas/vendor.sh)")
        self.cache[name] = doc
        return doc

    def file_for_type(self, odata_type):
        """#Drive.v1_17_0.Drive -> the newest vendored v1_17 errata, else the
        newest v1_*; #DriveCollection.DriveCollection -> DriveCollection.json."""
        m = re.fullmatch(r"#([A-Za-z0-9]+)\.v(\d+)_(\d+)_(\d+)\.([A-Za-z0-9]+)", odata_type)
        if not m:
            m2 = re.fullmatch(r"#([A-Za-z0-9]+)\.([A-Za-z0-9]+)", odata_type)
            if m2 and m2[1] + ".json" in self.files:
                return m2[1] + ".json", m2[2]
            return None, None

        def key(f):
            return [int(x) for x in re.findall(r"\d+", f)]
        for pat in (rf"{m[1]}\.v{m[2]}_{m[3]}_\d+\.json", rf"{m[1]}\.v{m[2]}_\d+_\d+\.json"):
            found = sorted((f for f in self.files if re.fullmatch(pat, f)), key=key)
            if found:
                return found[-1], m[5]
        return None, None

    def validate(self, doc, file, definition):
        schema = {"$ref": DMTF + file + "#/definitions/" + definition}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            resolver = jsonschema.RefResolver(DMTF, schema, handlers={"http": self.load})
            v = jsonschema.Draft7Validator(schema, resolver=resolver)
            errors = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
        return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(top)", e.message[:200]) for e in errors]


def objects(doc, where=""):
    """Every object inside doc, with where it is."""
    if isinstance(doc, dict):
        yield where or "(top)", doc
        for k, v in doc.items():
            yield from objects(v, f"{where}/{k}")
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from objects(v, f"{where}/{i}")


def check_document(schemas, path, doc, namespaces=None, link=None):
    """The checks on one resource; returns the @odata.id links it has."""
    typ = doc.get("@odata.type") if isinstance(doc, dict) else None
    if not typ:
        report(False, f"{path}: no @odata.type")
        return []
    for where, o in objects(doc):
        if "@odata.id" in o and len(o) > 1 and "@odata.type" not in o and where != "(top)":
            report(False, f"{path} {where}: an object with @odata.id and properties has no @odata.type")
        if where.endswith("/Oem"):
            for vendor, ext in o.items():
                if isinstance(ext, dict) and "@odata.type" not in ext:
                    report(False, f"{path} {where}/{vendor}: an Oem object without @odata.type")
                elif isinstance(ext, dict) and namespaces is not None:
                    oem_ns = str(ext["@odata.type"])[1:].rsplit(".", 1)[0]
                    report(oem_ns in namespaces, f"{path} {where}/{vendor}: $metadata includes namespace {oem_ns}")
        if "@odata.id" in o and not ODATA_ID.match(str(o["@odata.id"])):
            report(False, f"{path} {where}: @odata.id {o['@odata.id']} is not a Redfish resource")
    ns = typ[1:].rsplit(".", 1)[0]
    if namespaces is not None:
        report(ns in namespaces, f"{path}: $metadata includes namespace {ns}")
    if typ.startswith("#Hostd"):
        report(True, f"{path}: {typ} (hostd's own type: no DMTF schema)")
    else:
        file, definition = schemas.file_for_type(typ)
        if not file:
            report(False, f"{path}: no vendored schema for {typ} (tests/fixtures/redfish/schemas/vendor.sh)")
        else:
            errors = schemas.validate(doc, file, definition)
            report(not errors, f"{path}: {typ} against {file}" + ("" if not errors else ": " + "; ".join(errors[:5])))
        if link is not None:
            want = f"<{DMTF}{ns}.json>; rel=describedby"
            report(link == want, f"{path}: Link {link!r}" + ("" if link == want else f", expected {want!r}"))
    return [o["@odata.id"] for _, o in objects(doc) if isinstance(o.get("@odata.id"), str)]


def metadata_namespaces(sock):
    status, headers, body = get(sock, "/redfish/v1/$metadata")
    report(status == 200, f"/redfish/v1/$metadata: {status}")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as e:
        report(False, f"/redfish/v1/$metadata is not XML: {e}")
        return set()
    ns = {"edmx": "http://docs.oasis-open.org/odata/ns/edmx"}
    return {i.get("Namespace") for i in root.iterfind("edmx:Reference/edmx:Include", ns)}


def walk(sock, schemas, list_paths=False):
    namespaces = metadata_namespaces(sock)
    todo, seen = ["/redfish/v1/"], set()
    while todo:
        path = todo.pop(0)
        key = path.rstrip("/") or "/"
        if key in seen:
            continue
        seen.add(key)
        if list_paths:
            print("PATH\t" + path, flush=True)
        status, headers, body = get(sock, path)
        if status != 200:
            report(False, f"{path}: GET answered {status}")
            continue
        try:
            doc = json.loads(body)
        except ValueError as e:
            report(False, f"{path}: not JSON: {e}")
            continue
        if doc.get("@odata.id", "").rstrip("/") != key:
            report(False, f"{path}: @odata.id is {doc.get('@odata.id')!r}")
        links = check_document(schemas, path, doc, namespaces, headers.get("link"))
        todo.extend(link for link in links if "#" not in link and link.rstrip("/") not in seen)
    report(len(seen) > 1, f"walked {len(seen)} resources from the root")


def check_error(schemas, directory, file):
    with open(file) as f:
        doc = json.load(f)
    errors = schemas.validate(doc, "redfish-error.v1_0_2.json", "RedfishError")
    report(not errors, f"{file}: redfish-error schema" + ("" if not errors else ": " + "; ".join(errors[:5])))
    regs = [f for f in os.listdir(os.path.join(directory, "registries")) if f.startswith("Base.")]
    with open(os.path.join(directory, "registries", regs[0])) as f:
        messages = json.load(f)["Messages"]
    infos = doc.get("error", {}).get("@Message.ExtendedInfo", [])
    report(bool(infos), f"{file}: @Message.ExtendedInfo has messages")
    for info in infos:
        report(message_id_known(messages, info.get("MessageId", "")), f"{file}: MessageId {info.get('MessageId')}")


def message_id_known(messages, message_id):
    """Base.1.16.ResourceNotFound: a Base message added in 1.16 or before."""
    m = re.fullmatch(r"Base\.(\d+)\.(\d+)\.([A-Za-z]+)", message_id)
    if not m or m[3] not in messages:
        return False
    added = [int(x) for x in messages[m[3]].get("VersionAdded", "1.0.0").split(".")[:2]]
    return added <= [int(m[1]), int(m[2])]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--schemas", required=True)
    ap.add_argument("--socket")
    ap.add_argument("--list", action="store_true", help="also print PATH<TAB>path of each resource walked")
    ap.add_argument("--check")
    ap.add_argument("--check-error")
    ap.add_argument("--message-ids", nargs="*", help="check these MessageIds against the Base registry")
    a = ap.parse_args()
    schemas = Schemas(a.schemas)
    if a.check:
        with open(a.check) as f:
            check_document(schemas, a.check, json.load(f))
    elif a.check_error:
        check_error(schemas, a.schemas, a.check_error)
    elif a.message_ids is not None:
        regs = [f for f in os.listdir(os.path.join(a.schemas, "registries")) if f.startswith("Base.")]
        with open(os.path.join(a.schemas, "registries", regs[0])) as f:
            messages = json.load(f)["Messages"]
        for mid in a.message_ids:
            report(message_id_known(messages, mid), f"MessageId {mid} is in the Base registry at its version")
    elif a.socket:
        walk(a.socket, schemas, a.list)
    else:
        ap.error("give --socket, --check, --check-error or --message-ids")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
