#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A CONNECT tunnel whose bytes are known exactly, for tunnel.sh.
#
#   tunnel.py server             (host) listen on 127.0.0.1, print the port;
#                                per connection: read one TLS record (the
#                                ClientHello), answer "hi\n" at once,
#                                read a line (how much to send back), then
#                                the client's bytes
#                                until it half-closes, answer "got N SHA\n"
#                                and the number of bytes it asked for, close.
#                                A client that asks for "reset" gets 1 MB and
#                                then a TCP reset.
#   tunnel.py client HOST PORT UP DOWN|reset
#                                (inside) CONNECT HOST:PORT through the proxy,
#                                send a real ClientHello for HOST (made with
#                                the ssl module, never answered), then UP
#                                bytes, half-close, read to the end.  Prints
#                                "sent S received R" (raw bytes after the
#                                proxy's 200) and the server's line.
import hashlib, socket, ssl, struct, sys, threading

def pattern(n, seed):
    block = hashlib.sha256(seed).digest() * 2048  # 64 KiB
    out = bytearray()
    while len(out) < n:
        out += block
    return bytes(out[:n])

def read_exact(c, n):
    buf = b""
    while len(buf) < n:
        d = c.recv(n - len(buf))
        if not d:
            raise EOFError
        buf += d
    return buf

def serve(c):
    with c:
        head = read_exact(c, 5)
        read_exact(c, struct.unpack("!H", head[3:5])[0])
        c.sendall(b"hi\n")  # at once, as a fast local server would
        want = b""
        while not want.endswith(b"\n"):
            want += read_exact(c, 1)
        want = want.strip()
        h, n = hashlib.sha256(), 0
        while True:
            d = c.recv(1 << 16)
            if not d:
                break
            h.update(d)
            n += len(d)
        if want == b"reset":
            c.sendall(pattern(1 << 20, b"down"))
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        c.sendall(b"got %d %s\n" % (n, h.hexdigest()[:16].encode()))
        c.sendall(pattern(int(want), b"down"))

def server():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    print(s.getsockname()[1], flush=True)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()

def client(host, port, up, down):
    s = socket.create_connection(("127.0.0.1", 3128), timeout=30)
    s.sendall(b"CONNECT %s:%s HTTP/1.1\r\nHost: %s:%s\r\n\r\n" % (host.encode(), port.encode(), host.encode(), port.encode()))
    head = b""
    while b"\r\n\r\n" not in head:
        d = s.recv(1)
        if not d:
            print("closed before 200")
            return
        head += d
    if b" 200 " not in head.split(b"\r\n")[0]:
        print("refused:", head.split(b"\r\n")[0].decode())
        return
    ctx = ssl.create_default_context()
    out = ssl.MemoryBIO()
    obj = ctx.wrap_bio(ssl.MemoryBIO(), out, server_hostname=host)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = out.read()
    s.sendall(hello)
    got = bytearray()
    while not got.endswith(b"hi\n"):  # the server answers the hello first, as TLS does
        d = s.recv(1)
        if not d:
            print("closed after the hello")
            return
        got += d
    payload = pattern(int(up), b"up")
    rest = down.encode() + b"\n" + payload
    s.sendall(rest)
    s.shutdown(socket.SHUT_WR)
    data = hello + rest
    got = bytearray(got)
    greeting = len(got)
    how = "eof"
    try:
        while True:
            d = s.recv(1 << 16)
            if not d:
                break
            got += d
    except OSError as e:
        how = e.__class__.__name__
    answer = bytes(got[greeting:])
    line = answer.split(b"\n", 1)[0].decode(errors="replace")
    ok = ""
    if down != "reset" and b"\n" in answer:
        body = answer.split(b"\n", 1)[1]
        ok = " body-ok" if body == pattern(int(down), b"down") else " body-bad"
        want_line = "got %d %s" % (len(payload), hashlib.sha256(payload).hexdigest()[:16])
        ok += " line-ok" if line == want_line else " line-bad"
    print("sent %d received %d end %s%s" % (len(data), len(got), how, ok))
    if down != "reset":
        print(line)

if sys.argv[1] == "server":
    server()
else:
    client(*sys.argv[2:6])
