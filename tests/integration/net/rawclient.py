#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Inside the sandbox: send raw bytes to the proxy (127.0.0.1:3128), as a
# hostile client would, and print what comes back (first line), or how the
# connection ended.  rawclient.py MODE ARGS...
#   raw TEXT                  send TEXT (\r\n escapes), print the reply's status line
#   chain HOST:PORT TEXT      CONNECT HOST:PORT, then send TEXT inside the tunnel
#   reuse TEXT1 TEXT2         send TEXT1, read its whole response (Content-Length),
#                             then send TEXT2 on the same connection, as a
#                             keep-alive client does; print both outcomes
import socket, sys

def connect():
    s = socket.create_connection(("127.0.0.1", 3128), timeout=10)
    return s

def reply(s):
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError as e:
        return "error %s" % e.__class__.__name__
    return data.split(b"\r\n")[0].decode(errors="replace") if data else "closed"

def whole_response(s):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            return "closed"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(body) < length:
        chunk = s.recv(4096)
        if not chunk:
            break
        body += chunk
    return head.split(b"\r\n")[0].decode(errors="replace")

def unescape(t):
    return t.encode().decode("unicode_escape").encode("latin-1")

mode = sys.argv[1]
s = connect()
if mode == "raw":
    s.sendall(unescape(sys.argv[2]))
    print(reply(s))
elif mode == "chain":
    s.sendall(b"CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (sys.argv[2].encode(), sys.argv[2].encode()))
    print("outer:", reply(s))
    s.sendall(unescape(sys.argv[3]))
    print("inner:", reply(s))
elif mode == "reuse":
    s.sendall(unescape(sys.argv[2]))
    print("first:", whole_response(s))
    try:
        s.sendall(unescape(sys.argv[3]))
        print("second:", reply(s))
    except OSError as e:
        print("second: error %s" % e.__class__.__name__)
