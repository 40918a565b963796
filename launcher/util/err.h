/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The one error convention of clawjail (docs/errors.md):
 *
 *   - A function that can fail returns >= 0 on success and -errno on failure.
 *   - Where the caller must be able to say *why* (file:line, key path, byte
 *     offset), the last argument is a `cj_error *` (may be NULL).  The callee
 *     fills it with the errno and one line of context and returns -errno, so
 *     `return cj_error_set(err, EINVAL, "...")` is the idiom.
 *   - Library code never prints and never exits; the CLI layer turns a
 *     cj_error into one line on stderr and a SPEC exit code.
 */

#include <stdarg.h>
#include <stddef.h>

#define CJ_ERROR_MSG_MAX 1024

typedef struct cj_error {
        int code;                    /* positive errno, 0 = no error */
        char msg[CJ_ERROR_MSG_MAX]; /* one line, no trailing newline */
} cj_error;

/* Record errnum (positive or negative) and a formatted message in err (NULL ok).
 * Returns -abs(errnum) so it can be returned directly.  Keeps the first error:
 * a later call on an already-set error is ignored, so the innermost context wins
 * unless cj_error_prefix() is used. */
int cj_error_set(cj_error *err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Like cj_error_set but appends ": strerror(errnum)". */
int cj_error_seterrno(cj_error *err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prepend context ("profile default: ") to an error already set.  Returns -err->code. */
int cj_error_prefix(cj_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reset to "no error". */
void cj_error_clear(cj_error *err);

/* Message for display: err->msg if set, otherwise strerror(-r). */
const char *cj_error_message(const cj_error *err, int r);
