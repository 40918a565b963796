/* SPDX-License-Identifier: MIT */
/*
 * substitution: $( ) ` ` <( ) >( ) whose output decides what runs or where
 * data goes.  The commands inside a substitution are validated like any other
 * (the walker visits them), so `echo "$(date)"` is fine; what is not fine is
 * output that becomes program text (`sh -c "$(..)"`, `source <(..)`), a
 * redirection target, or a body the parser could not read.
 */
#include "internal.h"

static void subst_cmd(cj_vctx *c, const sh_cmd *cmd) {
        bool code = cj_cmd_takes_code(cmd);
        for (size_t i = 1; code && i < cmd->argc; i++) {
                const sh_arg *a = &cmd->argv[i];
                if ((a->word_flags & (SH_WORD_CMDSUBST | SH_WORD_PROCSUBST)) && cj_arg_is_code(cmd, i))
                        cj_report(c, CJ_VERDICT_ASK, a->span.off, a->span.len,
                                  "the output of a substitution becomes program text for `%s`", cj_cmd_name(cmd));
        }
        for (size_t i = 0; i < cmd->nredirs; i++) {
                const sh_redir *r = cmd->redirs[i].redir;
                if (!r || !r->target || r->op == SH_REDIR_HEREDOC || r->op == SH_REDIR_HEREDOC_STRIP ||
                    r->op == SH_REDIR_HERESTRING)
                        continue;
                if (r->target->flags & (SH_WORD_CMDSUBST | SH_WORD_PROCSUBST))
                        cj_report(c, CJ_VERDICT_ASK, r->span.off, r->span.len,
                                  "redirection target is computed by a command at runtime");
        }
}

static void subst_part(cj_vctx *c, const sh_part *p, const sh_word *w, const sh_cmd_ctx *where) {
        bool subst = p->kind == SH_PART_CMDSUBST || p->kind == SH_PART_BACKTICK || p->kind == SH_PART_PROCSUBST_IN ||
                     p->kind == SH_PART_PROCSUBST_OUT;
        if (subst && !p->sub)
                cj_report(c, CJ_VERDICT_ASK, p->span.off, p->span.len,
                          "substitution body could not be parsed statically; its commands are unknown");
}

const cj_validator cj_v_substitution = {
        .name = "substitution",
        .owns = "command/process substitution whose output becomes code or a redirection target; unparsable bodies",
        .cmd = subst_cmd,
        .part = subst_part,
};
