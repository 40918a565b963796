/* SPDX-License-Identifier: MIT */
/*
 * exfiltration: sending local files elsewhere -- curl -d @FILE / -F x=@FILE
 * / -T, wget --post-file, nc/socat fed from a file or a pipe, scp/rsync/sftp
 * to a remote host, ssh to a host, cloud copy tools, mail.  Network access
 * itself is the profile's business; uploading data is this validator's.
 */
#include <string.h>

#include "internal.h"

enum { T_DATA = 1, T_FORM, T_UPLOAD, T_CONFIG, T_POSTFILE, T_EXEC };

static const cj_opt curl_opts[] = {
        { "data", 'd', CJ_OPT_ARG, T_DATA },
        { "data-binary", 0, CJ_OPT_ARG, T_DATA },
        { "data-ascii", 0, CJ_OPT_ARG, T_DATA },
        { "data-urlencode", 0, CJ_OPT_ARG, T_DATA },
        { "data-raw", 0, CJ_OPT_ARG, 0 },
        { "json", 0, CJ_OPT_ARG, T_DATA },
        { "form", 'F', CJ_OPT_ARG, T_FORM },
        { "form-string", 0, CJ_OPT_ARG, 0 },
        { "upload-file", 'T', CJ_OPT_ARG, T_UPLOAD },
        { "config", 'K', CJ_OPT_ARG, T_CONFIG },
        { "output", 'o', CJ_OPT_ARG, 0 },
        { "header", 'H', CJ_OPT_ARG, 0 },
        { "request", 'X', CJ_OPT_ARG, 0 },
        { "user", 'u', CJ_OPT_ARG, 0 },
        { "user-agent", 'A', CJ_OPT_ARG, 0 },
        { "referer", 'e', CJ_OPT_ARG, 0 },
        { "cookie", 'b', CJ_OPT_ARG, 0 },
        { "cookie-jar", 'c', CJ_OPT_ARG, 0 },
        { "retry", 0, CJ_OPT_ARG, 0 },
        { "max-time", 'm', CJ_OPT_ARG, 0 },
        { "write-out", 'w', CJ_OPT_ARG, 0 },
        { "range", 'r', CJ_OPT_ARG, 0 },
        { "proxy", 'x', CJ_OPT_ARG, 0 },
        { "connect-timeout", 0, CJ_OPT_ARG, 0 },
        { NULL, 0, 0, 0 },
};

static const cj_opt wget_opts[] = {
        { "post-file", 0, CJ_OPT_ARG, T_POSTFILE },
        { "body-file", 0, CJ_OPT_ARG, T_POSTFILE },
        { "execute", 'e', CJ_OPT_ARG, T_EXEC },
        { "output-document", 'O', CJ_OPT_ARG, 0 },
        { "post-data", 0, CJ_OPT_ARG, 0 },
        { "body-data", 0, CJ_OPT_ARG, 0 },
        { "input-file", 'i', CJ_OPT_ARG, 0 },
        { "output-file", 'o', CJ_OPT_ARG, 0 },
        { "directory-prefix", 'P', CJ_OPT_ARG, 0 },
        { "user-agent", 'U', CJ_OPT_ARG, 0 },
        { "tries", 't', CJ_OPT_ARG, 0 },
        { "timeout", 'T', CJ_OPT_ARG, 0 },
        { "config", 0, CJ_OPT_ARG, T_EXEC },
        { NULL, 0, 0, 0 },
};

typedef struct scan {
        cj_vctx *c;
        const sh_cmd *cmd;
} scan;

static bool curl_cb(const cj_optval *o, void *ud) {
        scan *s = ud;
        if (!o->opt || !o->value)
                return true;
        const sh_arg *a = &s->cmd->argv[o->argi];
        const char *v = o->value;
        switch (o->opt->tag) {
        case T_DATA:
                if (v[0] == '@' || (strcmp(o->opt->lname, "data-urlencode") == 0 && strchr(v, '@')))
                        cj_report(s->c, CJ_VERDICT_ASK, a->span.off, a->span.len, "curl uploads the file `%s`",
                                  strchr(v, '@') + 1);
                break;
        case T_FORM:
                if (strstr(v, "=@") || strstr(v, "=<"))
                        cj_report(s->c, CJ_VERDICT_ASK, a->span.off, a->span.len, "curl uploads a file in a form: `%s`",
                                  v);
                break;
        case T_UPLOAD:
                cj_report(s->c, CJ_VERDICT_ASK, a->span.off, a->span.len, "curl uploads `%s`", v);
                break;
        case T_CONFIG:
                cj_report(s->c, CJ_VERDICT_ASK, a->span.off, a->span.len,
                          "curl reads further options (uploads, outputs) from `%s`", v);
                break;
        case T_POSTFILE:
                cj_report(s->c, CJ_VERDICT_ASK, a->span.off, a->span.len, "wget posts the file `%s`", v);
                break;
        case T_EXEC:
                cj_report(s->c, CJ_VERDICT_ASK, a->span.off, a->span.len,
                          "wget runs configuration commands (post_file, use_askpass ...): `%s`", v);
                break;
        }
        return true;
}

/* [user@]host:path -- not ./x:y, not /abs:x, not C:\ style. */
static bool remote_spec(const char *v) {
        const char *colon = strchr(v, ':');
        if (!colon || colon == v || v[0] == '/' || v[0] == '.' || v[0] == '-')
                return false;
        for (const char *p = v; p < colon; p++)
                if (*p == '/')
                        return false;
        return true;
}

static bool has_input(const sh_cmd *cmd) {
        if (cmd->ctx.pipe_from)
                return true;
        for (size_t i = 0; i < cmd->nredirs; i++)
                if (cmd->redirs[i].redir && (cmd->redirs[i].redir->op == SH_REDIR_IN ||
                                             cmd->redirs[i].redir->op == SH_REDIR_RDWR))
                        return true;
        return false;
}

static void exfil_cmd(cj_vctx *c, const sh_cmd *cmd) {
        const char *n = cj_cmd_name(cmd);
        sh_span s = cj_cmd_span(cmd);
        scan sc = { c, cmd };
        if (cmd->argc == 0)
                return;
        if (strcmp(n, "curl") == 0)
                cj_opts_scan(cmd, 1, curl_opts, false, curl_cb, &sc);
        else if (strcmp(n, "wget") == 0 || strcmp(n, "wget2") == 0)
                cj_opts_scan(cmd, 1, wget_opts, false, curl_cb, &sc);
        else if (cj_name_in(n, (const char *const[]) { "nc", "ncat", "netcat", "socat", "telnet", "openssl", NULL })) {
                bool client = strcmp(n, "openssl") != 0 ||
                              (cmd->argc > 1 && strcmp(cmd->argv[1].value, "s_client") == 0);
                if (client && has_input(cmd))
                        cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "`%s` sends local data to a network peer", n);
                if (strcmp(n, "socat") == 0)
                        for (size_t i = 1; i < cmd->argc; i++)
                                if (strncmp(cmd->argv[i].value, "FILE:", 5) == 0 ||
                                    strncmp(cmd->argv[i].value, "file:", 5) == 0 ||
                                    strncmp(cmd->argv[i].value, "OPEN:", 5) == 0 ||
                                    strncmp(cmd->argv[i].value, "open:", 5) == 0)
                                        cj_report(c, CJ_VERDICT_ASK, cmd->argv[i].span.off, cmd->argv[i].span.len,
                                                  "socat connects a local file to another address");
        } else if (cj_name_in(n, (const char *const[]) { "scp", "rsync", "rcp", NULL })) {
                for (size_t i = 1; i < cmd->argc; i++)
                        if (cmd->argv[i].value[0] != '-' && (remote_spec(cmd->argv[i].value) ||
                                                             strncmp(cmd->argv[i].value, "rsync://", 8) == 0)) {
                                cj_report(c, CJ_VERDICT_ASK, cmd->argv[i].span.off, cmd->argv[i].span.len,
                                          "`%s` copies to or from the remote `%s`", n, cmd->argv[i].value);
                                break;
                        }
        } else if (strcmp(n, "ssh") == 0 || strcmp(n, "sftp") == 0) {
                static const char argopts[] = "BbcDEeFIiJLlmOoPpQRSWw";
                for (size_t i = 1; i < cmd->argc; i++) {
                        const char *v = cmd->argv[i].value;
                        if (v[0] == '-') {
                                if (v[1] && !v[2] && strchr(argopts, v[1]))
                                        i++;
                                continue;
                        }
                        cj_report(c, CJ_VERDICT_ASK, cmd->argv[i].span.off, cmd->argv[i].span.len,
                                  "ssh opens a session on `%s`: commands and data leave the sandbox", v);
                        break;
                }
        } else if (cj_name_in(n, (const char *const[]) { "mail", "mailx", "sendmail", "mutt", "msmtp", "swaks", NULL })) {
                cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "`%s` sends mail", n);
        } else if (cmd->argc > 2 && ((strcmp(n, "aws") == 0 && strcmp(cmd->argv[1].value, "s3") == 0) ||
                                     strcmp(n, "gsutil") == 0 || strcmp(n, "rclone") == 0 ||
                                     (strcmp(n, "gcloud") == 0 && strcmp(cmd->argv[1].value, "storage") == 0) ||
                                     (strcmp(n, "az") == 0 && strcmp(cmd->argv[1].value, "storage") == 0))) {
                for (size_t i = 1; i < cmd->argc; i++)
                        if (cj_name_in(cmd->argv[i].value, (const char *const[]) { "cp", "sync", "mv", "copy", "upload",
                                                                                   "upload-batch", "rsync", NULL })) {
                                cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "`%s %s` copies data to cloud storage", n,
                                          cmd->argv[i].value);
                                break;
                        }
        }
}

const cj_validator cj_v_exfiltration = {
        .name = "exfiltration",
        .owns = "uploading local files: curl -d @f/-F/-T, wget --post-file, nc/socat, scp/rsync/ssh, cloud cp, mail",
        .cmd = exfil_cmd,
};
