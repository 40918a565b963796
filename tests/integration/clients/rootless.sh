# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Sourced by harness.sh and e2e.sh.  cj_rerun_rootless SCRIPT MODS MODULE... [-- FILE...]:
# when root, run SCRIPT again as uid 65534 ("rootless" as its argument) from
# a staged copy of what that user needs: the source tree may sit under /root.
# The built clawjail, its profiles and seccomp policies, the TAP library,
# SCRIPT and each FILE are copied; each MODULE (a directory under MODS,
# the clients' node_modules) is hard-linked where the file system allows (they are
# large).  HOME is the stage; CJ_README is set when a README.md is staged.
# Does not return: exits with the script's status, or SKIPs.
cj_rerun_rootless() {
        local script=$1 mods=$2 d stage
        shift 2
        command -v setpriv >/dev/null || { echo "1..0 # SKIP setpriv (util-linux) is not installed"; exit 0; }
        stage=$(mktemp -d /tmp/cj-clients-rootless.XXXXXX) || exit 1
        trap 'rm -rf "$stage"' EXIT
        cp "$CLAWJAIL" "$stage/clawjail"
        cp -r "$CLAWJAIL_PROFILE_PATH" "$stage/profiles"
        cp -r "$CLAWJAIL_SECCOMP_PATH" "$stage/seccomp"
        cp "$TAP_LIB" "$stage/tap.sh"
        cp "$script" "$stage/"
        while [ $# -gt 0 ] && [ "$1" != -- ]; do
                d=$1
                shift
                [ -d "$mods/$d" ] || continue
                mkdir -p "$stage/m/$(dirname "$d")"
                cp -al "$mods/$d" "$stage/m/$d" 2>/dev/null || cp -r "$mods/$d" "$stage/m/$d"
        done
        [ "${1:-}" = -- ] && shift
        [ $# -gt 0 ] && cp "$@" "$stage/"
        local extra=()
        [ -f "$stage/README.md" ] && extra=(CJ_README="$stage/README.md")
        chmod -R a+rX "$stage"
        chmod 755 "$stage"
        cd "$stage" || exit 1
        setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env \
                env -i PATH="$PATH" HOME="$stage" TMPDIR=/tmp LANG=C.UTF-8 \
                CLAWJAIL="$stage/clawjail" CLAWJAIL_PROFILE_PATH="$stage/profiles" \
                CLAWJAIL_SECCOMP_PATH="$stage/seccomp" TAP_LIB="$stage/tap.sh" CJ_CLIENT_MODULES="$stage/m" \
                "${extra[@]}" bash "$stage/$(basename "$script")" rootless
        exit $?
}
