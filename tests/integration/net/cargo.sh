#!/bin/bash
# SPDX-License-Identifier: MIT
# cargo through the egress proxy, unmodified: a cargo registry on 127.0.0.1
# with one crate (tinycrate, made by pkgfixtures.py), its index both as a git
# repository (git smart HTTP, the protocol Debian 12's cargo uses for
# crates.io) and as a sparse registry, served by registry.py over HTTPS
# (self-signed certificate for the pinned name registry.test, trusted
# through CARGO_HTTP_CAINFO) and plain HTTP.  The workspace's CARGO_HOME
# config.toml replaces crates-io with it; cargo finds the proxy through
# HTTPS_PROXY / http_proxy alone.  crates.io itself, not allowed, fails with
# a reason.
. "${TAP_LIB:?}"
. "$(cd "$(dirname "$0")" && pwd)/common.sh"

net_need openssl python3 jq git cargo
net_registry_start

# The same crate twice: downloads over HTTPS (cargo/) and over plain HTTP
# (cargo-plain/); each index also as a bare git repository under git/.
python3 "$HERE/pkgfixtures.py" cargo "$STATIC/cargo" "$URL/cargo" &&
        python3 "$HERE/pkgfixtures.py" cargo "$STATIC/cargo-plain" "$PURL/cargo-plain" ||
        bail_out "cannot build the cargo registry"
for v in cargo cargo-plain; do
        git init -q "$SCRATCH/idx-$v" && cp -r "$STATIC/$v/index/." "$SCRATCH/idx-$v/" &&
                (cd "$SCRATCH/idx-$v" && git add . && git -c user.name=t -c user.email=t@t commit -qm index) &&
                git clone -q --bare "$SCRATCH/idx-$v" "$SCRATCH/git/$v-index.git" ||
                bail_out "cannot build the git index"
done

mkdir -p "$WS/app/src"
cat >"$WS/app/Cargo.toml" <<'EOF'
[package]
name = "app"
version = "0.1.0"
edition = "2018"

[dependencies]
tinycrate = "1.0"
EOF
echo 'fn main() { println!("{}", tinycrate::works()); }' >"$WS/app/src/main.rs"
tap_chown_ws "$WS"

# Sparse registries are stable from cargo 1.68; Debian 12's 1.65 has them
# behind -Z sparse-registry (RUSTC_BOOTSTRAP=1 lets a stable cargo take -Z).
CARGO_VERSION=$(PATH=$SANDBOX_PATH cargo --version | awk '{print $2}')
SPARSE_CARGO=(cargo)
if [ "$(printf '%s\n1.68.0\n' "$CARGO_VERSION" | sort -V | head -n 1)" != 1.68.0 ]; then
        SPARSE_CARGO=(env RUSTC_BOOTSTRAP=1 cargo -Z sparse-registry)
fi
diag "cargo $CARGO_VERSION (sparse: ${SPARSE_CARGO[*]})"

# cargo-run.sh REGISTRY NAME COMMAND...: CARGO_HOME of its own whose
# config.toml replaces crates-io with REGISTRY ("crates.io": no replacement).
cat >"$SCRATCH/cargo-run.sh" <<EOF
set -e
export HOME=$WS CARGO_HOME=$WS/cargo-\$2 CARGO_TARGET_DIR=$WS/target CARGO_HTTP_CAINFO=$SCRATCH/cert.pem
mkdir -p \$CARGO_HOME
if [ "\$1" != crates.io ]; then
        printf '[source.crates-io]\nreplace-with = "local"\n[source.local]\nregistry = "%s"\n' "\$1" >\$CARGO_HOME/config.toml
fi
shift 2
cd $WS/app
rm -f Cargo.lock
"\$@"
EOF

net_call t-git bash "$SCRATCH/cargo-run.sh" "$URL/git/cargo-index.git" git cargo run -q
[ "$RUN_RC" = 0 ] || diag_run
like "$STDOUT" '^tinycrate works$' "cargo run: git index and .crate over HTTPS (CONNECT) through the proxy"
none_refused
like "$(journal_net t-git)" "\"host\":\"registry.test\".*\"port\":$PORT.*\"kind\":\"connect\".*\"verdict\":\"allowed\".*\"bytes_down\":[1-9]" \
        "... journaled as CONNECTs to registry.test:$PORT with their bytes"
diag "$(journal_net t-git | head -n 1)"
like "$(grep -c 'GET /cargo/crates/tinycrate-1.0.0.crate' "$SCRATCH/requests.log" 2>/dev/null)" '^[1-9]' "... the registry served the .crate"

# cargo's git transport sends "Host: registry.test" (no port) to
# registry.test:PLAIN: a Host without a port names the target's host.
net_call t-git-plain bash "$SCRATCH/cargo-run.sh" "$PURL/git/cargo-plain-index.git" git-plain cargo fetch
[ "$RUN_RC" = 0 ] || diag_run
ok "cargo fetch: git index and .crate over plain HTTP through the proxy" test "$RUN_RC" = 0
none_refused
like "$(find "$WS/cargo-git-plain/registry/cache" -name 'tinycrate-1.0.0.crate' 2>/dev/null)" 'tinycrate-1.0.0.crate$' \
        "... the .crate is in the call's CARGO_HOME"
n=$(journal_net t-git-plain | grep -c "\"port\":$PLAIN,\"kind\":\"http\",\"verdict\":\"allowed\"")
m=$(jq '[.connections[] | select(.kind == "http" and .verdict == "allowed")] | length' <<<"$NET")
like "$n/$m" '^([1-9][0-9]*)/\1$' "... one journal line per request (kind http), as many as the result counts ($n/$m)"

net_call t-sparse bash "$SCRATCH/cargo-run.sh" "sparse+$URL/cargo/index/" sparse "${SPARSE_CARGO[@]}" fetch
[ "$RUN_RC" = 0 ] || diag_run
ok "cargo fetch: sparse registry over HTTPS through the proxy" test "$RUN_RC" = 0
none_refused
like "$(grep 'GET /cargo/index/' "$SCRATCH/requests.log" 2>/dev/null | sort -u | tr '\n' ' ')" 'config.json.*ti/ny/tinycrate' \
        "... the sparse index served config.json and the crate's index file"

# Debian's cargo with no replacement: crates.io's git index (api.github.com,
# github.com) or its sparse one (index.crates.io, cargo >= 1.70) is not
# allowed.
net_call t-denied bash "$SCRATCH/cargo-run.sh" crates.io denied cargo fetch
ok "cargo fetch from crates.io, not allowed, fails (rc $RUN_RC)" test "$RUN_RC" != 0
like "$STDERR" '403|CONNECT' "... cargo names the proxy's refusal ($(grep -m1 -E '403|CONNECT' <<<"$STDERR" | head -c 140))"
like "$(jq -r '.connections[0].host + " " + .connections[0].reason' <<<"$NET")" \
        '^((api\.)?github\.com|index\.crates\.io) host not in egress.allow$' "... and the result says which host and why"
like "$(journal_net t-denied)" '"host":"((api\.)?github\.com|index\.crates\.io)".*"verdict":"denied"' "... and a net journal line says denied"

done_testing
