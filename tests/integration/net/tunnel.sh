#!/bin/bash
# SPDX-License-Identifier: MIT
# CONNECT tunnels end, count and stop at the budget the same way whichever
# relay carries them (docs/network.md): the proxy thread (the default) and the
# in-kernel one (BPF sockmap: CLAWJAIL_NET_RELAY=kernel, as root; rootless
# the same request falls back to the thread, which is tested too).  tunnel.py's
# server answers a real ClientHello, takes an upload until the client
# half-closes, then answers with a hash of it and a download, so every byte
# each way is known.
. "${TAP_LIB:?}"

HERE=$(cd "$(dirname "$0")" && pwd)
for tool in python3 jq; do
        command -v $tool >/dev/null || {
                echo "1..0 # SKIP $tool is not installed"
                exit 0
        }
done

WS=$(tap_workspace)
SCRATCH=$(tap_scratch)
STATE=$(tap_scratch)
chmod 777 "$STATE"
cp "$HERE/tunnel.py" "$SCRATCH/"
chmod -R a+rX "$SCRATCH"
tap_chown_ws "$WS"

python3 "$HERE/tunnel.py" server >"$SCRATCH/port" 2>"$SCRATCH/server.err" &
server=$!
trap 'kill $server 2>/dev/null; tap_cleanup' EXIT
for _ in $(seq 1 100); do
        [ -s "$SCRATCH/port" ] && break
        sleep 0.1
done
PORT=$(cat "$SCRATCH/port")
[ -n "$PORT" ] || bail_out "tunnel server did not start: $(cat "$SCRATCH/server.err")"

cat >"$SCRATCH/p.json" <<JSON
{ "extends": "default", "widen": ["network"], "network": "proxy",
  "egress": { "allow": ["tunnel.test"], "ports": [$PORT], "resolve": { "tunnel.test": "127.0.0.1" } } }
JSON
cat >"$SCRATCH/budget.json" <<JSON
{ "extends": "$SCRATCH/p.json", "budget": { "net_bytes": 2000000 } }
JSON
chmod a+r "$SCRATCH"/*.json

# Which relays to try: the proxy thread, and the in-kernel one when asked for.  As
# root it is used when this kernel allows it (as `clawjail doctor` says);
# rootless the request must fall back to the thread.
DOCTOR=$(CLAWJAIL_NET_RELAY=kernel "$CLAWJAIL" doctor --json 2>/dev/null | jq -r '.checks[] | select(.name == "network relay") | .detail')
if [ "$(id -u)" = 0 ]; then
        case "$DOCTOR" in
        in-kernel*) RELAYS="kernel thread" ;;
        *) RELAYS="thread fallback"
           skip "tunnels through the in-kernel relay (BPF sockmap)" "this kernel refuses it as root ($DOCTOR)" ;;
        esac
else
        like "$DOCTOR" '^proxy thread.*CLAWJAIL_NET_RELAY=kernel, but .*: Operation not permitted' "rootless: doctor says the in-kernel relay was asked for and refused"
        RELAYS="thread fallback"
        skip "tunnels through the in-kernel relay (BPF sockmap)" "rootless: no CAP_BPF/CAP_NET_ADMIN; CLAWJAIL_NET_RELAY=kernel falls back to the thread (the 'fallback' runs below)"
fi

# tunnel RELAY TASK PROFILE UP DOWN: one call; OUT = the client's lines,
# EV = the connection's event in the result.
tunnel() {
        local relay=$1 task=$2 profile=$3
        shift 3
        local env=()
        [ "$relay" != thread ] && env=(env CLAWJAIL_NET_RELAY=kernel) # kernel, or its fallback
        RUN_OUT=$("${env[@]}" "$CLAWJAIL" run --json --task "$task" --state-dir "$STATE" --profile "$profile" \
                --ro "$SCRATCH" -- python3 "$SCRATCH/tunnel.py" client tunnel.test "$PORT" "$@" 2>/dev/null)
        RUN_RC=$?
        OUT=$(jq -r '.stdout // empty' <<<"$RUN_OUT")
        EV=$(jq -c '.network.connections[0] // empty' <<<"$RUN_OUT")
}
field() { jq -r ".$1 // \"none\"" <<<"$EV"; }
sent() { sed -n 's/^sent \([0-9]*\) .*/\1/p' <<<"$OUT"; }
received() { sed -n 's/^sent [0-9]* received \([0-9]*\) .*/\1/p' <<<"$OUT"; }

for relay in $RELAYS; do
        want_relay=none
        [ "$relay" = kernel ] && want_relay=kernel
        n=$RANDOM

        # Both ways, with a half-close each way: the client's FIN reaches the
        # server after all 3 MB, the server's 5 MB answer still comes back.
        tunnel "$relay" "t-both-$n" "$SCRATCH/p.json" 3000000 5000000
        [ "$RUN_RC" = 0 ] || diag_run
        like "$OUT" 'end eof body-ok line-ok' "$relay: 3 MB up, half-close, 5 MB down: every byte arrives, in order, then EOF"
        like "$OUT" $'\ngot 3000000 ' "$relay: the server saw the client's half-close after exactly the 3 MB"
        is "$(field relay)" "$want_relay" "$relay: the connection was relayed by ${want_relay/none/the thread}"
        is "$(field bytes_up)" "$(sent)" "$relay: bytes_up is exactly what the client sent after the 200"
        is "$(field bytes_down)" "$(received)" "$relay: bytes_down is exactly what the client received"
        is "$(field verdict)" allowed "$relay: the tunnel ended normally (verdict allowed)"
        like "$(grep '"event":"net"' "$STATE/tasks/t-both-$n/journal.jsonl")" "\"bytes_up\":$(sent),.*\"bytes_down\":$(received)|\"bytes_down\":$(received),.*\"bytes_up\":$(sent)" \
                "$relay: the journal has the same counts"

        # The server resets the connection after 1 MB: the tunnel ends at once
        # (no hang), and what was counted down is what the client got.
        tunnel "$relay" "t-reset-$n" "$SCRATCH/p.json" 1000 reset
        like "$OUT" '^sent [0-9]+ received [0-9]+ end ' "$relay: a reset by the server ends the tunnel for the client"
        is "$(field bytes_down)" "$(received)" "$relay: ... and bytes_down is what reached the client ($(received))"

        # net_bytes 2,000,000: a 5 MB answer is cut with exactly the budget used.
        tunnel "$relay" "t-budget-$n" "$SCRATCH/budget.json" 1000 5000000
        is "$(field verdict)" budget_exhausted "$relay: a 5 MB answer through a 2 MB net_bytes budget is cut"
        is "$(($(field bytes_up) + $(field bytes_down)))" 2000000 "$relay: ... after exactly net_bytes bytes (up + down)"
        is "$(jq -r '.network.budget_exhausted' <<<"$RUN_OUT")" true "$relay: the result says the budget stopped it"
        tunnel "$relay" "t-budget-$n" "$SCRATCH/budget.json" 10 10
        is "$RUN_RC" 122 "$relay: the task's next call is refused (exit 122)"
done

kill $server 2>/dev/null
done_testing
