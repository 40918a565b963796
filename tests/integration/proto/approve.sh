#!/bin/bash
# SPDX-License-Identifier: MIT
# Operator approvals (issue 8 §1): an `ask` result names a request and never
# carries a credential; nothing replayed from it through call or serve runs
# the command; `clawjail approve TASK REQUEST` lets exactly that call run
# (same profile, cwd, command bytes, request env, stdin, operator flags); a
# once-approval is used by exactly one of 10 racing retries; an expired
# approval and a refused request do not run; decisions are journaled with
# who, scope and expiry.
. "$(dirname "$0")/common.sh"

marker() { # the command that needs approval: find -exec is `ask` under default
        printf "find . -maxdepth 0 -exec sh -c 'echo x >> %s' \\\\;" "$1"
}
req() { # req ID COMMAND [EXTRA-JQ]
        jq -cn --arg i "$1" --arg c "$2" "{id:\$i,tool:\"exec\",command:\$c}${3:+ + $3}"
}
lines() { # lines FILE: how many lines it has (0 when missing)
        if [ -e "$1" ]; then wc -l <"$1"; else echo 0; fi
}

CMD=$(marker ran1)
call "$(req a1 "$CMD")" --task ap
is "$RC/$(jr .status)" "121/approval_required" "an ask command exits 121, approval_required"
ID=$(jr .approval.request)
like "$ID" '^[0-9a-f]{16}$' "the result names a 16-hex-digit request"
is "$(jr '.approval | [.command, .cwd, .profile] | join("|")')" "$CMD|$WS|default" \
        "and what is asked: command, cwd, profile"
like "$(jr '.approval.findings[0].validator')" hidden_exec "and the findings"
is "$(jr '.approval | has("token") or has("key")')" false "no token and no key: nothing that approves"
like "$(jr '.hints[0]')" "clawjail approve ap $ID" "a hint says how the operator approves"
ok "nothing ran" test ! -e ran1
is "$(st ap .budget.calls.used)" 0 "an unapproved call costs nothing"
is "$(cj approvals ap --json | jq -r '.[0].request + " " + .[0].state')" "$ID pending" "approvals lists it pending"

# Replaying anything from the result through call and serve never runs it.
ASK=$R
while IFS= read -r v; do
        call "$(jq -cn --arg c "$CMD" --arg v "$v" '{id:"r1",tool:"exec",command:$c,approve:$v}')" --task ap
        [ "$(jr .error.code)" = unknown_key ] || fail "call with approve=$v: $(jr .status)"
done < <(jq -r '.. | strings' <<<"$ASK" | sort -u | head -40)
pass "call: a request with an \"approve\" key is a bad request (unknown_key), whatever it holds"
printf '%s\n' "$(req r2 "$CMD" "{approve:\"$ID\"}")" "$(req r3 "$CMD" "{approval:{request:\"$ID\"}}")" \
        "$(req r4 "$CMD" "{request:\"$ID\"}")" "$ASK" | cj serve --stdio --task ap >"$WS/replay.out"
is "$(jq -r '.status' "$WS/replay.out" | paste -sd ' ')" "error error error error" \
        "serve: approve / approval / request keys and the ask result itself are all refused"
cj exec --task ap --approve "$ID" -c "$CMD" >/dev/null 2>&1
is "$?" 125 "exec --approve is gone (usage error)"
ok "nothing ran from any replay" test ! -e ran1
call "$(req a2 "$CMD")" --task ap
is "$RC/$(jr .approval.request)" "121/$ID" "the identical call still needs approval, same request id"

# The operator approves (once); the identical retry runs.
out=$(cj approve ap "$ID" --once)
is "$?" 0 "clawjail approve exits 0"
like "$out" "approved $ID" "and says what it approved"
ok "approving does not run anything" test ! -e ran1
# ... but nothing that differs from the approved call.
mkdir -p sub && tap_chown_ws sub
call "$(req d1 "$CMD ")" --task ap
is "$RC" 121 "a trailing space is another call (121)"
call "$(req d2 "$CMD >/dev/null")" --task ap
is "$RC" 121 "an added redirect is another call (121)"
call "$(req d3 "$CMD" '{cwd:"'"$WS/sub"'"}')" --task ap
is "$RC" 121 "another cwd is another call (121)"
call "$(req d4 "$CMD" '{env:{X:"1"}}')" --task ap
is "$RC" 121 "another request env is another call (121)"
call "$(req d5 "$CMD" '{stdin:"data"}')" --task ap
is "$RC" 121 "another stdin is another call (121)"
call "$(req d6 "$CMD")" --task ap --profile build
is "$RC" 121 "another profile is another call (121)"
call "$(req d7 "$CMD")" --task ap --ro /usr/share
is "$RC" 121 "an added operator --ro is another call (121)"
call "$(req d8 "$CMD")" --task other
is "$RC" 121 "the same call in another task is another call (121)"
is "$(lines ran1)$(lines sub/ran1)" 00 "none of them ran"
call "$(req ok1 "$CMD")" --task ap
is "$RC/$(jr .status)" "0/ok" "the identical retry runs"
is "$(lines ran1)" 1 "exactly once"
call "$(req ok2 "$CMD")" --task ap
is "$RC" 121 "a once-approval is used up: the next identical call asks again"
is "$(lines ran1)" 1 "and did not run"
is "$(jl ap '[.[] | select(.event == "approved")][0] | [.request, .scope, (.by.uid|tostring), (.by.user // "")] | join(" ")')" \
        "$ID once $(id -u) $(id -un 2>/dev/null)" "the journal's approved event: request, scope, uid, user name"
is "$(jl ap '[.[] | select(.event == "start")][0].approval | .request + " " + .scope')" "$ID once" \
        "the start event names the approval it used"

# 10 racing retries of a once-approved call: exactly one runs.
CMD2=$(marker ran2)
call "$(req p0 "$CMD2")" --task race
ID2=$(jr .approval.request)
cj approve race "$ID2" >/dev/null
pids=()
for i in $(seq 10); do
        (printf '%s' "$(req "p$i" "$CMD2")" | cj call --task race >"$WS/race.$i" 2>/dev/null; echo $? >"$WS/race.$i.rc") &
        pids+=($!)
done
wait "${pids[@]}"
is "$(cat "$WS"/race.*.rc | sort | uniq -c | awk '{print $2 "x" $1}' | paste -sd ' ')" "0x1 121x9" \
        "10 racing retries: one exits 0, nine exit 121"
is "$(lines ran2)" 1 "the command ran exactly once"
is "$(st race .budget.calls.used)" 1 "and one call was charged"

# --for-task: every identical call; --ttl: it expires.
CMD3=$(marker ran3)
call "$(req t0 "$CMD3")" --task ap
ID3=$(jr .approval.request)
cj approve ap "$ID3" --for-task --ttl 3 >/dev/null
call "$(req t1 "$CMD3")" --task ap
call "$(req t2 "$CMD3")" --task ap
is "$RC/$(lines ran3)" "0/2" "a --for-task approval runs every identical call"
like "$(jl ap '[.[] | select(.event == "approved")][-1] | .scope + " " + .expires')" \
        '^task [0-9]{4}-[0-9]{2}-[0-9]{2}T' "the journal records scope task and the expiry"
sleep 3.2
call "$(req t3 "$CMD3")" --task ap
is "$RC/$(jr .status)/$(jr .error.code)" "121/approval_required/approval_expired" "an expired approval is refused"
is "$(lines ran3)" 2 "and the call did not run"

# deny: the retry is denied with the operator's reason.
CMD4=$(marker ran4)
call "$(req n0 "$CMD4")" --task ap
ID4=$(jr .approval.request)
cj deny ap "$ID4" --reason "not on a Friday" >/dev/null
is "$?" 0 "clawjail deny exits 0"
call "$(req n1 "$CMD4")" --task ap
is "$RC/$(jr .status)/$(jr .error.code)" "120/denied/approval_refused" "a refused request is denied (120)"
like "$(jr .error.message)" "not on a Friday" "with the operator's reason"
ok "and did not run" test ! -e ran4
is "$(jl ap '[.[] | select(.event == "refused" and .request == "'"$ID4"'")] | length')" 1 \
        "the journal records the refusal"
cj approve ap 0123456789abcdef >/dev/null 2>&1
is "$?" 125 "approving a request the task never made fails"

# An ask that no approval could help is a deny that says why: the profile
# masks .env, so the command would only read the mask.
printf 'SECRET=1\n' >.env
mkdir -p config sub2 && printf '{}\n' >config/credentials.json && printf 'S=2\n' >sub2/.env
call "$(req m1 'cat .env')" --task ap
is "$RC/$(jr .status)" "120/denied" "cat .env (masked by default): denied, not ask"
like "$(jr '.verdict.findings[-1].message')" "masks $WS/.env" "the finding says the profile masks it"
call "$(req m2 'cat sub2/.env')" --task ap
is "$RC" 120 "a masked .env in a subdirectory: denied too"
call "$(req m3 'cat config/credentials.json')" --task ap
is "$RC/$(jr .status)" "121/approval_required" "a credentials read of an unmasked file still asks"
call "$(req m4 'cat .env; cat config/credentials.json')" --task ap
is "$RC" 121 "one unmasked ask among masked ones keeps the ask"

# Untracked: 121 and how to get an approval.
out=$(cj exec --json -c "$CMD" 2>/dev/null)
is "$?" 121 "an untracked ask exits 121"
like "$(jq -r '.hints[0]' <<<"$out")" "--task" "and says to run it tracked to get an approval"
is "$(lines ran1)" 1 "and did not run"
cj journal verify ap >/dev/null
is "$?" 0 "the journal verifies"
done_testing
