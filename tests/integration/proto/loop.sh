#!/bin/bash
# SPDX-License-Identifier: MIT
# Loop governance never stops productive work (issue 8 §5): a 50-round
# edit-then-test loop with real edits and a passing test is never stopped;
# reading the same file after each edit is not a repeat; the same failing
# command with nothing changed in between is stopped at its limit, with
# status loop_detected (exit 122) naming the rule and the call, and only
# that call is blocked: an edit still runs and lifts the block.
. "$(dirname "$0")/common.sh"
if ! command -v python3 >/dev/null; then
        echo "1..0 # SKIP python3 is not installed"
        exit 0
fi

cat >core.py <<'PY'
def value():
    return 0
PY
cat >test_core.py <<'PY'
import unittest
import core

class T(unittest.TestCase):
    def test_value(self):
        self.assertIsInstance(core.value(), int)

if __name__ == "__main__":
    unittest.main()
PY
cat >test_fail.py <<'PY'
import unittest

class T(unittest.TestCase):
    def test_fails(self):
        self.assertEqual(1, 2)
PY
tap_chown_ws core.py test_core.py test_fail.py
TEST='python3 -B -m unittest -q test_core 2>&1 | tail -1'

# Strict limits, so that a false positive would show within a few rounds.
cj task create dev --repeat-limit 3 --stall-limit 3 >/dev/null
IO=$(tap_scratch)
for i in $(seq 0 49); do
        if [ $((i % 2)) = 0 ]; then
                jq -cn --arg o "return $i" --arg n "return $((i + 1))" \
                        '{id:"e",tool:"edit",path:"core.py",old_text:$o,new_text:$n}'
        else
                jq -cn --arg c "def value():
    return $((i + 1))
" '{id:"w",tool:"write",path:"core.py",content:$c}'
        fi
        jq -cn '{id:"r",tool:"read",path:"core.py"}'
        jq -cn --arg c "$TEST" '{id:"t",tool:"exec",command:$c}'
done >"$IO/rounds"
CALL_TIMEOUT=540 cj serve --stdio --task dev <"$IO/rounds" >"$IO/out"
jq -c 'select(.id == "t" and .stdout != "OK\n")' "$IO/out" | head -3 | while IFS= read -r l; do diag "unexpected: $l"; done
is "$(wc -l <"$IO/out")" 150 "50 rounds of edit/write, read, test: 150 results"
is "$(jq -r .status "$IO/out" | sort | uniq -c | awk '{print $2 "x" $1}')" "okx150" "every call ran (status ok)"
is "$(jq -r 'select(.id == "t") | .stdout | rtrimstr("\n")' "$IO/out" | sort | uniq -c | awk '{print $2 "x" $1}')" "OKx50" \
        "the test printed OK in each of the 50 rounds"
is "$(jq -s '[.[] | select(.id == "r") | .content] | unique | length' "$IO/out")" 50 \
        "each read saw the file as the round's edit left it"
is "$(grep -c 'return 50' core.py)" 1 "the edits landed on the host"
is "$(events dev loop_detected)/$(events dev loop_refused)" "0/0" "no loop was detected or refused"
is "$(st dev .state)" active "the task is active"

# Reading the same file with nothing changed in between is a repeat ...
cj task create rd --repeat-limit 2 --stall-limit unlimited >/dev/null
call '{"tool":"read","path":"core.py"}' --task rd
call '{"tool":"read","path":"core.py"}' --task rd
is "$RC" 0 "two identical reads run (repeat_limit 2)"
call '{"tool":"read","path":"core.py"}' --task rd
is "$RC/$(jr .status)/$(jr .error.code)" "122/loop_detected/loop_detected" "the third identical read is a loop"
# ... but not after an edit: the edit runs although a read is blocked, and lifts the block.
call '{"tool":"edit","path":"core.py","old_text":"return 50","new_text":"return 51"}' --task rd
is "$RC/$(jr .status)" "0/ok" "an edit still runs while the read is blocked"
call '{"tool":"read","path":"core.py"}' --task rd
is "$RC/$(jr .status)" "0/ok" "after the edit the same read runs again"
like "$(jr .content)" "return 51" "and sees the edit"
is "$(st rd .state)" active "the task was never stopped"

# The same failing command 6 times with nothing changed: stopped at its limit.
cj task create fl --repeat-limit 6 --stall-limit unlimited >/dev/null
FAIL='python3 -B -m unittest -q test_fail 2>&1 | tail -1'
req=$(jq -cn --arg c "$FAIL" '{id:"f",tool:"exec",command:$c}')
for i in 1 2 3 4 5 6; do
        call "$req" --task fl
        [ "$RC/$(jr '.stdout | rtrimstr("\n")')" = "0/FAILED (failures=1)" ] || fail "run $i: $RC $(jr .status) $(jr .stdout)"
done
pass "the failing test ran 6 times (repeat_limit 6)"
is "$(jl fl '[.[] | select(.event == "loop_detected")] | map(.rule + " " + (.count|tostring)) | join(",")')" \
        "repeat_limit 6" "the journal records loop_detected after the 6th identical result"
call "$req" --task fl
is "$RC/$(jr .status)/$(jr .error.code)" "122/loop_detected/loop_detected" \
        "the 7th identical call is refused: exit 122, status and error.code loop_detected"
like "$(jr .error.message)" "repeat_limit" "the message names the rule"
like "$(jr .error.message)" "test_fail" "and the repeated call"
like "$(jr .error.message)" "changes the workspace" "and says what to do differently"
is "$(events fl loop_refused)" 1 "the refusal is journaled"
call "$(jq -cn --arg c "$TEST" '{tool:"exec",command:$c}')" --task fl
is "$RC/$(jr '.stdout | rtrimstr("\n")')" "0/OK" "another command still runs"
call "$(jq -cn '{tool:"write",path:"test_fail.py",content:"import unittest\n\nclass T(unittest.TestCase):\n    def test_fails(self):\n        self.assertEqual(2, 2)\n"}')" --task fl
is "$RC" 0 "the fix (a write) runs"
call "$req" --task fl
is "$RC/$(jr '.stdout | rtrimstr("\n")')" "0/OK" "after the change the same command runs again, and passes"
cj journal verify fl >/dev/null
is "$?" 0 "the journal verifies"
done_testing
