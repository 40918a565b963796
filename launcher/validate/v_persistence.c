/* SPDX-License-Identifier: MIT */
/*
 * persistence: changes that make code run later, outside this call -- cron
 * and at jobs, systemd units and timers, launchd, autostart entries, shell rc
 * files, git hooks (and core.hooksPath, judged by hidden_exec), ssh
 * authorized_keys, /etc/ld.so.preload, `history -a/-w` to a planted HISTFILE,
 * and the profile's protect list (agent and IDE configuration: an agent that
 * rewrites its permission file escalates on the next start).  Reading these
 * files is fine; writing, linking, copying or editing them asks.  Relative
 * paths are judged after `cd` too (cdtrack.c).
 */
#include <string.h>

#include "internal.h"

static const char *const readers[] = { "cat", "less", "more", "head", "tail", "grep", "egrep", "fgrep", "rg", "ls",
                                       "stat", "file", "wc", "diff", "cmp", "md5sum", "sha1sum", "sha256sum",
                                       "sha512sum", "bat", "view", "realpath", "readlink", "test", "[", "du", "tree",
                                       "find", "git", "jq", "awk", "sort", "uniq", "cut", "strings", "xxd", "od",
                                       "hexdump", "echo", "printf", "basename", "dirname", "bash", "sh", "source", ".",
                                       "crontab", "systemctl", NULL };

static void persist_cmd(cj_vctx *c, const sh_cmd *cmd) {
        const char *n = cj_cmd_name(cmd);
        sh_span s = cj_cmd_span(cmd);
        if (cmd->argc > 0) {
                if (strcmp(n, "crontab") == 0) {
                        bool list_only = cmd->argc == 2 && strcmp(cmd->argv[1].value, "-l") == 0;
                        if (!list_only)
                                cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "crontab installs or removes scheduled jobs");
                } else if (strcmp(n, "at") == 0 || strcmp(n, "batch") == 0) {
                        if (!(cmd->argc == 2 && (strcmp(cmd->argv[1].value, "-l") == 0)))
                                cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "`%s` schedules a job to run later", n);
                } else if (strcmp(n, "systemctl") == 0 || strcmp(n, "launchctl") == 0) {
                        static const char *const verbs[] = { "enable", "link", "edit", "set-property", "add-wants",
                                                             "add-requires", "preset", "revert", "mask", "load",
                                                             "bootstrap", "submit", "start", "restart", "daemon-reload",
                                                             NULL };
                        for (size_t i = 1; i < cmd->argc; i++)
                                if (cj_name_in(cmd->argv[i].value, verbs)) {
                                        cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "`%s %s` changes what starts later",
                                                  n, cmd->argv[i].value);
                                        break;
                                }
                } else if (strcmp(n, "systemd-run") == 0) {
                        cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "systemd-run starts a unit outside this sandbox");
                } else if (strcmp(n, "history") == 0) {
                        for (size_t i = 1; i < cmd->argc; i++)
                                if (cmd->argv[i].value[0] == '-' && strpbrk(cmd->argv[i].value + 1, "awsrn"))
                                        cj_report(c, CJ_VERDICT_ASK, s.off, s.len,
                                                  "history %s writes or rewrites the history file", cmd->argv[i].value);
                }
                /* copiers write only their last operand (the rest they read) */
                static const char *const copiers[] = { "cp", "mv", "ln", "install", "rsync", "scp", NULL };
                size_t last = 0;
                for (size_t i = 1; i < cmd->argc; i++)
                        if (cmd->argv[i].value[0] != '-')
                                last = i;
                bool copier = cj_name_in(n, copiers);
                for (size_t i = 1; i < cmd->argc; i++) {
                        const char *v = cmd->argv[i].value;
                        const char *eq = strchr(v, '=');
                        unsigned k = cj_path_classify(v, c) | (eq ? cj_path_classify(eq + 1, c) : 0);
                        if ((k & CJ_PATH_PERSIST) && !cj_name_in(n, readers))
                                cj_report(c, CJ_VERDICT_ASK, cmd->argv[i].span.off, cmd->argv[i].span.len,
                                          "`%s` on `%s`: a file that runs code later (rc file, hook, unit, cron, "
                                          "authorized_keys)",
                                          n, v);
                        /* agent and IDE configuration, git hooks: the profile's protect list */
                        else if ((k & CJ_PATH_PROTECTED) && !cj_name_in(n, readers) && (!copier || i == last))
                                cj_report(c, CJ_VERDICT_ASK, cmd->argv[i].span.off, cmd->argv[i].span.len,
                                          "`%s` on `%s`, which the profile protects (configuration that runs "
                                          "code or grants permissions later)",
                                          n, v);
                }
        }
        for (size_t i = 0; i < cmd->nredirs; i++) {
                const sh_cmd_redir *r = &cmd->redirs[i];
                if (!r->redir || !r->target)
                        continue;
                sh_redir_op op = r->redir->op;
                if (op != SH_REDIR_OUT && op != SH_REDIR_APPEND && op != SH_REDIR_CLOBBER && op != SH_REDIR_RDWR &&
                    op != SH_REDIR_OUT_ERR && op != SH_REDIR_APPEND_ERR && op != SH_REDIR_DUP_OUT)
                        continue;
                if (cj_path_classify(r->target, c) & CJ_PATH_PERSIST)
                        cj_report(c, CJ_VERDICT_ASK, r->redir->span.off, r->redir->span.len,
                                  "writes to `%s`, which runs code later (rc file, hook, unit, cron)", r->target);
        }
        for (size_t i = 0; i < cmd->nassigns; i++)
                if (strcmp(cmd->assigns[i].name, "HISTFILE") == 0 &&
                    (cj_path_classify(cmd->assigns[i].value, c) & CJ_PATH_PERSIST))
                        cj_report(c, CJ_VERDICT_ASK, cmd->assigns[i].span.off, cmd->assigns[i].span.len,
                                  "HISTFILE points at a file that runs code later");
}

const cj_validator cj_v_persistence = {
        .name = "persistence",
        .owns = "crontab, at, systemd/launchd, autostart, shell rc files, git hooks, authorized_keys, history -a",
        .cmd = persist_cmd,
};
