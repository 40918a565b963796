/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * One JSON tool-call request (SPEC: JSON tool-call protocol), parsed into plain
 * data (pure).  Every way a request can be bad has a stable error code, which
 * `call` and `serve` put in the result's "error":{"code","message"}:
 *
 *   too_large    the request is above CJ_REQUEST_MAX bytes, or a field above its limit
 *   bad_utf8     the raw bytes are not UTF-8 (checked before any JSON parsing)
 *   bad_json     not one JSON value, or a duplicate key
 *   not_object   valid JSON but not an object
 *   unknown_key  a key the protocol does not define (or one only `serve` allows)
 *   bad_type     a key with the wrong JSON type
 *   missing_key  a key the tool needs is absent ("tool", "command", "path", ...)
 *   bad_tool     "tool" is not exec | read | write | edit
 *   bad_value    a value out of range or malformed (negative offset, bad
 *                encoding, bad base64, env name, NUL in a command ...)
 *   bad_path     empty path or cwd, or a NUL byte in one
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define CJ_REQUEST_MAX (8u << 20)         /* bytes of one request line */
#define CJ_REQUEST_ID_MAX 128             /* bytes of "id" */
#define CJ_REQUEST_COMMAND_MAX (256u << 10) /* bytes of "command" */
#define CJ_REQUEST_PATH_MAX 4096          /* bytes of "path" / "cwd" */
#define CJ_REQUEST_ENV_MAX 256            /* entries of "env" */
#define CJ_REQUEST_ENV_VALUE_MAX (32u << 10)
#define CJ_REQUEST_NAME_MAX 256           /* "task", "profile" */
#define CJ_REQUEST_TIMEOUT_MAX (7.0 * 24 * 3600)

typedef enum cj_tool {
        CJ_TOOL_EXEC,
        CJ_TOOL_READ,
        CJ_TOOL_WRITE,
        CJ_TOOL_EDIT,
} cj_tool;

typedef enum cj_proto_code {
        CJ_PROTO_OK = 0,
        CJ_PROTO_BAD_JSON,
        CJ_PROTO_NOT_OBJECT,
        CJ_PROTO_UNKNOWN_KEY,
        CJ_PROTO_BAD_TYPE,
        CJ_PROTO_MISSING_KEY,
        CJ_PROTO_BAD_TOOL,
        CJ_PROTO_BAD_VALUE,
        CJ_PROTO_BAD_PATH,
        CJ_PROTO_BAD_UTF8,
        CJ_PROTO_TOO_LARGE,
        CJ_PROTO_NOT_WRITABLE, /* write/edit outside every persistent writable root */
        _CJ_PROTO_CODE_MAX,
} cj_proto_code;

/* A protocol error: the code, one line of message, and the request's id when
 * it could be read (so the error result can carry it). */
typedef struct cj_proto_error {
        cj_proto_code code;
        char message[CJ_ERROR_MSG_MAX];
        char id[CJ_REQUEST_ID_MAX + 1];
        bool has_id;
} cj_proto_error;

typedef enum cj_encoding {
        CJ_ENCODING_UTF8,
        CJ_ENCODING_BASE64,
} cj_encoding;

/* Bytes with a length (may contain NUL where noted); data is NUL-terminated. */
typedef struct cj_bytes {
        char *data;
        size_t len;
} cj_bytes;

typedef struct cj_request {
        char *id;             /* may be NULL */
        cj_tool tool;

        /* exec */
        char *command;
        bool has_timeout;
        double timeout_s;     /* > 0 */
        char **env;           /* NULL-terminated "NAME=value", NULL if none */
        size_t n_env;
        bool has_stdin;
        cj_bytes stdin_data;  /* may contain NUL */

        bool pty;             /* a terminal as the command's 0/1/2 (stderr merged into stdout) */
        unsigned pty_cols, pty_rows; /* 0 = default (sandbox.h CJ_PTY_*_DEFAULT) */
        bool stream;          /* serve: stdout/stderr event lines while the command runs */

        /* exec (working dir) and read/write/edit (base of a relative path) */
        char *cwd;

        /* read / write / edit */
        char *path;
        int64_t offset, limit; /* read; limit -1 = not given */
        bool has_content;
        cj_bytes content;      /* write: decoded bytes */
        cj_encoding encoding;  /* write: how content was sent */
        char *old_text, *new_text; /* edit */

        /* serve only */
        char *task, *profile; /* no key approves anything: approvals are the operator's */
} cj_request;

/* Allow "task", "profile" and "stream" (serve --stdio). */
#define CJ_REQUEST_SERVE (1u << 0)

/* Parse one request.  Returns 0 and *out, or -EINVAL (-E2BIG for too_large)
 * with *perr filled. */
int cj_request_parse(const char *buf, size_t len, unsigned flags, cj_request **out, cj_proto_error *perr);

void cj_request_free(cj_request *r);
static inline void cj_request_freep(cj_request **r) {
        cj_request_free(*r);
}
#define _cleanup_request_ __attribute__((cleanup(cj_request_freep)))

/* "bad_json", ... ; "exec", ... */
const char *cj_proto_code_name(cj_proto_code c);
const char *cj_tool_name(cj_tool t);
