/* SPDX-License-Identifier: MIT */
/*
 * zsh: constructs that mean nothing (or something harmless) to bash but run
 * code under zsh -- if the command reaches zsh, this checker's bash reading
 * is wrong.  zsh module builtins, `=cmd` expansion, `>!` clobber, and zsh
 * itself as a runner.
 */
#include <string.h>

#include "internal.h"

static const char *const builtins[] = { "zmodload", "zpty", "ztcp", "zsocket", "sysopen", "sysread", "syswrite",
                                        "sysseek", "zf_rm", "zf_mv", "zf_ln", "zf_chmod", "zf_chown", "zf_mkdir",
                                        "zf_rmdir", "zsystem", "zselect", "zparseopts", "zstyle", "zle", "zcompile",
                                        "autoload", "setopt", "unsetopt", "emulate", "noglob", "zargs", "zcalc",
                                        "zmv", "compdef", "whence", "rehash", "bindkey", NULL };

static void zsh_cmd(cj_vctx *c, const sh_cmd *cmd) {
        const char *n = cj_cmd_name(cmd);
        if (cmd->argc > 0 && cj_name_in(n, builtins))
                cj_report(c, CJ_VERDICT_ASK, cmd->argv[0].span.off, cmd->argv[0].span.len,
                          "`%s` is a zsh builtin: this command is not bash", n);
        if (cmd->argc > 0 && strcmp(n, "zsh") == 0)
                cj_report(c, CJ_VERDICT_ASK, cmd->argv[0].span.off, cmd->argv[0].span.len,
                          "zsh parses and expands differently from bash; its payload was checked as bash");
        for (size_t i = 0; i < cmd->argc; i++) {
                const char *v = cmd->argv[i].value;
                if (v[0] == '=' && ((v[1] >= 'a' && v[1] <= 'z') || (v[1] >= 'A' && v[1] <= 'Z')) &&
                    !(cmd->argv[i].word_flags & SH_WORD_QUOTED))
                        cj_report(c, CJ_VERDICT_ASK, cmd->argv[i].span.off, cmd->argv[i].span.len,
                                  "`%s` is a path lookup (=cmd) under zsh", v);
        }
        for (size_t i = 0; i < cmd->nredirs; i++) {
                const sh_cmd_redir *r = &cmd->redirs[i];
                if (r->redir && r->target && (strcmp(r->target, "!") == 0 || strncmp(r->target, "!", 1) == 0) &&
                    (r->redir->op == SH_REDIR_OUT || r->redir->op == SH_REDIR_APPEND))
                        cj_report(c, CJ_VERDICT_ASK, r->redir->span.off, r->redir->span.len,
                                  "`>!` is zsh's clobber; bash writes a file named `%s`", r->target);
        }
}

const cj_validator cj_v_zsh = {
        .name = "zsh",
        .owns = "zsh-only builtins (zmodload, sysopen, ztcp ...), =cmd, >!, zsh itself",
        .cmd = zsh_cmd,
};
