#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A DNS server for dns.sh, on 127.0.0.1:53 of the test's own network
# namespace (UDP).  NAME=ADDR arguments answer A queries for NAME; names
# with a "slow" label are never answered (a resolver that hangs); anything
# else is NXDOMAIN; AAAA queries for known names get no records.  Each
# question is appended to LOG as "QTYPE NAME".  Prints "ready".
import socket, struct, sys

log_path = sys.argv[1]
answers = dict(a.split("=", 1) for a in sys.argv[2:])

def qname(msg, off):
    labels = []
    while msg[off]:
        n = msg[off]
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n
    return ".".join(labels).lower(), off + 1

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
print("ready", flush=True)
while True:
    msg, peer = s.recvfrom(512)
    if len(msg) < 12:
        continue
    qid, flags = struct.unpack("!HH", msg[:4])
    name, end = qname(msg, 12)
    qtype = struct.unpack("!H", msg[end:end + 2])[0]
    with open(log_path, "a") as f:
        f.write("%s %s\n" % ({1: "A", 28: "AAAA"}.get(qtype, qtype), name))
    if "slow" in name.split("."):
        continue
    question = msg[12:end + 4]
    rcode, records = 0, b""
    if name not in answers:
        rcode = 3
    elif qtype == 1:
        records = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(answers[name])
    head = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, 1 if records else 0, 0, 0)
    s.sendto(head + question + records, peer)
