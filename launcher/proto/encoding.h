/* SPDX-License-Identifier: MIT */
#pragma once

/* Byte encodings the protocol needs (pure): strict UTF-8 validation, a lossy
 * UTF-8 repair for output streams, and base64. */

#include <stdbool.h>
#include <stddef.h>

/* Strict UTF-8 (RFC 3629): no overlongs, no surrogates, nothing above
 * U+10FFFF.  On failure *bad_offset (may be NULL) gets the first bad byte. */
bool cj_utf8_valid(const char *buf, size_t len, size_t *bad_offset);

/* A copy of buf with every invalid sequence replaced by U+FFFD (malloc'd,
 * NUL-terminated; *out_len may be NULL).  NULL on ENOMEM. */
char *cj_utf8_sanitize(const char *buf, size_t len, size_t *out_len);

/* Standard base64 with padding.  encode: malloc'd, NUL-terminated. */
char *cj_base64_encode(const void *buf, size_t len);

/* Decode standard base64 (padding required, no whitespace).  -EINVAL on bad
 * input (*bad_offset may be NULL), -ENOMEM.  *out is malloc'd. */
int cj_base64_decode(const char *s, size_t len, unsigned char **out, size_t *out_len, size_t *bad_offset);
