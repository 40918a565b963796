#!/bin/bash
# SPDX-License-Identifier: MIT
# 50 `clawjail call` processes at once on one task: every call runs (its
# marker exists), the calls counter is exact, every start has its end, and the
# journal verifies.
. "$(dirname "$0")/common.sh"

N=${PARALLEL_CALLS:-50}
RES=$(tap_scratch)
cj task create par >/dev/null
pids=()
for i in $(seq 1 "$N"); do
        printf '{"id":"p%d","tool":"exec","command":"echo %d > par%d; echo out%d"}' "$i" "$i" "$i" "$i" |
                cj call --task par >"$RES/$i.json" &
        pids+=($!)
done
fails=0
for p in "${pids[@]}"; do
        wait "$p" || fails=$((fails + 1))
done
is "$fails" 0 "all $N parallel calls exit 0"
ran=0 okres=0 idok=0
for i in $(seq 1 "$N"); do
        [ "$(cat "par$i" 2>/dev/null)" = "$i" ] && ran=$((ran + 1))
        [ "$(jq -r '.status + " " + .stdout' "$RES/$i.json")" = "ok out$i" ] && okres=$((okres + 1))
        [ "$(jq -r .id "$RES/$i.json")" = "p$i" ] && idok=$((idok + 1))
done
is "$ran" "$N" "every call ran in the sandbox (all $N markers hold their number)"
is "$okres" "$N" "every result is ok with its own stdout"
is "$idok" "$N" "every result echoes its own id"
is "$(st par .budget.calls.used)" "$N" "calls used == $N exactly"
is "$(events par start)" "$N" "$N start events"
is "$(events par end)" "$N" "$N end events"
is "$(jl par '[.[] | select(.event == "start") | .seq] | sort | join(",")')" \
        "$(jl par '[.[] | select(.event == "end") | .call] | sort | join(",")')" \
        "every start is matched by exactly one end (by call seq)"
is "$(jl par '[.[] | select(.event == "start") | .command] | unique | length')" "$N" \
        "the journal holds each of the $N commands"
is "$(jq -s '[.[] | .journal.seq] | unique | length' "$RES"/*.json)" "$N" "each result names a distinct journal line"
is "$(st par .budget.output_bytes.used)" \
        "$(jl par '[.[] | select(.event == "end") | .stdout.bytes + .stderr.bytes] | add')" \
        "output bytes used == the sum the end events record"
out=$(cj journal verify par)
is "$?" 0 "journal verify exits 0"
diag "$out"
is "$(st par '.resume.interrupted | length')" 0 "no call is seen as interrupted"

# The same race against a calls budget: admission and the start event are one
# critical section, so exactly LIMIT calls run and the rest are refused.
LIMIT=20
cj task create cap --calls "$LIMIT" >/dev/null
mkdir -p cap
tap_chown_ws cap
pids=()
for i in $(seq 1 "$N"); do
        printf '{"id":"c%d","tool":"exec","command":"touch cap/%d"}' "$i" "$i" | cj call --task cap >"$RES/cap$i.json" &
        pids+=($!)
done
rc_ok=0 rc_122=0
for p in "${pids[@]}"; do
        wait "$p"
        case $? in
        0) rc_ok=$((rc_ok + 1)) ;;
        122) rc_122=$((rc_122 + 1)) ;;
        esac
done
is "$rc_ok $rc_122" "$LIMIT $((N - LIMIT))" "$N racing calls on a budget of $LIMIT: $LIMIT exit 0, the rest 122"
is "$(find cap -type f | wc -l)" "$LIMIT" "exactly $LIMIT markers: refused calls ran nothing"
is "$(jq -s '[.[] | select(.status == "budget_exhausted")] | length' "$RES"/cap*.json)" $((N - LIMIT)) \
        "the refused ones say budget_exhausted"
is "$(st cap .budget.calls.used)" "$LIMIT" "calls used == $LIMIT, never more"
is "$(events cap start)" "$LIMIT" "$LIMIT start events"
cj journal verify cap >/dev/null
is "$?" 0 "the journal verifies"
done_testing
