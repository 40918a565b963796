#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Drive `clawjail check --batch -z` over the corpora and print TAP.

    corpus.py CLAWJAIL CORPUS_DIR attack|benign|dev|gtfobins

attack: every line of tests/corpus/attack/*.tsv must get at least its
expected verdict, and the named validator must be among the findings;
files named allowlist*.tsv are judged under an allowlist profile (default's
filesystem, validation.default ask), the rest under `default`.
benign: every command of tests/corpus/benign/*.txt is judged under the
default profile; the rate of `allow` must be >= 98%; each command that is
not allowed is listed (as a TAP diagnostic) with its findings.
dev: tests/corpus/dev/*.tsv, agent dev-loop commands labelled with the verdict
a careful engineer wants under `default`; each line is one TAP test (allow:
exactly allow; ask: ask or deny; deny: deny).  A label written `?allow` /
`?ask` marks a known miss: reported as TODO and counted as a miss in the
figures, so the rates never hide it.
gtfobins: tests/corpus/gtfobins/*.tsv, judged under an allowlist profile
(default ask) that allows every program the corpus names by an allow rule;
`ask` lines must still be ask or deny (hidden execution), `allow` lines are
near misses that must stay allowed.
"""
import atexit
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

RANK = {"allow": 0, "ask": 1, "deny": 2}
BENIGN_MIN_RATE = 0.98


def decode_escapes(s):
    """\\xHH \\n \\r \\t \\\\ -> bytes (for *.esc.tsv)."""
    out = bytearray()
    i = 0
    b = s.encode("utf-8")
    while i < len(b):
        c = b[i]
        if c == 0x5C and i + 1 < len(b):
            n = chr(b[i + 1])
            if n == "x" and i + 3 < len(b) + 1:
                out.append(int(b[i + 2:i + 4].decode(), 16))
                i += 4
                continue
            m = {"n": 10, "r": 13, "t": 9, "\\": 92}
            if n in m:
                out.append(m[n])
                i += 2
                continue
        out.append(c)
        i += 1
    return bytes(out)


def load_attack(d):
    cases = []
    for name in sorted(os.listdir(d)):
        if not name.endswith(".tsv"):
            continue
        esc = name.endswith(".esc.tsv")
        with open(os.path.join(d, name), encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                parts = line.split("\t", 2)
                if len(parts) != 3 or parts[0] not in ("ask", "deny"):
                    raise SystemExit(f"{name}:{lineno}: malformed line")
                cmd = decode_escapes(parts[2]) if esc else parts[2].encode("utf-8")
                cases.append((f"{name}:{lineno}", parts[0], parts[1], cmd))
    return cases


def ask_default_profile(directory):
    """`default` with validation.default ask: an allowlist profile with no allow rule."""
    path = os.path.join(directory, "ask-default.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"extends": "default", "validation": {"default": "ask"}}, f)
    return path


def load_benign(d):
    cases = []
    for name in sorted(os.listdir(d)):
        if not name.endswith(".txt"):
            continue
        with open(os.path.join(d, name), encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line or line == "#" or line.startswith("# "):
                    continue
                cases.append((f"{name}:{lineno}", "allow", None, line.encode("utf-8")))
    return cases


def load_labelled(d):
    """VERDICT<TAB>COMMAND lines (escapes decoded in *.esc.tsv); returns
    (where, verdict, known_miss, command bytes)."""
    cases = []
    for name in sorted(os.listdir(d)):
        if not name.endswith(".tsv"):
            continue
        esc = name.endswith(".esc.tsv")
        with open(os.path.join(d, name), encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                parts = line.split("\t", 1)
                label = parts[0].lstrip("?")
                if len(parts) != 2 or label not in RANK:
                    raise SystemExit(f"{name}:{lineno}: malformed line")
                cmd = decode_escapes(parts[1]) if esc else parts[1].encode("utf-8")
                cases.append((f"{name}:{lineno}", label, parts[0].startswith("?"), cmd))
    return cases


def labelled_good(want, got):
    return got == want if want != "ask" else got in ("ask", "deny")


def labelled_rates(cases, out):
    """(allowed, n_allow, stopped, n_risky): allow-labelled lines allowed, and
    ask/deny-labelled lines answered ask or deny."""
    allow = [o for c, o in zip(cases, out) if c[1] == "allow"]
    risky = [o for c, o in zip(cases, out) if c[1] != "allow"]
    return (sum(o["decision"] == "allow" for o in allow), len(allow),
            sum(o["decision"] != "allow" for o in risky), len(risky))


def program_names(cases):
    """argv[0] of each command (after NAME=value prefixes), for the allowlist."""
    names = set()
    for c in cases:
        for w in c[3].decode("utf-8", "replace").split():
            if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", w):
                continue
            names.add(w)
            break
    return sorted(names)


def allowlist_profile(names, directory):
    """A profile extending `default` with default ask and one allow rule per name."""
    path = os.path.join(directory, "allowlist.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"extends": "default", "description": "GTFOBins corpus: every program allowed by rule",
                   "validation": {"default": "ask",
                                  "rules": [{"match": [n], "verdict": "allow"} for n in names]}}, f)
    return path


def print_labelled(cases, out, first):
    failed = 0
    for i, ((where, want, todo, cmd), o) in enumerate(zip(cases, out), first):
        good = labelled_good(want, o["decision"])
        label = cmd.decode("utf-8", "backslashreplace").replace("\n", "\\n")[:120]
        print(f"{'ok' if good else 'not ok'} {i} - {where} {want}: {label}{' # TODO known miss' if todo else ''}")
        if not good:
            print(f"# got {o['decision']}; {summary(o)}")
            failed += 0 if todo else 1
    return failed


def run_batch(checker, cmds, cwd):
    """Commands holding NUL go through line mode (one per line), the rest through -z."""
    nul = [i for i, c in enumerate(cmds) if b"\0" in c]
    rest = [i for i, c in enumerate(cmds) if b"\0" not in c]
    out = [None] * len(cmds)
    for idx, mode in ((rest, "-z"), (nul, "lines")):
        if not idx:
            continue
        if mode == "lines" and any(b"\n" in cmds[i] for i in idx):
            raise SystemExit("a corpus command holds both NUL and newline; it cannot be sent in a batch")
        for i, o in zip(idx, run_batch1(checker, [cmds[i] for i in idx], cwd, mode)):
            out[i] = o
    return out


def run_batch1(checker, cmds, cwd, mode):
    sep = b"\0" if mode == "-z" else b"\n"
    data = sep.join(cmds) + sep
    argv = checker + ["--batch"] + (["-z"] if mode == "-z" else [])
    p = subprocess.run(argv, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)
    if p.returncode != 0:
        raise SystemExit(f"checker failed ({p.returncode}): {p.stderr.decode(errors='replace')}")
    out = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
    if len(out) != len(cmds):
        raise SystemExit(f"checker answered {len(out)} records for {len(cmds)} commands")
    for i, o in enumerate(out, 1):
        if o.get("n", i) != i:
            raise SystemExit(f"record {i} answered out of order: {o}")
    return out


def summary(o):
    return "; ".join(f"{f['validator']}={f['decision']}: {f['message']}" for f in o["findings"]) or "no findings"


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    checker = sys.argv[1].split()
    if "/" in checker[0]:
        checker[0] = os.path.abspath(checker[0])  # the checker runs inside a scratch workspace
    corpus = sys.argv[2]
    kind = sys.argv[3]
    workspace = tempfile.mkdtemp(prefix="cj-check-")
    atexit.register(shutil.rmtree, workspace, True)  # the suite leaves nothing in /tmp
    checker += ["--cwd", workspace]
    if kind == "attack":
        cases = load_attack(os.path.join(corpus, "attack"))
        strict = [i for i, c in enumerate(cases) if c[0].startswith("allowlist")]
        plain = [i for i, c in enumerate(cases) if not c[0].startswith("allowlist")]
        out = [None] * len(cases)
        for idx, argv in ((plain, checker), (strict, checker + ["--profile", ask_default_profile(workspace)])):
            for i, o in zip(idx, run_batch(argv, [cases[i][3] for i in idx], workspace)):
                out[i] = o
        print(f"1..{len(cases) + 1}")
        print(f"ok 1 - attack corpus has {len(cases)} cases (>= 200)" if len(cases) >= 200
              else f"not ok 1 - attack corpus has only {len(cases)} cases")
        failed = 0
        for i, ((where, want, validator, cmd), o) in enumerate(zip(cases, out), 2):
            got = o["decision"]
            fired = any(f["validator"] == validator and RANK[f["decision"]] >= 1 for f in o["findings"])
            good = RANK[got] >= RANK[want] and fired
            label = cmd.decode("utf-8", "backslashreplace").replace("\n", "\\n")[:120]
            print(f"{'ok' if good else 'not ok'} {i} - {where} {want}/{validator}: {label}")
            if not good:
                failed += 1
                print(f"# got {got}; {summary(o)}")
        print(f"# attack: {len(cases) - failed}/{len(cases)} as expected")
        return 1 if failed else 0
    if kind == "benign":
        cases = load_benign(os.path.join(corpus, "benign"))
        out = run_batch(checker, [c[3] for c in cases], workspace)
        allowed = sum(1 for o in out if o["decision"] == "allow")
        rate = allowed / len(cases) if cases else 0.0
        print("1..3")
        print(f"{'ok' if len(cases) >= 400 else 'not ok'} 1 - benign corpus has {len(cases)} commands (>= 400)")
        for (where, _, _, cmd), o in zip(cases, out):
            if o["decision"] != "allow":
                print(f"# not allowed: {where}: {cmd.decode()} -> {o['decision']}: {summary(o)}")
        print(f"# benign allow rate: {allowed}/{len(cases)} = {rate * 100:.2f}%")
        print(f"{'ok' if rate >= BENIGN_MIN_RATE else 'not ok'} 2 - benign allow rate {rate * 100:.2f}% >= 98%")
        bad = [o for o in out if o["parse"] != "ok"]
        print(f"{'ok' if not bad else 'not ok'} 3 - every benign command parses ({len(bad)} syntax errors)")
        return 0 if rate >= BENIGN_MIN_RATE and len(cases) >= 400 and not bad else 1
    if kind == "dev":
        cases = load_labelled(os.path.join(corpus, "dev"))
        out = run_batch(checker, [c[3] for c in cases], workspace)
        print(f"1..{len(cases) + 1}")
        print(f"{'ok' if len(cases) >= 400 else 'not ok'} 1 - dev corpus has {len(cases)} commands (>= 400)")
        failed = print_labelled(cases, out, 2)
        a, na, r, nr = labelled_rates(cases, out)
        print(f"# dev corpus: allow-labelled allowed {a}/{na} = {100 * a / na:.1f}%, "
              f"risky asked or denied {r}/{nr} = {100 * r / nr:.1f}%")
        return 1 if failed or len(cases) < 400 else 0
    if kind == "gtfobins":
        cases = load_labelled(os.path.join(corpus, "gtfobins"))
        prof = allowlist_profile(program_names(cases), workspace)
        out = run_batch(checker + ["--profile", prof], [c[3] for c in cases], workspace)
        print(f"1..{len(cases) + 1}")
        n = sum(c[1] != "allow" for c in cases)
        print(f"{'ok' if n >= 150 else 'not ok'} 1 - gtfobins corpus has {n} entries (>= 150)")
        failed = print_labelled(cases, out, 2)
        a, na, r, nr = labelled_rates(cases, out)
        print(f"# gtfobins under an allowlist: caught {r}/{nr} = {100 * r / nr:.1f}%, "
              f"near misses allowed {a}/{na}")
        return 1 if failed or n < 150 else 0
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
