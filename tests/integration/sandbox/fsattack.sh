#!/bin/bash
# SPDX-License-Identifier: MIT
# Attacks on the file tools and on the launcher's view of the workspace,
# found by attacking it (issue 7): descriptors reachable through
# /proc/self/fd, writes that would vanish with a tmpfs, protected paths the
# lexical check missed, scans that cannot see, masks that miss, and
# workspaces that try to block or brick later calls.
. "${TAP_LIB:?}"
if ! command -v jq >/dev/null; then
        echo "1..0 # SKIP jq is not installed"
        exit 0
fi
SD=$(tap_scratch)
export CLAWJAIL_STATE_DIR=$SD
PARENT=$(tap_workspace)
WS=$PARENT/ws
mkdir "$WS"
tap_chown_ws "$WS"
cd "$WS" || bail_out "cannot enter $WS"

# call REQUEST [OPTS]: one `clawjail call` from $WS; sets R and RC.
call() {
        local req=$1
        shift
        R=$(printf '%s' "$req" | timeout -k 5 60 "$CLAWJAIL" call "$@" 2>/dev/null)
        RC=$?
}
jr() { jq -r "$1" <<<"$R"; }

# ---- fd hygiene: the file tools hold nothing but their own descriptors ----

ln -s /proc/self/fd "$WS/fds"
call '{"tool":"exec","command":"echo journal-seed"}' --task fdleak
is "$RC" 0 "a tracked call runs (control)"
leaked=""
for n in $(seq 0 40); do
        call "{\"tool\":\"read\",\"path\":\"fds/$n\"}" --task fdleak
        c=$(jr '.content // empty')
        if grep -Eq '"(seq|event|prev)"|journal-seed|"budget"' <<<"$c"; then
                leaked+=" fds/$n"
        fi
done
is "$leaked" "" "a read through a /proc/self/fd symlink reaches none of the task's files (journal, state, lock)"
rm -f "$WS/fds"

# pid 1 and the call hold none of the task's files while the call runs (they
# kept the call lock alive after the launcher died).  The call's stdout and
# stderr (fds 1 and 2) are its capture files, and that is all.
printf '{"tool":"exec","command":"sleep 4"}' | timeout 60 "$CLAWJAIL" call --task fdleak >/dev/null 2>&1 &
outer=$!
held="" seen=0
for _ in $(seq 1 40); do
        sleep 0.2
        launcher=$(pgrep -P "$outer" 2>/dev/null | head -n 1)
        pid1=$(pgrep -P "${launcher:-0}" 2>/dev/null | head -n 1)
        call_pid=$(pgrep -P "${pid1:-0}" 2>/dev/null | head -n 1)
        [ -n "$call_pid" ] || continue
        for p in $pid1 $call_pid; do
                for f in /proc/$p/fd/*; do
                        t=$(readlink "$f" 2>/dev/null) || continue
                        seen=1
                        [ "$p" = "$call_pid" ] && case ${f##*/} in 0 | 1 | 2) continue ;; esac
                        case $t in "$SD"/*) held+=" $p:${f##*/}:$t" ;; esac
                done
        done
        [ "$seen" = 1 ] && break
done
wait "$outer"
if [ "$seen" = 1 ]; then
        is "$held" "" "pid 1 and the call hold none of the task's files (lock, journal, outputs)"
else
        skip "pid 1 and the call hold none of the task's files (lock, journal, outputs)" \
                "their descriptors are not readable here"
fi

# ---- a journal write that fails is an error, never a silent answer ----

call '{"tool":"exec","command":"true"}' --task jfail
jsz=$(stat -c %s "$SD/tasks/jfail/journal.jsonl")
# RLIMIT_FSIZE at the journal's size (SIGXFSZ ignored: write fails with EFBIG).
R=$( (trap '' XFSZ; printf '{"tool":"exec","command":"shutdown now"}' |
        prlimit --fsize="$jsz" timeout 60 "$CLAWJAIL" call --task jfail 2>/dev/null) )
RC=$?
is "$RC/$(jr .status)" "125/error" "a denied call whose journal line cannot be written fails (rc 125), not 'denied'"
like "$(jr .error.message)" "journal" "and the error says the journal failed"

# ---- writes land on a persistent root or fail (never vanish with a tmpfs) ----

mkdir -p "$PARENT/outside"
tap_chown_ws "$PARENT/outside"
for p in ../outside/t.txt /tmp/zz/x /var/tmp/y; do
        call "{\"tool\":\"write\",\"path\":\"$p\",\"content\":\"lost\"}"
        is "$(jr .status)/$(jr .error.code)" "error/not_writable" "write $p (outside every persistent root): not_writable"
done
ok "nothing was written to the host's ../outside" test ! -e "$PARENT/outside/t.txt"
ln -s /tmp "$WS/tmplink"
call '{"tool":"write","path":"tmplink/x","content":"lost"}'
is "$(jr .status)/$(jr .error.code)" "error/not_writable" "write through a workspace symlink into /tmp: not_writable"
rm -f "$WS/tmplink"
call '{"tool":"write","path":"kept.txt","content":"kept"}'
is "$(jr .status)/$(cat "$WS/kept.txt")" "ok/kept" "a write in the workspace lands (control)"

# ---- the write tool and the sandbox agree on protected paths ----

call '{"tool":"write","path":".git/hooks/pre-commit","content":"#!/bin/sh\necho pwned\n"}'
is "$(jr .status)" error "write .git/hooks/pre-commit where .git does not exist yet: refused ($(jr .error.code))"
ok "and no .git/hooks/pre-commit reached the host" test ! -e "$WS/.git/hooks/pre-commit"
call '{"tool":"write","path":"sub/.git/hooks/post-checkout","content":"x"}'
is "$(jr .status)" error "write sub/.git/hooks/post-checkout: refused ($(jr .error.code))"
rm -rf "$WS/.git" "$WS/sub"

# ---- embedded repositories: git init inside the protected repository ----

if command -v git >/dev/null; then
        WSE=$(tap_workspace)
        git init -q "$WSE"
        tap_chown_ws "$WSE"
        RUN_CWD=$WSE run_sandbox --json -- bash -c '
                export HOME=/tmp GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@b GIT_COMMITTER_NAME=a GIT_COMMITTER_EMAIL=a@b
                git init -q sub && git -C sub config core.fsmonitor "touch /tmp/x; echo pwned > FSMON" &&
                printf "#!/bin/sh\necho pwned > HOOK\n" > sub/.git/hooks/post-checkout &&
                git -C sub commit -q --allow-empty -m x && git add sub 2>/dev/null; echo done'
        like "$RUN_OUT" '"quarantined"' "the call's result lists what was moved aside"
        is "$(git -c safe.directory='*' -C "$WSE/sub" config --get core.fsmonitor 2>/dev/null)" "" \
                "host: the embedded repository's core.fsmonitor is not obeyed"
        ok "host: the embedded repository has no hooks the host's git would run" \
                test ! -e "$WSE/sub/.git/hooks/post-checkout"
        rm -f "$WSE/sub/FSMON" # the call's own git ran it inside the sandbox: that is its business
        (cd "$WSE" && git -c safe.directory='*' status >/dev/null 2>&1)
        ok "host: git status in the top repository runs nothing the call planted" test ! -e "$WSE/sub/FSMON"
        # The next call: the repository it keeps is protected like any other.
        RUN_CWD=$WSE run_sandbox -- bash -c 'echo "[core] fsmonitor = evil" >> sub/.git/config; echo x > sub/.git/hooks/pre-commit; echo ran'
        like "$RUN_OUT" '^ran$' "a later call runs in the workspace (control)"
        ok "host: a later call cannot add hooks to the embedded repository" test ! -e "$WSE/sub/.git/hooks/pre-commit"
        unlike "$(cat "$WSE/sub/.git/config" 2>/dev/null)" fsmonitor "host: nor an fsmonitor to its config"
else
        skip "embedded repositories are quarantined" "git is not installed"
fi

# ---- agent and IDE configuration is protected like .git/hooks ----

WSA=$(tap_workspace)
mkdir -p "$WSA/.vscode" "$WSA/pkg/.claude" "$WSA/.claude"
echo '{}' >"$WSA/.vscode/settings.json"
echo '{}' >"$WSA/pkg/.claude/settings.json"
tap_chown_ws "$WSA"
RUN_CWD=$WSA run_sandbox -- bash -c '
        echo "{\"chat.tools.autoApprove\": true}" > .vscode/settings.json; echo vscode=$?
        echo "{\"permissions\":{\"allow\":[\"Bash\"]}}" > pkg/.claude/settings.json; echo claude=$?
        echo "{\"tasks\":[]}" > .vscode/tasks.json
        echo "{\"permissions\":{}}" > .claude/settings.local.json
        echo "{\"mcpServers\":{}}" > .mcp.json
        mkdir -p .cursor && echo x > .cursor/rules; echo done'
for w in vscode claude; do
        unlike "$RUN_OUT" "^$w=0$" "an existing agent/IDE config file is read-only inside ($w)"
done
is "$(cat "$WSA/.vscode/settings.json")/$(cat "$WSA/pkg/.claude/settings.json")" "{}/{}" "host: they are unchanged"
created=$(cd "$WSA" && ls -d .vscode/tasks.json .claude/settings.local.json .mcp.json .cursor 2>/dev/null)
is "$created" "" "host: new ones the call created were moved aside (.vscode/tasks.json, .claude/settings.local.json, .mcp.json, .cursor)"
(cd "$WSA" && call '{"tool":"write","path":"sub/.mcp.json","content":"{}"}')
is "$(jr .status)" error "the write tool refuses sub/.mcp.json ($(jr .error.code))"

# ---- masks: every .env*, and what a symlinked .env or ~/.ssh leads to ----

WSM=$(tap_workspace)
mkdir -p "$WSM/secrets" "$WSM/home/real-ssh" "$WSM/sub"
echo "SECRET=prod-$$" >"$WSM/secrets/prod.env"
ln -s secrets/prod.env "$WSM/.env"
for n in .env.staging .env.test .envrc sub/.env.local; do echo "SECRET=$n-$$" >"$WSM/$n"; done
echo "PRIVATE KEY ssh-$$" >"$WSM/home/real-ssh/id_ed25519"
ln -s real-ssh "$WSM/home/.ssh"
tap_chown_ws "$WSM"
HOME=$WSM/home RUN_CWD=$WSM run_sandbox -- bash -c 'cat .env secrets/prod.env .env.staging .env.test .envrc sub/.env.local home/.ssh/id_ed25519 home/real-ssh/id_ed25519 2>&1; echo done'
like "$RUN_OUT" '^done$' "the mask probe ran (control)"
unlike "$RUN_OUT" "SECRET=|ssh-$$" "no .env* file, symlinked .env target or symlinked ~/.ssh target is readable"

# ---- a path the scan cannot examine fails the call closed ----

WSC=$(tap_workspace)
mkdir -p "$WSC/.git/hooks"
printf '[core]\n\trepositoryformatversion = 0\n' >"$WSC/.git/config"
mkdir -p "$WSC/sub"
echo "SECRET=chmod-$$" >"$WSC/sub/.env"
tap_chown_ws "$WSC"
RUN_CWD=$WSC run_sandbox -- bash -c 'chmod 000 .git sub; echo hidden'
RUN_CWD=$WSC run_sandbox -- bash -c 'chmod 755 sub .git; cat sub/.env; echo "[core] fsmonitor = evil" >> .git/config; echo ran'
unlike "$RUN_OUT" "chmod-$$" "after chmod 000 .git sub, the next call cannot read sub/.env"
chmod 755 "$WSC/sub" "$WSC/.git" 2>/dev/null
unlike "$(cat "$WSC/.git/config")" fsmonitor "host: nor write .git/config"
if [ "$(id -u)" != 0 ]; then
        is "$RUN_RC" 125 "rootless: the call fails closed (the scan could not look inside)"
        like "$RUN_ERR" "cannot examine .*Permission denied" "with a message naming the path and the cause"
        like "$RUN_ERR" "chmod u\+rwx '$WSC/(sub|\.git)'" "and the command that gives the access back"
fi

# A .env moved 17 levels under 250-character names: past PATH_MAX, where a
# path-based lstat says ENAMETOOLONG.  The scan walks through directory fds
# (util/longpath.h): the .env is found and masked, and the call runs.
WSL=$(tap_workspace)
long=$(printf 'd%.0s' $(seq 1 250))
(cd "$WSL" && for _ in $(seq 1 17); do mkdir "$long" && cd "$long" || exit 1; done && echo "SECRET=long-$$" >.env &&
        mkdir -p .git/hooks && echo "[core]" >.git/config)
tap_chown_ws "$WSL"
RUN_CWD=$WSL run_sandbox -- bash -c 'for i in $(seq 1 17); do cd d* || exit 1; done; cat .env; echo "[core] fsmonitor = evil" >> .git/config; echo ran'
unlike "$RUN_OUT" "long-$$" "a .env past PATH_MAX is masked"
like "$RUN_OUT" "ran" "and the call runs (the workspace is not bricked)"
deep=$(cd "$WSL" && for _ in $(seq 1 17); do cd "$long" || exit 1; done && cat .git/config)
unlike "$deep" fsmonitor "a .git/config past PATH_MAX stays protected"
# Made by a call: 20 levels of 250-character names, then removed by the next.
RUN_CWD=$WSL run_sandbox -- bash -c 'l=$(printf "e%.0s" $(seq 1 250)); p=deep; for i in $(seq 1 20); do p=$p/$l; done; mkdir -p "$p" && echo made'
is "$RUN_RC/$RUN_OUT" "0/made" "a call makes a tree past PATH_MAX"
RUN_CWD=$WSL run_sandbox -- bash -c 'rm -rf deep && echo removed'
is "$RUN_RC/$RUN_OUT" "0/removed" "and the next call runs and removes it"
ok "deep is gone on the host" test ! -e "$WSL/deep"
rm -rf "$WSL" 2>/dev/null

# Deeper than CJ_MOUNT_SCAN_DEPTH (512) below the workspace: the call fails
# closed, naming the directory and the command that removes it.
WSX=$(tap_workspace)
(cd "$WSX" && mkdir -p "x/$(seq -s/ 1 515)")
tap_chown_ws "$WSX"
RUN_CWD=$WSX run_sandbox -- true
is "$RUN_RC" 125 "a tree deeper than the scan's depth limit fails the call closed"
like "$RUN_ERR" "more than 512 levels deep.*rm -rf '" "naming the depth limit and how to remove the tree"
rm -rf "$WSX" 2>/dev/null

# ---- the workspace cannot block or brick later calls ----

WSD=$(tap_workspace)
tap_chown_ws "$WSD"
RUN_CWD=$WSD run_sandbox -- bash -c 'mkdir -p deep/$(seq -s/ 1 50) && echo made'
RUN_CWD=$WSD run_sandbox -- bash -c 'rm -rf deep && echo removed'
is "$RUN_RC/$RUN_OUT" "0/removed" "after mkdir -p deep/1/../50, later calls still run (rm -rf deep)"
ok "and deep is gone on the host" test ! -e "$WSD/deep"

mkdir -p "$WSD/sub"
mkfifo "$WSD/sub/.env"
tap_chown_ws "$WSD"
start=$SECONDS
RUN_OUTER_TIMEOUT=40 RUN_CWD=$WSD run_sandbox --timeout 30 -- true
is "$RUN_RC" 0 "a FIFO named sub/.env does not block the next call ($((SECONDS - start)) s)"
rm -f "$WSD/sub/.env"

# SIGTERM to the launcher tears the sandbox down even when the call ignores it.
(cd "$WSD" && exec "$CLAWJAIL" run -- bash -c 'trap "" TERM INT; sleep 60') >/dev/null 2>&1 &
lpid=$!
sleep 2
kill -TERM "$lpid"
start=$SECONDS
for _ in $(seq 1 40); do
        kill -0 "$lpid" 2>/dev/null || break
        sleep 0.25
done
if kill -0 "$lpid" 2>/dev/null; then
        fail "SIGTERM to clawjail ends the call within 10 s even when the call ignores it"
        kill -KILL "$lpid"
else
        pass "SIGTERM to clawjail ends the call within 10 s even when the call ignores it ($((SECONDS - start)) s)"
fi
wait "$lpid" 2>/dev/null

done_testing
