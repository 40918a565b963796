/* SPDX-License-Identifier: MIT */
#pragma once

/* Turning a sandbox run into what the user sees: the SPEC result object,
 * captured output (cut to head + tail above the profile's cap), and the one
 * line on stderr that explains a non-program exit. */

#include <jansson.h>
#include <stdint.h>

#include "sandbox/sandbox.h"

#define CJ_CAPTURE_MAX_DEFAULT (1 << 20) /* output kept in a result when the profile sets no cap */

/* An unlinked temporary file for capturing a stream (O_TMPFILE in $TMPDIR or /tmp). */
int cj_capture_open(void);

/* Read a capture file back: at most cap bytes as head + marker + tail.
 * *truncated is set when it was cut; *total gets the whole size. */
char *cj_capture_read(int fd, int64_t cap, bool *truncated, int64_t *total);

/* The result object's sandbox part: status, exit_code, signal, duration_ms,
 * cpu_ms, peak_memory_bytes, cgroup, and error for exec failures. */
json_t *cj_result_from_sandbox(const cj_sandbox_result *res, const char *program);

/* Print the explanation for a result that is not the program's own exit
 * (timeout, OOM, exec failure) on stderr, unless quiet. */
void cj_result_explain(const cj_sandbox_result *res, const char *cmd, const char *program, int64_t timeout_ms);

/* Write a JSON object as one line to fd (stdout when fd == 1). */
int cj_result_emit(const json_t *obj, int fd);
