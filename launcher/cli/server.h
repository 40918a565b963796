/* SPDX-License-Identifier: MIT */
#pragma once

/* A long-lived front end's state: the operator's options and the profiles it
 * loaded.  `serve`, `call` and `mcp` run every request through
 * cj_server_handle, so a request is admitted, run and journaled the same way
 * whichever protocol carried it. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "opts.h"
#include "sandbox/sandbox.h"

#define CJ_SERVE_PROFILES_MAX 16 /* --allow-profile entries */

typedef struct cj_server {
        cj_common_opts o;
        const char *allowed[CJ_SERVE_PROFILES_MAX + 1];
        /* Profiles loaded so far, by name: a server loads each one once (the
         * --profile one and the --allow-profile ones are all it may use). */
        const char *loaded_name[CJ_SERVE_PROFILES_MAX + 1];
        cj_profile *loaded[CJ_SERVE_PROFILES_MAX + 1];
        size_t n_loaded;
        size_t n_allowed;
        bool serve; /* requests may name task/profile (serve); call and mcp: never */
        unsigned max_concurrent; /* serve: calls in flight at once (1 = in request order) */
        int stream_fd;           /* serve: where a "stream": true call's event lines go; -1 = nowhere */
} cj_server;

/* A "stream": true call's event lines (serve_stream.c): hand &out to the
 * pipeline as its output receiver, and cj_stream_sink_finish before the
 * result line, which writes what is still held (blocking). */
typedef struct cj_stream_sink {
        cj_sandbox_output out;
        int fd;
        const char *id;
        char *buf; /* event lines not yet written: one pump read's worth at most while the call runs */
        size_t len, off;
        char carry[2][4]; /* per stream, a UTF-8 character split across chunks */
        size_t ncarry[2];
        size_t events;
} cj_stream_sink;

void cj_stream_sink_init(cj_stream_sink *k, int fd, const char *id);
int cj_stream_sink_finish(cj_stream_sink *k); /* 0 or -errno (the harness went away) */

/* One request (JSON text of len bytes) -> a new result object and its SPEC
 * exit code.  Never NULL. */
json_t *cj_server_handle(cj_server *s, const char *buf, size_t len, int *code);

/* The operator's profile `name` (already allowed), loaded on first use. */
int cj_server_profile(cj_server *s, const char *name, const cj_profile **out, cj_error *err);
/* Load the server's default profile now; on failure print one line (front:
 * the reason) and return the exit code. */
int cj_server_preload(cj_server *s, const char *front);

struct cj_proto_error;
/* A request too large to read: journal it as rejected under the operator's --task. */
void cj_server_reject_unread(const cj_server *s, const struct cj_proto_error *perr);

#define CJ_SERVE_CONCURRENCY_DEFAULT 1 /* calls serve runs at once unless --max-concurrent says: 1 keeps results in request order */
#define CJ_SERVE_CONCURRENCY_MAX 64

/* serve --stdio with up to max calls in flight (serve_mux.c); results in
 * completion order.  Returns the exit code. */
int cj_serve_concurrent(cj_server *s, unsigned max);

/* Free the loaded profiles and the options. */
void cj_server_clear(cj_server *s);
