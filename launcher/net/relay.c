/* SPDX-License-Identifier: MIT */
/* One proxied connection: its request checked, its address resolved and
 * connected, its bytes relayed both ways (docs/network.md). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "tls.h"

/* ---- relaying ------------------------------------------------------------ */

/* The budget word may be shared with the in-kernel relay's program, which
 * takes from it concurrently: every change is a compare-and-swap. */
size_t cj_net_budget_take(cj_net_proxy *px, size_t want) {
        cj_sockmap_budget *b = px->budget;
        if (!b->limited)
                return want;
        int64_t left = __atomic_load_n(&b->left, __ATOMIC_SEQ_CST);
        for (;;) {
                if (left <= 0)
                        return 0;
                int64_t take = (uint64_t) left < want ? left : (int64_t) want;
                if (__atomic_compare_exchange_n(&b->left, &left, left - take, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
                        return (size_t) take;
        }
}

void cj_net_budget_give(cj_net_proxy *px, size_t n) {
        if (px->budget->limited && n > 0)
                __atomic_add_fetch(&px->budget->left, (int64_t) n, __ATOMIC_SEQ_CST);
}

void cj_net_budget_charge(cj_net_proxy *px, size_t n) {
        (void) cj_net_budget_take(px, n);
}

bool cj_net_budget_empty(const cj_net_proxy *px) {
        return px->budget->limited && __atomic_load_n(&px->budget->left, __ATOMIC_SEQ_CST) <= 0;
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
        size_t want = cj_net_budget_take(px, room);
        if (want == 0) {
                errno = EDQUOT;
                return -1;
        }
        ssize_t n = splice(from, NULL, pipe_w, NULL, want, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        int e = errno;
        cj_net_budget_give(px, want - (n > 0 ? (size_t) n : 0));
        errno = e;
        return n;
}

/* A splice from a socket into a pipe failed with EAGAIN: the socket is
 * drained, unless the pipe was what had no room (it can fill in slots before
 * bytes: a slot per fragment).  Only an empty pipe says which.  (An EINTR
 * says nothing: no flag is cleared for it.) */
static void drained(bool *ready, size_t in_pipe) {
        if (in_pipe == 0)
                *ready = false;
}

/* A COPY_OUT_SIZE buffer: the spare one, else a new one (NULL: no memory). */
static uint8_t *piece_take(cj_net_proxy *px) {
        uint8_t *p = px->spare_piece;
        px->spare_piece = NULL;
        return p ? p : malloc(COPY_OUT_SIZE);
}

void cj_net_piece_put(cj_net_proxy *px, uint8_t *piece) {
        if (!px->spare_piece)
                px->spare_piece = piece;
        else
                free(piece);
}

/* Toward the client: a piece read from the down pipe, written as far as the
 * client's socket takes it.  false: the connection failed. */
static bool copy_out(cj_net_proxy *px, conn *c, bool *progress) {
        cj_net_chunk *p = &c->out_piece;
        if (!p->buf) {
                if (!(p->buf = piece_take(px))) {
                        cj_net_conn_reason(c, "error", "out of memory");
                        return false;
                }
                size_t want = c->down_n < COPY_OUT_SIZE ? c->down_n : COPY_OUT_SIZE;
                ssize_t n = read(c->down[0], p->buf, want); /* the pipe holds down_n: never short of want */
                if (n <= 0) {
                        cj_net_piece_put(px, TAKE_PTR(p->buf));
                        return n < 0 && again(n);
                }
                c->down_n -= (size_t) n;
                p->off = 0;
                p->len = (size_t) n;
        }
        ssize_t n = write(c->cfd, p->buf + p->off, p->len - p->off);
        if (n > 0) {
                p->off += (size_t) n;
                if (p->off == p->len)
                        cj_net_piece_put(px, TAKE_PTR(p->buf));
                *progress = true;
        } else if (!again(n))
                return false;
        else if (errno != EINTR)
                c->c_out = false; /* the piece is not empty: EAGAIN is the client's socket being full */
        return true;
}

void cj_net_conn_ready(conn *c, bool client, uint32_t events) {
        if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
                if (client)
                        c->c_in = true;
                else
                        c->u_in = true;
        }
        if (client && (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)))
                c->c_out = true;
}

/* One step of the relay in both directions; false when the connection ended. */
static bool relay(cj_net_proxy *px, conn *c, bool *progress) {
        ssize_t n;
        /* A checked CONNECT tunnel, nothing relayed yet: the kernel may relay
         * it from here on (the hello in c->out goes first, see tunnel.c). */
        if (c->tunnel && !c->pair_tried && c->ev.kind[0] == 'c' && c->up_n == 0 && c->down_n == 0 && !c->out_piece.buf &&
            cj_net_tunnel_link(px, c)) {
                *progress = true;
                return true;
        }
        if (c->out_off < c->out_len) {
                n = write(c->ufd, c->out + c->out_off, c->out_len - c->out_off);
                if (n > 0) {
                        c->out_off += (size_t) n;
                        *progress = true;
                } else if (!again(n))
                        return false;
        }
        if (c->tunnel) {
                if (!c->c_eof && c->c_in && c->up_n < PIPE_SIZE) {
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
                        else if (errno != EINTR)
                                drained(&c->c_in, c->up_n);
                }
                if (c->up_n > 0 && c->out_off == c->out_len) {
                        n = splice(c->up[0], NULL, c->ufd, NULL, c->up_n, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                        if (n > 0) {
                                c->up_n -= (size_t) n;
                                *progress = true;
                        } else if (!again(n))
                                return false;
                }
        } else if (!c->c_eof && c->c_in && c->out_off == c->out_len) {
                /* Plain HTTP: the request body passes through the framing check
                 * so that a second request behind it is seen, never sent. */
                size_t want = cj_net_budget_take(px, PLAIN_CHUNK);
                if (want == 0)
                        goto budget;
                if (!c->out && !(c->out = malloc(PLAIN_CHUNK))) {
                        cj_net_budget_give(px, want);
                        return false;
                }
                n = read(c->cfd, c->out, want);
                int e = errno;
                cj_net_budget_give(px, want - (n > 0 ? (size_t) n : 0));
                errno = e;
                if (n == 0)
                        c->c_eof = *progress = true;
                else if (n > 0) {
                        const char *why = "a second request on one connection (pipelining) is refused";
                        bool was_done = c->body.done;
                        ssize_t body = was_done ? 0 : cj_http_body_feed(&c->body, (char *) c->out, (size_t) n, &why);
                        if (was_done && c->ev.bytes_down > 0) {
                                /* The next request of a client that read the response and
                                 * kept the connection (Go's net/http does, whatever the
                                 * server's Connection header): never sent; the client sees
                                 * the connection close once the response is through and
                                 * retries on a new one.  Not a denial: nothing was asked
                                 * ahead of the answer. */
                                cj_net_budget_give(px, (size_t) n);
                                c->c_eof = true;
                        } else if (body < n) {
                                cj_net_budget_give(px, (size_t) n); /* never sent */
                                cj_net_conn_reason(c, "denied", why);
                                return false;
                        } else {
                                c->ev.bytes_up += (uint64_t) n;
                                c->out_len = (size_t) n;
                                c->out_off = 0;
                        }
                        *progress = true;
                } else if (!again(n))
                        return false;
                else if (errno != EINTR)
                        c->c_in = false;
        }
        if (c->c_eof && c->up_n == 0 && c->out_off == c->out_len && !c->u_shut) {
                shutdown(c->ufd, SHUT_WR);
                c->u_shut = true;
        }
        if (!c->u_eof && c->u_in && c->down_n < PIPE_SIZE) {
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
                else if (errno != EINTR)
                        drained(&c->u_in, c->down_n);
        }
        if ((c->down_n > 0 || c->out_piece.buf) && c->c_out && !copy_out(px, c, progress))
                return false;
        /* The server is done and everything it said was delivered. */
        return !(c->u_eof && c->down_n == 0 && !c->out_piece.buf);
budget:
        cj_net_conn_reason(c, "budget_exhausted", "the task's net_bytes budget is exhausted");
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
                cj_net_conn_deny(px, c, 502, "error", "cannot create a socket");
                return;
        }
        int one = 1;
        setsockopt(c->ufd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(c->ufd, (struct sockaddr *) &ss, len) < 0 && errno != EINPROGRESS) {
                char why[CJ_NET_REASON_MAX];
                snprintf(why, sizeof why, "connect to %s failed: %s", c->ev.addr, strerror(errno));
                cj_net_conn_deny(px, c, 502, "error", why);
                return;
        }
        c->phase = P_CONNECTING;
        c->deadline_ms = cj_net_now_ms() + CJ_NET_CONNECT_TIMEOUT_MS;
        c->ui = (item){ .type = IT_UPSTREAM, .c = c };
        struct epoll_event e = { .events = CONN_EVENTS, .data.ptr = &c->ui }; /* EPOLLOUT: connected */
        epoll_ctl(px->epfd, EPOLL_CTL_ADD, c->ufd, &e);
}

/* The journal's record names the request's target. */
static void record_target(conn *c) {
        snprintf(c->ev.host, sizeof c->ev.host, "%s", c->req.host);
        c->ev.port = c->req.port;
        c->ev.kind = c->req.connect ? "connect" : "http";
}

/* Resolve once and connect to the address that was checked. */
void cj_net_conn_decide(cj_net_proxy *px, conn *c) {
        record_target(c);
        if (cj_net_budget_empty(px)) {
                cj_net_conn_deny(px, c, 403, "budget_exhausted", "the task's net_bytes budget is exhausted");
                px->sum.budget_exhausted = true;
                return;
        }
        const char *why = cj_net_policy_check(px->pol, c->req.host, c->req.is_ip, c->req.port);
        if (why) {
                cj_net_conn_deny(px, c, 403, "denied", why);
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
                        cj_net_conn_deny(px, c, 403, "denied", reason);
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
                        cj_net_conn_deny(px, c, 502, "error", reason);
                        return;
                }
        }
        int r = cj_net_resolver_submit(px->resolver, c->req.host, c, &c->lookup);
        if (r < 0) {
                snprintf(reason, sizeof reason, "cannot resolve: %s", strerror(-r));
                cj_net_conn_deny(px, c, 502, "error", reason);
                return;
        }
        c->phase = P_RESOLVING;
        c->deadline_ms = cj_net_now_ms() + CJ_NET_RESOLVE_TIMEOUT_MS;
}

/* A lookup cj_net_conn_decide() queued has finished: connect to the first address
 * that may be reached, else refuse. */
void cj_net_conn_resolved(void *ctx, void *owner, const struct addrinfo *res, int gai) {
        cj_net_proxy *px = ctx;
        conn *c = owner;
        char reason[CJ_NET_REASON_MAX];
        c->lookup = NULL;
        if (gai != 0) {
                snprintf(reason, sizeof reason, "cannot resolve: %s", gai_strerror(gai));
                cj_net_conn_deny(px, c, 502, "error", reason);
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
        cj_net_conn_deny(px, c, 403, "denied", reason);
}

/* The upstream connection is up: answer CONNECT, or send the rewritten
 * request.  False when c was closed. */
static bool connected(cj_net_proxy *px, conn *c) {
        if (make_pipes(c) < 0) {
                cj_net_conn_deny(px, c, 502, "error", "out of file descriptors");
                return false;
        }
        /* Ready until an EAGAIN says otherwise. */
        c->c_in = c->u_in = c->c_out = true;
        if (c->ev.kind[0] == 'l') { /* loopback forward: opaque both ways */
                c->phase = P_RELAY;
                return true;
        }
        size_t rest = c->len - c->req.head_len;
        if (c->req.connect) {
                static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
                if (write(c->cfd, ok, sizeof ok - 1) != (ssize_t) sizeof ok - 1) {
                        cj_net_conn_reason(c, "error", "the client went away");
                        cj_net_conn_close(px, c);
                        return false;
                }
                memmove(c->buf, c->buf + c->req.head_len, rest);
                c->len = rest;
                c->cap = CJ_TLS_HELLO_MAX;
                c->phase = P_HELLO;
                c->deadline_ms = cj_net_now_ms() + CJ_NET_HEAD_TIMEOUT_MS;
                return true;
        }
        cj_http_body_init(&c->body, &c->req);
        const char *why = "a second request on one connection (pipelining) is refused";
        ssize_t body = c->body.done ? 0 : cj_http_body_feed(&c->body, (char *) c->buf + c->req.head_len, rest, &why);
        if (body < (ssize_t) rest) {
                cj_net_conn_deny(px, c, 400, "denied", why);
                return false;
        }
        char *head = NULL;
        size_t hl = 0;
        if (cj_http_rewrite_head((char *) c->buf, &c->req, &head, &hl) < 0 || !(c->out = malloc(hl + rest + PLAIN_CHUNK))) {
                free(head);
                cj_net_conn_deny(px, c, 502, "error", "out of memory");
                return false;
        }
        memcpy(c->out, head, hl);
        memcpy(c->out + hl, c->buf + c->req.head_len, rest);
        free(head);
        c->out_len = hl + rest;
        c->ev.bytes_up += hl + rest;
        cj_net_budget_charge(px, hl + rest);
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
                cj_net_conn_reason(c, "denied", why);
                cj_net_conn_close(px, c);
                return -1;
        }
        if (c->req.is_ip ? sni[0] != '\0' : strcmp(sni, c->req.host) != 0) {
                char reason[CJ_NET_REASON_MAX];
                snprintf(reason, sizeof reason, "TLS server_name '%.60s' does not match the CONNECT host", sni);
                cj_net_conn_reason(c, "denied", reason);
                cj_net_conn_close(px, c);
                return -1;
        }
        /* The hello goes upstream first, then the tunnel is opaque. */
        c->out = TAKE_PTR(c->buf);
        c->out_len = c->len;
        c->out_off = 0;
        c->len = 0;
        c->ev.bytes_up += c->out_len;
        cj_net_budget_charge(px, c->out_len);
        c->tunnel = true;
        c->phase = P_RELAY;
        return 1;
}

/* Make every bit of progress the sockets allow (edge-triggered: the next
 * event comes only with new data or new room). */
void cj_net_conn_pump(cj_net_proxy *px, conn *c) {
        for (;;) {
                bool progress = false;
                if (c->phase == P_HEAD || c->phase == P_HELLO) {
                        ssize_t n = c->len < c->cap ? read(c->cfd, c->buf + c->len, c->cap - c->len) : 0;
                        if (n == 0 && c->len < c->cap) {
                                if (c->len > 0 || c->phase == P_HELLO)
                                        cj_net_conn_reason(c, "denied", c->phase == P_HEAD ? "the client closed before a whole request"
                                                                                     : "the client closed before a TLS ClientHello");
                                if (c->phase == P_HEAD && c->len == 0) {
                                        /* a connect-and-close probe: nothing to record but that */
                                        cj_net_conn_reason(c, "denied", "no request");
                                }
                                cj_net_conn_close(px, c);
                                return;
                        }
                        if (n < 0 && !again(n)) {
                                cj_net_conn_close(px, c);
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
                                        if (c->req.host[0])
                                                record_target(c); /* the target was read: the journal names it */
                                        cj_net_conn_deny(px, c, 400, "denied", why);
                                        return;
                                }
                                if (r == 0) {
                                        if (!progress)
                                                break;
                                        continue;
                                }
                                cj_net_conn_decide(px, c); /* may free c */
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
                if (c->pair >= 0 ? !cj_net_tunnel_pump(px, c, &progress) : !relay(px, c, &progress)) {
                        cj_net_conn_close(px, c);
                        return;
                }
                if (!progress)
                        break;
        }
}

void cj_net_conn_connected(cj_net_proxy *px, conn *c) {
        int e = 0;
        socklen_t l = sizeof e;
        if (getsockopt(c->ufd, SOL_SOCKET, SO_ERROR, &e, &l) < 0)
                e = errno;
        if (e) {
                char why[CJ_NET_REASON_MAX];
                snprintf(why, sizeof why, "connect to %s failed: %s", c->ev.addr, strerror(e));
                cj_net_conn_deny(px, c, 502, "error", why);
                return;
        }
        if (connected(px, c))
                cj_net_conn_pump(px, c);
}

/* A forward of a host loopback port: connect at once, no request to read. */
void cj_net_conn_forward(cj_net_proxy *px, conn *c, uint16_t port) {
        c->ev.kind = "loopback";
        snprintf(c->ev.host, sizeof c->ev.host, "127.0.0.1");
        c->ev.port = port;
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        c->tunnel = true;
        start_connect(px, c, (struct sockaddr *) &sa, sizeof sa);
}

