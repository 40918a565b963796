/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Where an uninstalled clawjail finds its shipped profiles/ and seccomp/:
 * the source tree of the meson build directory the running executable lies
 * in.  Nothing is compiled in: the build directory is found by walking up
 * from /proc/self/exe (at most CJ_SOURCE_TREE_LEVELS directories) to the
 * first one holding CJ_SOURCE_TREE_MARKER, a one-line file meson writes
 * there at configure time naming the source tree (meson.build).  An
 * installed binary has no such marker above it and gets NULL;
 * $CLAWJAIL_PROFILE_PATH / $CLAWJAIL_SECCOMP_PATH work everywhere.
 *
 * (The marker used to be meson-info/meson-info.json, parsed as JSON: that
 * cost every call ~0.45 ms and ~15 page faults, docs/performance.md.)
 */

#define CJ_SOURCE_TREE_LEVELS 4                       /* the executable's dir and its parents searched for the marker */
#define CJ_SOURCE_TREE_MARKER "clawjail-source-tree" /* in the build directory */

/* The source tree (absolute), computed once per process; NULL when the
 * executable does not run from a meson build directory. */
const char *cj_source_tree(void);
