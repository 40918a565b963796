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

done_testing
