/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The egress proxy and loopback forwarder of one call (docs/network.md).
 *
 * It lives in the launcher, on its own thread, for the duration of the call
 * (no daemon).  The sandbox's pid 1 opens listening sockets on 127.0.0.1
 * inside the call's network namespace (the proxy's port, then each
 * loopback_ports entry) and hands them over the socket pair this module
 * creates; the proxy accepts on them directly, so no byte is copied inside
 * the sandbox.  Each connection is checked against the policy, resolved
 * once, connected to the checked address, relayed (spliced into a pipe per
 * direction, copied out to the client), and recorded as one event.
 *
 *   cj_net_proxy_new(&policy, budget, &px, err);
 *   sandbox config: listen_chan = cj_net_proxy_sandbox_fd(px), listen_ports =
 *                   cj_net_proxy_ports(px, ...), cj_sandbox_setenv(cj_net_proxy_env(px))
 *                   watch_fd = cj_net_proxy_watch_fd(px), watch = cj_net_proxy_watch, watch_arg = px
 *   cj_sandbox_run (or prepare, spawn, supervise, collect)
 *   cj_net_proxy_finish(px, &summary);   stops the thread, hands over the events
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy.h"
#include "util/err.h"

#define CJ_NET_CONNS_MAX 128             /* connections open at once (6 fds each); more wait in the backlog */
#define CJ_NET_EVENTS_MAX 1000           /* connections recorded one by one per call; the rest summed */
#define CJ_NET_CONNECT_TIMEOUT_MS 10000  /* to connect upstream */
#define CJ_NET_HEAD_TIMEOUT_MS 30000     /* for a request head or a ClientHello to arrive */
#define CJ_NET_REASON_MAX 160

typedef struct cj_net_event {
        char host[CJ_NET_HOST_BUF];
        uint16_t port;
        char addr[64];                /* the address connected to ("" if none) */
        const char *kind;             /* "connect" (CONNECT tunnel), "http" (plain), "loopback" (forward) */
        const char *verdict;          /* "allowed", "denied", "error", "budget_exhausted" */
        char reason[CJ_NET_REASON_MAX]; /* why denied / cut ("" when allowed and ended normally) */
        uint64_t bytes_up, bytes_down; /* sandbox -> server, server -> sandbox */
        int64_t duration_ms;
        bool in_kernel;               /* relayed by the kernel (sockmap), not by splice */
} cj_net_event;

typedef struct cj_net_summary {
        cj_net_event *events;
        size_t n_events;
        uint64_t more;                /* connections beyond CJ_NET_EVENTS_MAX (counted, bytes summed) */
        uint64_t more_bytes_up, more_bytes_down;
        uint64_t bytes_up, bytes_down; /* all connections */
        unsigned allowed, denied;
        bool budget_exhausted;
} cj_net_summary;

typedef struct cj_net_proxy cj_net_proxy;

/* A proxy for pol (borrowed: keep it alive until cj_net_proxy_free), with
 * byte_budget bytes (both ways, all connections; < 0: unlimited). */
int cj_net_proxy_new(const cj_net_policy *pol, int64_t byte_budget, cj_net_proxy **out, cj_error *err);

/* The sandbox's end of the socket pair (pid 1 sends the listening sockets on it). */
int cj_net_proxy_sandbox_fd(const cj_net_proxy *px);

/* The ports pid 1 listens on inside, in the order it sends them. */
size_t cj_net_proxy_ports(const cj_net_proxy *px, const uint16_t **ports);

/* Variables for the sandbox (HTTP_PROXY and friends; none without a
 * proxy): their number, names and values, owned by px. */
size_t cj_net_proxy_env(const cj_net_proxy *px, char *const **names, char *const **values);

/* The proxy's thread starts at the call's first connection, not before: a
 * call that never connects costs no thread.  Until then the launcher's own
 * thread watches this descriptor while it supervises the call (after the
 * clone: no thread runs across it) and calls cj_net_proxy_watch whenever it
 * is readable.  That takes pid 1's listening sockets when they arrive, and
 * at the first connection (or anything else for the proxy to do) starts the
 * thread, which then owns px, and returns 0 (stop watching); 1 until then;
 * -errno (err set) if the thread cannot start. */
int cj_net_proxy_watch_fd(const cj_net_proxy *px);
int cj_net_proxy_watch(void *px, cj_error *err);

/* Stop the thread, close every connection, and move the record into *sum. */
int cj_net_proxy_finish(cj_net_proxy *px, cj_net_summary *sum);

void cj_net_proxy_free(cj_net_proxy *px);
void cj_net_summary_clear(cj_net_summary *sum);

/* How CONNECT tunnels are relayed here: "in-kernel" (BPF sockmap, when
 * CLAWJAIL_NET_RELAY=kernel asks for it and the kernel allows it: root with
 * CAP_BPF and CAP_NET_ADMIN) or "proxy thread" (spliced in, copied out to
 * the client); why[] says what the other choice needs or why the kernel
 * refused it. */
const char *cj_net_relay_mode(char *why, size_t why_len);

/* One event as journal fields / the result's "network" object (denied
 * connections listed with their reason, so the agent sees why). */
json_t *cj_net_event_json(const cj_net_event *ev);
json_t *cj_net_summary_json(const cj_net_summary *sum, const cj_net_policy *pol);
