/* SPDX-License-Identifier: MIT */
/* brace_command: `{rm,-rf,~}` is one word to a reader and three to bash. */
#include "internal.h"

static void brace_cmd(cj_vctx *c, const sh_cmd *cmd) {
        if (cmd->argc > 0 && (cmd->argv[0].word_flags & SH_WORD_BRACE))
                cj_report(c, CJ_VERDICT_ASK, cmd->argv[0].span.off, cmd->argv[0].span.len,
                          "brace expansion in command position builds the command `%s`%s", cmd->argv[0].value,
                          cmd->argc > 1 ? " ..." : "");
}

const cj_validator cj_v_brace_command = {
        .name = "brace_command",
        .owns = "brace expansion that produces the command name",
        .cmd = brace_cmd,
};
