/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The launcher's output pump (internal to the sandbox): when a call streams
 * (cfg->output) or has a terminal (cfg->pty), its stdout and stderr are pipes
 * (or the terminal's master side) that the supervise stage reads here.  Each
 * chunk goes to the capture (cfg->stdout_fd / stderr_fd, or the launcher's
 * own 1 / 2) first and to the receiver after, so caps, truncation and
 * outputs/ spill are those of an unpumped call.  For a terminal the pump also
 * types the call's stdin into it and then end-of-file.
 *
 * Memory stays bounded: one read of CJ_PUMP_READ_MAX in flight; a receiver
 * that holds data back stops the reading, and the call blocks in its pipe.
 */

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandbox.h"

#define CJ_PUMP_CHUNK CJ_SANDBOX_OUTPUT_CHUNK_MAX /* bytes handed to a receiver at once: an event line stays small */
#define CJ_PUMP_READ_MAX (64u << 10)  /* bytes read from the call at once: fewer wake-ups than a chunk per read */
#define CJ_PUMP_PIPE_SIZE (1u << 20)  /* the call's pipes (F_SETPIPE_SZ; pipe-max-size's default): it runs ahead */
#define CJ_PUMP_POLL_MAX 5 /* descriptors the pump adds to the supervise loop's poll */

typedef struct cj_pump {
        const cj_sandbox_output *out; /* NULL = capture only */
        bool out_stopped;             /* the receiver failed: the capture goes on */
        int src[2];                   /* read ends of stdout (or the terminal) and stderr; -1 closed */
        int dst[2];                   /* the capture for each */
        int64_t cap_left[2];          /* bytes the capture may still take (limits.fsize_mb); <0 unlimited */
        int chan;                     /* pty: pid 1 sends the terminal over this; -1 when received */
        int in;                       /* pty: bytes to type into the terminal; -1 once at EOF */
        char inbuf[CJ_PUMP_CHUNK];
        size_t in_len, in_off;
        int eof_left;                 /* ^D still to type once in is exhausted */
        bool mid_line;                /* the last byte of stdin typed was not a newline */
        bool typing_eot;              /* inbuf holds a ^D, not stdin */
        int slot[CJ_PUMP_POLL_MAX];   /* what each poll slot of the last cj_pump_poll is */
        size_t n_slots;
} cj_pump;

/* Set up for cfg: out_rd/err_rd are the read ends of the call's pipes (-1
 * for a terminal), chan the launcher's end of the channel a terminal comes
 * over (-1 without one).  The pump owns out_rd, err_rd and chan. */
void cj_pump_init(cj_pump *p, const cj_sandbox_config *cfg, int out_rd, int err_rd, int chan);

/* Whether the pump still has anything to read or receive. */
bool cj_pump_active(const cj_pump *p);

/* Fill pf with what the pump waits on (at most CJ_PUMP_POLL_MAX); returns the count. */
size_t cj_pump_poll(cj_pump *p, struct pollfd *pf);

/* Serve what poll reported for the slots cj_pump_poll filled.  Returns 0 or
 * -errno (the capture could not be written). */
int cj_pump_handle(cj_pump *p, const struct pollfd *pf);

/* The call is over (every writer is gone): read the rest, waiting on a
 * receiver that holds data back.  0 or -errno. */
int cj_pump_finish(cj_pump *p);

/* Close what the pump still holds. */
void cj_pump_close(cj_pump *p);
