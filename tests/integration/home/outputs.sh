#!/bin/bash
# SPDX-License-Identifier: MIT
# Outputs and tasks are managed: a truncated result's full_output is readable
# through the protocol, exec output is binary-safe, `task delete` and `task
# prune` remove a task (never one with a call running), and the sandbox's pid
# 1 does not show the launcher's command line.  As root and as uid 65534.
NEEDS="base64"
. "$(dirname "$0")/common.sh"
cat >"$SD/small.json" <<'J'
{ "extends": "default", "limits": { "output_bytes": 4096 } }
J

# ---- full_output through the protocol ----------------------------------------
call '{"id":"c1","tool":"exec","command":"seq 1 200000"}' --task t1 --profile "$SD/small.json"
is "$(jr .truncated.stdout)" true "a large stdout is cut in the result"
fo=$(jr .truncated.full_output)
call "{\"id\":\"c2\",\"tool\":\"read\",\"path\":\"$fo\",\"limit\":16777216}" --task t1 --profile "$SD/small.json"
is "$(jr .status)" ok "a read of the named full_output path works ($(jr '.error.message // ""'))"
is "$(jr .size)" "$(seq 1 200000 | wc -c)" "... its size is the whole stream's"
is "$(jq -j .content <<<"$R" | sha256sum)" "$(seq 1 200000 | sha256sum)" "... and its content is the whole stream"
call "{\"id\":\"c3\",\"tool\":\"read\",\"path\":\"$fo\",\"offset\":6,\"limit\":6}" --task t1
is "$(jq -j .content <<<"$R" | od -An -c | tr -s ' ')" "$(printf '4\n5\n6\n' | od -An -c | tr -s ' ')" "offset and limit apply to it"
call "{\"id\":\"c4\",\"tool\":\"read\",\"path\":\"$fo\"}" --task t2
isnt_ok=$(jr .status)
is "$isnt_ok" error "another task cannot read it"
call "{\"id\":\"c5\",\"tool\":\"read\",\"path\":\"$SD/tasks/t1/journal.jsonl\"}" --task t1
is "$(jr .status)" error "the task's journal is not readable that way"

# ---- binary-safe exec output ---------------------------------------------------
call '{"id":"b1","tool":"exec","command":"printf '"'"'\\377\\000ab'"'"'; printf '"'"'ok'"'"' >&2"}'
is "$(jr .stdout_encoding)" base64 "a stdout that is not UTF-8 comes back base64"
is "$(jr .stdout | base64 -d | od -An -tx1 | tr -d ' \n')" ff006162 "... byte-exact"
is "$(jr '.stderr_encoding // "utf-8"')" utf-8 "a UTF-8 stderr stays text"
is "$(jr .stderr)" ok "... unchanged"

# ---- task delete and prune -----------------------------------------------------
(printf '%s' '{"id":"l1","tool":"exec","command":"sleep 4"}' | cj call --task live >/dev/null) &
bg=$!
for _ in $(seq 50); do [ -s "$SD/tasks/live/journal.jsonl" ] && grep -q '"start"' "$SD/tasks/live/journal.jsonl" && break; sleep 0.1; done
cj task delete live 2>"$SD/err"
rc=$?
is "$rc" 125 "task delete refuses a task with a call running"
like "$(cat "$SD/err")" 'call running' "... and says why"
ok "... the task is still there" test -d "$SD/tasks/live"
wait "$bg"
ok "task delete of an idle task succeeds" cj task delete live
ok "... state, outputs and scratch are gone" test ! -e "$SD/tasks/live"
call '{"id":"o1","tool":"exec","command":"echo x > /tmp/x"}' --task old
call '{"id":"n1","tool":"exec","command":"true"}' --task new
touch -d '3 days ago' "$SD/tasks/old/journal.jsonl"
out=$(cj task prune --older-than 2d --dry-run)
like "$out" '^would delete old' "prune --dry-run names the idle task"
ok "... and removes nothing" test -d "$SD/tasks/old"
out=$(cj task prune --older-than 2d)
like "$out" '^deleted old' "prune deletes a task idle longer than the duration"
ok "... its directory is gone" test ! -e "$SD/tasks/old"
ok "... a recent task stays" test -d "$SD/tasks/new"
cj task prune --older-than 2x >/dev/null 2>&1
is "$?" 125 "a bad duration is a usage error"

# ---- the sandbox's pid 1 ---------------------------------------------------------
mark=cjmark$$
R=$(cj run --json -- sh -c "tr '\\0' ' ' </proc/1/cmdline; echo; : $mark")
like "$(jr .stdout)" '^clawjail-init' "pid 1 inside shows as clawjail-init"
unlike "$(jr .stdout | head -1)" "$mark|exec|--json" "pid 1 inside does not show the launcher's command line"
(cj exec -c "sleep 3; : $mark" >/dev/null) &
bg=$!
sleep 1
n=$(pgrep -fc "$mark")
is "$n" 3 "on the host only the launcher, its timeout wrapper and the call carry the command (not pid 1)"
ok "on the host pid 1 shows as clawjail-init" pgrep -fx clawjail-init
wait "$bg"

# ---- no network: name resolution fails fast, and the result says why --------------
if command -v npm >/dev/null; then
        printf '{"name":"x","version":"1.0.0"}\n' >package.json
        tap_chown_ws "$WS"
        start=$(date +%s)
        R=$(cj exec --json --timeout 50 -c 'npm install left-pad')
        took=$(( $(date +%s) - start ))
        isnt0() { [ "$1" != 0 ]; }
        ok "npm install fails without network (rc $(jr .exit_code))" isnt0 "$(jr .exit_code)"
        ok "... within 25 s, not after a minute of retries (${took}s)" test "$took" -lt 25
        like "$(jr '.hints // [] | join(" ")')" 'no network' "... and the result's hints say the network is off"
else
        for t in "npm install fails without network" "... within 25 s" "... hints say the network is off"; do
                skip "$t" "npm is not installed"
        done
fi
R=$(cj exec --json -c 'getent hosts example.org || echo "getaddrinfo: Temporary failure in name resolution" >&2; exit 2')
like "$(jr '.hints // [] | join(" ")')" "profile 'default' has no network" "a resolver error under a profile without network gets the hint"
R=$(cj exec --json -c 'echo fine')
is "$(jr '.hints // [] | length')" 0 "a call that needs no network gets no hint"
done_testing
