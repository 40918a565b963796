/* SPDX-License-Identifier: MIT */
/*
 * hygiene: bytes a human reviewer cannot see or that bash and a terminal
 * disagree on.  Runs on the raw bytes before parsing, so even text inside
 * quotes or comments is covered, with exact byte spans.
 */
#include <stdint.h>

#include "internal.h"

typedef enum kind {
        K_OK,
        K_NUL,
        K_CR,
        K_CONTROL,
        K_BAD_UTF8,
        K_WHITESPACE,
        K_ZERO_WIDTH,
        K_BIDI,
        K_TAG,
} kind;

static const struct {
        cj_verdict verdict;
        const char *what;
} kinds[] = {
        [K_NUL] = { CJ_VERDICT_DENY, "NUL byte: bash and this checker would read different commands" },
        [K_CR] = { CJ_VERDICT_ASK, "carriage return: a terminal hides the text before it" },
        [K_CONTROL] = { CJ_VERDICT_ASK, "control character" },
        [K_BAD_UTF8] = { CJ_VERDICT_ASK, "invalid UTF-8" },
        [K_WHITESPACE] = { CJ_VERDICT_ASK, "non-ASCII whitespace: looks like a space, is part of a word to bash" },
        [K_ZERO_WIDTH] = { CJ_VERDICT_ASK, "zero-width character: invisible when reviewed" },
        [K_BIDI] = { CJ_VERDICT_DENY, "bidirectional override: the text displays in a different order than bash reads it" },
        [K_TAG] = { CJ_VERDICT_DENY, "Unicode tag characters: invisible text" },
};

/* Decode one UTF-8 sequence at s[0..n): *cp and its length, 0 if invalid. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
        if (s[0] < 0x80) {
                *cp = s[0];
                return 1;
        }
        size_t l = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
        if (l == 0 || l > n)
                return 0;
        uint32_t v = s[0] & (0x7f >> l);
        for (size_t i = 1; i < l; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                v = (v << 6) | (s[i] & 0x3f);
        }
        if ((l == 3 && v < 0x800) || (l == 4 && (v < 0x10000 || v > 0x10ffff)) || (v >= 0xd800 && v <= 0xdfff))
                return 0;
        *cp = v;
        return l;
}

static kind classify(uint32_t cp) {
        if (cp == 0)
                return K_NUL;
        if (cp == '\r')
                return K_CR;
        if ((cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
                return K_CONTROL;
        if (cp == 0x85 || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
            cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000)
                return K_WHITESPACE;
        if ((cp >= 0x200b && cp <= 0x200d) || cp == 0x2060 || cp == 0xfeff || cp == 0x180e ||
            (cp >= 0x2061 && cp <= 0x2064) || cp == 0x00ad || cp == 0x034f || cp == 0x115f || cp == 0x1160 ||
            cp == 0x3164 || cp == 0xffa0)
                return K_ZERO_WIDTH;
        if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f ||
            cp == 0x061c)
                return K_BIDI;
        if (cp >= 0xe0000 && cp <= 0xe007f)
                return K_TAG;
        return K_OK;
}

static void hygiene_raw(cj_vctx *c) {
        const unsigned char *s = (const unsigned char *) c->cmd;
        size_t i = 0;
        while (i < c->len) {
                uint32_t cp;
                size_t l = utf8_decode(s + i, c->len - i, &cp);
                kind k = l ? classify(cp) : K_BAD_UTF8;
                if (l == 0)
                        l = 1;
                if (k == K_OK) {
                        i += l;
                        continue;
                }
                /* one finding for a run of the same kind */
                size_t start = i, end = i + l;
                while (end < c->len) {
                        uint32_t cp2;
                        size_t l2 = utf8_decode(s + end, c->len - end, &cp2);
                        kind k2 = l2 ? classify(cp2) : K_BAD_UTF8;
                        if (k2 != k)
                                break;
                        end += l2 ? l2 : 1;
                }
                if (k == K_CONTROL || k == K_BAD_UTF8 || k == K_NUL || k == K_CR)
                        cj_report(c, kinds[k].verdict, start, end - start, "%s (byte 0x%02x at offset %zu)",
                                  kinds[k].what, s[start], start);
                else
                        cj_report(c, kinds[k].verdict, start, end - start, "%s (U+%04X at offset %zu)",
                                  kinds[k].what, (unsigned) cp, start);
                i = end;
        }
}

const cj_validator cj_v_hygiene = {
        .name = "hygiene",
        .owns = "NUL, CR, control characters, invalid UTF-8, non-ASCII whitespace, zero-width, bidi and tag characters",
        .raw = hygiene_raw,
};
