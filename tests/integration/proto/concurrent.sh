#!/bin/bash
# SPDX-License-Identifier: MIT
# serve --max-concurrent: a slow call does not hold up the next one, results
# are matched by id, the limit holds, {"op":"cancel"} kills a call and its
# sandbox, {"op":"charge"} charges the task, and "timeout" says timeout_s.
. "$(dirname "$0")/common.sh"

IO=$(tap_scratch)

# A slow call first, then three quick ones: the quick results come first.
{
        echo '{"id":"slow","tool":"exec","command":"sleep 2; echo slow"}'
        for i in 1 2 3; do echo "{\"id\":\"q$i\",\"tool\":\"exec\",\"command\":\"echo q$i\"}"; done
} >"$IO/in"
start=$(date +%s%N)
cj serve --stdio --task cc --max-concurrent 4 <"$IO/in" >"$IO/out" 2>"$IO/err"
is "$?" 0 "serve exits 0 once the calls in flight are done"
ms=$((($(date +%s%N) - start) / 1000000))
is "$(wc -l <"$IO/out")" 4 "one result per request"
is "$(tail -1 "$IO/out" | jq -r .id)" slow "the 2 s call finishes last: it held up nothing"
is "$(jq -r 'select(.id=="slow") | .stdout' "$IO/out")" slow "and its result still comes, with its id"
is "$(jq -r 'select(.id|startswith("q")) | .stdout | rtrimstr("\n")' "$IO/out" | sort | paste -sd ' ')" "q1 q2 q3" \
        "each quick call's result has its own output"
ok "all four took about the slow one's time (${ms} ms)" [ "$ms" -lt 3500 ]
is "$(events cc end)" 4 "each call journaled as usual"

# The limit: 4 calls of 1 s with --max-concurrent 2 take at least 2 s.
for i in 1 2 3 4; do echo "{\"id\":\"l$i\",\"tool\":\"exec\",\"command\":\"sleep 1\"}"; done >"$IO/in2"
start=$(date +%s%N)
cj serve --stdio --task cl --max-concurrent 2 <"$IO/in2" >"$IO/out2" 2>&1
ms=$((($(date +%s%N) - start) / 1000000))
ok "--max-concurrent 2 runs at most two at once (${ms} ms for 4 x 1 s)" [ "$ms" -ge 1900 ]
is "$(jq -r .status "$IO/out2" | sort -u)" ok "and every call ran"

# cancel: a long call is killed with its sandbox; the server goes on.
mark="cj-cancel-$$-$RANDOM"
coproc SRV { cj serve --stdio --task cx --max-concurrent 2 2>/dev/null; }
srv_pid=$SRV_PID
echo "{\"id\":\"long\",\"tool\":\"exec\",\"command\":\"exec -a $mark sleep 60\"}" >&"${SRV[1]}"
sleep 1
echo '{"op":"cancel","id":"long"}' >&"${SRV[1]}"
read -r -t 10 l1 <&"${SRV[0]}"
read -r -t 10 l2 <&"${SRV[0]}"
both="$l1"$'\n'"$l2"
is "$(jq -r 'select(.op=="cancel") | .status' <<<"$both")" ok "cancel is acknowledged"
is "$(jq -r 'select(.id=="long" and .op==null) | .status + "/" + .error.code' <<<"$both")" error/cancelled \
        "the cancelled call's result says cancelled"
sleep 0.5
is "$(pgrep -f -c "$mark")" 0 "no process of the cancelled call survives"
echo '{"id":"after","tool":"exec","command":"echo still here"}' >&"${SRV[1]}"
read -r -t 20 l3 <&"${SRV[0]}"
is "$(jq -r .stdout <<<"$l3")" "still here" "the server goes on after a cancel"
echo '{"op":"cancel","id":"nope"}' >&"${SRV[1]}"
read -r -t 10 l4 <&"${SRV[0]}"
is "$(jq -r .error.code <<<"$l4")" not_found "cancelling an unknown id says not_found"

# charge: the harness reports model usage through the protocol.
echo '{"op":"charge","tokens":1200,"cost_usd":0.25}' >&"${SRV[1]}"
read -r -t 10 l5 <&"${SRV[0]}"
is "$(jq -r '.status + " " + (.budget.tokens.used|tostring)' <<<"$l5")" "ok 1200" "charge answers with the budget"
echo '{"op":"charge","tokens":-5}' >&"${SRV[1]}"
read -r -t 10 l6 <&"${SRV[0]}"
is "$(jq -r .error.code <<<"$l6")" bad_value "a negative charge is refused"
exec {SRV[1]}>&-
wait "$srv_pid" 2>/dev/null
is "$(st cx .budget.tokens.used)" 1200 "the task's status shows the charge"
is "$(events cx charge)" 1 "and the journal has it"
is "$(events cx interrupted)" 1 "the cancelled call's start is closed as interrupted"

# A result serve cannot hold (its buffer cannot grow) is an error under the
# call's id, never a line with a piece missing; the next call is unaffected.
# The fault is injected into serve's own process only (not its workers),
# by LD_PRELOAD: into the same launcher built with libc shared.
inj="$CJ_HELPERS_DIR/cj-failrealloc.so"
printf '%s\n' '{"id":"big","tool":"exec","command":"head -c 250000 /dev/zero | tr \"\\0\" a"}' \
        '{"id":"small","tool":"exec","command":"echo small"}' >"$IO/in3"
# A sanitizer build's runtime must otherwise come first among the libraries.
LD_PRELOAD="$inj" CJ_FAIL_REALLOC_AT=200000 ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
        timeout -k 5 "$CALL_TIMEOUT" "$CLAWJAIL_PRELOADABLE" serve --stdio --task cr --max-concurrent 2 <"$IO/in3" >"$IO/out3" 2>"$IO/err3"
is "$?" 0 "serve goes on when it cannot hold one call's result"
is "$(jq -c -s 'map(.id) | sort' "$IO/out3" 2>&1)" '["big","small"]' "every result line is whole JSON, one per call"
is "$(jq -r 'select(.id=="big") | .status + "/" + .error.code' "$IO/out3")" error/clawjail \
        "the result it could not hold is an error under the call's id"
like "$(jq -r 'select(.id=="big") | .error.message' "$IO/out3")" "could not hold.*Cannot allocate memory" \
        "which says why"
is "$(jq -r 'select(.id=="small") | .stdout' "$IO/out3")" small "the other call's result is intact"
is "$(events cr end)" 2 "both calls ran and are journaled"

# A harness that closes serve's stdout: serve stops taking requests (the
# queued ones never run), lets the calls in flight end, and exits 125 saying
# why, instead of running every queued call for nobody.
rm -f ran0 ran1 ran2 ran3
for i in 0 1 2 3; do echo "{\"id\":\"g$i\",\"tool\":\"exec\",\"command\":\"sleep 0.5; echo x > ran$i\"}"; done >"$IO/in4"
python3 - "$CLAWJAIL" "$IO/in4" "$IO/err4" <<'PY'
import subprocess, sys
with open(sys.argv[3], "wb") as err:
    p = subprocess.Popen([sys.argv[1], "serve", "--stdio", "--task", "cg", "--max-concurrent", "2"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
    p.stdout.close()  # nobody reads the results
    p.stdin.write(open(sys.argv[2], "rb").read())
    p.stdin.close()
    sys.exit(p.wait(timeout=60))
PY
is "$?" 125 "serve exits 125 when its results cannot be written"
like "$(cat "$IO/err4")" "serve: writing results: Broken pipe" "and says why"
is "$(ls ran* 2>/dev/null | paste -sd ' ')" "ran0 ran1" "the two calls in flight ended; the two queued never ran"
is "$(events cg end)" 2 "only the calls that ran are journaled"
rm -f ran0 ran1

# Protocol polish: "timeout" is not a key, and the error says which is.
call '{"tool":"exec","command":"true","timeout":5}'
like "$(jr .error.message)" "timeout_s" "'timeout' is refused with a pointer to timeout_s"

# A relative request cwd means what it means on the command line: under the workspace.
mkdir -p rel/dir && { [ "$(id -u)" != 0 ] || chown -R 65534:65534 rel; }
call '{"tool":"exec","command":"pwd","cwd":"rel/dir"}'
is "$(jr .stdout)" "$WS/rel/dir" "a relative cwd resolves against the workspace"

done_testing
