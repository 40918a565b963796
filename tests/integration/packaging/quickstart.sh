#!/bin/bash
# SPDX-License-Identifier: MIT
# packaging/quickstart.sh shows the build's own error output when the build
# fails (it used to send meson's output to /dev/null and fail silently).  A
# copy of the source tree with a meson.build that fails on purpose.
. "$TAP_LIB"
SRC=${CLAWJAIL_SOURCE_DIR:?}
command -v meson >/dev/null || { echo "1..0 # SKIP meson is not installed"; exit 0; }
T=$(tap_scratch)
(cd "$SRC" && git ls-files -co --exclude-standard -z | grep -zv '^build' | xargs -0 cp --parents -t "$T") ||
        bail_out "cannot copy the source tree"
ok "the copy has the quickstart" test -x "$T/packaging/quickstart.sh"
# fail right after project(): the message must reach the user
sed -i "0,/^cc = /s//error('deliberate build failure 7f3a')\ncc = /" "$T/meson.build"
out=$(cd "$T" && bash packaging/quickstart.sh --no-deps 2>&1)
rc=$?
isnt_zero() { [ "$1" != 0 ]; }
ok "a failed build makes quickstart fail (rc $rc)" isnt_zero "$rc"
like "$out" "deliberate build failure 7f3a" "and its output shows meson's error"
like "$out" "the build failed" "and says the build failed"
done_testing
