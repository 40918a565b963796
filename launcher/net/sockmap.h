/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The in-kernel relay for opaque tunnels (docs/network.md, "How it works").
 *
 * Two connected TCP sockets are "linked": both go into a BPF sockhash whose
 * SK_SKB verdict program sends each socket's incoming bytes out of its peer,
 * in softirq and kworker context, without a wakeup of the proxy thread.  The
 * program counts the bytes it forwards per socket and takes them from a
 * shared budget word first (compare-and-swap): a chunk that does not fit,
 * or anything after the proxy asked a direction to stop, is handed to the
 * socket's own receive queue, where the proxy reads it as before.
 *
 * Needs CAP_BPF and CAP_NET_ADMIN in the initial user namespace (the maps,
 * the SK_SKB program); cj_sockmap_new() fails with -EPERM (or what the
 * kernel says) otherwise and the proxy relays on its thread.
 *
 * Not for use outside launcher/net/.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cj_sockmap cj_sockmap;

/* The budget word the program and the proxy share: bytes left when limited. */
typedef struct cj_sockmap_budget {
        int64_t left;
        uint32_t limited;
        uint32_t pad;
} cj_sockmap_budget;

/* Maps for up to max_links linked pairs and the program, attached.  -errno
 * (EPERM without the capabilities); *why says which step failed. */
int cj_sockmap_new(size_t max_links, cj_sockmap **out, const char **why);
void cj_sockmap_free(cj_sockmap *m);

/* The shared budget word (in a memory-mapped BPF array). */
cj_sockmap_budget *cj_sockmap_budget_word(cj_sockmap *m);

/* Link connected TCP sockets a and b as pair number slot (< max_links):
 * from now on a's bytes go out of b and b's out of a, except a's while
 * hold_a (they stay a's until cj_sockmap_go).  Both must be established;
 * -errno on failure (nothing linked). */
int cj_sockmap_link(cj_sockmap *m, size_t slot, int a, int b, bool hold_a);

/* Undo cj_sockmap_link (before the sockets are closed) and clear the
 * pair's counters. */
void cj_sockmap_unlink(cj_sockmap *m, size_t slot);

/* Bytes the program forwarded from a (dir 0) or from b (dir 1). */
uint64_t cj_sockmap_bytes(const cj_sockmap *m, size_t slot, int dir);

/* Ask the program to hand a direction's further bytes to the socket's own
 * receive queue; whether it stopped (by this or for want of budget). */
void cj_sockmap_stop(cj_sockmap *m, size_t slot, int dir);
void cj_sockmap_go(cj_sockmap *m, size_t slot, int dir);
bool cj_sockmap_stopped(const cj_sockmap *m, size_t slot, int dir);

/* The bytes ever queued for sending on a connected TCP socket (acknowledged
 * plus still in the send queue), read consistently; -errno on failure. */
int64_t cj_sockmap_sent(int fd);
