#!/bin/bash
# SPDX-License-Identifier: MIT
# serve's opt-in streaming: "stream": true sends {"id","event","data"} lines
# while the call runs, then its result line, unchanged.  Text ends on UTF-8
# boundaries, other bytes come as base64; the result's cap and full_output
# are those of a call that does not stream; lines of concurrent calls never
# split and stay in order per id; a harness that stops reading stalls the call
# in its pipe (the server's memory stays flat) and the deadline still holds.
. "$(dirname "$0")/common.sh"

IO=$(tap_scratch)

# events FILE ID STREAM: the bytes of that call's events of STREAM, decoded, as hex.
ev_hex() {
        jq -j --arg id "$2" --arg s "$3" \
                'select(.id==$id and .event==$s) | if .encoding=="base64" then .data else (.data|@base64) end + "\n"' \
                "$1" | while read -r b; do printf '%s' "$b" | base64 -d; done | od -An -tx1 | tr -d ' \n'
}
all_json() { # every line of FILE (or stdin) is one JSON value
        jq -e . "$@" >/dev/null
}
res_hex() { # the result's STREAM, decoded, as hex
        jq -j --arg id "$2" --arg s "$3" \
                'select(.id==$id and .status) | if .[$s + "_encoding"]=="base64" then .[$s] else (.[$s]|@base64) end' \
                "$1" | base64 -d | od -An -tx1 | tr -d ' \n'
}

cat >"$IO/in" <<'EOF'
{"id":"s1","tool":"exec","command":"echo one; sleep 0.4; echo two >&2; sleep 0.4; printf 'caf\\303'; sleep 0.4; printf '\\251\\n'","stream":true}
{"id":"s2","tool":"exec","command":"printf 'bin\\377\\376\\n'","stream":true}
{"id":"quiet","tool":"exec","command":"echo no events"}
EOF
cj serve --stdio --task st <"$IO/in" >"$IO/out" 2>"$IO/err"
is "$?" 0 "serve exits 0"
ok "every line is one JSON object" all_json "$IO/out"
is "$(jq -r 'select(.id=="s1") | .event // "result"' "$IO/out" | paste -sd ' ')" \
        "stdout stderr stdout stdout result" "s1: its events as the call ran, then its result"
is "$(jq -r 'select(.id=="s1" and .event) | .data | rtrimstr("\n")' "$IO/out" | paste -sd '|')" "one|two|caf|é" \
        "a character split across writes is sent whole, as text"
is "$(ev_hex "$IO/out" s1 stdout)" "$(res_hex "$IO/out" s1 stdout)" "the stdout events add up to the result's stdout"
is "$(ev_hex "$IO/out" s1 stderr)" "$(res_hex "$IO/out" s1 stderr)" "and the stderr events to its stderr"
is "$(jq -r 'select(.id=="s2" and .event) | .encoding' "$IO/out")" base64 "bytes that are not UTF-8 come as base64"
is "$(ev_hex "$IO/out" s2 stdout)" "$(printf 'bin\377\376\n' | od -An -tx1 | tr -d ' \n')" "exactly the bytes written"
is "$(jq -r 'select(.id=="quiet") | .event // "result"' "$IO/out")" result "a call that does not ask streams nothing"
is "$(events st end)" 3 "streamed calls are journaled as any"

# The cap: a streamed call's result is cut and kept exactly as an unstreamed one's.
printf '%s\n' '{"id":"big","tool":"exec","command":"seq 1 150000","stream":true}' \
        '{"id":"same","tool":"exec","command":"seq 1 150000"}' | cj serve --stdio --task sc >"$IO/big" 2>/dev/null
is "$(jq -r 'select(.id=="big" and .status) | .truncated.stdout' "$IO/big")" true "a big streamed output is cut in the result"
is "$(jq -r 'select(.id=="big" and .status) | .stdout' "$IO/big" | md5sum)" \
        "$(jq -r 'select(.id=="same") | .stdout' "$IO/big" | md5sum)" "to the same text as without streaming"
full=$(jq -r 'select(.id=="big" and .status) | .truncated.full_output' "$IO/big")
is "$(md5sum <"$full")" "$(seq 1 150000 | md5sum)" "full_output keeps the whole stream"
is "$(jq -j 'select(.id=="big" and .event) | .data' "$IO/big" | md5sum)" "$(seq 1 150000 | md5sum)" \
        "and the events carried all of it"
ok "each event is at most one chunk" [ "$(jq -r 'select(.event) | .data | length' "$IO/big" | sort -n | tail -1)" -le 4096 ]

# Concurrent calls: lines interleave, never split, in order per id.
{
        for i in 1 2 3; do
                echo "{\"id\":\"c$i\",\"tool\":\"exec\",\"command\":\"for n in 1 2 3 4 5 6; do echo c$i-\$n; sleep 0.2; done\",\"stream\":true}"
        done
} >"$IO/cin"
cj serve --stdio --max-concurrent 3 <"$IO/cin" >"$IO/cout" 2>/dev/null
ok "every line is whole JSON" all_json "$IO/cout"
for i in 1 2 3; do
        is "$(jq -r "select(.id==\"c$i\" and .event) | .data | rtrimstr(\"\\n\")" "$IO/cout" | paste -sd ' ')" \
                "c$i-1 c$i-2 c$i-3 c$i-4 c$i-5 c$i-6" "c$i's events in order"
        is "$(jq -r "select(.id==\"c$i\") | .event // \"result\"" "$IO/cout" | tail -1)" result "c$i's result comes last"
done
ids=$(jq -r .id "$IO/cout" | head -6 | sort -u | wc -l)
ok "the calls' lines interleave ($ids ids among the first 6 lines)" [ "$ids" -gt 1 ]

# A cancel in the middle of a stream: whole lines only, then the cancelled result.
coproc SRV { cj serve --stdio --max-concurrent 2 2>/dev/null; }
srv_pid=$SRV_PID
echo '{"id":"long","tool":"exec","command":"while :; do echo tick; sleep 0.05; done","stream":true}' >&"${SRV[1]}"
read -r -t 20 first <&"${SRV[0]}"
is "$(jq -r .event <<<"$first")" stdout "a streaming call's first event arrives while it runs"
echo '{"op":"cancel","id":"long"}' >&"${SRV[1]}"
lines=""
while read -r -t 20 l <&"${SRV[0]}"; do # up to the call's result (bash closes SRV when serve exits)
        lines+=$l$'\n'
        [ "$(jq -r 'select(.id=="long" and .status and (.op|not)) | "result"' <<<"$l" 2>/dev/null)" = result ] && break
done
exec {SRV[1]}>&-
wait "$srv_pid" 2>/dev/null
ok "after the cancel every line is still whole JSON" all_json <<<"$lines"
is "$(jq -r 'select(.id=="long" and .status and (.op|not)) | .error.code' <<<"$lines")" cancelled \
        "and the call ends with its cancelled result"

# Backpressure: the harness stops reading.  The call blocks in its pipe, the
# server's memory stays flat, and its 2 s deadline still kills it.
mkfifo "$IO/fifo"
exec 7<>"$IO/fifo" # held open, never read for now
mark="cj-bp-$$-$RANDOM"
echo "{\"id\":\"flood\",\"tool\":\"exec\",\"command\":\"exec -a $mark yes streaming-flood\",\"stream\":true,\"timeout_s\":2}" |
        cj serve --stdio >"$IO/fifo" 2>/dev/null &
srv=$!
sleep 1
rss1=$(awk '/^VmRSS/ {print $2}' "/proc/$srv/status" 2>/dev/null || echo 0)
sleep 3
rss2=$(awk '/^VmRSS/ {print $2}' "/proc/$srv/status" 2>/dev/null || echo 0)
left=$(pgrep -f -c "$mark")
is "$left" 0 "the deadline killed the call while nobody read its events"
ok "the server's memory stayed flat while blocked (${rss1} -> ${rss2} KiB)" [ "$rss2" -gt 0 -a "$rss2" -le $((rss1 + 2048)) ]
timeout 20 cat <&7 >"$IO/flood" &
catpid=$!
wait "$srv" 2>/dev/null
exec 7>&-
wait "$catpid" 2>/dev/null
res=$(grep -v '"event"' "$IO/flood" | tail -1)
is "$(jq -r .status <<<"$res")" timeout "the result says timeout"
ok "its duration is the deadline's, not the harness's stall ($(jq -r .duration_ms <<<"$res") ms)" \
        [ "$(jq -r .duration_ms <<<"$res")" -lt 3500 ]
n=$(grep -c '"event"' "$IO/flood")
ok "the events before it were delivered ($n lines)" [ "$n" -gt 0 ]

# Where streaming does not apply.
call '{"tool":"exec","command":"true","stream":true}'
is "$(jr .error.code)" unknown_key "call has no streaming (one result only)"
echo '{"tool":"read","path":"x","stream":true}' | cj serve --stdio >"$IO/r" 2>/dev/null
is "$(jq -r .error.code "$IO/r")" unknown_key "read does not stream"
echo '{"tool":"exec","command":"true","stream":1}' | cj serve --stdio >"$IO/r" 2>/dev/null
is "$(jq -r .error.code "$IO/r")" bad_type "stream is a boolean"

# A terminal streams too: its output is the stdout events.
echo '{"id":"t","tool":"exec","command":"tty; echo e >&2","pty":true,"stream":true}' | cj serve --stdio >"$IO/t" 2>/dev/null
is "$(jq -r 'select(.event) | .event' "$IO/t" | sort -u)" stdout "a pty call's events are all stdout (stderr is merged)"
is "$(jq -j 'select(.event) | .data' "$IO/t" | tr -d '\r')" $'/dev/pts/0\ne' "and carry the terminal's output"

done_testing
