#!/usr/bin/env python3
"""The provisioning network's server for lab tests: files over HTTP (the
installer ISO, the OS image, specs) and the installer's callback.

GET/HEAD /<file> serves DIR/<file>; POST /callback records the JSON body as
one line of CALLBACKS (a body that is not JSON is a 400 and recorded as
{"invalid": ...}) and answers 204, as a controller would.
Usage: provision_server.py DIR CALLBACKS PORT_FILE
"""
import functools, http.server, json, os, sys

DIR, CALLBACKS, PORT_FILE = sys.argv[1:4]


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(n, 1 << 20))
        try:
            doc, code = json.loads(body), 204
        except ValueError:
            doc, code = {"invalid": body.decode("utf-8", "replace")}, 400
        if self.path != "/callback":
            code = 404
        with open(CALLBACKS, "a") as f:
            f.write(json.dumps(doc) + "\n")
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()


s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=DIR))
open(PORT_FILE + ".tmp", "w").write(str(s.server_address[1]))
os.rename(PORT_FILE + ".tmp", PORT_FILE)
s.serve_forever()
