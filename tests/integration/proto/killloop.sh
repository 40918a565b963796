#!/bin/bash
# SPDX-License-Identifier: MIT
# kill -9 the launcher at random moments of real tracked exec calls: from
# process start through admission, the start event, the sandbox run and the
# end event.  Afterwards the journal verifies, every start is closed by an end
# or an interrupted, and the counters equal what the journal says.
. "$(dirname "$0")/common.sh"

ROUNDS=${KILL_ROUNDS:-120}

# ms_of INPUT CMD...: how long CMD <INPUT takes, in ms (the median of three runs).
ms_of() {
        local t0 t1 in=$1 ds=()
        shift
        for _ in 1 2 3; do
                t0=$(date +%s%N)
                "$@" <"$in" >/dev/null 2>&1
                t1=$(date +%s%N)
                ds+=($(((t1 - t0) / 1000000)))
        done
        printf '%s\n' "${ds[@]}" | sort -n | sed -n 2p
}
# The kill window spans a whole call as measured here (at least 70 ms):
# a sanitizer build or a loaded machine starts slower, and a fixed window
# would then kill most launchers before their start event.
window_for() {
        local w=$(($1 * 12 / 10))
        echo $((w < 70 ? 70 : w))
}
sleep_random_ms() {
        local d=$((RANDOM * 32768 + RANDOM))
        d=$((d % $1))
        sleep "$((d / 1000)).$(printf '%03d' $((d % 1000)))"
}
cj task create kl >/dev/null
cj task create kcal >/dev/null
W_EXEC=$(window_for "$(ms_of /dev/null "$CLAWJAIL" exec --task kcal -c 'sleep 0.02')")
t0=$SECONDS
for i in $(seq 1 "$ROUNDS"); do
        "$CLAWJAIL" exec --task kl -c "sleep 0.0$((RANDOM % 3)); echo $i >> kl_done" >/dev/null 2>&1 &
        p=$!
        # 0 to W_EXEC ms: covers exec of the launcher up to the end event.
        sleep_random_ms "$W_EXEC"
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
done
diag "$ROUNDS kill rounds in $((SECONDS - t0)) s, killed 0..$W_EXEC ms after the start"
out=$(cj journal verify kl)
is "$?" 0 "journal verify passes after $ROUNDS kills"
diag "$out"
J=$(cj journal show kl --json)
q() {
        jq -r "$1" <<<"$J"
}
starts=$(q '[.[] | select(.event == "start")] | length')
ends=$(q '[.[] | select(.event == "end")] | length')
intr=$(q '[.[] | select(.event == "interrupted")] | length')
diag "starts $starts, ends $ends, interrupted $intr"
ok "some calls were started (at least 20 of $ROUNDS)" test "$starts" -ge 20
ok "some were killed mid-call (interrupted > 0)" test "$intr" -gt 0
is "$(q '[.[] | select(.event == "start") | .seq] | sort | join(",")')" \
        "$(q '[.[] | select(.event == "end" or .event == "interrupted") | .call] | sort | join(",")')" \
        "every start is closed by exactly one end or interrupted"
is "$(q '[.[] | .seq] == [range(1; length + 1)]')" true "seq runs 1..N with no gap"
S=$(cj task status kl --json)
is "$(jq -r .budget.calls.used <<<"$S")" "$starts" "calls used == start events"
is "$(jq -r '.budget.wall_s.used * 1000 | round' <<<"$S")" \
        "$(q '[.[] | select(.event == "end" or .event == "interrupted") | .duration_ms] | add // 0')" \
        "wall used == the durations of the end and interrupted events"
is "$(jq -r '.budget.cpu_s.used * 1000 | round' <<<"$S")" \
        "$(q '[.[] | select(.event == "end") | .cpu_ms // 0] | add // 0')" \
        "cpu used == the cpu of the end events"
is "$(jq -r .budget.output_bytes.used <<<"$S")" \
        "$(q '[.[] | select(.event == "end") | .stdout.bytes + .stderr.bytes] | add // 0')" \
        "output bytes used == the sizes of the end events"
n_intr_status=$(jq -r '.resume.interrupted | length' <<<"$S")
ok "task status lists the interrupted calls (min($intr, 64) == $n_intr_status)" \
        test "$n_intr_status" -eq $((intr < 64 ? intr : 64))
done_lines=$(wc -l <kl_done 2>/dev/null || echo 0)
ok "no call ran without a start (sandboxed runs $done_lines <= starts $starts)" test "$done_lines" -le "$starts"
# No sandboxed child outlives its killed launcher for long.
sleep 0.3
before=$(wc -l <kl_done 2>/dev/null || echo 0)
sleep 0.3
is "$(wc -l <kl_done 2>/dev/null || echo 0)" "$before" "no orphaned sandbox keeps running after the loop"
cj exec --task kl -c 'true'
is "$?" 0 "the task still takes calls"
cj journal verify kl >/dev/null
is "$?" 0 "and still verifies"
rm -f "$SD/tasks/kl/state.json"
is "$(st kl .budget.calls.used)" "$((starts + 1))" "state.json rebuilt from the journal gives the same count"

# The same for `call` writes of a 2 MB file: whatever instant the launcher
# dies, the file holds one whole version, never a mix or a prefix.
W=$(tap_scratch)
for v in a b; do
        {
                printf '{"id":"w","tool":"write","path":"big.txt","content":"'
                head -c 2000000 /dev/zero | tr '\0' "$v"
                printf '"}'
        } >"$W/$v.json"
done
cj call --task kw <"$W/a.json" >/dev/null
W_WRITE=$(window_for "$(ms_of "$W/a.json" "$CLAWJAIL" call --task kcal)")
diag "write calls killed 0..$W_WRITE ms after the start"
WROUNDS=${KILL_WRITE_ROUNDS:-60}
torn=0
for i in $(seq 1 "$WROUNDS"); do
        v=a
        [ $((i % 2)) = 1 ] && v=b
        "$CLAWJAIL" call --task kw <"$W/$v.json" >/dev/null 2>&1 &
        p=$!
        sleep_random_ms "$W_WRITE"
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
        if [ "$(stat -c %s big.txt)" != 2000000 ] || { grep -q a big.txt && grep -q b big.txt; }; then
                torn=$((torn + 1))
        fi
done
is "$torn" 0 "after each of $WROUNDS kills the written file is one whole version"
cj journal verify kw >/dev/null
is "$?" 0 "the write task's journal verifies"
J=$(cj journal show kw --json)
is "$(jq -r '[.[] | select(.event == "start") | .seq] | sort | join(",")' <<<"$J")" \
        "$(jq -r '[.[] | select(.event == "end" or .event == "interrupted") | .call] | sort | join(",")' <<<"$J")" \
        "every write start is closed by an end or an interrupted"
left=$(find . -maxdepth 1 -name '.clawjail-write.*' | wc -l)
diag "temp files left in the workspace by killed writes: $left (a killed launcher cannot rename or remove them)"
done_testing
