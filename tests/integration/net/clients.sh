#!/bin/bash
# SPDX-License-Identifier: MIT
# Real clients, unmodified, through the egress proxy: git (smart HTTP, git
# http-backend), npm install and pip install/download from a local registry
# (registry.py, 127.0.0.1 only, its name pinned), over HTTPS (CONNECT) and
# again over plain HTTP (absolute-form requests, rewritten to one request
# per connection).  They find the proxy through the *_PROXY variables
# alone; only the test CA is passed.
. "${TAP_LIB:?}"

HERE=$(cd "$(dirname "$0")" && pwd)
for tool in openssl python3 git; do
        command -v $tool >/dev/null || {
                echo "1..0 # SKIP $tool is not installed"
                exit 0
        }
done
WS=$(tap_workspace)
SCRATCH=$(tap_scratch)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$SCRATCH/key.pem" -out "$SCRATCH/cert.pem" -days 2 \
        -subj /CN=registry.test -addext "subjectAltName=DNS:registry.test" 2>/dev/null ||
        bail_out "openssl cannot make a certificate"
# A repository to clone.
git init -q --bare "$SCRATCH/git/demo.git"
git init -q "$SCRATCH/src"
(cd "$SCRATCH/src" && echo "cloned through the proxy" >README && git add README &&
        git -c user.name=t -c user.email=t@t commit -qm init && git push -q "$SCRATCH/git/demo.git" HEAD:main) ||
        bail_out "cannot build the test repository"
git --git-dir="$SCRATCH/git/demo.git" symbolic-ref HEAD refs/heads/main
chmod -R a+rX "$SCRATCH"

python3 "$HERE/registry.py" "$SCRATCH/cert.pem" "$SCRATCH/key.pem" "$SCRATCH/git" >"$SCRATCH/port" 2>"$SCRATCH/err" &
server=$!
trap 'kill $server 2>/dev/null; tap_cleanup' EXIT
for _ in $(seq 1 100); do
        grep -q port "$SCRATCH/port" && break
        sleep 0.1
done
PORT=$(sed -n 's/^port //p' "$SCRATCH/port")
PLAIN=$(sed -n 's/^plain //p' "$SCRATCH/port")
[ -n "$PORT" ] || bail_out "registry did not start: $(cat "$SCRATCH/err")"
cat >"$SCRATCH/p.json" <<JSON
{ "extends": "default", "widen": ["network"], "network": "proxy",
  "egress": { "allow": ["registry.test"], "ports": [$PORT, $PLAIN], "resolve": { "registry.test": "127.0.0.1" } } }
JSON
chmod a+r "$SCRATCH/p.json"
URL=https://registry.test:$PORT

run_sandbox --json --profile "$SCRATCH/p.json" --ro "$SCRATCH" -- bash -c "
        export HOME=$WS
        git -c http.sslCAInfo=$SCRATCH/cert.pem clone -q $URL/git/demo.git demo && cat demo/README"
[ "$RUN_RC" = 0 ] || diag_run
like "$(jq -r .stdout <<<"$RUN_OUT")" '^cloned through the proxy$' "git clone over https (smart HTTP) through the proxy"

if command -v npm >/dev/null; then
        run_sandbox --json --profile "$SCRATCH/p.json" --ro "$SCRATCH" -- bash -c "
                export HOME=$WS npm_config_cache=$WS/.npm npm_config_cafile=$SCRATCH/cert.pem
                npm install --loglevel=error --no-audit --no-fund --prefix $WS/n --registry $URL/ tinynpm &&
                node -e 'console.log(require(\"$WS/n/node_modules/tinynpm\"))'"
        [ "$RUN_RC" = 0 ] || diag_run
        like "$(jq -r .stdout <<<"$RUN_OUT")" 'tinynpm works' "npm install from an https registry through the proxy"
else
        skip "npm install through the proxy" "npm is not installed"
fi

if python3 -m pip --version >/dev/null 2>&1; then
        run_sandbox --json --profile "$SCRATCH/p.json" --ro "$SCRATCH" -- bash -c "
                export HOME=$WS
                python3 -m pip install -q --no-cache-dir --disable-pip-version-check --target $WS/py \
                        --cert $SCRATCH/cert.pem --index-url $URL/simple/ tinypkg &&
                PYTHONPATH=$WS/py python3 -c 'import tinypkg; print(tinypkg.WORKS)'"
        [ "$RUN_RC" = 0 ] || diag_run
        like "$(jq -r .stdout <<<"$RUN_OUT")" 'tinypkg works' "pip install from an https index through the proxy"
else
        skip "pip install through the proxy" "pip is not installed"
fi

# The same over plain HTTP: each request goes through the absolute-form path
# (Host checked, framing followed, Connection: close), git's POSTs included.
PURL=http://registry.test:$PLAIN
run_sandbox --json --profile "$SCRATCH/p.json" --ro "$SCRATCH" -- bash -c "
        export HOME=$WS
        git clone -q $PURL/git/demo.git demo-plain && cat demo-plain/README"
[ "$RUN_RC" = 0 ] || diag_run
like "$(jq -r .stdout <<<"$RUN_OUT")" '^cloned through the proxy$' "git clone over plain HTTP through the proxy"
is "$(jq -r '[.network.connections[] | select(.kind == "http" and .verdict == "allowed")] | length > 1' <<<"$RUN_OUT")" true \
        "... one proxied request per connection, each journaled as kind http"
if command -v npm >/dev/null; then
        run_sandbox --json --profile "$SCRATCH/p.json" --ro "$SCRATCH" -- bash -c "
                export HOME=$WS npm_config_cache=$WS/.npm-plain
                npm install --loglevel=error --no-audit --no-fund --prefix $WS/np --registry $PURL/ tinynpm &&
                node -e 'console.log(require(\"$WS/np/node_modules/tinynpm\"))'"
        [ "$RUN_RC" = 0 ] || diag_run
        like "$(jq -r .stdout <<<"$RUN_OUT")" 'tinynpm works' "npm install from a plain HTTP registry through the proxy"
else
        skip "npm install over plain HTTP" "npm is not installed"
fi
if python3 -m pip --version >/dev/null 2>&1; then
        run_sandbox --json --profile "$SCRATCH/p.json" --ro "$SCRATCH" -- bash -c "
                export HOME=$WS
                python3 -m pip download -q --no-cache-dir --disable-pip-version-check -d $WS/dl \
                        --index-url $PURL/simple/ --trusted-host registry.test tinypkg && ls $WS/dl"
        [ "$RUN_RC" = 0 ] || diag_run
        like "$(jq -r .stdout <<<"$RUN_OUT")" '^tinypkg-1.0-py3-none-any.whl$' "pip download from a plain HTTP simple index through the proxy"
else
        skip "pip download over plain HTTP" "pip is not installed"
fi

# The same clone with the host not allowed: refused with a reason.
run_sandbox --json --profile "$SCRATCH/p.json" --ro "$SCRATCH" -- bash -c "
        export HOME=$WS
        git -c http.sslCAInfo=$SCRATCH/cert.pem clone -q https://github.com/x/y.git y"
like "$(jq -r .stderr <<<"$RUN_OUT")" '403|CONNECT' "git clone of a host not allowed fails ($(jq -r .stderr <<<"$RUN_OUT" | head -c 80))"
like "$(jq -r '.network.connections[0].reason' <<<"$RUN_OUT")" 'not in egress.allow' "... and the result says why"

kill $server 2>/dev/null
done_testing
