#!/bin/bash
# SPDX-License-Identifier: MIT
# clawjail doctor: on this host every check passes and a real sandboxed call
# runs; with user namespaces switched off (inside a throwaway user namespace,
# so the host is untouched) it fails, names the switch, and exits 1; a state
# dir others can write is a failure with the chmod that fixes it.
. "${TAP_LIB:?}"
if ! command -v jq >/dev/null; then
        echo "1..0 # SKIP jq is not installed"
        exit 0
fi
WS=$(tap_workspace)
SD=$(tap_scratch)
out=$(cd "$WS" && "$CLAWJAIL" doctor --json --state-dir "$SD/state")
rc=$?
first=$out
is "$rc" 0 "doctor exits 0 where the default profile runs fully"
is "$(jq -r .ok <<<"$out")" true "and says ok"
is "$(jq -r '[.checks[] | select(.name and .status and .detail)] | length' <<<"$out")" \
        "$(jq -r '.checks | length' <<<"$out")" "every check has a name, a status and a detail"
for name in "user namespaces" "mount API" "cgroups" "idmapped mounts" "seccomp" "seccomp user notification" \
        "landlock" "state directory" "sandboxed call"; do
        st=$(jq -r --arg n "$name" '.checks[] | select(.name==$n) | .status' <<<"$out")
        like "$st" '^(ok|warn)$' "$name: reported ($st)"
done
is "$(jq -r '.checks[] | select(.name=="sandboxed call") | .status' <<<"$out")" ok \
        "a real call ran in the sandbox"
text=$(cd "$WS" && "$CLAWJAIL" doctor --state-dir "$SD/state")
like "$text" "^ok +user namespaces" "the text form is one line per check"
like "$text" "can run the profile fully" "and ends with the verdict"

if unshare -U -r true 2>/dev/null; then
        out=$(cd "$WS" && unshare -U -r sh -c 'echo 0 > /proc/sys/user/max_user_namespaces && exec "$0" doctor --json' \
                "$CLAWJAIL" 2>/dev/null)
        rc=$?
        is "$rc" 1 "no user namespaces: doctor exits 1"
        is "$(jq -r '.checks[] | select(.name=="user namespaces") | .status' <<<"$out")" fail \
                "the user namespace check fails"
        like "$(jq -r '.checks[] | select(.name=="user namespaces") | .fix' <<<"$out")" "max_user_namespaces" \
                "and names the sysctl to change"
        is "$(jq -r '.checks[] | select(.name=="sandboxed call") | .status' <<<"$out")" fail \
                "the sandboxed call fails too, and says so"
else
        skip "doctor without user namespaces" "user namespaces are unavailable here already"
fi

# idmapped mounts: what the kernel answers for the workspace's filesystem,
# which is what a call as root uses (ext4 here; ramfs cannot be idmapped).
idmap=$(jq -r '.checks[] | select(.name=="idmapped mounts") | .detail' <<<"$first")
if [ "$(id -u)" = 0 ]; then
        like "$idmap" "can be idmapped: as root, writable binds are idmapped" \
                "as root: the workspace's filesystem is reported idmappable, and used so"
        RAM="$SD/ram" && mkdir -p "$RAM"
        if unshare -m --propagation private true 2>/dev/null; then
                out=$(unshare -m --propagation private sh -c 'mount -t ramfs none "$1" && cd "$1" && \
                        exec "$0" doctor --json --state-dir "$2"' "$CLAWJAIL" "$RAM" "$SD/state")
                is "$(jq -r '.checks[] | select(.name=="idmapped mounts") | .status' <<<"$out")" warn \
                        "a workspace on ramfs: the idmap check warns"
                like "$(jq -r '.checks[] | select(.name=="idmapped mounts") | .detail' <<<"$out")" \
                        "ramfs.*cannot be idmapped.*mount_setattr" "and says which filesystem and which call failed"
                like "$(jq -r '.checks[] | select(.name=="idmapped mounts") | .fix' <<<"$out")" "chown.*run_as" \
                        "and gives the fixes"
        else
                skip "doctor on ramfs" "no private mount namespace here (unshare -m)"
        fi
else
        like "$idmap" "not needed rootless" "rootless: idmapped mounts are not needed, and it says so"
fi

mkdir -p "$SD/open" && chmod 0777 "$SD/open"
out=$(cd "$WS" && "$CLAWJAIL" doctor --json --state-dir "$SD/open")
is "$?" 1 "a state dir others can write: exit 1"
like "$(jq -r '.checks[] | select(.name=="state directory") | .fix' <<<"$out")" "chmod go-w" \
        "the fix is the chmod"
is "$("$CLAWJAIL" doctor --bogus 2>&1 >/dev/null; echo "rc=$?")" \
        "clawjail: doctor: unknown option '--bogus' (see 'clawjail doctor --help')
rc=125" "a bad option: one line, exit 125"
done_testing
