# SPDX-License-Identifier: MIT
# Shared by the package-client tests (apt.sh, go.sh, cargo.sh), sourced
# after tap.sh: a registry on 127.0.0.1 (registry.py: HTTPS with a
# self-signed certificate for the pinned name registry.test, and plain
# HTTP), a proxy-mode profile that allows only registry.test, and calls in a
# task whose journal the tests read.
#
#   net_need TOOL...          "1..0 # SKIP" unless each TOOL is on the
#                             sandbox's PATH
#   net_registry_start        makes WS, SCRATCH (STATIC under it), STATE,
#                             the certificate; starts registry.py serving
#                             SCRATCH/git and STATIC; sets PORT (HTTPS),
#                             PLAIN (HTTP), URL, PURL, SCRATCH/p.json
#   net_call TASK CMD...      run_sandbox --json in TASK with SCRATCH read-only;
#                             sets STDOUT, STDERR, NET (the result's "network")
#   journal_net TASK          the task's "net" journal lines
#   none_refused              a test: the last call's result lists no
#                             refused connection (each one in a diag if so)

HERE=$(cd "$(dirname "$0")" && pwd)
# The sandbox's PATH (profiles/default.json): a tool the host finds only
# elsewhere (~/.cargo/bin) is not what the call would run.
SANDBOX_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN_OUTER_TIMEOUT=150 # a build inside the call, on a loaded machine

net_need() {
        local tool
        for tool in "$@"; do
                PATH=$SANDBOX_PATH command -v "$tool" >/dev/null || {
                        echo "1..0 # SKIP $tool is not installed"
                        exit 0
                }
        done
}

net_registry_start() {
        WS=$(tap_workspace)
        SCRATCH=$(tap_scratch)
        STATE=$(tap_scratch)
        chmod 777 "$STATE"
        STATIC=$SCRATCH/static
        mkdir -p "$STATIC" "$SCRATCH/git"
        openssl req -x509 -newkey rsa:2048 -nodes -keyout "$SCRATCH/key.pem" -out "$SCRATCH/cert.pem" -days 2 \
                -subj /CN=registry.test -addext "subjectAltName=DNS:registry.test" 2>/dev/null ||
                bail_out "openssl cannot make a certificate"
        python3 "$HERE/registry.py" "$SCRATCH/cert.pem" "$SCRATCH/key.pem" "$SCRATCH/git" "$STATIC" \
                >"$SCRATCH/port" 2>"$SCRATCH/err" &
        NET_SERVER=$!
        trap 'kill $NET_SERVER 2>/dev/null; tap_cleanup' EXIT
        for _ in $(seq 1 100); do
                grep -q '^port' "$SCRATCH/port" && break
                sleep 0.1
        done
        PORT=$(sed -n 's/^port //p' "$SCRATCH/port")
        PLAIN=$(sed -n 's/^plain //p' "$SCRATCH/port")
        [ -n "$PORT" ] || bail_out "registry did not start: $(cat "$SCRATCH/err")"
        URL=https://registry.test:$PORT
        PURL=http://registry.test:$PLAIN
        cat >"$SCRATCH/p.json" <<JSON
{ "extends": "default", "widen": ["network"], "network": "proxy",
  "egress": { "allow": ["registry.test"], "ports": [$PORT, $PLAIN, 443, 80],
              "resolve": { "registry.test": "127.0.0.1" } } }
JSON
}

net_call() {
        local task=$1
        shift
        chmod -R a+rX "$SCRATCH"
        run_sandbox --json --task "$task" --state-dir "$STATE" --profile "$SCRATCH/p.json" --ro "$SCRATCH" -- "$@"
        NET=$(jq -c '.network // empty' <<<"$RUN_OUT" 2>/dev/null)
        STDOUT=$(jq -r '.stdout // empty' <<<"$RUN_OUT" 2>/dev/null)
        STDERR=$(jq -r '.stderr // empty' <<<"$RUN_OUT" 2>/dev/null)
}

journal_net() {
        grep '"event":"net"' "$STATE/tasks/$1/journal.jsonl" 2>/dev/null
}

none_refused() {
        is "$(jq -r .denied <<<"$NET")" 0 "... and no connection refused"
        [ "$(jq -r .denied <<<"$NET")" = 0 ] || diag "$(jq -c '.connections[] | select(.verdict != "allowed")' <<<"$NET")"
}
