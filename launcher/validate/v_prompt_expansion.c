/* SPDX-License-Identifier: MIT */
/* prompt_expansion: ${x@P} expands x as a prompt string, and prompt strings
 * run $(...) found in the variable's runtime value. */
#include "internal.h"

static void prompt_part(cj_vctx *c, const sh_part *p, const sh_word *w, const sh_cmd_ctx *where) {
        if (p->kind == SH_PART_PARAM && p->param && p->param->op == SH_PARAM_TRANSFORM && p->param->transform == 'P')
                cj_report(c, CJ_VERDICT_ASK, p->span.off, p->span.len,
                          "${%s@P} expands the value as a prompt: command substitutions inside it run",
                          p->param->name);
}

const cj_validator cj_v_prompt_expansion = {
        .name = "prompt_expansion",
        .owns = "${var@P} prompt expansion of runtime values",
        .part = prompt_part,
};
