/* SPDX-License-Identifier: MIT */
/*
 * download_exec: running code that arrives at runtime from the network or
 * from a decoder -- `curl URL | sh`, `base64 -d <<< .. | bash`,
 * `bash <(curl ..)`, `python3 -c "$(wget -O- ..)"`, `eval "$(curl ..)"`, and
 * `curl -o x.sh URL && bash x.sh`.  These are deny: nobody can review code
 * that does not exist yet.  A shell reading its program from any other pipe
 * is ask.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util/cleanup.h"

static bool decodes_flag(const sh_cmd *cmd) {
        for (size_t i = 1; i < cmd->argc; i++) {
                const char *v = cmd->argv[i].value;
                if (strcmp(v, "-d") == 0 || strcmp(v, "--decode") == 0 || strcmp(v, "-D") == 0 ||
                    strcmp(v, "-r") == 0 || strcmp(v, "-rp") == 0 || strcmp(v, "-pr") == 0)
                        return true;
        }
        return false;
}

/* Produces program text from outside: a fetcher, or a decoder decoding. */
static bool producer(const sh_cmd *cmd) {
        const char *n = cj_cmd_name(cmd);
        if (cj_is_fetcher_name(n))
                return true;
        if (cj_name_in(n, (const char *const[]) { "base64", "base32", "basenc", "xxd", "openssl", NULL }))
                return decodes_flag(cmd);
        return cj_name_in(n, (const char *const[]) { "uudecode", NULL });
}

/* An interpreter with no code argument and no script operand reads stdin. */
static bool interp_reads_stdin(const sh_cmd *cmd) {
        const char *n = cj_cmd_name(cmd);
        if (!cj_is_interpreter_name(n) || strcmp(n, "busybox") == 0)
                return false;
        for (size_t i = 1; i < cmd->argc; i++) {
                const char *v = cmd->argv[i].value;
                if (strcmp(v, "-") == 0)
                        return true;
                if (v[0] != '-')
                        return cj_path_is_stdin(v); /* script or awk program; /dev/stdin reads stdin */
                if (strpbrk(v + 1, "cemEfrpV") || strcmp(v, "--version") == 0 || strcmp(v, "--help") == 0 ||
                    strncmp(v, "--eval", 6) == 0)
                        return false;
        }
        return true;
}

static void record_download(cj_vctx *c, const sh_cmd *cmd) {
        const char *n = cj_cmd_name(cmd);
        if (strcmp(n, "curl") != 0 && strcmp(n, "wget") != 0)
                return;
        for (size_t i = 1; i + 1 < cmd->argc; i++) {
                const char *v = cmd->argv[i].value;
                if (strcmp(v, "-o") == 0 || strcmp(v, "--output") == 0 || strcmp(v, "-O") == 0 ||
                    strcmp(v, "--output-document") == 0)
                        cj_vstrs_add(&c->downloaded, cmd->argv[i + 1].value, cmd->argv[i + 1].span);
        }
        for (size_t i = 0; i < cmd->nredirs; i++)
                if (cmd->redirs[i].redir && cmd->redirs[i].target &&
                    (cmd->redirs[i].redir->op == SH_REDIR_OUT || cmd->redirs[i].redir->op == SH_REDIR_CLOBBER))
                        cj_vstrs_add(&c->downloaded, cmd->redirs[i].target, cmd->redirs[i].redir->span);
}

static void record_executed(cj_vctx *c, const sh_cmd *cmd) {
        if (cmd->argc == 0)
                return;
        if (strchr(cmd->argv[0].value, '/'))
                cj_vstrs_add(&c->executed, cmd->argv[0].value, cmd->argv[0].span);
        for (size_t i = 1; i < cmd->argc && cj_cmd_takes_code(cmd); i++)
                if (cj_arg_is_code(cmd, i) && cmd->argv[i].value[0] != '-')
                        cj_vstrs_add(&c->executed, cmd->argv[i].value, cmd->argv[i].span);
}

static void dl_cmd(cj_vctx *c, const sh_cmd *cmd) {
        sh_span s = cj_cmd_span(cmd);
        if (cmd->argc == 0)
                return;
        if ((cmd->ctx.flags & (SH_CTX_CMDSUBST | SH_CTX_PROCSUBST)) && producer(cmd))
                cj_vstrs_add(&c->fetch_in_subst, cj_cmd_name(cmd), s);
        bool code = cj_cmd_takes_code(cmd);
        for (size_t i = 1; code && i < cmd->argc; i++)
                if ((cmd->argv[i].word_flags & (SH_WORD_CMDSUBST | SH_WORD_PROCSUBST)) && cj_arg_is_code(cmd, i))
                        cj_vstrs_add(&c->code_sinks, cj_cmd_name(cmd), cmd->argv[i].span);
        record_download(c, cmd);
        record_executed(c, cmd);

        bool sources_stdin = (strcmp(cj_cmd_name(cmd), "source") == 0 || strcmp(cj_cmd_name(cmd), ".") == 0) &&
                             cmd->argc > 1 && cj_path_is_stdin(cmd->argv[1].value);
        if (!cj_cmd_is_shell_reading_stdin(cmd) && !interp_reads_stdin(cmd) && !sources_stdin)
                return;
        if (!cmd->ctx.pipe_from)
                return;
        bool decodes;
        _cleanup_free_ char *from = cj_node_command_name(cmd->ctx.pipe_from, &decodes);
        if (from && (cj_is_fetcher_name(from) || decodes))
                cj_report(c, CJ_VERDICT_DENY, s.off, s.len, "`%s` runs whatever `%s` %s", cj_cmd_name(cmd), from,
                          decodes ? "decodes" : "downloads");
        else
                cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "`%s` reads its program from a pipe", cj_cmd_name(cmd));
}

static bool inside(sh_span in, sh_span out) {
        return in.off >= out.off && in.off + in.len <= out.off + out.len;
}

static void dl_finish(cj_vctx *c) {
        for (size_t i = 0; i < c->fetch_in_subst.n; i++)
                for (size_t j = 0; j < c->code_sinks.n; j++)
                        if (inside(c->fetch_in_subst.spans[i], c->code_sinks.spans[j])) {
                                sh_span k = c->code_sinks.spans[j];
                                cj_report(c, CJ_VERDICT_DENY, k.off, k.len,
                                          "`%s` runs program text that `%s` fetches or decodes at runtime",
                                          c->code_sinks.v[j], c->fetch_in_subst.v[i]);
                        }
        for (size_t i = 0; i < c->executed.n; i++)
                for (size_t j = 0; j < c->downloaded.n; j++)
                        if (strcmp(cj_basename(c->executed.v[i]), cj_basename(c->downloaded.v[j])) == 0 &&
                            c->executed.spans[i].off > c->downloaded.spans[j].off) {
                                sh_span s = c->executed.spans[i];
                                cj_report(c, CJ_VERDICT_DENY, s.off, s.len, "runs `%s`, which this command downloads",
                                          c->executed.v[i]);
                        }
}

const cj_validator cj_v_download_exec = {
        .name = "download_exec",
        .owns = "curl|sh, base64 -d|sh, bash <(curl ..), sh -c \"$(curl ..)\", download then run",
        .cmd = dl_cmd,
        .finish = dl_finish,
};
