#!/bin/bash
# SPDX-License-Identifier: MIT
# Name resolution off the proxy's loop (launcher/net/resolve.c): a name
# whose DNS server never answers is refused after CJ_NET_RESOLVE_TIMEOUT_MS
# (5 s) while every other connection of the call goes on.  The test needs a
# resolver it controls, so it runs in its own network and mount namespaces:
# lo up with 11.22.33.44 on it (a public address: unpinned names may resolve
# only to such), /etc/resolv.conf bound over with "nameserver 127.0.0.1", a
# DNS server (dns_server.py) and an HTTP server in there.  Rootless, the
# namespaces are a user namespace's, and the test itself (and clawjail) runs
# as uid 65534 again in a nested one.  Nothing leaves the namespace.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -z "${CJ_DNS_NS:-}" ]; then
        for tool in unshare ip curl python3 jq; do
                command -v $tool >/dev/null || {
                        echo "1..0 # SKIP $tool is not installed"
                        exit 0
                }
        done
        rc=$(mktemp) || exit 1
        echo "nameserver 127.0.0.1
options timeout:30 attempts:1" >"$rc"
        chmod 644 "$rc"
        setup="ip link set lo up && ip addr add 11.22.33.44/32 dev lo &&
               echo 0 >/proc/sys/net/ipv4/ip_unprivileged_port_start && mount --bind '$rc' /etc/resolv.conf"
        if [ "$(id -u)" = 0 ]; then
                unshare --mount --net bash -c "$setup && CJ_DNS_NS=1 exec bash '$0'"
        else
                unshare --user --map-root-user --mount --net bash -c \
                        "$setup && CJ_DNS_NS=1 exec unshare --user --map-user=$(id -u) --map-group=$(id -g) bash '$0'"
        fi
        r=$?
        [ $r = 0 ] || [ -s "$rc.tap" ] || echo "1..0 # SKIP cannot make the test's namespaces (unshare: $r)"
        rm -f "$rc"
        exit $r
fi
. "${TAP_LIB:?}"

WS=$(tap_workspace)
SCRATCH=$(tap_scratch)
mkdir "$SCRATCH/www"
echo "hello over dns" >"$SCRATCH/www/index.html"
chmod -R a+rX "$SCRATCH"
python3 "$HERE/dns_server.py" "$SCRATCH/dns.log" fast.test=11.22.33.44 private.test=10.1.2.3 >"$SCRATCH/dns.out" 2>&1 &
dns=$!
python3 -m http.server --bind 0.0.0.0 --directory "$SCRATCH/www" 8080 >/dev/null 2>&1 &
web=$!
trap 'kill $dns $web 2>/dev/null; tap_cleanup' EXIT
for _ in $(seq 1 100); do
        grep -q ready "$SCRATCH/dns.out" && curl -s -o /dev/null http://127.0.0.1:8080/ && break
        sleep 0.1
done
grep -q ready "$SCRATCH/dns.out" || bail_out "the DNS server did not start: $(cat "$SCRATCH/dns.out")"
is "$(getent ahostsv4 fast.test | head -n 1 | cut -d' ' -f1)" 11.22.33.44 "the launcher's resolver asks the test's DNS server"

cat >"$SCRATCH/p.json" <<JSON
{ "extends": "default", "widen": ["network"], "network": "proxy",
  "egress": { "allow": ["fast.test", "**.slow.test", "nx.test", "private.test", "pinned.test"], "ports": [8080],
              "resolve": { "pinned.test": "127.0.0.1" } } }
JSON
chmod a+r "$SCRATCH/p.json"
CURL="curl -sS --max-time 40"

# Three names that hang, then (while they do) a resolved and a pinned fetch.
start=$SECONDS
run_sandbox --json --profile "$SCRATCH/p.json" -- bash -c "
        ms() { date +%s%3N; }
        for n in a b c; do $CURL -o /dev/null -w \"slow \$n %{http_code} \" -D - http://\$n.slow.test:8080/ >slow.\$n 2>&1 & done
        sleep 0.5
        t0=\$(ms); $CURL http://fast.test:8080/index.html; echo fast_ms=\$((\$(ms) - t0))
        t0=\$(ms); $CURL http://pinned.test:8080/index.html; echo pinned_ms=\$((\$(ms) - t0))
        wait
        cat slow.a slow.b slow.c | tr -d '\\r' | grep -E 'X-Clawjail-Denied|^slow'
        $CURL http://nx.test:8080/ -D - -o /dev/null | tr -d '\\r' | grep X-Clawjail-Denied
        $CURL http://private.test:8080/ -D - -o /dev/null | tr -d '\\r' | grep X-Clawjail-Denied"
took=$((SECONDS - start))
[ "$RUN_RC" = 0 ] || diag_run
OUT=$(jq -r .stdout <<<"$RUN_OUT")
NET=$(jq -c .network <<<"$RUN_OUT")
like "$OUT" '^hello over dns$' "a name the DNS server answers resolves and is fetched"
ms=$(sed -n 's/^fast_ms=//p' <<<"$OUT")
ok "... while three other names hang ($ms ms, lookups time out at 5000)" test "${ms:-99999}" -lt 4000
ms=$(sed -n 's/^pinned_ms=//p' <<<"$OUT")
ok "a pinned name is fetched meanwhile too ($ms ms)" test "${ms:-99999}" -lt 4000
is "$(grep -c 'slow [abc] 504' <<<"$OUT")" 3 "each hanging name gets 504"
like "$OUT" 'X-Clawjail-Denied: resolving the name timed out' "... saying the lookup timed out"
like "$(jq -r '.connections[] | select(.host == "a.slow.test") | .reason' <<<"$NET")" 'timed out' "the result lists the timed-out name with its reason"
is "$(jq -r '.connections[] | select(.host == "fast.test") | .address' <<<"$NET")" 11.22.33.44 "the fetch went to the address the lookup returned"
like "$OUT" 'X-Clawjail-Denied: cannot resolve' "an NXDOMAIN name: cannot resolve"
like "$OUT" 'X-Clawjail-Denied: resolves to a private address' "a name resolving to a private address is refused after the lookup"
like "$(cat "$SCRATCH/dns.log")" 'A a.slow.test' "the proxy did ask the DNS server for the hanging names"
ok "the call ends without waiting for the hung lookups (${took}s; they hang 30 s)" test "$took" -lt 20
is "$(pgrep -f -- "--profile $SCRATCH/p.json" | wc -l)" 0 "no lookup process outlives the call (they are killed)"

# More hanging names than lookup processes: each still times out on time,
# and a name asked after them is not starved (a lookup given up on is killed).
start=$SECONDS
run_sandbox --json --profile "$SCRATCH/p.json" -- bash -c "
        for n in 1 2 3 4 5 6; do $CURL -o /dev/null -w '%{http_code}\\n' http://h\$n.slow.test:8080/ & done
        sleep 6.5
        $CURL http://fast.test:8080/index.html
        wait"
took=$((SECONDS - start))
OUT=$(jq -r .stdout <<<"$RUN_OUT")
is "$(grep -c '^504$' <<<"$OUT")" 6 "six hanging names (4 lookups at once): each is refused with 504"
like "$OUT" '^hello over dns$' "a name asked after them still resolves (the lookups given up on were killed)"
ok "... in bounded time (${took}s)" test "$took" -lt 25

kill $dns $web 2>/dev/null
done_testing
