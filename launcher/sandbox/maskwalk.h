/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Masks that a parallel call cannot dodge.
 *
 * The plan (plan.c) chooses masks by path, in the launcher, before the
 * sandbox exists; pid 1 mounts them later, by path.  A parallel call in the
 * same workspace that runs `mv a b; mkdir a; touch a/.env` in between gets
 * the fake a/.env masked and leaves the real secret, now b/.env, readable.
 *
 * So pid 1, once its mounts are in place, walks each "**" deny root again in
 * its own mount namespace, through directory fds (no path is resolved twice,
 * no PATH_MAX), and masks by fd every entry cj_pathpat_masked names that is
 * not masked yet.  A mask sits on a dentry: renaming a parent later moves it
 * along, so what the walk has masked stays masked.  What a walk can miss is a
 * directory moved, during the walk, from a part not listed yet into one
 * already listed.  Every directory gets an inotify watch before it is listed,
 * so each such move (and each new directory) is reported (a known directory
 * reported moved is walked again where it is: a pattern of several
 * components, a prefix or an exception may name its entries there); the walk handles
 * the reports until the queue is empty right after a rename barrier (see
 * maskwalk.c), and only then is the tree complete.  A busy workspace (a
 * parallel `npm install`) only adds reports, each handled in microseconds;
 * the call fails closed only past CJ_MASKWALK_SETTLE_MAX rounds, an inotify
 * queue overflowing more than CJ_MASKWALK_REWALKS_MAX times, or the limits
 * the plan's scan has (CJ_MOUNT_SCAN_DIRS_MAX, CJ_MOUNT_SCAN_DEPTH).
 */

#include "listcache.h"
#include "plan.h"
#include "util/err.h"

#define CJ_MASKWALK_SETTLE_MAX 256 /* drain-and-barrier rounds before the walk fails closed */
#define CJ_MASKWALK_REWALKS_MAX 4  /* full walks again after the inotify queue overflowed */

/* In the launcher, while building the plan: record in plan the deny lists
 * and, for each "**" deny prefix whose directory the sandbox shows, where it
 * appears inside the sandbox.  0 or -ENOMEM. */
int cj_maskwalk_plan(cj_mount_plan *plan, char *const *deny, char *const *except, const cj_fs_probe *probe);

/* In pid 1, after every mount of plan is in place under newroot and before
 * the new root turns read-only: walk and mask as above.  A directory the
 * plan listed and that is unchanged since (lists, listcache.h; NULL: none)
 * is not listed again: its record is read instead, once its watch is in
 * place.  empty_file is the
 * empty mode-000 file file masks are bound from.  0, or -errno with err
 * set (the call must not start).  On success *watch_fd is the walk's inotify
 * instance (or -1), for the caller to close once the call is under way:
 * closing one waits for an SRCU grace period (0.05-7 ms measured here),
 * which is not worth holding the call's start for. */
int cj_maskwalk_apply(const cj_mount_plan *plan, const cj_list_cache *lists, const char *newroot,
                      const char *empty_file, int *watch_fd, cj_error *err);
