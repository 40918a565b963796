/* SPDX-License-Identifier: MIT */
#pragma once

/* Started by root, the sandbox opens its bind sources as run_as.  A bind below
 * the caller's HOME (a toolchain or package cache the profile offers) that
 * run_as cannot reach is optional: it is dropped from the plan with a note,
 * rather than failing the call.  Any other unreachable root still fails. */

#include <sys/types.h>

#include "plan.h"

/* True if uid:gid (no supplementary groups) may search every directory on the
 * way to path and read path itself (judged by mode bits; ACLs are not read). */
bool cj_path_reachable(const char *path, uid_t uid, gid_t gid);

/* True if path lies strictly below home (not home itself), home being an
 * absolute directory other than "/": where optional roots live. */
bool cj_path_below_home(const char *path, const char *home);

/* Drop every bind root of plan whose destination lies below home (and is not
 * home itself, nor holds cwd) that uid:gid cannot reach, with everything
 * mounted inside it; push one note per dropped root onto *notes.  Returns 0
 * or -ENOMEM. */
int cj_mount_plan_drop_unreachable(cj_mount_plan *plan, const char *home, const char *cwd, uid_t uid, gid_t gid,
                                   cj_strv *notes);
