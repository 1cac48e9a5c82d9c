#!/usr/bin/env python3
"""slow-clients.py MODE PORT COUNT SECONDS FIRST LAST: an attacker's many slow
sockets against a TLS server on this machine. COUNT connections to
127.0.0.1:PORT from source addresses 127.0.0.FIRST..127.0.0.LAST (round
robin), held for SECONDS, then closed. MODE idle: a TCP connection that never
starts its TLS handshake; MODE trickle: the handshake, then a request whose
headers never end, one byte a second. Only loopback addresses; bounded in
count and time. Prints how many connections were made and how many the
server ended before the time was up."""
import socket, ssl, sys, time

mode, port, count, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
first, last = int(sys.argv[5]), int(sys.argv[6])
assert mode in ("idle", "trickle") and count <= 4000 and seconds <= 120 and 1 <= first <= last <= 254
ctx = ssl.create_default_context()
ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
deadline = time.monotonic() + seconds
socks, failed = [], 0
for i in range(count):
    if time.monotonic() > deadline:
        break
    s = socket.socket()
    s.settimeout(2)
    try:
        s.bind((f"127.0.0.{first + i % (last - first + 1)}", 0))
        s.connect(("127.0.0.1", port))
        if mode == "trickle":
            s = ctx.wrap_socket(s)
            s.send(b"GET /redfish/v1/Systems HTTP/1.1\r\nX-Slow: ")
        socks.append(s)
    except OSError:
        failed += 1
        s.close()
ended = set()
while time.monotonic() < deadline:
    for i, s in enumerate(socks):
        if i in ended:
            continue
        try:
            if mode == "trickle":
                s.send(b"a")
            else:
                s.setblocking(False)
                if s.recv(1) == b"":     # the server closed it
                    ended.add(i)
        except BlockingIOError:
            pass
        except OSError:
            ended.add(i)
    time.sleep(1)
for s in socks:
    s.close()
print(f"made {len(socks)} failed {failed} ended-by-server {len(ended)}")
