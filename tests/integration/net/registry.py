#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# An HTTPS server on 127.0.0.1 (self-signed certificate for the pinned
# names) that real clients can use: git smart HTTP (git http-backend) under
# /git/, an npm registry with one package (tinynpm), a PyPI simple index
# with one wheel (tinypkg); the same again over plain HTTP on a second
# port (its links plain too).  registry.py CERT KEY GITROOT [STATIC]; any
# other GET is a file under STATIC (a Debian repository, a Go module proxy,
# a cargo registry's crates), each request line appended to
# STATIC/../requests.log.  Prints "plain N" and "port N" (HTTPS).
import base64, hashlib, http.server, io, json, os, ssl, subprocess, sys, tarfile, threading, zipfile

cert, key, gitroot = sys.argv[1:4]
static = os.path.realpath(sys.argv[4]) if len(sys.argv) > 4 else None
log_lock = threading.Lock()
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), None)
plain = http.server.ThreadingHTTPServer(("127.0.0.1", 0), None)
port = srv.server_address[1]
srv.base = "https://registry.test:%d" % port
plain.base = "http://registry.test:%d" % plain.server_address[1]

def npm_tarball():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for name, data in (("package/package.json", b'{"name":"tinynpm","version":"1.0.0","main":"index.js"}'),
                           ("package/index.js", b"module.exports = 'tinynpm works';\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()

def wheel():
    files = {"tinypkg/__init__.py": b"WORKS = 'tinypkg works'\n",
             "tinypkg-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: tinypkg\nVersion: 1.0\n",
             "tinypkg-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = ""
    for n, d in files.items():
        h = base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b"=").decode()
        record += "%s,sha256=%s,%d\n" % (n, h, len(d))
    record += "tinypkg-1.0.dist-info/RECORD,,\n"
    files["tinypkg-1.0.dist-info/RECORD"] = record.encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, d in files.items():
            z.writestr(n, d)
    return buf.getvalue()

TGZ, WHL = npm_tarball(), wheel()
def npm_meta(base):
    return json.dumps({"name": "tinynpm", "dist-tags": {"latest": "1.0.0"}, "versions": {"1.0.0": {
        "name": "tinynpm", "version": "1.0.0",
        "dist": {"tarball": base + "/tinynpm/-/tinynpm-1.0.0.tgz",
                 "shasum": hashlib.sha1(TGZ).hexdigest(),
                 "integrity": "sha512-" + base64.b64encode(hashlib.sha512(TGZ).digest()).decode()}}}}).encode()
WHL_NAME = "tinypkg-1.0-py3-none-any.whl"
def simple(base):
    return ('<html><body><a href="%s/files/%s#sha256=%s">%s</a></body></html>'
            % (base, WHL_NAME, hashlib.sha256(WHL).hexdigest(), WHL_NAME)).encode()

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def reply(self, code, body, ctype="application/octet-stream"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def git(self):
        path, _, query = self.path[len("/git"):].partition("?")
        body = b""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        env = dict(os.environ, GIT_PROJECT_ROOT=gitroot, GIT_HTTP_EXPORT_ALL="1", PATH_INFO=path,
                   QUERY_STRING=query, REQUEST_METHOD=self.command, REMOTE_ADDR="127.0.0.1",
                   CONTENT_TYPE=self.headers.get("Content-Type", ""), CONTENT_LENGTH=str(len(body)),
                   HTTP_GIT_PROTOCOL=self.headers.get("Git-Protocol", ""))
        out = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        code, headers = 200, []
        for line in head.split(b"\r\n"):
            k, _, v = line.decode().partition(":")
            if k.lower() == "status":
                code = int(v.split()[0])
            elif k:
                headers.append((k, v.strip()))
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
    def do_POST(self):
        self.git() if self.path.startswith("/git/") else self.reply(404, b"")
    def do_GET(self):
        p = self.path
        if p.startswith("/git/"):
            self.git()
        elif p == "/tinynpm":
            self.reply(200, npm_meta(self.server.base), "application/json")
        elif p == "/tinynpm/-/tinynpm-1.0.0.tgz":
            self.reply(200, TGZ)
        elif p in ("/simple/tinypkg/", "/simple/tinypkg"):
            self.reply(200, simple(self.server.base), "text/html")
        elif p == "/files/" + WHL_NAME:
            self.reply(200, WHL)
        else:
            self.static_file(p)
    def static_file(self, p):
        path = os.path.realpath(os.path.join(static or "/nonexistent", p.split("?")[0].lstrip("/")))
        if static:
            with log_lock, open(os.path.join(os.path.dirname(static), "requests.log"), "a") as f:
                f.write("%s %s host=%s\n" % (self.command, p, self.headers.get("Host")))
        if not static or not path.startswith(static + os.sep) or not os.path.isfile(path):
            self.reply(404, b"not here\n", "text/plain")
            return
        with open(path, "rb") as f:
            self.reply(200, f.read())

srv.RequestHandlerClass = plain.RequestHandlerClass = H
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
threading.Thread(target=plain.serve_forever, daemon=True).start()
print("plain", plain.server_address[1])
print("port", port, flush=True)
srv.serve_forever()
