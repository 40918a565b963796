/* SPDX-License-Identifier: MIT */
/* Here-documents: bodies are read after the newline token that ends the line
 * holding their operators, in order, as bash does (several per line work). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *delim_of(sh_parser *p, const sh_word *w, bool *quoted) {
        /* bash: quote removal on the delimiter word, no expansion. */
        char *d = sh_arena_alloc(p->ar, (size_t) w->raw_len + 1);
        if (!d)
                return NULL;
        size_t n = 0;
        *quoted = false;
        char q = 0;
        for (uint32_t i = 0; i < w->raw_len; i++) {
                char c = w->raw[i];
                if (q) {
                        if (c == q) {
                                q = 0;
                                continue;
                        }
                        if (q == '"' && c == '\\' && i + 1 < w->raw_len && strchr("$`\"\\", w->raw[i + 1]))
                                c = w->raw[++i];
                        d[n++] = c;
                        continue;
                }
                if (c == '\'' || c == '"') {
                        q = c;
                        *quoted = true;
                        continue;
                }
                if (c == '\\' && i + 1 < w->raw_len) {
                        *quoted = true;
                        if (w->raw[i + 1] == '\n') {
                                i++;
                                continue;
                        }
                        c = w->raw[++i];
                } else if (c == '$' && i + 1 < w->raw_len && (w->raw[i + 1] == '\'' || w->raw[i + 1] == '"')) {
                        continue;
                }
                d[n++] = c;
        }
        d[n] = '\0';
        return d;
}

int sh_heredoc_register(sh_parser *p, sh_redir *r) {
        if (p->err)
                return p->err;
        if (++p->ast->nheredocs > p->lim.max_heredocs)
                return sh_limit(p, r->span.off, "too many here-documents", p->lim.max_heredocs);
        sh_heredoc *h = sh_arena_alloc(p->ar, sizeof *h);
        if (!h)
                return sh_nomem(p);
        h->strip_tabs = r->op == SH_REDIR_HEREDOC_STRIP;
        h->delim = delim_of(p, r->target, &h->quoted);
        if (!h->delim)
                return sh_nomem(p);
        r->heredoc = h;
        if (p->nhd == p->hdcap) {
                size_t cap = p->hdcap ? p->hdcap * 2 : 4;
                sh_redir **v = sh_arena_grow(p->ar, p->hd, p->nhd, cap, sizeof *v);
                if (!v)
                        return sh_nomem(p);
                p->hd = v;
                p->hdcap = cap;
        }
        p->hd[p->nhd++] = r;
        return 0;
}

/* Unquoted body: bash expands it only when the command runs, so a body that
 * does not lex (`$(` without `)`) is not a syntax error; it becomes one
 * literal part flagged SH_WORD_UNPARSED. */
static int lex_body(sh_parser *p, sh_heredoc *h, size_t start, size_t end) {
        sh_syntax_error serr = { 0 };
        sh_parser c = *p;
        c.err = 0;
        c.serr = &serr;
        c.have = false;
        c.nhd = c.hdcap = 0;
        c.hd = NULL;
        h->body_word = sh_lex_dq_body(&c, start, end, true);
        if (!c.err && c.nhd > 0)
                sh_heredoc_read_pending(&c);
        if (!c.err)
                return 0;
        if (c.err != -EINVAL) {
                if (c.err == -E2BIG)
                        return sh_limit(p, start, "here-document body", 0);
                return sh_nomem(p);
        }
        sh_word *w = sh_arena_alloc(p->ar, sizeof *w);
        sh_part *x = sh_arena_alloc(p->ar, sizeof *x);
        if (!w || !x)
                return sh_nomem(p);
        x->kind = SH_PART_LITERAL;
        x->text = p->s + start;
        x->text_len = (uint32_t) (end - start);
        x->span = sh_mkspan(p, start, end);
        w->parts = x;
        w->nparts = 1;
        w->flags = SH_WORD_UNPARSED;
        w->raw = x->text;
        w->raw_len = x->text_len;
        w->span = x->span;
        h->body_word = w;
        return 0;
}

/* Read one body starting at p->pos. */
static int read_body(sh_parser *p, sh_redir *r) {
        sh_heredoc *h = r->heredoc;
        size_t dlen = strlen(h->delim);
        size_t start = p->pos, pos = p->pos, body_end = p->pos;
        /* Body as the command reads it: a copy only when tabs are stripped
         * or an unquoted body joins continued lines. */
        char *buf = NULL;
        size_t n = 0;
        bool copy = h->strip_tabs || !h->quoted;
        if (copy) {
                buf = malloc(p->len - start + 1);
                if (!buf)
                        return sh_nomem(p);
        }
        h->terminated = false;
        while (pos < p->len) {
                size_t ls = pos;
                /* A logical line: unquoted bodies join backslash-newline. */
                size_t line_n0 = n;
                size_t content_start = ls;
                if (h->strip_tabs)
                        while (content_start < p->len && p->s[content_start] == '\t')
                                content_start++;
                size_t e = content_start;
                for (;;) {
                        while (e < p->len && p->s[e] != '\n')
                                e++;
                        if (!h->quoted && e < p->len && e > content_start) {
                                size_t bs = 0;
                                for (size_t k = e; k > content_start && p->s[k - 1] == '\\'; k--)
                                        bs++;
                                if (bs % 2 == 1) {
                                        e++;
                                        continue;
                                }
                        }
                        break;
                }
                /* Compare the (joined) line with the delimiter. */
                if (copy) {
                        for (size_t k = content_start; k < e; k++) {
                                if (!h->quoted && p->s[k] == '\\' && k + 1 < e && p->s[k + 1] == '\n') {
                                        k++;
                                        continue;
                                }
                                buf[n++] = p->s[k];
                        }
                        if (n - line_n0 == dlen && memcmp(buf + line_n0, h->delim, dlen) == 0) {
                                n = line_n0;
                                h->terminated = true;
                        }
                } else if (e - content_start == dlen && memcmp(p->s + content_start, h->delim, dlen) == 0) {
                        h->terminated = true;
                }
                pos = e < p->len ? e + 1 : e;
                if (h->terminated)
                        break;
                if (copy && e < p->len)
                        buf[n++] = '\n';
                body_end = pos;
        }
        h->body_span = sh_mkspan(p, start, body_end);
        if (copy) {
                h->body = sh_arena_strndup(p->ar, buf, n);
                free(buf);
                if (!h->body)
                        return sh_nomem(p);
                h->body_len = (uint32_t) n;
        } else {
                h->body = sh_arena_strndup(p->ar, p->s + start, body_end - start);
                if (!h->body)
                        return sh_nomem(p);
                h->body_len = (uint32_t) (body_end - start);
        }
        if (!h->quoted && lex_body(p, h, start, body_end) < 0)
                return p->err;
        p->pos = pos;
        return 0;
}

int sh_heredoc_read_pending(sh_parser *p) {
        /* Bodies may hold substitutions with here-docs of their own, which
         * register on p->hd again: iterate over a copy. */
        size_t n = p->nhd;
        sh_redir **v = sh_arena_array(p->ar, n, sizeof *v);
        if (!v)
                return sh_nomem(p);
        memcpy(v, p->hd, n * sizeof *v);
        p->nhd = 0;
        for (size_t i = 0; i < n && !p->err; i++)
                read_body(p, v[i]);
        return p->err;
}
