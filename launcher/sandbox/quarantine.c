/* SPDX-License-Identifier: MIT */
#include "quarantine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/longpath.h"

static const char *const watched[] = { "commondir", "config.worktree" };

/* lstat(2) for a path of any length. */
static int lstat_long(const char *path, struct stat *st) {
        cj_at at;
        int r = cj_at_open(path, false, &at);
        if (r < 0)
                return r;
        r = fstatat(at.dfd, at.rel, st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
        cj_at_close(&at);
        return r;
}

/* The git dir a protect op sits in: the parent of a protected config or hooks. */
static char *git_dir_of(const cj_mount_op *op) {
        if ((op->kind != CJ_MNT_PROTECT && op->kind != CJ_MNT_PROTECT_NEW) || !op->src)
                return NULL;
        const char *base = strrchr(op->src, '/');
        if (!base || (strcmp(base, "/config") != 0 && strcmp(base, "/hooks") != 0))
                return NULL;
        return strndup(op->src, (size_t) (base - op->src));
}

int cj_git_watch_begin(const cj_mount_plan *plan, const cj_profile *profile, char *const *extra_ro,
                       char *const *extra_rw, const cj_fs_probe *probe, cj_git_watch *w) {
        *w = (cj_git_watch){ .profile = profile, .extra_ro = extra_ro, .extra_rw = extra_rw, .probe = probe };
        for (size_t i = 0; plan->protect_found && plan->protect_found[i]; i++) {
                char *b = strdup(plan->protect_found[i]);
                size_t l = b ? strlen(b) : 0;
                if (l > 1 && b[l - 1] == '/')
                        b[l - 1] = '\0';
                if (!b || cj_strv_push_take(&w->before, b) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < plan->n; i++) {
                _cleanup_free_ char *gd = git_dir_of(&plan->ops[i]);
                if (!gd)
                        continue;
                for (size_t k = 0; k < CJ_ARRAY_SIZE(watched); k++) {
                        _cleanup_free_ char *p = cj_path_join(gd, watched[k]);
                        struct stat st;
                        if (!p)
                                return -ENOMEM;
                        if (lstat_long(p, &st) == 0 || cj_strv_contains(w->paths, p))
                                continue; /* present before: the repository's own */
                        if (cj_strv_len(w->paths) >= CJ_QUARANTINE_MAX)
                                return -E2BIG;
                        if (cj_strv_push_take(&w->paths, TAKE_PTR(p)) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

int cj_quarantine_path(const char *path) {
        /* In the parent's fd: a path past PATH_MAX is moved like any other. */
        const char *slash = strrchr(path, '/');
        if (!slash || !slash[1])
                return -EINVAL;
        _cleanup_free_ char *parent = slash == path ? strdup("/") : strndup(path, (size_t) (slash - path));
        if (!parent)
                return -ENOMEM;
        _cleanup_close_ int pfd = cj_open_long(parent, O_PATH | O_DIRECTORY, false);
        if (pfd < 0)
                return pfd;
        const char *name = slash + 1;
        for (int n = 0; n < CJ_QUARANTINE_NAMES_MAX; n++) {
                _cleanup_free_ char *to = NULL;
                if ((n ? asprintf(&to, "%s.clawjail-quarantine.%d", name, n)
                       : asprintf(&to, "%s.clawjail-quarantine", name)) < 0)
                        return -ENOMEM;
                /* renameat2 does not follow a final symlink, and never replaces an earlier quarantine. */
                if (renameat2(pfd, name, pfd, to, RENAME_NOREPLACE) == 0)
                        return 0;
                if (errno != EEXIST)
                        return -errno;
        }
        return -EEXIST;
}

static int move_aside(const char *path, cj_strv *moved, cj_strv *failed, int *ret) {
        int r = cj_quarantine_path(path);
        if (r == 0)
                return cj_strv_push(moved, path) < 0 ? -ENOMEM : 0;
        if (*ret == 0)
                *ret = r;
        char *line = NULL;
        if (asprintf(&line, "%s: %s", path, strerror(-r)) < 0 || cj_strv_push_take(failed, line) < 0)
                return -ENOMEM;
        return 0;
}

/* "ROOT/" "**" "/.git" for each root: every .git below them, in the rescan's walk. */
static int gitdir_patterns(char *const *roots, cj_strv *pats) {
        for (size_t i = 0; roots && roots[i]; i++) {
                char *p = NULL;
                if (asprintf(&p, "%s/**/.git", strcmp(roots[i], "/") == 0 ? "" : roots[i]) < 0 ||
                    cj_strv_push_take(pats, p) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* The .git directories of found and the roots whose walk found them, unless
 * a move took one of them or a path above it away (then the list is stale). */
static int keep_gitdirs(cj_strv found, cj_strv moved, char *const *roots, char *const *pats, cj_strv walked,
                        cj_strv *gitdirs, cj_strv *walked_roots) {
        for (size_t i = 0; found && found[i]; i++)
                for (size_t m = 0; moved && moved[m]; m++)
                        if (cj_path_is_under(found[i], moved[m]))
                                return 0;
        for (size_t i = 0; found && found[i]; i++) {
                struct stat st;
                if (lstat_long(found[i], &st) == 0 && S_ISDIR(st.st_mode) && cj_strv_push(gitdirs, found[i]) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; roots && roots[i]; i++) /* pats[i] is roots[i]'s */
                if (cj_strv_contains(walked, pats[i]) && cj_strv_push(walked_roots, roots[i]) < 0)
                        return -ENOMEM;
        return 0;
}

int cj_git_watch_end(cj_git_watch *w, char *const *git_roots, cj_strv *gitdirs, cj_strv *walked_roots, cj_strv *moved,
                     cj_strv *failed) {
        int ret = 0;
        for (size_t i = 0; w->paths && w->paths[i]; i++) {
                struct stat st;
                if (lstat_long(w->paths[i], &st) < 0)
                        continue;
                if (move_aside(w->paths[i], moved, failed, &ret) < 0)
                        return -ENOMEM;
        }
        if (!w->profile)
                return ret;
        _cleanup_strv_ cj_strv now = NULL, gitpats = NULL, dotgits = NULL, walked = NULL;
        if (gitdir_patterns(git_roots, &gitpats) < 0)
                return -ENOMEM;
        cj_error err = { 0 };
        int r = cj_mount_plan_protect_scan(w->profile, w->extra_ro, w->extra_rw, gitpats, &dotgits, &walked,
                                           w->probe, &now, &err);
        if (r < 0) {
                char *line = NULL;
                if (asprintf(&line, "protected paths after the call: %s", err.msg) < 0 ||
                    cj_strv_push_take(failed, line) < 0)
                        return -ENOMEM;
                return ret ? ret : r;
        }
        for (size_t i = 0; now && now[i]; i++) {
                size_t l = strlen(now[i]);
                if (now[i][l - 1] == '/')
                        continue; /* still missing: nothing was created */
                struct stat st;
                if (cj_strv_contains(w->before, now[i]) || lstat_long(now[i], &st) < 0)
                        continue;
                /* Below something already moved (a whole new .git/hooks)? */
                bool under = false;
                for (size_t m = 0; *moved && (*moved)[m] && !under; m++)
                        under = cj_path_is_under(now[i], (*moved)[m]);
                if (!under && move_aside(now[i], moved, failed, &ret) < 0)
                        return -ENOMEM;
        }
        if (keep_gitdirs(dotgits, *moved, git_roots, gitpats, walked, gitdirs, walked_roots) < 0)
                return -ENOMEM;
        return ret;
}

void cj_git_watch_clear(cj_git_watch *w) {
        cj_strv_free(w->paths);
        cj_strv_free(w->before);
        w->paths = w->before = NULL;
}
