#!/usr/bin/python3
"""A file server for download tests: serves --dir on 127.0.0.1 with single
byte ranges (206, 416) and prints its port on stdout. The query string says
how to misbehave, for the first `times` requests of that path and query
(default: every one):

  cut=N       send N bytes of the body, then close the connection
  norange=1   ignore Range: answer 200 with the whole file
  status=N    answer N with a short text body

Every request is one line in --log: "GET /path?query range=bytes=N- status=S".
With --cert and --key it speaks HTTPS.
"""
import argparse, os, socket, ssl, sys, threading, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

P = argparse.ArgumentParser()
P.add_argument("--dir", required=True)
P.add_argument("--log", required=True)
P.add_argument("--cert")
P.add_argument("--key")
ARGS = P.parse_args()
SEEN = {}
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def record(self, status):
        with LOCK, open(ARGS.log, "a") as f:
            f.write("%s %s range=%s status=%d\n" % (self.command, self.path, self.headers.get("Range", "-"), status))

    def plain(self, status, text):
        body = text.encode()
        self.record(status)
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        with LOCK:
            n = SEEN.get(self.path, 0) + 1
            SEEN[self.path] = n
        act = n <= int(q.get("times", "1000000"))
        if act and "status" in q:
            return self.plain(int(q["status"]), "told to fail\n")
        name = os.path.basename(urllib.parse.unquote(url.path))
        path = os.path.join(ARGS.dir, name)
        if not name or not os.path.isfile(path):
            return self.plain(404, "no such file\n")
        size = os.path.getsize(path)
        start, status = 0, 200
        rng = self.headers.get("Range")
        if rng and not (act and q.get("norange")):
            spec = rng.removeprefix("bytes=")
            first, _, last = spec.partition("-")
            if "," in spec or not first.isdigit() or (last and not last.isdigit()):
                return self.plain(400, "only 'bytes=N-' ranges here\n")
            start = int(first)
            if start >= size:
                self.record(416)
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % size)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 206
        self.record(status)
        self.send_response(status)
        self.send_header("Content-Length", str(size - start))
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, size - 1, size))
        self.end_headers()
        left = int(q["cut"]) if act and "cut" in q else size - start
        with open(path, "rb") as f:
            f.seek(start)
            while left > 0:
                chunk = f.read(min(left, 1 << 16))
                if not chunk:
                    break
                self.wfile.write(chunk)
                left -= len(chunk)
        if act and "cut" in q:
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass   # clients that hang up (a refused certificate, a cut) are part of the tests


srv = Server(("127.0.0.1", 0), Handler)
if ARGS.cert:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(ARGS.cert, ARGS.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
