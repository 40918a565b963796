/* SPDX-License-Identifier: MIT */
/* $'...' decoding as bash does it (the value a command would receive). */
#include <stdint.h>

#include "internal.h"

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static size_t put_utf8(char *out, uint32_t cp) {
        if (cp < 0x80) {
                out[0] = (char) cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char) (0xc0 | (cp >> 6));
                out[1] = (char) (0x80 | (cp & 0x3f));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char) (0xe0 | (cp >> 12));
                out[1] = (char) (0x80 | ((cp >> 6) & 0x3f));
                out[2] = (char) (0x80 | (cp & 0x3f));
                return 3;
        }
        out[0] = (char) (0xf0 | ((cp >> 18) & 0x07));
        out[1] = (char) (0x80 | ((cp >> 12) & 0x3f));
        out[2] = (char) (0x80 | ((cp >> 6) & 0x3f));
        out[3] = (char) (0x80 | (cp & 0x3f));
        return 4;
}

size_t sh_ansi_decode(const char *s, size_t len, char *buf) {
        size_t n = 0;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                if (c != '\\' || i + 1 >= len) {
                        buf[n++] = c;
                        continue;
                }
                char e = s[++i];
                switch (e) {
                case 'a': buf[n++] = '\a'; break;
                case 'b': buf[n++] = '\b'; break;
                case 'e':
                case 'E': buf[n++] = 0x1b; break;
                case 'f': buf[n++] = '\f'; break;
                case 'n': buf[n++] = '\n'; break;
                case 'r': buf[n++] = '\r'; break;
                case 't': buf[n++] = '\t'; break;
                case 'v': buf[n++] = '\v'; break;
                case '\\': buf[n++] = '\\'; break;
                case '\'': buf[n++] = '\''; break;
                case '"': buf[n++] = '"'; break;
                case '?': buf[n++] = '?'; break;
                case 'c':
                        if (i + 1 < len) {
                                char k = s[++i];
                                if (k == '\\' && i + 1 < len && s[i + 1] == '\\')
                                        i++;
                                buf[n++] = (char) ((k >= 'a' && k <= 'z' ? k - 32 : k) & 0x1f);
                        } else {
                                buf[n++] = '\\';
                                buf[n++] = 'c';
                        }
                        break;
                case 'x': {
                        uint32_t v = 0;
                        int k = 0;
                        while (k < 2 && i + 1 < len && hexval(s[i + 1]) >= 0) {
                                v = v * 16 + (uint32_t) hexval(s[++i]);
                                k++;
                        }
                        if (k == 0) {
                                buf[n++] = '\\';
                                buf[n++] = 'x';
                        } else
                                buf[n++] = (char) v;
                        break;
                }
                case 'u':
                case 'U': {
                        int max = e == 'u' ? 4 : 8, k = 0;
                        uint32_t v = 0;
                        while (k < max && i + 1 < len && hexval(s[i + 1]) >= 0) {
                                v = v * 16 + (uint32_t) hexval(s[++i]);
                                k++;
                        }
                        if (k == 0) {
                                buf[n++] = '\\';
                                buf[n++] = e;
                        } else if (v > 0x10ffff) {
                                /* Not representable: keep the escape's bytes count bounded. */
                                buf[n++] = '?';
                        } else {
                                size_t need = v < 0x80 ? 1 : v < 0x800 ? 2 : v < 0x10000 ? 3 : 4;
                                if (need <= (size_t) k + 2)
                                        n += put_utf8(buf + n, v);
                                else
                                        buf[n++] = '?';
                        }
                        break;
                }
                default:
                        if (e >= '0' && e <= '7') {
                                uint32_t v = (uint32_t) (e - '0');
                                int k = 1;
                                while (k < 3 && i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '7') {
                                        v = v * 8 + (uint32_t) (s[++i] - '0');
                                        k++;
                                }
                                buf[n++] = (char) (v & 0xff);
                        } else {
                                buf[n++] = '\\';
                                buf[n++] = e;
                        }
                        break;
                }
        }
        buf[n] = '\0';
        return n;
}
