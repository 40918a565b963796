#!/bin/bash
# SPDX-License-Identifier: MIT
# A request's `env` goes through the validation chain with the command
# (issue 7 §2): GIT_EXTERNAL_DIFF set there is `ask` exactly as when it is
# written in the command, and the script it names does not run; a loader or
# shell variable is refused (deny); harmless variables still reach the command.
. "$(dirname "$0")/common.sh"

printf '#!/bin/sh\ntouch ran_external_diff\n' >t.sh
chmod 755 t.sh
printf 'a\n' >a
printf 'b\n' >b
tap_chown_ws .

req() { # COMMAND ENV-JSON
        jq -cn --arg c "$1" --argjson e "$2" '{id:"e",tool:"exec",command:$c,env:$e}'
}

call "$(req 'git diff --no-index a b; true' "{\"GIT_EXTERNAL_DIFF\":\"$WS/t.sh\"}")"
is "$RC/$(jr .status)" "121/approval_required" "env GIT_EXTERNAL_DIFF: approval required"
like "$(jr '.verdict.findings[].message')" "request's env sets GIT_EXTERNAL_DIFF" "the finding names the variable"
ok "the external diff did not run" test ! -e ran_external_diff

call "$(jq -cn --arg c "GIT_EXTERNAL_DIFF=$WS/t.sh git diff --no-index a b; true" '{id:"w",tool:"exec",command:$c}')"
is "$RC/$(jr .status)" "121/approval_required" "the same variable written in the command: the same verdict"

call "$(req 'echo "$GIT_PAGER"' '{"GIT_PAGER":"sh -c id"}')"
is "$RC" 121 "env GIT_PAGER: approval required"
call "$(req 'true' '{"LD_PRELOAD":"/tmp/x.so"}')"
is "$RC/$(jr .status)" "120/denied" "env LD_PRELOAD: denied (a request may never set it)"
call "$(req 'true' '{"BASH_ENV":"/tmp/x"}')"
is "$RC/$(jr .status)" "120/denied" "env BASH_ENV: denied"

call "$(req 'echo $((x))' '{"x":"a[$(touch ran_arith)]"}')"
is "$RC" 121 "an env value holding a subscript with \$( ), used in arithmetic: approval required"
ok "and nothing ran" test ! -e ran_arith

call "$(req 'echo "$CI/$GREETING"' '{"CI":"1","GREETING":"hi"}')"
is "$RC/$(jr .status)" "0/ok" "harmless variables: allowed"
is "$(jr .stdout)" "1/hi" "and they reach the command"

# An approval covers the env: the request of one env is not the request of
# another (approvals are the operator's, per task: docs/security.md).
call "$(req 'git diff --no-index a b; true' "{\"GIT_EXTERNAL_DIFF\":\"$WS/t.sh\",\"CI\":\"1\"}")" --task re
t1=$(jr .approval.request)
call "$(req 'git diff --no-index a b; true' "{\"GIT_EXTERNAL_DIFF\":\"$WS/t.sh\",\"CI\":\"2\"}")" --task re
t2=$(jr .approval.request)
like "$t1" "^[0-9a-f]{16}$" "an env request names an approval request"
ok "the approval request depends on the env" test "$t1" != "$t2"
done_testing
