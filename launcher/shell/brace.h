/* SPDX-License-Identifier: MIT */
#pragma once

/* Private: brace expansion over text whose bytes carry a "quoted" bit. */

#include <stddef.h>

#include "shell.h"

typedef struct sh_qbuf {
        char *s;          /* NUL-terminated */
        unsigned char *q; /* q[i] != 0: s[i] was quoted (never a brace metachar) */
        size_t len, cap;
} sh_qbuf;

/* Expand b into out (appending).  Returns 1 if an expansion happened, 0 if
 * none applies (out untouched), -E2BIG past SH_MAX_BRACE_WORDS /
 * SH_MAX_RESOLVED_LEN, -ENOMEM.  Iterative: no recursion on nesting. */
int sh_brace_expand(const sh_qbuf *b, sh_strv *out);
