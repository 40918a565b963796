/* SPDX-License-Identifier: MIT */
#include "output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_cont(unsigned char c) {
        return (c & 0xC0) == 0x80;
}

/* The stream is `total` bytes; hbuf holds its first hn bytes and tbuf its
 * last tn bytes (both at least min(cap, total)), so a file need not be read
 * whole.  For a buffer both windows are the buffer itself. */
typedef struct windows {
        const char *hbuf, *tbuf;
        size_t hn, tn, total;
} windows;

static unsigned char head_at(const windows *w, size_t i) {
        return (unsigned char) w->hbuf[i];
}

static unsigned char tail_at(const windows *w, size_t i) {
        return (unsigned char) w->tbuf[i - (w->total - w->tn)];
}

/* Largest n' <= n such that byte n' starts a character (or n' == total). */
static size_t head_boundary(const windows *w, size_t n) {
        size_t back = 0;
        while (n > 0 && n < w->total && n < w->hn && is_cont(head_at(w, n)) && back < 3) {
                n--;
                back++;
        }
        return n;
}

/* Smallest s >= start such that byte s starts a character. */
static size_t tail_boundary(const windows *w, size_t start) {
        size_t fwd = 0;
        while (start < w->total && is_cont(tail_at(w, start)) && fwd < 3) {
                start++;
                fwd++;
        }
        return start;
}

static bool cut_windows(const windows *w, size_t cap, char **out, size_t *out_len) {
        size_t len = w->total;
        *out = NULL;
        *out_len = 0;
        if (len <= cap) {
                char *c = malloc(len + 1);
                if (!c)
                        return false;
                memcpy(c, w->hbuf, len);
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
                head = head_boundary(w, cap);
                tail_start = len;
                mlen = 0;
        } else {
                size_t room = cap - (size_t) mlen;
                head = head_boundary(w, room / 2);
                tail_start = tail_boundary(w, len - (room - room / 2));
                mlen = snprintf(marker, sizeof marker, "\n[... clawjail: %zu bytes omitted ...]\n", tail_start - head);
        }
        size_t n = head + (size_t) mlen + (len - tail_start);
        char *c = malloc(n + 1);
        if (!c)
                return true;
        memcpy(c, w->hbuf, head);
        memcpy(c + head, marker, (size_t) mlen);
        if (len > tail_start)
                memcpy(c + head + (size_t) mlen, w->tbuf + (tail_start - (len - w->tn)), len - tail_start);
        c[n] = '\0';
        *out = c;
        *out_len = n;
        return true;
}

bool cj_output_cut(const char *buf, size_t len, size_t cap, char **out, size_t *out_len) {
        windows w = { .hbuf = buf, .tbuf = buf, .hn = len, .tn = len, .total = len };
        return cut_windows(&w, cap, out, out_len);
}

static int pread_full(int fd, char *buf, size_t n, off_t off) {
        size_t got = 0;
        while (got < n) {
                ssize_t r = pread(fd, buf + got, n - got, off + (off_t) got);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return r < 0 ? -errno : -EIO;
                got += (size_t) r;
        }
        return 0;
}

int cj_output_cut_fd(int fd, size_t cap, char **out, size_t *out_len, bool *cut, uint64_t *total) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        size_t size = (size_t) st.st_size, win = size < cap ? size : cap;
        *total = (uint64_t) size;
        char *h = malloc(win + 1), *t = malloc(win + 1);
        int r = h && t ? 0 : -ENOMEM;
        if (r >= 0)
                r = pread_full(fd, h, win, 0);
        if (r >= 0)
                r = pread_full(fd, t, win, (off_t) (size - win));
        if (r >= 0) {
                windows w = { .hbuf = h, .tbuf = t, .hn = win, .tn = win, .total = size };
                *cut = cut_windows(&w, cap, out, out_len);
                if (!*out)
                        r = -ENOMEM;
        }
        free(h);
        free(t);
        return r;
}
