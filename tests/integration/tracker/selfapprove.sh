#!/bin/bash
# SPDX-License-Identifier: MIT
# No way for the agent to approve itself: wherever the operator puts the state
# dir (CLAWJAIL_STATE_DIR inside the workspace here, the worst case), the
# sandbox sees nothing of it: not the host key, not the task's approvals, not
# another task's journal; tracked and untracked, exec and the file tools.
# Rootless (rootless.sh) the agent's uid owns the state dir, so only the mask
# stands between it and the key: this used to read the key and let the call
# write its own approval.
. "$(dirname "$0")/common.sh"
WS=$(tap_workspace)
cd "$WS" || bail_out "cannot enter $WS"
export CLAWJAIL_STATE_DIR=$WS/.state
x() { OUT=$(timeout -k 5 60 "$CLAWJAIL" exec "$@" 2>&1); RC=$?; }
x --task victim -c 'echo seed'
is "$RC/$OUT" "0/seed" "a tracked call runs with the state dir inside the workspace"
ok "the state dir and its host key exist on the host" test -s "$WS/.state/host.key"
# `ls` of a workspace path is allowed (metadata): the sandbox answers.
x --task agent -c 'ls -A .state 2>&1; echo "rc=$?"'
like "$OUT" "Permission denied|^rc=0$" "inside a tracked call the state dir is masked (nothing listed)"
unlike "$OUT" "host.key|tasks" "no host key, no tasks listed"
x -c 'ls -A .state/ 2>&1'
unlike "$OUT" "host.key|tasks" "nor in an untracked call"
# The operator's --state-dir, not the default, is what an untracked call masks.
mkdir -p "$WS/.other" && echo KEY >"$WS/.other/host.key"
x --state-dir "$WS/.other" -c 'p=.oth; p=${p}er; cat "$p/host.key" 2>/dev/null; ls -A "$p" 2>/dev/null'
unlike "$OUT" "KEY|host.key" "an untracked call masks the --state-dir it was given"
R=$(printf '{"tool":"read","path":".other/host.key"}' | timeout -k 5 60 "$CLAWJAIL" call --state-dir "$WS/.other" 2>/dev/null)
is "$(jq -r .error.code <<<"$R")" "bad_path" "and so does an untracked request's read tool"
x --task agent -c 'ls -A .state/tasks/victim 2>/dev/null | wc -l'
is "$OUT" 0 "another task's files are not listed"
# Reading through names the chain cannot see (a script writes the path).
x --task agent -c 'p=.st; p=${p}ate; od -c "$p/host.key" 2>&1 | head -1'
unlike "$OUT" "^0000000 " "the host key is not readable, even through a computed path"
x --task agent -c 'p=.st; p=${p}ate; mkdir -p "$p/tasks/agent/approvals" 2>&1 && echo x > "$p/tasks/agent/approvals/forged" 2>&1; echo "rc=$?"'
unlike "$OUT" "rc=0" "nothing can be written into the state dir"
ok "no forged approval exists on the host" test ! -e "$WS/.state/tasks/agent/approvals/forged"
R=$(printf '{"tool":"read","path":".state/host.key"}' | timeout -k 5 60 "$CLAWJAIL" call --task agent 2>/dev/null)
is "$(jq -r .error.code <<<"$R")" "bad_path" "the read tool refuses the host key"
R=$(printf '{"tool":"write","path":".state/tasks/agent/x","content":"y"}' | timeout -k 5 60 "$CLAWJAIL" call --task agent 2>/dev/null)
is "$(jq -r .status <<<"$R")" "error" "the write tool cannot write into the state dir"
ok "the victim's journal verifies" cjq journal verify victim
done_testing
