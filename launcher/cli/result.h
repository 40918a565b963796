/* SPDX-License-Identifier: MIT */
#pragma once

/* Turning a pipeline result into what the user sees: the result object on
 * stdout (--json) and/or --status-fd, otherwise the call's captured streams and
 * one line on stderr for anything that is not the program's own exit. */

#include <jansson.h>

#include "opts.h"

/* A result object as one protocol line (compact JSON and a newline, not
 * NUL-terminated; *len bytes), or NULL when out of memory. */
char *cj_result_line(const json_t *obj, size_t *len);

/* Write a JSON object as one line to fd. */
int cj_result_emit(const json_t *obj, int fd);

/* Present result as `cmd` (run/exec) under the common options; returns exit_code. */
int cj_result_present(const json_t *result, int exit_code, const cj_common_opts *o, const char *cmd);

/* The result object of a call clawjail could not carry out (exit 125). */
json_t *cj_result_failure(const char *id, const char *code, const char *message);
