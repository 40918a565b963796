/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Name resolution off the proxy's loop (docs/network.md).
 *
 * getaddrinfo(3) blocks for as long as the host's resolver takes (seconds
 * per retry when a server does not answer), so the proxy hands each
 * unpinned name to a small pool of threads and keeps serving every other
 * connection meanwhile.  Threads start on the first lookup (a call that
 * resolves nothing has none), at most CJ_NET_RESOLVERS_MAX of them; more
 * names wait in the queue, which holds at most one lookup per open
 * connection (CJ_NET_CONNS_MAX).  The proxy gives up on a lookup after
 * CJ_NET_RESOLVE_TIMEOUT_MS and refuses the connection; a thread stuck in
 * getaddrinfo finishes on its own and its answer is dropped, and it no
 * longer counts against CJ_NET_RESOLVERS_MAX (CJ_NET_RESOLVER_THREADS_MAX
 * bounds them all).  Nothing here
 * ever waits for a lookup: freeing the resolver leaves the threads to end
 * by themselves (they hold a reference).
 *
 * Every function but the workers' runs on the proxy's thread.
 */

#include <netdb.h>

#include "host.h"

#define CJ_NET_RESOLVERS_MAX 4         /* names resolved at once per call */
#define CJ_NET_RESOLVER_THREADS_MAX 16 /* threads, counting those stuck on a name given up on */
#define CJ_NET_RESOLVE_TIMEOUT_MS 5000 /* for one name, queueing included; then the connection is refused */

typedef struct cj_net_resolver cj_net_resolver;
typedef struct cj_net_lookup cj_net_lookup;

/* Called by cj_net_resolver_drain for each finished lookup still wanted:
 * res is NULL and gai_err a getaddrinfo error code when it failed.  res is
 * freed after the call. */
typedef void (*cj_net_resolved_fn)(void *ctx, void *owner, const struct addrinfo *res, int gai_err);

/* A resolver with no threads yet.  Returns 0 or -errno. */
int cj_net_resolver_new(cj_net_resolver **out);

/* Readable (an eventfd) when finished lookups wait for cj_net_resolver_drain. */
int cj_net_resolver_fd(const cj_net_resolver *r);

/* Queue a lookup of host (normalized) for owner.  *out identifies it to
 * cj_net_resolver_cancel.  Returns 0, -ENOMEM, or -errno when no thread
 * can run it. */
int cj_net_resolver_submit(cj_net_resolver *r, const char *host, void *owner, cj_net_lookup **out);

/* The owner no longer wants the answer (it timed out, or its connection
 * closed): the lookup is dropped wherever it is. */
void cj_net_resolver_cancel(cj_net_resolver *r, cj_net_lookup *l);

/* Hand each finished lookup to fn and free it. */
void cj_net_resolver_drain(cj_net_resolver *r, cj_net_resolved_fn fn, void *ctx);

/* Lookups queued or in progress (for tests and limits). */
unsigned cj_net_resolver_pending(cj_net_resolver *r);

/* Drop every lookup and the caller's reference; threads still inside
 * getaddrinfo free the rest when they return.  NULL-safe. */
void cj_net_resolver_free(cj_net_resolver *r);
