#!/bin/bash
# SPDX-License-Identifier: MIT
# The result object of a real `call`, its journal reference (the hash of that
# journal line), output truncation with the whole stream kept, and a
# hand-edited journal line named by `journal verify`.
. "$(dirname "$0")/common.sh"

# ---- result shape ----
call '{"id":"r1","tool":"exec","command":"echo hello; echo oops >&2; exit 3"}' --task rs
is "$RC" 3 "call exits with the command's own code"
is "$(jr '[keys_unsorted[] | select(IN("id","status","exit_code","signal","duration_ms","stdout","stderr"))] | join(",")')" \
        "id,status,exit_code,signal,duration_ms,stdout,stderr" "the SPEC's leading keys, in its order"
is "$(jr .id)" r1 "id echoed"
is "$(jr .status)" ok "status ok (the command ran)"
is "$(jr .exit_code)" 3 "exit_code 3"
is "$(jr '.signal | type')" null "signal null when no signal"
is "$(jr '.duration_ms | type')" number "duration_ms is a number"
ok "duration_ms is plausible (0..60000)" test "$(jr .duration_ms)" -ge 0 -a "$(jr .duration_ms)" -lt 60000
is "$(jr .stdout)" "hello" "stdout captured"
is "$(jr .stderr)" "oops" "stderr captured"
is "$(jr .verdict.decision)" allow "verdict.decision allow"
is "$(jr '.verdict.findings | type')" array "verdict.findings is an array"
is "$(jr .budget.calls)" "$(jq -n '{used:1,limit:1000}')" "budget.calls used 1 of the profile's 1000"
ok "budget has every budget key" test "$(jr '.budget | has("calls","wall_s","cpu_s","output_bytes","tokens","cost_usd") ')" = "true
true
true
true
true
true"
ok "no truncated object when nothing was cut" test "$(jr 'has("truncated")')" = false
seq_=$(jr .journal.seq)
hash=$(jr .journal.hash)
like "$hash" '^[0-9a-f]{64}$' "journal.hash is 64 hex digits"
line=$(journal_line rs "$seq_")
is "$(jq -r .seq <<<"$line")" "$seq_" "journal.seq names a line of the journal"
is "$(jq -r .event <<<"$line")" end "that line is the call's end event"
is "$(jq -r .exit_code <<<"$line")" 3 "which records exit code 3"
start_line=$(journal_line rs "$(jq -r .call <<<"$line")")
is "$(jq -r .command <<<"$start_line")" "echo hello; echo oops >&2; exit 3" "its start event holds the command"
is "$(printf '%s' "$line" | line_mac)" "$hash" \
        "journal.hash == HMAC-SHA-256 (host key) of that line's bytes without the newline"
call '{"id":"r2","tool":"exec","command":"true"}' --task rs
next=$(journal_line rs $((seq_ + 1)))
is "$(jq -r .prev <<<"$next")" "$hash" "the next line's prev is that hash"

call '{"id":"r3","tool":"exec","command":"kill -TERM $$"}' --task rs
is "$(jr .signal)" 15 "a command killed by SIGTERM reports signal 15"
is "$RC" 143 "and call exits 128+15"

call '{"id":"r4","tool":"exec","command":"echo started; sleep 30; touch mk_late","timeout_s":1}' --task rs
is "$RC/$(jr .status)" "124/timeout" "a request's timeout_s kills the call: exit 124, status timeout"
ok "it was cut short (duration_ms < 10000: $(jr .duration_ms))" test "$(jr .duration_ms)" -lt 10000
is "$(jr .stdout)" started "output up to the kill is kept"
ok "the rest never ran" test ! -e mk_late
is "$(jq -r .status <<<"$(journal_line rs "$(jr .journal.seq)")")" timeout "the end event records status timeout"

# ---- output truncation ----
PD=$(tap_scratch)
printf '{"extends":"default","limits":{"output_bytes":1000}}\n' >"$PD/small.json"
export CLAWJAIL_PROFILE_PATH="$PD:$CLAWJAIL_PROFILE_PATH"
call '{"id":"t1","tool":"exec","command":"seq 1 20000; echo err >&2"}' --task tr --profile small
whole=$(seq 1 20000 | wc -c)
is "$RC" 0 "the big-output call exits 0"
is "$(jr .truncated.stdout)" true "truncated.stdout is true"
is "$(jr .truncated.stderr)" false "truncated.stderr is false (4 bytes)"
ok "stdout is cut to about the cap (<= 1200 bytes)" test "$(jr '.stdout | utf8bytelength')" -le 1200
like "$(jr .stdout)" '^1
2
3
' "the head is kept"
like "$(jr .stdout | tail -n 2)" '^19999
20000$' "the tail is kept"
like "$(jr .stdout)" 'clawjail: [0-9]+ bytes omitted' "a marker says how much was omitted"
omitted=$(jr .stdout | grep -Eo 'clawjail: [0-9]+ bytes omitted' | grep -Eo '[0-9]+')
kept=$(jr .stdout | grep -v 'clawjail: [0-9]* bytes omitted' | wc -c)
ok "kept + omitted bytes ~ the whole stream ($kept + $omitted vs $whole)" \
        test $((kept + omitted)) -le $((whole + 200)) -a $((kept + omitted)) -ge $((whole - 200))
fo=$(jr .truncated.full_output)
ok "full_output names an existing file ($fo)" test -f "$fo"
is "$(stat -c %s "$fo" 2>/dev/null)" "$whole" "full_output holds the whole stream ($whole bytes)"
is "$(sha256sum <"$fo" | cut -d' ' -f1)" "$(seq 1 20000 | sha256sum | cut -d' ' -f1)" "byte for byte"
case $fo in
"$SD/tasks/tr/outputs/"*) pass "full_output lies in the task's outputs/ dir" ;;
*) fail "full_output lies in the task's outputs/ dir" ;;
esac
is "$(jq -r .stdout.bytes <<<"$(journal_line tr "$(jr .journal.seq)")")" "$whole" "the end event records the whole size"
# Only stderr over the cap: full_output must lead to the whole stderr.
call '{"id":"t3","tool":"exec","command":"seq 1 20000 >&2"}' --task tr --profile small
is "$(jr '.truncated.stdout, .truncated.stderr' | paste -sd ' ')" "false true" "stderr alone cut: truncated.stderr true"
like "$(jr .stderr)" 'clawjail: [0-9]+ bytes omitted' "the stderr carries the marker"
fo=$(jr .truncated.full_output)
is "$(stat -c %s "$fo" 2>/dev/null)" "$whole" "full_output ($fo) holds the whole stderr ($whole bytes)"
call '{"id":"t2","tool":"exec","command":"seq 1 100"}' --task tr --profile small
is "$(jr 'has("truncated")')" false "output under the cap is not cut"

# ---- a hand-edited journal line ----
for i in 1 2 3 4; do
        cj exec --task he -c "echo line$i" >/dev/null
done
out=$(cj journal verify he)
is "$?" 0 "an untouched journal verifies"
J="$SD/tasks/he/journal.jsonl"
target=$(grep -n '"command":"echo line2"' "$J" | cut -d: -f1)
ok "found the start of the second call (line $target)" test -n "$target"
sed -i "${target}s/echo line2/echo LINE2/" "$J"
out=$(cj journal verify he)
rc=$?
ok "journal verify exits non-zero after the edit (rc $rc)" test "$rc" -ne 0
like "$out" "line $target\\b" "verify names the edited line ($target)"
diag "$out"
out=$(cj journal verify --no-repair he)
like "$out" "line $target\\b" "so does verify --no-repair"
done_testing
