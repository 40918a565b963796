#!/bin/bash
# SPDX-License-Identifier: MIT
# Filesystem guarantees, attacked from inside: writes outside the rw roots,
# private /tmp, escapes through symlinks planted in the workspace, and the
# protected .git/hooks and .git/config inside a writable workspace.
. "${TAP_LIB:?}"

SCRATCH=$(tap_scratch)
# The workspace and a sibling with a secret, under one parent.
PARENT=$(tap_workspace)
WS=$PARENT/ws
mkdir "$WS" "$PARENT/sibling"
echo "sibling-secret-$$" >"$PARENT/sibling/secret"
chmod 644 "$PARENT/sibling/secret"
tap_chown_ws "$WS"
FAKE_HOME=$SCRATCH/home
mkdir -p "$FAKE_HOME"
chmod 777 "$FAKE_HOME"
MARK=cj-fs-$$-$RANDOM

# ---- writes outside the rw roots -----------------------------------------

run_sandbox -- bash -c "
        touch /etc/$MARK; echo etc=\$?
        touch /usr/$MARK; echo usr=\$?
        touch /usr/bin/$MARK; echo usrbin=\$?
        touch /$MARK; echo root=\$?
        touch $FAKE_HOME/$MARK; echo home=\$?
        touch ${HOME:-/root}/$MARK; echo realhome=\$?
        touch $PARENT/$MARK; echo parent=\$?
        touch $PARENT/sibling/$MARK; echo sibling=\$?
        cat $PARENT/sibling/secret
        echo sandbox-ok > $WS/$MARK-inside; echo ws=\$?
" 2>&1
# $PARENT lies under /tmp, a private tmpfs inside, and $HOME is the call's own
# fresh tmpfs (an untracked call): a write there may succeed but must not
# reach the host (checked below).
for w in etc usr usrbin root home sibling; do
        unlike "$RUN_OUT" "^$w=0$" "write to $w outside the rw roots fails inside"
done
like "$RUN_OUT" '^ws=0$' "a write inside the workspace works (control)"
ok "the workspace write reached the host" grep -qx sandbox-ok "$WS/$MARK-inside"
host_hits=$(ls -d /etc/$MARK /usr/$MARK /usr/bin/$MARK /$MARK "$FAKE_HOME/$MARK" "${HOME:-/root}/$MARK" "$PARENT/$MARK" \
        "$PARENT/sibling/$MARK" 2>/dev/null)
is "$host_hits" "" "host unchanged: no file outside the workspace was created"
unlike "$RUN_OUT$RUN_ERR" "sibling-secret-$$" "a sibling of the workspace is not readable"

# ---- private /tmp, /var/tmp, /run ------------------------------------------

run_sandbox -- bash -c "echo x > /tmp/$MARK && echo x > /var/tmp/$MARK && echo x > /run/$MARK && echo x > /dev/shm/$MARK && echo wrote"
like "$RUN_OUT" '^wrote$' "/tmp, /var/tmp, /run and /dev/shm are writable inside"
host_hits=$(ls -d /tmp/$MARK /var/tmp/$MARK /run/$MARK /dev/shm/$MARK 2>/dev/null)
is "$host_hits" "" "host /tmp, /var/tmp, /run and /dev/shm are unchanged (private tmpfs)"

# Kernel knobs reachable through /proc and /sys: writing the current value
# back is harmless even if it were allowed, and must be refused.
run_sandbox -- bash -c '
        for f in /proc/sys/kernel/core_pattern /proc/sys/kernel/hostname /proc/sys/vm/overcommit_memory \
                 /proc/sys/kernel/modprobe; do
                v=$(cat "$f") && printf "%s\n" "$v" > "$f" 2>/dev/null && echo "wrote $f"
        done
        echo > /proc/sysrq-trigger 2>/dev/null && echo "wrote sysrq"
        ls /sys/fs/cgroup 2>/dev/null | grep -q . && echo "cgroupfs visible"
        echo checked'
like "$RUN_OUT" '^checked$' "the /proc and /sys probe ran (control)"
unlike "$RUN_OUT" '^wrote ' "no kernel knob in /proc/sys or /proc/sysrq-trigger is writable"
unlike "$RUN_OUT" 'cgroupfs visible' "the host's cgroup tree (release_agent & co.) is not visible"
touch "/tmp/$MARK-host"
run_sandbox -- ls /tmp/$MARK-host
isnt_seen=$RUN_RC
rm -f "/tmp/$MARK-host"
ok "a host /tmp file is not visible inside" test "$isnt_seen" -ne 0

# ---- symlinks planted in the workspace --------------------------------------

ln -s /etc/shadow "$WS/l-shadow"
ln -s / "$WS/l-root"
ln -s "$PARENT/sibling" "$WS/l-sibling"
ln -s "$FAKE_HOME" "$WS/l-home"
run_sandbox -- bash -c "
        cat l-shadow
        touch l-root/etc/$MARK-via-root; echo via-root=\$?
        cat l-sibling/secret
        touch l-sibling/$MARK; echo via-sibling=\$?
        touch l-home/$MARK; echo via-home=\$?
        ls l-root/ | tr '\n' ' '
" 2>&1
unlike "$RUN_OUT" '^root:' "/etc/shadow through a workspace symlink shows no host content"
unlike "$RUN_OUT" "sibling-secret-$$" "a symlink to outside the roots does not expose its target"
for w in via-root via-sibling via-home; do
        unlike "$RUN_OUT" "^$w=0$" "write through a planted symlink ($w) fails"
done
host_hits=$(ls -d "/etc/$MARK-via-root" "$PARENT/sibling/$MARK" "$FAKE_HOME/$MARK" 2>/dev/null)
is "$host_hits" "" "host unchanged after writes through planted symlinks"
# A symlink planted in a protected or masked spot must not move the mount
# onto its target outside the workspace: print the plan and look.
ln -s "$PARENT/sibling" "$WS/.env"
plan=$(cd "$WS" && "$CLAWJAIL" run --print-plan 2>&1)
unlike "$plan" "$PARENT/sibling( |$)" "a planted .env symlink to outside the roots adds no mount of its target"
rm -f "$WS/.env"

# ---- .git/hooks and .git/config inside the rw workspace ----------------------

make_repo() {
        mkdir -p "$1/.git/hooks" "$1/.git/objects" "$1/.git/refs"
        printf '[core]\n\trepositoryformatversion = 0\n' >"$1/.git/config"
        echo 'ref: refs/heads/main' >"$1/.git/HEAD"
        echo '#!/bin/sh' >"$1/.git/hooks/pre-commit.sample"
}
make_repo "$WS"
make_repo "$WS/sub/nested"
tap_chown_ws "$WS"

run_sandbox -- bash -c "
        echo evil > .git/hooks/pre-commit; echo hook=\$?
        echo evil > .git/hooks/pre-commit.sample; echo hooksample=\$?
        echo '[core] fsmonitor = evil' >> .git/config; echo config=\$?
        rm -f .git/config; echo rmconfig=\$?
        echo evil > sub/nested/.git/hooks/post-checkout; echo nestedhook=\$?
        echo '[core] fsmonitor = evil' >> sub/nested/.git/config; echo nestedconfig=\$?
        mv .git/hooks .git/hooks-away; echo mvhooks=\$?
" 2>&1
for w in hook hooksample nestedhook mvhooks; do
        unlike "$RUN_OUT" "^$w=0$" ".git protection: $w refused inside"
done
# .git/config is writable inside (git config user.email, git remote add); what
# makes the host's git run a program is reverted after the call (home/git.sh).
like "$RUN_OUT" "^nestedconfig=0$" ".git/config is writable inside"
ok "host: .git/hooks/pre-commit not created" test ! -e "$WS/.git/hooks/pre-commit"
ok "host: nested .git/hooks/post-checkout not created" test ! -e "$WS/sub/nested/.git/hooks/post-checkout"
ok "host: no fsmonitor in .git/config" bash -c "! grep -qs fsmonitor '$WS/.git/config'"
ok "host: no fsmonitor in the nested .git/config" bash -c "! grep -qs fsmonitor '$WS/sub/nested/.git/config'"
ok "host: the nested .git/config keeps what it had" grep -q "repositoryformatversion = 0" "$WS/sub/nested/.git/config"
is "$(cat "$WS/.git/hooks/pre-commit.sample")" '#!/bin/sh' "host: existing hook unchanged"

# Move the whole .git aside (it is no mount point itself) and put a copy
# with a hook and an fsmonitor in its place: the host's git would run both.
run_sandbox -- bash -c "
        mv .git .git-moved && cp -a .git-moved .git &&
        echo evil > .git/hooks/pre-commit && echo '[core] fsmonitor = evil' >> .git/config && echo swapped
        mv sub/nested sub/nested-moved && mkdir -p sub/nested/.git/hooks && cp -a sub/nested-moved/.git/. sub/nested/.git/ 2>/dev/null;
        echo evil > sub/nested/.git/hooks/post-checkout && echo nested-swapped
" 2>&1
ok "host: renaming .git aside does not yield a writable .git/hooks" test ! -e "$WS/.git/hooks/pre-commit"
unlike "$(cat "$WS/.git/config" 2>/dev/null)" fsmonitor "host: renaming .git aside does not yield a writable .git/config"
ok "host: renaming a parent of a nested repo does not yield a writable hooks dir" \
        test ! -e "$WS/sub/nested/.git/hooks/post-checkout"
[ -e "$WS/.git/hooks/pre-commit" ] && diag "sandbox output: $RUN_OUT"

# A repository without a hooks directory: creating one is writing hooks.
WS2=$(tap_workspace)
make_repo "$WS2"
rmdir "$WS2/.git/hooks" 2>/dev/null || rm -rf "$WS2/.git/hooks"
tap_chown_ws "$WS2"
RUN_CWD=$WS2 run_sandbox -- bash -c "mkdir -p .git/hooks && echo evil > .git/hooks/pre-commit && echo created" 2>&1
ok "host: a missing .git/hooks cannot be created with a hook in it" test ! -e "$WS2/.git/hooks/pre-commit"

# A repository given as --rw through a symlink is protected where the link
# leads.  The scan stopped at the symlink: its hooks were writable inside
# (the git guard only moved a planted hook aside after the call).
WS3=$(tap_workspace)
make_repo "$WS3"
tap_chown_ws "$WS3"
LINKDIR=$(tap_scratch)
chmod 755 "$LINKDIR"
ln -s "$WS3" "$LINKDIR/repo-link"
run_sandbox --rw "$LINKDIR/repo-link" -- bash -c "echo evil > '$LINKDIR/repo-link/.git/hooks/pre-commit'; echo linkhook=\$?" 2>&1
like "$RUN_OUT" "^linkhook=[1-9]" "a repository given as --rw through a symlink: its .git/hooks is read-only inside"
ok "host: no hook planted through the symlinked --rw root" test ! -e "$WS3/.git/hooks/pre-commit"

# Other files through which git takes its config or hooks from elsewhere:
# .git/commondir redirects the whole common dir (config, hooks) of the very
# repository the user works in; a submodule's git dir lives in .git/modules.
# Checked with `git config` on the host, which runs nothing.
if command -v git >/dev/null; then
        WS8=$(tap_workspace)
        (cd "$WS8" && git init -q . && mkdir -p .git/modules && git init -q --separate-git-dir=.git/modules/lib lib)
        tap_chown_ws "$WS8"
        RUN_CWD=$WS8 run_sandbox -- bash -c "
                cp -a .git/. evil-common/ 2>/dev/null || { mkdir evil-common; cp -a .git/config evil-common/; }
                printf '[core]\n\tfsmonitor = evil-commondir\n' >> evil-common/config
                echo ../evil-common > .git/commondir
                echo '[core] fsmonitor = evil-module' >> .git/modules/lib/config
                echo evil > .git/modules/lib/hooks/pre-commit"
        hostgit() { git -c safe.directory='*' -C "$1" config --get core.fsmonitor 2>&1; }
        like "$(git -c safe.directory='*' -C "$WS8/lib" rev-parse --git-dir 2>&1)" "modules/lib" "control: lib is a submodule-style checkout"
        is "$(hostgit "$WS8")" "" "host: .git/commondir cannot redirect the repository's config"
        is "$(hostgit "$WS8/lib")" "" "host: a submodule's config in .git/modules is protected"
        ok "host: a submodule's hooks in .git/modules are protected" test ! -e "$WS8/.git/modules/lib/hooks/pre-commit"
else
        for t in "host: .git/commondir cannot redirect the repository's config" \
                "host: a submodule's config in .git/modules is protected" \
                "host: a submodule's hooks in .git/modules are protected"; do
                skip "$t" "git is not installed"
        done
fi

# A workspace that is no repository yet: the call that creates one can put a
# hook in it, which the host's git would run later.  Mounts cover only what
# exists when the call starts; what the protect patterns match after the
# call and did not before is moved aside (quarantine).
WS7=$(tap_workspace)
tap_chown_ws "$WS7"
RUN_CWD=$WS7 run_sandbox -- bash -c "git init -q . 2>/dev/null || mkdir -p .git/hooks; echo evil > .git/hooks/pre-commit"
ok "host: a repository created inside gets no hooks the host's git would run" test ! -e "$WS7/.git/hooks/pre-commit"
ok "host: they were moved aside (.git/hooks.clawjail-quarantine)" test -e "$WS7/.git/hooks.clawjail-quarantine/pre-commit"

# .git/hooks that is itself a symlink: to a directory inside the workspace
# (the target is what git uses, so the target is protected) and to one
# outside every root (not reachable inside at all).
WS3=$(tap_workspace)
make_repo "$WS3"
rm -rf "$WS3/.git/hooks"
mkdir "$WS3/real-hooks"
ln -s ../real-hooks "$WS3/.git/hooks"
mkdir "$WS3/sub"
make_repo "$WS3/sub"
rm -rf "$WS3/sub/.git/hooks"
mkdir "$SCRATCH/ext-hooks"
chmod 777 "$SCRATCH/ext-hooks"
ln -s "$SCRATCH/ext-hooks" "$WS3/sub/.git/hooks"
tap_chown_ws "$WS3"
# Either way is safe: protect the link's target, or refuse to start (125,
# one line naming the link).  What must never happen is a run in which the
# hooks git would use are writable.
plan=$(cd "$WS3" && "$CLAWJAIL" run --print-plan 2>&1)
plan_rc=$?
if [ "$plan_rc" -eq 0 ]; then
        like "$plan" "protect +$WS3/real-hooks" "plan: a .git/hooks symlink into the workspace protects its target"
else
        like "$plan" "$WS3/(sub/)?\.git/hooks.*symlink" "plan: a symlinked .git/hooks is refused, naming the link (rc $plan_rc)"
fi
RUN_CWD=$WS3 run_sandbox -- bash -c "
        echo evil > .git/hooks/pre-commit; echo inhook=\$?
        echo evil > real-hooks/pre-commit; echo inreal=\$?
        echo evil > sub/.git/hooks/pre-commit; echo exthook=\$?
" 2>&1
if [ "$RUN_RC" -eq 125 ]; then
        is "$(count_lines "$RUN_ERR")" 1 "symlinked hooks dir: setup refused with one line"
else
        unlike "$RUN_OUT" "^(inhook|inreal|exthook)=0$" "symlinked hooks dir: every write refused"
fi
ok "host: symlinked hooks target inside the workspace unchanged" test ! -e "$WS3/real-hooks/pre-commit"
ok "host: symlinked hooks target outside the roots unchanged" test ! -e "$SCRATCH/ext-hooks/pre-commit"

# The symlink .git/hooks itself: can it be replaced by a real directory
# holding a hook?
RUN_CWD=$WS3 run_sandbox -- bash -c "rm .git/hooks && mkdir .git/hooks && echo evil > .git/hooks/pre-commit && echo replaced" 2>&1
ok "host: a symlinked .git/hooks cannot be replaced by a writable directory" test ! -e "$WS3/.git/hooks/pre-commit"

# Mounts are never redirected by symlinks planted in the workspace: every
# mount point inside is one the plan names (checked on the final mount table,
# so no timing is involved), and nothing from outside the roots is mounted.
WS5=$(tap_workspace)
make_repo "$WS5"
ln -s "$SCRATCH" "$WS5/.aws"
mkdir -p "$WS5/a/b"
ln -s "$PARENT/sibling/secret" "$WS5/a/b/.env"
ln -s "$PARENT/sibling" "$WS5/a/.env.local"
tap_chown_ws "$WS5"
plan=$(cd "$WS5" && HOME=$WS5 "$CLAWJAIL" run --print-plan 2>&1)
plan_dsts=$(awk '!/^#/ && $1 != "symlink" { print $2 }' <<<"$plan" | sort -u)
HOME=$WS5 RUN_CWD=$WS5 run_sandbox -- cat /proc/self/mountinfo
mounted=$(awk '{ print $5 }' <<<"$RUN_OUT" | sort -u)
dev_nodes='^/(|dev/(null|zero|full|random|urandom|tty|pts|shm|ptmx|console))$'
unexpected=$(comm -13 - <(grep -Ev "$dev_nodes" <<<"$mounted") <<<"$plan_dsts")
if [ "$RUN_RC" -ne 0 ]; then
        fail "mount table inside matches the plan"
        diag_run
else
        is "$unexpected" "" "every mount point inside is one the plan names"
fi
unlike "$plan$RUN_OUT" "($SCRATCH|$PARENT/sibling)" "no mount of a symlink target outside the roots"
RUN_CWD=$WS5 run_sandbox -- bash -c "cat a/b/.env a/.env.local/secret .aws/* 2>/dev/null; echo done"
unlike "$RUN_OUT" "sibling-secret-$$" "masked names that are symlinks to outside show nothing"

# A deny pattern matching a planted symlink masks the symlink's target: a
# workspace ".env -> /etc" must not take the sandbox's /etc (or its setup) away.
WS6=$(tap_workspace)
ln -s /etc "$WS6/.env"
tap_chown_ws "$WS6"
RUN_CWD=$WS6 run_sandbox -- cat /etc/hostname
is "$RUN_RC" 0 "a planted '.env -> /etc' symlink does not break or blind the sandbox"
[ "$RUN_RC" -ne 0 ] && diag_run

done_testing
