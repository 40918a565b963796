/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * A cheap fingerprint of the writable roots, for loop governance: SHA-256
 * over (path, type, size, mtime, inode) of every entry below them, walked by
 * fd without following symlinks.  Two equal fingerprints mean nothing a call
 * could have written changed; a call whose before/after fingerprints differ
 * made progress.  Walking stops at CJ_FINGERPRINT_ENTRIES_MAX entries,
 * CJ_FINGERPRINT_DEPTH_MAX levels or CJ_FINGERPRINT_TIME_MS of walking (a
 * call never waits long for it): the fingerprint is then "unknown", which
 * loop governance counts as progress (it never stops work it cannot see).
 */

#include <stdbool.h>

#include "hash.h"

#define CJ_FINGERPRINT_ENTRIES_MAX 200000
#define CJ_FINGERPRINT_DEPTH_MAX 64
#define CJ_FINGERPRINT_TIME_MS 250

/* Fingerprint the roots (NULL-terminated, absolute), skipping any that is also
 * in skip (the per-call tmpfs roots).  Returns 0 with out set, or 1 when the
 * fingerprint is unknown (too large, unreadable, out of memory). */
int cj_fingerprint_roots(char *const *roots, char *const *skip, char out[CJ_SHA256_HEX_LEN + 1]);
