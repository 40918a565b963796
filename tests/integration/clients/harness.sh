#!/bin/bash
# SPDX-License-Identifier: MIT
# harness.sh [rootless]: the real Claude Code and Gemini CLI, configured as
# the README says, run their MCP health check against the built clawjail
# (initialize + tools/list over stdio): each must report the server
# connected, and a broken configuration (a profile that does not exist) must
# be reported as failed, so the check can fail.  "rootless" re-runs this
# script as uid 65534 (when started by root), with hard-linked copies of the
# clients.  Their node_modules come from `npm ci` here
# (packaging/install-deps.sh); without them the test SKIPs and says why.
set -u
here=$(cd "$(dirname "$0")" && pwd)
mode=${1:-root}
mods=${CJ_CLIENT_MODULES:-$here/node_modules}
claude=$mods/@anthropic-ai/claude-code-linux-x64/claude
gemini=$mods/@google/gemini-cli/bundle/gemini.js
if [ ! -x "$claude" ] || [ ! -f "$gemini" ]; then
        echo "1..0 # SKIP Claude Code or Gemini CLI is not installed: run packaging/install-deps.sh (npm ci in tests/integration/clients)"
        exit 0
fi
if [ "$(uname -m)" != x86_64 ]; then
        echo "1..0 # SKIP the pinned Claude Code binary is the linux-x64 build"
        exit 0
fi

if [ "$mode" = rootless ] && [ "$(id -u)" = 0 ]; then
        . "$here/rootless.sh"
        cj_rerun_rootless "$0" "$mods" @anthropic-ai/claude-code-linux-x64 @google/gemini-cli
fi

. "${TAP_LIB:?}"
for tool in git node; do
        command -v $tool >/dev/null || { echo "1..0 # SKIP $tool is not installed"; exit 0; }
done
SD=$(tap_scratch)
export HOME=$SD/home CLAWJAIL_STATE_DIR=$SD/state
mkdir -p "$HOME" "$SD/proj"
# Neither client may phone home during a health check.
export DISABLE_AUTOUPDATER=1 DISABLE_TELEMETRY=1 DISABLE_ERROR_REPORTING=1 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1
export GEMINI_CLI_NO_RELAUNCH=1
cd "$SD/proj" && git init -q . && echo '# demo' >README.md

# ---- Claude Code: `claude mcp add clawjail -- clawjail mcp --profile default` ----
cc() { timeout -k 5 120 "$claude" "$@" 2>&1; }
out=$(cc mcp add clawjail -- "$CLAWJAIL" mcp --profile default)
like "$out" "Added stdio MCP server clawjail" "claude mcp add takes the README's command"
out=$(cc mcp add broken -- "$CLAWJAIL" mcp --profile no-such-profile)
out=$(cc mcp list)
like "$out" "clawjail: $CLAWJAIL mcp --profile default - .*Connected" "Claude Code: the clawjail server is connected"
like "$out" "broken: .* - .*Failed to connect" "Claude Code: a server with a missing profile is reported as failed"
out=$(cc mcp get clawjail)
like "$out" "Status: .*Connected" "claude mcp get: connected"

# ---- Gemini CLI: .gemini/settings.json in the project, as in the README ----------
gm() { timeout -k 5 120 node "$gemini" "$@" 2>&1; }
mkdir -p .gemini "$HOME/.gemini"
# No update checks or usage statistics: a health check must not phone home.
cat >"$HOME/.gemini/settings.json" <<EOF
{ "general": { "enableAutoUpdate": false, "enableAutoUpdateNotification": false },
  "privacy": { "usageStatisticsEnabled": false }, "telemetry": { "enabled": false } }
EOF
cat >.gemini/settings.json <<EOF
{ "mcpServers": { "clawjail": { "command": "$CLAWJAIL", "args": ["mcp", "--profile", "default"], "cwd": "$SD/proj" },
                  "broken": { "command": "$CLAWJAIL", "args": ["mcp", "--profile", "no-such-profile"], "cwd": "$SD/proj" } } }
EOF
out=$(gm mcp list)
like "$out" "clawjail: .* - Disabled" "Gemini CLI: an untrusted folder keeps the server disabled (the README says to trust it)"
printf '{"%s": "TRUST_FOLDER"}\n' "$SD/proj" >"$HOME/.gemini/trustedFolders.json"
out=$(gm mcp list)
like "$out" "clawjail: $CLAWJAIL mcp --profile default \(stdio\) - Connected" "Gemini CLI: the clawjail server is connected"
like "$out" "broken: .* - Disconnected" "Gemini CLI: a server with a missing profile is reported as disconnected"
diag "mode: $mode, uid $(id -u)"
done_testing
