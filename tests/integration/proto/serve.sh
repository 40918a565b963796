#!/bin/bash
# SPDX-License-Identifier: MIT
# serve --stdio: several requests in, one result line per request out, in
# order, with matching ids; a bad line in the middle gets an error and the
# next line still runs; per-request task and profile; a profile the operator
# did not allow is refused and runs nothing; a request cannot choose another
# task than the operator's --task.
. "$(dirname "$0")/common.sh"

IO=$(tap_scratch)
cat >"$IO/in" <<'REQ'
{"id":"s1","tool":"exec","command":"echo one; echo 1 >> order"}
{"id":"s2","tool":"write","path":"sv.txt","content":"written by serve\n"}
{"id":"s3","tool":"read","path":"sv.txt"}
this line is not JSON {"id":"s4"
{"id":"s5","tool":"exec","command":"echo five; echo 5 >> order"}

{"id":"s6","tool":"edit","path":"sv.txt","old_text":"serve","new_text":"SERVE"}
{"id":"s7","tool":"exec","command":"cat sv.txt; echo 7 >> order","stdin":"ignored"}
{"id":"s8","tool":"exec","command":"echo net > mk_net","profile":"net"}
{"id":"s9","tool":"exec","command":"echo other-task","task":"other"}
{"id":"s10","tool":"exec","command":"cat","stdin":"from stdin\n","env":{"X":"1"}}
REQ
cj serve --stdio --task sv <"$IO/in" >"$IO/out" 2>"$IO/err"
is "$?" 0 "serve exits 0 at EOF"
is "$(wc -l <"$IO/out")" 10 "one result line per request line (the blank line is not a call)"
res() {
        sed -n "${1}p" "$IO/out" | jq -r "$2"
}
is "$(jq -r '.id // "-"' "$IO/out" | paste -sd ' ')" "s1 s2 s3 - s5 s6 s7 s8 s9 s10" \
        "results come in request order with matching ids"
is "$(res 1 '.status + " " + .stdout')" "ok one" "line 1: exec ran"
is "$(res 2 .bytes_written)" 17 "line 2: write reports bytes_written"
is "$(res 3 .content)" "written by serve" "line 3: read sees what line 2 wrote"
is "$(res 4 '.status + "/" + .error.code')" "error/bad_json" "line 4: the bad line gets an error result"
is "$(res 5 '.status + " " + .stdout')" "ok five" "line 5: the next line still runs"
is "$(res 6 .status)" ok "line 6: edit ok"
is "$(res 7 .stdout)" "written by SERVE" "line 7: exec sees the edit"
is "$(paste -sd ' ' order)" "1 5 7" "the exec calls ran once each, in order"
is "$(res 8 '.status + "/" + .error.code')" "error/profile_not_allowed" \
        "line 8: a profile not allowed by --allow-profile is refused"
ok "line 8 ran nothing" test ! -e mk_net
is "$(res 9 '.status + "/" + .error.code')" "error/task_not_allowed" \
        "line 9: a request cannot name another task than the operator's --task"
ok "line 9 ran nothing and created no task" test ! -e "$SD/tasks/other"
is "$(res 10 .stdout)" "from stdin" "line 10: stdin reaches the command"
is "$(st sv .budget.calls.used)" 7 "the serve task was charged the 7 calls that ran"
is "$(events sv rejected)" 2 "the bad line and the other-task line are journaled as rejected"
is "$(jl sv '[.[] | select(.event == "rejected")][1].code')" task_not_allowed "with code task_not_allowed"
cj journal verify sv >/dev/null
is "$?" 0 "the journal verifies"

# Issue 7 §7: past a calls budget of 1, a request naming another task must not
# run there; the operator's task refuses it and keeps the record.
cj task create one --calls 1 >/dev/null
printf '%s\n' '{"id":"b1","tool":"exec","command":"echo 1 >> budget_order"}' \
        '{"id":"b2","tool":"exec","command":"echo 2 >> budget_order","task":"elsewhere"}' \
        '{"id":"b3","tool":"exec","command":"echo 3 >> budget_order","task":"one"}' |
        cj serve --stdio --task one >"$IO/out4"
is "$(jq -r '.status + "/" + (.error.code // "-")' "$IO/out4" | paste -sd ' ')" \
        "ok/- error/task_not_allowed budget_exhausted/budget_exhausted" \
        "budget 1: the first call runs, another task is refused, the same task is out of budget"
is "$(paste -sd ' ' budget_order)" "1" "only the first command ran"
ok "no task 'elsewhere' was created or charged" test ! -e "$SD/tasks/elsewhere"
is "$(st one .budget.calls.used)" 1 "the operator's task was charged exactly once"
# Without an operator --task, a request may still name its own.
printf '%s\n' '{"id":"f1","tool":"exec","command":"echo free","task":"free"}' | cj serve --stdio >"$IO/out5"
is "$(jq -r .stdout "$IO/out5")" free "without --task, a request's task runs"
is "$(st free .budget.calls.used)" 1 "and is charged to that task"

# The operator can allow another profile; a request may then pick it.
printf '%s\n' '{"id":"n1","tool":"exec","command":"echo net > mk_net2","profile":"net"}' |
        cj serve --stdio --allow-profile net >"$IO/out2"
is "$(jq -r .status "$IO/out2")" ok "with --allow-profile net, the net profile is accepted"
ok "and the command ran" test -f mk_net2
# ... but not one it did not name.
printf '%s\n' '{"id":"n2","tool":"exec","command":"echo b > mk_build","profile":"build"}' |
        cj serve --stdio --allow-profile net >"$IO/out3"
is "$(jq -r .error.code "$IO/out3")" profile_not_allowed "--allow-profile net does not allow build"
ok "and that request ran nothing" test ! -e mk_build

# Results are flushed per line: the harness can read one before sending the next.
coproc SRV { cj serve --stdio --task sv2; }
srv_pid=$SRV_PID # bash unsets SRV_PID once the coprocess has exited
echo '{"id":"i1","tool":"exec","command":"echo first"}' >&"${SRV[1]}"
if IFS= read -r -t 20 first <&"${SRV[0]}"; then
        is "$(jq -r .stdout <<<"$first")" first "the first result arrives before the next request is sent"
else
        fail "the first result arrives before the next request is sent"
fi
echo '{"id":"i2","tool":"exec","command":"echo second"}' >&"${SRV[1]}"
IFS= read -r -t 20 second <&"${SRV[0]}"
is "$(jq -r .stdout <<<"$second")" second "the second one too"
srv_in=${SRV[1]}
exec {srv_in}>&-
wait "$srv_pid"
is "$?" 0 "serve exits 0 when its stdin closes"

# A request line serve cannot hold in memory is an error, never a clean EOF:
# find the smallest address-space limit at which serve answers at all, then
# send a line whose buffer cannot fit under it.
desc="serve out of memory on a request line: exits non-zero, says so"
base=""
if ldd "$CLAWJAIL" 2>/dev/null | grep -q libasan; then
        skip "$desc" "ASan build: its shadow memory needs terabytes of address space, far above any limit here"
else
        for mb in $(seq 8 2 96); do
                if [ "$(echo '{"tool":"bogus"}' | prlimit --as=$((mb << 20)) "$CLAWJAIL" serve --stdio 2>/dev/null |
                        jq -r .error.code 2>/dev/null)" = bad_tool ]; then
                        base=$mb
                        break
                fi
        done
        # Without a sanitizer serve answers far below 96 MiB: no limit is a failure, not a skip.
        [ -n "$base" ] || { fail "$desc"; diag "serve answered under no address-space limit up to 96 MiB"; }
fi
if [ -n "$base" ]; then
        errf=$(tap_scratch)/err
        head -c 7000000 /dev/zero | tr '\0' a | prlimit --as=$(((base + 2) << 20)) "$CLAWJAIL" serve --stdio \
                >/dev/null 2>"$errf"
        rc=${PIPESTATUS[2]}
        err=$(cat "$errf")
        ok "serve out of memory on a request line: exits non-zero (rc $rc), not 0 as at EOF" test "$rc" -ne 0
        like "$err" "out of memory" "and says so on stderr"
fi
# One serve process keeps the plan's listings for its next calls
# (sandbox/listcache.h): a directory listed by an earlier call and changed
# since must be listed again.  Call 2 writes a secret into sub/, which call
# 1's plan recorded; call 3 must find it masked.  With the record taken for
# unchanged, call 3 read the secret.
mkdir sub
# Scripts: the validation chain would stop a command that names .env.
printf 'echo serve-kept-secret > sub/.env\n' >plant.sh
printf 'cat sub/.env 2>&1; true\n' >peek.sh
tap_chown_ws "$WS"
sleep 0.2 # sub settles: its listing is recorded
printf '%s\n' '{"id":"k1","tool":"exec","command":"ls sub"}' '{"id":"k2","tool":"exec","command":"sh plant.sh"}' \
        '{"id":"k3","tool":"exec","command":"sh peek.sh"}' | cj serve --stdio >"$IO/out6"
is "$(jq -r .status "$IO/out6" | paste -sd ' ')" "ok ok ok" "three calls in one serve process"
is "$(cat sub/.env)" serve-kept-secret "call 2 wrote the secret"
unlike "$(sed -n 3p "$IO/out6" | jq -r .stdout)" serve-kept-secret \
        "call 3 finds it masked: sub was listed again, not read from call 1's record"
rm -rf sub plant.sh peek.sh

done_testing
