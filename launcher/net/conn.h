/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The proxy's insides, shared by proxy.c (the loop: accepting, timeouts,
 * recording, the thread) and relay.c (one connection: deciding, connecting,
 * relaying).  Not for use outside launcher/net/.
 */

#include <netdb.h>
#include <stdbool.h>
#include <stdint.h>

#include "http.h"
#include "proxy.h"
#include "resolve.h"
#include "sockmap.h"
#include "util/cleanup.h"

#define PIPE_SIZE (1u << 20) /* bytes in flight per direction (the default pipe-max-size): fewer, bigger splices */
/* The response's way out: spliced from the server into the pipe, then read
 * from the pipe and written to the client in pieces of this size.  Copying
 * it leaves the bytes in the cache for the client, which reads them next
 * (spliced, it copies them cold from the pages the server's socket got):
 * the client, the stage a download waits on, measured 40 % less CPU per
 * 100 MB.  Smaller pieces cost a wakeup each (64 KiB measured at half the
 * throughput).  A connection holds a piece only while its client has not
 * taken all of it (docs/network.md, "Limits"). */
#define COPY_OUT_SIZE (1u << 20)
/* Sockets are edge-triggered: pump() works every direction until none moves. */
#define CONN_EVENTS (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)
#define PLAIN_CHUNK 65536      /* client -> server reads of a plain HTTP request body */
/* Congestion control of the client's leg, the sandbox's own loopback: there
 * is nothing to control on it, and the host's default may cost CPU for every
 * burst (BBR paces each with a timer; the proxy's thread and the call's
 * client measured 5-9 ms less CPU per 100 MB with reno).  reno is built into
 * every kernel and allowed to every user. */
#define CLIENT_LEG_CC "reno"
#define RESULT_EVENTS_MAX 50   /* connections listed in a result's "network" object */

enum { IT_STOP = 1, IT_CHAN, IT_LISTEN, IT_CLIENT, IT_UPSTREAM, IT_RESOLVED };
enum { P_HEAD, P_RESOLVING, P_CONNECTING, P_HELLO, P_RELAY };

typedef struct conn conn;
typedef struct cj_net_chunk {
        uint8_t *buf;
        size_t len, off;
} cj_net_chunk;
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
        bool tunnel;      /* CONNECT or loopback forward: opaque both ways (the client's bytes spliced, not parsed) */
        uint8_t *buf;     /* request head, then the ClientHello */
        size_t len, cap;
        uint8_t *out;     /* bytes for upstream, written before anything else */
        size_t out_len, out_off;
        int up[2], down[2];
        size_t up_n, down_n;
        bool c_eof, u_eof, u_shut;
        /* Edge-triggered readiness: the client or upstream may have bytes to
         * read, the client room to write, since the last EAGAIN said no (set
         * again by the socket's next event).  Saves a failed call per
         * direction each time the relay goes round. */
        bool c_in, u_in, c_out;
        /* Read from the down pipe, not yet taken by the client: [off, len)
         * of a COPY_OUT_SIZE buffer (buf NULL when all were taken). */
        cj_net_chunk out_piece;
        bool dead;        /* closed; freed after the current batch of events */
        cj_http_request req;
        cj_http_body body;
        cj_net_lookup *lookup; /* P_RESOLVING */
        /* In-kernel relay (tunnel.c): dir 0 is client -> upstream, dir 1 the reverse. */
        int pair;                  /* its pair in px->sm; -1: relayed with splice */
        bool pair_tried;
        int64_t sm_base[2];        /* bytes queued on dir's destination when linked */
        uint64_t sm_wrote[2];      /* bytes the proxy itself wrote there since */
        cj_net_chunk sm_copy[2];   /* handed to us: to write after the kernel's */
        bool sm_eof[2], sm_copying;
        bool sm_hold;              /* the hello is not upstream yet: the client's bytes wait */
        int sm_wait_ms;            /* > 0: polled until the kernel has sent what it forwarded */
        int64_t sm_next_ms;        /* the next such check */
        int64_t sm_left, sm_checked_ms; /* bytes still to go at the last check, and when */
        int64_t start_ms, deadline_ms;
        cj_net_event ev;
};

struct cj_net_proxy {
        const cj_net_policy *pol;
        cj_sockmap_budget budget_own; /* bytes left, until the in-kernel relay shares it */
        cj_sockmap_budget *budget;    /* &budget_own or the word in px->sm */
        cj_sockmap *sm;               /* the in-kernel relay, made at the first tunnel */
        int sm_err;                   /* why there is none: -errno (0: not tried yet) */
        bool want_kernel;             /* CLAWJAIL_NET_RELAY=kernel */
        bool pair_used[CJ_NET_CONNS_MAX];
        size_t n_sm_wait;             /* connections polled for the kernel to finish sending */
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
        uint8_t *spare_piece; /* a COPY_OUT_SIZE buffer no connection holds, kept for the next */
        cj_strv env_names, env_values;
        cj_net_summary sum;
};

int64_t cj_net_now_ms(void);

/* Set c's verdict and reason (the first reason given stands). */
void cj_net_conn_reason(conn *c, const char *verdict, const char *reason);

/* Record c, close its descriptors and put it on the dead list (freed after
 * the current batch of events). */
void cj_net_conn_close(cj_net_proxy *px, conn *c);

/* Refuse with an HTTP status (before any tunnel exists), then close. */
void cj_net_conn_deny(cj_net_proxy *px, conn *c, int status, const char *verdict, const char *reason);

/* A whole request head is in c->buf: check it and connect, resolve or refuse. */
void cj_net_conn_decide(cj_net_proxy *px, conn *c);

/* A cj_net_resolved_fn: the lookup cj_net_conn_decide queued has finished. */
void cj_net_conn_resolved(void *px, void *c, const struct addrinfo *res, int gai_err);

/* The upstream socket reported its connect's outcome. */
void cj_net_conn_connected(cj_net_proxy *px, conn *c);

/* A forward of host loopback port: connect at once, no request to read. */
void cj_net_conn_forward(cj_net_proxy *px, conn *c, uint16_t port);

/* Note what an epoll event of c's client (or upstream) socket says is ready. */
void cj_net_conn_ready(conn *c, bool client, uint32_t events);

/* Give back a COPY_OUT_SIZE buffer (kept as the spare, else freed). */
void cj_net_piece_put(cj_net_proxy *px, uint8_t *piece);

/* Make every bit of progress c's sockets allow (edge-triggered). */
void cj_net_conn_pump(cj_net_proxy *px, conn *c);

/* The shared byte budget: take up to want bytes (0 when exhausted), give
 * back what was not used, charge bytes already sent (saturating). */
size_t cj_net_budget_take(cj_net_proxy *px, size_t want);
void cj_net_budget_give(cj_net_proxy *px, size_t n);
void cj_net_budget_charge(cj_net_proxy *px, size_t n);
bool cj_net_budget_empty(const cj_net_proxy *px);

/* tunnel.c: hand an opaque tunnel to the kernel (true: linked; c->pair set;
 * only with CLAWJAIL_NET_RELAY=kernel, see docs/network.md),
 * relay a linked one, and count and release it when c closes. */
bool cj_net_tunnel_link(cj_net_proxy *px, conn *c);
bool cj_net_tunnel_pump(cj_net_proxy *px, conn *c, bool *progress);
void cj_net_tunnel_close(cj_net_proxy *px, conn *c);
/* How long the loop may sleep, at most ms, before a linked tunnel's check is due. */
int cj_net_tunnel_timeout(const cj_net_proxy *px, int ms);
