#!/bin/bash
# SPDX-License-Identifier: MIT
# --help and the man pages say the same: every command `clawjail --help`
# lists has an entry in clawjail(1) and a word in the bash completion, every
# command clawjail(1) lists exists, every common option of `exec --help` is in
# clawjail(1); the pages build with scdoc and the completion is valid bash.
. "${TAP_LIB:?}"
src=${CLAWJAIL_SOURCE_DIR:?}
page="$src/docs/man/clawjail.1.scd"
comp="$src/packaging/completion/clawjail.bash"
cmds=$("$CLAWJAIL" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF && $1 != "Commands:" {print $1}')
ok "clawjail --help lists commands" test -n "$cmds"
for c in $cmds; do
        like "$(grep -E "^\*$c\*" "$page")" "\*$c\*" "clawjail(1) documents '$c'"
        like "$(grep -E '^\s*local commands=' "$comp")" "[\" ]$c[\" ]" "bash completion offers '$c'"
done
for c in $(sed -n '/^# COMMANDS/,/^# COMMON/p' "$page" | grep -oE '^\*[a-z]+\*' | tr -d '*' | sort -u); do
        out=$("$CLAWJAIL" "$c" --help 2>&1)
        rc=$?
        ok "'clawjail $c' in clawjail(1) is a command (--help exits 0)" test "$rc" = 0
done
for o in $("$CLAWJAIL" exec --help | grep -oE '^\s+--[a-z-]+' | tr -d ' ' | sort -u); do
        like "$(cat "$page")" "\*$o\*" "clawjail(1) documents the common option $o"
done
if command -v scdoc >/dev/null; then
        for f in "$src"/docs/man/*.scd; do
                ok "$(basename "$f") builds with scdoc" sh -c 'scdoc < "$1" > /dev/null' sh "$f"
        done
else
        skip "man pages build" "scdoc is not installed"
fi
ok "the bash completion is valid bash" bash -n "$comp"
# The completion completes: a command word and a profile name.
out=$(PATH="$(dirname "$CLAWJAIL"):$PATH" bash -c '
        . "$1"; COMP_WORDS=(clawjail jo); COMP_CWORD=1; _clawjail; echo "${COMPREPLY[*]}"
        COMP_WORDS=(clawjail exec --profile de); COMP_CWORD=3; _clawjail; echo "${COMPREPLY[*]}"' sh "$comp" 2>/dev/null)
like "$out" "^journal$" "completion: 'jo' -> journal"
like "$out" "default" "completion: --profile de -> default"
done_testing
