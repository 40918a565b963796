#!/bin/bash
# SPDX-License-Identifier: MIT
# git works inside, host git stays safe: a call may change .git/config
# (identity, remotes, branches, upstreams), and after it every change to a key
# that makes the host's git run a program is reverted and reported as
# "quarantined"; a repository the call creates loses its hooks.  Real git, as
# root and as uid 65534 (rootless.sh).
NEEDS="git"
. "$(dirname "$0")/common.sh"
hgit init -q . && hgit config user.email host@example.org && hgit config core.pager "less -R"
tap_chown_ws "$WS"
# runs SCRIPT (bash, from the workspace) through `clawjail run`: the rules see
# `bash`, so the chain's git-config findings do not stop what the sandbox must contain
runs() {
        printf '%s\n' "$1" >"$WS/.cj-script.sh"
        tap_chown_ws "$WS/.cj-script.sh"
        R=$(timeout -k 5 60 "$CLAWJAIL" run --json --task g -- bash .cj-script.sh)
        RC=$?
}

runs 'set -e
git config user.email agent@example.org
git config user.name Agent
git remote add origin https://example.org/r.git
git checkout -q -b feat
git commit -q --allow-empty -m one
git branch -q --set-upstream-to=origin/feat feat 2>/dev/null || { git config branch.feat.remote origin; git config branch.feat.merge refs/heads/feat; }
git config alias.st status
echo done'
is "$RC" 0 "identity, remote, branch and upstream set inside ($(jr .stderr | head -c 300))"
is "$(hgit config user.email)" agent@example.org "host: the identity stays"
is "$(hgit remote get-url origin)" https://example.org/r.git "host: the remote stays"
is "$(hgit config branch.feat.merge)" refs/heads/feat "host: the upstream stays"
is "$(hgit config alias.st)" status "host: a plain alias stays"
is "$(hgit log -1 --format=%ae feat)" agent@example.org "host: the commit is there with the agent's identity"
is "$(jr '.quarantined // [] | length')" 0 "nothing quarantined for benign changes"

# every dangerous key, each one set inside, each one reverted
keys=(core.hooksPath core.fsmonitor core.sshCommand core.pager core.editor core.askPass core.gitProxy
        sequence.editor diff.x.textconv diff.x.command diff.external filter.x.clean
        filter.x.smudge filter.x.process merge.x.driver credential.helper alias.pwn include.path
        includeIf.gitdir:/.path remote.origin.uploadpack remote.origin.receivepack gpg.program
        gpg.ssh.program protocol.ext.allow pager.log core.worktree) # core.worktree last: git needs it to exist
script='set -e'
for k in "${keys[@]}"; do
        v='sh -c "touch /tmp/pwned"'
        [ "$k" = alias.pwn ] && v='!touch /tmp/pwned'
        [ "$k" = protocol.ext.allow ] && v=always
        script+=$'\n'"git config --add '$k' '$v'"
done
script+=$'\necho set-all'
runs "$script"
like "$(jr .stdout)" '^set-all$' "every dangerous key could be set inside ($(jr .stderr | head -c 200))"
for k in "${keys[@]}"; do
        case $k in
        core.pager) is "$(hgit config --get-all "$k")" "less -R" "host: $k is back to its old value" ;;
        *) is "$(hgit config --get-all "$k")" "" "host: $k reverted" ;;
        esac
done
q=$(jr '.quarantined | join("\n")')
like "$q" 'core.hookspath reverted' "the result reports the reverted keys as quarantined"
is "$(hgit config user.email)" agent@example.org "host: the identity survived the revert"

# what the parser cannot read is restored whole; a symlinked config is undone
runs 'printf "[core]\n\tpager = a\\\\\n b\n[user]\n\temail = evil@x\n" > .git/config; echo wrote'
like "$(jr '.quarantined | join(" ")')" 'restored whole' "an unparseable config is restored whole and reported"
is "$(hgit config user.email)" agent@example.org "host: the old config is back"
runs 'printf "[core]\n\thooksPath = /tmp\n" > /tmp/evil; rm .git/config; ln -s /tmp/evil .git/config; echo linked'
ok "host: .git/config is a regular file again" test -f .git/config -a ! -L .git/config
is "$(hgit config core.hooksPath)" "" "host: the symlinked config's hooksPath is gone"

# a repository created by the call: its hooks go aside, its config is checked
runs 'git init -q made && echo evil > made/.git/hooks/pre-commit && chmod +x made/.git/hooks/pre-commit
git -C made config core.fsmonitor "touch /tmp/pwned"; git -C made config user.name ok; echo made'
ok "host: the new repository's hook is not where git runs it" test ! -e made/.git/hooks/pre-commit
ok "host: ... it was moved aside" bash -c 'ls made/.git/hooks.clawjail-quarantine*/pre-commit made/.git/hooks/pre-commit.clawjail-quarantine* 2>/dev/null | grep -q .'
is "$(hgit -C made config core.fsmonitor)" "" "host: the new repository's dangerous key is reverted"
is "$(hgit -C made config user.name)" ok "host: ... its benign key stays"
like "$(jr '.quarantined | join(" ")')" 'made/.git/hooks' "the moved hook is reported"
ok "host: git status works in the repository afterwards" hgit status --short

# a repository inside a protected directory the call created, which is moved
# aside whole: the walk for new repositories must see where it went
runs 'mkdir .devcontainer && git init -q .devcontainer/r && git -C .devcontainer/r config core.fsmonitor "touch /tmp/pwned"
echo made2'
q=$(ls -d "$WS"/.devcontainer.clawjail-quarantine*/r 2>/dev/null | head -1)
ok "host: the new .devcontainer was moved aside ($(jr '.quarantined | join(" ")' | head -c 300))" test -n "$q"
is "$(hgit -C "${q:-/nonexistent}" config core.fsmonitor)" "" "host: ... the repository in it has its dangerous key reverted"
done_testing
