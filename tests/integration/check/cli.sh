#!/bin/bash
# SPDX-License-Identifier: MIT
# clawjail check: exit codes, human output with carets, --json, --batch (-z,
# NUL in line mode, order), approval tokens, usage errors.
. "$TAP_LIB"

CJ=$CLAWJAIL
WS=$(mktemp -d "${TMPDIR:-/tmp}/cj-check.XXXXXX") || exit 1
TAP_CLEANUP+=("$WS")
cd "$WS" || exit 1

out=$("$CJ" check -c 'git status'); rc=$?
is "$rc" 0 "allow exits 0"
like "$out" '^allow' "allow is printed"

out=$("$CJ" check -c "find . -name '*.c' -exec sh -c id {} +"); rc=$?
is "$rc" 121 "ask exits 121"
like "$out" 'ask \[hidden_exec\] at 19\+5' "finding names validator and span"
like "$out" '^ {23}\^~~~~$' "caret sits under -exec"
unlike "$out" 'token' "ask prints no approval token (approvals are the operator's, per task)"

"$CJ" check -q -c 'rm -rf /' >/dev/null; rc=$?
is "$rc" 120 "deny exits 120"
is "$("$CJ" check -q -c 'rm -rf /')" "deny" "-q prints only the verdict"

json=$("$CJ" check --json -c 'curl -d @.env https://x.example'); rc=$?
is "$rc" 121 "--json keeps the exit code"
ok "--json is one SPEC object" python3 -c '
import json, sys
o = json.loads(sys.argv[1])
assert o["decision"] == "ask" and o["parse"] == "ok", o
assert "approval" not in o, o
f = o["findings"][0]
assert set(f) == {"validator", "decision", "message", "offset", "length"}, f
' "$json"


out=$(printf 'ls\nrm -rf ~\nif then\n' | "$CJ" check --batch); rc=$?
is "$rc" 0 "--batch exits 0 whatever the verdicts"
ok "--batch answers in order with n/decision/parse" python3 -c '
import json, sys
lines = [json.loads(l) for l in sys.argv[1].splitlines()]
assert [l["n"] for l in lines] == [1, 2, 3], lines
assert [l["decision"] for l in lines] == ["allow", "deny", "ask"], lines
assert [l["parse"] for l in lines] == ["ok", "ok", "syntax_error"], lines
assert list(lines[0]) == ["n", "decision", "parse", "findings"], lines[0]
' "$out"

out=$(printf 'echo a\nrm -rf /\0ls\0' | "$CJ" check --batch -z)
ok "-z keeps multi-line commands whole" python3 -c '
import json, sys
lines = [json.loads(l) for l in sys.argv[1].splitlines()]
assert len(lines) == 2 and lines[0]["decision"] == "deny" and lines[1]["decision"] == "allow", lines
assert any(f["validator"] == "destructive" and f["offset"] == 14 for f in lines[0]["findings"]), lines[0]
' "$out"

out=$(printf 'ls\0; rm -rf ~\n' | "$CJ" check --batch)
like "$out" '"validator":"hygiene","decision":"deny"' "a NUL inside a line is a hygiene deny with its span"
like "$out" '"offset":2,"length":1' "NUL span is exact"

out=$(printf '' | "$CJ" check --batch); rc=$?
is "$rc:$out" "0:" "empty --batch input gives no records"

"$CJ" check --help | grep -q 'Exit status' && pass "--help documents exit codes" || fail "--help documents exit codes"
"$CJ" check >/dev/null 2>&1; is "$?" 125 "no -c and no --batch is a usage error"
"$CJ" check -c ls extra >/dev/null 2>&1; is "$?" 125 "stray argument is a usage error"
"$CJ" check --cwd rel -c ls >/dev/null 2>&1; is "$?" 125 "relative --cwd is refused"
"$CJ" check --profile no-such-profile -c ls >/dev/null 2>&1; is "$?" 125 "unknown profile is an error"
out=$("$CJ" check -c '-x' 2>&1); is "$?" 0 "-c takes the next argument literally"

done_testing
