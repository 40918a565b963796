/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The profile's seccomp filter, compiled once per policy per process.  A
 * long-lived launcher (`serve`, `mcp`) compiles each policy on its first call
 * and reuses the BPF program for every later one; like the profiles it loads
 * once, a policy file edited while it runs takes effect at its next start.
 * A shipped policy whose files are unchanged is not compiled at all: its
 * program was compiled at build time (seccomp/embedded.h).
 */

#include <linux/filter.h>
#include <stdbool.h>

#include "util/err.h"

#define CJ_SANDBOX_FILTER_CACHE_MAX 32 /* policies kept compiled; further ones compile per call */

/* The compiled filter of a policy name (or path), from the cache when it is
 * there.  *owned is set when the program did not fit the cache: the caller
 * then frees prog->filter.  Otherwise the program belongs to the cache. */
int cj_sandbox_filter_get(const char *policy, struct sock_fprog *prog, bool *owned, cj_error *err);

/* The cached program of a policy, without compiling: 0 and *prog, or -ENOENT. */
int cj_sandbox_filter_cached(const char *policy, struct sock_fprog *prog);
