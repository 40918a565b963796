#!/bin/bash
# SPDX-License-Identifier: MIT
# .env templates in a real repository: the default profile masks every
# `.env*` except the conventional templates (filesystem.deny_except:
# .env.example, .sample, .template, .dist, .defaults), so the routine work of
# a project that commits `.env.example` (read it, `git add -A`, commit,
# stash) works while `.env`, `.env.local` and a `.env` inside a template
# directory stay masked; names and metadata (`test -f .env`, `ls -la .env*`)
# are not reads.  Real git, as root and as uid 65534 (rootless.sh).
. "${TAP_LIB:?}"
for t in jq git; do
        command -v $t >/dev/null || { echo "1..0 # SKIP $t is not installed"; exit 0; }
done
SD=$(tap_scratch)
export CLAWJAIL_STATE_DIR=$SD
WS=$(tap_workspace)
cd "$WS" || bail_out "cannot enter $WS"
hgit() { git -c safe.directory='*' "$@"; }
hgit init -q . && hgit config user.email dev@example.org && hgit config user.name Dev
printf 'API_KEY=changeme\nDEBUG=1\n' >.env.example
printf 'API_KEY=sk-live-SECRET1\n' >.env
printf 'API_KEY=sk-live-SECRET2\n' >.env.local
printf '.env\n.env.local\n' >.gitignore
mkdir -p web tpl/.env.example
printf 'PORT=8080\n' >web/.env.sample
printf 'API_KEY=sk-live-SECRET3\n' >tpl/.env.example/.env
printf 'x\n' >README
hgit add -A && hgit commit -qm init || bail_out "cannot commit the fixture"
tap_chown_ws "$WS"

# x CMD: one tracked exec; sets OUT (stdout+stderr) and RC.
x() { OUT=$(timeout -k 5 60 "$CLAWJAIL" exec --task env -c "$1" 2>&1); RC=$?; }
call() { R=$(printf '%s' "$1" | timeout -k 5 60 "$CLAWJAIL" call --task env 2>/dev/null); RC=$?; }

x 'cat .env.example'
is "$RC" 0 "cat .env.example runs (a template is not a secret)"
like "$OUT" '^API_KEY=changeme' "and shows the template"
x 'cat web/.env.sample'
like "$RC/$OUT" '^0/PORT=8080' "a template in a subdirectory is readable"
x 'git status --short'
is "$RC/$OUT" "0/" "git status is clean: nothing the repository tracks is masked"
x 'echo more >> README && git add -A && git commit -qm two && git log --oneline | wc -l'
is "$RC/$OUT" "0/2" "git add -A and commit work with .env.example committed"
x 'echo tmp > scratch.txt && git stash -u -q && git stash pop -q >/dev/null && cat scratch.txt'
is "$RC/$OUT" "0/tmp" "git stash -u and pop work"
x 'test -f .env && echo present; ls .env* | sort | tr "\n" " "'
is "$RC" 0 "test -f .env and ls .env* are not reads: allowed"
like "$OUT" '^present' "the masked .env is present by name"
x 'cat .env'
is "$RC" 120 "cat .env is denied: the profile masks it"
x 'grep -h sk-live -r . 2>/dev/null; true'
unlike "$OUT" 'sk-live' "no secret is readable through a recursive grep (.env, .env.local, a .env inside tpl/.env.example)"
x 'cp .env.example config.example && cat config.example'
like "$RC/$OUT" '^0/API_KEY=changeme' "a template can be copied and read back"

call '{"tool":"read","path":".env.example"}'
is "$RC/$(jq -r .status <<<"$R")" "0/ok" "the read tool reads .env.example"
call '{"tool":"read","path":".env.local"}'
is "$(jq -r .error.code <<<"$R")" "bad_path" "the read tool refuses .env.local"
call '{"tool":"read","path":"tpl/.env.example/.env"}'
is "$(jq -r .error.code <<<"$R")" "bad_path" "and a .env inside a template directory"

# The host repository is intact and its secrets untouched.
is "$(cat .env)" "API_KEY=sk-live-SECRET1" "the host's .env is unchanged"
is "$(hgit log --oneline | wc -l)" 2 "the host's git sees the sandbox's commit"
done_testing
