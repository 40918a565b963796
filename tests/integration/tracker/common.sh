# SPDX-License-Identifier: MIT
# Shared setup of the tracker integration scripts: TAP helpers, a fresh state
# dir, and `cj` = the real binary with --state-dir pointing at it.
. "$TAP_LIB"
if ! command -v jq >/dev/null; then
        echo "1..0 # SKIP jq is not installed"
        exit 0
fi
SD=$(tap_scratch)
export CLAWJAIL_STATE_DIR="$SD"
cjq() {
        "$CLAWJAIL" "$@" >/dev/null
}
cj() {
        "$CLAWJAIL" "$@"
}
# Status field via jq: status TASK FILTER
st() {
        cj task status "$1" --json | jq -r "$2"
}

# line_mac: the hash of a keyed journal's line (stdin): HMAC-SHA-256 under the
# state dir's host key.
line_mac() {
        python3 -c 'import hashlib, hmac, sys
print(hmac.new(open(sys.argv[1], "rb").read(), sys.stdin.buffer.read(), hashlib.sha256).hexdigest())' "$SD/host.key"
}
