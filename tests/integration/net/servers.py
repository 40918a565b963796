#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Test servers on 127.0.0.1 only: plain HTTP, HTTPS (a self-signed
# certificate for the pinned names), a UDP sink.  Serves DIR; every request
# line and datagram is appended to DIR/../requests.log.  Prints
# "http PORT", "https PORT", "udp PORT", then "ready".
import http.server, os, socket, ssl, sys, threading, time

root, cert, key = sys.argv[1], sys.argv[2], sys.argv[3]
log_path = os.path.join(os.path.dirname(os.path.abspath(root)), "requests.log")
lock = threading.Lock()

def log(line):
    with lock, open(log_path, "a") as f:
        f.write(line + "\n")

class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def __init__(self, *a, **k):
        super().__init__(*a, directory=root, **k)
    def log_message(self, fmt, *args):
        pass
    def do_GET(self):
        log("%s %s host=%s" % (self.command, self.path, self.headers.get("Host")))
        if self.path.startswith("/linger"):
            # A whole response, then the connection held open a while (a
            # server slow to close): its client may send the next request.
            self.send_response(200)
            self.send_header("Content-Length", "10")
            self.end_headers()
            self.wfile.write(b"lingering\n")
            self.wfile.flush()
            time.sleep(1.5)
            return
        super().do_GET()
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        log("%s %s host=%s body=%d" % (self.command, self.path, self.headers.get("Host"), len(body)))
        self.send_response(200)
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"ok\n")

plain = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
tls = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", 0))

def udp_sink():
    while True:
        data, _ = udp.recvfrom(2048)
        log("UDP %r" % data[:40])

for target in (plain.serve_forever, tls.serve_forever, udp_sink):
    threading.Thread(target=target, daemon=True).start()
print("http", plain.server_address[1])
print("https", tls.server_address[1])
print("udp", udp.getsockname()[1])
print("ready", flush=True)
threading.Event().wait()
