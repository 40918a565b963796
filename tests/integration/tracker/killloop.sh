#!/bin/bash
# SPDX-License-Identifier: MIT
# kill -9 at random moments during charges and checkpoint saves: afterwards
# the journal verifies and the counters equal the journal.
. "$(dirname "$0")/common.sh"

ROUNDS=${KILL_ROUNDS:-120}
cj task create kl
for i in $(seq 1 "$ROUNDS"); do
        if [ $((i % 3)) = 0 ]; then
                # The binary itself, not the cj() function: killing a function's
                # subshell would leave the real process running past the checks.
                "$CLAWJAIL" checkpoint save kl --label "r$i" <<<"{\"round\":$i}" >/dev/null 2>&1 &
        else
                "$CLAWJAIL" task charge kl --tokens 1 >/dev/null 2>&1 &
        fi
        p=$!
        # 0 to ~5 ms: lands anywhere from exec to the final rename.
        sleep "0.00$((RANDOM % 6))"
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
done
out=$(cj journal verify kl)
is "$?" 0 "journal verifies after $ROUNDS kills"
diag "$out"
charges=$(cj journal show kl --json | jq '[.[] | select(.event == "charge")] | length')
is "$(st kl .budget.tokens.used)" "$charges" "tokens used == charge events in the journal ($charges)"
ckpts=$(cj journal show kl --json | jq '[.[] | select(.event == "checkpoint")] | length')
is "$(cj checkpoint list kl --json | jq length)" "$ckpts" "checkpoints listed == checkpoint events ($ckpts)"
bad=0
for n in $(seq 1 "$ckpts"); do
        cj checkpoint load kl "$n" | jq -e .payload.round >/dev/null || bad=$((bad + 1))
done
is "$bad" 0 "every journaled checkpoint loads whole"
rm -f "$SD/tasks/kl/state.json"
is "$(st kl .budget.tokens.used)" "$charges" "state.json rebuilt from the journal gives the same counters"
done_testing
