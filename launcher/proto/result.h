/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The result object of the JSON tool-call protocol (SPEC): the one builder.
 * The pipeline starts every result with cj_proto_result_new, adds what
 * applies (fields that do not apply are omitted), marks failures with
 * cj_proto_result_set_error and hands it out through cj_proto_result_order,
 * so the keys come in the SPEC's order whichever stage added them.  Front
 * ends answer requests that never reach the pipeline with
 * cj_proto_error_result(_from).
 */

#include <jansson.h>
#include <stddef.h>

#include "request.h"

/* {"id":id,"status":status} (id NULL: omitted).  NULL on ENOMEM. */
json_t *cj_proto_result_new(const char *id, const char *status);

/* status "error" and "error":{"code","message"}, replacing what r said. */
void cj_proto_result_set_error(json_t *r, const char *code, const char *message);

/* r with its keys in the SPEC's order (id, status, exit_code, signal,
 * duration_ms, stdout, stderr, truncated, content, encoding, size, eof,
 * bytes_written, verdict, approval, budget, journal, error), then every
 * other key in r's own order.  Takes r; NULL on ENOMEM (r is freed). */
json_t *cj_proto_result_order(json_t *r);

/* {"id","status":"error","error":{"code","message"}} (id may be NULL). */
json_t *cj_proto_error_result(const char *id, const char *code, const char *message);

/* The same for a request that failed to parse (carries its id if it had one). */
json_t *cj_proto_error_result_from(const cj_proto_error *perr);
