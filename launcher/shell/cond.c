/* SPDX-License-Identifier: MIT */
/* [[ ... ]]: bash's cond_or / cond_and / cond_term, with the same places
 * where newlines are and are not allowed. */
#include <string.h>

#include "internal.h"

#define MODE LX_COND

static const char *const unops[] = { "-a", "-b", "-c", "-d", "-e", "-f", "-g", "-h", "-k", "-n", "-o", "-p", "-r",
                                     "-s", "-t", "-u", "-v", "-w", "-x", "-z", "-G", "-L", "-N", "-O", "-R", "-S" };
static const char *const binops[] = { "==", "=", "!=", "=~", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot",
                                      "-ef" };

static bool in_set(const sh_tok *t, const char *const *set, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (sh_tok_is(t, set[i]))
                        return true;
        return false;
}

static bool is_end(const sh_tok *t) {
        return sh_tok_is(t, "]]");
}

static void skip_nl(sh_parser *p) {
        while (!p->err && sh_peek(p, MODE)->type == T_NL)
                sh_consume(p);
}

static sh_cond_expr *new_expr(sh_parser *p, sh_cond_kind kind, size_t start) {
        if (sh_count(p, start) < 0)
                return NULL;
        sh_cond_expr *e = sh_arena_alloc(p->ar, sizeof *e);
        if (!e) {
                sh_nomem(p);
                return NULL;
        }
        e->kind = kind;
        e->span = sh_mkspan(p, start, start);
        return e;
}

static void end_expr(sh_parser *p, sh_cond_expr *e, size_t start) {
        e->span = sh_mkspan(p, start, p->prev_end);
}

static void cond_error(sh_parser *p, const sh_tok *t, const char *what) {
        if (t->type == T_EOF)
                sh_syntax(p, t->start, 0, "unexpected EOF while looking for `]]'");
        else
                sh_syntax(p, t->start, t->end - t->start, "%s", what);
}

static sh_cond_expr *cond_or(sh_parser *p);

static sh_cond_expr *cond_term(sh_parser *p) {
        if (sh_enter(p, p->pos) < 0)
                return NULL;
        skip_nl(p);
        const sh_tok *t = sh_peek(p, MODE);
        size_t start = t->start;
        sh_cond_expr *e = NULL;
        if (is_end(t) || t->type == T_EOF) {
                cond_error(p, t, "syntax error in conditional expression");
                return NULL;
        }
        if (t->type == T_LP) {
                sh_consume(p);
                e = new_expr(p, SH_COND_GROUP, start);
                if (!e || !(e->left = cond_or(p)))
                        return NULL;
                t = sh_peek(p, MODE);
                if (t->type != T_RP) {
                        cond_error(p, t, "expected `)'");
                        return NULL;
                }
                sh_consume(p);
                end_expr(p, e, start);
                skip_nl(p);
        } else if (sh_tok_is(t, "!")) {
                sh_consume(p);
                e = new_expr(p, SH_COND_NOT, start);
                if (!e || !(e->left = cond_term(p)))
                        return NULL;
                end_expr(p, e, start);
        } else if (t->type == T_WORD && in_set(t, unops, sizeof unops / sizeof *unops)) {
                e = new_expr(p, SH_COND_UNARY, start);
                if (!e)
                        return NULL;
                e->op = sh_tok_text(p, t);
                if (!e->op)
                        return NULL;
                sh_consume(p);
                t = sh_peek(p, MODE);
                if (t->type != T_WORD || is_end(t)) {
                        cond_error(p, t, "unexpected argument to conditional unary operator");
                        return NULL;
                }
                e->arg1 = t->word;
                sh_consume(p);
                end_expr(p, e, start);
                skip_nl(p);
        } else if (t->type == T_WORD) {
                sh_word *lhs = t->word;
                sh_consume(p);
                t = sh_peek(p, MODE);
                const char *op = NULL;
                bool regex = false;
                if (t->type == T_WORD && in_set(t, binops, sizeof binops / sizeof *binops)) {
                        op = sh_tok_text(p, t);
                        regex = sh_tok_is(t, "=~");
                } else if (t->type == T_REDIR && t->fd < 0 && (t->rop == SH_REDIR_IN || t->rop == SH_REDIR_OUT)) {
                        op = t->rop == SH_REDIR_IN ? "<" : ">";
                } else if (is_end(t) || t->type == T_AND || t->type == T_OR || t->type == T_RP) {
                        e = new_expr(p, SH_COND_WORD, start);
                        if (!e)
                                return NULL;
                        e->arg1 = lhs;
                        end_expr(p, e, start);
                        sh_leave(p);
                        return e;
                } else {
                        cond_error(p, t, "conditional binary operator expected");
                        return NULL;
                }
                if (!op)
                        return NULL; /* out of memory: sh_tok_text said so */
                sh_consume(p);
                t = sh_peek(p, regex ? MODE | LX_REGEX : MODE);
                if (t->type != T_WORD || is_end(t)) {
                        cond_error(p, t, "unexpected argument to conditional binary operator");
                        return NULL;
                }
                e = new_expr(p, SH_COND_BINARY, start);
                if (!e)
                        return NULL;
                e->op = op;
                e->arg1 = lhs;
                e->arg2 = t->word;
                sh_consume(p);
                end_expr(p, e, start);
                skip_nl(p);
        } else {
                cond_error(p, t, "unexpected token in conditional command");
                return NULL;
        }
        sh_leave(p);
        return e;
}

static sh_cond_expr *cond_and(sh_parser *p) {
        size_t start = sh_peek(p, MODE)->start;
        sh_cond_expr *l = cond_term(p);
        if (!l)
                return NULL;
        if (sh_peek(p, MODE)->type != T_AND)
                return l;
        sh_consume(p);
        if (sh_enter(p, start) < 0)
                return NULL;
        sh_cond_expr *e = new_expr(p, SH_COND_AND, start);
        if (!e || !(e->right = cond_and(p)))
                return NULL;
        sh_leave(p);
        e->left = l;
        end_expr(p, e, start);
        return e;
}

static sh_cond_expr *cond_or(sh_parser *p) {
        size_t start = sh_peek(p, MODE)->start;
        sh_cond_expr *l = cond_and(p);
        if (!l)
                return NULL;
        if (sh_peek(p, MODE)->type != T_OR)
                return l;
        sh_consume(p);
        if (sh_enter(p, start) < 0)
                return NULL;
        sh_cond_expr *e = new_expr(p, SH_COND_OR, start);
        if (!e || !(e->right = cond_or(p)))
                return NULL;
        sh_leave(p);
        e->left = l;
        end_expr(p, e, start);
        return e;
}

sh_node *sh_parse_cond(sh_parser *p, size_t start) {
        sh_node *n = sh_new_node(p, SH_NODE_COND, start);
        if (!n || sh_enter(p, start) < 0)
                return NULL;
        n->cond.expr = cond_or(p);
        if (!n->cond.expr)
                return NULL;
        const sh_tok *t = sh_peek(p, MODE);
        if (!is_end(t)) {
                cond_error(p, t, "syntax error in conditional expression");
                return NULL;
        }
        sh_consume(p);
        sh_leave(p);
        sh_end_node(p, n, p->prev_end);
        return n;
}
