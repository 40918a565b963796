/* SPDX-License-Identifier: MIT */
#include "proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "tls.h"

int64_t cj_net_now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- setup --------------------------------------------------------------- */

static int add_env(cj_net_proxy *px, const char *name, const char *value) {
        return cj_strv_push(&px->env_names, name) < 0 || cj_strv_push(&px->env_values, value) < 0 ? -ENOMEM : 0;
}

int cj_net_proxy_new(const cj_net_policy *pol, int64_t byte_budget, cj_net_proxy **out, cj_error *err) {
        cj_net_proxy *px = calloc(1, sizeof *px);
        if (!px)
                return cj_error_set(err, ENOMEM, "out of memory");
        *px = (cj_net_proxy){ .pol = pol, .chan = { -1, -1 }, .epfd = -1, .stopfd = -1 };
        px->budget_own = (cj_sockmap_budget){ .left = byte_budget < 0 ? 0 : byte_budget, .limited = byte_budget >= 0 };
        px->budget = &px->budget_own;
        const char *relay = getenv("CLAWJAIL_NET_RELAY"); /* read here: the proxy's thread never calls getenv */
        px->want_kernel = relay && strcmp(relay, "kernel") == 0;
        int r = 0;
        if (pol->mode == CJ_NET_PROXY) {
                px->ports[px->n_ports++] = CJ_NET_PROXY_PORT;
                px->proxy_first = true;
                char url[64];
                snprintf(url, sizeof url, "http://127.0.0.1:%d", CJ_NET_PROXY_PORT);
                static const char *const names[] = { "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                                                     "http_proxy", "https_proxy", "all_proxy" };
                for (size_t i = 0; i < CJ_ARRAY_SIZE(names) && r >= 0; i++)
                        r = add_env(px, names[i], url);
                if (r >= 0)
                        r = add_env(px, "NO_PROXY", "localhost,127.0.0.1");
                if (r >= 0)
                        r = add_env(px, "no_proxy", "localhost,127.0.0.1");
                if (r < 0) {
                        cj_net_proxy_free(px);
                        return cj_error_set(err, ENOMEM, "out of memory");
                }
        }
        for (size_t i = 0; i < pol->n_loopback_ports; i++)
                px->ports[px->n_ports++] = pol->loopback_ports[i];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, px->chan) < 0 ||
            (px->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 || (px->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
                r = cj_error_seterrno(err, errno, "network proxy setup");
                cj_net_proxy_free(px);
                return r;
        }
        px->stop_item.type = IT_STOP;
        px->chan_item.type = IT_CHAN;
        px->resolved_item.type = IT_RESOLVED;
        struct epoll_event e1 = { .events = EPOLLIN, .data.ptr = &px->stop_item };
        struct epoll_event e2 = { .events = EPOLLIN, .data.ptr = &px->chan_item };
        if (epoll_ctl(px->epfd, EPOLL_CTL_ADD, px->stopfd, &e1) < 0 ||
            epoll_ctl(px->epfd, EPOLL_CTL_ADD, px->chan[0], &e2) < 0) {
                r = cj_error_seterrno(err, errno, "epoll_ctl");
                cj_net_proxy_free(px);
                return r;
        }
        *out = px;
        return 0;
}

int cj_net_proxy_sandbox_fd(const cj_net_proxy *px) {
        return px->chan[1];
}

size_t cj_net_proxy_ports(const cj_net_proxy *px, const uint16_t **ports) {
        *ports = px->ports;
        return px->n_ports;
}

size_t cj_net_proxy_env(const cj_net_proxy *px, char *const **names, char *const **values) {
        *names = px->env_names;
        *values = px->env_values;
        return cj_strv_len(px->env_names);
}

/* ---- recording ----------------------------------------------------------- */

static void record(cj_net_proxy *px, cj_net_event *ev) {
        cj_net_summary *s = &px->sum;
        s->bytes_up += ev->bytes_up;
        s->bytes_down += ev->bytes_down;
        if (strcmp(ev->verdict, "allowed") == 0)
                s->allowed++;
        else
                s->denied++; /* denied, failed or cut by the budget */
        if (s->n_events >= CJ_NET_EVENTS_MAX) {
                s->more++;
                s->more_bytes_up += ev->bytes_up;
                s->more_bytes_down += ev->bytes_down;
                return;
        }
        if (s->n_events % 16 == 0) {
                cj_net_event *n = realloc(s->events, (s->n_events + 16) * sizeof *n);
                if (!n) {
                        s->more++;
                        return;
                }
                s->events = n;
        }
        s->events[s->n_events++] = *ev;
}

void cj_net_conn_reason(conn *c, const char *verdict, const char *reason) {
        if (strcmp(c->ev.verdict, "allowed") != 0 && c->ev.reason[0])
                return; /* the first reason stands */
        c->ev.verdict = verdict;
        snprintf(c->ev.reason, sizeof c->ev.reason, "%s", reason);
}

void cj_net_conn_close(cj_net_proxy *px, conn *c) {
        if (c->lookup) {
                cj_net_resolver_cancel(px->resolver, c->lookup);
                c->lookup = NULL;
        }
        cj_net_tunnel_close(px, c); /* adds the bytes the kernel relayed */
        c->ev.duration_ms = cj_net_now_ms() - c->start_ms;
        record(px, &c->ev);
        int fds[] = { c->cfd, c->ufd, c->up[0], c->up[1], c->down[0], c->down[1] };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(fds); i++)
                if (fds[i] >= 0)
                        close(fds[i]); /* closing drops the fd from the epoll set */
        if (c->prev)
                c->prev->next = c->next;
        else
                px->conns = c->next;
        if (c->next)
                c->next->prev = c->prev;
        px->n_conns--;
        free(c->buf);
        free(c->out);
        c->buf = c->out = NULL;
        if (c->out_piece.buf)
                cj_net_piece_put(px, TAKE_PTR(c->out_piece.buf));
        c->dead = true;
        c->next = px->dead;
        px->dead = c;
        if (!px->accepting) {
                px->accepting = true;
                for (size_t i = 0; i < px->n_listen; i++) {
                        struct epoll_event e = { .events = EPOLLIN, .data.ptr = &px->listen_item[i] };
                        epoll_ctl(px->epfd, EPOLL_CTL_MOD, px->listen_fd[i], &e);
                }
        }
}

/* Refuse with an HTTP status (before any tunnel exists), then close. */
void cj_net_conn_deny(cj_net_proxy *px, conn *c, int status, const char *verdict, const char *reason) {
        cj_net_conn_reason(c, verdict, reason);
        char body[512], resp[1024];
        const char *text = status == 403 ? "Forbidden" : status == 400 ? "Bad Request" : status == 504 ? "Gateway Timeout"
                                                                                                      : "Bad Gateway";
        int bl = snprintf(body, sizeof body, "clawjail: %s%s%s:%u %s: %s\n", c->req.connect ? "CONNECT " : "",
                          c->ev.host[0] ? "" : "?", c->ev.host, c->ev.port, verdict, reason);
        int rl = snprintf(resp, sizeof resp,
                          "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                          "X-Clawjail-Denied: %s\r\nContent-Length: %d\r\n\r\n%s",
                          status, text, reason, bl, body);
        if (rl > 0 && (size_t) rl < sizeof resp)
                (void) !write(c->cfd, resp, (size_t) rl); /* small, into an empty socket buffer */
        cj_net_conn_close(px, c);
}

static void on_accept(cj_net_proxy *px, int idx) {
        if (px->n_conns >= CJ_NET_CONNS_MAX) {
                /* Leave the rest in the backlog until a connection closes. */
                px->accepting = false;
                for (size_t i = 0; i < px->n_listen; i++) {
                        struct epoll_event e = { .events = 0, .data.ptr = &px->listen_item[i] };
                        epoll_ctl(px->epfd, EPOLL_CTL_MOD, px->listen_fd[i], &e);
                }
                return;
        }
        int fd = accept4(px->listen_fd[idx], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
                return;
        conn *c = calloc(1, sizeof *c);
        bool proxy = px->proxy_first && idx == 0;
        if (c && proxy && !(c->buf = malloc(CJ_TLS_HELLO_MAX))) {
                free(c);
                c = NULL;
        }
        if (!c) {
                close(fd);
                return;
        }
        *c = (conn){ .buf = c->buf, .cap = CJ_HTTP_HEAD_MAX, .cfd = fd, .ufd = -1, .up = { -1, -1 }, .down = { -1, -1 },
                     .start_ms = cj_net_now_ms(), .phase = P_HEAD, .pair = -1 };
        c->ev = (cj_net_event){ .kind = "http", .verdict = "allowed" };
        c->deadline_ms = c->start_ms + CJ_NET_HEAD_TIMEOUT_MS;
        c->next = px->conns;
        if (px->conns)
                px->conns->prev = c;
        px->conns = c;
        px->n_conns++;
        c->ci = (item){ .type = IT_CLIENT, .c = c };
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        /* Best effort: where it is refused the host's default stays. */
        setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, CLIENT_LEG_CC, sizeof CLIENT_LEG_CC - 1);
        struct epoll_event e = { .events = CONN_EVENTS, .data.ptr = &c->ci };
        epoll_ctl(px->epfd, EPOLL_CTL_ADD, fd, &e);
        if (!proxy)
                cj_net_conn_forward(px, c, px->ports[idx]);
}

/* pid 1 sends the listening sockets, in the order of px->ports. */
static void on_chan(cj_net_proxy *px) {
        char data[1];
        char ctl[CMSG_SPACE(sizeof(int) * (CJ_NET_PORTS_MAX + 1))];
        struct iovec iov = { data, sizeof data };
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl };
        ssize_t n = recvmsg(px->chan[0], &m, MSG_CMSG_CLOEXEC);
        epoll_ctl(px->epfd, EPOLL_CTL_DEL, px->chan[0], NULL);
        if (n <= 0)
                return;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
                if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                int *fds = (int *) CMSG_DATA(cm);
                for (size_t i = 0; i < k; i++) {
                        if (px->n_listen >= px->n_ports) {
                                close(fds[i]);
                                continue;
                        }
                        size_t idx = px->n_listen++;
                        px->listen_fd[idx] = fds[i];
                        fcntl(fds[i], F_SETFL, O_NONBLOCK);
                        px->listen_item[idx] = (item){ .type = IT_LISTEN, .idx = (int) idx };
                        struct epoll_event e = { .events = EPOLLIN, .data.ptr = &px->listen_item[idx] };
                        epoll_ctl(px->epfd, EPOLL_CTL_ADD, fds[i], &e);
                }
        }
        px->accepting = true;
}

static void sweep_timeouts(cj_net_proxy *px) {
        int64_t now = cj_net_now_ms();
        for (conn *c = px->conns, *next; c; c = next) {
                next = c->next;
                if (c->phase == P_RELAY || now < c->deadline_ms)
                        continue;
                if (c->phase == P_RESOLVING) {
                        char why[CJ_NET_REASON_MAX];
                        snprintf(why, sizeof why, "resolving the name timed out (%d ms)", CJ_NET_RESOLVE_TIMEOUT_MS);
                        cj_net_conn_deny(px, c, 504, "error", why);
                } else if (c->phase == P_CONNECTING)
                        cj_net_conn_deny(px, c, 504, "error", "connect timed out");
                else {
                        cj_net_conn_reason(c, "denied", c->phase == P_HEAD ? "timed out waiting for a request"
                                                                   : "timed out waiting for a TLS ClientHello");
                        cj_net_conn_close(px, c);
                }
        }
}

static void free_dead(cj_net_proxy *px) {
        while (px->dead) {
                conn *c = px->dead;
                px->dead = c->next;
                free(c);
        }
}

static void *proxy_main(void *arg) {
        cj_net_proxy *px = arg;
        for (;;) {
                struct epoll_event evs[64];
                /* Events, a tunnel's check when it is due, the timeouts each second. */
                int n = epoll_wait(px->epfd, evs, 64, cj_net_tunnel_timeout(px, 1000));
                for (int i = 0; i < n; i++) {
                        item *it = evs[i].data.ptr;
                        switch (it->type) {
                        case IT_STOP:
                                return NULL;
                        case IT_CHAN:
                                on_chan(px);
                                break;
                        case IT_LISTEN:
                                on_accept(px, it->idx);
                                break;
                        case IT_RESOLVED:
                                cj_net_resolver_drain(px->resolver, cj_net_conn_resolved, px);
                                break;
                        case IT_CLIENT:
                        case IT_UPSTREAM: {
                                conn *c = it->c;
                                if (c->dead) /* closed by an earlier event of this batch */
                                        break;
                                if ((evs[i].events & EPOLLERR) ||
                                    (it->type == IT_CLIENT && (evs[i].events & EPOLLHUP))) {
                                        if (c->phase == P_CONNECTING && it->type == IT_UPSTREAM)
                                                cj_net_conn_connected(px, c); /* says why the connect failed */
                                        else {
                                                if (c->phase != P_RELAY)
                                                        cj_net_conn_reason(c, "denied", "the client went away");
                                                cj_net_conn_close(px, c);
                                        }
                                } else if (it->type == IT_UPSTREAM && c->phase == P_CONNECTING)
                                        cj_net_conn_connected(px, c);
                                else {
                                        cj_net_conn_ready(c, it->type == IT_CLIENT, evs[i].events);
                                        cj_net_conn_pump(px, c);
                                }
                                break;
                        }
                        }
                }
                if (px->n_sm_wait)
                        for (conn *c = px->conns, *next; c; c = next) {
                                next = c->next;
                                if (c->sm_wait_ms)
                                        cj_net_conn_pump(px, c);
                        }
                sweep_timeouts(px);
                free_dead(px);
        }
}

int cj_net_proxy_watch_fd(const cj_net_proxy *px) {
        return px->epfd;
}

int cj_net_proxy_watch(void *arg, cj_error *err) {
        cj_net_proxy *px = arg;
        struct epoll_event evs[CJ_NET_PORTS_MAX + 2];
        int n = epoll_wait(px->epfd, evs, (int) CJ_ARRAY_SIZE(evs), 0);
        bool work = false;
        for (int i = 0; i < n; i++) {
                const item *it = evs[i].data.ptr;
                if (it->type == IT_CHAN)
                        on_chan(px);
                else
                        work = true; /* level-triggered: the thread's epoll_wait sees it again */
        }
        if (!work)
                return 1;
        int r = pthread_create(&px->thread, NULL, proxy_main, px);
        if (r != 0)
                return cj_error_seterrno(err, r, "start the network proxy's thread");
        px->started = true;
        return 0;
}

int cj_net_proxy_finish(cj_net_proxy *px, cj_net_summary *sum) {
        if (px->started) {
                uint64_t one = 1;
                (void) !write(px->stopfd, &one, sizeof one);
                pthread_join(px->thread, NULL);
                px->started = false;
        }
        while (px->conns) {
                conn *c = px->conns;
                if (c->phase != P_RELAY && strcmp(c->ev.verdict, "allowed") == 0)
                        cj_net_conn_reason(c, "denied", "the call ended before the connection was set up");
                cj_net_conn_close(px, c);
        }
        free_dead(px);
        free(TAKE_PTR(px->spare_piece));
        if (px->sm) { /* every pair is unlinked: the budget is the proxy's alone again */
                px->budget_own.left = px->budget->left;
                px->budget = &px->budget_own;
                cj_sockmap_free(px->sm);
                px->sm = NULL;
        }
        cj_net_resolver_free(px->resolver); /* kills any lookup still running */
        px->resolver = NULL;
        *sum = px->sum;
        px->sum = (cj_net_summary){ 0 };
        return 0;
}

void cj_net_proxy_free(cj_net_proxy *px) {
        if (!px)
                return;
        cj_net_summary discard;
        cj_net_proxy_finish(px, &discard);
        cj_net_summary_clear(&discard);
        for (size_t i = 0; i < px->n_listen; i++)
                close(px->listen_fd[i]);
        int fds[] = { px->chan[0], px->chan[1], px->epfd, px->stopfd };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(fds); i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        cj_strv_free(px->env_names);
        cj_strv_free(px->env_values);
        free(px);
}

void cj_net_summary_clear(cj_net_summary *sum) {
        free(sum->events);
        *sum = (cj_net_summary){ 0 };
}

/* ---- JSON ---------------------------------------------------------------- */

json_t *cj_net_event_json(const cj_net_event *ev) {
        json_t *j = json_pack("{s:s,s:i,s:s,s:s,s:I,s:I,s:I}", "host", ev->host, "port", ev->port, "kind", ev->kind,
                              "verdict", ev->verdict, "bytes_up", (json_int_t) ev->bytes_up, "bytes_down",
                              (json_int_t) ev->bytes_down, "duration_ms", (json_int_t) ev->duration_ms);
        if (j && ev->addr[0])
                json_object_set_new(j, "address", json_string(ev->addr));
        if (j && ev->reason[0])
                json_object_set_new(j, "reason", json_string(ev->reason));
        if (j && ev->in_kernel)
                json_object_set_new(j, "relay", json_string("kernel"));
        return j;
}

json_t *cj_net_summary_json(const cj_net_summary *sum, const cj_net_policy *pol) {
        json_t *list = json_array();
        /* Denied ones first: they are what an agent needs to see. */
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < sum->n_events && json_array_size(list) < RESULT_EVENTS_MAX; i++) {
                        bool denied = strcmp(sum->events[i].verdict, "allowed") != 0;
                        if (denied == (pass == 0))
                                json_array_append_new(list, cj_net_event_json(&sum->events[i]));
                }
        json_t *j = json_pack("{s:s,s:i,s:i,s:I,s:I,s:o}", "mode", cj_net_mode_name(pol->mode), "allowed",
                              sum->allowed, "denied", sum->denied, "bytes_up", (json_int_t) sum->bytes_up, "bytes_down",
                              (json_int_t) sum->bytes_down, "connections", list);
        if (j && sum->n_events + sum->more > json_array_size(list))
                json_object_set_new(j, "connections_not_listed",
                                    json_integer((json_int_t) (sum->n_events + sum->more - json_array_size(list))));
        if (j && sum->budget_exhausted)
                json_object_set_new(j, "budget_exhausted", json_true());
        return j;
}
