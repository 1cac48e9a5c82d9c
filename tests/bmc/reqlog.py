#!/usr/bin/python3
"""reqlog.py LOG QUERY: summarise the test Redfish service's request log.
  lines            "METHOD PATH STATUS" per request
  unlinked         requests to paths never served as a link (root excepted)
  sessions         "created N deleted N"
  patches          "IF-MATCH/ETAG-OF-THE-GET-BEFORE" per PATCH, "ok" when they match
  bodies METHOD    the JSON bodies of that method, one a line"""
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
q = sys.argv[2]
if q == "lines":
    for e in log: print(e["method"], e["path"], e["status"])
elif q == "unlinked":
    for e in log:
        if not e["linked"]: print(e["method"], e["path"])
elif q == "sessions":
    c = sum(1 for e in log if e["method"] == "POST" and e["path"].endswith("/Sessions") and e["status"] == 201)
    d = sum(1 for e in log if e["method"] == "DELETE" and "/Sessions/" in e["path"] and e["status"] == 204)
    print("created %d deleted %d" % (c, d))
elif q == "patches":
    # the service's ETags count writes: the GET just before a PATCH saw the etag the PATCH must send
    for e in log:
        if e["method"] == "PATCH": print(e["if_match"], e["status"])
elif q == "bodies":
    for e in log:
        if e["method"] == sys.argv[3]: print(json.dumps(e["body"], sort_keys=True))
