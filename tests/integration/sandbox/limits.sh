#!/bin/bash
# SPDX-License-Identifier: MIT
# Resource limits from inside: a fork bomb stopped by the pids limit, a
# memory bomb stopped by the memory limit (OOM kill where a cgroup exists,
# RLIMIT_AS otherwise), CPU and file-size limits, and the wall-clock timeout
# killing grandchildren and daemons.  The host must survive each one and the
# call must end with its status reported.
. "${TAP_LIB:?}"

WS=$(tap_workspace)
SCRATCH=$(tap_scratch)
install_helpers "$WS"
tap_chown_ws "$WS"

profile() { # NAME JSON-LIMITS: a temp profile that extends default
        printf '{"extends":"default","description":"integration test","limits":%s}\n' "$2" >"$SCRATCH/$1.json"
        printf '%s\n' "$SCRATCH/$1.json"
}

json_field() { # JSON KEY: a top-level scalar of the result object
        sed -n "s/.*\"$2\":\(\"[^\"]*\"\|[-0-9a-z.]*\).*/\1/p" <<<"$1" | head -n 1 | tr -d '"'
}

# Clean up stragglers of this run (only processes carrying our marker).
kill_marked() {
        local pids
        pids=$(pgrep -f "$1")
        [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
        return 0
}

# ---- fork bomb ---------------------------------------------------------------------

PIDS=$(profile pids '{"pids":64}')
run_sandbox --profile "$PIDS" -- ./cj-probe fork-until-refused 1000
forked=$(sed -n 's/^forked: //p' <<<"$RUN_OUT")
like "$RUN_OUT" '^fork: EAGAIN$' "fork fails with EAGAIN at the pids limit"
ok "no more than 64 processes were created (forked $forked)" test "${forked:-999}" -lt 64

BOMB=cjbomb$$x$RANDOM
start=$SECONDS
RUN_OUTER_TIMEOUT=60 run_sandbox --profile "$PIDS" --timeout 30 --json -- \
        bash -c "$BOMB() { $BOMB | $BOMB & }; $BOMB; exec sleep 3"
took=$((SECONDS - start))
status=$(json_field "$RUN_OUT" status)
ok "the fork-bomb call ended and reported a status ('$status', rc $RUN_RC, ${took}s)" test -n "$status" -a "$took" -lt 30
is "$status" ok "the call itself survived the bomb (its exec'd sleep exited 0)"
sleep 0.5
left=$(pgrep -fc "$BOMB")
is "$left" 0 "no bomb process is left on the host"
kill_marked "$BOMB"
ok "the host can still fork" /bin/true

# ---- memory bomb ---------------------------------------------------------------------

MEM=$(profile mem '{"memory_mb":64}')
run_sandbox --profile "$MEM" --json -- ./cj-probe alloc 1024
status=$(json_field "$RUN_OUT" status)
cgroup=$(json_field "$RUN_OUT" cgroup)
stdout=$(sed -n 's/.*"stdout":"\([^"]*\)".*/\1/p' <<<"$RUN_OUT" | sed 's/\\n/\n/g')
max_mb=$(sed -n 's/^alloc-\(mb\|failed-at-mb\|done-mb\): //p' <<<"$stdout" | sort -n | tail -n 1)
diag "memory bomb: status=$status cgroup=$cgroup rc=$RUN_RC max_mb=$max_mb"
unlike "$stdout" 'alloc-done-mb' "the allocation of 1 GiB did not complete under a 64 MiB limit"
ok "no more than the limit was ever held (${max_mb:-?} MiB)" test "${max_mb:-999}" -le 64
if [ "$cgroup" = v1 ] || [ "$cgroup" = v2 ]; then
        # SPEC statuses have no "oom": the kill is flagged in the result.
        is "$(json_field "$RUN_OUT" oom_killed)" true "the result says oom_killed (cgroup $cgroup memory limit)"
        is "$(json_field "$RUN_OUT" exit_code)" 137 "the result's exit_code is 137"
        is "$RUN_RC" 137 "an OOM kill exits 137"
else
        skip "the result says oom_killed" "no cgroup here (rootless on a cgroup v1 host): the limit is RLIMIT_AS, allocation fails instead"
        skip "the result's exit_code is 137" "no OOM kill without a cgroup"
        like "$stdout" '^alloc-failed-at-mb: ' "malloc failed at the RLIMIT_AS limit"
fi

# ---- tmpfs held within memory_mb (issue 7 §7) ------------------------------------------
# Rootless on cgroup v1 nothing charges tmpfs pages, and each tmpfs used to be
# half of RAM: 600 MB went into /dev/shm and /tmp under memory_mb 64.  Now the
# writable tmpfs mounts share half of memory_mb (docs/security.md), so every
# write ends in ENOSPC, with or without a cgroup, and together they hold at
# most 32 MiB.
run_sandbox --profile "$MEM" --json -- bash -c '
        for d in /tmp /var/tmp /run /dev/shm; do
                head -c 600M /dev/zero > $d/fill 2>/dev/null; echo "$d rc=$?"
        done
        du -skc /tmp/fill /var/tmp/fill /run/fill /dev/shm/fill | tail -n 1
        df -k /tmp /dev/shm | tail -n +2'
status=$(json_field "$RUN_OUT" status)
stdout=$(sed -n 's/.*"stdout":"\([^"]*\)".*/\1/p' <<<"$RUN_OUT" | sed 's/\\n/\n/g;s/\\t/\t/g')
total_kb=$(awk '/total/ {print $1}' <<<"$stdout")
diag "tmpfs fill under memory_mb 64: status=$status total=${total_kb}k; $(tr '\n' ' ' <<<"$stdout")"
is "$status" ok "filling every tmpfs under memory_mb 64 ends normally (no OOM kill, no escape)"
ok "all tmpfs together hold at most half of memory_mb, 32 MiB (${total_kb:-?} KiB)" test "${total_kb:-999999}" -le 32768
ok "each write stops with ENOSPC (rc 1), none completes" test "$(grep -c ' rc=1$' <<<"$stdout")" = 4
like "$stdout" '^none +8192 +8192 +0 .*/tmp$' "/tmp is sized 8 MiB (32 MiB shared by 4 tmpfs)"
like "$stdout" '^none +8192 +8192 +0 .*/dev/shm$' "/dev/shm is sized 8 MiB"

# ---- CPU time and file size -------------------------------------------------------------

CPU=$(profile cpu '{"cpu_s":1}')
start=$SECONDS
run_sandbox --profile "$CPU" --timeout 20 -- bash -c 'while :; do :; done'
took=$((SECONDS - start))
ok "a busy loop is killed by cpu_s=1 (rc $RUN_RC = SIGXCPU/SIGKILL, ${took}s)" \
        test "$RUN_RC" = 152 -o "$RUN_RC" = 137 -a "$took" -lt 10

FSZ=$(profile fsize '{"fsize_mb":1}')
run_sandbox --profile "$FSZ" -- bash -c 'trap "" XFSZ; head -c 3M /dev/zero > big; echo rc=$?' 2>&1
size=$(stat -c %s "$WS/big" 2>/dev/null || echo 0)
ok "a file cannot grow beyond fsize_mb=1 (got $size bytes)" test "$size" -le 1048576
rm -f "$WS/big"

# ---- limit values at and beyond their maxima (issue 7 §2) -----------------------------
# fsize_mb = 2^44 + 1 used to wrap to `ulimit -f 2048`; a huge memory_mb failed
# cgroup setup with EINVAL; wall_s * 1000 overflowed.  Now each key has a
# maximum the schema enforces, naming the file and the key.
wide() { # NAME JSON-LIMITS: extends default, widening limits
        printf '{"extends":"default","widen":["limits"],"limits":%s}\n' "$2" >"$SCRATCH/$1.json"
        printf '%s\n' "$SCRATCH/$1.json"
}
for kv in fsize_mb:17592186044417 memory_mb:8796093022208 wall_s:9223372036854775807 nofile:1048577 pids:4194305; do
        key=${kv%%:*} val=${kv#*:}
        BIG=$(wide "big-$key" "{\"$key\":$val}")
        run_sandbox --profile "$BIG" -- true
        ok "limits.$key=$val is refused before anything runs (rc $RUN_RC)" test "$RUN_RC" = 125
        like "$RUN_ERR" "big-$key\\.json: limits\\.$key: $val is above the maximum" "the error names file and key ($key)"
done
MAXF=$(wide fsize-max '{"fsize_mb":1073741824}')
run_sandbox --profile "$MAXF" -- bash -c 'ulimit -f'
is "$RUN_OUT" 1099511627776 "fsize_mb at its maximum (1 PiB) is ulimit -f 2^40 (bash counts KiB), no wrap"
MAXW=$(wide wall-max '{"wall_s":31622400}')
run_sandbox --profile "$MAXW" -- true
is "$RUN_RC" 0 "wall_s at its maximum (366 days) runs (no overflow into a negative timeout)"

# ---- wall-clock timeout: grandchildren and daemons --------------------------------------

MARK=$((97000 + $$ % 1000)).$RANDOM
start=$SECONDS
run_sandbox --timeout 2 --json -- bash -c "
        sleep $MARK &
        ( sleep $MARK & ) &
        setsid nohup sleep $MARK >/dev/null 2>&1 &
        ( trap '' TERM HUP; setsid sleep $MARK ) &
        sleep $MARK"
took=$((SECONDS - start))
is "$RUN_RC" 124 "the timeout exits 124"
is "$(json_field "$RUN_OUT" status)" timeout "the result says timeout"
ok "the call ended promptly after the 2 s timeout (${took}s)" test "$took" -lt 8
sleep 0.3
left=$(pgrep -fc "sleep $MARK")
is "$left" 0 "grandchildren, a setsid nohup daemon and a TERM-ignoring one are all gone"
kill_marked "sleep $MARK"

# The profile's wall_s applies without --timeout.
WALL=$(profile wall '{"wall_s":1}')
run_sandbox --profile "$WALL" -- sleep 30
is "$RUN_RC" 124 "limits.wall_s ends the call with 124"

done_testing
