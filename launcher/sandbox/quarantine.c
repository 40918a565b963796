/* SPDX-License-Identifier: MIT */
#include "quarantine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/cleanup.h"
#include "util/fileio.h"

static const char *const watched[] = { "commondir", "config.worktree" };

/* The git dir a protect op sits in: the parent of a protected config or hooks. */
static char *git_dir_of(const cj_mount_op *op) {
        if ((op->kind != CJ_MNT_PROTECT && op->kind != CJ_MNT_PROTECT_NEW) || !op->src)
                return NULL;
        const char *base = strrchr(op->src, '/');
        if (!base || (strcmp(base, "/config") != 0 && strcmp(base, "/hooks") != 0))
                return NULL;
        return strndup(op->src, (size_t) (base - op->src));
}

int cj_git_watch_begin(const cj_mount_plan *plan, cj_git_watch *w) {
        *w = (cj_git_watch){ 0 };
        for (size_t i = 0; i < plan->n; i++) {
                _cleanup_free_ char *gd = git_dir_of(&plan->ops[i]);
                if (!gd)
                        continue;
                for (size_t k = 0; k < CJ_ARRAY_SIZE(watched); k++) {
                        _cleanup_free_ char *p = cj_path_join(gd, watched[k]);
                        struct stat st;
                        if (!p)
                                return -ENOMEM;
                        if (lstat(p, &st) == 0 || cj_strv_contains(w->paths, p))
                                continue; /* present before: the repository's own */
                        if (cj_strv_len(w->paths) >= CJ_QUARANTINE_MAX)
                                return -E2BIG;
                        if (cj_strv_push_take(&w->paths, TAKE_PTR(p)) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

int cj_git_watch_end(cj_git_watch *w, cj_strv *moved) {
        int ret = 0;
        for (size_t i = 0; w->paths && w->paths[i]; i++) {
                struct stat st;
                if (lstat(w->paths[i], &st) < 0)
                        continue;
                _cleanup_free_ char *to = NULL;
                if (asprintf(&to, "%s.clawjail-quarantine", w->paths[i]) < 0)
                        return -ENOMEM;
                /* rename(2) does not follow a final symlink, and the git dir is pinned. */
                if (rename(w->paths[i], to) < 0 && ret == 0)
                        ret = -errno;
                if (cj_strv_push(moved, w->paths[i]) < 0)
                        return -ENOMEM;
        }
        return ret;
}

void cj_git_watch_clear(cj_git_watch *w) {
        cj_strv_free(w->paths);
        w->paths = NULL;
}
