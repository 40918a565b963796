#!/bin/bash
# SPDX-License-Identifier: MIT
# Where user namespaces are unavailable, clawjail says so in one line that
# names the switch to flip, exits 125 and runs nothing.  The limit is made 0
# inside a throwaway user namespace (max_user_namespaces is per namespace), so
# the host's setting is never touched.
. "${TAP_LIB:?}"

if ! unshare -U -r true 2>/dev/null; then
        skip "user namespaces are unavailable here already: cannot build the scenario" 
        done_testing
        exit 0
fi
WS=$(tap_workspace)
marker="$WS/ran-$$"
err=$(cd "$WS" && unshare -U -r sh -c 'echo 0 > /proc/sys/user/max_user_namespaces && exec "$0" run -- touch "$1"' \
        "$CLAWJAIL" "$marker" 2>&1 >/dev/null)
rc=$?
is "$rc" 125 "no user namespaces -> exit 125"
is "$(printf '%s\n' "$err" | grep -c .)" 1 "exactly one line on stderr"
like "$err" "user\\.max_user_namespaces" "the line names the sysctl to change"
ok "nothing ran" test ! -e "$marker"
done_testing
