/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The planner's look at the host for profile patterns (filesystem.deny and
 * protect, util/pathpat.h): which paths they name now.  A "**" pattern is
 * matched by walking the directory below its prefix; every pattern of every
 * list that shares the prefix is decided in that one walk, each directory
 * listed once.  A path that cannot be examined fails closed, naming it.
 */

#include "plan.h"

/* Expand lists[i] (NULL-terminated patterns; NULL = none) to the host paths
 * they name, appended to *found[i]: paths that exist, and for a pattern
 * ending in '/' a missing directory whose parent is one (recorded with the
 * trailing '/': to be created).  Symlinks below a prefix are never followed
 * by the walk (a prefix that is one is walked where it leads);
 * a git dir's submodule git dirs (.git/modules/NAME...) get the ".git/"
 * tails too and a submodule's .git file is found as such.  Beyond
 * CJ_MOUNT_SCAN_DIRS_MAX directories or CJ_MOUNT_SCAN_DEPTH levels, or at a
 * path it cannot examine, it fails (err says where and what to do). */
int cj_scan_expand(char *const *const lists[], cj_strv *const found[], size_t n, const cj_fs_probe *probe,
                   cj_error *err);

/* probe->lstat_type, with CJ_FT_ERROR turned into cj_scan_unexaminable's error. */
int cj_scan_examine(const cj_fs_probe *probe, const char *path, cj_file_type *t, cj_error *err);

/* The error for a path that could not be examined (errno e; 0: EIO): the
 * call must not start, and the message names the path and the fix. */
int cj_scan_unexaminable(cj_error *err, int e, const char *path);
