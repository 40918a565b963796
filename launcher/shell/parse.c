/* SPDX-License-Identifier: MIT */
/* Entry points: input checks, the parser state, error reporting, freeing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void fill_limits(sh_limits *l, const sh_limits *in) {
        *l = in ? *in : (sh_limits){ 0 };
        if (!l->max_input)
                l->max_input = SH_DEFAULT_MAX_INPUT;
        if (!l->max_depth)
                l->max_depth = SH_DEFAULT_MAX_DEPTH;
        if (!l->max_nodes)
                l->max_nodes = SH_DEFAULT_MAX_NODES;
        if (!l->max_heredocs)
                l->max_heredocs = SH_DEFAULT_MAX_HEREDOCS;
}

void sh_ast_free(sh_ast *ast) {
        if (!ast)
                return;
        sh_arena_free(ast->arena);
        free(ast);
}

static int parse(const char *src, size_t len, const sh_limits *lim, uint32_t base, const sh_span *collapse,
                 sh_ast **out, sh_syntax_error *serr, cj_error *err) {
        sh_syntax_error local = { 0 };
        if (!serr)
                serr = &local;
        memset(serr, 0, sizeof *serr);
        *out = NULL;
        sh_limits l;
        fill_limits(&l, lim);
        if (len > l.max_input || len > UINT32_MAX / 2) {
                serr->code = E2BIG;
                snprintf(serr->message, sizeof serr->message, "limit exceeded: command is %zu bytes (max %zu)", len,
                         l.max_input);
                return cj_error_set(err, E2BIG, "%s", serr->message);
        }
        const char *nul = memchr(src, '\0', len);
        if (nul) {
                serr->code = EINVAL;
                serr->offset = (size_t) (nul - src);
                snprintf(serr->message, sizeof serr->message, "NUL byte in command");
                return cj_error_set(err, EINVAL, "offset %zu: %s", serr->offset, serr->message);
        }
        sh_ast *ast = calloc(1, sizeof *ast);
        if (!ast)
                return cj_error_set(err, ENOMEM, "out of memory");
        ast->arena = sh_arena_new();
        char *copy = ast->arena ? sh_arena_strndup(ast->arena, src, len) : NULL;
        if (!copy) {
                sh_ast_free(ast);
                return cj_error_set(err, ENOMEM, "out of memory");
        }
        ast->src = copy;
        ast->len = len;
        sh_parser p = {
                .s = copy,
                .len = len,
                .ar = ast->arena,
                .ast = ast,
                .lim = l,
                .mem_max = (size_t) SH_MEM_PER_BYTE * len + SH_MEM_SLACK,
                .serr = serr,
                .base = base,
                .collapse = collapse != NULL,
                .cspan = collapse ? *collapse : (sh_span){ 0, 0 },
        };
        sh_node *root = sh_parse_list(&p);
        if (!p.err) {
                const sh_tok *t = sh_peek(&p, 0);
                if (t->type != T_EOF)
                        sh_syntax_tok(&p, t);
        }
        if (!p.err && p.nhd > 0)
                sh_heredoc_read_pending(&p);
        if (p.err) {
                int code = -p.err;
                sh_ast_free(ast);
                if (serr->token[0])
                        return cj_error_set(err, code, "offset %zu: %s", serr->offset, serr->message);
                return cj_error_set(err, code, "offset %zu: %s", serr->offset, serr->message);
        }
        ast->root = root;
        *out = ast;
        return 0;
}

int sh_parse_ex(const char *src, size_t len, const sh_limits *lim, sh_ast **out, sh_syntax_error *serr,
                cj_error *err) {
        return parse(src, len, lim, 0, NULL, out, serr, err);
}

int sh_parse_mapped(const char *src, size_t len, const sh_limits *lim, uint32_t base, const sh_span *collapse,
                    sh_ast **out, cj_error *err) {
        return parse(src, len, lim, base, collapse, out, NULL, err);
}

int sh_parse(const char *src, size_t len, const sh_limits *lim, sh_ast **out, cj_error *err) {
        return sh_parse_ex(src, len, lim, out, NULL, err);
}
