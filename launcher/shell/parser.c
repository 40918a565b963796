/* SPDX-License-Identifier: MIT */
/* The grammar: lists, pipelines, simple and compound commands, following
 * bash 5.2's parse.y (reserved words only in command position, non-empty
 * compound lists, `! cmd` / `time` only at a pipeline's start, ...).
 * Recursion is bounded by sh_limits.max_depth. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util/cleanup.h"

#define CMD_MODE (LX_CMD | LX_ASSIGN)

sh_node *sh_new_node(sh_parser *p, sh_node_kind kind, size_t start) {
        if (sh_count(p, start) < 0)
                return NULL;
        sh_node *n = sh_arena_alloc(p->ar, sizeof *n);
        if (!n) {
                sh_nomem(p);
                return NULL;
        }
        n->kind = kind;
        n->span = sh_mkspan(p, start, start);
        return n;
}

void sh_end_node(sh_parser *p, sh_node *n, size_t end) {
        if (p->collapse)
                return;
        size_t start = n->span.off - p->base;
        n->span = sh_mkspan(p, start, end);
}

/* Push val onto vec (n used of cap), doubling it with GROW(new capacity _c)
 * when full; false (and the parser's out-of-memory error) if that fails. */
#define GROWING_PUSH(p, vec, n, cap, val, GROW)                                                                        \
        ({                                                                                                             \
                bool _ok = true;                                                                                       \
                if ((n) == (cap)) {                                                                                    \
                        uint32_t _c = (cap) ? (cap) * 2 : 4;                                                           \
                        void *_v = (GROW);                                                                             \
                        if (!_v) {                                                                                     \
                                sh_nomem(p);                                                                           \
                                _ok = false;                                                                           \
                        } else {                                                                                       \
                                (vec) = _v;                                                                            \
                                (cap) = _c;                                                                            \
                        }                                                                                              \
                }                                                                                                      \
                if (_ok)                                                                                               \
                        (vec)[(n)++] = (val);                                                                          \
                _ok;                                                                                                   \
        })

/* Growable arena vector. */
#define VPUSH(p, vec, n, cap, val) GROWING_PUSH(p, vec, n, cap, val, sh_arena_grow((p)->ar, (vec), (n), _c, sizeof *(vec)))

/* Heap vector for the hot paths (words of a command, items of a list): built
 * with realloc and copied into the arena at its final size, so the arena
 * holds no abandoned doubling copies. */
#define HPUSH(p, vec, n, cap, val) GROWING_PUSH(p, vec, n, cap, val, realloc((vec), (size_t) _c * sizeof *(vec)))

static void *to_arena(sh_parser *p, const void *v, size_t n, size_t sz) {
        if (n == 0)
                return NULL;
        void *a = sh_arena_array(p->ar, n, sz);
        if (!a) {
                sh_nomem(p);
                return NULL;
        }
        memcpy(a, v, n * sz);
        return a;
}

static const char *const terminators[] = { "then", "else", "elif", "fi", "do", "done", "esac", "}", "in", "]]" };

static bool is_terminator_word(const sh_tok *t) {
        for (size_t i = 0; i < sizeof terminators / sizeof *terminators; i++)
                if (sh_tok_is(t, terminators[i]))
                        return true;
        return false;
}

/* Reserved words that close an enclosing construct.  bash's lexer takes a
 * word as reserved right after `)`, `}`, `done`, `fi`, `esac`, `]]`, `))`
 * (parse.y: reserved_word_acceptable), so `(cd d; x) done` and
 * `{ while :; do :; done }` are valid: the enclosing list decides. */
static bool is_closing_word(const sh_tok *t) {
        static const char *const kw[] = { "then", "else", "elif", "fi", "do", "done", "esac", "}" };
        for (size_t i = 0; i < sizeof kw / sizeof *kw; i++)
                if (sh_tok_is(t, kw[i]))
                        return true;
        return false;
}

static bool is_list_end(const sh_tok *t) {
        switch (t->type) {
        case T_EOF:
        case T_RP:
        case T_DSEMI:
        case T_SEMIAMP:
        case T_DSEMIAMP:
                return true;
        case T_WORD:
                return is_terminator_word(t);
        default:
                return false;
        }
}

static bool is_compound_start(const sh_tok *t) {
        static const char *const kw[] = { "{", "if", "while", "until", "for", "select", "case", "[[" };
        if (t->type == T_LP || t->type == T_DLP)
                return true;
        for (size_t i = 0; i < sizeof kw / sizeof *kw; i++)
                if (sh_tok_is(t, kw[i]))
                        return true;
        return false;
}

static void skip_newlines_mode(sh_parser *p, unsigned mode) {
        while (!p->err && sh_peek(p, mode)->type == T_NL)
                sh_consume(p);
}

static void skip_newlines(sh_parser *p) {
        skip_newlines_mode(p, CMD_MODE);
}

static bool expect_word(sh_parser *p, const char *w) {
        const sh_tok *t = sh_peek(p, CMD_MODE);
        if (!sh_tok_is(t, w)) {
                sh_syntax_tok(p, t);
                return false;
        }
        sh_consume(p);
        return true;
}

/* A compound list that bash requires to be non-empty. */
static sh_node *nonempty_list(sh_parser *p) {
        sh_node *l = sh_parse_list(p);
        if (l && l->list.n == 0) {
                sh_syntax_tok(p, sh_peek(p, CMD_MODE));
                return NULL;
        }
        return l;
}

static sh_node *parse_pipeline(sh_parser *p);
static sh_node *parse_command(sh_parser *p, bool after_pipe);

sh_node *sh_parse_list(sh_parser *p) {
        sh_node *list = sh_new_node(p, SH_NODE_LIST, p->pos);
        if (!list)
                return NULL;
        uint32_t cap = 0, n = 0;
        _cleanup_free_ sh_list_item *items = NULL;
        bool first = true;
        size_t end = p->pos;
        for (;;) {
                skip_newlines(p);
                const sh_tok *t = sh_peek(p, CMD_MODE);
                if (p->err || is_list_end(t))
                        break;
                if (first) {
                        list->span = sh_mkspan(p, t->start, t->start);
                        first = false;
                }
                /* and-or: pipelines joined by && / || (flattened into the list). */
                for (;;) {
                        sh_node *c = parse_pipeline(p);
                        if (!c)
                                return NULL;
                        sh_list_item it = { .node = c, .op = SH_OP_END };
                        if (!HPUSH(p, items, n, cap, it))
                                return NULL;
                        end = p->prev_end;
                        t = sh_peek(p, 0);
                        if (t->type != T_AND && t->type != T_OR)
                                break;
                        sh_list_item *last = &items[n - 1];
                        last->op = t->type == T_AND ? SH_OP_AND : SH_OP_OR;
                        last->op_span = sh_mkspan(p, t->start, t->end);
                        sh_consume(p);
                        skip_newlines(p);
                }
                t = sh_peek(p, 0);
                if (t->type != T_SEMI && t->type != T_AMP && t->type != T_NL)
                        break;
                sh_list_item *last = &items[n - 1];
                last->op = t->type == T_SEMI ? SH_OP_SEMI : t->type == T_AMP ? SH_OP_AMP : SH_OP_NEWLINE;
                last->op_span = sh_mkspan(p, t->start, t->end);
                if (t->type != T_NL)
                        end = t->end;
                sh_consume(p);
        }
        if (p->err)
                return NULL;
        list->list.items = to_arena(p, items, n, sizeof *items);
        list->list.n = n;
        if (p->err)
                return NULL;
        sh_end_node(p, list, end);
        return list;
}

static sh_node *parse_pipeline(sh_parser *p) {
        if (sh_enter(p, p->pos) < 0)
                return NULL;
        const sh_tok *t = sh_peek(p, CMD_MODE);
        size_t start = t->start;
        bool timed = false, posix = false, bang = false, any = false;
        for (;;) {
                if (sh_tok_is(t, "time")) { /* parse.y: timespec pipeline_command, so `time time x` */
                        timed = any = true;
                        sh_consume(p);
                        t = sh_peek(p, CMD_MODE);
                        if (sh_tok_is(t, "-p")) {
                                posix = true;
                                sh_consume(p);
                                t = sh_peek(p, CMD_MODE);
                        }
                        continue;
                }
                if (sh_tok_is(t, "!")) {
                        bang = !bang;
                        any = true;
                        sh_consume(p);
                        t = sh_peek(p, CMD_MODE);
                        continue;
                }
                break;
        }
        sh_node *pipe = NULL;
        if (any && (t->type == T_NL || t->type == T_SEMI || t->type == T_EOF)) {
                pipe = sh_new_node(p, SH_NODE_PIPELINE, start);
                if (!pipe)
                        return NULL;
                pipe->pipe.bang = bang;
                pipe->pipe.timed = timed;
                pipe->pipe.time_posix = posix;
                sh_end_node(p, pipe, p->prev_end);
                sh_leave(p);
                return pipe;
        }
        uint32_t cap = 0, n = 0;
        sh_pipe_elem *elems = NULL;
        for (;;) {
                sh_node *c = parse_command(p, n > 0);
                if (!c)
                        return NULL;
                sh_pipe_elem e = { .node = c };
                if (!VPUSH(p, elems, n, cap, e))
                        return NULL;
                t = sh_peek(p, 0);
                if (t->type != T_PIPE && t->type != T_PIPEAMP)
                        break;
                elems[n - 1].pipe_stderr = t->type == T_PIPEAMP;
                sh_consume(p);
                skip_newlines(p);
                t = sh_peek(p, CMD_MODE);
                if (sh_tok_is(t, "!")) {
                        sh_syntax_tok(p, t);
                        return NULL;
                }
        }
        sh_leave(p);
        if (n == 1 && !any)
                return elems[0].node;
        pipe = sh_new_node(p, SH_NODE_PIPELINE, start);
        if (!pipe)
                return NULL;
        pipe->pipe.elems = elems;
        pipe->pipe.n = n;
        pipe->pipe.bang = bang;
        pipe->pipe.timed = timed;
        pipe->pipe.time_posix = posix;
        sh_end_node(p, pipe, p->prev_end);
        return pipe;
}

static bool parse_redir(sh_parser *p, sh_redir **v, uint32_t *n, uint32_t *cap) {
        const sh_tok *t = sh_peek(p, 0);
        sh_redir r = { .op = t->rop, .fd = t->fd, .fd_var = t->fd_var };
        size_t start = t->start;
        if (sh_count(p, start) < 0)
                return false;
        sh_consume(p);
        t = sh_peek(p, 0);
        if (t->type != T_WORD) {
                sh_syntax_tok(p, t);
                return false;
        }
        r.target = t->word;
        sh_consume(p);
        r.span = sh_mkspan(p, start, p->prev_end);
        if (!VPUSH(p, *v, *n, *cap, r))
                return false;
        if (r.op == SH_REDIR_HEREDOC || r.op == SH_REDIR_HEREDOC_STRIP) {
                /* Register the vector slot's final address later: slots move
                 * while the vector grows, so register a stable copy. */
                sh_redir *stable = sh_arena_alloc(p->ar, sizeof *stable);
                if (!stable) {
                        sh_nomem(p);
                        return false;
                }
                *stable = r;
                if (sh_heredoc_register(p, stable) < 0)
                        return false;
                (*v)[*n - 1].heredoc = stable->heredoc;
                /* The body is filled in later through stable->heredoc (shared). */
        }
        return true;
}

static bool parse_trailing_redirs(sh_parser *p, sh_node *n) {
        uint32_t cap = 0;
        while (!p->err && sh_peek(p, 0)->type == T_REDIR)
                if (!parse_redir(p, &n->redirs, &n->nredirs, &cap))
                        return false;
        return !p->err;
}

static bool is_declare_like(const sh_word *w) {
        static const char *const names[] = { "declare", "typeset", "local", "export", "readonly" };
        for (size_t i = 0; i < sizeof names / sizeof *names; i++)
                if (sh_word_is(w, names[i]))
                        return true;
        return false;
}

static bool make_assign(sh_parser *p, const sh_tok *t, sh_assign *a) {
        const sh_word *w = t->word;
        const sh_part *lp = &w->parts[0];
        const char *s = lp->text;
        size_t i = 0;
        while (i < lp->text_len && s[i] != '=' && s[i] != '[' && s[i] != '+')
                i++;
        memset(a, 0, sizeof *a);
        a->span = w->span;
        a->name = sh_arena_strndup(p->ar, s, i);
        if (!a->name) {
                sh_nomem(p);
                return false;
        }
        a->name_span = p->collapse ? p->cspan : (sh_span){ lp->span.off, (uint32_t) i };
        size_t eq = i;
        if (s[i] == '[') {
                int depth = 0;
                for (; eq < lp->text_len; eq++) {
                        if (s[eq] == '[')
                                depth++;
                        else if (s[eq] == ']' && --depth == 0)
                                break;
                }
                size_t lstart = (size_t) (s - p->s);
                size_t save = p->len;
                a->subscript = sh_lex_arith(p, lstart + i + 1, lstart + eq);
                p->len = save;
                if (!a->subscript)
                        return false;
                eq++;
        }
        if (s[eq] == '+') {
                a->append = true;
                eq++;
        }
        eq++; /* '=' */
        if (t->elems || (eq < lp->text_len && s[eq] == '(')) {
                a->array = true;
                a->elems = t->elems;
                a->nelems = t->nelems;
        }
        /* The value: the word minus "NAME=" (a view on the same parts). */
        sh_word *v = sh_arena_alloc(p->ar, sizeof *v);
        sh_part *first = sh_arena_array(p->ar, w->nparts ? w->nparts : 1, sizeof *first);
        if (!v || !first) {
                sh_nomem(p);
                return false;
        }
        memcpy(first, w->parts, w->nparts * sizeof *first);
        first[0].text += eq;
        first[0].text_len -= (uint32_t) eq;
        if (!p->collapse) {
                first[0].span.off += (uint32_t) eq;
                first[0].span.len -= (uint32_t) eq;
        }
        v->parts = first;
        v->nparts = w->nparts;
        if (first[0].text_len == 0) {
                v->parts++;
                v->nparts--;
        }
        v->flags = w->flags & ~SH_WORD_ASSIGN_LIKE;
        v->raw = w->raw + eq;
        v->raw_len = w->raw_len - (uint32_t) eq;
        v->span = p->collapse ? p->cspan : (sh_span){ w->span.off + (uint32_t) eq, w->span.len - (uint32_t) eq };
        a->value = v;
        return true;
}

static sh_node *parse_funcdef_body(sh_parser *p, sh_node *f) {
        skip_newlines(p);
        const sh_tok *t = sh_peek(p, CMD_MODE);
        if (!is_compound_start(t)) {
                sh_syntax_tok(p, t);
                return NULL;
        }
        f->func.body = parse_command(p, false);
        if (!f->func.body)
                return NULL;
        sh_end_node(p, f, p->prev_end);
        return f;
}

/* only_first: the command is `first` alone (`coproc NAME }`: what follows
 * is a reserved word that closes an enclosing construct). */
static sh_node *parse_simple(sh_parser *p, sh_word *first, size_t start, bool only_first) {
        sh_node *n = sh_new_node(p, SH_NODE_SIMPLE, start);
        if (!n)
                return NULL;
        sh_simple *s = &n->simple;
        uint32_t wcap = 0, acap = 0, rcap = 0;
        _cleanup_free_ sh_word *words = NULL;
        bool declare = false;
        if (first) {
                if (!HPUSH(p, words, s->nwords, wcap, *first))
                        return NULL;
                declare = is_declare_like(first);
        }
        for (; !only_first;) {
                unsigned mode = s->nwords == 0 ? CMD_MODE : declare ? LX_ASSIGN : 0;
                const sh_tok *t = sh_peek(p, mode);
                if (p->err)
                        return NULL;
                if (t->type == T_REDIR) {
                        if (!parse_redir(p, &n->redirs, &n->nredirs, &rcap))
                                return NULL;
                        continue;
                }
                if (t->type != T_WORD)
                        break;
                if (s->nwords == 0 && t->assign) {
                        sh_assign a;
                        if (!make_assign(p, t, &a) || !VPUSH(p, s->assigns, s->nassigns, acap, a))
                                return NULL;
                        sh_consume(p);
                        continue;
                }
                sh_word w = *t->word;
                sh_consume(p);
                if (s->nwords == 0)
                        declare = is_declare_like(&w);
                /* Peek in the mode the next loop round uses: a word lexed
                 * twice would parse its substitutions twice. */
                if (s->nwords == 0 && s->nassigns == 0 && n->nredirs == 0 &&
                    sh_peek(p, declare ? LX_ASSIGN : 0)->type == T_LP) {
                        /* NAME () compound-command */
                        sh_consume(p);
                        const sh_tok *r = sh_peek(p, 0);
                        if (r->type != T_RP) {
                                sh_syntax_tok(p, r);
                                return NULL;
                        }
                        sh_consume(p);
                        n->kind = SH_NODE_FUNCDEF;
                        n->func.name = sh_arena_strndup(p->ar, w.raw, w.raw_len);
                        if (!n->func.name) {
                                sh_nomem(p);
                                return NULL;
                        }
                        n->func.name_span = w.span;
                        return parse_funcdef_body(p, n);
                }
                if (!HPUSH(p, words, s->nwords, wcap, w))
                        return NULL;
        }
        s->words = to_arena(p, words, s->nwords, sizeof *words);
        if (p->err)
                return NULL;
        sh_end_node(p, n, p->prev_end);
        return n;
}

static sh_node *parse_if(sh_parser *p, bool is_elif) {
        const sh_tok *t = sh_peek(p, CMD_MODE);
        sh_node *n = sh_new_node(p, SH_NODE_IF, t->start);
        if (!n || sh_enter(p, t->start) < 0)
                return NULL;
        n->if_.is_elif = is_elif;
        sh_consume(p);
        if (!(n->if_.cond = nonempty_list(p)) || !expect_word(p, "then") || !(n->if_.then_ = nonempty_list(p)))
                return NULL;
        t = sh_peek(p, CMD_MODE);
        if (sh_tok_is(t, "elif")) {
                if (!(n->if_.else_ = parse_if(p, true)))
                        return NULL;
        } else if (sh_tok_is(t, "else")) {
                sh_consume(p);
                if (!(n->if_.else_ = nonempty_list(p)))
                        return NULL;
        }
        if (!is_elif && !expect_word(p, "fi"))
                return NULL;
        sh_leave(p);
        sh_end_node(p, n, is_elif ? (n->if_.else_ ? p->prev_end : p->prev_end) : p->prev_end);
        return n;
}

/* do ... done, or { ... } where bash takes `{` as a keyword (brace_ok). */
static bool parse_do_body(sh_parser *p, sh_node **body, bool brace_ok) {
        if (sh_peek(p, CMD_MODE)->type == T_NL)
                brace_ok = true;
        skip_newlines(p);
        const sh_tok *t = sh_peek(p, CMD_MODE);
        const char *close = sh_tok_is(t, "do") ? "done" : (brace_ok && sh_tok_is(t, "{")) ? "}" : NULL;
        if (!close) {
                sh_syntax_tok(p, t);
                return false;
        }
        sh_consume(p);
        return (*body = nonempty_list(p)) && expect_word(p, close);
}

/* for ((init; cond; step)): split the arithmetic text at its two top-level ';'. */
static bool split_arith_for(sh_parser *p, const sh_tok *t, sh_arith_for *af) {
        const sh_word *w = t->word;
        size_t start = (size_t) (w->raw - p->s), end = start + w->raw_len;
        size_t cuts[2], nc = 0;
        int depth = 0;
        for (size_t i = start; i < end; i++) {
                char c = p->s[i];
                if (c == '(')
                        depth++;
                else if (c == ')')
                        depth--;
                else if (c == '\'' || c == '"') {
                        for (i++; i < end && p->s[i] != c; i++)
                                if (c == '"' && p->s[i] == '\\')
                                        i++;
                } else if (c == '\\')
                        i++;
                else if (c == ';' && depth == 0) {
                        if (nc == 2) {
                                nc = 3;
                                break;
                        }
                        cuts[nc++] = i;
                }
        }
        if (nc != 2) {
                sh_syntax(p, t->start, t->end - t->start, "syntax error: arithmetic expression required");
                return false;
        }
        size_t save_pos = p->pos, save_len = p->len;
        af->init = sh_lex_arith(p, start, cuts[0]);
        p->len = save_len;
        af->cond = af->init ? sh_lex_arith(p, cuts[0] + 1, cuts[1]) : NULL;
        p->len = save_len;
        af->step = af->cond ? sh_lex_arith(p, cuts[1] + 1, end) : NULL;
        p->len = save_len;
        p->pos = save_pos;
        return af->step != NULL;
}

static sh_node *parse_for(sh_parser *p, sh_node_kind kind) {
        const sh_tok *t = sh_peek(p, CMD_MODE);
        sh_node *n = sh_new_node(p, kind, t->start);
        if (!n || sh_enter(p, t->start) < 0)
                return NULL;
        sh_consume(p);
        t = sh_peek(p, kind == SH_NODE_FOR ? CMD_MODE : 0);
        if (t->type == T_DLP && kind == SH_NODE_FOR) {
                n->kind = SH_NODE_ARITH_FOR;
                if (!split_arith_for(p, t, &n->arith_for))
                        return NULL;
                sh_consume(p);
                t = sh_peek(p, CMD_MODE);
                if (t->type == T_SEMI)
                        sh_consume(p);
                if (!parse_do_body(p, &n->arith_for.body, true))
                        return NULL;
                sh_leave(p);
                sh_end_node(p, n, p->prev_end);
                return n;
        }
        if (t->type != T_WORD) {
                sh_syntax_tok(p, t);
                return NULL;
        }
        n->for_.var = sh_tok_text(p, t);
        if (!n->for_.var)
                return NULL;
        n->for_.var_span = t->word->span;
        sh_consume(p);
        t = sh_peek(p, CMD_MODE);
        bool brace_ok = false;
        if (t->type == T_SEMI) {
                sh_consume(p);
                brace_ok = true;
        } else {
                if (t->type == T_NL)
                        brace_ok = true;
                skip_newlines(p);
                t = sh_peek(p, CMD_MODE);
                if (sh_tok_is(t, "in")) {
                        n->for_.has_in = true;
                        brace_ok = true;
                        sh_consume(p);
                        uint32_t cap = 0;
                        for (;;) {
                                t = sh_peek(p, 0);
                                if (t->type == T_WORD) {
                                        if (!VPUSH(p, n->for_.words, n->for_.nwords, cap, *t->word))
                                                return NULL;
                                        sh_consume(p);
                                        continue;
                                }
                                if (t->type == T_SEMI || t->type == T_NL) {
                                        sh_consume(p);
                                        break;
                                }
                                sh_syntax_tok(p, t);
                                return NULL;
                        }
                }
        }
        if (!parse_do_body(p, &n->for_.body, brace_ok))
                return NULL;
        sh_leave(p);
        sh_end_node(p, n, p->prev_end);
        return n;
}

static sh_node *parse_case(sh_parser *p) {
        const sh_tok *t = sh_peek(p, CMD_MODE);
        sh_node *n = sh_new_node(p, SH_NODE_CASE, t->start);
        if (!n || sh_enter(p, t->start) < 0)
                return NULL;
        sh_consume(p);
        t = sh_peek(p, 0);
        if (t->type != T_WORD) {
                sh_syntax_tok(p, t);
                return NULL;
        }
        n->case_.word = t->word;
        sh_consume(p);
        skip_newlines(p);
        if (!expect_word(p, "in"))
                return NULL;
        uint32_t cap = 0;
        for (;;) {
                /* Patterns lex in mode 0; `esac` and `(` look the same in it. */
                skip_newlines_mode(p, 0);
                t = sh_peek(p, 0);
                if (sh_tok_is(t, "esac")) {
                        sh_consume(p);
                        break;
                }
                sh_case_item it = { 0 };
                size_t istart = t->start;
                if (t->type == T_LP) {
                        sh_consume(p);
                }
                uint32_t pcap = 0;
                for (;;) {
                        t = sh_peek(p, 0);
                        if (t->type != T_WORD) {
                                sh_syntax_tok(p, t);
                                return NULL;
                        }
                        if (!VPUSH(p, it.patterns, it.npatterns, pcap, *t->word))
                                return NULL;
                        sh_consume(p);
                        t = sh_peek(p, 0);
                        if (t->type == T_PIPE) {
                                sh_consume(p);
                                continue;
                        }
                        if (t->type == T_RP) {
                                sh_consume(p);
                                break;
                        }
                        sh_syntax_tok(p, t);
                        return NULL;
                }
                if (!(it.body = sh_parse_list(p)))
                        return NULL;
                t = sh_peek(p, CMD_MODE);
                it.term = SH_CASE_BREAK;
                if (t->type == T_DSEMI || t->type == T_SEMIAMP || t->type == T_DSEMIAMP) {
                        it.term = t->type == T_DSEMI     ? SH_CASE_BREAK
                                  : t->type == T_SEMIAMP ? SH_CASE_FALLTHROUGH
                                                         : SH_CASE_CONTINUE;
                        sh_consume(p);
                } else if (!sh_tok_is(t, "esac")) {
                        sh_syntax_tok(p, t);
                        return NULL;
                }
                it.span = sh_mkspan(p, istart, p->prev_end);
                if (sh_count(p, istart) < 0 || !VPUSH(p, n->case_.items, n->case_.nitems, cap, it))
                        return NULL;
        }
        sh_leave(p);
        sh_end_node(p, n, p->prev_end);
        return n;
}

static sh_node *parse_compound(sh_parser *p, const sh_tok *t) {
        sh_node *n = NULL;
        size_t start = t->start;
        if (t->type == T_LP || sh_tok_is(t, "{")) {
                bool sub = t->type == T_LP;
                n = sh_new_node(p, sub ? SH_NODE_SUBSHELL : SH_NODE_GROUP, start);
                if (!n || sh_enter(p, start) < 0)
                        return NULL;
                sh_consume(p);
                if (!(n->group.body = nonempty_list(p)))
                        return NULL;
                t = sh_peek(p, CMD_MODE);
                if (sub ? t->type != T_RP : !sh_tok_is(t, "}")) {
                        sh_syntax_tok(p, t);
                        return NULL;
                }
                sh_consume(p);
                sh_leave(p);
        } else if (t->type == T_DLP) {
                n = sh_new_node(p, SH_NODE_ARITH, start);
                if (!n)
                        return NULL;
                n->arith.expr = t->word;
                sh_consume(p);
        } else if (sh_tok_is(t, "if")) {
                n = parse_if(p, false);
        } else if (sh_tok_is(t, "while") || sh_tok_is(t, "until")) {
                n = sh_new_node(p, sh_tok_is(t, "while") ? SH_NODE_WHILE : SH_NODE_UNTIL, start);
                if (!n || sh_enter(p, start) < 0)
                        return NULL;
                sh_consume(p);
                if (!(n->loop.cond = nonempty_list(p)) || !expect_word(p, "do") || !(n->loop.body = nonempty_list(p)) ||
                    !expect_word(p, "done"))
                        return NULL;
                sh_leave(p);
        } else if (sh_tok_is(t, "for")) {
                n = parse_for(p, SH_NODE_FOR);
        } else if (sh_tok_is(t, "select")) {
                n = parse_for(p, SH_NODE_SELECT);
        } else if (sh_tok_is(t, "case")) {
                n = parse_case(p);
        } else if (sh_tok_is(t, "[[")) {
                sh_consume(p);
                n = sh_parse_cond(p, start);
        }
        if (!n)
                return NULL;
        sh_end_node(p, n, p->prev_end);
        uint32_t before = n->nredirs;
        if (!parse_trailing_redirs(p, n))
                return NULL;
        sh_end_node(p, n, p->prev_end);
        /* After a redirection's target the last token is a word, and a
         * reserved word is no longer recognized. */
        const sh_tok *after = sh_peek(p, 0);
        if ((after->type == T_WORD && !(n->nredirs == before && is_closing_word(after))) || after->type == T_LP ||
            after->type == T_DLP) {
                sh_syntax_tok(p, after);
                return NULL;
        }
        return n;
}

/* after_pipe: bash does not take `time` as a keyword right after `|`. */
static sh_node *parse_command(sh_parser *p, bool after_pipe) {
        const sh_tok *t = sh_peek(p, CMD_MODE);
        if (p->err)
                return NULL;
        size_t start = t->start;
        if (is_compound_start(t))
                return parse_compound(p, t);
        if (t->type == T_WORD &&
            (is_terminator_word(t) || sh_tok_is(t, "!") || (sh_tok_is(t, "time") && !after_pipe))) {
                sh_syntax_tok(p, t);
                return NULL;
        }
        if (sh_tok_is(t, "function")) {
                sh_node *n = sh_new_node(p, SH_NODE_FUNCDEF, start);
                if (!n)
                        return NULL;
                sh_consume(p);
                t = sh_peek(p, 0);
                if (t->type != T_WORD) {
                        sh_syntax_tok(p, t);
                        return NULL;
                }
                n->func.keyword = true;
                n->func.name = sh_tok_text(p, t);
                if (!n->func.name)
                        return NULL;
                n->func.name_span = t->word->span;
                sh_consume(p);
                if (sh_peek(p, 0)->type == T_LP) {
                        sh_consume(p);
                        t = sh_peek(p, 0);
                        if (t->type != T_RP) {
                                sh_syntax_tok(p, t);
                                return NULL;
                        }
                        sh_consume(p);
                }
                return parse_funcdef_body(p, n);
        }
        if (sh_tok_is(t, "coproc")) {
                sh_node *n = sh_new_node(p, SH_NODE_COPROC, start);
                if (!n || sh_enter(p, start) < 0)
                        return NULL;
                sh_consume(p);
                t = sh_peek(p, CMD_MODE);
                if (is_compound_start(t)) {
                        n->coproc.body = parse_compound(p, t);
                } else if (t->type == T_WORD && !t->assign) {
                        sh_word *w = t->word;
                        size_t ws = t->start;
                        sh_consume(p);
                        /* Mode 0 as parse_simple will use; only `((` needs LX_CMD. */
                        t = sh_peek(p, is_declare_like(w) ? LX_ASSIGN : 0);
                        if (t->type == T_LP)
                                t = sh_peek(p, CMD_MODE);
                        /* After `coproc WORD` bash recognizes reserved words
                         * (parse.y: reserved_word_acceptable), `time` aside:
                         * a closing one ends the command WORD, the others
                         * cannot follow a command. */
                        static const char *const kw[] = { "in", "]]", "!", "coproc", "function" };
                        bool reserved = false;
                        for (size_t i = 0; i < sizeof kw / sizeof *kw && !reserved; i++)
                                reserved = sh_tok_is(t, kw[i]);
                        if (reserved) {
                                sh_syntax_tok(p, t);
                                return NULL;
                        }
                        if (is_closing_word(t)) {
                                n->coproc.body = parse_simple(p, w, ws, true);
                        } else if (is_compound_start(t)) {
                                n->coproc.name = sh_arena_strndup(p->ar, w->raw, w->raw_len);
                                n->coproc.body = parse_compound(p, t);
                        } else {
                                n->coproc.body = parse_simple(p, w, ws, false);
                        }
                } else if (t->type == T_WORD || t->type == T_REDIR) {
                        n->coproc.body = parse_simple(p, NULL, t->start, false);
                } else {
                        sh_syntax_tok(p, t);
                        return NULL;
                }
                if (!n->coproc.body)
                        return NULL;
                sh_leave(p);
                sh_end_node(p, n, p->prev_end);
                return n;
        }
        if (t->type == T_WORD || t->type == T_REDIR)
                return parse_simple(p, NULL, start, false);
        sh_syntax_tok(p, t);
        return NULL;
}
