/* SPDX-License-Identifier: MIT */
/*
 * eval_source: builtins that run text as commands later or elsewhere: eval,
 * source / . (except a static relative file inside the workspace, which is no
 * different from `bash FILE`), trap, fc -e/-s, enable -f, bind -x,
 * mapfile -C, alias, shopt -s expand_aliases, command_not_found_handle.
 */
#include <string.h>

#include "internal.h"

/* trap 'rm -f "$tmp"' EXIT: a static string is validated as the command it
 * will be (the whole chain and the rules, nested); a runtime one asks. */
static void trap_string(cj_vctx *c, const sh_arg *a) {
        static _Thread_local unsigned depth; /* trap strings inside trap strings, across nested validations */
        if ((a->flags & (SH_ARG_DYNAMIC | SH_ARG_GLOB)) || depth >= CJ_RECHECK_DEPTH_MAX) {
                cj_report(c, CJ_VERDICT_ASK, a->span.off, a->span.len, "trap stores a command string that runs later");
                return;
        }
        cj_validation v = { 0 };
        cj_error err = { 0 };
        depth++;
        int r = cj_validate_command(a->value, strlen(a->value), c->profile, c->cwd, &v, &err);
        depth--;
        if (r < 0) {
                cj_report(c, CJ_VERDICT_ASK, a->span.off, a->span.len, "trap string could not be checked");
                return;
        }
        for (size_t i = 0; i < v.n_findings; i++)
                if (v.findings[i].decision != CJ_VERDICT_ALLOW)
                        cj_report(c, v.findings[i].decision, a->span.off, a->span.len, "in the trap string: %s: %s",
                                  v.findings[i].validator, v.findings[i].message);
        cj_validation_clear(&v);
}

static void eval_cmd(cj_vctx *c, const sh_cmd *cmd) {
        const char *n = cj_cmd_name(cmd);
        sh_span s = cj_cmd_span(cmd);
        if (cmd->argc == 0)
                return;
        if (strcmp(n, "eval") == 0 && cmd->argc > 1) {
                cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "eval runs its arguments as a new command line");
        } else if ((strcmp(n, "source") == 0 || strcmp(n, ".") == 0) && cmd->argc > 1) {
                if (!cj_arg_is_workspace_file(&cmd->argv[1]))
                        cj_report(c, CJ_VERDICT_ASK, cmd->argv[1].span.off, cmd->argv[1].span.len,
                                  "`%s` runs a file that is not a static path inside the workspace", n);
        } else if (strcmp(n, "trap") == 0 && cmd->argc > 2) {
                const char *a = cmd->argv[1].value;
                if (strcmp(a, "-") != 0 && a[0] != '\0' && strcmp(a, "-l") != 0 && strcmp(a, "-p") != 0)
                        trap_string(c, &cmd->argv[1]);
        } else if (strcmp(n, "fc") == 0) {
                for (size_t i = 1; i < cmd->argc; i++)
                        if (strcmp(cmd->argv[i].value, "-e") == 0 || strcmp(cmd->argv[i].value, "-s") == 0)
                                cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "fc re-runs history entries");
        } else if (strcmp(n, "enable") == 0) {
                for (size_t i = 1; i < cmd->argc; i++)
                        if (strncmp(cmd->argv[i].value, "-f", 2) == 0)
                                cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "enable -f loads a shared object into bash");
        } else if (strcmp(n, "bind") == 0 || strcmp(n, "mapfile") == 0 || strcmp(n, "readarray") == 0) {
                const char *flag = strcmp(n, "bind") == 0 ? "-x" : "-C";
                for (size_t i = 1; i < cmd->argc; i++)
                        if (strncmp(cmd->argv[i].value, flag, 2) == 0)
                                cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "`%s %s` runs a command string", n, flag);
        } else if (strcmp(n, "alias") == 0) {
                for (size_t i = 1; i < cmd->argc; i++)
                        if (strchr(cmd->argv[i].value, '=') || cmd->argv[i].flags & SH_ARG_DYNAMIC)
                                cj_report(c, CJ_VERDICT_ASK, s.off, s.len,
                                          "alias changes what later command words mean");
        } else if (strcmp(n, "shopt") == 0) {
                for (size_t i = 1; i < cmd->argc; i++)
                        if (strcmp(cmd->argv[i].value, "expand_aliases") == 0)
                                cj_report(c, CJ_VERDICT_ASK, s.off, s.len,
                                          "expand_aliases makes later words mean something else");
        }
}

static void eval_node(cj_vctx *c, const sh_node *n, const sh_cmd_ctx *where) {
        if (n->kind == SH_NODE_FUNCDEF && n->func.name &&
            (strcmp(n->func.name, "command_not_found_handle") == 0 || strcmp(n->func.name, "cd") == 0 ||
             strcmp(n->func.name, "eval") == 0 || strcmp(n->func.name, "source") == 0 ||
             strcmp(n->func.name, "exit") == 0))
                cj_report(c, CJ_VERDICT_ASK, n->func.name_span.off, n->func.name_span.len,
                          "function `%s` replaces a builtin the shell relies on", n->func.name);
}

const cj_validator cj_v_eval_source = {
        .name = "eval_source",
        .owns = "eval, source/. of non-workspace files, trap, fc, enable -f, bind -x, mapfile -C, alias",
        .cmd = eval_cmd,
        .node = eval_node,
};
