#!/bin/bash
# SPDX-License-Identifier: MIT
# exec --approve: an `ask` command exits 121 with a token and runs nothing; the
# token is bound to the command (and profile and cwd); the right token runs it,
# and the journal shows approval_required then approved.
. "$(dirname "$0")/common.sh"

CMD='find . -maxdepth 0 -exec sh -c "touch mk_approved" \;'
out=$(cj exec --task ap --json -c "$CMD" 2>/dev/null)
is "$?" 121 "an ask command exits 121"
is "$(jq -r .status <<<"$out")" approval_required "status approval_required"
is "$(jq -r .verdict.decision <<<"$out")" ask "verdict ask"
like "$(jq -r '.verdict.findings[].validator' <<<"$out")" 'hidden_exec' "the finding names its validator"
tok=$(jq -r .approval.token <<<"$out")
like "$tok" '^[0-9a-f]{64}$' "the result carries a hex token"
ok "nothing ran" test ! -e mk_approved
is "$(st ap .budget.calls.used)" 0 "an unapproved call costs nothing"

cj exec --task ap --approve "$(printf '%064d' 0)" -c "$CMD" 2>/dev/null
is "$?" 121 "a wrong token: still 121"
ok "and nothing ran" test ! -e mk_approved
cj exec --task ap --approve "$tok" -c 'find . -maxdepth 0 -exec sh -c "touch mk_other" \;' 2>/dev/null
is "$?" 121 "the token of another command: 121 (bound to the command)"
ok "and nothing ran" test ! -e mk_other
cj exec --task ap --approve "$tok" --profile build -c "$CMD" 2>/dev/null
is "$?" 121 "the same command under another profile: 121 (bound to the profile)"
ok "and nothing ran" test ! -e mk_approved
mkdir -p sub
tap_chown_ws sub
cj exec --task ap --approve "$tok" --cwd "$WS/sub" -c "$CMD" 2>/dev/null
is "$?" 121 "the same command in another cwd: 121 (bound to the cwd)"
ok "and nothing ran" test ! -e sub/mk_approved

cj exec --task ap --approve "$tok" -c "$CMD"
is "$?" 0 "the right token runs it (exit 0)"
ok "and it had its effect" test -e mk_approved
is "$(st ap .budget.calls.used)" 1 "only the approved call was charged"
ev=$(jl ap '[.[] | select(.event | IN("approval_required", "approved", "start", "end")) | .event] | join(",")')
like "$ev" '^approval_required(,approval_required)*,approved,start,end$' \
        "the journal has approval_required ..., then approved, start, end"
is "$(jl ap '[.[] | select(.event == "approved")][0].token')" "$tok" "approved records the token"
start=$(jl ap '[.[] | select(.event == "start")][0] | .verdict.decision + " " + .command')
is "$start" "ask $CMD" "the start event records the ask verdict and the command"

# The same through call and serve (approve per request).
call "$(jq -cn --arg c 'git -c core.pager=less log -1' '{id:"g1",tool:"exec",command:$c}')" --task ap
is "$RC/$(jr .status)" "121/approval_required" "call: git -c core.pager=less log needs approval"
gtok=$(jr .approval.token)
printf '%s\n' "$(jq -cn --arg c 'find . -maxdepth 0 -exec sh -c "touch mk_serve" \;' --arg t "$gtok" \
        '{id:"g2",tool:"exec",command:$c,approve:$t}')" | cj serve --stdio --task ap >"$WS/srv.out"
is "$(jq -r .status "$WS/srv.out")" approval_required "serve: another command's token is refused"
ok "and nothing ran" test ! -e mk_serve
tok2=$(jq -r .approval.token "$WS/srv.out")
printf '%s\n' "$(jq -cn --arg c 'find . -maxdepth 0 -exec sh -c "touch mk_serve" \;' --arg t "$tok2" \
        '{id:"g3",tool:"exec",command:$c,approve:$t}')" | cj serve --stdio --task ap >"$WS/srv.out"
is "$(jq -r .status "$WS/srv.out")" ok "serve: the request's own token runs it"
ok "and it had its effect" test -e mk_serve
rm -f "$WS/srv.out"
cj journal verify ap >/dev/null
is "$?" 0 "the journal verifies"
done_testing
