#!/bin/bash
# SPDX-License-Identifier: MIT
# Mount setup against a workspace that changes under it (issue 7 §2): while
# calls start, a parallel process keeps swapping directories of the
# workspace for symlinks to a directory outside it.  Whatever the timing,
# setup never follows such a link: a pin (a writable bind of a directory on
# the way to a protected path) never binds the link's target, and a hooks/
# directory made for protection is never created through it.  A call either
# runs or fails closed (125); the outside directory stays untouched.
. "${TAP_LIB:?}"
if ! command -v python3 >/dev/null; then
        echo "1..0 # SKIP python3 is not installed"
        exit 0
fi
WS=$(tap_workspace)
OUT=$(tap_workspace) # writable by the sandbox user, outside every root
mkdir -p "$WS/p/.git/hooks" "$WS/n/.git"
echo "[core]" >"$WS/p/.git/config"
echo "[core]" >"$WS/n/.git/config"
tap_chown_ws "$WS"

# Exchange each DIR with a symlink to $OUT (renameat2 RENAME_EXCHANGE: the
# name always exists, as a directory or as the link), until $STOP appears.
STOP=$(tap_scratch)/stop
python3 - "$STOP" "$WS/p" "$WS/n/.git" "$OUT" <<'PY' &
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD, RENAME_EXCHANGE = -100, 2
stop, dirs, out = sys.argv[1], sys.argv[2:-1], sys.argv[-1]
for d in dirs:
    os.symlink(out, d + ".lnk")
n = 0
while not os.path.exists(stop):
    for d in dirs:
        if libc.renameat2(AT_FDCWD, d.encode(), AT_FDCWD, (d + ".lnk").encode(), RENAME_EXCHANGE) != 0:
            sys.exit("renameat2 %s: %s" % (d, os.strerror(ctypes.get_errno())))
        n += 1
for d in dirs: # leave each name a directory again
    if os.path.islink(d):
        libc.renameat2(AT_FDCWD, d.encode(), AT_FDCWD, (d + ".lnk").encode(), RENAME_EXCHANGE)
print("# %d exchanges" % n)  # a TAP comment: a bare line is "Unknown TAP output"
PY
swapper=$!
ran=0 closed=0 other=""
for i in $(seq 1 30); do
        RUN_CWD=$WS run_sandbox -- bash -c 'touch p/pwned n/.git/hooks/pwned 2>/dev/null; echo ran'
        case "$RUN_RC" in
        0) ran=$((ran + 1)) ;;
        125) closed=$((closed + 1)) ;;
        *) other+=" $RUN_RC:$(head -c 200 <<<"$RUN_ERR")" ;;
        esac
done
touch "$STOP"
wait "$swapper"
is "$?" 0 "the swapper ran to the end"
is "$other" "" "every call either ran or failed closed ($ran ran, $closed failed closed)"
is "$(ls -A "$OUT")" "" "the directory the symlinks led to is untouched (no pin bound it, no hooks/ made in it)"
# A hooks/ the plan did not see (p was the link then) but the rescan after
# the call did is moved aside as the call's own: renamed, never lost.
ok "the workspace's own directories are back in place (hooks/ kept or moved aside)" \
        bash -c '[ -d "$1/p/.git" ] && [ ! -L "$1/p" ] && compgen -G "$1/p/.git/hooks*" >/dev/null' _ "$WS"
ok "and the race was met (some calls failed closed)" test "$closed" -ge 1
diag "$ran calls ran, $closed failed closed while the workspace changed under them"
done_testing
