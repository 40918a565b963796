/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The launcher <-> sandbox channel: one SOCK_SEQPACKET message per step, each a
 * kind, an optional payload and up to CJ_SANDBOX_PASS_FDS_MAX descriptors
 * (SCM_RIGHTS).  A datagram socket keeps message boundaries, so a message is
 * received whole or the receiver sees MSG_TRUNC/MSG_CTRUNC and fails.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandbox.h"

enum {
        CJ_CHAN_SETUP = 1, /* start the setup; carries the fds handed in */
        CJ_CHAN_CALL = 2,  /* start the call; payload: the seccomp filter's instructions */
        CJ_CHAN_NOTIFY = 3, /* pid 2 -> launcher: the seccomp listener, or why none (notify.h) */
        CJ_CHAN_PTY = 4,    /* pid 1 -> launcher, on a pair of its own: the call's terminal (master side) */
};

/* CJ_CHAN_CALL's payload: this header, then the filter's instructions. */
typedef struct cj_chan_call_hdr {
        uint32_t flags;
        uint32_t reserved;
} cj_chan_call_hdr;
#define CJ_CHAN_CALL_CGROUP_MEMORY 1u /* a cgroup limits the call's memory: no RLIMIT_AS */

/* A BPF_MAXINSNS filter (8 bytes per instruction) after CJ_CHAN_CALL's header. */
#define CJ_CHAN_PAYLOAD_MAX (4096u * 8u + (unsigned) sizeof(cj_chan_call_hdr))

/* Open the pair (close-on-exec): sv[0] for the launcher, sv[1] for pid 1. */
int cj_chan_pair(int sv[2]);

/* Send one message; fds (n_fds <= CJ_SANDBOX_PASS_FDS_MAX) stay owned by the caller. */
int cj_chan_send(int sock, uint32_t kind, const void *payload, size_t len, const int *fds, size_t n_fds);

/* Send CJ_CHAN_CALL: the header with flags (CJ_CHAN_CALL_*), then len bytes of
 * filter instructions, in one message. */
int cj_chan_send_call(int sock, uint32_t flags, const void *insns, size_t len);

/* Receive one message of the expected kind.  payload (capacity cap) receives
 * the payload, *len its size; fds receives the descriptors (close-on-exec),
 * *n_fds their count.  -EPIPE at EOF, -EBADMSG for a wrong kind or a
 * truncated message (whose fds are closed). */
int cj_chan_recv(int sock, uint32_t kind, void *payload, size_t cap, size_t *len, int *fds, size_t *n_fds);
