/* SPDX-License-Identifier: MIT */
/*
 * credentials: any argument or redirection naming a credential store (~/.ssh,
 * ~/.aws/credentials, .env, ~/.netrc, ~/.docker/config.json, ~/.config/gh,
 * ~/.openclaw, the profile's filesystem.deny ...) or another process's
 * secrets (/proc/PID/environ, /proc/PID/mem: deny).  Values are looked at
 * after `=`, `@` and `<` too (curl -d @FILE, --file=FILE).
 */
#include <string.h>

#include "internal.h"

static void judge(cj_vctx *c, const char *v, sh_span s) {
        unsigned k = cj_path_classify(v, c);
        if (k & CJ_PATH_PROC_SECRET)
                cj_report(c, CJ_VERDICT_DENY, s.off, s.len, "reads another process's secrets: `%s`", v);
        else if (k & CJ_PATH_SECRET_KEY)
                cj_report(c, CJ_VERDICT_DENY, s.off, s.len, "touches a private key or password hash: `%s`", v);
        else if (k & CJ_PATH_CREDENTIAL)
                cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "touches credentials: `%s`", v);
        else if (k & CJ_PATH_PROC_INFO)
                cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "reads another process's memory layout or state: `%s`", v);
}

static void judge_value(cj_vctx *c, const char *v, sh_span s) {
        judge(c, v, s);
        const char *eq = strchr(v, '=');
        if (eq && eq[1])
                judge(c, eq + 1, s);
        for (const char *p = v; (p = strpbrk(p, "@<")); p++)
                if (p[1])
                        judge(c, p + 1, s);
        /* -f~/.ssh/id_rsa: a short option with the path attached */
        if (v[0] == '-' && v[1] && v[1] != '-' && v[2])
                judge(c, v + 2, s);
}

/* Arguments that name a file without reading or sending it: echo/printf
 * print words (`echo .env >> .gitignore`), `git rm --cached` only unstages. */
static bool args_are_not_reads(const sh_cmd *cmd) {
        const char *n = cj_cmd_name(cmd);
        if (cj_name_in(n, (const char *const[]) { "echo", "printf", NULL }))
                return true;
        if (strcmp(n, "git") != 0 || cmd->argc < 3 || strcmp(cmd->argv[1].value, "rm") != 0)
                return false;
        for (size_t i = 2; i < cmd->argc; i++)
                if (strcmp(cmd->argv[i].value, "--cached") == 0)
                        return true;
        return false;
}

/* test/[/ls/stat/realpath/readlink/basename/dirname look at names and
 * metadata, never content: on a path inside the workspace (relative, no
 * "..") that is routine (`test -f .env || cp .env.example .env`, `ls -la
 * .env*`); probing the credential stores of HOME or the system still asks. */
static bool metadata_of_workspace_path(const sh_cmd *cmd, const sh_arg *a) {
        return cj_name_in(cj_cmd_name(cmd), (const char *const[]) { "test", "[", "ls", "stat", "realpath", "readlink",
                                                                     "basename", "dirname", NULL }) &&
               cj_arg_is_workspace_path(a);
}

static void cred_cmd(cj_vctx *c, const sh_cmd *cmd) {
        for (size_t i = 1; i < cmd->argc && !args_are_not_reads(cmd); i++)
                if (!metadata_of_workspace_path(cmd, &cmd->argv[i]))
                        judge_value(c, cmd->argv[i].value, cmd->argv[i].span);
        for (size_t i = 0; i < cmd->nredirs; i++) {
                const sh_cmd_redir *r = &cmd->redirs[i];
                if (!r->redir || !r->target || r->redir->op == SH_REDIR_HEREDOC ||
                    r->redir->op == SH_REDIR_HEREDOC_STRIP || r->redir->op == SH_REDIR_HERESTRING)
                        continue;
                judge(c, r->target, r->redir->span);
        }
        for (size_t i = 0; i < cmd->nassigns; i++)
                judge(c, cmd->assigns[i].value, cmd->assigns[i].span);
}

const cj_validator cj_v_credentials = {
        .name = "credentials",
        .owns = "credential files and stores, /proc/PID/environ|mem|maps, the profile's denied paths",
        .cmd = cred_cmd,
};
