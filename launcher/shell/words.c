/* SPDX-License-Identifier: MIT */
/* Words: quoting, escapes, $-expansions, substitutions, tilde, globs and
 * braces, split into sh_part lists.  Parameter expansions are in param.c. */
#include <string.h>

#include "internal.h"
#include "words.h"

sh_part *sh_pv_push(sh_parser *p, sh_pvec *pv, sh_part_kind kind, size_t start) {
        if (sh_count(p, start) < 0)
                return NULL;
        if (pv->n == pv->cap) {
                uint32_t cap = pv->cap ? pv->cap * 2 : 1;
                sh_part *v = sh_arena_grow(p->ar, pv->v, pv->n, cap, sizeof *v);
                if (!v) {
                        sh_nomem(p);
                        return NULL;
                }
                pv->v = v;
                pv->cap = cap;
        }
        sh_part *x = &pv->v[pv->n++];
        memset(x, 0, sizeof *x);
        x->kind = kind;
        x->span = sh_mkspan(p, start, start);
        return x;
}

static uint32_t ctrl_flag(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];
                if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
                        return SH_WORD_CTRL;
        }
        return 0;
}

/* Emit the pending literal run [*lit, end). */
void sh_flush_lit(sh_parser *p, sh_pvec *pv, size_t *lit, size_t end, uint32_t pflags, uint32_t *flags) {
        if (*lit == SH_NPOS)
                return;
        if (end > *lit) {
                sh_part *x = sh_pv_push(p, pv, SH_PART_LITERAL, *lit);
                if (x) {
                        x->text = p->s + *lit;
                        x->text_len = (uint32_t) (end - *lit);
                        x->span = sh_mkspan(p, *lit, end);
                        x->flags = pflags;
                        *flags |= ctrl_flag(x->text, x->text_len);
                }
        }
        *lit = SH_NPOS;
}

sh_word *sh_make_word(sh_parser *p, const sh_pvec *pv, size_t start, size_t end, uint32_t flags) {
        if (sh_count(p, start) < 0)
                return NULL;
        sh_word *w = sh_arena_alloc(p->ar, sizeof *w);
        if (!w) {
                sh_nomem(p);
                return NULL;
        }
        w->span = sh_mkspan(p, start, end);
        w->flags = flags;
        w->parts = pv->v;
        w->nparts = pv->n;
        w->raw = p->s + start;
        w->raw_len = (uint32_t) (end - start);
        return w;
}

size_t sh_scan_parens(const sh_parser *p, size_t open) {
        const char *s = p->s;
        size_t n = p->len;
        int depth = 0;
        for (size_t i = open; i < n; i++) {
                char c = s[i];
                switch (c) {
                case '\\':
                        i++;
                        break;
                case '\'':
                        if (i > 0 && s[i - 1] == '$') {
                                for (i++; i < n && s[i] != '\''; i++)
                                        if (s[i] == '\\')
                                                i++;
                        } else {
                                for (i++; i < n && s[i] != '\''; i++)
                                        ;
                        }
                        if (i >= n)
                                return SH_NPOS;
                        break;
                case '"':
                case '`':
                        for (i++; i < n && s[i] != c; i++)
                                if (s[i] == '\\')
                                        i++;
                        if (i >= n)
                                return SH_NPOS;
                        break;
                case '#':
                        if (i > open && (s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == '\n'))
                                while (i + 1 < n && s[i + 1] != '\n')
                                        i++;
                        break;
                case '(':
                        depth++;
                        break;
                case ')':
                        if (--depth == 0)
                                return i;
                        break;
                default:
                        break;
                }
        }
        return SH_NPOS;
}

static void unterminated(sh_parser *p, size_t pos, const char *what) {
        sh_syntax(p, pos, 1, "unexpected EOF while looking for matching `%s'", what);
}

/* `...`: the body is parsed after bash's backslash removal. */
static bool lex_backtick(sh_parser *p, sh_pvec *pv, uint32_t pflags, uint32_t *flags) {
        size_t start = p->pos, i = start + 1;
        bool escapes = false;
        for (; i < p->len && p->s[i] != '`'; i++)
                if (p->s[i] == '\\') {
                        escapes = true;
                        i++;
                }
        if (i >= p->len) {
                unterminated(p, start, "`");
                return false;
        }
        size_t end = i;
        bool unparsed = false;
        sh_node *sub;
        if (!escapes) {
                sub = sh_parse_sub(p, NULL, 0, start + 1, end, true, &unparsed);
        } else {
                char *buf = sh_arena_alloc(p->ar, end - start);
                if (!buf) {
                        sh_nomem(p);
                        return false;
                }
                size_t n = 0;
                for (size_t k = start + 1; k < end; k++) {
                        char c = p->s[k];
                        if (c == '\\' && k + 1 < end) {
                                char d = p->s[k + 1];
                                if (d == '\\' || d == '`' || d == '$' || (d == '"' && (pflags & SH_PART_IN_DQUOTE))) {
                                        buf[n++] = d;
                                        k++;
                                        continue;
                                }
                        }
                        buf[n++] = c;
                }
                sub = sh_parse_sub(p, buf, n, start, end + 1, false, &unparsed);
        }
        if (p->err)
                return false;
        sh_part *x = sh_pv_push(p, pv, SH_PART_BACKTICK, start);
        if (!x)
                return false;
        x->sub = sub;
        x->flags = pflags;
        x->text = p->s + start + 1;
        x->text_len = (uint32_t) (end - start - 1);
        x->span = sh_mkspan(p, start, end + 1);
        *flags |= SH_WORD_BACKTICK | SH_WORD_CMDSUBST | (unparsed ? SH_WORD_UNPARSED : 0);
        p->pos = end + 1;
        return true;
}

/* $( ... ) / <( ... ) / >( ... ): p->pos is at the '('. */
/* An arithmetic part ($((..)) or $[..]): the expression is s[from, to), the
 * part spans [start, end), and lexing goes on at end. */
static bool push_arith(sh_parser *p, sh_pvec *pv, size_t start, size_t from, size_t to, size_t end, uint32_t pflags,
                       uint32_t *flags) {
        size_t save = p->len;
        sh_word *e = sh_lex_arith(p, from, to);
        p->len = save;
        if (!e)
                return false;
        sh_part *x = sh_pv_push(p, pv, SH_PART_ARITH, start);
        if (!x)
                return false;
        x->expr = e;
        x->flags = pflags;
        x->text = p->s + from;
        x->text_len = (uint32_t) (to - from);
        x->span = sh_mkspan(p, start, end);
        *flags |= SH_WORD_ARITH | (e->flags & (SH_WORD_DYNAMIC | SH_WORD_BACKTICK));
        p->pos = end;
        return true;
}

static bool lex_comsub(sh_parser *p, sh_pvec *pv, sh_part_kind kind, size_t start, uint32_t pflags,
                       uint32_t *flags) {
        size_t open = p->pos;
        bool unparsed = false;
        sh_node *sub = NULL;
        if (kind == SH_PART_CMDSUBST && open + 1 < p->len && p->s[open + 1] == '(') {
                /* $((: arithmetic when it closes with )), else bash defers the
                 * body to expansion time: parse it if we can, flag it if not. */
                size_t m1 = sh_scan_parens(p, open);
                if (m1 == SH_NPOS) {
                        unterminated(p, start, ")");
                        return false;
                }
                size_t m2 = sh_scan_parens(p, open + 1);
                if (m2 != SH_NPOS && m2 + 1 == m1) {
                        return push_arith(p, pv, start, open + 2, m2, m1 + 1, pflags, flags);
                }
                sub = sh_parse_sub(p, NULL, 0, open + 1, m1, true, &unparsed);
                if (p->err)
                        return false;
                p->pos = m1 + 1;
        } else {
                if (sh_enter(p, start) < 0)
                        return false;
                p->pos = open + 1;
                p->have = false;
                sub = sh_parse_list(p);
                if (p->err)
                        return false;
                const sh_tok *t = sh_peek(p, 0);
                if (t->type != T_RP) {
                        if (t->type == T_EOF && !p->err)
                                unterminated(p, start, ")");
                        else
                                sh_syntax_tok(p, t);
                        return false;
                }
                sh_consume(p);
                sh_leave(p);
        }
        sh_part *x = sh_pv_push(p, pv, kind, start);
        if (!x)
                return false;
        x->sub = sub;
        x->flags = pflags;
        x->text = p->s + open + 1;
        x->text_len = (uint32_t) (p->pos - 1 - open - 1);
        x->span = sh_mkspan(p, start, p->pos);
        *flags |= (kind == SH_PART_CMDSUBST ? SH_WORD_CMDSUBST : SH_WORD_PROCSUBST) |
                  (unparsed ? SH_WORD_UNPARSED : 0);
        return true;
}

static bool is_name_start(int c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool is_name_char(int c) {
        return is_name_start(c) || (c >= '0' && c <= '9');
}

/* p->pos at '$'.  Returns false with no error when the '$' is literal. */
bool sh_lex_dollar(sh_parser *p, sh_pvec *pv, uint32_t pflags, uint32_t *flags) {
        size_t start = p->pos;
        size_t q = start + 1;
        while (q + 1 < p->len && p->s[q] == '\\' && p->s[q + 1] == '\n')
                q += 2;
        if (q >= p->len)
                return false;
        char c = p->s[q];
        bool in_dq = pflags & SH_PART_IN_DQUOTE;
        if (c == '\'' && !in_dq) {
                size_t i = q + 1;
                for (; i < p->len && p->s[i] != '\''; i++)
                        if (p->s[i] == '\\')
                                i++;
                if (i >= p->len) {
                        unterminated(p, q, "'");
                        return false;
                }
                char *buf = sh_arena_alloc(p->ar, i - q);
                if (!buf) {
                        sh_nomem(p);
                        return false;
                }
                size_t n = sh_ansi_decode(p->s + q + 1, i - q - 1, buf);
                sh_part *x = sh_pv_push(p, pv, SH_PART_ANSI_C, start);
                if (!x)
                        return false;
                x->text = buf;
                x->text_len = (uint32_t) n;
                x->span = sh_mkspan(p, start, i + 1);
                *flags |= SH_WORD_ANSI_C | ctrl_flag(buf, n) | (n == 0 ? SH_WORD_EMPTY_QUOTES : 0) |
                          (memchr(buf, '\n', n) ? SH_WORD_NEWLINE : 0) |
                          (memchr(p->s + q, '\\', i - q) ? SH_WORD_BACKSLASH : 0);
                p->pos = i + 1;
                return true;
        }
        if (c == '"' && !in_dq) {
                p->pos = q + 1;
                sh_pvec inner = { 0 };
                if (sh_enter(p, start) < 0 || !sh_lex_dq(p, &inner, '"', flags))
                        return false;
                sh_leave(p);
                sh_part *x = sh_pv_push(p, pv, SH_PART_LOCALE, start);
                if (!x)
                        return false;
                x->parts = inner.v;
                x->nparts = inner.n;
                x->span = sh_mkspan(p, start, p->pos + 1);
                *flags |= SH_WORD_LOCALE | (inner.n == 0 ? SH_WORD_EMPTY_QUOTES : 0);
                p->pos++;
                return true;
        }
        if (c == '(') {
                p->pos = q;
                return lex_comsub(p, pv, SH_PART_CMDSUBST, start, pflags, flags);
        }
        if (c == '{') {
                p->pos = q + 1;
                return sh_lex_param_braced(p, pv, start, pflags, flags);
        }
        if (c == '[') {
                int depth = 0;
                size_t i = q;
                for (; i < p->len; i++) {
                        if (p->s[i] == '\\')
                                i++;
                        else if (p->s[i] == '[')
                                depth++;
                        else if (p->s[i] == ']' && --depth == 0)
                                break;
                }
                if (i >= p->len) {
                        unterminated(p, start, "]");
                        return false;
                }
                return push_arith(p, pv, start, q + 1, i, i + 1, pflags, flags);
        }
        size_t end;
        if (is_name_start(c)) {
                end = q + 1;
                while (end < p->len && is_name_char(p->s[end]))
                        end++;
        } else if ((c >= '0' && c <= '9') || strchr("@*#?-$!", c)) {
                end = q + 1;
        } else {
                return false;
        }
        sh_part *x = sh_pv_push(p, pv, SH_PART_PARAM, start);
        sh_param *pa = x ? sh_arena_alloc(p->ar, sizeof *pa) : NULL;
        if (!pa) {
                if (x)
                        sh_nomem(p);
                return false;
        }
        pa->name = sh_arena_strndup(p->ar, p->s + q, end - q);
        if (!pa->name) {
                sh_nomem(p);
                return false;
        }
        pa->op = SH_PARAM_PLAIN;
        if (!is_name_start(c))
                pa->flags |= SH_PARAM_SPECIAL;
        x->param = pa;
        x->flags = pflags;
        x->text = p->s + q;
        x->text_len = (uint32_t) (end - q);
        x->span = sh_mkspan(p, start, end);
        *flags |= SH_WORD_PARAM;
        p->pos = end;
        return true;
}

/* Body of "..." (term '"'), or of an unquoted here-doc (term 0: up to p->len).
 * Leaves p->pos at the terminator. */
bool sh_lex_dq(sh_parser *p, sh_pvec *pv, char term, uint32_t *flags) {
        size_t lit = SH_NPOS;
        const uint32_t pf = SH_PART_IN_DQUOTE;
        for (;;) {
                if (p->err)
                        return false;
                if (p->pos >= p->len) {
                        if (term) {
                                unterminated(p, p->pos, "\"");
                                return false;
                        }
                        break;
                }
                char c = p->s[p->pos];
                if (term && c == term)
                        break;
                if (c == '\\' && p->pos + 1 < p->len) {
                        char d = p->s[p->pos + 1];
                        if (d == '\n') {
                                sh_flush_lit(p, pv, &lit, p->pos, pf, flags);
                                *flags |= SH_WORD_LINE_CONT;
                                p->pos += 2;
                                continue;
                        }
                        if (d == '$' || d == '`' || d == '\\' || (d == '"' && term == '"')) {
                                sh_flush_lit(p, pv, &lit, p->pos, pf, flags);
                                sh_part *x = sh_pv_push(p, pv, SH_PART_ESCAPE, p->pos);
                                if (!x)
                                        return false;
                                x->text = p->s + p->pos + 1;
                                x->text_len = 1;
                                x->flags = pf;
                                x->span = sh_mkspan(p, p->pos, p->pos + 2);
                                *flags |= SH_WORD_BACKSLASH;
                                p->pos += 2;
                                continue;
                        }
                }
                if (c == '$') {
                        sh_flush_lit(p, pv, &lit, p->pos, pf, flags);
                        if (sh_lex_dollar(p, pv, pf, flags))
                                continue;
                        if (p->err)
                                return false;
                } else if (c == '`') {
                        sh_flush_lit(p, pv, &lit, p->pos, pf, flags);
                        if (!lex_backtick(p, pv, pf, flags))
                                return false;
                        continue;
                } else if (c == '\n') {
                        *flags |= SH_WORD_NEWLINE;
                }
                if (lit == SH_NPOS)
                        lit = p->pos;
                p->pos++;
        }
        sh_flush_lit(p, pv, &lit, p->pos, pf, flags);
        return !p->err;
}

sh_word *sh_lex_dq_body(sh_parser *p, size_t start, size_t end, bool heredoc) {
        size_t save_len = p->len, save_pos = p->pos;
        p->len = end;
        p->pos = start;
        sh_pvec pv = { 0 };
        uint32_t flags = 0;
        bool ok = sh_lex_dq(p, &pv, heredoc ? 0 : '"', &flags);
        p->len = save_len;
        p->pos = save_pos;
        if (!ok)
                return NULL;
        return sh_make_word(p, &pv, start, end, flags);
}

sh_word *sh_lex_arith(sh_parser *p, size_t start, size_t end) {
        if (sh_enter(p, start) < 0)
                return NULL;
        size_t save_len = p->len;
        p->len = end;
        p->pos = start;
        sh_pvec pv = { 0 };
        uint32_t flags = 0;
        size_t lit = SH_NPOS;
        while (!p->err && p->pos < end) {
                char c = p->s[p->pos];
                if (c == '$') {
                        sh_flush_lit(p, &pv, &lit, p->pos, 0, &flags);
                        if (sh_lex_dollar(p, &pv, 0, &flags))
                                continue;
                } else if (c == '`') {
                        sh_flush_lit(p, &pv, &lit, p->pos, 0, &flags);
                        lex_backtick(p, &pv, 0, &flags);
                        continue;
                } else if (c == '"') {
                        sh_flush_lit(p, &pv, &lit, p->pos, 0, &flags);
                        size_t qs = p->pos++;
                        sh_pvec inner = { 0 };
                        if (!sh_lex_dq(p, &inner, '"', &flags))
                                break;
                        sh_part *x = sh_pv_push(p, &pv, SH_PART_DQUOTE, qs);
                        if (!x)
                                break;
                        x->parts = inner.v;
                        x->nparts = inner.n;
                        x->span = sh_mkspan(p, qs, p->pos + 1);
                        flags |= SH_WORD_DQUOTE;
                        p->pos++;
                        continue;
                } else if (c == '\\' && p->pos + 1 < end && p->s[p->pos + 1] == '\n') {
                        sh_flush_lit(p, &pv, &lit, p->pos, 0, &flags);
                        p->pos += 2;
                        continue;
                }
                if (p->err)
                        break;
                if (lit == SH_NPOS)
                        lit = p->pos;
                p->pos++;
        }
        sh_flush_lit(p, &pv, &lit, p->pos, 0, &flags);
        p->len = save_len;
        if (p->err)
                return NULL;
        sh_leave(p);
        return sh_make_word(p, &pv, start, end, flags);
}

/* Internal for words2.c: lex_backtick / lex_comsub are needed there too. */
bool sh_lex_backtick(sh_parser *p, sh_pvec *pv, uint32_t pflags, uint32_t *flags) {
        return lex_backtick(p, pv, pflags, flags);
}
bool sh_lex_procsubst(sh_parser *p, sh_pvec *pv, uint32_t *flags) {
        size_t start = p->pos;
        sh_part_kind k = p->s[start] == '<' ? SH_PART_PROCSUBST_IN : SH_PART_PROCSUBST_OUT;
        p->pos = start + 1;
        return lex_comsub(p, pv, k, start, 0, flags);
}
