/* SPDX-License-Identifier: MIT */
/* serve --stdio with several calls in flight.  The parent only reads request
 * lines, answers control operations and writes whole result lines; each call
 * runs in a forked worker through cj_server_handle, exactly as a sequential
 * serve would run it, and sends its result line back over a pipe.  Results
 * therefore come back in completion order, matched by "id".
 *
 *   {"op":"cancel","id":"c7"}                kill call c7 (its sandbox dies with it)
 *   {"op":"charge","tokens":N,"cost_usd":X}  charge the operator's task
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "proto/request.h"
#include "proto/result.h"
#include "result.h"
#include "server.h"
#include "tracker/tracker.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/json.h"

#define CJ_SERVE_QUEUE_MAX 256       /* request lines waiting for a free worker */
#define CJ_SERVE_RESULT_MAX (64u << 20) /* bytes of one worker's result stream */
/* Longest event line: a chunk of CJ_SANDBOX_OUTPUT_CHUNK_MAX bytes, every one
 * a control character escaped as \u00XX, with the id and keys around it. */
#define CJ_SERVE_EVENT_LINE_MAX (CJ_SANDBOX_OUTPUT_CHUNK_MAX * 6 + CJ_REQUEST_ID_MAX * 6 + 256)

typedef struct worker {
        pid_t pid;
        int fd;       /* read end of the worker's result pipe; -1 = slot free */
        char *id;     /* the request's id, for cancel; may be NULL */
        char *buf;    /* result bytes read so far */
        size_t len, cap;
        int lost;     /* -errno once a chunk could not be held: the rest is drained, never sent */
        bool cancelled;
} worker;

typedef struct mux {
        cj_server *s;
        worker *w;
        unsigned max;
        unsigned busy;
        char *queue[CJ_SERVE_QUEUE_MAX];
        size_t qlen[CJ_SERVE_QUEUE_MAX];
        size_t qhead, qn;
        char *in;     /* stdin bytes not yet a whole line */
        size_t inlen, incap;
        bool in_too_long;
        bool eof;
        int out_err; /* the first failed write to stdout, -errno */
} mux;

/* Every line out goes through here or out_bytes: a write that fails (the
 * harness closed our stdout) is remembered, and serve stops taking requests. */
static int out_bytes(mux *m, const char *buf, size_t len) {
        int r = cj_write_all(STDOUT_FILENO, buf, len);
        if (r < 0 && !m->out_err)
                m->out_err = r;
        return r;
}

static int emit_line(mux *m, json_t *j) {
        size_t n;
        _cleanup_free_ char *s = cj_result_line(j, &n);
        json_decref(j);
        /* A line that could not be made is not a write that failed. */
        return s ? out_bytes(m, s, n) : -ENOMEM;
}

static json_t *op_error(const char *op, const char *id, const char *code, const char *msg) {
        json_t *r = json_pack("{s:s, s:s, s:{s:s, s:s}}", "op", op, "status", "error", "error", "code", code,
                              "message", msg);
        if (id)
                json_object_set_new(r, "id", json_string(id));
        return r;
}

/* {"op":"charge"}: charge the operator's task with what the harness spent. */
static json_t *op_charge(mux *m, const json_t *o) {
        if (!m->s->o.task)
                return op_error("charge", NULL, "no_task", "this server runs no task (--task): nothing to charge");
        const json_t *tok = json_object_get(o, "tokens"), *cost = json_object_get(o, "cost_usd");
        if ((tok && (!json_is_integer(tok) || json_integer_value(tok) < 0)) ||
            (cost && (!json_is_number(cost) || json_number_value(cost) < 0 || json_number_value(cost) > 1e9)) ||
            (!tok && !cost))
                return op_error("charge", NULL, "bad_value",
                                "charge takes \"tokens\" (a non-negative integer) and/or \"cost_usd\" (0..1e9)");
        _cleanup_free_ char *state_dir = NULL;
        cj_error err = { 0 };
        cj_task *t = NULL;
        int r = cj_state_dir_resolve(m->s->o.state_dir, &state_dir, &err);
        if (r >= 0)
                r = cj_task_open(state_dir, m->s->o.task, NULL, &t, &err);
        if (r >= 0)
                r = cj_task_charge(t, tok ? json_integer_value(tok) : 0,
                                   cost ? (int64_t) (json_number_value(cost) * 1e6 + 0.5) : 0, &err);
        json_t *res = r < 0 ? op_error("charge", NULL, "clawjail", cj_error_message(&err, r))
                            : json_pack("{s:s, s:s, s:o}", "op", "charge", "status", "ok", "budget",
                                        cj_task_budget_json(t));
        cj_task_free(t);
        return res;
}

static json_t *op_cancel(mux *m, const json_t *o) {
        const char *id = json_string_value(json_object_get(o, "id"));
        if (!id)
                return op_error("cancel", NULL, "bad_value", "cancel needs the \"id\" of a call in flight");
        for (unsigned i = 0; i < m->max; i++)
                if (m->w[i].fd >= 0 && m->w[i].id && strcmp(m->w[i].id, id) == 0) {
                        /* The worker is the call's launcher: its sandbox dies with it. */
                        kill(m->w[i].pid, SIGKILL);
                        m->w[i].cancelled = true;
                        return json_pack("{s:s, s:s, s:s}", "op", "cancel", "id", id, "status", "ok");
                }
        for (size_t k = 0; k < m->qn; k++) {
                size_t q = (m->qhead + k) % CJ_SERVE_QUEUE_MAX;
                json_t *req = m->queue[q] ? json_loadb(m->queue[q], m->qlen[q], 0, NULL) : NULL;
                const char *qid = json_string_value(json_object_get(req, "id"));
                bool hit = qid && strcmp(qid, id) == 0;
                json_decref(req);
                if (hit) {
                        free(m->queue[q]);
                        m->queue[q] = NULL; /* skipped when dequeued */
                        emit_line(m, cj_result_failure(id, "cancelled", "cancelled before it started"));
                        return json_pack("{s:s, s:s, s:s}", "op", "cancel", "id", id, "status", "ok");
                }
        }
        return op_error("cancel", id, "not_found", "no call with this id is in flight or queued");
}

static int start_worker(mux *m, char *line, size_t len) {
        unsigned slot = 0;
        while (slot < m->max && m->w[slot].fd >= 0)
                slot++;
        if (slot == m->max)
                return -EAGAIN;
        /* The id is held before the call starts: a cancel must find it. */
        char *id = NULL;
        json_t *req = json_loadb(line, len, 0, NULL);
        const char *rid = json_string_value(json_object_get(req, "id"));
        if (rid && !(id = strdup(rid))) {
                json_decref(req);
                return -ENOMEM;
        }
        json_decref(req);
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0) {
                int e = errno;
                free(id);
                return -e;
        }
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                close(p[0]);
                close(p[1]);
                free(id);
                return -e;
        }
        if (pid == 0) {
                close(p[0]);
                m->s->stream_fd = p[1]; /* event lines go the result's way, before it */
                int code;
                json_t *res = cj_server_handle(m->s, line, len, &code);
                cj_result_emit(res, p[1]);
                _exit(0);
        }
        close(p[1]);
        m->w[slot] = (worker){ .pid = pid, .fd = p[0], .id = id };
        m->busy++;
        return 0;
}

/* A request line: a control op, or a call to run now or queue. */
static void dispatch(mux *m, char *line, size_t len) {
        if (len == 0 || m->out_err) { /* nobody reads the results: never start a call */
                free(line);
                return;
        }
        json_t *o = json_loadb(line, len, 0, NULL);
        const char *op = json_string_value(json_object_get(o, "op"));
        if (op) {
                json_t *r = strcmp(op, "cancel") == 0   ? op_cancel(m, o)
                            : strcmp(op, "charge") == 0 ? op_charge(m, o)
                                                        : op_error(op, NULL, "bad_op", "op is cancel or charge");
                emit_line(m, r);
                json_decref(o);
                free(line);
                return;
        }
        json_decref(o);
        if (m->busy < m->max && m->qn == 0 && start_worker(m, line, len) == 0) {
                free(line);
                return;
        }
        if (m->qn == CJ_SERVE_QUEUE_MAX) {
                emit_line(m, cj_result_failure(NULL, "busy", "too many requests waiting; wait for results first"));
                free(line);
                return;
        }
        size_t q = (m->qhead + m->qn++) % CJ_SERVE_QUEUE_MAX;
        m->queue[q] = line;
        m->qlen[q] = len;
}

static void drain_queue(mux *m) {
        while (m->qn > 0 && m->busy < m->max) {
                char *line = m->queue[m->qhead];
                size_t len = m->qlen[m->qhead];
                m->queue[m->qhead] = NULL;
                m->qhead = (m->qhead + 1) % CJ_SERVE_QUEUE_MAX;
                m->qn--;
                if (!line)
                        continue; /* cancelled while queued */
                if (start_worker(m, line, len) < 0)
                        emit_line(m, cj_result_failure(NULL, "clawjail", "could not start a worker for a request"));
                free(line);
        }
}

/* An event line (serve_stream.c) is small and has "event"; a result has none. */
static bool is_event_line(const char *line, size_t len) {
        if (len > CJ_SERVE_EVENT_LINE_MAX)
                return false;
        json_t *o = json_loadb(line, len, 0, NULL);
        bool ev = json_is_string(json_object_get(o, "event"));
        json_decref(o);
        return ev;
}

static void finish_worker(mux *m, worker *w) {
        int status;
        while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
                ;
        close(w->fd);
        /* A whole result line is its last; a worker killed mid-line (cancel)
         * leaves a piece, which is dropped: only whole lines go out. */
        if (w->lost && !w->cancelled) {
                /* The call ran (its journal has it), but serve could not hold
                 * its result: say so under its id rather than send a line
                 * with a piece missing. */
                char msg[256];
                snprintf(msg, sizeof msg, "serve could not hold the call's result (%s); the call ran, its result is lost",
                         w->lost == -E2BIG ? "larger than the result limit" : strerror(-w->lost));
                emit_line(m, cj_result_failure(w->id, "clawjail", msg));
        } else if (w->len > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && w->buf[w->len - 1] == '\n')
                out_bytes(m, w->buf, w->len);
        else {
                emit_line(m, cj_result_failure(w->id, w->cancelled ? "cancelled" : "clawjail",
                                            w->cancelled ? "cancelled: the call and its sandbox were killed"
                                                         : "the call's worker died without a result"));
        }
        free(w->id);
        free(w->buf);
        *w = (worker){ .fd = -1 };
        m->busy--;
}

static void read_worker(mux *m, worker *w) {
        char chunk[65536];
        ssize_t n = read(w->fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
                return;
        if (n <= 0) {
                finish_worker(m, w);
                return;
        }
        if (w->lost)
                return; /* drained to its end, so the worker never blocks on a full pipe */
        if (w->len + (size_t) n > CJ_SERVE_RESULT_MAX) /* results are capped far below */
                w->lost = -E2BIG;
        else if (w->len + (size_t) n > w->cap) {
                size_t nc = w->cap ? w->cap * 2 : 65536;
                while (nc < w->len + (size_t) n)
                        nc *= 2;
                char *nb = realloc(w->buf, nc);
                if (!nb)
                        w->lost = -ENOMEM;
                else {
                        w->buf = nb;
                        w->cap = nc;
                }
        }
        if (w->lost) {
                free(w->buf);
                w->buf = NULL;
                w->len = w->cap = 0;
                return;
        }
        memcpy(w->buf + w->len, chunk, (size_t) n);
        w->len += (size_t) n;
        /* Event lines of a streaming call go out as they come, whole, in
         * this worker's order; its result line (the last it writes) waits
         * for the end, which tells a result from a worker that died mid-way. */
        size_t out = 0;
        for (;;) {
                char *nl = memchr(w->buf + out, '\n', w->len - out);
                if (!nl || !is_event_line(w->buf + out, (size_t) (nl - (w->buf + out))))
                        break;
                out = (size_t) (nl - w->buf) + 1;
        }
        if (out == 0)
                return;
        out_bytes(m, w->buf, out);
        memmove(w->buf, w->buf + out, w->len - out);
        w->len -= out;
}

/* Split stdin bytes into lines; a line over CJ_REQUEST_MAX is answered as too large. */
static int read_stdin(mux *m) {
        char chunk[65536];
        ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
        if (n < 0)
                return errno == EINTR ? 0 : -errno;
        if (n == 0) {
                m->eof = true;
                if (m->inlen > 0 && !m->in_too_long) {
                        char *line = strndup(m->in, m->inlen);
                        if (!line)
                                return -ENOMEM; /* the last request is not dropped silently */
                        dispatch(m, line, m->inlen);
                }
                m->inlen = 0;
                return 0;
        }
        for (ssize_t i = 0; i < n; i++) {
                char c = chunk[i];
                if (c == '\n') {
                        if (m->in_too_long) {
                                cj_proto_error perr = { .code = CJ_PROTO_TOO_LARGE };
                                snprintf(perr.message, sizeof perr.message, "request line longer than %u bytes",
                                         CJ_REQUEST_MAX);
                                cj_server_reject_unread(m->s, &perr);
                                emit_line(m, cj_proto_error_result_from(&perr));
                        } else {
                                char *line = strndup(m->in ? m->in : "", m->inlen);
                                if (!line)
                                        return -ENOMEM;
                                dispatch(m, line, m->inlen);
                        }
                        m->inlen = 0;
                        m->in_too_long = false;
                        continue;
                }
                if (m->in_too_long)
                        continue;
                if (m->inlen >= CJ_REQUEST_MAX) {
                        m->in_too_long = true;
                        continue;
                }
                if (m->inlen + 1 > m->incap) {
                        size_t nc = m->incap ? m->incap * 2 : 65536;
                        char *nb = realloc(m->in, nc);
                        if (!nb)
                                return -ENOMEM;
                        m->in = nb;
                        m->incap = nc;
                }
                m->in[m->inlen++] = c;
        }
        return 0;
}

int cj_serve_concurrent(cj_server *s, unsigned max) {
        mux m = { .s = s, .max = max, .w = calloc(max, sizeof(worker)) };
        if (!m.w)
                return cj_cli_fail("serve: out of memory");
        for (unsigned i = 0; i < max; i++)
                m.w[i].fd = -1;
        int ret = 0;
        struct pollfd *pfd = calloc(max + 1, sizeof *pfd);
        worker **who = calloc(max + 1, sizeof *who);
        if (!pfd || !who) {
                ret = cj_cli_fail("serve: out of memory");
                goto out;
        }
        while (!m.eof || m.busy > 0 || m.qn > 0) {
                if (m.out_err) {
                        /* Nobody reads the results: start nothing more (what is
                         * queued never ran); the calls in flight end as usual. */
                        m.eof = true;
                        for (; m.qn > 0; m.qn--, m.qhead = (m.qhead + 1) % CJ_SERVE_QUEUE_MAX)
                                free(TAKE_PTR(m.queue[m.qhead]));
                }
                drain_queue(&m);
                nfds_t n = 0;
                /* Stop reading while the queue is full: the harness waits on us. */
                if (!m.eof && m.qn < CJ_SERVE_QUEUE_MAX) {
                        who[n] = NULL;
                        pfd[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
                }
                for (unsigned i = 0; i < max; i++)
                        if (m.w[i].fd >= 0) {
                                who[n] = &m.w[i];
                                pfd[n++] = (struct pollfd){ .fd = m.w[i].fd, .events = POLLIN };
                        }
                if (n == 0)
                        break;
                if (poll(pfd, n, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        ret = cj_cli_fail("serve: poll: %s", strerror(errno));
                        break;
                }
                for (nfds_t i = 0; i < n; i++) {
                        if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                                continue;
                        if (pfd[i].fd == STDIN_FILENO && !who[i]) {
                                int r = read_stdin(&m);
                                if (r < 0) {
                                        ret = cj_cli_fail("serve: reading requests: %s", strerror(-r));
                                        m.eof = true;
                                }
                        } else
                                read_worker(&m, who[i]);
                }
        }
        if (m.out_err && ret == 0)
                ret = cj_cli_fail("serve: writing results: %s", strerror(-m.out_err));
out:
        for (size_t k = 0; k < CJ_SERVE_QUEUE_MAX; k++)
                free(m.queue[k]);
        free(m.in);
        free(m.w);
        free(pfd);
        free(who);
        return ret;
}
