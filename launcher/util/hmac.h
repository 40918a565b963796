/* SPDX-License-Identifier: MIT */
#pragma once

/* HMAC-SHA-256 (RFC 2104) over libmd's SHA-256: what keys the audit journal's
 * chain and the operator's approvals (docs/tracker.md).  Pure. */

#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

#define CJ_HMAC_KEY_LEN 32 /* bytes of a clawjail host key */

/* out gets 64 lowercase hex digits and a NUL.  Returns 0. */
int cj_hmac_sha256_hex(const uint8_t *key, size_t keylen, const void *msg, size_t len,
                       char out[CJ_SHA256_HEX_LEN + 1]);

/* Compare two NUL-terminated hex strings in time independent of where they differ. */
bool cj_hex_equal_ct(const char *a, const char *b);
