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

#include "http.h"
#include "resolve.h"
#include "tls.h"
#include "util/cleanup.h"

#define PIPE_SIZE (1u << 20) /* bytes in flight per direction (the default pipe-max-size): fewer, bigger splices */
/* Sockets are edge-triggered: pump() works every direction until none moves. */
#define CONN_EVENTS (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)
#define PLAIN_CHUNK 65536      /* client -> server reads of a plain HTTP request body */
#define RESULT_EVENTS_MAX 50   /* connections listed in a result's "network" object */

enum { IT_STOP = 1, IT_CHAN, IT_LISTEN, IT_CLIENT, IT_UPSTREAM, IT_RESOLVED };
enum { P_HEAD, P_RESOLVING, P_CONNECTING, P_HELLO, P_RELAY };

typedef struct conn conn;
typedef struct item {
        int type;
        int idx; /* IT_LISTEN: which port */
        conn *c;
} item;

struct conn {
        conn *next, *prev;
        item ci, ui;
        int cfd, ufd;
        int phase;
        bool tunnel;      /* CONNECT or loopback forward: both ways spliced, opaque */
        uint8_t *buf;     /* request head, then the ClientHello */
        size_t len, cap;
        uint8_t *out;     /* bytes for upstream, written before anything else */
        size_t out_len, out_off;
        int up[2], down[2];
        size_t up_n, down_n;
        bool c_eof, u_eof, u_shut;
        bool dead;        /* closed; freed after the current batch of events */
        cj_http_request req;
        cj_http_body body;
        cj_net_lookup *lookup; /* P_RESOLVING */
        int64_t start_ms, deadline_ms;
        cj_net_event ev;
};

struct cj_net_proxy {
        const cj_net_policy *pol;
        int64_t budget; /* bytes left; < 0 unlimited */
        int chan[2];    /* [0] ours, [1] the sandbox's */
        int epfd, stopfd;
        pthread_t thread;
        bool started;
        uint16_t ports[CJ_NET_PORTS_MAX + 1];
        size_t n_ports;
        int listen_fd[CJ_NET_PORTS_MAX + 1];
        item listen_item[CJ_NET_PORTS_MAX + 1];
        size_t n_listen;
        bool accepting;
        bool proxy_first; /* listen_fd[0] is the proxy's (else all are forwards) */
        item stop_item, chan_item, resolved_item;
        cj_net_resolver *resolver; /* made at the first name that is not pinned */
        conn *conns;
        size_t n_conns;
        conn *dead; /* closed this round: an event later in the batch may still name them */
        cj_strv env_names, env_values;
        cj_net_summary sum;
};

static int64_t now_ms(void) {
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
        *px = (cj_net_proxy){ .pol = pol, .budget = byte_budget, .chan = { -1, -1 }, .epfd = -1, .stopfd = -1 };
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

static void set_reason(conn *c, const char *verdict, const char *reason) {
        if (strcmp(c->ev.verdict, "allowed") != 0 && c->ev.reason[0])
                return; /* the first reason stands */
        c->ev.verdict = verdict;
        snprintf(c->ev.reason, sizeof c->ev.reason, "%s", reason);
}

static void conn_close(cj_net_proxy *px, conn *c) {
        if (c->lookup) {
                cj_net_resolver_cancel(px->resolver, c->lookup);
                c->lookup = NULL;
        }
        c->ev.duration_ms = now_ms() - c->start_ms;
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
static void deny(cj_net_proxy *px, conn *c, int status, const char *verdict, const char *reason) {
        set_reason(c, verdict, reason);
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
        conn_close(px, c);
}

/* ---- relaying ------------------------------------------------------------ */

static size_t budget_cap(cj_net_proxy *px, size_t want) {
        if (px->budget < 0)
                return want;
        return (uint64_t) px->budget < want ? (size_t) px->budget : want;
}

static void charge(cj_net_proxy *px, size_t n) {
        if (px->budget >= 0)
                px->budget = (int64_t) n > px->budget ? 0 : px->budget - (int64_t) n;
}

static bool again(ssize_t n) {
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
}

static int make_pipes(conn *c) {
        if (pipe2(c->up, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(c->down, O_CLOEXEC | O_NONBLOCK) < 0)
                return -errno;
        fcntl(c->up[1], F_SETPIPE_SZ, PIPE_SIZE);
        fcntl(c->down[1], F_SETPIPE_SZ, PIPE_SIZE);
        return 0;
}

static ssize_t splice_in(cj_net_proxy *px, int from, int pipe_w, size_t room) {
        size_t want = budget_cap(px, room);
        if (want == 0) {
                errno = EDQUOT;
                return -1;
        }
        ssize_t n = splice(from, NULL, pipe_w, NULL, want, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (n > 0)
                charge(px, (size_t) n);
        return n;
}

/* One step of the relay in both directions; false when the connection ended. */
static bool relay(cj_net_proxy *px, conn *c, bool *progress) {
        ssize_t n;
        if (c->out_off < c->out_len) {
                n = write(c->ufd, c->out + c->out_off, c->out_len - c->out_off);
                if (n > 0) {
                        c->out_off += (size_t) n;
                        *progress = true;
                } else if (!again(n))
                        return false;
        }
        if (c->tunnel) {
                if (!c->c_eof && c->up_n < PIPE_SIZE) {
                        n = splice_in(px, c->cfd, c->up[1], PIPE_SIZE - c->up_n);
                        if (n > 0) {
                                c->up_n += (size_t) n;
                                c->ev.bytes_up += (uint64_t) n;
                                *progress = true;
                        } else if (n == 0)
                                c->c_eof = *progress = true;
                        else if (errno == EDQUOT)
                                goto budget;
                        else if (!again(n))
                                return false;
                }
                if (c->up_n > 0 && c->out_off == c->out_len) {
                        n = splice(c->up[0], NULL, c->ufd, NULL, c->up_n, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                        if (n > 0) {
                                c->up_n -= (size_t) n;
                                *progress = true;
                        } else if (!again(n))
                                return false;
                }
        } else if (!c->c_eof && c->out_off == c->out_len) {
                /* Plain HTTP: the request body passes through the framing check
                 * so that a second request behind it is seen, never sent. */
                size_t want = budget_cap(px, PLAIN_CHUNK);
                if (want == 0)
                        goto budget;
                if (!c->out && !(c->out = malloc(PLAIN_CHUNK)))
                        return false;
                n = read(c->cfd, c->out, want);
                if (n == 0)
                        c->c_eof = *progress = true;
                else if (n > 0) {
                        const char *why = "a second request on one connection (pipelining) is refused";
                        ssize_t body = c->body.done ? 0 : cj_http_body_feed(&c->body, (char *) c->out, (size_t) n, &why);
                        if (body < n) {
                                set_reason(c, "denied", why);
                                return false;
                        }
                        charge(px, (size_t) n);
                        c->ev.bytes_up += (uint64_t) n;
                        c->out_len = (size_t) n;
                        c->out_off = 0;
                        *progress = true;
                } else if (!again(n))
                        return false;
        }
        if (c->c_eof && c->up_n == 0 && c->out_off == c->out_len && !c->u_shut) {
                shutdown(c->ufd, SHUT_WR);
                c->u_shut = true;
        }
        if (!c->u_eof && c->down_n < PIPE_SIZE) {
                n = splice_in(px, c->ufd, c->down[1], PIPE_SIZE - c->down_n);
                if (n > 0) {
                        c->down_n += (size_t) n;
                        c->ev.bytes_down += (uint64_t) n;
                        *progress = true;
                } else if (n == 0)
                        c->u_eof = *progress = true;
                else if (errno == EDQUOT)
                        goto budget;
                else if (!again(n))
                        return false;
        }
        if (c->down_n > 0) {
                n = splice(c->down[0], NULL, c->cfd, NULL, c->down_n, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                if (n > 0) {
                        c->down_n -= (size_t) n;
                        *progress = true;
                } else if (!again(n))
                        return false;
        }
        /* The server is done and everything it said was delivered. */
        return !(c->u_eof && c->down_n == 0);
budget:
        set_reason(c, "budget_exhausted", "the task's net_bytes budget is exhausted");
        px->sum.budget_exhausted = true;
        return false;
}

/* ---- deciding ------------------------------------------------------------ */

static void start_connect(cj_net_proxy *px, conn *c, const struct sockaddr *sa, socklen_t len) {
        cj_net_addr_text(sa, c->ev.addr);
        struct sockaddr_storage ss;
        memcpy(&ss, sa, len);
        if (ss.ss_family == AF_INET)
                ((struct sockaddr_in *) &ss)->sin_port = htons(c->ev.port);
        else
                ((struct sockaddr_in6 *) &ss)->sin6_port = htons(c->ev.port);
        c->ufd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c->ufd < 0) {
                deny(px, c, 502, "error", "cannot create a socket");
                return;
        }
        int one = 1;
        setsockopt(c->ufd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(c->ufd, (struct sockaddr *) &ss, len) < 0 && errno != EINPROGRESS) {
                char why[CJ_NET_REASON_MAX];
                snprintf(why, sizeof why, "connect to %s failed: %s", c->ev.addr, strerror(errno));
                deny(px, c, 502, "error", why);
                return;
        }
        c->phase = P_CONNECTING;
        c->deadline_ms = now_ms() + CJ_NET_CONNECT_TIMEOUT_MS;
        c->ui = (item){ .type = IT_UPSTREAM, .c = c };
        struct epoll_event e = { .events = CONN_EVENTS, .data.ptr = &c->ui }; /* EPOLLOUT: connected */
        epoll_ctl(px->epfd, EPOLL_CTL_ADD, c->ufd, &e);
}

/* Resolve once and connect to the address that was checked. */
static void decide(cj_net_proxy *px, conn *c) {
        snprintf(c->ev.host, sizeof c->ev.host, "%s", c->req.host);
        c->ev.port = c->req.port;
        c->ev.kind = c->req.connect ? "connect" : "http";
        if (px->budget == 0) {
                deny(px, c, 403, "budget_exhausted", "the task's net_bytes budget is exhausted");
                px->sum.budget_exhausted = true;
                return;
        }
        const char *why = cj_net_policy_check(px->pol, c->req.host, c->req.is_ip, c->req.port);
        if (why) {
                deny(px, c, 403, "denied", why);
                return;
        }
        const cj_net_pin *pin = cj_net_policy_pin(px->pol, c->req.host);
        if (pin) { /* pinned by the operator: private addresses allowed */
                start_connect(px, c, (const struct sockaddr *) &pin->addr, pin->len);
                return;
        }
        char reason[CJ_NET_REASON_MAX];
        if (c->req.is_ip) {
                struct sockaddr_storage ss;
                socklen_t len;
                cj_net_addr_parse(c->req.host, &ss, &len);
                const char *bad = cj_net_addr_forbidden((struct sockaddr *) &ss);
                if (bad) {
                        snprintf(reason, sizeof reason, "%s address (only a pinned one may be reached)", bad);
                        deny(px, c, 403, "denied", reason);
                        return;
                }
                start_connect(px, c, (struct sockaddr *) &ss, len);
                return;
        }
        if (!px->resolver) {
                int r = cj_net_resolver_new(&px->resolver);
                struct epoll_event e = { .events = EPOLLIN, .data.ptr = &px->resolved_item };
                if (r == 0 && epoll_ctl(px->epfd, EPOLL_CTL_ADD, cj_net_resolver_fd(px->resolver), &e) < 0)
                        r = -errno;
                if (r < 0) {
                        cj_net_resolver_free(px->resolver);
                        px->resolver = NULL;
                        snprintf(reason, sizeof reason, "cannot resolve: %s", strerror(-r));
                        deny(px, c, 502, "error", reason);
                        return;
                }
        }
        int r = cj_net_resolver_submit(px->resolver, c->req.host, c, &c->lookup);
        if (r < 0) {
                snprintf(reason, sizeof reason, "cannot resolve: %s", strerror(-r));
                deny(px, c, 502, "error", reason);
                return;
        }
        c->phase = P_RESOLVING;
        c->deadline_ms = now_ms() + CJ_NET_RESOLVE_TIMEOUT_MS;
}

/* A lookup decide() queued has finished: connect to the first address
 * that may be reached, else refuse. */
static void on_resolved(void *ctx, void *owner, const struct addrinfo *res, int gai) {
        cj_net_proxy *px = ctx;
        conn *c = owner;
        char reason[CJ_NET_REASON_MAX];
        c->lookup = NULL;
        if (gai != 0) {
                snprintf(reason, sizeof reason, "cannot resolve: %s", gai_strerror(gai));
                deny(px, c, 502, "error", reason);
                return;
        }
        const char *bad = NULL;
        for (const struct addrinfo *a = res; a; a = a->ai_next) {
                const char *b = cj_net_addr_forbidden(a->ai_addr);
                if (!b) {
                        start_connect(px, c, a->ai_addr, a->ai_addrlen);
                        return;
                }
                if (!bad) {
                        bad = b;
                        cj_net_addr_text(a->ai_addr, c->ev.addr);
                }
        }
        snprintf(reason, sizeof reason, "resolves to a %s address (only a pinned one may be reached)",
                 bad ? bad : "no");
        deny(px, c, 403, "denied", reason);
}

/* The upstream connection is up: answer CONNECT, or send the rewritten
 * request.  False when c was closed. */
static bool connected(cj_net_proxy *px, conn *c) {
        if (make_pipes(c) < 0) {
                deny(px, c, 502, "error", "out of file descriptors");
                return false;
        }
        if (c->ev.kind[0] == 'l') { /* loopback forward: opaque both ways */
                c->phase = P_RELAY;
                return true;
        }
        size_t rest = c->len - c->req.head_len;
        if (c->req.connect) {
                static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
                if (write(c->cfd, ok, sizeof ok - 1) != (ssize_t) sizeof ok - 1) {
                        set_reason(c, "error", "the client went away");
                        conn_close(px, c);
                        return false;
                }
                memmove(c->buf, c->buf + c->req.head_len, rest);
                c->len = rest;
                c->cap = CJ_TLS_HELLO_MAX;
                c->phase = P_HELLO;
                c->deadline_ms = now_ms() + CJ_NET_HEAD_TIMEOUT_MS;
                return true;
        }
        cj_http_body_init(&c->body, &c->req);
        const char *why = "a second request on one connection (pipelining) is refused";
        ssize_t body = c->body.done ? 0 : cj_http_body_feed(&c->body, (char *) c->buf + c->req.head_len, rest, &why);
        if (body < (ssize_t) rest) {
                deny(px, c, 400, "denied", why);
                return false;
        }
        char *head = NULL;
        size_t hl = 0;
        if (cj_http_rewrite_head((char *) c->buf, &c->req, &head, &hl) < 0 || !(c->out = malloc(hl + rest + PLAIN_CHUNK))) {
                free(head);
                deny(px, c, 502, "error", "out of memory");
                return false;
        }
        memcpy(c->out, head, hl);
        memcpy(c->out + hl, c->buf + c->req.head_len, rest);
        free(head);
        c->out_len = hl + rest;
        c->ev.bytes_up += hl + rest;
        charge(px, hl + rest);
        c->phase = P_RELAY;
        return true;
}

/* -1: c was closed; 0: more bytes needed; 1: checked, relaying. */
static int check_hello(cj_net_proxy *px, conn *c) {
        char sni[CJ_NET_HOST_BUF];
        const char *why = NULL;
        int r = cj_tls_client_hello_sni(c->buf, c->len, sni, &why);
        if (r == 0 && c->len >= c->cap) {
                r = -EINVAL;
                why = "TLS ClientHello too large";
        }
        if (r == 0)
                return 0;
        if (r < 0) {
                set_reason(c, "denied", why);
                conn_close(px, c);
                return -1;
        }
        if (c->req.is_ip ? sni[0] != '\0' : strcmp(sni, c->req.host) != 0) {
                char reason[CJ_NET_REASON_MAX];
                snprintf(reason, sizeof reason, "TLS server_name '%.60s' does not match the CONNECT host", sni);
                set_reason(c, "denied", reason);
                conn_close(px, c);
                return -1;
        }
        /* The hello goes upstream first, then the tunnel is opaque. */
        c->out = TAKE_PTR(c->buf);
        c->out_len = c->len;
        c->out_off = 0;
        c->len = 0;
        c->ev.bytes_up += c->out_len;
        charge(px, c->out_len);
        c->tunnel = true;
        c->phase = P_RELAY;
        return 1;
}

/* Make every bit of progress the sockets allow (edge-triggered: the next
 * event comes only with new data or new room). */
static void pump(cj_net_proxy *px, conn *c) {
        for (;;) {
                bool progress = false;
                if (c->phase == P_HEAD || c->phase == P_HELLO) {
                        ssize_t n = c->len < c->cap ? read(c->cfd, c->buf + c->len, c->cap - c->len) : 0;
                        if (n == 0 && c->len < c->cap) {
                                if (c->len > 0 || c->phase == P_HELLO)
                                        set_reason(c, "denied", c->phase == P_HEAD ? "the client closed before a whole request"
                                                                                     : "the client closed before a TLS ClientHello");
                                if (c->phase == P_HEAD && c->len == 0) {
                                        /* a connect-and-close probe: nothing to record but that */
                                        set_reason(c, "denied", "no request");
                                }
                                conn_close(px, c);
                                return;
                        }
                        if (n < 0 && !again(n)) {
                                conn_close(px, c);
                                return;
                        }
                        if (n > 0) {
                                c->len += (size_t) n;
                                progress = true;
                        }
                        if (c->phase == P_HEAD) {
                                const char *why = NULL;
                                int r = cj_http_parse_head((char *) c->buf, c->len, &c->req, &why);
                                if (r < 0) {
                                        deny(px, c, 400, "denied", why);
                                        return;
                                }
                                if (r == 0) {
                                        if (!progress)
                                                break;
                                        continue;
                                }
                                decide(px, c); /* may free c */
                                return;
                        }
                        int h = check_hello(px, c);
                        if (h < 0)
                                return;
                        if (h == 0 && !progress)
                                break;
                        continue;
                }
                if (c->phase == P_RESOLVING || c->phase == P_CONNECTING)
                        return;
                if (!relay(px, c, &progress)) {
                        conn_close(px, c);
                        return;
                }
                if (!progress)
                        break;
        }
}

static void on_connected(cj_net_proxy *px, conn *c) {
        int e = 0;
        socklen_t l = sizeof e;
        if (getsockopt(c->ufd, SOL_SOCKET, SO_ERROR, &e, &l) < 0)
                e = errno;
        if (e) {
                char why[CJ_NET_REASON_MAX];
                snprintf(why, sizeof why, "connect to %s failed: %s", c->ev.addr, strerror(e));
                deny(px, c, 502, "error", why);
                return;
        }
        if (connected(px, c))
                pump(px, c);
}

/* A forward of a host loopback port: connect at once, no request to read. */
static void forward(cj_net_proxy *px, conn *c, uint16_t port) {
        c->ev.kind = "loopback";
        snprintf(c->ev.host, sizeof c->ev.host, "127.0.0.1");
        c->ev.port = port;
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        c->tunnel = true;
        start_connect(px, c, (struct sockaddr *) &sa, sizeof sa);
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
                     .start_ms = now_ms(), .phase = P_HEAD };
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
        struct epoll_event e = { .events = CONN_EVENTS, .data.ptr = &c->ci };
        epoll_ctl(px->epfd, EPOLL_CTL_ADD, fd, &e);
        if (!proxy)
                forward(px, c, px->ports[idx]);
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
        int64_t now = now_ms();
        for (conn *c = px->conns, *next; c; c = next) {
                next = c->next;
                if (c->phase == P_RELAY || now < c->deadline_ms)
                        continue;
                if (c->phase == P_RESOLVING) {
                        char why[CJ_NET_REASON_MAX];
                        snprintf(why, sizeof why, "resolving the name timed out (%d ms)", CJ_NET_RESOLVE_TIMEOUT_MS);
                        deny(px, c, 504, "error", why);
                } else if (c->phase == P_CONNECTING)
                        deny(px, c, 504, "error", "connect timed out");
                else {
                        set_reason(c, "denied", c->phase == P_HEAD ? "timed out waiting for a request"
                                                                   : "timed out waiting for a TLS ClientHello");
                        conn_close(px, c);
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
                int n = epoll_wait(px->epfd, evs, 64, 1000);
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
                                cj_net_resolver_drain(px->resolver, on_resolved, px);
                                break;
                        case IT_CLIENT:
                        case IT_UPSTREAM: {
                                conn *c = it->c;
                                if (c->dead) /* closed by an earlier event of this batch */
                                        break;
                                if ((evs[i].events & EPOLLERR) ||
                                    (it->type == IT_CLIENT && (evs[i].events & EPOLLHUP))) {
                                        if (c->phase == P_CONNECTING && it->type == IT_UPSTREAM)
                                                on_connected(px, c); /* says why the connect failed */
                                        else {
                                                if (c->phase != P_RELAY)
                                                        set_reason(c, "denied", "the client went away");
                                                conn_close(px, c);
                                        }
                                } else if (it->type == IT_UPSTREAM && c->phase == P_CONNECTING)
                                        on_connected(px, c);
                                else
                                        pump(px, c);
                                break;
                        }
                        }
                }
                sweep_timeouts(px);
                free_dead(px);
        }
}

int cj_net_proxy_start(void *arg) {
        cj_net_proxy *px = arg;
        int r = pthread_create(&px->thread, NULL, proxy_main, px);
        if (r != 0)
                return -r;
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
                        set_reason(c, "denied", "the call ended before the connection was set up");
                conn_close(px, c);
        }
        free_dead(px);
        cj_net_resolver_free(px->resolver); /* never waits for a lookup in progress */
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
