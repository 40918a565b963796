/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The host key: CJ_HMAC_KEY_LEN random bytes in STATE/host.key (mode 0600,
 * in the 0700 state dir, owned by whoever runs clawjail: root's under
 * /var/lib/clawjail, a user's under ~/.local/state/clawjail).  It keys the
 * journal chain (HMAC-SHA-256) and the operator's approvals, so neither can
 * be recomputed by anything that cannot read it -- and the sandbox cannot:
 * the state dir is never part of a sandbox's view (docs/security.md).
 */

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"
#include "util/hmac.h"

#define CJ_HOSTKEY_FILE "host.key"
#define CJ_HOSTKEY_ID_LEN 16 /* hex digits of the key's id: SHA-256 of the key, cut */

typedef struct cj_hostkey {
        uint8_t key[CJ_HMAC_KEY_LEN];
        char id[CJ_HOSTKEY_ID_LEN + 1];
} cj_hostkey;

/* Load STATE/host.key, creating it (getrandom, O_EXCL) when create is true and
 * it is missing.  Refuses (-EPERM) a key file that is a symlink, not owned by
 * the caller, or readable by group or others.  -ENOENT when missing and
 * !create. */
int cj_hostkey_load(const char *state_dir, bool create, cj_hostkey *out, cj_error *err);

/* hex HMAC-SHA-256 of msg under the key. */
void cj_hostkey_mac(const cj_hostkey *k, const void *msg, size_t len, char out[CJ_SHA256_HEX_LEN + 1]);
