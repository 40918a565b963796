/* SPDX-License-Identifier: MIT */
#pragma once

/* SHA-256 as lowercase hex, through libmd (small and quick to load: OpenSSL 3's
 * EVP initialisation alone cost more than a whole sandbox start). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CJ_SHA256_HEX_LEN 64
#define CJ_SHA256_LEN 32

/* The raw 32-byte digest of buf. */
void cj_sha256_raw(const void *buf, size_t len, uint8_t out[CJ_SHA256_LEN]);

/* out gets 64 hex digits and a NUL.  Returns 0. */
int cj_sha256_hex(const void *buf, size_t len, char out[CJ_SHA256_HEX_LEN + 1]);

/* Streaming digest, for data that arrives in pieces. */
typedef struct cj_sha256 cj_sha256;
cj_sha256 *cj_sha256_new(void);
int cj_sha256_update(cj_sha256 *h, const void *buf, size_t len);
int cj_sha256_final(cj_sha256 *h, char out[CJ_SHA256_HEX_LEN + 1]); /* then only free is valid */
void cj_sha256_free(cj_sha256 *h);

/* Exactly 64 lowercase hex digits. */
bool cj_hash_hex_valid(const char *s);
