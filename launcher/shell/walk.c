/* SPDX-License-Identifier: MIT */
/* The walker: every simple command anywhere (lists, pipelines, compound
 * bodies, function bodies, substitutions inside any word, here-doc bodies,
 * ${..} operands, arithmetic) and every runner payload, with its context. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct walker {
        const sh_visitor *v;
        void *ud;
        sh_via via[SH_MAX_UNWRAP_DEPTH + 1];
        size_t nvia;
} walker;

static int walk_node(walker *w, const sh_node *n, sh_cmd_ctx ctx);
static int walk_word(walker *w, const sh_word *wd, sh_cmd_ctx ctx, uint32_t flag);

static sh_cmd_ctx inner_ctx(sh_cmd_ctx ctx, uint32_t flags) {
        ctx.flags |= flags;
        ctx.depth++;
        ctx.pipe_index = 0;
        ctx.pipe_len = 1;
        ctx.pipe_from = ctx.pipe_to = NULL;
        ctx.pipe_stderr_in = ctx.pipe_stderr_out = false;
        return ctx;
}

static int walk_parts(walker *w, const sh_part *v, uint32_t n, const sh_word *wd, sh_cmd_ctx ctx) {
        for (uint32_t i = 0; i < n; i++) {
                const sh_part *p = &v[i];
                int r = 0;
                if (w->v->part && (r = w->v->part(p, wd, &ctx, w->ud)) < 0)
                        return r;
                switch (p->kind) {
                case SH_PART_DQUOTE:
                case SH_PART_LOCALE:
                        r = walk_parts(w, p->parts, p->nparts, wd, ctx);
                        break;
                case SH_PART_CMDSUBST:
                case SH_PART_BACKTICK:
                case SH_PART_PROCSUBST_IN:
                case SH_PART_PROCSUBST_OUT:
                        if (p->sub) {
                                sh_cmd_ctx c = inner_ctx(ctx, p->kind == SH_PART_CMDSUBST || p->kind == SH_PART_BACKTICK
                                                                      ? SH_CTX_CMDSUBST
                                                                      : SH_CTX_PROCSUBST);
                                c.subst_depth++;
                                r = walk_node(w, p->sub, c);
                        }
                        break;
                case SH_PART_PARAM:
                        if (p->param->subscript)
                                r = walk_word(w, p->param->subscript, ctx, SH_CTX_ARITH);
                        if (r >= 0 && p->param->arg)
                                r = walk_word(w, p->param->arg, ctx, SH_CTX_PARAM_OP);
                        if (r >= 0 && p->param->arg2)
                                r = walk_word(w, p->param->arg2, ctx, SH_CTX_PARAM_OP);
                        break;
                case SH_PART_ARITH:
                        r = walk_word(w, p->expr, ctx, SH_CTX_ARITH);
                        break;
                default:
                        break;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

static int walk_word(walker *w, const sh_word *wd, sh_cmd_ctx ctx, uint32_t flag) {
        if (!wd)
                return 0;
        ctx.flags |= flag;
        int r;
        if (w->v->word && (r = w->v->word(wd, &ctx, w->ud)) < 0)
                return r;
        return walk_parts(w, wd->parts, wd->nparts, wd, ctx);
}

static int walk_redirs(walker *w, const sh_node *n, sh_cmd_ctx ctx) {
        for (uint32_t i = 0; i < n->nredirs; i++) {
                const sh_redir *rd = &n->redirs[i];
                int r = walk_word(w, rd->target, ctx, SH_CTX_REDIRECT);
                if (r >= 0 && rd->heredoc) {
                        if (w->v->heredoc)
                                r = w->v->heredoc(rd, &ctx, w->ud);
                        if (r >= 0 && rd->heredoc->body_word)
                                r = walk_word(w, rd->heredoc->body_word, ctx, SH_CTX_HEREDOC);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

static int walk_cond(walker *w, const sh_cond_expr *e, sh_cmd_ctx ctx) {
        int r = 0;
        if (!e)
                return 0;
        if (e->left)
                r = walk_cond(w, e->left, ctx);
        if (r >= 0 && e->right)
                r = walk_cond(w, e->right, ctx);
        if (r >= 0)
                r = walk_word(w, e->arg1, ctx, SH_CTX_COND_EXPR);
        if (r >= 0)
                r = walk_word(w, e->arg2, ctx, SH_CTX_COND_EXPR);
        return r;
}

/* ---- simple commands ---- */

typedef struct built {
        sh_arg *argv;
        size_t argc, cap;
        sh_cmd_assign *assigns;
        sh_cmd_redir *redirs;
} built;

static void built_free(built *b, size_t nassigns, size_t nredirs) {
        for (size_t i = 0; i < b->argc; i++)
                free((char *) b->argv[i].value);
        free(b->argv);
        for (size_t i = 0; i < nassigns; i++)
                free((char *) b->assigns[i].value);
        free(b->assigns);
        for (size_t i = 0; i < nredirs; i++)
                free((char *) b->redirs[i].target);
        free(b->redirs);
}

/* Resolve one word to one string (brace words are kept as written). */
static int resolve1(const sh_word *wd, const char **out, uint32_t *flags) {
        char *s = NULL;
        int r = sh_word_resolve1(wd, &s);
        if (r == -E2BIG) {
                s = strndup(wd->raw, wd->raw_len);
                r = SH_RES_DYNAMIC;
        }
        if (r < 0)
                return r;
        if (!s)
                return -ENOMEM;
        *out = s;
        *flags = (uint32_t) r;
        return 0;
}

static int add_args(built *b, const sh_word *wd) {
        sh_strv v;
        int r = sh_word_resolve(wd, &v);
        if (r == -E2BIG) {
                v.v = calloc(2, sizeof *v.v);
                if (!v.v || !(v.v[0] = strndup(wd->raw, wd->raw_len))) {
                        free(v.v);
                        return -ENOMEM;
                }
                v.n = 1;
                r = SH_RES_DYNAMIC;
        }
        if (r < 0)
                return r;
        if (b->argc + v.n > b->cap) {
                size_t cap = (b->argc + v.n) * 2;
                sh_arg *a = realloc(b->argv, cap * sizeof *a);
                if (!a) {
                        sh_strv_free(&v);
                        return -ENOMEM;
                }
                b->argv = a;
                b->cap = cap;
        }
        for (size_t i = 0; i < v.n; i++)
                b->argv[b->argc++] = (sh_arg){ .value = v.v[i], .span = wd->span, .flags = (uint32_t) r,
                                               .word_flags = wd->flags, .word = wd };
        free(v.v);
        return 0;
}

static int visit_cmd(walker *w, sh_cmd *cmd, unsigned udepth);

/* Walk a runner's shell string as commands in their own right. */
static int walk_script(walker *w, const sh_cmd *outer, const sh_unwrap *u, unsigned udepth) {
        const sh_arg *a = u->script_arg;
        uint32_t base = 0;
        sh_span collapse = a ? a->span : outer->span;
        bool exact = false;
        if (u->script_exact && a && a->word && !(a->flags & SH_ARG_BRACE) && a->word->nparts == 1) {
                const sh_part *p = &a->word->parts[0];
                if (p->kind == SH_PART_LITERAL && !(a->word->flags & SH_WORD_LINE_CONT)) {
                        base = p->span.off;
                        exact = p->span.len == strlen(u->script);
                } else if (p->kind == SH_PART_SQUOTE) {
                        base = p->span.off + 1;
                        exact = p->span.len == strlen(u->script) + 2;
                } else if (p->kind == SH_PART_DQUOTE && p->nparts == 1 && p->parts[0].kind == SH_PART_LITERAL) {
                        base = p->parts[0].span.off;
                        exact = p->parts[0].span.len == strlen(u->script);
                } else if (p->kind == SH_PART_DQUOTE && p->nparts == 0) {
                        exact = false;
                }
        }
        sh_limits lim = { .max_depth = SH_DEFAULT_MAX_DEPTH / 2 };
        sh_ast *ast = NULL;
        cj_error err = { 0 };
        int r = sh_parse_mapped(u->script, strlen(u->script), &lim, base, exact ? NULL : &collapse, &ast, &err);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return w->v->unresolved ? w->v->unresolved(outer, "runner's command string does not parse", w->ud)
                                        : 0;
        sh_cmd_ctx c = outer->ctx;
        c.depth++;
        c.via = w->via;
        c.nvia = w->nvia;
        c.flags |= SH_CTX_UNWRAPPED;
        (void) udepth;
        r = walk_node(w, ast->root, c);
        sh_ast_free(ast);
        return r;
}

static int unwrap(walker *w, sh_cmd *cmd, unsigned udepth) {
        if (cmd->argc == 0)
                return 0;
        sh_unwrap u;
        int r = sh_unwrap_argv(cmd->argv, cmd->argc, &u);
        if (r < 0)
                return r;
        if (!(u.flags & SH_UNWRAP_RUNNER)) {
                sh_unwrap_done(&u);
                return 0;
        }
        cmd->unwrap_flags = u.flags;
        if (u.flags & SH_UNWRAP_UNRESOLVED) {
                r = w->v->unresolved ? w->v->unresolved(cmd, u.why ? u.why : "unresolved runner", w->ud) : 0;
                sh_unwrap_done(&u);
                return r;
        }
        if (!(u.flags & (SH_UNWRAP_ARGV | SH_UNWRAP_STRING))) {
                sh_unwrap_done(&u);
                return 0;
        }
        if (w->nvia >= SH_MAX_UNWRAP_DEPTH || udepth >= SH_MAX_UNWRAP_DEPTH) {
                r = w->v->unresolved ? w->v->unresolved(cmd, "runners nested too deep", w->ud) : 0;
                sh_unwrap_done(&u);
                return r;
        }
        w->via[w->nvia++] = (sh_via){ .runner = u.runner, .span = cmd->argv[0].span, .flags = u.via_flags,
                                      .user = u.user };
        if (u.flags & SH_UNWRAP_STRING) {
                r = walk_script(w, cmd, &u, udepth + 1);
        } else {
                size_t n = u.nextra + (cmd->argc - u.inner);
                sh_arg *argv = calloc(n + 1, sizeof *argv);
                if (!argv) {
                        r = -ENOMEM;
                } else {
                        if (u.nextra)
                                memcpy(argv, u.extra, u.nextra * sizeof *argv);
                        if (cmd->argc > u.inner)
                                memcpy(argv + u.nextra, cmd->argv + u.inner, (cmd->argc - u.inner) * sizeof *argv);
                        sh_cmd in = *cmd;
                        in.argv = argv;
                        in.argc = n;
                        in.assigns = u.assigns;
                        in.nassigns = u.nassigns;
                        in.unwrap_flags = 0;
                        in.span = n > 0 ? argv[0].span : cmd->span;
                        in.ctx.flags |= SH_CTX_UNWRAPPED;
                        in.ctx.via = w->via;
                        in.ctx.nvia = w->nvia;
                        r = n > 0 ? visit_cmd(w, &in, udepth + 1) : 0;
                        free(argv);
                }
        }
        w->nvia--;
        sh_unwrap_done(&u);
        return r;
}

/* Unwrap first (so the visitor sees unwrap_flags), then visit, then the inner command. */
static int visit_cmd(walker *w, sh_cmd *cmd, unsigned udepth) {
        sh_unwrap probe;
        int r = sh_unwrap_argv(cmd->argv, cmd->argc, &probe);
        if (r < 0)
                return r;
        cmd->unwrap_flags = probe.flags;
        sh_unwrap_done(&probe);
        if (w->v->simple && (r = w->v->simple(cmd, w->ud)) < 0)
                return r;
        return unwrap(w, cmd, udepth);
}

static int walk_simple(walker *w, const sh_node *n, sh_cmd_ctx ctx) {
        const sh_simple *s = &n->simple;
        int r = 0;
        for (uint32_t i = 0; i < s->nassigns && r >= 0; i++) {
                const sh_assign *a = &s->assigns[i];
                r = walk_word(w, a->subscript, ctx, SH_CTX_ASSIGNMENT | SH_CTX_ARITH);
                if (r >= 0 && !a->array)
                        r = walk_word(w, a->value, ctx, SH_CTX_ASSIGNMENT);
                for (uint32_t k = 0; k < a->nelems && r >= 0; k++)
                        r = walk_word(w, &a->elems[k], ctx, SH_CTX_ASSIGNMENT);
        }
        for (uint32_t i = 0; i < s->nwords && r >= 0; i++)
                r = walk_word(w, &s->words[i], ctx, SH_CTX_WORD);
        if (r >= 0)
                r = walk_redirs(w, n, ctx);
        if (r < 0)
                return r;
        built b = { 0 };
        size_t na = 0, nr = 0;
        sh_cmd cmd = { .node = n, .span = n->span, .ctx = ctx };
        for (uint32_t i = 0; i < s->nwords && r >= 0; i++)
                r = add_args(&b, &s->words[i]);
        if (r >= 0 && s->nassigns) {
                b.assigns = calloc(s->nassigns, sizeof *b.assigns);
                if (!b.assigns)
                        r = -ENOMEM;
                for (; r >= 0 && na < s->nassigns; na++) {
                        const sh_assign *a = &s->assigns[na];
                        sh_cmd_assign *ca = &b.assigns[na];
                        ca->name = a->name;
                        ca->span = a->span;
                        ca->assign = a;
                        if (a->array) {
                                ca->value = strndup(a->value ? a->value->raw : "", a->value ? a->value->raw_len : 0);
                                ca->flags = SH_ARG_DYNAMIC;
                                if (!ca->value)
                                        r = -ENOMEM;
                        } else {
                                r = resolve1(a->value, &ca->value, &ca->flags);
                        }
                }
                if (r < 0 && na > 0 && !b.assigns[na - 1].value)
                        na--;
        }
        if (r >= 0 && n->nredirs) {
                b.redirs = calloc(n->nredirs, sizeof *b.redirs);
                if (!b.redirs)
                        r = -ENOMEM;
                for (; r >= 0 && nr < n->nredirs; nr++) {
                        b.redirs[nr].redir = &n->redirs[nr];
                        r = resolve1(n->redirs[nr].target, &b.redirs[nr].target, &b.redirs[nr].flags);
                }
                if (r < 0 && nr > 0 && !b.redirs[nr - 1].target)
                        nr--;
        }
        if (r >= 0) {
                cmd.argv = b.argv;
                cmd.argc = b.argc;
                cmd.assigns = b.assigns;
                cmd.nassigns = s->nassigns;
                cmd.redirs = b.redirs;
                cmd.nredirs = n->nredirs;
                cmd.ctx.via = w->via;
                cmd.ctx.nvia = w->nvia;
                r = visit_cmd(w, &cmd, (unsigned) w->nvia);
        }
        built_free(&b, na, nr);
        return r;
}

static int walk_list(walker *w, const sh_node *n, sh_cmd_ctx ctx) {
        for (uint32_t i = 0; i < n->list.n; i++) {
                const sh_list_item *it = &n->list.items[i];
                sh_cmd_ctx c = ctx;
                if (it->op == SH_OP_AMP)
                        c.flags |= SH_CTX_BACKGROUND;
                /* Background applies to the whole and-or chain ending in &. */
                for (uint32_t k = i; k < n->list.n; k++) {
                        sh_list_op op = n->list.items[k].op;
                        if (op == SH_OP_AMP)
                                c.flags |= SH_CTX_BACKGROUND;
                        if (op != SH_OP_AND && op != SH_OP_OR)
                                break;
                }
                if (it->op == SH_OP_AND || it->op == SH_OP_OR ||
                    (i > 0 && (n->list.items[i - 1].op == SH_OP_AND || n->list.items[i - 1].op == SH_OP_OR)))
                        c.flags |= SH_CTX_AND_OR;
                int r = walk_node(w, it->node, c);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int walk_node(walker *w, const sh_node *n, sh_cmd_ctx ctx) {
        if (!n)
                return 0;
        int r = 0;
        if (w->v->node && (r = w->v->node(n, &ctx, w->ud)) < 0)
                return r;
        sh_cmd_ctx in = ctx;
        in.depth++;
        switch (n->kind) {
        case SH_NODE_LIST:
                return walk_list(w, n, ctx);
        case SH_NODE_PIPELINE:
                for (uint32_t i = 0; i < n->pipe.n && r >= 0; i++) {
                        sh_cmd_ctx c = ctx;
                        if (n->pipe.bang)
                                c.flags |= SH_CTX_NEGATED;
                        if (n->pipe.timed)
                                c.flags |= SH_CTX_TIMED;
                        c.pipe_index = i;
                        c.pipe_len = n->pipe.n;
                        c.pipe_from = i > 0 ? n->pipe.elems[i - 1].node : NULL;
                        c.pipe_to = i + 1 < n->pipe.n ? n->pipe.elems[i + 1].node : NULL;
                        c.pipe_stderr_in = i > 0 && n->pipe.elems[i - 1].pipe_stderr;
                        c.pipe_stderr_out = i + 1 < n->pipe.n && n->pipe.elems[i].pipe_stderr;
                        r = walk_node(w, n->pipe.elems[i].node, c);
                }
                return r;
        case SH_NODE_SIMPLE:
                return walk_simple(w, n, ctx);
        case SH_NODE_SUBSHELL:
                in.flags |= SH_CTX_SUBSHELL;
                r = walk_node(w, n->group.body, inner_ctx(in, 0));
                break;
        case SH_NODE_GROUP:
                r = walk_node(w, n->group.body, inner_ctx(in, 0));
                break;
        case SH_NODE_IF:
                r = walk_node(w, n->if_.cond, inner_ctx(in, SH_CTX_CONDITION));
                if (r >= 0)
                        r = walk_node(w, n->if_.then_, inner_ctx(in, 0));
                if (r >= 0)
                        r = walk_node(w, n->if_.else_, inner_ctx(in, 0));
                break;
        case SH_NODE_WHILE:
        case SH_NODE_UNTIL:
                r = walk_node(w, n->loop.cond, inner_ctx(in, SH_CTX_CONDITION | SH_CTX_LOOP));
                if (r >= 0)
                        r = walk_node(w, n->loop.body, inner_ctx(in, SH_CTX_LOOP));
                break;
        case SH_NODE_FOR:
        case SH_NODE_SELECT:
                for (uint32_t i = 0; i < n->for_.nwords && r >= 0; i++)
                        r = walk_word(w, &n->for_.words[i], in, SH_CTX_FOR_WORDS);
                if (r >= 0)
                        r = walk_node(w, n->for_.body, inner_ctx(in, SH_CTX_LOOP));
                break;
        case SH_NODE_ARITH_FOR:
                r = walk_word(w, n->arith_for.init, in, SH_CTX_ARITH);
                if (r >= 0)
                        r = walk_word(w, n->arith_for.cond, in, SH_CTX_ARITH);
                if (r >= 0)
                        r = walk_word(w, n->arith_for.step, in, SH_CTX_ARITH);
                if (r >= 0)
                        r = walk_node(w, n->arith_for.body, inner_ctx(in, SH_CTX_LOOP));
                break;
        case SH_NODE_CASE:
                r = walk_word(w, n->case_.word, in, SH_CTX_CASE);
                for (uint32_t i = 0; i < n->case_.nitems && r >= 0; i++) {
                        const sh_case_item *it = &n->case_.items[i];
                        for (uint32_t k = 0; k < it->npatterns && r >= 0; k++)
                                r = walk_word(w, &it->patterns[k], in, SH_CTX_CASE);
                        if (r >= 0)
                                r = walk_node(w, it->body, inner_ctx(in, SH_CTX_CASE));
                }
                break;
        case SH_NODE_FUNCDEF:
                in.function_name = n->func.name;
                r = walk_node(w, n->func.body, inner_ctx(in, SH_CTX_FUNCTION));
                break;
        case SH_NODE_COND:
                r = walk_cond(w, n->cond.expr, in);
                break;
        case SH_NODE_ARITH:
                r = walk_word(w, n->arith.expr, in, SH_CTX_ARITH);
                break;
        case SH_NODE_COPROC:
                r = walk_node(w, n->coproc.body, inner_ctx(in, SH_CTX_COPROC | SH_CTX_BACKGROUND));
                break;
        }
        if (r >= 0)
                r = walk_redirs(w, n, ctx);
        return r;
}

int sh_walk(const sh_ast *ast, const sh_visitor *v, void *userdata) {
        if (!ast || !v)
                return -EINVAL;
        walker w = { .v = v, .ud = userdata };
        sh_cmd_ctx ctx = { .pipe_len = 1 };
        return walk_node(&w, ast->root, ctx);
}

int sh_walk_simple_commands(const sh_ast *ast, sh_visit_fn fn, void *userdata) {
        sh_visitor v = { .simple = fn };
        return sh_walk(ast, &v, userdata);
}
