#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Two TCP echo servers on 127.0.0.1 (ports chosen by the kernel): prints
# "a PORT", "b PORT", "ready"; logs each accepted connection to LOG.
import socket, sys, threading

log = sys.argv[1]

def serve(s, name):
    while True:
        c, _ = s.accept()
        with open(log, "a") as f:
            f.write("accepted %s\n" % name)
        def echo(c=c):
            with c:
                while True:
                    d = c.recv(65536)
                    if not d:
                        return
                    c.sendall(d)
        threading.Thread(target=echo, daemon=True).start()

for name in ("a", "b"):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    print(name, s.getsockname()[1])
    threading.Thread(target=serve, args=(s, name), daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
