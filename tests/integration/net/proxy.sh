#!/bin/bash
# SPDX-License-Identifier: MIT
# Egress through the proxy (network "proxy", docs/network.md), against real
# servers this script starts on 127.0.0.1 (plain HTTP, HTTPS with a
# self-signed certificate for the pinned names, a UDP sink).  No traffic
# ever leaves this machine: every allowed name is pinned to 127.0.0.1, and
# the outside addresses tried (10.255.255.1, 10.9.9.9) have no route inside.
. "${TAP_LIB:?}"

HERE=$(cd "$(dirname "$0")" && pwd)
for tool in curl openssl python3; do
        command -v $tool >/dev/null || {
                echo "1..0 # SKIP $tool is not installed"
                exit 0
        }
done

WS=$(tap_workspace)
SCRATCH=$(tap_scratch)
STATE=$(tap_scratch)
chmod 777 "$STATE"
install_helpers "$WS"
cp "$HERE/rawclient.py" "$SCRATCH/"
mkdir "$SCRATCH/www"
echo "hello from registry" >"$SCRATCH/www/index.html"
head -c 1000000 /dev/urandom >"$SCRATCH/www/big.bin"
tap_chown_ws "$WS"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$SCRATCH/key.pem" -out "$SCRATCH/cert.pem" -days 2 \
        -subj /CN=registry.test -addext "subjectAltName=DNS:registry.test,DNS:other.test" 2>/dev/null ||
        bail_out "openssl cannot make a certificate"
chmod -R a+rX "$SCRATCH"

python3 "$HERE/servers.py" "$SCRATCH/www" "$SCRATCH/cert.pem" "$SCRATCH/key.pem" >"$SCRATCH/ports" 2>"$SCRATCH/servers.err" &
servers=$!
trap 'kill $servers 2>/dev/null; tap_cleanup' EXIT
for _ in $(seq 1 100); do
        grep -q ready "$SCRATCH/ports" && break
        sleep 0.1
done
grep -q ready "$SCRATCH/ports" || bail_out "test servers did not start: $(cat "$SCRATCH/servers.err")"
HTTP=$(sed -n 's/^http //p' "$SCRATCH/ports")
HTTPS=$(sed -n 's/^https //p' "$SCRATCH/ports")
UDP=$(sed -n 's/^udp //p' "$SCRATCH/ports")

cat >"$SCRATCH/p.json" <<JSON
{ "extends": "default", "widen": ["network"], "network": "proxy",
  "egress": { "allow": ["**.registry.test", "other.test", "localhost", "10.9.9.9"],
              "deny": ["blocked.registry.test"],
              "ports": [$HTTP, $HTTPS],
              "resolve": { "registry.test": "127.0.0.1", "other.test": "127.0.0.1",
                           "blocked.registry.test": "127.0.0.1" } } }
JSON
cat >"$SCRATCH/budget.json" <<JSON
{ "extends": "$SCRATCH/p.json", "budget": { "net_bytes": 300000 } }
JSON
chmod a+r "$SCRATCH"/*.json
CURL="curl -sS --max-time 20 --cacert $SCRATCH/cert.pem"

# Run a call with --json in a task; NET gets the result's "network" object.
call() {
        local task=$1
        shift
        run_sandbox --json --task "$task" --state-dir "$STATE" --ro "$SCRATCH" "$@"
        NET=$(jq -c '.network // empty' <<<"$RUN_OUT" 2>/dev/null)
        STDOUT=$(jq -r '.stdout // empty' <<<"$RUN_OUT" 2>/dev/null)
}
journal_net() {
        grep '"event":"net"' "$STATE/tasks/$1/journal.jsonl" 2>/dev/null
}

# --- allowed fetches ---------------------------------------------------------
call t-ok --profile "$SCRATCH/p.json" -- bash -c "
        $CURL http://registry.test:$HTTP/index.html
        $CURL https://registry.test:$HTTPS/index.html
        $CURL https://Other.Test.:$HTTPS/index.html
        env | grep -c -E '^(HTTP|HTTPS|ALL|http|https|all)_PROXY=|^(http|https|all)_proxy='
        printenv NO_PROXY"
[ "$RUN_RC" = 0 ] || diag_run
is "$(head -n 3 <<<"$STDOUT" | sort -u)" "hello from registry" "curl: plain HTTP, HTTPS through CONNECT, and an IDNA/case/dot variant all fetch"
is "$(tail -n 2 <<<"$STDOUT" | head -n 1)" 6 "HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and their lower-case forms are set"
is "$(tail -n 1 <<<"$STDOUT")" "localhost,127.0.0.1" "NO_PROXY=localhost,127.0.0.1"
is "$(jq -r '.allowed' <<<"$NET")" 3 "the result's network object counts 3 allowed connections"
like "$(journal_net t-ok)" '"verdict":"allowed".*"bytes_down":[1-9]' "each connection is a net journal line with its bytes"
like "$(journal_net t-ok)" '"kind":"connect".*"host":"registry.test"|"host":"registry.test".*"kind":"connect"' "the HTTPS fetch is journaled as a CONNECT to registry.test"

# The proxy's end of a client's connection (the sandbox's loopback) uses reno,
# whatever the host's default: nothing to pace there (docs/network.md).
call t-cc --profile "$SCRATCH/p.json" -- bash -c "exec 3<>/dev/tcp/127.0.0.1/3128; sleep 0.3
        ss -tin state established '( sport = :3128 )'"
like "$STDOUT" '(^|[[:space:]])reno[[:space:]]' "the proxy's end of the client's connection runs reno"

# --- refusals, each with a reason in the result and a journal line ------------
refused() { # DESC TASK PATTERN CMD...
        local desc=$1 task=$2 pat=$3
        shift 3
        call "$task" --profile "$SCRATCH/p.json" -- bash -c "$*"
        like "$(jq -r '.connections[] | select(.verdict != "allowed") | .reason' <<<"$NET")" "$pat" "$desc: refused ($pat)"
        like "$(journal_net "$task")" "\"verdict\":\"(denied|error)\"" "$desc: a net journal line says so"
}
refused "a host not in egress.allow" t-deny 'host not in egress.allow' "$CURL http://evil.test:$HTTP/x; $CURL https://evil.test:$HTTPS/x"
refused "a host in egress.deny (deny wins over **.registry.test)" t-denyw 'host is in egress.deny' "$CURL https://blocked.registry.test:$HTTPS/"
refused "a port not in egress.ports" t-port 'port not in egress.ports' "$CURL https://registry.test:1/"
refused "an IP literal not listed" t-ip 'IP address not listed' "$CURL -x http://127.0.0.1:3128 http://127.0.0.2:$HTTP/"
refused "an IP literal in another spelling" t-ip2 'IP address not listed' "$CURL -x http://127.0.0.1:3128 http://2130706434:$HTTP/"
refused "a listed private IP literal that is not pinned" t-ipp 'private address' "$CURL --max-time 5 -x http://127.0.0.1:3128 http://10.9.9.9:$HTTP/"
refused "an allowed name that resolves to loopback, unpinned" t-lo 'resolves to a loopback address' "$CURL --noproxy '' -x http://127.0.0.1:3128 http://localhost:$HTTP/"
refused "TLS server_name differing from the CONNECT host" t-sni "server_name 'registry.test' does not match" \
        "$CURL --connect-to registry.test:$HTTPS:other.test:$HTTPS https://registry.test:$HTTPS/"
refused "a Host header differing from the absolute-form target" t-host 'Host header does not match' \
        "python3 $SCRATCH/rawclient.py raw 'GET http://registry.test:$HTTP/ HTTP/1.1\\r\\nHost: evil.test\\r\\n\\r\\n'"
like "$(journal_net t-host)" '"host":"registry.test","port":[1-9]|"port":[1-9][0-9]*,.*"host":"registry.test"' \
        "a request refused while its head is read is journaled with the target it named"
refused "userinfo@ in the target" t-user 'userinfo' \
        "python3 $SCRATCH/rawclient.py raw 'GET http://registry.test:$HTTP@evil.test/ HTTP/1.1\\r\\nHost: evil.test\\r\\n\\r\\n'"
refused "a second request pipelined behind the first" t-smuggle 'pipelining' \
        "python3 $SCRATCH/rawclient.py raw 'GET http://registry.test:$HTTP/first HTTP/1.1\\r\\nHost: registry.test:$HTTP\\r\\n\\r\\nGET http://evil.test/smuggled HTTP/1.1\\r\\nHost: evil.test\\r\\n\\r\\n'"
refused "a smuggled request behind a Content-Length body" t-smuggle2 'pipelining' \
        "python3 $SCRATCH/rawclient.py raw 'POST http://registry.test:$HTTP/p HTTP/1.1\\r\\nHost: registry.test:$HTTP\\r\\nContent-Length: 2\\r\\n\\r\\nokGET /smuggled2 HTTP/1.1\\r\\nHost: registry.test\\r\\n\\r\\n'"
refused "CONNECT chained through an allowed host" t-chain 'not a TLS ClientHello' \
        "python3 $SCRATCH/rawclient.py chain registry.test:$HTTP 'CONNECT evil.test:443 HTTP/1.1\\r\\nHost: evil.test\\r\\n\\r\\n'"
unlike "$(cat "$SCRATCH/requests.log")" 'smuggled|evil' "no smuggled or chained request reached a server"
unlike "$(cat "$SCRATCH/requests.log")" '/first' "the request with a smuggled one behind it was not sent either"

# A keep-alive client (Go's net/http) sends its next request on the same
# connection once it has read the whole response, while the server has not
# closed yet: never sent, and not a denial (nothing was asked ahead of the
# answer); the client sees the connection close and retries elsewhere.
call t-reuse --profile "$SCRATCH/p.json" -- bash -c "python3 $SCRATCH/rawclient.py reuse \
        'GET http://registry.test:$HTTP/linger1 HTTP/1.1\r\nHost: registry.test:$HTTP\r\n\r\n' \
        'GET http://registry.test:$HTTP/linger2 HTTP/1.1\r\nHost: registry.test:$HTTP\r\n\r\n'"
is "$STDOUT" "$(printf 'first: HTTP/1.1 200 OK\nsecond: closed')" "a request on a kept-alive connection after the response: the connection closes"
unlike "$(cat "$SCRATCH/requests.log")" '/linger2' "... that request was not sent"
is "$(jq -c '[.denied, .connections[0].verdict]' <<<"$NET")" '[0,"allowed"]' "... and the connection stays allowed, not a denial"

# --- no way around the proxy ---------------------------------------------------
start=$SECONDS
call t-direct --profile "$SCRATCH/p.json" -- bash -c "
        ./cj-probe connect 127.0.0.1 $HTTP
        ./cj-probe connect 10.255.255.1 80
        getent hosts registry.npmjs.org >/dev/null; echo getent=\$?
        $CURL --noproxy '*' http://registry.test:$HTTP/ 2>&1 | head -c 80; echo
        echo hi >/dev/udp/127.0.0.1/$UDP; echo udp-lo=\$?
        (echo hi >/dev/udp/10.255.255.1/53) 2>/dev/null; echo udp-out=\$?
        (echo hi >/dev/udp/8.8.8.8/53) 2>/dev/null; echo udp-dns=\$?"
took=$((SECONDS - start))
like "$STDOUT" '^connect: ECONNREFUSED$' "a direct TCP connection to the host's 127.0.0.1 listener fails"
like "$STDOUT" '^connect: ENETUNREACH$' "a direct TCP connection outside fails (no route)"
like "$STDOUT" '^getent=[1-9]' "name resolution fails inside (no DNS server reachable)"
like "$STDOUT" 'Could not resolve host' "curl told to bypass the proxy cannot even resolve"
like "$STDOUT" '^udp-out=[1-9]' "UDP to an outside address fails"
like "$STDOUT" '^udp-dns=[1-9]' "UDP to a DNS server fails"
ok "direct attempts fail at once (${took}s for all of them)" test "$took" -lt 15
sleep 0.3
unlike "$(cat "$SCRATCH/requests.log")" 'UDP' "the host's UDP sink on 127.0.0.1 received nothing"

# --- the net_bytes budget ------------------------------------------------------
call t-budget --profile "$SCRATCH/budget.json" -- bash -c "$CURL -o /dev/null http://registry.test:$HTTP/big.bin; echo rc=\$?"
like "$STDOUT" 'rc=[1-9]' "a 1 MB download through a 300 kB net_bytes budget is cut"
is "$(jq -r '.budget_exhausted' <<<"$NET")" true "the result says the budget stopped it"
like "$(journal_net t-budget)" '"verdict":"budget_exhausted"' "the journal says so"
call t-budget --profile "$SCRATCH/budget.json" -- true
is "$RUN_RC" 122 "the task's next call is refused (exit 122)"
like "$(jq -r '.error.message' <<<"$RUN_OUT")" 'net_bytes' "... naming net_bytes"

# --- the operator's flags -------------------------------------------------------
call t-flag --profile "$SCRATCH/p.json" --net proxy --allow-host other.test -- bash -c "
        $CURL https://other.test:$HTTPS/index.html; $CURL https://registry.test:$HTTPS/index.html"
like "$STDOUT" 'hello from registry' "--allow-host other.test: other.test is reachable"
like "$(jq -r '.connections[] | select(.verdict == "denied") | .host' <<<"$NET")" '^registry.test$' "... and registry.test no longer"
run_sandbox --profile "$SCRATCH/p.json" --net proxy --allow-host evil.test -- true
is "$RUN_RC" 125 "--allow-host outside the profile's allow list is refused (125)"
run_sandbox --net proxy --allow-host registry.test -- true
is "$RUN_RC" 125 "--net proxy widens the default profile: refused (125)"

kill $servers 2>/dev/null
done_testing
