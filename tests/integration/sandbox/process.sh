#!/bin/bash
# SPDX-License-Identifier: MIT
# Process-level guarantees: inherited fds closed, environment scrubbed, own pid
# namespace, no capabilities, no_new_privs, seccomp on, never host uid 0, own
# hostname, minimal /dev, new session, dies with its parent.
. "${TAP_LIB:?}"

WS=$(tap_workspace)
SCRATCH=$(tap_scratch)
echo "fd-secret-$$" >"$SCRATCH/secret"

# ---- leaked file descriptors --------------------------------------------------

exec 7<"$SCRATCH/secret" 8<"$SCRATCH" 9</etc/hostname
run_sandbox -- bash -c 'ls /proc/self/fd | sort -n | tr "\n" " "; echo; cat <&7; cat <&9; ls -l /proc/self/fd/' 2>&1
exec 7<&- 8<&- 9<&-
first=$(head -n 1 <<<"$RUN_OUT")
# bash runs ls in a child: 0 1 2 and the directory ls itself opened (3).
is "$first" "0 1 2 3 " "only fds 0, 1, 2 (+ ls's own) are open inside"
unlike "$RUN_OUT" "fd-secret-$$" "a file the launcher's shell had open on fd 7 is unreadable inside"
unlike "$RUN_OUT" "$SCRATCH" "a directory fd of the launcher (fd 8) is not inherited"

# ---- environment --------------------------------------------------------------

KEYMARK=sk-fake-$$-$RANDOM
OPENAI_API_KEY=$KEYMARK ANTHROPIC_API_KEY=$KEYMARK AWS_SECRET_ACCESS_KEY=$KEYMARK \
        GITHUB_TOKEN=$KEYMARK LD_LIBRARY_PATH=/tmp/$KEYMARK BASH_ENV=/tmp/$KEYMARK \
        run_sandbox -- bash -c 'env; cat /proc/self/environ /proc/1/environ 2>/dev/null | tr "\0" "\n"; cat /proc/[0-9]*/environ 2>/dev/null | tr "\0" "\n"'
like "$RUN_OUT" '^PATH=' "the sandbox has an environment (control)"
unlike "$RUN_OUT$RUN_ERR" "$KEYMARK" "API keys, tokens, LD_LIBRARY_PATH and BASH_ENV of the launcher are not visible inside"
unlike "$RUN_OUT" '^(OPENAI|ANTHROPIC|AWS_SECRET|GITHUB_TOKEN)' "no key variable names inside"

# ---- pid namespace ---------------------------------------------------------------

run_sandbox -- bash -c 'echo "self=$$"; ls /proc | grep -c "^[0-9]"; for p in /proc/[0-9]*; do cat $p/comm; done 2>/dev/null | sort | tr "\n" " "; echo'
like "$RUN_OUT" '^self=2$' "the command is pid 2"
nprocs=$(sed -n 2p <<<"$RUN_OUT")
ok "/proc lists only the sandbox's processes ($nprocs)" test "${nprocs:-99}" -le 4
unlike "$(sed -n 3p <<<"$RUN_OUT")" '(^| )(timeout|systemd|init|meson|sshd)( |$)' "no host process is visible in /proc"
# The launcher's host pid is not a process inside.
run_sandbox -- bash -c "cat /proc/$$/cmdline 2>/dev/null | tr '\0' ' '; kill -0 $$ && echo can-signal-host"
unlike "$RUN_OUT" "$(basename "$0")|can-signal-host" "the test script's host pid is neither visible nor signalable"

# ---- scheduling -----------------------------------------------------------------

# A harness started real-time (and allowed more by its rlimits) passes
# neither on to the call.
if chrt -f 10 true 2>/dev/null; then
        out=$(cd "$WS" && chrt -f 10 timeout 60 "$CLAWJAIL" run -- bash -c 'chrt -p $$' 2>&1)
        like "$out" "scheduling policy: SCHED_OTHER" "a launcher running SCHED_FIFO starts the call SCHED_OTHER"
else
        skip "a launcher running SCHED_FIFO starts the call SCHED_OTHER" \
                "uid $(id -u) may not run the launcher real-time here (no CAP_SYS_NICE, RLIMIT_RTPRIO $(ulimit -r))"
fi
if prlimit --rtprio=50 --nice=30 true 2>/dev/null; then
        out=$(cd "$WS" && prlimit --rtprio=50 --nice=30 timeout 60 "$CLAWJAIL" run -- \
                bash -c 'echo "rtprio=$(ulimit -r) nice=$(ulimit -e)"; chrt -f 1 true && echo became-rt; nice -n -5 true && echo raised-nice' 2>&1)
        like "$out" '^rtprio=0 nice=0$' "RLIMIT_RTPRIO and RLIMIT_NICE are 0 inside (the launcher's were 50 and 30)"
        unlike "$out" 'became-rt|raised-nice' "the call can neither make itself real-time nor raise its priority"
else
        for t in "RLIMIT_RTPRIO and RLIMIT_NICE are 0 inside" "the call can neither make itself real-time nor raise its priority"; do
                skip "$t" "uid $(id -u) cannot raise its own RLIMIT_RTPRIO/RLIMIT_NICE to start from (no CAP_SYS_RESOURCE here)"
        done
fi

# ---- credentials of the process ---------------------------------------------------

run_sandbox -- cat /proc/self/status
for cap in CapInh CapPrm CapEff CapBnd CapAmb; do
        like "$RUN_OUT" "^$cap:[[:space:]]+0+$" "$cap is 0"
done
like "$RUN_OUT" '^NoNewPrivs:[[:space:]]+1$' "NoNewPrivs is 1"
like "$RUN_OUT" '^Seccomp:[[:space:]]+2$' "Seccomp is 2 (filter mode)"
uid_line=$(grep '^Uid:' <<<"$RUN_OUT")
unlike "$uid_line" '[[:space:]]0([[:space:]]|$)' "no uid (real, effective, saved, fs) is 0 inside"

# Host uid: what the workspace sees from outside.
run_sandbox -- bash -c 'id -u; id -G; touch owned-by-sandbox; mkdir dir-by-sandbox'
is "$(head -n 1 <<<"$RUN_OUT")" "$SANDBOX_UID" "id -u inside is $SANDBOX_UID"
unlike "$(sed -n 2p <<<"$RUN_OUT")" '(^| )0( |$)' "no group 0 inside"
is "$(stat -c %u "$WS/owned-by-sandbox" 2>&1)" "$SANDBOX_UID" "a file created inside is owned by host uid $SANDBOX_UID"
is "$(stat -c %u "$WS/dir-by-sandbox" 2>&1)" "$SANDBOX_UID" "a directory created inside is owned by host uid $SANDBOX_UID"
if [ "$(id -u)" = 0 ]; then
        unlike "$(stat -c %u "$WS/owned-by-sandbox")" '^0$' "started by root, nothing is created as host root"
else
        skip "started by root, nothing is created as host root" "not running as root"
fi

# ---- hostname, /dev, session -----------------------------------------------------------

run_sandbox -- hostname
ok "hostname inside ('$RUN_OUT') is not the host's" test -n "$RUN_OUT" -a "$RUN_OUT" != "$(hostname)"

run_sandbox -- bash -c 'ls -A /dev | tr "\n" " "; echo; echo x > /dev/null && echo devnull-ok; mknod /tmp/sda b 8 0; echo mknod=$?; ls /dev/pts | tr "\n" " "'
devs=$(head -n 1 <<<"$RUN_OUT")
unlike "$devs" '(^| )(sd[a-z]|vd[a-z]|nvme|mem|kmem|port|kmsg|mapper|loop[0-9]|dm-|hd[a-z]|fuse|net|snd|input|dri|kvm|console)' \
        "/dev has no disks, memory, kmsg, kvm or other host devices ($devs)"
extra=$(tr ' ' '\n' <<<"$devs" | grep -Evx '|fd|full|null|ptmx|pts|random|shm|stderr|stdin|stdout|tty|urandom|zero|core|mqueue')
is "$extra" "" "/dev holds only the minimal nodes"
like "$RUN_OUT" '^devnull-ok$' "/dev/null works (control)"
unlike "$RUN_OUT" '^mknod=0$' "mknod of a block device fails"
unlike "$(sed -n 5p <<<"$RUN_OUT")" '[0-9]' "/dev/pts shows none of the host's terminals"

run_sandbox -- bash -c 'read -r -a st < /proc/self/stat; echo "pid=${st[0]} sid=${st[5]} tty=${st[6]}"'
like "$RUN_OUT" '^pid=2 sid=2 tty=0$' "the command leads its own session with no controlling terminal"

# ---- dies with its parent -------------------------------------------------------------

MARK=$((86000 + $$ % 1000)).$RANDOM
(cd "$WS" && exec "$CLAWJAIL" run -- bash -c "sleep $MARK & setsid sleep $MARK & sleep $MARK") </dev/null >/dev/null 2>&1 &
launcher=$!
for _ in $(seq 1 50); do
        [ "$(pgrep -fc "sleep $MARK")" -ge 3 ] && break
        sleep 0.1
done
started=$(pgrep -fc "sleep $MARK")
kill -KILL "$launcher"
wait "$launcher" 2>/dev/null
for _ in $(seq 1 30); do
        [ "$(pgrep -fc "sleep $MARK")" = 0 ] && break
        sleep 0.1
done
left=$(pgrep -fc "sleep $MARK")
# Clean up after a failure: only the processes carrying this run's marker.
stray=$(pgrep -f "sleep $MARK")
[ -n "$stray" ] && kill -KILL $stray 2>/dev/null
ok "the sandbox was running before the launcher was killed ($started sleeps)" test "$started" -ge 3
is "$left" 0 "SIGKILL of the launcher takes every sandboxed process with it"

done_testing
