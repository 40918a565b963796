/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The result object of the JSON tool-call protocol (SPEC), built from plain
 * data (pure).  Fields that do not apply are omitted.  Strings that must be
 * JSON (stdout, stderr) are made valid UTF-8 by replacing bad bytes with
 * U+FFFD (the whole stream is kept byte-exact under the task's outputs/);
 * a read's content is sent as base64 when it is not UTF-8.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "request.h"

typedef enum cj_result_status {
        CJ_STATUS_OK,
        CJ_STATUS_DENIED,
        CJ_STATUS_APPROVAL_REQUIRED,
        CJ_STATUS_BUDGET_EXHAUSTED,
        CJ_STATUS_TIMEOUT,
        CJ_STATUS_ERROR,
} cj_result_status;

typedef struct cj_proto_result {
        const char *id;          /* NULL: omitted */
        cj_result_status status;

        bool has_exit;           /* exit_code, signal, duration_ms */
        int exit_code;           /* -1: null */
        int signal;              /* 0: null */
        int64_t duration_ms;

        bool has_output;         /* stdout, stderr, and truncated if either was cut */
        const char *stdout_data, *stderr_data;
        size_t stdout_len, stderr_len;
        bool stdout_truncated, stderr_truncated;
        const char *full_output; /* directory or file holding the whole streams */

        json_t *verdict, *approval, *budget, *journal; /* borrowed; NULL: omitted */

        bool has_content;        /* read */
        const char *content;
        size_t content_len;
        int64_t size;            /* whole file */
        bool eof;

        bool has_bytes_written;  /* write, edit */
        int64_t bytes_written;

        const char *error_code;  /* status error: "bad_json", ... */
        const char *error_message;
} cj_proto_result;

/* "ok", "denied", ... */
const char *cj_result_status_name(cj_result_status s);

/* The result as JSON (keys in the SPEC's order).  NULL on ENOMEM. */
json_t *cj_proto_result_to_json(const cj_proto_result *r);

/* {"id":..,"status":"error","error":{"code","message"}} (id may be NULL). */
json_t *cj_proto_error_result(const char *id, const char *code, const char *message);

/* The same for a request that failed to parse (carries its id if it had one). */
json_t *cj_proto_error_result_from(const cj_proto_error *perr);

/* The SPEC exit code of `call` for a result: the child's code for ok, 128+N
 * when killed by signal N, 120 denied, 121 approval, 122 budget, 124 timeout,
 * 125 error. */
int cj_proto_result_exit_code(const cj_proto_result *r);
