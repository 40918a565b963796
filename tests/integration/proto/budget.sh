#!/bin/bash
# SPDX-License-Identifier: MIT
# Budgets and loop governance through real sandboxed exec calls: a calls
# budget, charges from the harness, repeat and stall limits, operator stop and
# resume.  A refused call must run nothing: each would leave a marker file.
. "$(dirname "$0")/common.sh"

# ---- a budget of 5 calls ----
cj task create b5 --calls 5 >/dev/null
n_ok=0
for i in 1 2 3 4 5; do
        cj exec --task b5 -c "echo run > mark$i" && [ -f "mark$i" ] && n_ok=$((n_ok + 1))
done
is "$n_ok" 5 "five calls run under a budget of 5 (each left its marker)"
out=$(cj exec --task b5 --json -c 'echo run > mark6' 2>/dev/null)
is "$?" 122 "the sixth call exits 122"
is "$(jq -r .status <<<"$out")" budget_exhausted "its status is budget_exhausted"
is "$(jq -r .error.code <<<"$out")" budget_exhausted "its error code is budget_exhausted"
like "$(jq -r .error.message <<<"$out")" 'calls' "the refusal names the calls budget"
ok "the sixth call did not run (no marker)" test ! -e mark6
is "$(jq -c '.budget.calls' <<<"$out")" '{"used":5,"limit":5}' \
        "the refusal's budget object has the result shape (budget.calls used 5 limit 5)"
is "$(st b5 '.budget.calls | "\(.used) \(.limit)"')" "5 5" "task status --json: calls used 5, limit 5"
is "$(events b5 start)" 5 "five start events in the journal"
is "$(events b5 budget_exhausted)" 1 "the refusal is journaled as budget_exhausted"
cj exec --task b5 -c 'echo run > mark7' 2>/dev/null
is "$?" 122 "later calls stay refused"
ok "and run nothing" test ! -e mark7
cj run --task b5 -- touch mark_run 2>/dev/null
is "$?" 122 "run --task on the exhausted task is refused too"
ok "and runs nothing" test ! -e mark_run
is "$(st b5 .budget.calls.used)" 5 "refused calls cost nothing"

# ---- charge: tokens and cost from the harness ----
cj task create ch >/dev/null
cj task charge ch --tokens 1200 --cost-usd 0.25
is "$?" 0 "task charge exits 0"
is "$(st ch .budget.tokens.used)" 1200 "task status shows the tokens charged"
is "$(st ch .budget.cost_usd.used)" 0.25 "task status shows the cost charged"
cj task charge ch --tokens 34 --cost-usd 0.5 >/dev/null
call '{"id":"c1","tool":"exec","command":"true"}' --task ch
is "$RC" 0 "a call after the charges runs"
is "$(jr .budget.tokens.used)" 1234 "the call's result budget carries the tokens (1200 + 34)"
is "$(jr .budget.cost_usd.used)" 0.75 "the call's result budget carries the cost (0.25 + 0.5)"
is "$(events ch charge)" 2 "each charge is journaled"
cj task create chl --tokens 100 >/dev/null
cj task charge chl --tokens 100 >/dev/null
call '{"id":"c2","tool":"exec","command":"touch mark_tokens"}' --task chl
is "$RC" 122 "a call after the token budget is used up exits 122"
ok "and did not run" test ! -e mark_tokens

# ---- repeat limit: the same command with the same result N times, nothing
# changed in between, blocks that command (not the task; see loop.sh) ----
cj task create rp --repeat-limit 3 --stall-limit unlimited >/dev/null
for i in 1 2 3; do
        cj exec --task rp -c 'echo same; exit 3' >/dev/null
done
is "$(st rp .budget.calls.used)" 3 "three identical calls ran"
is "$(jl rp '[.[] | select(.event == "loop_detected")][0].rule')" repeat_limit \
        "the third identical result is a loop (repeat_limit 3), journaled"
cj exec --task rp -c 'echo same; exit 3' >/dev/null 2>"$WS/rp.err"
is "$?" 122 "the same call again is refused with 122"
like "$(cat "$WS/rp.err")" 'repeat_limit' "the refusal says why (repeat limit)"
out=$(cj exec --task rp -c 'echo other' 2>/dev/null)
is "$?/$out" "0/other" "another call still runs (it changes nothing, so the block stays)"
is "$(st rp .state)" active "the task is not stopped"
rm -f "$WS/rp.err"

# ---- stall limit: N calls in a row whose output was already seen ----
cj task create sl --stall-limit 3 --repeat-limit unlimited >/dev/null
for c in 'echo seen' 'echo  seen' 'printf "seen\n"' 'echo "seen"'; do
        cj exec --task sl -c "$c" >/dev/null
done
is "$(jl sl '[.[] | select(.event == "loop_detected")][0].rule')" stall_limit \
        "three calls repeating already-seen output are a loop (stall_limit 3)"
is "$(st sl .budget.calls.used)" 4 "the four calls were counted"
out=$(cj exec --task sl --json -c 'printf "seen\n"' 2>/dev/null)
is "$?/$(jq -r .status <<<"$out")" "122/loop_detected" "a call of the stalled streak is refused with 122"
cj exec --task sl -c 'echo fresh > mark_sl' >/dev/null 2>&1
is "$?" 0 "a call outside the streak runs"

# ---- operator stop and resume ----
cj task create op >/dev/null
cj exec --task op -c 'true'
cj task stop op --reason "operator says: wait for review"
is "$?" 0 "task stop exits 0"
out=$(cj exec --task op --json -c 'touch mark_op' 2>/dev/null)
is "$?" 122 "a call on the stopped task exits 122"
ok "and runs nothing" test ! -e mark_op
like "$(jq -r .error.message <<<"$out")" 'wait for review' "the refusal carries the operator's reason"
is "$(st op .state)" stopped "task status says stopped"
is "$(st op .reason)" "operator says: wait for review" "task status gives the reason"
cj task resume op
is "$?" 0 "task resume exits 0"
is "$(jl op '[.[] | .event] | map(select(. == "stopped" or . == "resumed")) | join(",")')" "stopped,resumed" \
        "stop and resume are journaled in that order"
is "$(jl op '[.[] | select(.event == "resumed")][0].by')" operator "resumed by the operator"
cj exec --task op -c 'touch mark_op'
is "$?" 0 "after resume calls run again"
ok "and have their effect" test -e mark_op
is "$(st op .state)" active "task status says active"

# The operator's resume lifts a loop block too, with the streaks reset.
cj task resume rp >/dev/null
is "$?" 0 "resume of a task with a loop block exits 0"
cj exec --task rp -c 'echo same; exit 3' >/dev/null
is "$?" 3 "the blocked call runs again after resume"
is "$(jl rp '[.[] | select(.event == "resumed")] | length')" 1 "the resume is journaled"
done_testing
