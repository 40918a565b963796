/* SPDX-License-Identifier: MIT */
#include "pump.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"
#include "util/fileio.h"

enum { SLOT_OUT, SLOT_ERR, SLOT_CHAN, SLOT_IN, SLOT_RECV };

#define EOT '\x04' /* the terminal's VEOF as pid 1 leaves it (child.c) */

static void close_fd(int *fd) {
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}

void cj_pump_init(cj_pump *p, const cj_sandbox_config *cfg, int out_rd, int err_rd, int chan) {
        *p = (cj_pump){ .out = cfg->output, .src = { out_rd, err_rd }, .chan = chan, .in = -1 };
        const int dst[2] = { cfg->stdout_fd, cfg->stderr_fd };
        int64_t fsize = cfg->profile->limits.fsize_mb;
        for (int i = 0; i < 2; i++) {
                p->dst[i] = dst[i] >= 0 ? dst[i] : i + 1;
                /* A capture file is capped as the call's own writes to it would be (RLIMIT_FSIZE). */
                p->cap_left[i] = dst[i] >= 0 && fsize >= 0 ? fsize << 20 : -1;
                if (p->src[i] >= 0) {
                        fcntl(p->src[i], F_SETFL, fcntl(p->src[i], F_GETFL) | O_NONBLOCK);
                        (void) fcntl(p->src[i], F_SETPIPE_SZ, (int) CJ_PUMP_PIPE_SIZE); /* else the default 64 KiB */
                }
        }
        if (cfg->pty)
                p->in = cfg->stdin_fd >= 0 ? cfg->stdin_fd : STDIN_FILENO; /* not ours to close */
}

bool cj_pump_active(const cj_pump *p) {
        return p->src[0] >= 0 || p->src[1] >= 0 || p->chan >= 0;
}

static int receiver_wait_fd(const cj_pump *p) {
        return p->out && !p->out_stopped && p->out->wait_fd ? p->out->wait_fd(p->out->arg) : -1;
}

/* A chunk to its capture, then to the receiver. */
static int deliver(cj_pump *p, int i, const char *buf, size_t len) {
        size_t keep = len;
        if (p->cap_left[i] >= 0) {
                keep = (int64_t) len > p->cap_left[i] ? (size_t) p->cap_left[i] : len;
                p->cap_left[i] -= (int64_t) keep;
        }
        int r = keep ? cj_write_all(p->dst[i], buf, keep) : 0;
        if (r < 0)
                return r;
        for (size_t off = 0; off < len && p->out && !p->out_stopped; off += CJ_PUMP_CHUNK)
                if (p->out->chunk(p->out->arg, i + 1, buf + off, len - off < CJ_PUMP_CHUNK ? len - off : CJ_PUMP_CHUNK) < 0)
                        p->out_stopped = true;
        return 0;
}

/* Read one chunk of stream i.  A terminal whose every slave is closed reads EIO: its end. */
static int read_stream(cj_pump *p, int i) {
        char buf[CJ_PUMP_READ_MAX];
        ssize_t n = read(p->src[i], buf, sizeof buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return 0;
        if (n <= 0) {
                close_fd(&p->src[i]);
                return 0;
        }
        return deliver(p, i, buf, (size_t) n);
}

/* pid 1 sends the call's terminal (its master side) once it made it. */
static void receive_terminal(cj_pump *p) {
        int fds[CJ_SANDBOX_PASS_FDS_MAX];
        size_t n = 0;
        int r = cj_chan_recv(p->chan, CJ_CHAN_PTY, NULL, 0, NULL, fds, &n);
        close_fd(&p->chan); /* an error or EOF: pid 1 failed, and says why in the message pipe */
        if (r < 0)
                return;
        for (size_t i = 1; i < n; i++)
                close(fds[i]);
        if (n == 0)
                return;
        p->src[0] = fds[0];
        fcntl(p->src[0], F_SETFL, fcntl(p->src[0], F_GETFL) | O_NONBLOCK);
}

/* Type the call's stdin into its terminal, then end-of-file. */
static void type_input(cj_pump *p) {
        while (p->src[0] >= 0) {
                if (p->in_off < p->in_len) {
                        ssize_t n = write(p->src[0], p->inbuf + p->in_off, p->in_len - p->in_off);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n < 0 && errno == EAGAIN)
                                return;
                        if (n <= 0) { /* the terminal is gone: nobody reads any more */
                                p->in = -1;
                                p->in_len = p->in_off = 0;
                                p->eof_left = 0;
                                return;
                        }
                        if (!p->typing_eot)
                                p->mid_line = p->inbuf[p->in_off + (size_t) n - 1] != '\n';
                        p->in_off += (size_t) n;
                        continue;
                }
                if (p->in >= 0)
                        return; /* more comes when in is readable */
                if (p->eof_left == 0)
                        return;
                p->inbuf[0] = EOT;
                p->in_off = 0;
                p->in_len = 1;
                p->typing_eot = true;
                p->eof_left--;
        }
}

static void read_input(cj_pump *p) {
        ssize_t n = read(p->in, p->inbuf, sizeof p->inbuf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        if (n <= 0) { /* EOF (or unreadable): ^D ends a pending partial line, and one more reads as EOF */
                p->in = -1;
                p->eof_left = p->mid_line ? 2 : 1;
        } else {
                p->in_off = 0;
                p->in_len = (size_t) n;
        }
        type_input(p);
}

static bool input_pending(const cj_pump *p) {
        return p->in_off < p->in_len || (p->in < 0 && p->eof_left > 0);
}

size_t cj_pump_poll(cj_pump *p, struct pollfd *pf) {
        size_t n = 0;
        int wfd = receiver_wait_fd(p);
        for (int i = 0; i < 2; i++) {
                short ev = wfd < 0 ? POLLIN : 0; /* a held receiver stops the reading */
                if (i == 0 && input_pending(p))
                        ev |= POLLOUT;
                if (p->src[i] >= 0 && ev) {
                        p->slot[n] = i == 0 ? SLOT_OUT : SLOT_ERR;
                        pf[n++] = (struct pollfd){ p->src[i], ev, 0 };
                }
        }
        if (p->chan >= 0) {
                p->slot[n] = SLOT_CHAN;
                pf[n++] = (struct pollfd){ p->chan, POLLIN, 0 };
        }
        if (p->in >= 0 && p->src[0] >= 0 && p->in_off >= p->in_len) {
                p->slot[n] = SLOT_IN;
                pf[n++] = (struct pollfd){ p->in, POLLIN, 0 };
        }
        if (wfd >= 0) {
                p->slot[n] = SLOT_RECV;
                pf[n++] = (struct pollfd){ wfd, POLLOUT, 0 };
        }
        p->n_slots = n;
        return n;
}

int cj_pump_handle(cj_pump *p, const struct pollfd *pf) {
        int r = 0;
        for (size_t k = 0; k < p->n_slots && r == 0; k++) {
                short re = pf[k].revents;
                if (!re)
                        continue;
                switch (p->slot[k]) {
                case SLOT_OUT:
                case SLOT_ERR: {
                        int i = p->slot[k] == SLOT_OUT ? 0 : 1;
                        if (i == 0 && (re & POLLOUT))
                                type_input(p);
                        if (p->src[i] >= 0 && (re & (POLLIN | POLLHUP | POLLERR)) && receiver_wait_fd(p) < 0)
                                r = read_stream(p, i);
                        break;
                }
                case SLOT_CHAN:
                        receive_terminal(p);
                        break;
                case SLOT_IN:
                        read_input(p);
                        break;
                case SLOT_RECV:
                        if (p->out->flush(p->out->arg) < 0)
                                p->out_stopped = true;
                        break;
                }
        }
        return r;
}

int cj_pump_finish(cj_pump *p) {
        if (p->chan >= 0)
                receive_terminal(p); /* pid 1 is gone: the message is queued, or EOF */
        p->in = -1;
        p->in_len = p->in_off = 0;
        p->eof_left = 0;
        for (int i = 0; i < 2; i++)
                while (p->src[i] >= 0) {
                        int wfd = receiver_wait_fd(p);
                        if (wfd >= 0) {
                                struct pollfd pf = { wfd, POLLOUT, 0 };
                                if (poll(&pf, 1, -1) < 0 && errno != EINTR)
                                        return -errno;
                                if (pf.revents && p->out->flush(p->out->arg) < 0)
                                        p->out_stopped = true;
                                continue;
                        }
                        char buf[CJ_PUMP_READ_MAX];
                        ssize_t n = read(p->src[i], buf, sizeof buf);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n <= 0) { /* EOF, a terminal's EIO, or EAGAIN: no writer is left */
                                close_fd(&p->src[i]);
                                break;
                        }
                        int r = deliver(p, i, buf, (size_t) n);
                        if (r < 0)
                                return r;
                }
        return 0;
}

void cj_pump_close(cj_pump *p) {
        close_fd(&p->src[0]);
        close_fd(&p->src[1]);
        close_fd(&p->chan);
}
