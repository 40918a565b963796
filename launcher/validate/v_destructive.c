/* SPDX-License-Identifier: MIT */
/*
 * destructive: operations that destroy what cannot be rebuilt.  Recursive
 * removal of /, ~, system directories (deny) or of the workspace root, a
 * protected path or a runtime-named path (ask); filesystem makers, wipers and
 * raw device writes (deny); recursive chmod/chown of system paths; git clean
 * -f / reset --hard (ask: they drop uncommitted work); find / -delete; fork
 * bombs.
 */
#include <string.h>

#include "internal.h"

static bool has_flag(const sh_cmd *cmd, char shortf, const char *longf) {
        for (size_t i = 1; i < cmd->argc; i++) {
                const char *v = cmd->argv[i].value;
                if (strcmp(v, "--") == 0)
                        return false;
                if (longf && v[0] == '-' && v[1] == '-' && strcmp(v + 2, longf) == 0)
                        return true;
                if (shortf && v[0] == '-' && v[1] != '-' && strchr(v + 1, shortf))
                        return true;
        }
        return false;
}

/* The whole word is one variable ("$BUILD_DIR", "${OUT}", $D): empty gives
 * `rm -rf ''` (nothing), "." and "/" are refused by rm itself; only a suffix
 * ("$D"/, $D/x) turns an empty value into the parent or the root. */
static bool plain_variable(const sh_arg *a) {
        if (!a->word || !a->word->raw)
                return false;
        const char *r = a->word->raw, *end = r + a->word->raw_len;
        bool dq = end - r >= 2 && r[0] == '"' && end[-1] == '"';
        if (dq)
                r++, end--;
        if (r >= end || *r++ != '$')
                return false;
        bool brace = r < end && *r == '{';
        if (brace)
                r++;
        if (r >= end || !(*r == '_' || (*r >= 'A' && *r <= 'Z') || (*r >= 'a' && *r <= 'z')))
                return false;
        const char *name = r;
        while (r < end && (*r == '_' || (*r >= 'A' && *r <= 'Z') || (*r >= 'a' && *r <= 'z') || (*r >= '0' && *r <= '9')))
                r++;
        /* the workspace and home themselves are never "just a build directory" */
        static const char *const places[] = { "PWD", "OLDPWD", "HOME", NULL };
        for (const char *const *p = places; *p; p++)
                if ((size_t) (r - name) == strlen(*p) && strncmp(name, *p, strlen(*p)) == 0)
                        return false;
        if (brace && (r >= end || *r++ != '}'))
                return false;
        return r == end;
}

/* Judge one target of a recursive/destructive operation. */
static void judge_target(cj_vctx *c, const char *op, const sh_arg *a) {
        const char *v = a->value;
        unsigned k = cj_path_classify(v, c);
        if (k & (CJ_PATH_ROOT | CJ_PATH_HOME | CJ_PATH_SYSTEM_TOP))
                cj_report(c, CJ_VERDICT_DENY, a->span.off, a->span.len, "%s `%s`: the root, a home or a system directory",
                          op, v);
        else if (k & CJ_PATH_DEVICE_BLOCK)
                cj_report(c, CJ_VERDICT_DENY, a->span.off, a->span.len, "%s the device `%s`", op, v);
        else if (k & CJ_PATH_WORKSPACE)
                cj_report(c, CJ_VERDICT_ASK, a->span.off, a->span.len, "%s `%s`: the whole workspace", op, v);
        else if (k & (CJ_PATH_SYSTEM | CJ_PATH_PROTECTED | CJ_PATH_DENIED))
                cj_report(c, CJ_VERDICT_ASK, a->span.off, a->span.len, "%s `%s`: a system or protected path", op, v);
        else if (strcmp(cj_basename(v), ".git") == 0 && !(a->flags & SH_ARG_DYNAMIC))
                cj_report(c, CJ_VERDICT_ASK, a->span.off, a->span.len, "%s `%s`: the repository and its history", op,
                          v);
        else if ((a->flags & SH_ARG_DYNAMIC) && !plain_variable(a))
                cj_report(c, CJ_VERDICT_ASK, a->span.off, a->span.len,
                          "%s `%s`, a path known only at runtime (empty expands to the parent)", op, v);
}

/* xargs (and friends) append arguments only known at runtime. */
static bool appends_args(const sh_cmd *cmd) {
        for (size_t i = 0; i < cmd->ctx.nvia; i++)
                if (cmd->ctx.via[i].flags & (SH_VIA_APPENDS_ARGS | SH_VIA_SUBSTITUTES))
                        return true;
        return false;
}

static void rm(cj_vctx *c, const sh_cmd *cmd) {
        bool recursive = has_flag(cmd, 'r', "recursive") || has_flag(cmd, 'R', NULL);
        if (recursive && appends_args(cmd)) {
                sh_span s = cj_cmd_span(cmd);
                cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "recursive delete of paths supplied at runtime (xargs)");
        }
        if (has_flag(cmd, 0, "no-preserve-root")) {
                sh_span s = cj_cmd_span(cmd);
                cj_report(c, CJ_VERDICT_DENY, s.off, s.len, "rm --no-preserve-root");
        }
        bool opts = true;
        for (size_t i = 1; i < cmd->argc; i++) {
                const sh_arg *a = &cmd->argv[i];
                if (opts && strcmp(a->value, "--") == 0) {
                        opts = false;
                        continue;
                }
                if (opts && a->value[0] == '-' && a->value[1])
                        continue;
                if (recursive)
                        judge_target(c, "recursive delete of", a);
                else {
                        unsigned k = cj_path_classify(a->value, c);
                        if (k & (CJ_PATH_SYSTEM | CJ_PATH_PROTECTED) && !(k & CJ_PATH_HARMLESS_DEV))
                                cj_report(c, CJ_VERDICT_ASK, a->span.off, a->span.len, "deletes `%s`", a->value);
                }
        }
}

/* chmod's mode operand gives others write (777, o+w, a+w, +w). */
static bool world_writable(const sh_cmd *cmd) {
        for (size_t i = 1; i < cmd->argc; i++) {
                const char *v = cmd->argv[i].value;
                if (v[0] == '-')
                        continue;
                size_t l = strlen(v);
                if (l >= 3 && strspn(v, "01234567") == l)
                        return strchr("2367", v[l - 1]) != NULL;
                return (strchr(v, 'o') || strchr(v, 'a') || v[0] == '+') && strstr(v, "+w") != NULL;
        }
        return false;
}

static void chmod_chown(cj_vctx *c, const sh_cmd *cmd) {
        bool recursive = has_flag(cmd, 'R', "recursive");
        bool first = true;
        for (size_t i = 1; i < cmd->argc; i++) {
                const sh_arg *a = &cmd->argv[i];
                if (a->value[0] == '-')
                        continue;
                if (first) { /* the mode / owner */
                        first = false;
                        continue;
                }
                unsigned k = cj_path_classify(a->value, c);
                if (k & CJ_PATH_HARMLESS_DEV)
                        continue;
                if (recursive && (k & CJ_PATH_WORKSPACE) && !(k & (CJ_PATH_ROOT | CJ_PATH_HOME)) &&
                    (strcmp(cj_cmd_name(cmd), "chmod") != 0 || world_writable(cmd)))
                        cj_report(c, CJ_VERDICT_ASK, a->span.off, a->span.len,
                                  "recursive %s of the whole workspace `%s`", cj_cmd_name(cmd), a->value);
                if (recursive && (k & (CJ_PATH_ROOT | CJ_PATH_HOME | CJ_PATH_SYSTEM)))
                        cj_report(c, k & (CJ_PATH_ROOT | CJ_PATH_SYSTEM_TOP | CJ_PATH_HOME) ? CJ_VERDICT_DENY
                                                                                             : CJ_VERDICT_ASK,
                                  a->span.off, a->span.len, "recursive %s of `%s`", cj_cmd_name(cmd), a->value);
                else if (k & (CJ_PATH_ROOT | CJ_PATH_SYSTEM | CJ_PATH_PROTECTED))
                        cj_report(c, CJ_VERDICT_ASK, a->span.off, a->span.len, "%s of the system or protected path `%s`",
                                  cj_cmd_name(cmd), a->value);
        }
}

static const char *const wipers[] = { "mkfs", "mke2fs", "mkswap", "wipefs", "blkdiscard", "mkntfs", "mkdosfs",
                                      "sgdisk", "zpool", NULL };
static const char *const partitioners[] = { "fdisk", "sfdisk", "cfdisk", "parted", "gdisk", "lvremove", "vgremove",
                                            "pvremove", "cryptsetup", "dmsetup", "losetup", "hdparm", NULL };

static void destr_cmd(cj_vctx *c, const sh_cmd *cmd) {
        const char *n = cj_cmd_name(cmd);
        sh_span s = cj_cmd_span(cmd);
        if (cmd->argc == 0)
                return;
        if (strcmp(n, "rm") == 0)
                rm(c, cmd);
        else if (strcmp(n, "chmod") == 0 || strcmp(n, "chown") == 0 || strcmp(n, "chgrp") == 0)
                chmod_chown(c, cmd);
        else if (cj_name_in(n, wipers) || strncmp(n, "mkfs.", 5) == 0)
                cj_report(c, CJ_VERDICT_DENY, s.off, s.len, "`%s` destroys a filesystem or device", n);
        else if (cj_name_in(n, partitioners))
                cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "`%s` changes disks or block devices", n);
        else if (strcmp(n, "shred") == 0) {
                cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "shred destroys file contents beyond recovery");
                for (size_t i = 1; i < cmd->argc; i++)
                        if (cj_path_classify(cmd->argv[i].value, c) & CJ_PATH_DEVICE_BLOCK)
                                cj_report(c, CJ_VERDICT_DENY, cmd->argv[i].span.off, cmd->argv[i].span.len,
                                          "shred of the device `%s`", cmd->argv[i].value);
        } else if (strcmp(n, "dd") == 0) {
                for (size_t i = 1; i < cmd->argc; i++) {
                        const char *v = cmd->argv[i].value;
                        if (strncmp(v, "of=", 3) != 0)
                                continue;
                        unsigned k = cj_path_classify(v + 3, c);
                        if (k & CJ_PATH_HARMLESS_DEV)
                                continue;
                        if (k & CJ_PATH_DEVICE)
                                cj_report(c, CJ_VERDICT_DENY, cmd->argv[i].span.off, cmd->argv[i].span.len,
                                          "dd writes to the device `%s`", v + 3);
                        else if (k & (CJ_PATH_SYSTEM | CJ_PATH_PROTECTED))
                                cj_report(c, CJ_VERDICT_ASK, cmd->argv[i].span.off, cmd->argv[i].span.len,
                                          "dd overwrites `%s`", v + 3);
                }
        } else if (strcmp(n, "find") == 0) {
                /* `find . -name '*.o' -delete` is cleanup; `find . -delete` empties the tree */
                bool del = false;
                for (size_t i = 1; i < cmd->argc; i++)
                        del |= strcmp(cmd->argv[i].value, "-delete") == 0;
                if (cj_find_has_test(cmd))
                        for (size_t i = 1; del && i < cmd->argc && cmd->argv[i].value[0] != '-'; i++) {
                                unsigned k = cj_path_classify(cmd->argv[i].value, c);
                                if (k & (CJ_PATH_ROOT | CJ_PATH_HOME | CJ_PATH_SYSTEM_TOP | CJ_PATH_SYSTEM))
                                        judge_target(c, "find -delete under", &cmd->argv[i]);
                        }
                else
                        for (size_t i = 1; del && i < cmd->argc && cmd->argv[i].value[0] != '-'; i++)
                                judge_target(c, "find -delete under", &cmd->argv[i]);
        } else if (cj_name_in(n, (const char *const[]) { "tee", "truncate", "cp", "install", "ln", "touch", NULL })) {
                /* writers: tee/truncate/touch write every operand, cp/install/ln the last one */
                bool all = strcmp(n, "tee") == 0 || strcmp(n, "truncate") == 0 || strcmp(n, "touch") == 0;
                size_t last = 0;
                for (size_t i = 1; i < cmd->argc; i++)
                        if (cmd->argv[i].value[0] != '-')
                                last = i;
                for (size_t i = 1; i < cmd->argc; i++) {
                        const char *v = cmd->argv[i].value;
                        if (v[0] == '-' || (!all && i != last) || (strcmp(n, "truncate") == 0 && i > 1 &&
                                                                   strcmp(cmd->argv[i - 1].value, "-s") == 0))
                                continue;
                        unsigned k = cj_path_classify(v, c);
                        if ((k & (CJ_PATH_SYSTEM | CJ_PATH_DEVICE_BLOCK)) && !(k & CJ_PATH_HARMLESS_DEV) &&
                            !(k & (CJ_PATH_CREDENTIAL | CJ_PATH_PERSIST)))
                                cj_report(c, k & CJ_PATH_DEVICE_BLOCK ? CJ_VERDICT_DENY : CJ_VERDICT_ASK,
                                          cmd->argv[i].span.off, cmd->argv[i].span.len, "`%s` overwrites `%s`", n, v);
                }
        } else if (strcmp(n, "mv") == 0) {
                for (size_t i = 1; i < cmd->argc; i++) {
                        unsigned k = cj_path_classify(cmd->argv[i].value, c);
                        if (cmd->argv[i].value[0] != '-' && (k & (CJ_PATH_ROOT | CJ_PATH_HOME | CJ_PATH_SYSTEM_TOP)))
                                cj_report(c, CJ_VERDICT_DENY, cmd->argv[i].span.off, cmd->argv[i].span.len,
                                          "moves `%s`: the root, a home or a system directory", cmd->argv[i].value);
                }
        } else if (strcmp(n, "git") == 0 && cmd->argc > 1) {
                size_t sub = 1;
                while (sub < cmd->argc && cmd->argv[sub].value[0] == '-')
                        sub += (strcmp(cmd->argv[sub].value, "-C") == 0 || strcmp(cmd->argv[sub].value, "-c") == 0) ? 2
                                                                                                                     : 1;
                if (sub >= cmd->argc)
                        return;
                const char *sc = cmd->argv[sub].value;
                if (strcmp(sc, "clean") == 0 && !has_flag(cmd, 'n', "dry-run") &&
                    (has_flag(cmd, 'f', "force") || has_flag(cmd, 'x', NULL)))
                        cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "git clean deletes untracked (and with -x ignored) files");
                else if (strcmp(sc, "reset") == 0 && has_flag(cmd, 0, "hard"))
                        cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "git reset --hard discards uncommitted work");
        } else if (strcmp(n, "kill") == 0 || strcmp(n, "pkill") == 0 || strcmp(n, "killall") == 0) {
                for (size_t i = 1; i < cmd->argc; i++)
                        if (strcmp(cmd->argv[i].value, "-1") == 0 || strcmp(cmd->argv[i].value, "1") == 0)
                                cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "signals every process (or init)");
        }
}

/* :(){ :|:& };: -- a function that calls itself in a pipeline or background. */
typedef struct bomb {
        const char *name;
        bool found;
} bomb;

static void destr_node(cj_vctx *c, const sh_node *n, const sh_cmd_ctx *where) {
        if (n->kind != SH_NODE_FUNCDEF || !n->func.name || !n->func.body)
                return;
        /* Scan the body's text for the function's own name used as a command
         * twice: cheap and sufficient for the classic forms. */
        const char *body = c->cmd + n->func.body->span.off;
        size_t bl = n->func.body->span.len, nl = strlen(n->func.name), hits = 0;
        if (n->func.body->span.off + bl > c->len || nl == 0)
                return;
        for (size_t i = 0; i + nl <= bl; i++)
                if (memcmp(body + i, n->func.name, nl) == 0)
                        hits++;
        if (hits >= 2 && (memchr(body, '&', bl) || memchr(body, '|', bl)))
                cj_report(c, CJ_VERDICT_DENY, n->span.off, n->span.len,
                          "function `%s` spawns copies of itself (fork bomb)", n->func.name);
}

const cj_validator cj_v_destructive = {
        .name = "destructive",
        .owns = "rm -r of / ~ system dirs (deny) or workspace/protected/runtime paths (ask), mkfs, dd of=/dev, wipers, "
                "chmod -R /, git clean -f, git reset --hard, find / -delete, fork bombs",
        .cmd = destr_cmd,
        .node = destr_node,
};
