/* SPDX-License-Identifier: MIT */
/* Opaque tunnels relayed by the kernel (sockmap.h, docs/network.md): linking
 * a checked CONNECT tunnel, ending it as splice would, and the rare bytes
 * the program hands back (the budget ran short, or they came too early).
 *
 * Order is kept by one rule: bytes the proxy itself writes to a socket go
 * after everything the kernel forwarded there, so before writing (and
 * before a shutdown) the proxy waits until the socket has queued the
 * forwarded count.  The program stops a direction for good once it hands a
 * chunk back, so nothing forwarded can follow what the proxy writes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"

#define SM_EVENTS (EPOLLIN | EPOLLRDHUP | EPOLLET) /* the kernel writes: no EPOLLOUT wakeups */
#define SM_POLL_MAX_MS 32 /* longest pause between checks that the kernel has sent what it forwarded */
/* Send buffer of a linked tunnel's sockets (SO_SNDBUFFORCE: the relay needs
 * CAP_NET_ADMIN anyway).  The kernel's egress, a workqueue, backs off a whole
 * tick whenever the destination's buffer is full; with the autotuned size a
 * download ran at 31-52 % of direct, with this one at 71-98 % (docs/network.md). */
#define SM_SNDBUF (16 << 20)

const char *cj_net_relay_mode(char *why, size_t why_len) {
        const char *relay = getenv("CLAWJAIL_NET_RELAY");
        bool want = relay && strcmp(relay, "kernel") == 0;
        cj_sockmap *m = NULL;
        const char *step = "";
        int r = cj_sockmap_new(1, &m, &step);
        cj_sockmap_free(m);
        if (r == 0) {
                snprintf(why, why_len, want ? "CLAWJAIL_NET_RELAY=kernel: CONNECT tunnels through a BPF sockmap"
                                            : "CLAWJAIL_NET_RELAY=kernel would relay CONNECT tunnels in the kernel: less "
                                              "proxy CPU, slower downloads, no back-pressure (docs/network.md)");
                return want ? "in-kernel" : "proxy thread";
        }
        snprintf(why, why_len, "%sthe in-kernel relay needs root with CAP_BPF and CAP_NET_ADMIN: %s: %s",
                 want ? "CLAWJAIL_NET_RELAY=kernel, but " : "", step, strerror(-r));
        return "proxy thread";
}

static bool sm_ready(cj_net_proxy *px) {
        if (px->sm)
                return true;
        if (px->sm_err)
                return false;
        if (!px->want_kernel) {
                px->sm_err = -ENOTSUP;
                return false;
        }
        const char *step = ""; /* doctor says why, through cj_net_relay_mode */
        int r = cj_sockmap_new(CJ_NET_CONNS_MAX, &px->sm, &step);
        if (r < 0) {
                px->sm_err = r;
                return false;
        }
        /* From now on the program and the proxy share the budget. */
        cj_sockmap_budget *w = cj_sockmap_budget_word(px->sm);
        w->left = px->budget->left;
        w->limited = px->budget->limited;
        px->budget = w;
        return true;
}

static int pending(int fd) {
        int n = 0;
        return ioctl(fd, FIONREAD, &n) < 0 ? -errno : n;
}

static void set_events(cj_net_proxy *px, conn *c, uint32_t events) {
        struct epoll_event e = { .events = events, .data.ptr = &c->ci };
        epoll_ctl(px->epfd, EPOLL_CTL_MOD, c->cfd, &e);
        e.data.ptr = &c->ui;
        epoll_ctl(px->epfd, EPOLL_CTL_MOD, c->ufd, &e);
}

/* Bytes the socket has for a reader (queued before the link, or handed
 * back by the program): 1, 0, or -errno. */
static int readable(int fd) {
        char b;
        ssize_t n = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n > 0)
                return 1;
        return n == 0 || errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
}

/* Called with the checked ClientHello still to go upstream (c->out): the
 * server cannot answer before it has it, so nothing is in flight from it;
 * the client's bytes are held (handed to the proxy) until the hello is out. */
bool cj_net_tunnel_link(cj_net_proxy *px, conn *c) {
        c->pair_tried = true;
        if (!sm_ready(px))
                return false;
        /* Bytes already queued would wait for more to arrive: splice those. */
        if (pending(c->cfd) != 0 || pending(c->ufd) != 0)
                return false;
        size_t pair = 0;
        while (pair < CJ_NET_CONNS_MAX && px->pair_used[pair])
                pair++;
        if (pair == CJ_NET_CONNS_MAX)
                return false;
        int64_t bu = cj_sockmap_sent(c->ufd), bc = cj_sockmap_sent(c->cfd);
        if (bu < 0 || bc < 0 || cj_sockmap_link(px->sm, pair, c->cfd, c->ufd, true) < 0)
                return false;
        px->pair_used[pair] = true;
        c->pair = (int) pair;
        c->sm_base[0] = bu;
        c->sm_base[1] = bc;
        c->sm_hold = true;
        /* A server that spoke between the check and the link: its bytes sit
         * in the queue until more arrive, so that direction is the proxy's. */
        if (readable(c->ufd) != 0)
                cj_sockmap_stop(px->sm, pair, 1);
        int *fds[] = { &c->up[0], &c->up[1], &c->down[0], &c->down[1] };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(fds); i++) {
                close(*fds[i]);
                *fds[i] = -1;
        }
        int sb = SM_SNDBUF; /* best effort: a smaller buffer only sends slower */
        setsockopt(c->cfd, SOL_SOCKET, SO_SNDBUFFORCE, &sb, sizeof sb);
        setsockopt(c->ufd, SOL_SOCKET, SO_SNDBUFFORCE, &sb, sizeof sb);
        c->ev.in_kernel = true;
        return true;
}

/* The hello goes upstream before anything the kernel forwards; then the
 * client's direction is released to the kernel unless it already sent
 * something (the proxy relays that direction then).  false: c ends. */
static bool send_hello(cj_net_proxy *px, conn *c, bool *progress) {
        if (c->out_off < c->out_len) {
                ssize_t n = write(c->ufd, c->out + c->out_off, c->out_len - c->out_off);
                if (n < 0)
                        return errno == EAGAIN || errno == EINTR; /* EPOLLOUT resumes */
                c->out_off += (size_t) n;
                c->sm_wrote[0] += (uint64_t) n;
                *progress = true;
                if (c->out_off < c->out_len)
                        return true;
        }
        int k = readable(c->cfd);
        if (k < 0)
                return false;
        if (k == 0)
                cj_sockmap_go(px->sm, (size_t) c->pair, 0);
        c->sm_hold = false;
        if (!cj_sockmap_stopped(px->sm, (size_t) c->pair, 0) && !cj_sockmap_stopped(px->sm, (size_t) c->pair, 1))
                set_events(px, c, SM_EVENTS); /* the kernel relays both ways: no EPOLLOUT wakeups */
        else
                c->sm_copying = true;
        return true;
}

/* 1: dir's destination has queued all the kernel forwarded and the proxy
 * wrote; 0: not yet (poll again; *left grows to the bytes still to go); -errno. */
static int drained(cj_net_proxy *px, conn *c, int d, int64_t *left) {
        int64_t sent = cj_sockmap_sent(d == 0 ? c->ufd : c->cfd);
        if (sent < 0)
                return (int) sent;
        int64_t rest = c->sm_base[d] + (int64_t) cj_sockmap_bytes(px->sm, (size_t) c->pair, d) +
                       (int64_t) c->sm_wrote[d] - sent;
        if (rest <= 0)
                return 1;
        if (rest > *left)
                *left = rest;
        return 0;
}

/* The next check comes when the bytes still to go should be through at the
 * rate seen since the last check (1 ms to SM_POLL_MAX_MS: a FIN must not
 * wait long behind the kernel's tail); with no rate to go by, after twice
 * the last pause.  The loop sleeps until the earliest check is due
 * (cj_net_tunnel_timeout), not 1 ms at a time. */
static void wait_more(cj_net_proxy *px, conn *c, int64_t left) {
        int64_t now = cj_net_now_ms();
        if (c->sm_wait_ms == 0) {
                px->n_sm_wait++;
                c->sm_wait_ms = 1;
        } else if (left >= 0 && c->sm_left > left && now > c->sm_checked_ms) {
                int64_t per_ms = (c->sm_left - left) / (now - c->sm_checked_ms);
                int64_t ms = per_ms > 0 ? left / per_ms : SM_POLL_MAX_MS;
                c->sm_wait_ms = (int) (ms < 1 ? 1 : ms > SM_POLL_MAX_MS ? SM_POLL_MAX_MS : ms);
        } else if (c->sm_wait_ms < SM_POLL_MAX_MS)
                c->sm_wait_ms *= 2;
        c->sm_left = left;
        c->sm_checked_ms = now;
        c->sm_next_ms = now + c->sm_wait_ms;
}

int cj_net_tunnel_timeout(const cj_net_proxy *px, int ms) {
        if (px->n_sm_wait == 0)
                return ms;
        int64_t now = cj_net_now_ms();
        for (const conn *c = px->conns; c; c = c->next)
                if (c->sm_wait_ms && c->sm_next_ms - now < ms)
                        ms = c->sm_next_ms <= now ? 0 : (int) (c->sm_next_ms - now);
        return ms;
}

static void wait_done(cj_net_proxy *px, conn *c) {
        if (c->sm_wait_ms) {
                px->n_sm_wait--;
                c->sm_wait_ms = 0;
        }
}

/* Relay what the program handed to the proxy in direction d: -1 ends the
 * connection (reason set), 0 otherwise; *waiting (and *left) when the kernel must send first. */
static int copy_dir(cj_net_proxy *px, conn *c, int d, bool *progress, bool *waiting, int64_t *left) {
        int src = d == 0 ? c->cfd : c->ufd, dst = d == 0 ? c->ufd : c->cfd;
        cj_net_chunk *b = &c->sm_copy[d];
        for (;;) {
                if (b->off < b->len) {
                        int k = drained(px, c, d, left);
                        if (k < 0) {
                                cj_net_conn_reason(c, "error", "the tunnel's socket failed");
                                return -1;
                        }
                        if (k == 0) {
                                *waiting = true;
                                return 0;
                        }
                        ssize_t n = write(dst, b->buf + b->off, b->len - b->off);
                        if (n < 0)
                                return errno == EAGAIN || errno == EINTR ? 0 : -1; /* EPOLLOUT resumes */
                        b->off += (size_t) n;
                        c->sm_wrote[d] += (uint64_t) n;
                        *progress = true;
                        if (b->off < b->len)
                                return 0;
                        b->off = b->len = 0;
                }
                if (c->sm_eof[d])
                        return 0;
                size_t want = cj_net_budget_take(px, PLAIN_CHUNK);
                if (want == 0) {
                        cj_net_conn_reason(c, "budget_exhausted", "the task's net_bytes budget is exhausted");
                        px->sum.budget_exhausted = true;
                        return -1;
                }
                if (!b->buf && !(b->buf = malloc(PLAIN_CHUNK))) {
                        cj_net_budget_give(px, want);
                        return -1;
                }
                ssize_t n = read(src, b->buf, want);
                cj_net_budget_give(px, want - (n > 0 ? (size_t) n : 0));
                if (n == 0) {
                        c->sm_eof[d] = *progress = true;
                        return 0;
                }
                if (n < 0)
                        return errno == EAGAIN || errno == EINTR ? 0 : -1;
                /* Handed back by the program (it stops the direction for good)
                 * or queued before the link: the proxy relays the rest. */
                cj_sockmap_stop(px->sm, (size_t) c->pair, d);
                if (!c->sm_copying) {
                        c->sm_copying = true;
                        set_events(px, c, CONN_EVENTS);
                }
                if (d == 0)
                        c->ev.bytes_up += (uint64_t) n;
                else
                        c->ev.bytes_down += (uint64_t) n;
                b->len = (size_t) n;
                b->off = 0;
                *progress = true;
        }
}

bool cj_net_tunnel_pump(cj_net_proxy *px, conn *c, bool *progress) {
        bool waiting = false;
        int64_t left = -1; /* the most bytes still to go where the kernel must send first */
        if (c->sm_wait_ms && cj_net_now_ms() < c->sm_next_ms)
                return true; /* the next check is due later */
        if (c->sm_hold) {
                if (!send_hello(px, c, progress))
                        return false;
                if (c->sm_hold)
                        return true;
        }
        for (int d = 0; d < 2; d++)
                if (copy_dir(px, c, d, progress, &waiting, &left) < 0)
                        return false;
        /* The client is done: once the server has all of it, say so. */
        if (c->sm_eof[0] && !c->u_shut && c->sm_copy[0].len == 0) {
                int k = drained(px, c, 0, &left);
                if (k < 0)
                        return false;
                if (k) {
                        shutdown(c->ufd, SHUT_WR);
                        c->u_shut = *progress = true;
                } else
                        waiting = true;
        }
        /* The server is done: the connection ends once the client's socket
         * has everything it said (as with splice). */
        if (c->sm_eof[1] && c->sm_copy[1].len == 0) {
                int k = drained(px, c, 1, &left);
                if (k != 0)
                        return false;
                waiting = true;
        }
        if (waiting)
                wait_more(px, c, left);
        else
                wait_done(px, c);
        return true;
}

void cj_net_tunnel_close(cj_net_proxy *px, conn *c) {
        if (c->pair < 0)
                return;
        c->ev.bytes_up += cj_sockmap_bytes(px->sm, (size_t) c->pair, 0);
        c->ev.bytes_down += cj_sockmap_bytes(px->sm, (size_t) c->pair, 1);
        cj_sockmap_unlink(px->sm, (size_t) c->pair);
        px->pair_used[c->pair] = false;
        c->pair = -1;
        wait_done(px, c);
        for (int d = 0; d < 2; d++) {
                free(c->sm_copy[d].buf);
                c->sm_copy[d].buf = NULL;
        }
}
