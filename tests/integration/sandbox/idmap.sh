#!/bin/bash
# SPDX-License-Identifier: MIT
# Started by root, clawjail needs no chown (issue 9 §1): every writable bind
# owned by someone other than run_as is an idmapped mount, so a root-owned
# 0700 workspace works, what the call creates belongs to the workspace's
# owner on disk, the host's git accepts the repository, and the call itself
# never runs as host uid 0.  A filesystem that cannot be idmapped (ramfs)
# falls back with one line naming the fixes.  Rootless and as root: an
# optional cache bind below ${HOME} that cannot be used is skipped with a
# note, never a failed call.
. "${TAP_LIB:?}"
for tool in jq git; do
        if ! command -v $tool >/dev/null; then
                echo "1..0 # SKIP $tool is not installed"
                exit 0
        fi
done
SD=$(tap_scratch)
ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1
NOT_ROOT="idmapped mounts are made only when clawjail is started by root (rootless, the user namespace maps the invoking user)"

# cjrun DIR [RUN ARGS]: clawjail run --json from DIR; sets OUT (the JSON) and RC.
cjrun() {
        local dir=$1
        shift
        OUT=$(cd "$dir" && timeout -k 5 120 "$CLAWJAIL" run --json "$@" 2>/dev/null </dev/null)
        RC=$?
}
field() { jq -r "$1" <<<"$OUT"; }

# ---- ${HOME} and optional binds (root and rootless) ---------------------------
# A home with an npm cache and a toolchain; as root it is root's, mode 0700,
# which run_as could not enter without idmapping.
H=$SD/home
mkdir -p "$H/.npm/_cacache" "$H/.cargo/bin" "$H/.cache/pip/http-v2"
printf '#!/bin/sh\necho toolchain-ran\n' >"$H/.cargo/bin/cj-tool" && chmod 755 "$H/.cargo/bin/cj-tool"
chmod 700 "$H"
HWS=$SD/hws
mkdir -p "$HWS" && chmod 700 "$HWS" # the invoking user's own workspace
if [ $ROOT = 0 ]; then
        chmod 000 "$H/.cache" # rootless: this cache cannot even be examined
fi
OUT=$(cd "$HWS" && HOME=$H timeout -k 5 120 "$CLAWJAIL" run --profile build --json -- \
        sh -c 'echo "home=$HOME"; cj-tool; touch "$HOME/.npm/_cacache/cj-written" && echo cache-written' \
        2>/dev/null </dev/null)
is "$(field .exit_code)" 0 "build profile with a home of the invoking user's: the call runs"
like "$(field .stdout)" "home=$H" "\${HOME} is the invoking user's home when the workspace is theirs"
like "$(field .stdout)" "toolchain-ran" "the toolchain in \${HOME}/.cargo/bin runs (read-only bind)"
like "$(field .stdout)" "cache-written" "the npm cache is writable"
is "$(stat -c %u "$H/.npm/_cacache/cj-written" 2>/dev/null)" "$(id -u)" \
        "host: the cache file belongs to the home's owner"
like "$(field '.hints // [] | join("\n")')" "optional binds left out, not present on this host: .*$H/go/bin" \
        "optional binds that do not exist here are named in one note in hints"
unlike "$(field '.hints // [] | join("\n")')" "not present on this host: .*$H/\.cargo/bin" \
        "and only those: the toolchain that exists is bound"
if [ $ROOT = 0 ]; then
        like "$(field '.hints // [] | join("\n")')" "skipped the optional bind $H/.cache/pip/http-v2: Permission denied" \
                "an optional cache that cannot be examined is skipped with a note in hints"
        chmod 755 "$H/.cache"
else
        unlike "$(field '.hints // [] | join("\n")')" "skipped the optional bind" \
                "as root, binds in a 0700 home are idmapped, not skipped"
fi

# Set-id bits are refused inside, root and rootless (seccomp): as root what
# the call creates here belongs to the workspace's owner on the host.
cjrun "$HWS" -- sh -c 'cp /bin/true sid && chmod 4755 sid 2>/dev/null || echo suid-refused
        chmod 2755 sid 2>/dev/null || echo sgid-refused; echo done'
is "$(field .stdout)" "suid-refused
sgid-refused
done" "chmod 4755 and 2755 are refused inside"
is "$(stat -c %A "$HWS/sid")" "-rwxr-xr-x" "host: the copy has no set-id bit"

# ---- root only ------------------------------------------------------------------
if [ $ROOT = 0 ]; then
        for d in "a root-owned 0700 workspace" "--ro roots inside it" "a workspace owned by uid 1000" "git after sandboxed commits" \
                "the call is never host uid 0" "build profile with gcc, make and python3" "protections inside an idmapped workspace" \
                "fallback on ramfs"; do
                skip "$d" "$NOT_ROOT"
        done
        done_testing
fi

# A root-owned 0700 workspace, as mktemp -d makes it.
W0=$(mktemp -d "$SD/w0.XXXXXX")
cjrun "$W0" -- sh -c 'id -u; touch made && mkdir dir && echo ok'
is "$(field .exit_code)" 0 "a root-owned 0700 workspace: the call runs"
is "$(field .stdout)" "65534
ok" "it runs as run_as and can write"
is "$(stat -c %u:%g "$W0/made" "$W0/dir" | sort -u)" "0:0" "host: what it created belongs to root, the owner"

# Operator --ro roots inside it come through the workspace's idmapping: run_as
# cannot reach them on the host (the 0700 parent), yet they read, stay
# read-only, and keep their masks.
mkdir -p "$W0/docs/sub" && echo hello >"$W0/docs/a" && echo SECRET >"$W0/docs/.env" && echo deep >"$W0/docs/sub/b"
cjrun "$W0" --ro docs --ro "$W0/docs/sub/b" -- sh -c 'cat docs/a docs/sub/b; grep -c SECRET docs/.env || echo masked
        echo x >docs/new 2>/dev/null || echo ro-dir; echo x >>docs/sub/b 2>/dev/null || echo ro-file'
is "$(field .exit_code)" 0 "--ro inside a root-owned 0700 workspace: the call runs"
is "$(field .stdout)" "hello
deep
masked
ro-dir
ro-file" "--ro roots read through the idmapping, stay read-only and keep the .env mask"
ok "host: nothing was written below the --ro root" test ! -e "$W0/docs/new"

# A workspace owned by uid 1000, mode 0700.
W1=$SD/w1000
mkdir "$W1" && chown 1000:1000 "$W1" && chmod 700 "$W1"
cjrun "$W1" -- sh -c 'touch made && mkdir -p a/b && echo ok'
is "$(field .stdout)" ok "a workspace owned by uid 1000: the call writes in it"
is "$(stat -c %u:%g "$W1/made" "$W1/a" "$W1/a/b" | sort -u)" "1000:1000" \
        "host: what it created belongs to uid 1000"

# git: a repository made and committed inside is the host's to use, without
# safe.directory (no global or system git config at all on the host side).
WG=$(mktemp -d "$SD/wg.XXXXXX")
cjrun "$WG" -- sh -c 'git init -q && echo hi >f && git add f &&
        git -c user.name=agent -c user.email=agent@example.org commit -qm "from the sandbox" && git log --format=%s'
is "$(field .stdout)" "from the sandbox" "git init/add/commit inside a root-owned workspace"
hostgit() { (cd "$WG" && HOME=$SD/nohome XDG_CONFIG_HOME=$SD/nohome GIT_CONFIG_NOSYSTEM=1 git "$@" 2>&1); }
is "$(hostgit log --format=%s)" "from the sandbox" "host: git log works (no dubious ownership)"
is "$(hostgit status --porcelain | grep -v '^?? .git/hooks.clawjail-quarantine')" "" \
        "host: git status works and the tree is clean"

# The call's processes on the host: never uid 0 (read from /proc while it sleeps).
(cd "$W0" && exec timeout -k 5 60 "$CLAWJAIL" run -- sleep 7.4242 >/dev/null 2>&1 </dev/null) &
bg=$!
pid=""
for _ in $(seq 100); do
        pid=$(pgrep -x -f 'sleep 7.4242' | head -n 1)
        [ -n "$pid" ] && break
        sleep 0.05
done
if [ -n "$pid" ]; then
        uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$pid/status")
        ppid=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status")
        puids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$ppid/status")
        is "$uids" "65534 65534 65534 65534" "host: the call's real, effective, saved and fs uid are run_as"
        is "$puids" "65534 65534 65534 65534" "host: its pid 1 is run_as too, never uid 0"
else
        fail "host: the sleeping call was found"
        fail "host: its pid 1 was found"
fi
kill "$bg" 2>/dev/null
wait "$bg" 2>/dev/null

# The build profile with real toolchains in a root-owned workspace.
WB=$(mktemp -d "$SD/wb.XXXXXX")
printf '#include <stdio.h>\nint main(void){puts("built");return 0;}\n' >"$WB/hello.c"
printf 'hello: hello.c\n\tgcc -o hello hello.c\n' >"$WB/Makefile"
if command -v gcc >/dev/null && command -v make >/dev/null && command -v python3 >/dev/null; then
        cjrun "$WB" --profile build -- sh -c 'make -s && ./hello && python3 -c "print(6*7)" >answer && cat answer'
        is "$(field .exit_code)" 0 "build profile: make, gcc and python3 run in a root-owned workspace"
        is "$(field .stdout)" "built
42" "and produce what they should"
        is "$(stat -c %u "$WB/hello" "$WB/answer" | sort -u)" 0 "host: the build's outputs belong to root"
else
        skip "build profile with gcc, make and python3" "gcc, make or python3 is not installed"
        skip "build outputs" "gcc, make or python3 is not installed"
        skip "build outputs' owner" "gcc, make or python3 is not installed"
fi

# Protections inside an idmapped workspace come from the idmapped copy: the
# host repository's hooks stay read-only, and so does its config's guard.
WP=$(mktemp -d "$SD/wp.XXXXXX")
(cd "$WP" && git init -q)
cjrun "$WP" -- sh -c 'echo evil >.git/hooks/pre-commit 2>/dev/null && echo wrote; echo done'
unlike "$(field .stdout)" "wrote" "a hook cannot be written in a root-owned workspace's repository"
like "$(field .stdout)" "done" "and the call itself ran"
ok "host: no hook appeared" test ! -e "$WP/.git/hooks/pre-commit"

# What the call creates belongs to root on the host: it may not make it
# set-uid or set-gid (seccomp), by chmod, by open's mode, or through openat2.
cjrun "$W0" -- sh -c 'cp /bin/true suid && chmod 4755 suid; chmod g+s suid;
        python3 -c "import os; os.open(\"made-suid\", os.O_CREAT | os.O_WRONLY, 0o4755)" 2>/dev/null || echo open-refused
        echo done'
like "$(field .stdout)" "open-refused" "open(O_CREAT, 04755) is refused inside"
like "$(field .stderr)" "chmod: changing permissions of 'suid': Operation not permitted" "chmod 4755 is refused"
is "$(stat -c %A "$W0/suid")" "-rwxr-xr-x" "host: the root-owned copy has no set-id bit"
ok "host: no set-uid file was created" test ! -e "$W0/made-suid"

# ramfs cannot be idmapped: the old behaviour, with one line that says why and
# how to fix it; a 0700 workspace fails with that line in the error.
RAM=$SD/ram
mkdir -p "$RAM"
if unshare -m --propagation private true 2>/dev/null; then
        OUT=$(unshare -m --propagation private sh -c 'mount -t ramfs none "$1" && chmod 1777 "$1" && cd "$1" &&
                exec timeout -k 5 60 "$0" run --json -- sh -c "touch f && id -u"' "$CLAWJAIL" "$RAM" 2>/dev/null)
        is "$(field .exit_code)" 0 "ramfs workspace (mode 1777): the call runs without idmapping"
        hint=$(field '.hints // [] | join("\n")')
        like "$hint" "is not idmapped: mount_setattr\(MOUNT_ATTR_IDMAP\): Invalid argument: ramfs does not support" \
                "one line says what failed and why"
        like "$hint" "fix: chown -R 65534:65534 $RAM, or" "and gives the chown fix"
        like "$hint" "set \"run_as\" to that user" "and the run_as fix"
        is "$(grep -c 'not idmapped' <<<"$hint")" 1 "exactly one line"
        err=$(unshare -m --propagation private sh -c 'mount -t ramfs none "$1" && chmod 700 "$1" && cd "$1" &&
                exec timeout -k 5 60 "$0" run -- true' "$CLAWJAIL" "$RAM" 2>&1 >/dev/null)
        like "$err" "Permission denied; .* is not idmapped: .*fix: chown -R 65534:65534" \
                "a 0700 ramfs workspace fails with the reason and the fixes in its error"
else
        skip "fallback on ramfs" "no private mount namespace here (unshare -m)"
fi
done_testing
