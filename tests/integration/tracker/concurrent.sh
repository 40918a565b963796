#!/bin/bash
# SPDX-License-Identifier: MIT
# 50 processes charge one task at once: counters exact, journal intact.
. "$(dirname "$0")/common.sh"

N=50
cj task create par
pids=()
for i in $(seq 1 $N); do
        cj task charge par --tokens "$i" --cost-usd 0.001 &
        pids+=($!)
done
failed=0
for p in "${pids[@]}"; do
        wait "$p" || failed=$((failed + 1))
done
is "$failed" 0 "all $N charges succeeded"
is "$(st par .budget.tokens.used)" $((N * (N + 1) / 2)) "tokens exact"
is "$(st par .budget.cost_usd.used)" 0.05 "cost exact"
is "$(cj journal show par --json | jq '[.[] | select(.event == "charge")] | length')" $N "one charge event each"
ok "journal verifies" cjq journal verify par
is "$(cj journal show par --json | jq -r '[.[].seq] == [range(1; '$((N + 2))')]')" true "seq has no gaps"
done_testing
