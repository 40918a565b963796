#!/bin/bash
# SPDX-License-Identifier: MIT
# network "loopback" with loopback_ports: exactly the listed ports of the
# host's 127.0.0.1 are reachable from inside, at the same numbers; every
# other host port and every outside address is not.  Servers: two echo
# servers this script starts on 127.0.0.1.
. "${TAP_LIB:?}"

HERE=$(cd "$(dirname "$0")" && pwd)
WS=$(tap_workspace)
SCRATCH=$(tap_scratch)
STATE=$(tap_scratch)
chmod 777 "$STATE"
install_helpers "$WS"
tap_chown_ws "$WS"

python3 "$HERE/echo_server.py" "$SCRATCH/accepted.log" >"$SCRATCH/ports" 2>"$SCRATCH/err" &
servers=$!
trap 'kill $servers 2>/dev/null; tap_cleanup' EXIT
for _ in $(seq 1 100); do
        grep -q ready "$SCRATCH/ports" && break
        sleep 0.1
done
grep -q ready "$SCRATCH/ports" || bail_out "echo servers did not start: $(cat "$SCRATCH/err")"
A=$(sed -n 's/^a //p' "$SCRATCH/ports")
B=$(sed -n 's/^b //p' "$SCRATCH/ports")
cat >"$SCRATCH/p.json" <<JSON
{ "extends": "default", "widen": ["network"], "network": "loopback", "loopback_ports": [$A] }
JSON
chmod a+r "$SCRATCH/p.json"

run_sandbox --json --task lb --state-dir "$STATE" --profile "$SCRATCH/p.json" -- bash -c "
        exec 3<>/dev/tcp/127.0.0.1/$A && echo ping-through-forward >&3 && head -n 1 <&3
        ./cj-probe connect 127.0.0.1 $B
        ./cj-probe connect 10.255.255.1 80
        env | grep -ci _proxy= || true"
OUT=$(jq -r .stdout <<<"$RUN_OUT")
[ "$RUN_RC" = 0 ] || diag_run
like "$OUT" '^ping-through-forward$' "a listed host loopback port answers inside, at its own number"
like "$OUT" '^connect: ECONNREFUSED$' "an unlisted host loopback port is not reachable"
like "$OUT" '^connect: ENETUNREACH$' "outside addresses are not reachable"
is "$(tail -n 1 <<<"$OUT")" 0 "loopback mode sets no proxy variables"
is "$(grep -c 'accepted a' "$SCRATCH/accepted.log")" 1 "the host's listed server saw one connection"
is "$(grep -c 'accepted b' "$SCRATCH/accepted.log")" 0 "the unlisted one saw none"
like "$(grep '"event":"net"' "$STATE/tasks/lb/journal.jsonl")" '"kind":"loopback".*"bytes_up":21' "the forward is journaled with its bytes"
is "$(jq -r '.network.connections[0].port' <<<"$RUN_OUT")" "$A" "and appears in the result's network object"

run_sandbox --profile "$SCRATCH/p.json" --net none -- bash -c "./cj-probe connect 127.0.0.1 $A"
like "$RUN_OUT" '^connect: ECONNREFUSED$' "--net none narrows it: the forward is gone"
run_sandbox --net loopback -- true
is "$RUN_RC" 125 "loopback widens the default profile's none: refused"

kill $servers 2>/dev/null
done_testing
