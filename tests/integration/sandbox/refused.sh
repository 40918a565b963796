#!/bin/bash
# SPDX-License-Identifier: MIT
# What the sandbox refused, recorded (issue 12 §5): real refused syscalls from
# inside the sandbox get the errno the policy names (as before) and appear in
# the result and the journal's end event, aggregated per kind with counts;
# allowed ones are never delivered; a loop of 100k refused calls is one record
# and a bounded journal line; the listener is never reachable from inside; a
# launcher that dies while a call waits on it leaves nothing hanging; under
# another seccomp listener the filter falls back to silent errnos and says so.
. "${TAP_LIB:?}"
if ! command -v jq >/dev/null; then
        echo "1..0 # SKIP jq is not installed"
        exit 0
fi
WS=$(tap_workspace)
install_helpers "$WS"
tap_chown_ws "$WS"
SD=$(tap_scratch)
journal=$SD/tasks/rf/journal.jsonl
r() { jq -r "$1" <<<"$RUN_OUT"; }

# ---- several kinds, each once, plus one allowed call --------------------
probes="socket-vsock:EAFNOSUPPORT:socket:family=AF_VSOCK type=SOCK_STREAM protocol=0
socketpair-vsock:EAFNOSUPPORT:socketpair:family=AF_VSOCK type=SOCK_STREAM protocol=0
netlink-audit:EPROTONOSUPPORT:socket:family=AF_NETLINK type=SOCK_RAW protocol=9
unshare-user:EPERM:unshare:flags=CLONE_NEWUSER
mount-tmpfs:EPERM:mount:flags=0x0
keyctl:EPERM:keyctl:operation=0
ptrace-pid1:EPERM:ptrace:request=PTRACE_ATTACH pid=1
tiocsti-badfd:EPERM:ioctl:fd=-1 request=0x5412"
names=$(cut -d: -f1 <<<"$probes" | tr '\n' ' ')
# shellcheck disable=SC2086
run_sandbox --json --task rf --state-dir "$SD" -- bash -c 'for p in "$@"; do ./cj-probe "$p"; done; ./cj-probe socket-unix' \
        probes $names
[ "$(r .status)" = ok ] || diag_run
is "$(r .refused_syscalls.recorded)" true "refused syscalls are recorded (user notification)"
is "$(r .refused_syscalls.total)" 8 "every refused call is counted, the allowed one is not"
is "$(r '.refused_syscalls.calls | length')" 8 "one record per kind"
while IFS=: read -r name want sys args; do
        like "$(r .stdout)" "^$name: $want\$" "$name: the call still sees $want inside"
        rec=$(jq -c --arg s "$sys" --arg a "$args" '.refused_syscalls.calls[] | select(.syscall==$s and .args==$a)' \
                <<<"$RUN_OUT")
        is "$(jq -r '[.errno, .count, .program] | join(" ")' <<<"$rec")" "$want 1 cj-probe" \
                "$name: recorded as $sys($args) -> $want, once, by cj-probe"
        like "$(jq -r .pid <<<"$rec")" '^[0-9]+$' "$name: with its pid in the sandbox"
done <<<"$probes"
like "$(r .stdout)" "socket-unix: ok" "the allowed socket works"
is "$(r .exit_code) $(r '.hints // "none"')" "0 none" "a call that ends well gets no hint about its refusals"
end=$(grep '"event":"end"' "$journal" | tail -n 1)
is "$(jq -c .refused_syscalls <<<"$end")" "$(jq -c .refused_syscalls <<<"$RUN_OUT")" "the journal's end event holds the same records"
verify() { "$CLAWJAIL" journal verify rf --state-dir "$SD" >/dev/null; } # its output is not TAP
ok "the journal still verifies" verify

# ---- allowed syscalls are never delivered -------------------------------
run_sandbox --json --task rf --state-dir "$SD" -- bash -c './cj-probe socket-unix; ./cj-probe netlink-route; ./cj-probe clone3; ls / >/dev/null; ./cj-probe fork' x
is "$(r '.refused_syscalls // "none"')" none \
        "allowed calls (and glibc's clone3 probe, which keeps its silent ENOSYS) leave no record"
like "$(r .stdout)" "clone3: ENOSYS" "clone3 still answers ENOSYS"
if command -v python3 >/dev/null; then
        run_sandbox --json -- python3 -c 'import threading
ts = [threading.Thread(target=lambda: None) for _ in range(50)]
[t.start() for t in ts]; [t.join() for t in ts]; print("threads ok")'
        is "$(r .stdout) $(r '.refused_syscalls // "none"')" "threads ok none" "50 threads (each a clone3 probe) cost no notification and leave no record"
else
        skip "threads leave no record" "python3 is not installed"
fi

# ---- a tight loop: one record, a bounded journal ------------------------
before=$(stat -c %s "$journal")
run_sandbox --json --task rf --state-dir "$SD" -- ./cj-probe loop 100000
after=$(stat -c %s "$journal")
is "$(r .stdout)" "loop: 100000 of 100000 refused" "100k refused calls all got EAFNOSUPPORT inside"
is "$(r '[.refused_syscalls.total, (.refused_syscalls.calls | length), .refused_syscalls.calls[0].count] | join(" ")')" \
        "100000 1 100000" "they are one record with count 100000"
like "$(r '.hints[0]')" "the sandbox refused 100000 system call\\(s\\) by design .*socket\\(family=AF_VSOCK" \
        "the failed call carries a hint that the sandbox refused it by design"
growth=$((after - before))
if [ "$growth" -lt 4096 ]; then
        pass "the journal grew by $growth bytes for the whole call (start + end)"
else
        fail "the journal grew by $growth bytes"
fi
run_sandbox --json --task rf --state-dir "$SD" -- ./cj-probe distinct 40
is "$(r '[.refused_syscalls.total, (.refused_syscalls.calls | length), .refused_syscalls.unrecorded] | join(" ")')" \
        "40 32 8" "40 distinct refused calls: 32 records (the bound), 8 counted as unrecorded"

# ---- -v tells the operator on stderr; without it, stderr is the call's ---
run_sandbox -v -- ./cj-probe socket-vsock
like "$RUN_ERR" "clawjail: run: the sandbox refused socket\\(family=AF_VSOCK type=SOCK_STREAM protocol=0\\) -> EAFNOSUPPORT, 1 time" \
        "-v: one stderr line per refused kind"
run_sandbox -- ./cj-probe socket-vsock
is "$RUN_ERR" "" "without -v, nothing is added to the call's stderr"

# ---- the listener is never reachable from inside ------------------------
run_sandbox -- bash -c 'n=0; for f in /proc/[0-9]*/fd/*; do case $(readlink "$f" 2>/dev/null) in *seccomp*) n=$((n+1));; esac; done; echo "listeners: $n"; ./cj-probe socket-vsock' x
is "$RUN_OUT" "listeners: 0
socket-vsock: EAFNOSUPPORT" "no process in the sandbox holds a seccomp listener"

# ---- the launcher dies while a call waits on it -------------------------
out=$SD/blocked.out
(cd "$WS" && exec "$CLAWJAIL" run -- ./cj-probe loop 100000000) >"$out" 2>&1 &
launcher=$!
pid1="" probe=""
for _ in $(seq 50); do
        sleep 0.1
        pid1=$(cat /proc/$launcher/task/$launcher/children 2>/dev/null | awk '{print $1}')
        [ -n "$pid1" ] && probe=$(cat /proc/"$pid1"/task/"$pid1"/children 2>/dev/null | awk '{print $1}')
        [ -n "$probe" ] && [ "$(cat /proc/"$probe"/comm 2>/dev/null)" = cj-probe ] && break
        probe=""
done
if [ -z "$probe" ]; then
        fail "the looping call started"
else
        sleep 0.5
        kill -STOP "$launcher"
        sleep 1
        state=$(awk '{print $3}' /proc/"$probe"/stat 2>/dev/null)
        wchan=$(cat /proc/"$probe"/wchan 2>/dev/null)
        is "$state" S "with the launcher stopped, the call waits for its answer (wchan ${wchan:-?})"
        kill -KILL "$launcher"
        gone=no
        for _ in $(seq 50); do
                if ! [ -e /proc/"$probe" ] || [ "$(awk '{print $3}' /proc/"$probe"/stat 2>/dev/null)" = Z ]; then
                        gone=yes
                        break
                fi
                sleep 0.1
        done
        is "$gone" yes "the launcher killed: the waiting call does not hang, it is gone within 5 s"
fi
wait "$launcher" 2>/dev/null

# ---- under another seccomp listener: the errno filter, said once --------
res=$(cd "$WS" && ./cj-probe with-listener "$CLAWJAIL" run --json --task fb --state-dir "$SD" -- ./cj-probe socket-vsock)
is "$(jq -r .stdout <<<"$res")" "socket-vsock: EAFNOSUPPORT" "another listener: the call still sees EAFNOSUPPORT"
is "$(jq -r .refused_syscalls.recorded <<<"$res")" false "and the result says refusals were not recorded"
like "$(jq -r .refused_syscalls.reason <<<"$res")" "another seccomp listener" "and why"
like "$(grep '"event":"end"' "$SD/tasks/fb/journal.jsonl" | tail -n 1)" '"recorded":false' "so does the journal"
dr=$(cd "$WS" && ./cj-probe with-listener "$CLAWJAIL" doctor --json --state-dir "$SD/doc")
is "$(jq -r '.checks[] | select(.name=="seccomp user notification") | .status' <<<"$dr")" warn \
        "doctor warns that refused syscalls are not recorded there"
done_testing
