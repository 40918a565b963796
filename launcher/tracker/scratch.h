/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * A task's scratch: its own HOME and /tmp, kept across the task's calls in
 *
 *     STATE/tasks/TASK/scratch/home     bound at the profile's HOME
 *     STATE/tasks/TASK/scratch/tmp      bound at /tmp
 *
 * Only these two directories are bound into the sandbox, never the rest of the
 * task's directory.  Untracked calls get fresh tmpfs instead (sandbox/plan.h).
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/err.h"

/* Create the scratch directories of the task at task_dir and return their
 * host paths (malloc'd).  Started by root, the sandbox runs as uid:gid (run_as)
 * and opens them by path: they are given to uid:gid, and the task directory,
 * the tasks directory and the state directory get search permission (o+x,
 * never read) so that uid can reach them; see docs/tracker.md. */
int cj_scratch_prepare(const char *task_dir, bool root, uid_t uid, gid_t gid, char **home, char **tmp,
                       cj_error *err);

/* Bytes the scratch occupies on disk (0 when it does not exist yet). */
int cj_scratch_usage(const char *task_dir, int64_t *bytes);

/* The scratch directory of a task (malloc'd; NULL on ENOMEM). */
char *cj_scratch_dir(const char *task_dir);
