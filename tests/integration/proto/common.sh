# shellcheck shell=bash disable=SC1090,SC2034
# SPDX-License-Identifier: MIT
# Shared setup of the protocol integration scripts: TAP helpers, a fresh state
# dir, a workspace the sandbox user can write (the launcher runs from it, so it
# is ${CWD}, the default profile's writable root), and helpers around the real
# binary.  Every call here really runs through the sandbox.
. "$TAP_LIB"
if ! command -v jq >/dev/null; then
        echo "1..0 # SKIP jq is not installed"
        exit 0
fi
SD=$(tap_scratch)
export CLAWJAIL_STATE_DIR="$SD"
WS=$(tap_workspace)
cd "$WS" || bail_out "cannot enter the workspace $WS"
: "${CALL_TIMEOUT:=60}"

cj() {
        timeout -k 5 "$CALL_TIMEOUT" "$CLAWJAIL" "$@"
}

# call REQUEST [CALL OPTS...]: one `clawjail call`; sets R (result) and RC.
call() {
        local req=$1
        shift
        R=$(printf '%s' "$req" | cj call "$@")
        RC=$?
}

# call_file FILE [CALL OPTS...]: the same with the request bytes in FILE.
call_file() {
        local f=$1
        shift
        R=$(cj call "$@" <"$f")
        RC=$?
}

# jr FILTER: jq -r on the last result.
jr() {
        jq -r "$1" <<<"$R"
}

# st TASK FILTER: jq -r on `task status TASK --json`.
st() {
        cj task status "$1" --json | jq -r "$2"
}

# jl TASK FILTER: jq -r on the journal as one JSON array.
jl() {
        cj journal show "$1" --json | jq -r "$2"
}

# events TASK EVENT: how many EVENT lines the journal holds.
events() {
        jl "$1" "[.[] | select(.event == \"$2\")] | length"
}

# journal_line TASK SEQ: that line's bytes (without the newline).
journal_line() {
        sed -n "${2}p" "$SD/tasks/$1/journal.jsonl"
}

# A directory outside every root the default profile grants (not under /tmp,
# /var/tmp or /run, which are the sandbox's own tmpfs), removed at exit.
outside_dir() {
        local d
        if [ "$(id -u)" = 0 ]; then
                d=$(mktemp -d /var/cj-proto-out.XXXXXX) || bail_out "mktemp in /var failed"
        else
                d=$(mktemp -d "$HOME/.cj-proto-out.XXXXXX") || bail_out "mktemp in \$HOME failed"
        fi
        chmod 755 "$d"
        TAP_CLEANUP+=("$d")
        printf '%s\n' "$d"
}

# A relative path from the workspace that climbs to / and then to ABS.
dotdot_to() {
        local rel="" p=$WS
        while [ "$p" != / ]; do
                rel="../$rel"
                p=$(dirname "$p")
        done
        printf '%s%s\n' "$rel" "${1#/}"
}

# line_mac: the hash of a keyed journal's line (stdin): HMAC-SHA-256 under the
# state dir's host key.
line_mac() {
        python3 -c 'import hashlib, hmac, sys
print(hmac.new(open(sys.argv[1], "rb").read(), sys.stdin.buffer.read(), hashlib.sha256).hexdigest())' "$SD/host.key"
}
