/* SPDX-License-Identifier: MIT */
#pragma once

/* Whole directory trees: their disk usage and their removal.  Neither follows
 * a symlink, and both work on trees a sandboxed call wrote (modes it chose). */

#include <stdint.h>

#define CJ_TREE_DEPTH_MAX 256        /* deeper trees are refused (-ELOOP) */
#define CJ_TREE_ENTRIES_MAX 2000000  /* entries visited by one usage walk (-E2BIG past it) */

/* Bytes allocated on disk (st_blocks * 512) by path and everything below it;
 * 0 when path is missing.  Returns 0 or -errno. */
int cj_tree_usage(const char *path, int64_t *bytes);

/* rm -rf path: directories a call made unreadable are made accessible first.
 * A missing path is success.  Returns 0 or -errno of the first failure. */
int cj_tree_remove(const char *path);
