#!/bin/bash
# SPDX-License-Identifier: MIT
# run.sh TEST.mjs [rootless]: run a Node client test against the built
# clawjail, in a fresh workspace and state dir.  "rootless" stages the
# binary, profiles, policies, the test and its node_modules where uid 65534
# can reach them and runs it as 65534 (when started by root).
set -u
here=$(cd "$(dirname "$0")" && pwd)
test=${1:?usage: run.sh TEST.mjs [rootless]}
mode=${2:-root}
if ! command -v node >/dev/null; then
        echo "1..0 # SKIP node is not installed (packaging/install-deps.sh installs it)"
        exit 0
fi
if [ ! -d "$here/node_modules/@modelcontextprotocol" ]; then
        echo "1..0 # SKIP the test clients are not installed: run packaging/install-deps.sh (npm ci in tests/integration/clients)"
        exit 0
fi
tmp=$(mktemp -d /tmp/cj-clients.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/ws" "$tmp/state"
chmod 755 "$tmp" # the sandbox's uid must reach the workspace
if [ "$mode" = rootless ] && [ "$(id -u)" = 0 ]; then
        # Stage what 65534 needs: the source tree may sit under /root.
        mkdir "$tmp/stage"
        cp "$CLAWJAIL" "$tmp/stage/clawjail"
        cp -r "$CLAWJAIL_PROFILE_PATH" "$tmp/stage/profiles"
        cp -r "$CLAWJAIL_SECCOMP_PATH" "$tmp/stage/seccomp"
        cp -r "$here"/*.mjs "$here/node_modules" "$here/package.json" "$tmp/stage/"
        chmod -R a+rX "$tmp"
        chown -R 65534:65534 "$tmp/ws" "$tmp/state"
        cd "$tmp/stage" || exit 1
        exec setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env \
                env -i PATH="$PATH" HOME="$tmp/state" LANG=C.UTF-8 \
                CLAWJAIL="$tmp/stage/clawjail" CLAWJAIL_PROFILE_PATH="$tmp/stage/profiles" \
                CLAWJAIL_SECCOMP_PATH="$tmp/stage/seccomp" CLAWJAIL_STATE_DIR="$tmp/state" \
                CJ_WS="$tmp/ws" CJ_MODE=rootless node "$tmp/stage/$test"
fi
if [ "$(id -u)" = 0 ]; then
        # The sandbox runs as run_as (65534) when root starts it.
        chown 65534:65534 "$tmp/ws"
fi
CLAWJAIL_STATE_DIR="$tmp/state" CJ_WS="$tmp/ws" CJ_MODE="$mode" node "$here/$test"
