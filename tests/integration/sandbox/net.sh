#!/bin/bash
# SPDX-License-Identifier: MIT
# Network: under "none" (the default) and "loopback" the sandbox has its own
# network namespace with only `lo`, up; egress fails at once (no route), and
# the host's loopback services and abstract unix sockets are out of reach.
# No traffic ever leaves this machine: 10.255.255.1 has no route inside, and
# the host-side listeners are on 127.0.0.1 / the abstract namespace.
. "${TAP_LIB:?}"

WS=$(tap_workspace)
SCRATCH=$(tap_scratch)
install_helpers "$WS"
tap_chown_ws "$WS"

# Host-side listeners the sandbox will try to reach.
ABSTRACT=cj-integ-$$-$RANDOM
"$CJ_HELPERS_DIR/cj-probe" listen 40 >"$SCRATCH/tcp.out" &
tcp_listener=$!
"$CJ_HELPERS_DIR/cj-probe" listen-abstract "$ABSTRACT" 40 >"$SCRATCH/unix.out" &
unix_listener=$!
for _ in $(seq 1 50); do
        grep -q '^port: ' "$SCRATCH/tcp.out" && grep -q listening "$SCRATCH/unix.out" && break
        sleep 0.1
done
PORT=$(sed -n 's/^port: //p' "$SCRATCH/tcp.out")

# "loopback" is wider than the default's "none": narrow the net profile to it.
for mode in none loopback; do
        start=$SECONDS
        opts=(--net "$mode")
        [ "$mode" = loopback ] && opts=(--profile net --net loopback)
        run_sandbox "${opts[@]}" -- bash -c "
                cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' ' | tr '\n' ' '; echo
                grep -c . /proc/net/route
                ./cj-probe connect 10.255.255.1 80
                ./cj-probe connect 127.0.0.1 $PORT
                ./cj-probe connect-abstract $ABSTRACT
                ./cj-probe lo-echo
                (echo > /dev/tcp/10.255.255.1/53) 2>/dev/null; echo devtcp=\$?
                cat /sys/class/net/*/operstate 2>/dev/null | tr '\n' ' '; echo
        " 2>&1
        took=$((SECONDS - start))
        [ "$RUN_RC" -ne 0 ] && diag_run
        is "$(head -n 1 <<<"$RUN_OUT")" "lo " "--net $mode: the only interface is lo"
        is "$(sed -n 2p <<<"$RUN_OUT")" 1 "--net $mode: the routing table is empty (header only)"
        like "$RUN_OUT" '^connect: ENETUNREACH$' "--net $mode: connect to an outside address fails with ENETUNREACH"
        like "$RUN_OUT" '^devtcp=[1-9]' "--net $mode: bash /dev/tcp egress fails"
        ok "--net $mode: egress attempts fail fast (${took}s)" test "$took" -lt 10
        like "$RUN_OUT" '^connect: ECONNREFUSED$' "--net $mode: the host's 127.0.0.1:$PORT listener is not reachable"
        like "$RUN_OUT" '^connect-abstract: ECONNREFUSED$' "--net $mode: the host's abstract unix socket is not reachable"
        like "$RUN_OUT" '^lo-echo: ok$' "--net $mode: a listener and client on 127.0.0.1 inside work (lo is up)"
done

# Nothing connected to the host-side listeners from inside...
unlike "$(cat "$SCRATCH/tcp.out")" accepted "the host TCP listener saw no connection"
unlike "$(cat "$SCRATCH/unix.out")" accepted "the host abstract socket saw no connection"
# ...though they were reachable all along from the host (control).
like "$("$CJ_HELPERS_DIR/cj-probe" connect 127.0.0.1 "$PORT")" ': ok$' "control: the host reaches its TCP listener"
like "$("$CJ_HELPERS_DIR/cj-probe" connect-abstract "$ABSTRACT")" ': ok$' "control: the host reaches its abstract socket"
kill "$tcp_listener" "$unix_listener" 2>/dev/null
wait "$tcp_listener" "$unix_listener" 2>/dev/null

# Widening is refused unless the profile permits it.
for mode in host loopback; do
        run_sandbox --net $mode -- touch "$WS/net-$mode-ran"
        is "$RUN_RC" 125 "--net $mode with the default profile is refused (125)"
        ok "... and nothing ran" test ! -e "$WS/net-$mode-ran"
done

done_testing
