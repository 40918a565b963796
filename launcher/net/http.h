/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The proxy's view of HTTP/1.x (pure functions): a request head as a
 * proxy receives it (CONNECT host:port, or an absolute-form
 * http://host[:port]/path request), checked strictly, rewritten for the
 * origin server, and the request body's framing, so that a byte after the
 * request's end (a second, pipelined request) is seen as such.
 *
 * Strict means: CRLF line ends only, no obs-fold, one Host header that
 * names the target exactly (plain HTTP), no userinfo@, at most one
 * Content-Length, Transfer-Encoding only "chunked" and never together with
 * Content-Length.  What is refused says why in one line.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "host.h"

#define CJ_HTTP_HEAD_MAX 16384   /* bytes of a request head, request line included */
#define CJ_HTTP_HEADERS_MAX 100  /* header lines in a request head */
#define CJ_HTTP_CHUNK_LINE_MAX 4096 /* bytes of a chunk-size or trailer line */

typedef struct cj_http_request {
        bool connect;                 /* CONNECT host:port (else an absolute-form request) */
        char host[CJ_NET_HOST_BUF];   /* normalized */
        bool is_ip;
        uint16_t port;
        size_t head_len;              /* bytes of the head, the blank line included */
        int64_t content_length;       /* -1: none */
        bool chunked;
        size_t line_len;              /* bytes of the request line before CRLF */
        size_t method_len;
        size_t path_off, path_len;    /* origin-form path inside the absolute target ("" = "/") */
} cj_http_request;

/* Parse the head at buf[0..len).  Returns 0 when more bytes are needed, 1
 * when req is filled, -EINVAL when refused (*why: static text). */
int cj_http_parse_head(const char *buf, size_t len, cj_http_request *req, const char **why);

/* The head to send to the origin: origin-form request line, the client's
 * headers without Proxy-*, Connection and Keep-Alive, and "Connection:
 * close" (one request per connection).  *out is malloc'd. */
int cj_http_rewrite_head(const char *buf, const cj_http_request *req, char **out, size_t *out_len);

/* A request body's framing, fed the client's bytes after the head. */
typedef struct cj_http_body {
        bool chunked;
        int state;
        uint64_t left;     /* bytes of content / of the current chunk */
        size_t line;       /* bytes of the current size or trailer line */
        bool line_empty;
        bool done;
} cj_http_body;

void cj_http_body_init(cj_http_body *b, const cj_http_request *req);

/* How many of buf[0..len) belong to the body (the rest would be another
 * request); b->done once it ended.  -EINVAL for a malformed chunk framing. */
ssize_t cj_http_body_feed(cj_http_body *b, const char *buf, size_t len, const char **why);
