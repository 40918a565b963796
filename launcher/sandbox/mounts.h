/* SPDX-License-Identifier: MIT */
#pragma once

/* Executes a mount plan inside the sandbox child (new mount namespace, full
 * capabilities of the new user namespace).  Every path is opened with
 * RESOLVE_NO_SYMLINKS and mounted by file descriptor (open_tree/move_mount),
 * so a symlink planted in a writable root cannot redirect a mount; read-only
 * attributes are set on the detached tree before it is attached. */

#include "listcache.h"
#include "plan.h"
#include "util/err.h"

/* Build the new root from plan, pivot into it and chdir to cwd.  *watch_fd
 * is the mask walk's inotify instance or -1 (maskwalk.h): the caller closes
 * it, once the call is under way.  lists: the plan's listings (or NULL), for
 * the walk. */
int cj_mounts_apply(const cj_mount_plan *plan, const cj_list_cache *lists, const char *cwd, int *watch_fd,
                    cj_error *err);
