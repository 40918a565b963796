/* SPDX-License-Identifier: MIT */
/*
 * ifs: $IFS changes how bash splits words, so `cat${IFS}/etc/passwd` or an
 * IFS assignment followed by unquoted expansions runs words no reader sees.
 * `IFS=... read` (scoped to read) is ordinary and allowed.
 */
#include <string.h>

#include "internal.h"

static const char *const decl_builtins[] = { "export", "declare", "typeset", "local", "readonly", NULL };

static void ifs_cmd(cj_vctx *c, const sh_cmd *cmd) {
        const char *n = cj_cmd_name(cmd);
        bool scoped = cmd->argc > 0 && (strcmp(n, "read") == 0 || strcmp(n, "mapfile") == 0 ||
                                        strcmp(n, "readarray") == 0);
        for (size_t i = 0; i < cmd->nassigns; i++)
                if (strcmp(cmd->assigns[i].name, "IFS") == 0 && !scoped)
                        cj_report(c, CJ_VERDICT_ASK, cmd->assigns[i].span.off, cmd->assigns[i].span.len,
                                  "IFS assignment changes how later words are split");
        if (cmd->argc > 1 && cj_name_in(n, decl_builtins))
                for (size_t i = 1; i < cmd->argc; i++)
                        if (strncmp(cmd->argv[i].value, "IFS=", 4) == 0 || strcmp(cmd->argv[i].value, "IFS") == 0)
                                cj_report(c, CJ_VERDICT_ASK, cmd->argv[i].span.off, cmd->argv[i].span.len,
                                          "`%s IFS` changes how later words are split", n);
}

static void ifs_part(cj_vctx *c, const sh_part *p, const sh_word *w, const sh_cmd_ctx *where) {
        if (p->kind == SH_PART_PARAM && p->param && strcmp(p->param->name, "IFS") == 0)
                cj_report(c, CJ_VERDICT_ASK, p->span.off, p->span.len,
                          "$IFS used inside a word: the word splits into arguments no reader sees");
}

const cj_validator cj_v_ifs = {
        .name = "ifs",
        .owns = "IFS assignments (outside `IFS= read`) and $IFS inside words",
        .cmd = ifs_cmd,
        .part = ifs_part,
};
