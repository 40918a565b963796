/* SPDX-License-Identifier: MIT */
#pragma once

/* Files git obeys only if they exist (.git/commondir redirects a repository's
 * config and hooks; config.worktree adds config) cannot be covered by a mount
 * before they exist.  So the launcher notes, before the call, which of them
 * are absent in every git dir the plan protects, and after the call moves any
 * that appeared aside (NAME.clawjail-quarantine) and reports them. */

/*
 * The same holds for every protected path a call creates: a repository it
 * makes with `git init` (whose hooks and config the host's git would obey,
 * also as an embedded repository of the protected one), a `.vscode/
 * settings.json` that did not exist.  After the call the launcher runs the
 * protect patterns again, and moves aside whatever they match that was not
 * there (and protected) before.
 */

#include "plan.h"

#define CJ_QUARANTINE_MAX 256     /* watched paths per call */
#define CJ_QUARANTINE_NAMES_MAX 64 /* NAME.clawjail-quarantine, .1, ... .63 tried before giving up */

typedef struct cj_git_watch {
        cj_strv paths;  /* absent before the call */
        cj_strv before; /* protect matches before the call (from the plan) */
        const cj_profile *profile;
        char *const *extra_ro, *const *extra_rw;
        const cj_fs_probe *probe; /* the rescan's: the plan's, whose listings it may reuse (listcache.h) */
} cj_git_watch;

/* Note the watched files absent now in the git dirs of plan (host paths), and
 * the protect matches the plan found, to compare after the call; the rescan
 * lists through probe (kept: it must outlive w). */
int cj_git_watch_begin(const cj_mount_plan *plan, const cj_profile *p, char *const *extra_ro,
                       char *const *extra_rw, const cj_fs_probe *probe, cj_git_watch *w);

/* Move aside every watched file that appeared and every new protect match;
 * *moved gets the paths moved, *failed those that could not be moved ("PATH:
 * reason"), which stay where the call put them.  Returns 0, or the first
 * -errno (a move or the rescan failed: see *failed).
 *
 * The rescan's walk also collects the .git directories below those of
 * git_roots (NULL: none) that it walks anyway (a protect pattern's "**"
 * prefix) into *gitdirs, and those roots into *walked_roots, for the git
 * guard (gitguard.h) not to walk them again.  *walked_roots stays empty when
 * the list cannot be trusted: the rescan failed, or a move took away a path
 * it holds or one above it; the guard walks every root left out itself. */
int cj_git_watch_end(cj_git_watch *w, char *const *git_roots, cj_strv *gitdirs, cj_strv *walked_roots, cj_strv *moved,
                     cj_strv *failed);

/* Move path aside to path.clawjail-quarantine (or .N: never over an earlier
 * one).  0 or -errno. */
int cj_quarantine_path(const char *path);

void cj_git_watch_clear(cj_git_watch *w);
