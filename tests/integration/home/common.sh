# shellcheck shell=bash disable=SC2034
# SPDX-License-Identifier: MIT
# Shared setup of the home/ scripts: TAP helpers, a fresh state dir, a
# workspace the sandbox user can write (the launcher runs from it), and
# helpers around the real binary.  A script lists the programs it needs
# beyond jq in NEEDS before sourcing this file; a missing one SKIPs it.
. "$TAP_LIB"
for t in jq ${NEEDS:-}; do
        command -v "$t" >/dev/null || { echo "1..0 # SKIP $t is not installed"; exit 0; }
done
SD=$(tap_scratch)
export CLAWJAIL_STATE_DIR=$SD
WS=$(tap_workspace)
cd "$WS" || bail_out "cannot enter $WS"
cj() { timeout -k 5 60 "$CLAWJAIL" "$@"; }
# call REQUEST [CALL OPTS]: one `clawjail call`; sets R (result) and RC.
call() { R=$(printf '%s' "$1" | cj call "${@:2}"); RC=$?; }
jr() { jq -r "$1" <<<"$R"; }
hgit() { git -c safe.directory='*' "$@"; } # the host's git, whoever owns the workspace
