/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Host git stays safe while a call may use git: .git/config is writable
 * inside, and once every process of the call is gone, clawjail reverts any
 * change to a key that makes the host's git run a program or load code
 * (gitconfig.h), restoring the whole file when either version is not in the
 * strict subset it parses.  A repository the call created (`git init`) gets
 * the same treatment against an empty config, and every hook in its
 * .git/hooks/ (anything but git's *.sample files) is moved aside as
 * NAME.clawjail-quarantine.  Each revert and move is reported ("quarantined").
 */

#include <stddef.h>

#include "plan.h"

typedef struct cj_git_repo_snap {
        char *gitdir; /* host path */
        char *config; /* its config before the call; NULL if it had none */
        size_t len;
} cj_git_repo_snap;

typedef struct cj_git_guard {
        cj_git_repo_snap *repos; /* the repositories the plan protects (their hooks) */
        size_t n;
        cj_strv rw_roots;        /* where new repositories are looked for: the writable roots the
                                  * profile protects repositories in ("${CWD}" of "${CWD}/" "**" "/.git/hooks/")
                                  * and the operator's --rw roots */
} cj_git_guard;

/* Before the call: snapshot the config of every repository the plan protects. */
int cj_git_guard_begin(const cj_mount_plan *plan, const cj_profile *p, char *const *extra_rw, cj_git_guard *g);

/* After the call: revert dangerous config changes, handle new repositories;
 * push one "PATH: what" line per action onto *report, and one "PATH: why"
 * line per failure onto *failed (a directory it could not scan, a config it
 * could not restore).  Returns the first failure, or 0.  New repositories
 * are looked for among gitdirs, the .git directories the rescan after the
 * call found below the roots of g->rw_roots in walked_roots (quarantine.h),
 * and by walking every other root of g->rw_roots. */
int cj_git_guard_end(cj_git_guard *g, char *const *gitdirs, char *const *walked_roots, cj_strv *report,
                     cj_strv *failed);

void cj_git_guard_clear(cj_git_guard *g);
