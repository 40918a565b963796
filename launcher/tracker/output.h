/* SPDX-License-Identifier: MIT */
#pragma once

/* Output capping (pure): what an agent's context gets when a stream is larger
 * than the profile's cap.  The whole stream stays in the task's outputs/. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CJ_OUTPUT_MARKER_MAX 128

/* Cut buf to at most cap bytes: its head, a marker line
 * "\n[... clawjail: N bytes omitted ...]\n", and its tail, split on UTF-8
 * character boundaries so valid UTF-8 stays valid.  If len <= cap, a copy.
 * Returns true if it cut.  *out is malloc'd (NUL-terminated; NULL on ENOMEM).
 * A cap too small for the marker gives just the head. */
bool cj_output_cut(const char *buf, size_t len, size_t cap, char **out, size_t *out_len);

/* The same for a whole file (a captured stream), reading only its first and
 * last cap bytes.  *total gets the file's size, *cut whether it was cut.
 * Returns 0 or -errno. */
int cj_output_cut_fd(int fd, size_t cap, char **out, size_t *out_len, bool *cut, uint64_t *total);
