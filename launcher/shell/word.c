/* SPDX-License-Identifier: MIT */
/* One shell word at the lexer's position: where it ends (bash's shellbreak
 * rules), which parts it has, and the flags validators read. */
#include <string.h>

#include "internal.h"
#include "words.h"

static bool is_meta(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' || c == ')' ||
               c == '<' || c == '>';
}

static bool is_name_start(int c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool is_name_char(int c) {
        return is_name_start(c) || (c >= '0' && c <= '9');
}

/* Length of an assignment prefix NAME=, NAME+=, NAME[..]= at s[0..n), or 0. */
static size_t assign_prefix(const char *s, size_t n) {
        if (n == 0 || !is_name_start((unsigned char) s[0]))
                return 0;
        size_t i = 1;
        while (i < n && is_name_char((unsigned char) s[i]))
                i++;
        if (i < n && s[i] == '[') {
                int depth = 0;
                for (; i < n; i++) {
                        if (s[i] == '[')
                                depth++;
                        else if (s[i] == ']' && --depth == 0)
                                break;
                }
                if (i >= n)
                        return 0;
                i++;
        }
        if (i < n && s[i] == '+')
                i++;
        if (i < n && s[i] == '=')
                return i + 1;
        return 0;
}

/* Tilde prefix at p->pos: ~ or ~user up to '/', ':' (assignments) or word end. */
static bool lex_tilde(sh_parser *p, sh_pvec *pv, bool in_assign, uint32_t *flags) {
        size_t i = p->pos + 1;
        while (i < p->len) {
                char c = p->s[i];
                if (c == '/' || (in_assign && c == ':') || is_meta((unsigned char) c))
                        break;
                if (!(is_name_char((unsigned char) c) || c == '.' || c == '-' || c == '+'))
                        return false;
                i++;
        }
        sh_part *x = sh_pv_push(p, pv, SH_PART_TILDE, p->pos);
        if (!x)
                return false;
        x->text = p->s + p->pos;
        x->text_len = (uint32_t) (i - p->pos);
        x->span = sh_mkspan(p, p->pos, i);
        *flags |= SH_WORD_TILDE;
        p->pos = i;
        return true;
}

/* NAME=( elem... ): p->pos at '('. */
static bool lex_compound(sh_parser *p, sh_pvec *pv, size_t *lit, sh_word **elems, uint32_t *nelems,
                         uint32_t *flags) {
        size_t open = p->pos;
        if (sh_enter(p, open) < 0)
                return false;
        p->pos++;
        sh_flush_lit(p, pv, lit, p->pos, 0, flags);
        sh_word *ev = NULL;
        uint32_t n = 0, cap = 0;
        for (;;) {
                while (p->pos < p->len) {
                        char c = p->s[p->pos];
                        if (c == ' ' || c == '\t' || c == '\n')
                                p->pos++;
                        else if (c == '\\' && p->pos + 1 < p->len && p->s[p->pos + 1] == '\n')
                                p->pos += 2;
                        else if (c == '#')
                                while (p->pos < p->len && p->s[p->pos] != '\n')
                                        p->pos++;
                        else
                                break;
                }
                if (p->pos >= p->len) {
                        sh_syntax(p, open, 1, "unexpected EOF while looking for matching `)'");
                        return false;
                }
                char c = p->s[p->pos];
                if (c == ')')
                        break;
                if (is_meta((unsigned char) c) && !((c == '<' || c == '>') && p->pos + 1 < p->len &&
                                                     p->s[p->pos + 1] == '(')) {
                        sh_syntax(p, p->pos, 1, "syntax error near unexpected token `%c'", c);
                        return false;
                }
                bool a;
                sh_word *e = sh_lex_word(p, 0, &a, NULL, NULL);
                if (!e)
                        return false;
                if (n == cap) {
                        cap = cap ? cap * 2 : 4;
                        ev = sh_arena_grow(p->ar, ev, n, cap, sizeof *ev);
                        if (!ev) {
                                sh_nomem(p);
                                return false;
                        }
                }
                ev[n++] = *e;
                *flags |= e->flags & ~SH_WORD_ASSIGN_LIKE;
                for (uint32_t k = 0; k < e->nparts; k++) {
                        sh_part *x = sh_pv_push(p, pv, e->parts[k].kind, 0);
                        if (!x)
                                return false;
                        *x = e->parts[k];
                }
                sh_part *sp = sh_pv_push(p, pv, SH_PART_LITERAL, p->pos);
                if (!sp)
                        return false;
                sp->text = " ";
                sp->text_len = 1;
        }
        if (n > 0)
                pv->n--; /* the separator after the last element */
        *lit = p->pos;
        p->pos++;
        sh_leave(p);
        if (elems) {
                *elems = ev;
                *nelems = n;
        }
        return true;
}

sh_word *sh_lex_word(sh_parser *p, unsigned mode, bool *is_assign, sh_word **elems, uint32_t *nelems) {
        size_t start = p->pos;
        sh_pvec pv = { 0 };
        uint32_t flags = 0;
        size_t lit = SH_NPOS;
        int brace_open = 0;
        bool brace_sep = false, bracket = false, compound = false;
        int rdepth = 0;
        if (elems)
                *elems = NULL, *nelems = 0;
        if (sh_enter(p, start) < 0)
                return NULL;
        while (!p->err && p->pos < p->len) {
                char c = p->s[p->pos];
                bool lit_only = pv.n == 0 && lit == start;
                if (c == '\\' && p->pos + 1 < p->len && p->s[p->pos + 1] == '\n') {
                        sh_flush_lit(p, &pv, &lit, p->pos, 0, &flags);
                        flags |= SH_WORD_LINE_CONT;
                        p->pos += 2;
                        continue;
                }
                if (mode & LX_REGEX) {
                        if (c == '(' || (c == ')' && rdepth > 0) || c == '|' ||
                            (rdepth > 0 && (c == ' ' || c == '\t' || c == '\n' || c == '<' || c == '>' ||
                                            c == ';' || c == '&'))) {
                                if (c == '(')
                                        rdepth++;
                                else if (c == ')')
                                        rdepth--;
                                if (lit == SH_NPOS)
                                        lit = p->pos;
                                p->pos++;
                                continue;
                        }
                }
                if ((c == '<' || c == '>') && p->pos + 1 < p->len && p->s[p->pos + 1] == '(') {
                        sh_flush_lit(p, &pv, &lit, p->pos, 0, &flags);
                        if (!sh_lex_procsubst(p, &pv, &flags))
                                break;
                        continue;
                }
                if (c == '(' && (mode & LX_COND) && p->pos > start && lit != SH_NPOS &&
                    strchr("?*+@!", p->s[p->pos - 1])) {
                        size_t m = sh_scan_parens(p, p->pos);
                        if (m == SH_NPOS) {
                                sh_syntax(p, p->pos, 1, "unexpected EOF while looking for matching `)'");
                                break;
                        }
                        sh_flush_lit(p, &pv, &lit, p->pos - 1, 0, &flags);
                        sh_part *x = sh_pv_push(p, &pv, SH_PART_EXTGLOB, p->pos - 1);
                        if (!x)
                                break;
                        x->text = p->s + p->pos - 1;
                        x->text_len = (uint32_t) (m + 2 - p->pos);
                        x->span = sh_mkspan(p, p->pos - 1, m + 1);
                        flags |= SH_WORD_EXTGLOB | SH_WORD_GLOB;
                        if (memchr(x->text, '$', x->text_len) || memchr(x->text, '`', x->text_len))
                                flags |= SH_WORD_UNPARSED;
                        p->pos = m + 1;
                        continue;
                }
                if (c == '(' && (mode & LX_ASSIGN) && lit_only && !compound &&
                    assign_prefix(p->s + start, p->pos - start) == p->pos - start) {
                        compound = true;
                        if (!lex_compound(p, &pv, &lit, elems, nelems, &flags))
                                break;
                        continue;
                }
                if (is_meta((unsigned char) c))
                        break;
                switch (c) {
                case '\\':
                        sh_flush_lit(p, &pv, &lit, p->pos, 0, &flags);
                        if (p->pos + 1 >= p->len) {
                                lit = p->pos++;
                                continue;
                        }
                        {
                                sh_part *x = sh_pv_push(p, &pv, SH_PART_ESCAPE, p->pos);
                                if (!x)
                                        break;
                                x->text = p->s + p->pos + 1;
                                x->text_len = 1;
                                x->span = sh_mkspan(p, p->pos, p->pos + 2);
                                flags |= SH_WORD_BACKSLASH;
                                if ((unsigned char) x->text[0] < 0x20 || x->text[0] == 0x7f)
                                        flags |= SH_WORD_CTRL;
                        }
                        p->pos += 2;
                        continue;
                case '\'': {
                        sh_flush_lit(p, &pv, &lit, p->pos, 0, &flags);
                        const char *e = memchr(p->s + p->pos + 1, '\'', p->len - p->pos - 1);
                        if (!e) {
                                sh_syntax(p, p->pos, 1, "unexpected EOF while looking for matching `''");
                                break;
                        }
                        size_t end = (size_t) (e - p->s);
                        sh_part *x = sh_pv_push(p, &pv, SH_PART_SQUOTE, p->pos);
                        if (!x)
                                break;
                        x->text = p->s + p->pos + 1;
                        x->text_len = (uint32_t) (end - p->pos - 1);
                        x->span = sh_mkspan(p, p->pos, end + 1);
                        flags |= SH_WORD_SQUOTE | (x->text_len == 0 ? SH_WORD_EMPTY_QUOTES : 0);
                        for (uint32_t k = 0; k < x->text_len; k++) {
                                unsigned char b = (unsigned char) x->text[k];
                                if (b == '\n')
                                        flags |= SH_WORD_NEWLINE;
                                else if ((b < 0x20 && b != '\t') || b == 0x7f)
                                        flags |= SH_WORD_CTRL;
                        }
                        p->pos = end + 1;
                        continue;
                }
                case '"': {
                        sh_flush_lit(p, &pv, &lit, p->pos, 0, &flags);
                        size_t qs = p->pos++;
                        sh_pvec inner = { 0 };
                        if (sh_enter(p, qs) < 0 || !sh_lex_dq(p, &inner, '"', &flags))
                                break;
                        sh_leave(p);
                        sh_part *x = sh_pv_push(p, &pv, SH_PART_DQUOTE, qs);
                        if (!x)
                                break;
                        x->parts = inner.v;
                        x->nparts = inner.n;
                        x->span = sh_mkspan(p, qs, p->pos + 1);
                        flags |= SH_WORD_DQUOTE | (inner.n == 0 ? SH_WORD_EMPTY_QUOTES : 0);
                        p->pos++;
                        continue;
                }
                case '`':
                        sh_flush_lit(p, &pv, &lit, p->pos, 0, &flags);
                        sh_lex_backtick(p, &pv, 0, &flags);
                        continue;
                case '$':
                        sh_flush_lit(p, &pv, &lit, p->pos, 0, &flags);
                        if (sh_lex_dollar(p, &pv, 0, &flags))
                                continue;
                        break;
                case '~': {
                        bool at_start = p->pos == start;
                        bool in_assign = false;
                        if (!at_start && lit_only && (p->s[p->pos - 1] == '=' || p->s[p->pos - 1] == ':')) {
                                size_t ap = assign_prefix(p->s + start, p->pos - start);
                                in_assign = ap > 0 && (p->s[p->pos - 1] == ':' || ap == p->pos - start);
                        }
                        if (at_start || in_assign) {
                                sh_flush_lit(p, &pv, &lit, p->pos, 0, &flags);
                                if (lex_tilde(p, &pv, in_assign || (mode & LX_CMD), &flags))
                                        continue;
                        }
                        break;
                }
                case '#':
                        if (p->pos != start)
                                flags |= SH_WORD_HASH_MID;
                        break;
                case '*':
                case '?':
                        flags |= SH_WORD_GLOB;
                        break;
                case '[':
                        if ((mode & (LX_CMD | LX_ASSIGN)) && lit_only && p->pos > start) {
                                /* NAME[sub]=: the subscript may hold blanks. */
                                bool name = is_name_start((unsigned char) p->s[start]);
                                for (size_t k = start + 1; k < p->pos && name; k++)
                                        name = is_name_char((unsigned char) p->s[k]);
                                if (name) {
                                        int depth = 0;
                                        size_t k = p->pos;
                                        for (; k < p->len; k++) {
                                                if (p->s[k] == '[')
                                                        depth++;
                                                else if (p->s[k] == ']' && --depth == 0)
                                                        break;
                                                else if (p->s[k] == '\n')
                                                        break;
                                        }
                                        if (k < p->len && p->s[k] == ']' && k + 1 < p->len &&
                                            (p->s[k + 1] == '=' || (p->s[k + 1] == '+' && k + 2 < p->len &&
                                                                    p->s[k + 2] == '='))) {
                                                p->pos = k + 1;
                                                continue;
                                        }
                                }
                        }
                        bracket = true;
                        break;
                case ']':
                        if (bracket)
                                flags |= SH_WORD_GLOB;
                        break;
                case '{':
                        if (!(p->pos > start && p->s[p->pos - 1] == '$'))
                                brace_open++;
                        break;
                case ',':
                        if (brace_open > 0)
                                brace_sep = true;
                        break;
                case '.':
                        if (brace_open > 0 && p->pos + 1 < p->len && p->s[p->pos + 1] == '.')
                                brace_sep = true;
                        break;
                case '}':
                        if (brace_open > 0) {
                                brace_open--;
                                if (brace_sep)
                                        flags |= SH_WORD_BRACE;
                        }
                        break;
                default:
                        break;
                }
                if (p->err)
                        break;
                if (lit == SH_NPOS)
                        lit = p->pos;
                p->pos++;
        }
        if (p->err)
                return NULL;
        sh_flush_lit(p, &pv, &lit, p->pos, 0, &flags);
        sh_leave(p);
        bool assign = pv.n > 0 && pv.v[0].kind == SH_PART_LITERAL &&
                      assign_prefix(pv.v[0].text, pv.v[0].text_len) > 0;
        if (assign)
                flags |= SH_WORD_ASSIGN_LIKE;
        if (is_assign)
                *is_assign = assign;
        return sh_make_word(p, &pv, start, p->pos, flags);
}
