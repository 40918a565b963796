/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Where an uninstalled clawjail finds its shipped profiles/ and seccomp/:
 * the source tree of the meson build directory the running executable lies
 * in.  Nothing is compiled in: the build directory is found by walking up
 * from /proc/self/exe (at most CJ_SOURCE_TREE_LEVELS directories) to the
 * first one holding meson-info/meson-info.json, whose "directories.source"
 * names the tree.  An installed binary has no such marker above it and gets
 * NULL; $CLAWJAIL_PROFILE_PATH / $CLAWJAIL_SECCOMP_PATH work everywhere.
 */

#define CJ_SOURCE_TREE_LEVELS 4 /* the executable's dir and its parents searched for the marker */

/* The source tree (absolute), computed once per process; NULL when the
 * executable does not run from a meson build directory. */
const char *cj_source_tree(void);
