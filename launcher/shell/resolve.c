/* SPDX-License-Identifier: MIT */
/* Static resolution of a word: what bash would pass as argv entries, as far
 * as that is knowable without running anything.  Brace expansion is in
 * brace.c; anything runtime-dependent is kept as raw text and flagged. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "brace.h"
#include "shell.h"

void sh_strv_free(sh_strv *v) {
        if (!v)
                return;
        for (size_t i = 0; i < v->n; i++)
                free(v->v[i]);
        free(v->v);
        v->v = NULL;
        v->n = 0;
}

static int put(sh_qbuf *b, const char *s, size_t n, bool quoted) {
        if (b->len + n + 1 > SH_MAX_RESOLVED_LEN)
                return -E2BIG;
        if (b->len + n + 1 > b->cap) {
                size_t cap = b->cap ? b->cap : 64;
                while (cap < b->len + n + 1)
                        cap *= 2;
                char *s2 = realloc(b->s, cap);
                if (!s2)
                        return -ENOMEM;
                b->s = s2;
                unsigned char *q2 = realloc(b->q, cap);
                if (!q2)
                        return -ENOMEM;
                b->q = q2;
                b->cap = cap;
        }
        memcpy(b->s + b->len, s, n);
        memset(b->q + b->len, quoted, n);
        b->len += n;
        b->s[b->len] = '\0';
        return 0;
}

static int put3(sh_qbuf *b, const char *a, const char *m, size_t mn, const char *z) {
        int r = put(b, a, strlen(a), true);
        if (r >= 0)
                r = put(b, m, mn, true);
        if (r >= 0)
                r = put(b, z, strlen(z), true);
        return r;
}

static int flatten(const sh_part *v, uint32_t n, bool quoted, sh_qbuf *b, int *res) {
        for (uint32_t i = 0; i < n; i++) {
                const sh_part *p = &v[i];
                int r = 0;
                switch (p->kind) {
                case SH_PART_LITERAL:
                        r = put(b, p->text, p->text_len, quoted);
                        break;
                case SH_PART_SQUOTE:
                case SH_PART_ESCAPE:
                        r = put(b, p->text, p->text_len, true);
                        break;
                case SH_PART_ANSI_C: {
                        /* bash stops a $'..' value at an embedded NUL */
                        const char *z = memchr(p->text, '\0', p->text_len);
                        r = put(b, p->text, z ? (size_t) (z - p->text) : p->text_len, true);
                        break;
                }
                case SH_PART_DQUOTE:
                        r = flatten(p->parts, p->nparts, true, b, res);
                        break;
                case SH_PART_LOCALE:
                        *res |= SH_RES_LOCALE;
                        r = flatten(p->parts, p->nparts, true, b, res);
                        break;
                case SH_PART_TILDE:
                        *res |= SH_RES_TILDE;
                        r = put(b, p->text, p->text_len, true);
                        break;
                case SH_PART_EXTGLOB:
                        *res |= SH_RES_GLOB;
                        r = put(b, p->text, p->text_len, true);
                        break;
                case SH_PART_PARAM:
                        *res |= SH_RES_DYNAMIC;
                        if (p->param->flags & SH_PARAM_BRACED)
                                r = put3(b, "${", p->text, p->text_len, "}");
                        else
                                r = put3(b, "$", p->text, p->text_len, "");
                        break;
                case SH_PART_CMDSUBST:
                        *res |= SH_RES_DYNAMIC;
                        r = put3(b, "$(", p->text, p->text_len, ")");
                        break;
                case SH_PART_BACKTICK:
                        *res |= SH_RES_DYNAMIC;
                        r = put3(b, "`", p->text, p->text_len, "`");
                        break;
                case SH_PART_ARITH:
                        *res |= SH_RES_DYNAMIC;
                        r = put3(b, "$((", p->text, p->text_len, "))");
                        break;
                case SH_PART_PROCSUBST_IN:
                case SH_PART_PROCSUBST_OUT:
                        *res |= SH_RES_DYNAMIC;
                        r = put3(b, p->kind == SH_PART_PROCSUBST_IN ? "<(" : ">(", p->text, p->text_len, ")");
                        break;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

static int resolve(const sh_word *w, sh_strv *out, bool braces) {
        memset(out, 0, sizeof *out);
        sh_qbuf b = { 0 };
        int res = 0;
        int r = w ? flatten(w->parts, w->nparts, false, &b, &res) : 0;
        if (r >= 0 && !b.s)
                r = put(&b, "", 0, false);
        if (r < 0)
                goto fail;
        if (w && (w->flags & SH_WORD_UNPARSED))
                res |= SH_RES_DYNAMIC;
        if (w && (w->flags & SH_WORD_GLOB))
                res |= SH_RES_GLOB;
        if (braces && w && (w->flags & SH_WORD_BRACE)) {
                r = sh_brace_expand(&b, out);
                if (r < 0)
                        goto fail;
                if (r > 0)
                        res |= SH_RES_BRACE;
                if (out->n > 0) {
                        free(b.s);
                        free(b.q);
                        return res;
                }
        } else if (w && (w->flags & SH_WORD_BRACE)) {
                res |= SH_RES_BRACE;
        }
        out->v = calloc(2, sizeof *out->v);
        if (!out->v) {
                r = -ENOMEM;
                goto fail;
        }
        out->v[0] = b.s;
        out->n = 1;
        free(b.q);
        return res;
fail:
        free(b.s);
        free(b.q);
        sh_strv_free(out);
        return r;
}

int sh_word_resolve(const sh_word *w, sh_strv *out) {
        return resolve(w, out, true);
}

int sh_word_resolve1(const sh_word *w, char **out) {
        sh_strv v;
        int r = resolve(w, &v, false);
        if (r < 0)
                return r;
        *out = v.v[0];
        free(v.v);
        return r;
}
