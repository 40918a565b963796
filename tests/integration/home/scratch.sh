#!/bin/bash
# SPDX-License-Identifier: MIT
# A task has a home: its HOME and /tmp persist across the task's exec, read and
# write calls, are its own (never another task's, never the rest of the state
# dir), are measured in `task status`, limited by limits.scratch_mb and removed
# with the task; untracked calls get fresh ones.  Real git, make, gcc,
# python3 and npm inside, with the shipped profiles.  Runs as root and as
# uid 65534 (rootless.sh).
NEEDS="git"
. "$(dirname "$0")/common.sh"
xc() { R=$(cj exec --json "$@"); RC=$?; }

# ---- persistence across calls and tools ----------------------------------------
xc --task t1 -c 'git config --global user.email agent@example.org; echo kept > /tmp/note; echo "$HOME" > /tmp/home-was'
is "$RC" 0 "git config --global works in a tracked call"
xc --task t1 -c 'git config --global user.email; cat /tmp/note; test "$(cat /tmp/home-was)" = "$HOME" && echo same-home'
like "$(jr .stdout)" '^agent@example.org$' "the next call of the task sees the same HOME (~/.gitconfig kept)"
like "$(jr .stdout)" '^kept$' "the next call sees the same /tmp"
like "$(jr .stdout)" '^same-home$' "HOME is the same path in every call"
home=$(cj exec --task t1 -c 'printf %s "$HOME"')
call '{"id":"r1","tool":"read","path":"/tmp/note"}' --task t1
is "$(jr .content)" "kept" "read sees the task's /tmp"
call "{\"id\":\"r2\",\"tool\":\"read\",\"path\":\"$home/.gitconfig\"}" --task t1
like "$(jr .content)" 'agent@example.org' "read sees the task's HOME"
call "{\"id\":\"w1\",\"tool\":\"write\",\"path\":\"$home/from-write\",\"content\":\"w\"}" --task t1
is "$(jr .status)" ok "write into the task's HOME works ($(jr '.error.message // ""'))"
call '{"id":"w2","tool":"write","path":"/tmp/from-write","content":"t"}' --task t1
xc --task t1 -c 'cat ~/from-write /tmp/from-write'
is "$(jr .stdout)" "wt" "exec sees what write put in HOME and /tmp"

# ---- isolation ------------------------------------------------------------------
xc --task t2 -c 'git config --global user.email || echo no-identity; ls -A /tmp; ls -A ~'
like "$(jr .stdout)" '^no-identity$' "another task does not see the first task's HOME"
unlike "$(jr .stdout)" 'note|from-write' "another task does not see the first task's /tmp"
xc -c 'ls -A /tmp ~; git config --global user.email || echo untracked-fresh'
like "$(jr .stdout)" '^untracked-fresh$' "an untracked call gets a fresh HOME"
unlike "$(jr .stdout)" 'note' "an untracked call gets a fresh /tmp"
xc --task t1 -c 'ls -A / ; ls -A "$HOME/.." ; cat /proc/self/mountinfo'
unlike "$(jr .stdout)" 'journal.jsonl|state.json|calls.lock' "no other file of the state dir is visible inside"
ok "host: the task's HOME lives in its state dir" test -f "$SD/tasks/t1/scratch/home/.gitconfig"
ok "host: the task's /tmp lives in its state dir" test -f "$SD/tasks/t1/scratch/tmp/note"

# ---- git commit works, and fails fast without -m --------------------------------
xc --task t1 -c 'git init -q r && cd r && echo a > a && git add a && git commit -qm first && git log --format=%ae'
is "$RC" 0 "git commit works with the task's identity ($(jr .stderr | head -c 300))"
like "$(jr .stdout)" '^agent@example.org$' "the commit carries the identity set by an earlier call"
start=$(date +%s)
xc --task t1 --timeout 30 -c 'cd r && echo b >> a && git commit -qa'
is "$([ "$RC" -ne 0 ] && [ $(( $(date +%s) - start )) -lt 20 ] && echo fast)" fast "git commit without -m fails fast (no editor waits)"
call '{"id":"e1","tool":"exec","command":"cd r && git log -1 --format=%s && echo \"$GIT_EDITOR\"","env":{"GIT_EDITOR":"true","PAGER":"cat"}}' --task t1
is "$(jr .status)" ok "a request may set the benign GIT_EDITOR=true and PAGER=cat ($(jr '.error.message // ""'))"
call '{"id":"e2","tool":"exec","command":"true","env":{"GIT_EDITOR":"sh -c id"}}' --task t1
like "$(jr .status)" '^(error|approval_required|denied)$' "a request may not simply set GIT_EDITOR to a program ($(jr .status))"

# ---- real toolchains keep their state in the task's HOME --------------------------
if command -v gcc >/dev/null && command -v make >/dev/null; then
        printf 'all:\n\tgcc -o hello hello.c\n' >Makefile
        printf '#include <stdio.h>\nint main(void){puts("hello");return 0;}\n' >hello.c
        tap_chown_ws "$WS"
        xc --task t1 -c 'make -s && ./hello && cp hello ~/bin-hello && ~/bin-hello'
        like "$(jr .stdout)" '^hello$' "make + gcc build and run in the workspace"
else
        skip "make + gcc build and run in the workspace" "gcc/make not installed"
fi
if command -v python3 >/dev/null; then
        printf 'import os\nopen(os.path.expanduser("~/.py-state"), "w").write("py")\n' >state.py
        tap_chown_ws "$WS"
        xc --task t1 -c 'python3 state.py'
        xc --task t1 -c 'cat ~/.py-state'
        is "$(jr .stdout)" py "python3's files in ~ persist across calls"
else
        skip "python3's files in ~ persist across calls" "python3 not installed"
fi
if command -v npm >/dev/null; then
        xc --task t1 --timeout 60 -c 'npm config set fund false && npm config get fund'
        xc --task t1 --timeout 60 -c 'npm config get fund'
        is "$(jr .stdout)" false "npm's user config persists in the task's HOME (default: true)"
else
        skip "npm's user config persists in the task's HOME" "npm not installed"
fi

# ---- size, limit, status ----------------------------------------------------------
S=$(cj task status t1 --json)
bytes=$(jq -r '.scratch.bytes' <<<"$S")
ok "task status shows the scratch size ($bytes bytes)" test "${bytes:-0}" -gt 0

cat >"$SD/small.json" <<'J'
{ "extends": "default", "limits": { "scratch_mb": 1 } }
J
xc --task t3 --profile "$SD/small.json" -c 'head -c 3000000 /dev/zero > /tmp/big'
is "$RC" 0 "a call may fill the scratch above its limit (it is measured between calls)"
xc --task t3 --profile "$SD/small.json" -c 'echo next'
is "$RC" 122 "the next call of a task above limits.scratch_mb is refused with 122"
is "$(jr .error.code)" scratch_full "... with error.code scratch_full"
cj task clean t3 >/dev/null
xc --task t3 --profile "$SD/small.json" -c 'ls -A /tmp; echo next'
like "$(jr .stdout)" '^next$' "after task clean the task runs again, with an empty /tmp"
unlike "$(jr .stdout)" 'big' "task clean emptied /tmp"
done_testing
