/* SPDX-License-Identifier: MIT */
#include "encoding.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at buf[i], or 0 if it is invalid. */
static size_t utf8_seq(const unsigned char *s, size_t len, size_t i) {
        unsigned char c = s[i];
        if (c < 0x80)
                return 1;
        size_t n;
        uint32_t cp, min;
        if ((c & 0xE0) == 0xC0) {
                n = 2;
                cp = c & 0x1F;
                min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
                n = 3;
                cp = c & 0x0F;
                min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
                n = 4;
                cp = c & 0x07;
                min = 0x10000;
        } else
                return 0;
        if (len - i < n)
                return 0;
        for (size_t k = 1; k < n; k++) {
                if ((s[i + k] & 0xC0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                return 0;
        return n;
}

bool cj_utf8_valid(const char *buf, size_t len, size_t *bad_offset) {
        const unsigned char *s = (const unsigned char *) buf;
        for (size_t i = 0; i < len;) {
                size_t n = utf8_seq(s, len, i);
                if (n == 0) {
                        if (bad_offset)
                                *bad_offset = i;
                        return false;
                }
                i += n;
        }
        return true;
}

char *cj_utf8_sanitize(const char *buf, size_t len, size_t *out_len) {
        const unsigned char *s = (const unsigned char *) buf;
        if (len > (SIZE_MAX - 1) / 3)
                return NULL;
        char *out = malloc(len * 3 + 1); /* each bad byte becomes 3 bytes at most */
        if (!out)
                return NULL;
        size_t o = 0;
        for (size_t i = 0; i < len;) {
                size_t n = utf8_seq(s, len, i);
                if (n == 0) {
                        memcpy(out + o, "\xEF\xBF\xBD", 3);
                        o += 3;
                        i++;
                } else {
                        memcpy(out + o, s + i, n);
                        o += n;
                        i += n;
                }
        }
        out[o] = '\0';
        if (out_len)
                *out_len = o;
        return out;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *cj_base64_encode(const void *buf, size_t len) {
        const unsigned char *s = buf;
        if (len > (SIZE_MAX / 4) * 3 - 3)
                return NULL;
        char *out = malloc((len + 2) / 3 * 4 + 1);
        if (!out)
                return NULL;
        size_t o = 0, i = 0;
        for (; i + 2 < len; i += 3) {
                uint32_t v = (uint32_t) s[i] << 16 | (uint32_t) s[i + 1] << 8 | s[i + 2];
                out[o++] = b64[v >> 18];
                out[o++] = b64[(v >> 12) & 63];
                out[o++] = b64[(v >> 6) & 63];
                out[o++] = b64[v & 63];
        }
        if (i < len) {
                uint32_t v = (uint32_t) s[i] << 16 | (i + 1 < len ? (uint32_t) s[i + 1] << 8 : 0);
                out[o++] = b64[v >> 18];
                out[o++] = b64[(v >> 12) & 63];
                out[o++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
                out[o++] = '=';
        }
        out[o] = '\0';
        return out;
}

static int b64_value(char c) {
        const char *p = c ? strchr(b64, c) : NULL;
        return p ? (int) (p - b64) : -1;
}

int cj_base64_decode(const char *s, size_t len, unsigned char **out, size_t *out_len, size_t *bad_offset) {
        size_t bad = 0;
        if (len % 4 != 0) {
                bad = len;
                goto invalid;
        }
        unsigned char *o = malloc(len / 4 * 3 + 1);
        if (!o)
                return -ENOMEM;
        size_t n = 0;
        for (size_t i = 0; i < len; i += 4) {
                int v[4];
                bool last = i + 4 == len;
                for (size_t k = 0; k < 4; k++) {
                        v[k] = b64_value(s[i + k]);
                        bool pad_ok = last && s[i + k] == '=' && k >= 2 && (k == 3 || s[i + 3] == '=');
                        if (v[k] < 0 && !pad_ok) {
                                free(o);
                                bad = i + k;
                                goto invalid;
                        }
                }
                o[n++] = (unsigned char) (v[0] << 2 | v[1] >> 4);
                if (v[2] >= 0)
                        o[n++] = (unsigned char) ((v[1] & 15) << 4 | v[2] >> 2);
                if (v[2] >= 0 && v[3] >= 0)
                        o[n++] = (unsigned char) ((v[2] & 3) << 6 | v[3]);
                else if (v[2] < 0 && v[3] >= 0) {
                        free(o);
                        bad = i + 2;
                        goto invalid;
                }
        }
        o[n] = '\0';
        *out = o;
        *out_len = n;
        return 0;
invalid:
        if (bad_offset)
                *bad_offset = bad;
        return -EINVAL;
}
