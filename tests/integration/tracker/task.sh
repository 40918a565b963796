#!/bin/bash
# SPDX-License-Identifier: MIT
# task create/status/list/charge/set-budget/stop/resume through the real binary.
. "$(dirname "$0")/common.sh"

ok "create with a budget of 5 calls" cjq task create t1 --calls 5 --cost-usd 1.5
cj task create t1 >/dev/null 2>&1
is "$?" 125 "creating it again fails with 125"
is "$(st t1 .budget.calls.limit)" 5 "status --json: calls limit 5"
is "$(st t1 .budget.cost_usd.limit)" 1.5 "status --json: cost limit"
is "$(st t1 .state)" active "state active"
is "$(st t1 '.resume.checkpoint')" null "no checkpoint yet"
is "$(st t1 '.resume.interrupted | length')" 0 "no interrupted calls"
is "$(cj task status t1 --json | jq -r 'keys_unsorted | join(",")')" "task,state,reason,budget,resume,scratch,outputs" \
        "status --json has exactly the SPEC keys (scratch and outputs: issue 9)"

ok "charge" cjq task charge t1 --tokens 1000 --cost-usd 0.25
ok "charge again" cjq task charge t1 --tokens 24 --cost-usd 0.0001
is "$(st t1 .budget.tokens.used)" 1024 "tokens summed"
is "$(st t1 .budget.cost_usd.used)" 0.2501 "cost summed exactly"
cj task charge t1 --tokens -5 >/dev/null 2>&1
is "$?" 125 "negative tokens refused"
cj task charge t1 --cost-usd abc >/dev/null 2>&1
is "$?" 125 "non-numeric cost refused"
cj task charge t1 >/dev/null 2>&1
is "$?" 125 "charge without amounts refused"

like "$(cj task status t1)" "calls +0 +5" "human status shows used/limit"

ok "set-budget" cjq task set-budget t1 --calls unlimited --tokens 2000
is "$(st t1 .budget.calls.limit)" null "calls now unlimited"
is "$(st t1 .budget.tokens.limit)" 2000 "tokens limited"

ok "stop" cjq task stop t1 --reason "agent looping on make"
is "$(st t1 .state)" stopped "state stopped"
is "$(st t1 .reason)" "agent looping on make" "reason kept"
cj task stop t1 >/dev/null 2>&1
is "$?" 125 "stop needs --reason"
ok "resume" cjq task resume t1
is "$(st t1 .state)" active "active again"
is "$(st t1 .reason)" null "reason cleared"
out=$(cj task resume t1 2>&1)
is "$?" 0 "resume of an active task is not an error"
like "$out" "not stopped" "and says so"

ok "create a second task" cjq task create t2
is "$(cj task list --json | jq -r '[.[].task] | join(",")')" "t1,t2" "task list --json"
like "$(cj task list)" "^t2 +active" "task list table"

cj task status nosuch >/dev/null 2>&1
is "$?" 125 "unknown task: 125"
cj task status ../etc >/dev/null 2>&1
is "$?" 125 "invalid task id: 125"
cj task frobnicate t1 >/dev/null 2>&1
is "$?" 125 "unknown subcommand: 125"
like "$(cj task --help)" "set-budget TASK LIMITS" "task --help"

events=$(cj journal show t1 --json | jq -r '[.[].event] | join(",")')
is "$events" "created,charge,charge,budget_set,stopped,resumed" "every operation journaled"
ok "journal verifies" cjq journal verify t1
done_testing
