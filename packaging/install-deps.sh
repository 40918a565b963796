#!/usr/bin/env bash
# Install the Debian packages listed in packaging/debian-deps.txt (needs root).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mapfile -t pkgs < <(grep -v '^\s*#' "$here/debian-deps.txt" | grep -v '^\s*$')
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: run as root (apt-get install)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
echo "install-deps: ${#pkgs[@]} packages present"

# The real agent-side clients the integration tests drive (MCP SDKs, OpenClaw,
# Claude Code, Gemini CLI, Codex), pinned by
# tests/integration/clients/package-lock.json.  Install scripts are not run:
# the tests need the packages' code, not their post-install steps.
clients="$here/../tests/integration/clients"
if ! command -v npm >/dev/null; then
        echo "install-deps: npm is missing: the MCP and OpenClaw client tests will SKIP" >&2
elif [ -f "$clients/package-lock.json" ]; then
        (cd "$clients" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null)
        echo "install-deps: test clients installed in tests/integration/clients/node_modules"
fi
