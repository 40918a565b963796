/* SPDX-License-Identifier: MIT */
/*
 * dynamic_command: the program that runs is known only at runtime -- a
 * command name built from a variable, substitution or glob, or a runner whose
 * payload the parser could not resolve (`bash -c "$x"`, `xargs sh -c`).
 */
#include <string.h>

#include "internal.h"

static void dyn_cmd(cj_vctx *c, const sh_cmd *cmd) {
        if (cmd->argc == 0)
                return;
        const sh_arg *a = &cmd->argv[0];
        if (a->flags & SH_ARG_DYNAMIC)
                cj_report(c, CJ_VERDICT_ASK, a->span.off, a->span.len,
                          "command name `%s` is computed at runtime", a->value);
        else if (a->flags & SH_ARG_GLOB)
                cj_report(c, CJ_VERDICT_ASK, a->span.off, a->span.len,
                          "command name `%s` is a glob: whatever file matches runs", a->value);
        else if (a->value[0] == '\0')
                cj_report(c, CJ_VERDICT_ASK, a->span.off, a->span.len, "empty command name");
}

/* What a runner that the parser could not unwrap still does harmlessly:
 * print its version or help, or run a static script inside the workspace
 * (the same as ./script.sh, which the sandbox confines). */
static bool harmless_unresolved(const sh_cmd *cmd) {
        for (size_t i = 1; i < cmd->argc; i++)
                if (cj_name_in(cmd->argv[i].value, (const char *const[]) { "--version", "--help", NULL }))
                        return true;
        if (!cj_is_shell_name(cj_cmd_name(cmd)) || strcmp(cj_cmd_name(cmd), "zsh") == 0)
                return false;
        for (size_t i = 1; i < cmd->argc; i++) {
                const char *v = cmd->argv[i].value;
                if (v[0] == '-' || v[0] == '+') {
                        if (v[1] != '-' && strchr(v, 'c'))
                                return false;
                        continue;
                }
                return cj_arg_is_workspace_file(&cmd->argv[i]);
        }
        return false;
}

static void dyn_unresolved(cj_vctx *c, const sh_cmd *cmd, const char *why) {
        sh_span s = cj_cmd_span(cmd);
        if (harmless_unresolved(cmd))
                return;
        cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "cannot tell what `%s` runs: %s", cj_cmd_name(cmd),
                  why ? why : "unresolved");
}

const cj_validator cj_v_dynamic_command = {
        .name = "dynamic_command",
        .owns = "command names and runner payloads known only at runtime",
        .cmd = dyn_cmd,
        .unresolved = dyn_unresolved,
};
