#!/bin/bash
# SPDX-License-Identifier: MIT
# rootless.sh SCRIPT: run a sandbox test script as an unprivileged user.
#
# Started by root, copy the binary, profiles/, seccomp/ and the helpers into
# a fresh directory uid 65534 can reach (the source tree may live under
# /root), then re-run SCRIPT as 65534:65534 with no supplementary groups and a
# reset environment carrying only what the tests need.  Started by anyone
# else, just run SCRIPT: it already is rootless.
set -u
script=${1:?usage: rootless.sh SCRIPT}

if [ "$(id -u)" != 0 ]; then
        exec bash "$script"
fi

if ! command -v setpriv >/dev/null; then
        echo "1..0 # SKIP setpriv (util-linux) is not installed"
        exit 0
fi

stage=$(mktemp -d /tmp/cj-rootless.XXXXXX) || exit 1
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/helpers"
cp "$CLAWJAIL" "$stage/clawjail"
cp -r "$CLAWJAIL_PROFILE_PATH" "$stage/profiles"
cp -r "$CLAWJAIL_SECCOMP_PATH" "$stage/seccomp"
cp "$CJ_HELPERS_DIR"/cj-probe "$stage/helpers/"
cp "$TAP_LIB" "$stage/tap.sh"
cp "$script" "$stage/test.sh"
cp "$(dirname "$script")"/*.py "$stage/" 2>/dev/null # helper scripts next to the test
# Scripts that source a sibling common.sh (tests/integration/proto) get it too.
if [ -f "$(dirname "$script")/common.sh" ]; then
        cp "$(dirname "$script")/common.sh" "$stage/common.sh"
fi
chmod -R a+rX "$stage"
chmod 755 "$stage"

# A sanitizer run's options (tests/run --sanitize) hold for this half too.
san=()
for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
        [ -z "${!v:-}" ] || san+=("$v=${!v}")
done

# Run from the stage: the user's current directory may be unreachable.
cd "$stage" || exit 1
setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env \
        env -i "${san[@]}" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME="$stage" TMPDIR=/tmp LANG=C.UTF-8 \
        CLAWJAIL="$stage/clawjail" \
        CLAWJAIL_PROFILE_PATH="$stage/profiles" \
        CLAWJAIL_SECCOMP_PATH="$stage/seccomp" \
        CLAWJAIL_SOURCE_DIR="${CLAWJAIL_SOURCE_DIR:-}" \
        CJ_HELPERS_DIR="$stage/helpers" \
        TAP_LIB="$stage/tap.sh" \
        bash "$stage/test.sh"
exit $?
