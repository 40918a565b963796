/* SPDX-License-Identifier: MIT */
/* serve's opt-in streaming ("stream": true): the call's output as event lines
 *
 *   {"id":"c1","event":"stdout","data":"..."}
 *   {"id":"c1","event":"stderr","data":"<base64>","encoding":"base64"}
 *
 * before its result line.  The sandbox's pump (sandbox/pump.h) hands every
 * chunk here after it is in the capture.  A chunk's text ends on a UTF-8
 * character boundary (up to 3 bytes of a split character wait for the next
 * chunk); a chunk that is not UTF-8 (or holds a NUL, as the result's streams
 * do) goes as base64.  What cannot be written at once is held (one pump read
 * at most, CJ_PUMP_READ_MAX): meanwhile the pump reads no more and the call
 * waits in its pipe. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/encoding.h"
#include "server.h"
#include "util/fileio.h"

/* Bytes of s[0..len) that form a possibly complete UTF-8 character's start
 * at the very end (1..3), or 0. */
static size_t split_tail(const unsigned char *s, size_t len) {
        for (size_t back = 1; back <= 3 && back <= len; back++) {
                unsigned char c = s[len - back];
                if ((c & 0xC0) == 0x80)
                        continue; /* a continuation byte: look further back */
                size_t need = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
                return need > back ? back : 0;
        }
        return 0;
}

/* Write what is held, as far as fd takes it without blocking: poll for room
 * first and write at most PIPE_BUF at a time (a pipe with room takes that
 * whole; a socket or file at least as much). */
static int push(cj_stream_sink *k, bool block) {
        while (k->off < k->len) {
                struct pollfd pf = { k->fd, POLLOUT, 0 };
                int n = poll(&pf, 1, block ? -1 : 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return 0;
                if (pf.revents & (POLLERR | POLLNVAL))
                        return -EPIPE;
                size_t want = k->len - k->off < PIPE_BUF ? k->len - k->off : PIPE_BUF;
                ssize_t w = write(k->fd, k->buf + k->off, want);
                if (w < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (w < 0)
                        return -errno;
                k->off += (size_t) w;
        }
        k->off = k->len = 0;
        return 0;
}

static int queue_event(cj_stream_sink *k, int stream, const char *buf, size_t len) {
        size_t bad;
        bool text = cj_utf8_valid(buf, len, &bad) && !memchr(buf, '\0', len);
        char *b64 = text ? NULL : cj_base64_encode(buf, len);
        if (!text && !b64)
                return -ENOMEM;
        json_t *ev = json_pack("{s:o, s:s, s:s%}", "id", k->id ? json_string(k->id) : json_null(), "event",
                               stream == 1 ? "stdout" : "stderr", "data", text ? buf : b64, text ? len : strlen(b64));
        free(b64);
        if (ev && !text)
                json_object_set_new(ev, "encoding", json_string("base64"));
        char *line = ev ? json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(ev);
        if (!line)
                return -ENOMEM;
        size_t n = strlen(line);
        char *nb = realloc(k->buf, k->len + n + 1);
        if (!nb) {
                free(line);
                return -ENOMEM;
        }
        k->buf = nb;
        memcpy(k->buf + k->len, line, n);
        k->buf[k->len + n] = '\n';
        k->len += n + 1;
        free(line);
        k->events++;
        return 0;
}

/* The pump's callbacks (cj_sandbox_output). */
static int sink_chunk(void *arg, int stream, const char *buf, size_t len) {
        cj_stream_sink *k = arg;
        int i = stream == 1 ? 0 : 1;
        char joined[CJ_SANDBOX_OUTPUT_CHUNK_MAX + 4];
        if (len > CJ_SANDBOX_OUTPUT_CHUNK_MAX)
                return -E2BIG;
        memcpy(joined, k->carry[i], k->ncarry[i]);
        memcpy(joined + k->ncarry[i], buf, len);
        size_t total = k->ncarry[i] + len;
        size_t bad = 0, tail = 0;
        if (!cj_utf8_valid(joined, total, &bad) && bad + 3 >= total)
                tail = split_tail((const unsigned char *) joined, total);
        k->ncarry[i] = tail;
        memcpy(k->carry[i], joined + total - tail, tail);
        int r = total > tail ? queue_event(k, stream, joined, total - tail) : 0;
        if (r == 0)
                r = push(k, false);
        return r;
}

static int sink_wait_fd(void *arg) {
        cj_stream_sink *k = arg;
        return k->off < k->len ? k->fd : -1;
}

static int sink_flush(void *arg) {
        return push(arg, false);
}

void cj_stream_sink_init(cj_stream_sink *k, int fd, const char *id) {
        *k = (cj_stream_sink){ .fd = fd, .id = id };
        k->out = (cj_sandbox_output){ .chunk = sink_chunk, .wait_fd = sink_wait_fd, .flush = sink_flush, .arg = k };
}

int cj_stream_sink_finish(cj_stream_sink *k) {
        int r = 0;
        for (int i = 0; i < 2 && r == 0; i++) /* a character the call left unfinished */
                if (k->ncarry[i]) {
                        r = queue_event(k, i + 1, k->carry[i], k->ncarry[i]);
                        k->ncarry[i] = 0;
                }
        if (r == 0)
                r = push(k, true);
        free(k->buf);
        k->buf = NULL;
        k->len = k->off = 0;
        return r;
}
