#!/bin/bash
# SPDX-License-Identifier: MIT
# go through the egress proxy, unmodified: a Go module proxy on 127.0.0.1
# (the GOPROXY protocol as static files: @v/list, .info, .mod, .zip of the
# module registry.test/tiny, made by pkgfixtures.py), served by registry.py
# over HTTPS (a self-signed certificate for the pinned name registry.test,
# trusted through SSL_CERT_FILE) and plain HTTP.  Inside the call, go build
# of a module that requires it; go finds the proxy through HTTPS_PROXY /
# HTTP_PROXY alone.  proxy.golang.org, not allowed, fails with a reason.
. "${TAP_LIB:?}"
. "$(cd "$(dirname "$0")" && pwd)/common.sh"

net_need openssl python3 jq go
net_registry_start
python3 "$HERE/pkgfixtures.py" goproxy "$STATIC/go" || bail_out "cannot build the module proxy"

mkdir "$WS/app"
cat >"$WS/app/go.mod" <<'EOF'
module example.test/app

go 1.19

require registry.test/tiny v1.0.0
EOF
cat >"$WS/app/main.go" <<'EOF'
package main

import (
	"fmt"

	"registry.test/tiny"
)

func main() { fmt.Println(tiny.Works()) }
EOF
tap_chown_ws "$WS"

# go-run.sh GOPROXY NAME: build and run the app with a module cache of its
# own (nothing is found locally), checksums not asked of sum.golang.org.
cat >"$SCRATCH/go-run.sh" <<EOF
set -e
export HOME=$WS GOPATH=$WS/gopath-\$2 GOCACHE=$WS/gocache GOFLAGS=-mod=mod GONOSUMDB=registry.test
export GOPROXY=\$1 SSL_CERT_FILE=$SCRATCH/cert.pem
cd $WS/app
rm -f go.sum
go build -o app-\$2 .
./app-\$2
EOF

net_call t-https bash "$SCRATCH/go-run.sh" "$URL/go" https
[ "$RUN_RC" = 0 ] || diag_run
like "$STDOUT" '^tiny go module works$' "go build with GOPROXY=https://registry.test (CONNECT) through the proxy"
none_refused
like "$(journal_net t-https)" "\"host\":\"registry.test\".*\"port\":$PORT.*\"kind\":\"connect\".*\"verdict\":\"allowed\".*\"bytes_down\":[1-9]" \
        "... journaled as a CONNECT to registry.test:$PORT with its bytes"
diag "$(journal_net t-https | head -n 1)"
like "$(grep 'GET /go/' "$SCRATCH/requests.log" 2>/dev/null | sort -u | tr '\n' ' ')" 'v1.0.0.mod.*v1.0.0.zip' \
        "... the module proxy served the .mod and the .zip"

net_call t-http bash "$SCRATCH/go-run.sh" "$PURL/go" http
[ "$RUN_RC" = 0 ] || diag_run
like "$STDOUT" '^tiny go module works$' "go build with GOPROXY=http://registry.test (absolute-form requests) through the proxy"
none_refused
n=$(journal_net t-http | grep -c "\"port\":$PLAIN,\"kind\":\"http\",\"verdict\":\"allowed\"")
m=$(jq '[.connections[] | select(.kind == "http" and .verdict == "allowed")] | length' <<<"$NET")
like "$n/$m" '^([1-9][0-9]*)/\1$' "... one journal line per request (kind http), as many as the result counts ($n/$m)"

net_call t-denied bash "$SCRATCH/go-run.sh" https://proxy.golang.org denied
ok "go build from proxy.golang.org, not allowed, fails (rc $RUN_RC)" test "$RUN_RC" != 0
like "$STDERR" 'proxy.golang.org.*Forbidden' "... go names the host and the proxy's 403 ($(grep -m1 Forbidden <<<"$STDERR" | head -c 140))"
like "$(jq -r '.connections[0].host + " " + .connections[0].reason' <<<"$NET")" '^proxy.golang.org host not in egress.allow$' \
        "... and the result says which host and why"
like "$(journal_net t-denied)" '"host":"proxy.golang.org".*"verdict":"denied"' "... and a net journal line says denied"

done_testing
