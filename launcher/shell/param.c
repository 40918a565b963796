/* SPDX-License-Identifier: MIT */
/* ${...}: the parameter, its subscript and operator, and operand words.  The
 * extent follows bash (first unquoted '}' not belonging to a nested ${, $(,
 * quote or escape); a shape bash would only reject at expansion time ("bad
 * substitution") is SH_PARAM_INVALID, not a syntax error, as with bash -n. */
#include <string.h>

#include "internal.h"
#include "words.h"

static bool is_name_start(int c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool is_name_char(int c) {
        return is_name_start(c) || (c >= '0' && c <= '9');
}

/* Operand word up to an unquoted char of stop (always '}'); p->pos ends on it. */
static sh_word *lex_operand(sh_parser *p, const char *stop, uint32_t pflags, uint32_t *wflags) {
        size_t start = p->pos;
        sh_pvec pv = { 0 };
        uint32_t flags = 0;
        size_t lit = SH_NPOS;
        bool in_dq = pflags & SH_PART_IN_DQUOTE;
        while (!p->err) {
                if (p->pos >= p->len) {
                        sh_syntax(p, start, 0, "unexpected EOF while looking for matching `}'");
                        return NULL;
                }
                char c = p->s[p->pos];
                if (c == '}' || strchr(stop, c))
                        break;
                if (c == '\\' && p->pos + 1 < p->len) {
                        sh_flush_lit(p, &pv, &lit, p->pos, pflags, &flags);
                        if (p->s[p->pos + 1] == '\n') {
                                flags |= SH_WORD_LINE_CONT;
                                p->pos += 2;
                                continue;
                        }
                        sh_part *x = sh_pv_push(p, &pv, SH_PART_ESCAPE, p->pos);
                        if (!x)
                                return NULL;
                        x->text = p->s + p->pos + 1;
                        x->text_len = 1;
                        x->flags = pflags;
                        x->span = sh_mkspan(p, p->pos, p->pos + 2);
                        flags |= SH_WORD_BACKSLASH;
                        p->pos += 2;
                        continue;
                }
                /* Single quotes pair up inside ${..} even within "..." (bash 5.2
                 * finds the extent that way). */
                if (c == '\'') {
                        sh_flush_lit(p, &pv, &lit, p->pos, pflags, &flags);
                        const char *e = memchr(p->s + p->pos + 1, '\'', p->len - p->pos - 1);
                        if (!e) {
                                sh_syntax(p, p->pos, 1, "unexpected EOF while looking for matching `''");
                                return NULL;
                        }
                        size_t end = (size_t) (e - p->s);
                        sh_part *x = sh_pv_push(p, &pv, SH_PART_SQUOTE, p->pos);
                        if (!x)
                                return NULL;
                        x->text = p->s + p->pos + 1;
                        x->text_len = (uint32_t) (end - p->pos - 1);
                        x->span = sh_mkspan(p, p->pos, end + 1);
                        flags |= SH_WORD_SQUOTE | (x->text_len == 0 ? SH_WORD_EMPTY_QUOTES : 0);
                        p->pos = end + 1;
                        continue;
                }
                if (c == '"') {
                        sh_flush_lit(p, &pv, &lit, p->pos, pflags, &flags);
                        size_t qs = p->pos++;
                        sh_pvec inner = { 0 };
                        if (sh_enter(p, qs) < 0 || !sh_lex_dq(p, &inner, '"', &flags))
                                return NULL;
                        sh_leave(p);
                        sh_part *x = sh_pv_push(p, &pv, SH_PART_DQUOTE, qs);
                        if (!x)
                                return NULL;
                        x->parts = inner.v;
                        x->nparts = inner.n;
                        x->flags = pflags;
                        x->span = sh_mkspan(p, qs, p->pos + 1);
                        flags |= SH_WORD_DQUOTE | (inner.n == 0 ? SH_WORD_EMPTY_QUOTES : 0);
                        p->pos++;
                        continue;
                }
                if (c == '$') {
                        sh_flush_lit(p, &pv, &lit, p->pos, pflags, &flags);
                        if (sh_lex_dollar(p, &pv, pflags, &flags))
                                continue;
                        if (p->err)
                                return NULL;
                } else if (c == '`') {
                        sh_flush_lit(p, &pv, &lit, p->pos, pflags, &flags);
                        if (!sh_lex_backtick(p, &pv, pflags, &flags))
                                return NULL;
                        continue;
                } else if ((c == '<' || c == '>') && p->pos + 1 < p->len && p->s[p->pos + 1] == '(' && !in_dq) {
                        sh_flush_lit(p, &pv, &lit, p->pos, pflags, &flags);
                        if (!sh_lex_procsubst(p, &pv, &flags))
                                return NULL;
                        continue;
                } else if (c == '*' || c == '?' || c == '[') {
                        flags |= SH_WORD_GLOB;
                }
                if (lit == SH_NPOS)
                        lit = p->pos;
                p->pos++;
        }
        if (p->err)
                return NULL;
        sh_flush_lit(p, &pv, &lit, p->pos, pflags, &flags);
        *wflags |= flags & ~SH_WORD_GLOB;
        return sh_make_word(p, &pv, start, p->pos, flags);
}

bool sh_lex_param_braced(sh_parser *p, sh_pvec *pv, size_t start, uint32_t pflags, uint32_t *flags) {
        if (sh_enter(p, start) < 0)
                return false;
        sh_param *pa = sh_arena_alloc(p->ar, sizeof *pa);
        if (!pa) {
                sh_nomem(p);
                return false;
        }
        pa->flags = SH_PARAM_BRACED;
        pa->op = SH_PARAM_PLAIN;
        const char *s = p->s;
        size_t n = p->len, q = p->pos;
        if (q < n && s[q] == '#' && q + 1 < n && s[q + 1] != '}') {
                pa->op = SH_PARAM_LENGTH;
                q++;
        } else if (q < n && s[q] == '!' && q + 1 < n && s[q + 1] != '}') {
                pa->flags |= SH_PARAM_INDIRECT;
                q++;
        }
        size_t ns = q;
        if (q < n && is_name_start((unsigned char) s[q])) {
                while (q < n && is_name_char((unsigned char) s[q]))
                        q++;
        } else if (q < n && s[q] >= '0' && s[q] <= '9') {
                while (q < n && s[q] >= '0' && s[q] <= '9')
                        q++;
                pa->flags |= SH_PARAM_SPECIAL;
        } else if (q < n && strchr("@*#?-$!", s[q]) && s[q]) {
                q++;
                pa->flags |= SH_PARAM_SPECIAL;
        }
        pa->name = sh_arena_strndup(p->ar, s + ns, q - ns);
        if (!pa->name) {
                sh_nomem(p);
                return false;
        }
        bool valid = q > ns;
        if (valid && q < n && s[q] == '[' && is_name_start((unsigned char) s[ns])) {
                int depth = 0;
                size_t k = q;
                for (; k < n; k++) {
                        if (s[k] == '\\')
                                k++;
                        else if (s[k] == '[')
                                depth++;
                        else if (s[k] == ']' && --depth == 0)
                                break;
                        else if (s[k] == '}')
                                k = n; /* ${x[} : bad substitution at run time, not a syntax error */
                }
                if (k >= n) {
                        valid = false;
                        goto rest;
                }
                size_t save = p->len;
                pa->subscript = sh_lex_arith(p, q + 1, k);
                p->len = save;
                if (!pa->subscript)
                        return false;
                *flags |= pa->subscript->flags & (SH_WORD_DYNAMIC | SH_WORD_BACKTICK);
                q = k + 1;
        }
rest:
        p->pos = q;
        char c = q < n ? s[q] : 0;
        const char *stop = "";
        if (!valid) {
                pa->op = SH_PARAM_INVALID;
        } else if (c == '}') {
                if ((pa->flags & SH_PARAM_INDIRECT) && pa->subscript && pa->subscript->raw_len == 1 &&
                    (pa->subscript->raw[0] == '@' || pa->subscript->raw[0] == '*'))
                        pa->op = SH_PARAM_KEYS;
        } else if ((pa->flags & SH_PARAM_INDIRECT) && (c == '*' || c == '@') && q + 1 < n && s[q + 1] == '}') {
                pa->op = SH_PARAM_NAMES;
                p->pos = q + 1;
        } else if (pa->op == SH_PARAM_LENGTH) {
                pa->op = SH_PARAM_INVALID;
        } else {
                p->pos = q + 1;
                char d = q + 1 < n ? s[q + 1] : 0;
                switch (c) {
                case ':':
                        if (d && strchr("-=?+", d)) {
                                pa->flags |= SH_PARAM_COLON;
                                p->pos++;
                                pa->op = d == '-' ? SH_PARAM_DEFAULT : d == '=' ? SH_PARAM_ASSIGN
                                         : d == '?' ? SH_PARAM_ERROR : SH_PARAM_ALTERNATE;
                        } else {
                                pa->op = SH_PARAM_SUBSTRING;
                                stop = ":";
                        }
                        break;
                case '-': pa->op = SH_PARAM_DEFAULT; break;
                case '=': pa->op = SH_PARAM_ASSIGN; break;
                case '?': pa->op = SH_PARAM_ERROR; break;
                case '+': pa->op = SH_PARAM_ALTERNATE; break;
                case '#':
                case '%':
                        if (d == c) {
                                p->pos++;
                                pa->op = c == '#' ? SH_PARAM_TRIM_PREFIX_LONG : SH_PARAM_TRIM_SUFFIX_LONG;
                        } else
                                pa->op = c == '#' ? SH_PARAM_TRIM_PREFIX : SH_PARAM_TRIM_SUFFIX;
                        break;
                case '/':
                        pa->op = SH_PARAM_REPLACE;
                        if (d == '/' || d == '#' || d == '%') {
                                p->pos++;
                                pa->op = d == '/' ? SH_PARAM_REPLACE_ALL : d == '#' ? SH_PARAM_REPLACE_PREFIX
                                                                                   : SH_PARAM_REPLACE_SUFFIX;
                        }
                        stop = "/";
                        break;
                case '^':
                case ',':
                        if (d == c) {
                                p->pos++;
                                pa->op = c == '^' ? SH_PARAM_UPPER_ALL : SH_PARAM_LOWER_ALL;
                        } else
                                pa->op = c == '^' ? SH_PARAM_UPPER_FIRST : SH_PARAM_LOWER_FIRST;
                        break;
                case '@':
                        if (d && strchr("QEPAaUuLKk", d) && q + 2 < n && s[q + 2] == '}') {
                                pa->op = SH_PARAM_TRANSFORM;
                                pa->transform = d;
                                p->pos++;
                        } else
                                pa->op = SH_PARAM_INVALID;
                        break;
                default:
                        pa->op = SH_PARAM_INVALID;
                        p->pos = q;
                        break;
                }
        }
        if (p->pos >= n || s[p->pos] != '}') {
                /* Operand(s), or the rest of an invalid expansion. */
                pa->arg = lex_operand(p, stop, pflags, flags);
                if (!pa->arg)
                        return false;
                if (*stop && p->pos < n && s[p->pos] == *stop) {
                        p->pos++;
                        pa->arg2 = lex_operand(p, "", pflags, flags);
                        if (!pa->arg2)
                                return false;
                }
        }
        if (p->pos >= n || s[p->pos] != '}') {
                sh_syntax(p, start, 2, "unexpected EOF while looking for matching `}'");
                return false;
        }
        p->pos++;
        sh_part *x = sh_pv_push(p, pv, SH_PART_PARAM, start);
        if (!x)
                return false;
        x->param = pa;
        x->flags = pflags;
        x->text = s + start + 2;
        x->text_len = (uint32_t) (p->pos - start - 3);
        x->span = sh_mkspan(p, start, p->pos);
        *flags |= SH_WORD_PARAM;
        sh_leave(p);
        return true;
}
