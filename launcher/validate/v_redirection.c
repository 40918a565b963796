/* SPDX-License-Identifier: MIT */
/*
 * redirection: output redirections whose target is a system path, a device
 * (block devices and /dev/mem: deny), a kernel knob (/proc/sys, /sys:
 * deny), a bash network pseudo-file (/dev/tcp), a path the profile protects,
 * or a target known only at runtime.  Credentials and rc files are judged by
 * their own validators.
 */
#include <string.h>

#include "internal.h"

static bool writes(const sh_redir *r, const char *target) {
        switch (r->op) {
        case SH_REDIR_OUT:
        case SH_REDIR_APPEND:
        case SH_REDIR_CLOBBER:
        case SH_REDIR_RDWR:
        case SH_REDIR_OUT_ERR:
        case SH_REDIR_APPEND_ERR:
                return true;
        case SH_REDIR_DUP_OUT:
                /* >&N, >&N-, >&- are fd operations; any other word is a file (like &>) */
                if (strcmp(target, "-") == 0)
                        return false;
                for (const char *p = target; *p; p++)
                        if (!((*p >= '0' && *p <= '9') || (*p == '-' && p[1] == '\0')))
                                return true;
                return false;
        default:
                return false;
        }
}

static void redir_cmd(cj_vctx *c, const sh_cmd *cmd) {
        for (size_t i = 0; i < cmd->nredirs; i++) {
                const sh_cmd_redir *cr = &cmd->redirs[i];
                const sh_redir *r = cr->redir;
                if (!r || !cr->target)
                        continue;
                const char *t = cr->target;
                if (strncmp(t, "/dev/tcp/", 9) == 0 || strncmp(t, "/dev/udp/", 9) == 0) {
                        cj_report(c, CJ_VERDICT_ASK, r->span.off, r->span.len,
                                  "bash opens a network connection for `%s`", t);
                        continue;
                }
                if (!writes(r, t))
                        continue;
                if (cr->flags & SH_ARG_DYNAMIC) {
                        /* `tmp=$(mktemp); echo x > "$tmp"`: under a default-allow profile the
                         * sandbox's read-only and masked paths hold whatever it names */
                        if (cj_allowlist(c))
                                cj_report(c, CJ_VERDICT_ASK, r->span.off, r->span.len,
                                          "output goes to a file named at runtime (`%s`)", t);
                        continue;
                }
                unsigned k = cj_path_classify(t, c);
                if (k & CJ_PATH_HARMLESS_DEV)
                        continue;
                if (k & CJ_PATH_DEVICE_BLOCK)
                        cj_report(c, CJ_VERDICT_DENY, r->span.off, r->span.len,
                                  "writes to the raw device or memory `%s`", t);
                else if (strncmp(t, "/proc/sys", 9) == 0 || strncmp(t, "/sys/", 5) == 0 ||
                         strcmp(t, "/proc/sysrq-trigger") == 0 || strncmp(t, "/boot", 5) == 0)
                        cj_report(c, CJ_VERDICT_DENY, r->span.off, r->span.len, "writes to kernel or boot state `%s`",
                                  t);
                else if (k & CJ_PATH_DEVICE)
                        cj_report(c, CJ_VERDICT_ASK, r->span.off, r->span.len, "writes to the device `%s`", t);
                else if (k & (CJ_PATH_CREDENTIAL | CJ_PATH_PERSIST))
                        continue; /* credentials / persistence own these */
                else if (k & CJ_PATH_SYSTEM)
                        cj_report(c, CJ_VERDICT_ASK, r->span.off, r->span.len, "writes to the system path `%s`", t);
                else if (k & CJ_PATH_PROTECTED)
                        cj_report(c, CJ_VERDICT_ASK, r->span.off, r->span.len,
                                  "writes to `%s`, which the profile protects", t);
        }
}

const cj_validator cj_v_redirection = {
        .name = "redirection",
        .owns = "output redirections to system paths, devices, kernel knobs, /dev/tcp, protected or runtime paths",
        .cmd = redir_cmd,
};
