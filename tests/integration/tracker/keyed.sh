#!/bin/bash
# SPDX-License-Identifier: MIT
# The keyed journal (issue 7 §7): the chain is HMAC-SHA-256 under the host
# key, so a rewrite of the whole chain without the key fails verify; a tail
# cut with state.json deleted fails verify and access (the MAC'd head
# record); `journal head` gives an anchor that verify --anchor checks, which
# even a rewrite with the key cannot satisfy; legacy unkeyed journals verify
# only with --legacy.
. "$(dirname "$0")/common.sh"
if ! command -v python3 >/dev/null; then
        echo "1..0 # SKIP python3 is not installed"
        exit 0
fi

# rechain FILE KEYFILE|- [drop-chain]: recompute every prev of FILE, under the
# key in KEYFILE (HMAC) or with plain SHA-256 ("-"); drop-chain removes the
# chain/key_id fields of line 1 (a forged legacy journal).
rechain() {
        python3 - "$@" <<'PY'
import hashlib, hmac, json, sys
path, keyfile = sys.argv[1], sys.argv[2]
drop = len(sys.argv) > 3
key = None if keyfile == "-" else open(keyfile, "rb").read()
lines = open(path, "rb").read().decode().splitlines()
out, prev = [], "0" * 64
for i, l in enumerate(lines):
    o = json.loads(l)
    if i == 0 and drop:
        o.pop("chain", None)
        o.pop("key_id", None)
    o["prev"] = prev
    s = json.dumps(o, separators=(",", ":"), ensure_ascii=False)
    out.append(s)
    b = s.encode()
    prev = hmac.new(key, b, hashlib.sha256).hexdigest() if key else hashlib.sha256(b).hexdigest()
open(path, "w").write("\n".join(out) + "\n")
# The head record, as clawjail writes it (only meaningful with the real key).
if key:
    task = json.loads(out[0])["task"]
    msg = "clawjail-head-1\n%s\n%d\n%s" % (task, len(out), prev)
    mac = hmac.new(key, msg.encode(), hashlib.sha256).hexdigest()
    rec = '{"seq":%d,"hash":"%s","mac":"%s"}' % (len(out), prev, mac)
    open(path.rsplit("/", 1)[0] + "/head", "w").write(rec.ljust(255) + "\n")
PY
}

cj task create k1 >/dev/null
for i in 1 2 3 4 5 6; do
        cjq task charge k1 --tokens "$i"
done
J="$SD/tasks/k1/journal.jsonl"
is "$(head -1 "$J" | jq -r .chain)" hmac-sha256 "line 1 declares the keyed chain"
like "$(head -1 "$J" | jq -r .key_id)" '^[0-9a-f]{16}$' "and names the key"
is "$(stat -c %a "$SD/host.key")" 600 "host.key is mode 0600"
is "$(stat -c %s "$SD/host.key")" 32 "and holds 32 bytes"
out=$(cj journal verify k1)
is "$?" 0 "verify: intact"
like "$out" "keyed chain" "verify says the chain is keyed"

# journal head: an anchor to ship off the host.
cj journal head k1 --json >"$SD/anchor.json"
is "$(jq -r '.task + " " + (.seq|tostring) + " " + .chain' "$SD/anchor.json")" "k1 7 hmac-sha256" \
        "journal head --json: task, seq, chain"
is "$(jq -r .hash "$SD/anchor.json")" "$(sed -n 7p "$J" | tr -d '\n' | line_mac)" "and the hash of that line"
cjq task charge k1 --tokens 7
cj journal verify k1 --anchor-file "$SD/anchor.json" >/dev/null
is "$?" 0 "a later journal verifies against the anchor"
cj journal verify k1 --anchor "7:$(jq -r .hash "$SD/anchor.json")" >/dev/null
is "$?" 0 "--anchor SEQ:HASH too"
cj journal verify k1 --anchor "99:$(jq -r .hash "$SD/anchor.json")" >/dev/null
is "$?" 1 "an anchor past the end: damaged (lines were removed)"
cj journal verify k1 --anchor "7:zz" >/dev/null 2>&1
is "$?" 125 "a malformed anchor is a usage error"
cp -a "$SD/tasks/k1" "$SD/k1.saved"

# Truncate the tail and delete state.json: caught by the MAC'd head record.
head -n -2 "$SD/k1.saved/journal.jsonl" >"$J"
rm -f "$SD/tasks/k1/state.json"
out=$(cj journal verify k1)
is "$?" 1 "tail cut + state.json deleted: verify exit 1"
like "$out" "head record names line" "it says the journal is shorter than its recorded head"
cj task charge k1 --tokens 1 2>/dev/null
is "$?" 125 "and the task refuses access (a rebuild would make the cut official)"
rm -f "$SD/tasks/k1/head"
out=$(cj journal verify k1 --no-repair)
is "$?" 1 "with the head record deleted too: still exit 1"
like "$out" "head record is missing" "it says the head record is missing"

# Rewrite the whole chain without the key: plain SHA-256, or another key.
rm -rf "$SD/tasks/k1" && cp -a "$SD/k1.saved" "$SD/tasks/k1"
sed -i '3s/"tokens":2/"tokens":200/' "$J"
rechain "$J" -
out=$(cj journal verify k1 --no-repair)
is "$?" 1 "a chain rewritten with SHA-256: exit 1"
rm -rf "$SD/tasks/k1" && cp -a "$SD/k1.saved" "$SD/tasks/k1"
sed -i '3s/"tokens":2/"tokens":200/' "$J"
rechain "$J" - drop-chain
out=$(cj journal verify k1 --no-repair)
is "$?" 1 "a chain rewritten as an unkeyed legacy journal: exit 1 (no downgrade)"
like "$out" "unkeyed" "it says the chain is unkeyed"
rm -rf "$SD/tasks/k1" && cp -a "$SD/k1.saved" "$SD/tasks/k1"
head -c 32 /dev/urandom >"$SD/other.key"
sed -i '3s/"tokens":2/"tokens":200/' "$J"
rechain "$J" "$SD/other.key"
out=$(cj journal verify k1 --no-repair)
is "$?" 1 "a chain rewritten under another key: exit 1"
like "$out" "line 1:" "the first line whose HMAC does not match is named"

# Even with the key (stolen), a rewrite that verifies locally fails the anchor.
rm -rf "$SD/tasks/k1" && cp -a "$SD/k1.saved" "$SD/tasks/k1"
sed -i '3s/"tokens":2/"tokens":200/' "$J"
rechain "$J" "$SD/host.key"
rm -f "$SD/tasks/k1/state.json"
cj journal verify k1 --no-repair >/dev/null
is "$?" 1 "a rewrite with the key still lacks a matching state.json"
cj journal verify k1 >/dev/null
is "$?" 0 "... which an access rebuilds: locally it verifies"
out=$(cj journal verify k1 --anchor-file "$SD/anchor.json")
is "$?" 1 "but not against the anchor shipped off the host"
like "$out" "line 7 does not match the anchor" "which names the line"

# A legacy (unkeyed) journal: verified only with --legacy.
mkdir -p "$SD/tasks/old"
python3 - "$SD/tasks/old/journal.jsonl" <<'PY'
import hashlib, json, sys
prev, out = "0" * 64, []
for i, ev in enumerate([{"event": "created", "budget": {}}, {"event": "charge", "tokens": 1, "cost_usd": 0}]):
    o = {"seq": i + 1, "time": "2026-01-02T03:04:05.678Z", "event": ev["event"], "task": "old", "prev": prev}
    o.update({k: v for k, v in ev.items() if k != "event"})
    s = json.dumps(o, separators=(",", ":"))
    out.append(s)
    prev = hashlib.sha256(s.encode()).hexdigest()
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
out=$(cj journal verify old)
is "$?" 1 "a legacy journal fails verify by default"
like "$out" "legacy" "and says it is an unkeyed legacy chain"
out=$(cj journal verify old --legacy)
is "$?" 0 "--legacy accepts it"
like "$out" "unkeyed legacy chain" "and says so"
done_testing
