/* SPDX-License-Identifier: MIT */
/*
 * The chain follows `cd`: after `cd .claude && echo x > settings.json` the
 * write goes to .claude/settings.json, and every path validator
 * (cj_path_classify) judges relative paths in both the directory the call
 * started in and the one `cd` moved to -- both, because a `cd` may fail or
 * sit in a function never called.
 *
 * A `cd` (or `pushd`) lasts until the end of its shell process: the whole
 * command at top level, else the innermost subshell, pipeline element,
 * substitution or coproc around it; a backgrounded `cd` changes nothing
 * after it.  Commands are visited in source order, so the directory of a
 * command is that of the last `cd` before it whose scope holds it.  A `cd`
 * to a directory known only at runtime (`cd "$d"`, `cd -`, `popd`) ends the
 * following: relative paths are then judged as written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util/fileio.h"

static bool within(sh_span in, size_t off) {
        return off >= in.off && off < (size_t) in.off + in.len;
}

static void add_boundary(cj_vctx *c, sh_span s) {
        if (cj_vspans_add(&c->cd_bounds, s.off, s.len, NULL) < 0)
                c->oom = -ENOMEM;
}

void cj_cd_node(cj_vctx *c, const sh_node *n) {
        if (n->kind == SH_NODE_SUBSHELL || n->kind == SH_NODE_COPROC)
                add_boundary(c, n->span);
        else if (n->kind == SH_NODE_PIPELINE && n->pipe.n > 1)
                for (uint32_t i = 0; i < n->pipe.n; i++)
                        add_boundary(c, n->pipe.elems[i].node->span);
}

void cj_cd_part(cj_vctx *c, const sh_part *p) {
        if (p->kind == SH_PART_CMDSUBST || p->kind == SH_PART_BACKTICK || p->kind == SH_PART_PROCSUBST_IN ||
            p->kind == SH_PART_PROCSUBST_OUT)
                add_boundary(c, p->span);
}

void cj_cd_before(cj_vctx *c, const sh_cmd *cmd) {
        c->cd_dir = NULL;
        for (size_t i = c->cd_n; i-- > 0;)
                if (c->cd_at[i] < cmd->span.off && within(c->cd_scope[i], cmd->span.off)) {
                        c->cd_dir = c->cd_to[i]; /* NULL: unknown */
                        return;
                }
}

/* The directory `cd ARGS` moves to, relative to the start (or absolute, or
 * ~-based), or NULL when it is known only at runtime. */
static char *cd_target(const cj_vctx *c, const sh_cmd *cmd) {
        size_t i = 1;
        while (i < cmd->argc && cmd->argv[i].value[0] == '-' && cmd->argv[i].value[1]) {
                if (strcmp(cmd->argv[i].value, "--") == 0) {
                        i++;
                        break;
                }
                i++;
        }
        const char *d = i < cmd->argc ? cmd->argv[i].value : "~";
        if (i < cmd->argc && (cmd->argv[i].flags & SH_ARG_DYNAMIC))
                return NULL;
        if (strcmp(d, "-") == 0 || (strcmp(cj_cmd_name(cmd), "pushd") == 0 && (d[0] == '+' || d[0] == '-')))
                return NULL;
        if (d[0] == '/' || d[0] == '~' || !c->cd_dir)
                return strdup(d);
        return cj_path_join(c->cd_dir, d);
}

void cj_cd_after(cj_vctx *c, const sh_cmd *cmd) {
        const char *n = cj_cmd_name(cmd);
        if (strcmp(n, "cd") != 0 && strcmp(n, "pushd") != 0 && strcmp(n, "popd") != 0)
                return;
        if (cmd->ctx.flags & SH_CTX_BACKGROUND)
                return;
        /* the innermost process boundary around the cd, else the whole command */
        sh_span scope = { 0, (uint32_t) c->len };
        for (size_t i = 0; i < c->cd_bounds.n; i++) {
                sh_span b = { (uint32_t) c->cd_bounds.v[i].off, (uint32_t) c->cd_bounds.v[i].len };
                if (within(b, cmd->span.off) && b.len <= scope.len)
                        scope = b;
        }
        if (c->cd_n == c->cd_cap) {
                size_t ncap = c->cd_cap ? c->cd_cap * 2 : 4;
                size_t *at = reallocarray(c->cd_at, ncap, sizeof *at);
                if (at)
                        c->cd_at = at;
                sh_span *sc = reallocarray(c->cd_scope, ncap, sizeof *sc);
                if (sc)
                        c->cd_scope = sc;
                char **to = reallocarray(c->cd_to, ncap, sizeof *to);
                if (to)
                        c->cd_to = to;
                if (!at || !sc || !to) {
                        c->oom = -ENOMEM;
                        return;
                }
                c->cd_cap = ncap;
        }
        char *to = strcmp(n, "popd") == 0 ? NULL : cd_target(c, cmd);
        c->cd_at[c->cd_n] = cmd->span.off;
        c->cd_scope[c->cd_n] = scope;
        c->cd_to[c->cd_n++] = to;
}

void cj_cd_free(cj_vctx *c) {
        for (size_t i = 0; i < c->cd_n; i++)
                free(c->cd_to[i]);
        free(c->cd_to);
        free(c->cd_at);
        free(c->cd_scope);
        cj_vspans_free(&c->cd_bounds);
        c->cd_to = NULL;
        c->cd_at = NULL;
        c->cd_scope = NULL;
        c->cd_n = c->cd_cap = 0;
        c->cd_dir = NULL;
}
