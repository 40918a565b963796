/* SPDX-License-Identifier: MIT */
#pragma once

/* Removing what tasks leave on disk: a task's scratch (`task clean`), a whole
 * task (`task delete`), and every task idle for longer than a duration
 * (`task prune --older-than`).  A task with a call still running is refused:
 * its calls.lock holds a lock (docs/tracker.md). */

#include <stdint.h>

#include "tracker.h"

/* Parse "90", "45s", "30m", "12h", "7d", "2w" into seconds; -EINVAL otherwise. */
int cj_duration_parse(const char *s, int64_t *seconds);

/* 1 if a call of task t is running now (in any process), 0 if none, -errno. */
int cj_task_live_call(cj_task *t);

/* Remove the task's scratch (HOME and /tmp) under its lock; -EBUSY with err
 * set while a call runs. */
int cj_task_clean(cj_task *t, cj_error *err);

/* Remove the task entirely (journal, state, checkpoints, outputs, scratch):
 * under its lock, the directory is first renamed out of the tasks directory
 * (so no new call can find it), then removed.  -EBUSY while a call runs.
 * Consumes nothing: the caller still frees t. */
int cj_task_delete(cj_task *t, cj_error *err);

/* Seconds since the task's last journal event (its journal's mtime). */
int cj_task_idle_seconds(const cj_task *t, int64_t *seconds);

/* {"scratch":{"bytes","home","tmp"},"outputs":{"bytes"}}: what the task keeps on disk. */
json_t *cj_task_disk_json(const cj_task *t);
