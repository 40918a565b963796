/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Name resolution off the proxy's loop (docs/network.md).
 *
 * getaddrinfo(3) blocks for as long as the host's resolver takes (seconds
 * per retry when a server does not answer), so the proxy hands each
 * unpinned name to a lookup process of its own (forked from the proxy's
 * thread: it resolves, writes one answer to a pipe and exits) and keeps
 * serving every other connection meanwhile.  At most CJ_NET_RESOLVERS_MAX
 * run at once; more names wait in the queue, which holds at most one
 * lookup per open connection (CJ_NET_CONNS_MAX).  The proxy gives up on a
 * lookup after CJ_NET_RESOLVE_TIMEOUT_MS and refuses the connection; its
 * process is killed at once, which frees its place.  Processes rather than
 * threads: a lookup that hangs can be stopped, so nothing of a call
 * outlives it (a thread stuck in getaddrinfo would, and could hold a libc
 * lock when the next call's sandbox is cloned in the same process).
 *
 * Every function runs on the proxy's thread.
 */

#include <netdb.h>

#include "host.h"

#define CJ_NET_RESOLVERS_MAX 4         /* lookup processes at once per call */
#define CJ_NET_RESOLVE_ADDRS_MAX 8     /* addresses of one name considered, in the resolver's order */
#define CJ_NET_RESOLVE_TIMEOUT_MS 5000 /* for one name, queueing included; then the connection is refused */

typedef struct cj_net_resolver cj_net_resolver;
typedef struct cj_net_lookup cj_net_lookup;

/* Called by cj_net_resolver_drain for each finished lookup still wanted:
 * res is NULL and gai_err a getaddrinfo error code when it failed.  res is
 * freed after the call. */
typedef void (*cj_net_resolved_fn)(void *ctx, void *owner, const struct addrinfo *res, int gai_err);

/* A resolver with no lookup running yet.  Returns 0 or -errno. */
int cj_net_resolver_new(cj_net_resolver **out);

/* Readable (a pipe) when finished lookups wait for cj_net_resolver_drain. */
int cj_net_resolver_fd(const cj_net_resolver *r);

/* Start (or queue) a lookup of host (normalized) for owner.  *out
 * identifies it to cj_net_resolver_cancel.  Returns 0, -ENOMEM, or -errno
 * when no process can be made for it. */
int cj_net_resolver_submit(cj_net_resolver *r, const char *host, void *owner, cj_net_lookup **out);

/* The owner no longer wants the answer (it timed out, or its connection
 * closed): the lookup is dropped wherever it is, its process killed. */
void cj_net_resolver_cancel(cj_net_resolver *r, cj_net_lookup *l);

/* Hand each finished lookup to fn and free it. */
void cj_net_resolver_drain(cj_net_resolver *r, cj_net_resolved_fn fn, void *ctx);

/* Lookups queued or in progress (for tests and limits). */
unsigned cj_net_resolver_pending(cj_net_resolver *r);

/* Kill every lookup process, reap them, free the rest.  NULL-safe. */
void cj_net_resolver_free(cj_net_resolver *r);
