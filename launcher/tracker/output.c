/* SPDX-License-Identifier: MIT */
#include "output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_cont(unsigned char c) {
        return (c & 0xC0) == 0x80;
}

/* Largest n' <= n such that buf[n'] starts a character (or n' == len). */
static size_t head_boundary(const char *buf, size_t len, size_t n) {
        size_t back = 0;
        while (n > 0 && n < len && is_cont((unsigned char) buf[n]) && back < 3) {
                n--;
                back++;
        }
        return n;
}

/* Smallest s >= start such that buf[s] starts a character. */
static size_t tail_boundary(const char *buf, size_t len, size_t start) {
        size_t fwd = 0;
        while (start < len && is_cont((unsigned char) buf[start]) && fwd < 3) {
                start++;
                fwd++;
        }
        return start;
}

bool cj_output_cut(const char *buf, size_t len, size_t cap, char **out, size_t *out_len) {
        *out = NULL;
        *out_len = 0;
        if (len <= cap) {
                char *c = malloc(len + 1);
                if (!c)
                        return false;
                memcpy(c, buf, len);
                c[len] = '\0';
                *out = c;
                *out_len = len;
                return false;
        }
        char marker[CJ_OUTPUT_MARKER_MAX];
        /* The omitted count depends on the marker's own length; a 20-digit
         * count is the worst case, so size the budget with that. */
        int mlen = snprintf(marker, sizeof marker, "\n[... clawjail: %020zu bytes omitted ...]\n", len);
        size_t head, tail_start;
        if ((size_t) mlen >= cap) {
                head = head_boundary(buf, len, cap);
                tail_start = len;
                mlen = 0;
        } else {
                size_t room = cap - (size_t) mlen;
                head = head_boundary(buf, len, room / 2);
                tail_start = tail_boundary(buf, len, len - (room - room / 2));
                mlen = snprintf(marker, sizeof marker, "\n[... clawjail: %zu bytes omitted ...]\n", tail_start - head);
        }
        size_t n = head + (size_t) mlen + (len - tail_start);
        char *c = malloc(n + 1);
        if (!c)
                return true;
        memcpy(c, buf, head);
        memcpy(c + head, marker, (size_t) mlen);
        memcpy(c + head + (size_t) mlen, buf + tail_start, len - tail_start);
        c[n] = '\0';
        *out = c;
        *out_len = n;
        return true;
}
