/* SPDX-License-Identifier: MIT */
/* Tokens: operators, redirections, words (words.c builds their parts), and the
 * parser's one-token lookahead.  Errors are recorded in the parser state; the
 * first one wins and every caller unwinds on p->err. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

sh_span sh_mkspan(const sh_parser *p, size_t start, size_t end) {
        if (p->collapse)
                return p->cspan;
        if (end < start)
                end = start;
        return (sh_span){ (uint32_t) (p->base + start), (uint32_t) (end - start) };
}

static void set_error(sh_parser *p, int code, size_t pos, size_t len, const char *tok, const char *msg) {
        if (p->err)
                return;
        p->err = -code;
        if (!p->serr)
                return;
        sh_span sp = sh_mkspan(p, pos, pos + len);
        p->serr->code = code;
        p->serr->offset = sp.off;
        p->serr->length = sp.len;
        snprintf(p->serr->token, sizeof p->serr->token, "%s", tok ? tok : "");
        snprintf(p->serr->message, sizeof p->serr->message, "%s", msg);
}

void sh_syntax(sh_parser *p, size_t pos, size_t len, const char *fmt, ...) {
        char msg[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        char tok[64] = "";
        if (pos < p->len && len)
                snprintf(tok, sizeof tok, "%.*s", (int) (len < 63 ? len : 63), p->s + pos);
        set_error(p, EINVAL, pos, len, tok, msg);
}

static const char *tok_name(sh_tok_type t) {
        switch (t) {
        case T_NL: return "newline";
        case T_SEMI: return ";";
        case T_AMP: return "&";
        case T_AND: return "&&";
        case T_OR: return "||";
        case T_PIPE: return "|";
        case T_PIPEAMP: return "|&";
        case T_DSEMI: return ";;";
        case T_SEMIAMP: return ";&";
        case T_DSEMIAMP: return ";;&";
        case T_LP: return "(";
        case T_RP: return ")";
        default: return NULL;
        }
}

void sh_syntax_tok(sh_parser *p, const sh_tok *t) {
        if (t->type == T_EOF) {
                sh_syntax(p, t->start, 0, "syntax error: unexpected end of file");
                return;
        }
        const char *name = tok_name(t->type);
        if (name)
                sh_syntax(p, t->start, t->end - t->start, "syntax error near unexpected token `%s'", name);
        else
                sh_syntax(p, t->start, t->end - t->start, "syntax error near unexpected token `%.*s'",
                          (int) (t->end - t->start > 60 ? 60 : t->end - t->start), p->s + t->start);
}

int sh_limit(sh_parser *p, size_t pos, const char *what, size_t max) {
        char msg[256];
        snprintf(msg, sizeof msg, "limit exceeded: %s (max %zu)", what, max);
        set_error(p, E2BIG, pos, 0, NULL, msg);
        return p->err;
}

int sh_nomem(sh_parser *p) {
        set_error(p, ENOMEM, p->pos, 0, NULL, "out of memory");
        return p->err;
}

int sh_count(sh_parser *p, size_t pos) {
        if (p->err)
                return p->err;
        if (++p->ast->nnodes > p->lim.max_nodes)
                return sh_limit(p, pos, "too many syntax nodes", p->lim.max_nodes);
        if (p->mem_max && sh_arena_used(p->ar) > p->mem_max)
                return sh_limit(p, pos, "syntax tree memory (bytes)", p->mem_max);
        return 0;
}

int sh_enter(sh_parser *p, size_t pos) {
        if (p->err)
                return p->err;
        if (++p->depth > p->lim.max_depth)
                return sh_limit(p, pos, "nesting too deep", p->lim.max_depth);
        return 0;
}

void sh_leave(sh_parser *p) {
        p->depth--;
}

void sh_skip_cont(sh_parser *p) {
        while (p->pos + 1 < p->len && p->s[p->pos] == '\\' && p->s[p->pos + 1] == '\n')
                p->pos += 2;
}

bool sh_word_is(const sh_word *w, const char *lit) {
        if (!w || w->nparts != 1 || w->parts[0].kind != SH_PART_LITERAL)
                return false;
        size_t n = strlen(lit);
        return w->parts[0].text_len == n && memcmp(w->parts[0].text, lit, n) == 0;
}

bool sh_tok_is(const sh_tok *t, const char *lit) {
        return t->type == T_WORD && sh_word_is(t->word, lit);
}

char *sh_tok_text(sh_parser *p, const sh_tok *t) {
        char *s = sh_arena_strndup(p->ar, t->word->raw, t->word->raw_len);
        if (!s)
                sh_nomem(p);
        return s;
}

/* Current byte after line continuations, or -1 at the end. */
static int cur(sh_parser *p) {
        sh_skip_cont(p);
        return p->pos < p->len ? (unsigned char) p->s[p->pos] : -1;
}

static bool is_blank(int c) {
        return c == ' ' || c == '\t';
}

/* `((` at command position: arithmetic when the matching parens close as `))`. */
static bool dparen_is_arith(sh_parser *p, size_t at, size_t *expr_end, size_t *close_end) {
        size_t inner = at + 1;
        size_t m = sh_scan_parens(p, inner);
        if (m == SH_NPOS)
                return false;
        size_t q = m + 1;
        while (q + 1 < p->len && p->s[q] == '\\' && p->s[q + 1] == '\n')
                q += 2;
        if (q < p->len && p->s[q] == ')') {
                *expr_end = m;
                *close_end = q + 1;
                return true;
        }
        return false;
}

static void lex_redir(sh_parser *p, sh_tok *t, int c) {
        t->type = T_REDIR;
        p->pos++;
        int d = cur(p);
        if (c == '<') {
                if (d == '<') {
                        p->pos++;
                        int e = cur(p);
                        if (e == '<') {
                                p->pos++;
                                t->rop = SH_REDIR_HERESTRING;
                        } else if (e == '-') {
                                p->pos++;
                                t->rop = SH_REDIR_HEREDOC_STRIP;
                        } else
                                t->rop = SH_REDIR_HEREDOC;
                } else if (d == '&') {
                        p->pos++;
                        t->rop = SH_REDIR_DUP_IN;
                } else if (d == '>') {
                        p->pos++;
                        t->rop = SH_REDIR_RDWR;
                } else
                        t->rop = SH_REDIR_IN;
        } else {
                if (d == '>') {
                        p->pos++;
                        t->rop = SH_REDIR_APPEND;
                } else if (d == '&') {
                        p->pos++;
                        t->rop = SH_REDIR_DUP_OUT;
                } else if (d == '|') {
                        p->pos++;
                        t->rop = SH_REDIR_CLOBBER;
                } else
                        t->rop = SH_REDIR_OUT;
        }
}

/* A word of digits, or {name}, directly followed by < or > is a redirection prefix. */
static bool redir_prefix(sh_parser *p, sh_tok *t) {
        const sh_word *w = t->word;
        if (!w || w->nparts != 1 || w->parts[0].kind != SH_PART_LITERAL)
                return false;
        int c = cur(p);
        if (c != '<' && c != '>')
                return false;
        if (p->pos + 1 < p->len && p->s[p->pos + 1] == '(')
                return false;
        const char *s = w->parts[0].text;
        size_t n = w->parts[0].text_len;
        bool digits = n > 0;
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        digits = false;
        if (digits) {
                long fd = 0;
                for (size_t i = 0; i < n && fd <= 100000; i++)
                        fd = fd * 10 + (s[i] - '0');
                t->fd = fd > 100000 ? 100000 : (int) fd;
                return true;
        }
        if (n >= 3 && s[0] == '{' && s[n - 1] == '}') {
                if (!(s[1] == '_' || (s[1] >= 'a' && s[1] <= 'z') || (s[1] >= 'A' && s[1] <= 'Z')))
                        return false;
                for (size_t i = 2; i + 1 < n; i++)
                        if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                              (s[i] >= '0' && s[i] <= '9')))
                                return false;
                t->fd_var = sh_arena_strndup(p->ar, s + 1, n - 2);
                if (!t->fd_var)
                        sh_nomem(p);
                return true;
        }
        return false;
}

static void lex(sh_parser *p, sh_tok *t, unsigned mode) {
        memset(t, 0, sizeof *t);
        t->fd = -1;
        for (;;) {
                int c = cur(p);
                if (is_blank(c)) {
                        p->pos++;
                        continue;
                }
                if (c == '#') {
                        while (p->pos < p->len && p->s[p->pos] != '\n')
                                p->pos++;
                        continue;
                }
                break;
        }
        t->start = p->pos;
        int c = cur(p);
        if (c < 0) {
                t->type = T_EOF;
                t->end = p->pos;
                return;
        }
        int d = p->pos + 1 < p->len ? (unsigned char) p->s[p->pos + 1] : -1;
        if ((mode & LX_REGEX) && (c == '(' || c == '|')) {
                bool assign;
                t->type = T_WORD;
                t->word = sh_lex_word(p, mode, &assign, &t->elems, &t->nelems);
                t->end = p->pos;
                return;
        }
        switch (c) {
        case '\n':
                p->pos++;
                t->type = T_NL;
                break;
        case ';':
                p->pos++;
                if (cur(p) == ';') {
                        p->pos++;
                        if (cur(p) == '&') {
                                p->pos++;
                                t->type = T_DSEMIAMP;
                        } else
                                t->type = T_DSEMI;
                } else if (cur(p) == '&') {
                        p->pos++;
                        t->type = T_SEMIAMP;
                } else
                        t->type = T_SEMI;
                break;
        case '&':
                p->pos++;
                if (cur(p) == '&') {
                        p->pos++;
                        t->type = T_AND;
                } else if (cur(p) == '>' && !(mode & LX_COND)) {
                        p->pos++;
                        t->type = T_REDIR;
                        if (cur(p) == '>') {
                                p->pos++;
                                t->rop = SH_REDIR_APPEND_ERR;
                        } else
                                t->rop = SH_REDIR_OUT_ERR;
                } else
                        t->type = T_AMP;
                break;
        case '|':
                p->pos++;
                if (cur(p) == '|') {
                        p->pos++;
                        t->type = T_OR;
                } else if (cur(p) == '&') {
                        p->pos++;
                        t->type = T_PIPEAMP;
                } else
                        t->type = T_PIPE;
                break;
        case '(':
                if ((mode & LX_CMD) && d == '(') {
                        size_t ee, ce;
                        if (dparen_is_arith(p, p->pos, &ee, &ce)) {
                                t->type = T_DLP;
                                t->word = sh_lex_arith(p, p->pos + 2, ee);
                                p->pos = ce;
                                break;
                        }
                }
                p->pos++;
                t->type = T_LP;
                break;
        case ')':
                p->pos++;
                t->type = T_RP;
                break;
        case '<':
        case '>':
                if (d == '(') {
                        bool assign;
                        t->type = T_WORD;
                        t->word = sh_lex_word(p, mode, &assign, &t->elems, &t->nelems);
                        break;
                }
                lex_redir(p, t, c);
                break;
        default: {
                bool assign = false;
                t->type = T_WORD;
                t->word = sh_lex_word(p, mode, &assign, &t->elems, &t->nelems);
                if (p->err)
                        break;
                t->assign = assign;
                if (!(mode & LX_COND) && redir_prefix(p, t)) {
                        int r = cur(p);
                        int fd = t->fd;
                        const char *fv = t->fd_var;
                        t->word = NULL;
                        t->assign = false;
                        lex_redir(p, t, r);
                        t->fd = fd;
                        t->fd_var = fv;
                        if (fv && t->rop >= SH_REDIR_HEREDOC && t->rop <= SH_REDIR_HEREDOC_STRIP)
                                break;
                }
                break;
        }
        }
        t->end = p->pos;
}

const sh_tok *sh_peek(sh_parser *p, unsigned mode) {
        if (p->have) {
                if (p->have_mode == mode || p->tok.type == T_NL || p->tok.type == T_EOF)
                        return &p->tok;
                /* Words, ( and redirection prefixes lex differently per mode: relex. */
                p->pos = p->tok.start;
                p->have = false;
        }
        /* Lex into a local: a substitution inside the word parses (and peeks)
         * recursively. */
        sh_tok t;
        lex(p, &t, mode);
        if (p->err) {
                t.type = T_EOF;
                t.end = t.start = p->pos;
        }
        p->tok = t;
        p->have = true;
        p->have_mode = mode;
        return &p->tok;
}

void sh_consume(sh_parser *p) {
        if (!p->have)
                return;
        p->have = false;
        p->pos = p->tok.end;
        p->prev_end = p->tok.end;
        if (p->tok.type == T_NL && p->nhd > 0)
                sh_heredoc_read_pending(p);
}
