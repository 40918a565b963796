/* SPDX-License-Identifier: MIT */
/* Brace expansion ({a,b}, {1..5}, {a..e}, {01..10..2}) as bash does it,
 * depth-first with an explicit stack, bounded by SH_MAX_BRACE_WORDS. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brace.h"

typedef struct item {
        char *s;
        unsigned char *q;
        size_t len, scan;
} item;

typedef struct stack {
        item *v;
        size_t n, cap;
} stack;

#define MAX_PENDING (4 * SH_MAX_BRACE_WORDS)

static int push(stack *st, const char *a, const unsigned char *aq, size_t an, const char *m,
                const unsigned char *mq, size_t mn, const char *z, const unsigned char *zq, size_t zn,
                size_t scan) {
        size_t len = an + mn + zn;
        if (len + 1 > SH_MAX_RESOLVED_LEN)
                return -E2BIG;
        if (st->n >= MAX_PENDING)
                return -E2BIG;
        if (st->n == st->cap) {
                size_t cap = st->cap ? st->cap * 2 : 16;
                item *v = realloc(st->v, cap * sizeof *v);
                if (!v)
                        return -ENOMEM;
                st->v = v;
                st->cap = cap;
        }
        item it = { .s = malloc(len + 1), .q = malloc(len + 1), .len = len, .scan = scan };
        if (!it.s || !it.q) {
                free(it.s);
                free(it.q);
                return -ENOMEM;
        }
        if (an) {
                memcpy(it.s, a, an);
                memcpy(it.q, aq, an);
        }
        if (mn) {
                memcpy(it.s + an, m, mn);
                if (mq)
                        memcpy(it.q + an, mq, mn);
                else
                        memset(it.q + an, 1, mn);
        }
        if (zn) {
                memcpy(it.s + an + mn, z, zn);
                memcpy(it.q + an + mn, zq, zn);
        }
        it.s[len] = '\0';
        st->v[st->n++] = it;
        return 0;
}

static bool parse_int(const char *s, size_t n, long *v, int *width) {
        if (n == 0 || n > 18)
                return false;
        size_t i = 0;
        bool neg = false;
        if (s[0] == '-' || s[0] == '+') {
                neg = s[0] == '-';
                i++;
        }
        if (i >= n)
                return false;
        long x = 0;
        for (size_t k = i; k < n; k++) {
                if (s[k] < '0' || s[k] > '9')
                        return false;
                x = x * 10 + (s[k] - '0');
        }
        *v = neg ? -x : x;
        *width = (s[i] == '0' && n - i > 1) ? (int) n : 0;
        return true;
}

/* {A..B[..C]}: fills the sequence words (pushed later in reverse). */
static int sequence(const char *s, size_t n, char ***words, size_t *nwords) {
        const char *d1 = NULL;
        for (size_t i = 0; i + 1 < n; i++)
                if (s[i] == '.' && s[i + 1] == '.') {
                        d1 = s + i;
                        break;
                }
        if (!d1)
                return 0;
        const char *b = d1 + 2, *end = s + n, *d2 = NULL;
        for (const char *k = b; k + 1 < end; k++)
                if (k[0] == '.' && k[1] == '.') {
                        d2 = k;
                        break;
                }
        long a, z, step = 1;
        int wa = 0, wz = 0, ws = 0;
        bool chars = false;
        if (parse_int(s, (size_t) (d1 - s), &a, &wa) &&
            parse_int(b, (size_t) ((d2 ? d2 : end) - b), &z, &wz)) {
        } else if (d1 - s == 1 && (d2 ? d2 : end) - b == 1 && s[0] != '\\' && b[0] != '\\' &&
                   ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')) &&
                   ((b[0] >= 'a' && b[0] <= 'z') || (b[0] >= 'A' && b[0] <= 'Z'))) {
                a = (unsigned char) s[0];
                z = (unsigned char) b[0];
                chars = true;
        } else
                return 0;
        if (d2 && !parse_int(d2 + 2, (size_t) (end - d2 - 2), &step, &ws))
                return 0;
        if (step < 0)
                step = -step;
        if (step == 0)
                step = 1;
        long span = a > z ? a - z : z - a;
        size_t count = (size_t) (span / step) + 1;
        if (count > SH_MAX_BRACE_WORDS)
                return -E2BIG;
        int width = wa > wz ? wa : wz;
        char **v = calloc(count, sizeof *v);
        if (!v)
                return -ENOMEM;
        long x = a;
        for (size_t i = 0; i < count; i++, x += a <= z ? step : -step) {
                char tmp[64];
                if (chars)
                        snprintf(tmp, sizeof tmp, "%c", (char) x);
                else if (width)
                        snprintf(tmp, sizeof tmp, "%0*ld", x < 0 ? width : width, x);
                else
                        snprintf(tmp, sizeof tmp, "%ld", x);
                v[i] = strdup(tmp);
                if (!v[i]) {
                        for (size_t k = 0; k < i; k++)
                                free(v[k]);
                        free(v);
                        return -ENOMEM;
                }
        }
        *words = v;
        *nwords = count;
        return 1;
}

/* Expand the first valid brace of it (at or after it->scan) onto st.
 * Returns 1 expanded, 0 none, <0 error. */
static int expand_one(const item *it, stack *st) {
        size_t n = it->len;
        size_t *match = malloc((n + 1) * sizeof *match), *stk = malloc((n + 1) * sizeof *stk);
        unsigned char *comma = calloc(n + 1, 1);
        int r = 0;
        if (!match || !stk || !comma) {
                r = -ENOMEM;
                goto out;
        }
        size_t sp = 0;
        for (size_t i = 0; i < n; i++) {
                match[i] = SIZE_MAX;
                if (it->q[i])
                        continue;
                char c = it->s[i];
                if (c == '{' && !(i > 0 && it->s[i - 1] == '$' && !it->q[i - 1]))
                        stk[sp++] = i;
                else if (c == '}' && sp > 0)
                        match[stk[--sp]] = i;
                else if (c == ',' && sp > 0)
                        comma[stk[sp - 1]] = 1;
        }
        for (size_t i = it->scan; i < n && r == 0; i++) {
                if (it->q[i] || it->s[i] != '{' || match[i] == SIZE_MAX)
                        continue;
                size_t m = match[i];
                if (comma[i]) {
                        /* Split at depth-1 commas; push alternatives in reverse. */
                        size_t cuts[SH_MAX_BRACE_WORDS + 1], nc = 0;
                        int depth = 0;
                        cuts[nc++] = i;
                        for (size_t k = i + 1; k < m; k++) {
                                if (it->q[k])
                                        continue;
                                if (it->s[k] == '{')
                                        depth++;
                                else if (it->s[k] == '}')
                                        depth--;
                                else if (it->s[k] == ',' && depth == 0) {
                                        if (nc > SH_MAX_BRACE_WORDS) {
                                                r = -E2BIG;
                                                goto out;
                                        }
                                        cuts[nc++] = k;
                                }
                        }
                        cuts[nc] = m;
                        for (size_t k = nc; k-- > 0;) {
                                size_t as = cuts[k] + 1, ae = cuts[k + 1];
                                r = push(st, it->s, it->q, i, it->s + as, it->q + as, ae - as, it->s + m + 1,
                                         it->q + m + 1, n - m - 1, i);
                                if (r < 0)
                                        goto out;
                        }
                        r = 1;
                        break;
                }
                bool quoted_inside = false;
                for (size_t k = i + 1; k < m; k++)
                        quoted_inside |= it->q[k];
                if (quoted_inside)
                        continue;
                char **words = NULL;
                size_t nw = 0;
                int sr = sequence(it->s + i + 1, m - i - 1, &words, &nw);
                if (sr < 0) {
                        r = sr;
                        goto out;
                }
                if (sr == 0)
                        continue;
                for (size_t k = nw; k-- > 0;) {
                        if (r >= 0)
                                r = push(st, it->s, it->q, i, words[k], NULL, strlen(words[k]), it->s + m + 1,
                                         it->q + m + 1, n - m - 1, i + strlen(words[k]));
                        free(words[k]);
                }
                free(words);
                if (r < 0)
                        goto out;
                r = 1;
        }
out:
        free(match);
        free(stk);
        free(comma);
        return r;
}

int sh_brace_expand(const sh_qbuf *b, sh_strv *out) {
        stack st = { 0 };
        int r = push(&st, b->s, b->q, b->len, "", NULL, 0, "", NULL, 0, 0);
        bool any = false;
        size_t total = 0;
        while (r >= 0 && st.n > 0) {
                item it = st.v[--st.n];
                r = expand_one(&it, &st);
                if (r == 1) {
                        any = true;
                } else if (r == 0) {
                        if (out->n >= SH_MAX_BRACE_WORDS || (total += it.len) > 16 * SH_MAX_RESOLVED_LEN) {
                                r = -E2BIG;
                        } else {
                                char **v = realloc(out->v, (out->n + 2) * sizeof *v);
                                if (!v) {
                                        r = -ENOMEM;
                                } else {
                                        out->v = v;
                                        out->v[out->n++] = it.s;
                                        out->v[out->n] = NULL;
                                        it.s = NULL;
                                }
                        }
                }
                free(it.s);
                free(it.q);
        }
        for (size_t i = 0; i < st.n; i++) {
                free(st.v[i].s);
                free(st.v[i].q);
        }
        free(st.v);
        if (r < 0) {
                sh_strv_free(out);
                return r;
        }
        if (!any) {
                sh_strv_free(out);
                return 0;
        }
        return 1;
}
