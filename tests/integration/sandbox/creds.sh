#!/bin/bash
# SPDX-License-Identifier: MIT
# Credentials and agent config are masked: a fake HOME full of secrets, the
# workspace being that HOME or containing it, and every way to read them
# from inside.  The secret marker must never appear in any output, and the
# host files must be unchanged afterwards.
. "${TAP_LIB:?}"

SECRET=cj-secret-$$-$RANDOM$RANDOM
CRED_FILES=".ssh/id_rsa .ssh/config .aws/credentials .netrc .openclaw/config .config/gh/hosts.yml
.docker/config.json .gnupg/private.key .git-credentials .env sub/dir/.env sub/.env.local .env.production
.kube/config .bash_history"

plant() {
        local home=$1 f
        for f in $CRED_FILES; do
                mkdir -p "$(dirname "$home/$f")"
                printf '%s %s\n' "$SECRET" "$f" >"$home/$f"
        done
        chmod 600 "$home/.ssh/id_rsa"
        echo "not secret" >"$home/README"
}

checksums() {
        local home=$1 f
        for f in $CRED_FILES; do
                sha1sum "$home/$f"
        done
}

# Everything an agent could try to get at the secrets with, from $1 (the
# fake HOME seen inside).
read_everything() {
        cat <<EOF
cd "$1" || exit 99
for f in $(tr '\n' ' ' <<<"$CRED_FILES"); do cat "\$f"; done
cat ~/.ssh/id_rsa
grep -r . . 2>/dev/null
find . -type f -exec cat {} + 2>/dev/null
tar cf - . 2>/dev/null | strings
ls -laR . 2>/dev/null
ln -s .ssh/id_rsa my-link && cat my-link
ln .ssh/id_rsa my-hardlink && cat my-hardlink
ln .env my-env-hardlink && cat my-env-hardlink
cp -r .ssh copied-ssh && cat copied-ssh/*
cat l-ssh/id_rsa l-key l-env l-aws/credentials
dd if=.ssh/id_rsa bs=1 2>/dev/null
head -c 4096 /proc/self/fd/0 < .netrc
# overwrite / remove attempts: the host files must stay as they were
echo pwned > .ssh/id_rsa; echo pwned > .env; echo pwned > sub/dir/.env
rm -rf .ssh .aws .netrc .env sub/dir/.env .openclaw
mv .aws aws-moved
echo done-reading
EOF
}

# ---- the workspace is HOME ------------------------------------------------

WS=$(tap_workspace)
plant "$WS"
ln -s .ssh "$WS/l-ssh"
ln -s .ssh/id_rsa "$WS/l-key"
ln -s sub/dir/.env "$WS/l-env"
ln -s "$WS/.aws" "$WS/l-aws"
tap_chown_ws "$WS"
before=$(checksums "$WS")

plan=$(cd "$WS" && HOME=$WS "$CLAWJAIL" run --print-plan 2>&1)
for f in .ssh .aws .netrc .openclaw .env sub/dir/.env sub/.env.local .env.production; do
        like "$plan" "^mask-(dir|file) +$WS/$f\$" "plan masks ~/$f"
done

HOME=$WS run_sandbox -- bash -c "$(read_everything "$WS")"
if [ "$RUN_RC" -ge 120 ] && [ "$RUN_RC" -le 125 ]; then
        fail "the sandbox ran with HOME = workspace"
        diag_run
else
        pass "the sandbox ran with HOME = workspace"
fi
like "$RUN_OUT" '^done-reading$' "the reading script ran to its end"
like "$RUN_OUT" 'not secret' "an unmasked file next to the secrets is readable (control)"
unlike "$RUN_OUT$RUN_ERR" "$SECRET" "no secret marker in any output (HOME = workspace)"
is "$(checksums "$WS")" "$before" "host: credential files unchanged after overwrite/remove attempts"
ok "host: ~/.ssh still in place" test -f "$WS/.ssh/id_rsa"
ok "host: nested .env still in place" test -f "$WS/sub/dir/.env"

# ---- the workspace contains HOME ----------------------------------------------

WS2=$(tap_workspace)
plant "$WS2/home/agent"
tap_chown_ws "$WS2"
before=$(checksums "$WS2/home/agent")
HOME=$WS2/home/agent RUN_CWD=$WS2 run_sandbox -- bash -c "$(read_everything "$WS2/home/agent")"
like "$RUN_OUT" '^done-reading$' "the reading script ran (workspace contains HOME)"
unlike "$RUN_OUT$RUN_ERR" "$SECRET" "no secret marker in any output (workspace contains HOME)"
is "$(checksums "$WS2/home/agent")" "$before" "host: credential files unchanged (workspace contains HOME)"

# ---- HOME outside the workspace: not visible at all ---------------------------

HOMEDIR=$(tap_workspace)
plant "$HOMEDIR"
WS3=$(tap_workspace)
tap_chown_ws "$HOMEDIR"
HOME=$HOMEDIR RUN_CWD=$WS3 run_sandbox -- bash -c "cat $HOMEDIR/.ssh/id_rsa $HOMEDIR/.aws/credentials; ls -la $HOMEDIR"
unlike "$RUN_OUT$RUN_ERR" "$SECRET" "a HOME outside the workspace is not readable"

# ---- renaming the parent of a masked file moves the mask with it ------------

run_sandbox -- bash -c "mv sub sub-moved && cat sub-moved/dir/.env sub-moved/.env.local; mv sub-moved sub"
unlike "$RUN_OUT$RUN_ERR" "$SECRET" "a masked .env stays masked after renaming its parent"
ok "host: the nested .env is back in place" test -f "$WS/sub/dir/.env"

# ---- the same files through an operator --ro grant ---------------------------

HOME=$HOMEDIR RUN_CWD=$WS3 run_sandbox --ro "$HOMEDIR" -- bash -c "$(read_everything "$HOMEDIR")"
like "$RUN_OUT" 'not secret' "a --ro HOME is readable (control)"
unlike "$RUN_OUT$RUN_ERR" "$SECRET .(ssh|aws|netrc|openclaw|config/gh|docker|gnupg|git-cred|kube|bash_hist)" \
        "HOME credentials stay masked when HOME is granted with --ro"
# .env files are credentials too (SPEC: default masks them), wherever the
# sandbox can read them, not only under the workspace.
unlike "$RUN_OUT$RUN_ERR" "$SECRET (sub/dir/)?\.env" ".env files under an operator --ro root are masked"

# ---- system credentials ------------------------------------------------------

run_sandbox -- bash -c 'cat /etc/shadow /etc/gshadow; ls /etc/ssh; cat /etc/ssh/* 2>/dev/null; echo end'
unlike "$RUN_OUT" '^root:' "/etc/shadow shows no host content"
unlike "$RUN_OUT" 'PRIVATE KEY' "no ssh host key is readable"

done_testing
