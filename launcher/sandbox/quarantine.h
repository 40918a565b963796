/* SPDX-License-Identifier: MIT */
#pragma once

/* Files git obeys only if they exist (.git/commondir redirects a repository's
 * config and hooks; config.worktree adds config) cannot be covered by a mount
 * before they exist.  So the launcher notes, before the call, which of them
 * are absent in every git dir the plan protects, and after the call moves any
 * that appeared aside (NAME.clawjail-quarantine) and reports them. */

#include "plan.h"

#define CJ_QUARANTINE_MAX 256 /* watched paths per call */

typedef struct cj_git_watch {
        cj_strv paths; /* absent before the call */
} cj_git_watch;

/* Note the watched files absent now in the git dirs of plan (host paths). */
int cj_git_watch_begin(const cj_mount_plan *plan, cj_git_watch *w);

/* Move aside every watched file that appeared; *moved gets "PATH" entries. */
int cj_git_watch_end(cj_git_watch *w, cj_strv *moved);

void cj_git_watch_clear(cj_git_watch *w);
