/* SPDX-License-Identifier: MIT */
#include "gitguard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gitconfig.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/longpath.h"

#define QUARANTINE_SUFFIX ".clawjail-quarantine"

/* What `git init` writes: a new repository whose config cannot be parsed gets this. */
static const char fresh_config[] = "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n"
                                   "\tlogallrefupdates = true\n";

/* The git dir, for *at() calls: any length (a repository past PATH_MAX
 * is guarded like any other), never through a final symlink. */
static int open_gitdir(const char *gitdir) {
        return cj_open_long(gitdir, O_PATH | O_DIRECTORY | O_NOFOLLOW, false);
}

/* Read gitdir/config without following a symlink; 0 with *out NULL when it
 * is missing, -EINVAL when it is not a regular file or too large, another
 * -errno when the git dir cannot be opened. */
static int read_config(const char *gitdir, char **out, size_t *len, struct stat *st) {
        *out = NULL;
        *len = 0;
        _cleanup_close_ int gfd = open_gitdir(gitdir);
        if (gfd < 0)
                return gfd == -ENOENT ? 0 : gfd;
        _cleanup_close_ int fd = openat(gfd, "config", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -EINVAL;
        if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) || st->st_size > CJ_GITCONFIG_MAX)
                return -EINVAL;
        return cj_read_fd(fd, CJ_GITCONFIG_MAX, out, len, NULL) < 0 ? -EINVAL : 0;
}

/* Replace gitdir/config with text (temp file + rename: never through a link
 * the call planted), owned and moded like what it replaces. */
static int write_config(const char *gitdir, const char *text, size_t len, const struct stat *like) {
        _cleanup_close_ int gfd = open_gitdir(gitdir);
        if (gfd < 0)
                return gfd;
        static const char tmp[] = "config.clawjail-tmp";
        unlinkat(gfd, tmp, 0);
        _cleanup_close_ int fd = openat(gfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        int r = cj_write_all(fd, text, len);
        if (r >= 0 && like && (fchown(fd, like->st_uid, like->st_gid) < 0 || fchmod(fd, like->st_mode & 0777) < 0))
                r = -errno;
        if (r >= 0 && renameat(gfd, tmp, gfd, "config") < 0)
                r = -errno;
        if (r < 0)
                unlinkat(gfd, tmp, 0);
        return r;
}

static int report_line(cj_strv *report, const char *path, const char *what) {
        char *l = NULL;
        if (asprintf(&l, "%s: %s", path, what) < 0)
                return -ENOMEM;
        return cj_strv_push_take(report, l);
}

/* Bring gitdir/config back to safety given its previous text (NULL: none). */
static int guard_config(const char *gitdir, const char *old_text, size_t old_len, cj_strv *report) {
        _cleanup_free_ char *now = NULL, *path = cj_path_join(gitdir, "config");
        size_t now_len = 0;
        struct stat st = { 0 };
        if (!path)
                return -ENOMEM;
        int rr = read_config(gitdir, &now, &now_len, &st);
        if (rr == 0 && !now)
                return 0; /* removed: git then ignores the directory; nothing runs */
        if (rr == 0 && old_text && now_len == old_len && memcmp(now, old_text, old_len) == 0)
                return 0;
        const char *base = old_text ? old_text : "";
        size_t base_len = old_text ? old_len : 0;
        cj_gitconfig oc = { 0 }, nc = { 0 };
        int r = 0;
        bool whole = rr < 0 || cj_gitconfig_parse(base, base_len, &oc, NULL) < 0 ||
                     cj_gitconfig_parse(now, now_len, &nc, NULL) < 0;
        if (whole) {
                /* Not the subset we parse (or not a plain file any more): the old file, whole. */
                const char *t = old_text ? old_text : fresh_config;
                size_t l = old_text ? old_len : sizeof fresh_config - 1;
                if (rr == -EINVAL) { /* not a plain file: aside, whole (a failure shows in write_config) */
                        _cleanup_close_ int gfd = open_gitdir(gitdir);
                        if (gfd >= 0)
                                renameat(gfd, "config", gfd, "config" QUARANTINE_SUFFIX);
                } else if (rr < 0)
                        return rr;
                r = write_config(gitdir, t, l, rr == 0 ? &st : NULL);
                if (r >= 0)
                        r = report_line(report, path,
                                        old_text ? "restored whole (changed beyond what clawjail can check)"
                                                 : "replaced by a fresh config (changed beyond what clawjail can check)");
        } else {
                _cleanup_free_ char *fixed = NULL;
                size_t fixed_len = 0;
                char **keys = NULL;
                r = cj_gitconfig_revert(now, now_len, &oc, &nc, &fixed, &fixed_len, &keys);
                if (r == 1)
                        r = write_config(gitdir, fixed, fixed_len, &st);
                for (size_t i = 0; keys && keys[i]; i++) {
                        char what[512];
                        snprintf(what, sizeof what, "%s reverted (it makes git run a program)", keys[i]);
                        if (r >= 0)
                                r = report_line(report, path, what);
                        free(keys[i]);
                }
                free(keys);
        }
        cj_gitconfig_clear(&oc);
        cj_gitconfig_clear(&nc);
        return r;
}

static bool known_gitdir(const cj_git_guard *g, const char *gitdir) {
        for (size_t i = 0; i < g->n; i++)
                if (strcmp(g->repos[i].gitdir, gitdir) == 0)
                        return true;
        return false;
}

/* Every entry of a new repository's hooks/ but git's samples goes aside. */
static int guard_hooks(const char *gitdir, cj_strv *report) {
        _cleanup_free_ char *hooks = cj_path_join(gitdir, "hooks");
        if (!hooks)
                return -ENOMEM;
        _cleanup_close_ int gfd = open_gitdir(gitdir);
        if (gfd < 0)
                return gfd == -ENOENT ? 0 : gfd;
        _cleanup_close_ int dfd = openat(gfd, "hooks", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0) {
                int e = errno;
                struct stat st;
                if (fstatat(gfd, "hooks", &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return errno == ENOENT ? 0 : -errno;
                if (S_ISDIR(st.st_mode))
                        return -e; /* a directory it cannot read: never assume it empty */
                /* a link or a file: aside, whole */
                if (renameat(gfd, "hooks", gfd, "hooks" QUARANTINE_SUFFIX) < 0)
                        return -errno;
                return report_line(report, hooks, "moved aside (hooks of a repository the call created)");
        }
        DIR *d = fdopendir(dfd);
        if (!d)
                return -errno;
        dfd = -1;
        int r = 0;
        struct dirent *de;
        errno = 0;
        while (r >= 0 && (de = readdir(d))) {
                size_t l = strlen(de->d_name);
                if (de->d_name[0] == '.' || (l > 7 && strcmp(de->d_name + l - 7, ".sample") == 0) ||
                    (l > strlen(QUARANTINE_SUFFIX) &&
                     strcmp(de->d_name + l - strlen(QUARANTINE_SUFFIX), QUARANTINE_SUFFIX) == 0)) {
                        errno = 0;
                        continue;
                }
                _cleanup_free_ char *aside = NULL, *full = cj_path_join(hooks, de->d_name);
                if (!full || asprintf(&aside, "%s" QUARANTINE_SUFFIX, de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                if (renameat(dirfd(d), de->d_name, dirfd(d), aside) < 0)
                        r = -errno;
                else
                        r = report_line(report, full, "moved aside (a hook in a repository the call created)");
                errno = 0;
        }
        if (r >= 0 && errno)
                r = -errno;
        closedir(d);
        return r;
}

/* A .git directory: if the guard did not know it before the call, a
 * repository the call created. */
static int guard_new(const cj_git_guard *g, const char *gitdir, cj_strv *report) {
        if (known_gitdir(g, gitdir))
                return 0;
        int r = guard_hooks(gitdir, report);
        return r < 0 ? r : guard_config(gitdir, NULL, 0, report);
}

/* Find .git directories below dir that the guard did not know before the
 * call.  Directories are listed by path of any length through the planner's
 * host probe (plan.h: openat with O_NOFOLLOW, never through a final
 * symlink, and the same listing code as the scans before the call); one that
 * cannot be listed is an error, never skipped (a repository inside it would
 * go unguarded). */
static int scan_new(cj_git_guard *g, const char *dir, int depth, size_t *visited, cj_strv *report, char **where) {
        if (depth > CJ_MOUNT_SCAN_DEPTH || ++*visited > CJ_MOUNT_SCAN_DIRS_MAX) {
                *where = strdup(dir);
                return -E2BIG;
        }
        _cleanup_(cj_dir_list_free) cj_dir_list l = { 0 };
        int r = cj_fs_probe_host.list(cj_fs_probe_host.ctx, dir, &l);
        if (r == -ENOENT || (depth > 0 && (r == -ELOOP || r == -ENOTDIR)))
                return 0; /* gone, or no longer a directory (a symlink now): nothing git would walk into */
        if (r < 0) {
                *where = strdup(dir);
                return r;
        }
        size_t off = 0, nl;
        cj_file_type t;
        for (const char *name; r >= 0 && (name = cj_dir_list_next(&l, &off, &t, &nl));) {
                if (t != CJ_FT_DIR)
                        continue;
                _cleanup_free_ char *sub = cj_path_join(dir, name);
                if (!sub)
                        return -ENOMEM;
                if (strcmp(name, ".git") == 0) {
                        /* a git dir's own subdirectories (modules/) are its business */
                        if ((r = guard_new(g, sub, report)) < 0 && !*where)
                                *where = strdup(sub);
                } else
                        r = scan_new(g, sub, depth + 1, visited, report, where);
        }
        return r;
}

/* Add the real path of root (an existing directory) to the scan list once. */
static int add_root(cj_git_guard *g, const char *root) {
        _cleanup_free_ char *real = realpath(root, NULL);
        if (!real || cj_strv_contains(g->rw_roots, real))
                return 0;
        for (size_t i = 0; g->rw_roots && g->rw_roots[i]; i++)
                if (cj_path_is_under(real, g->rw_roots[i]))
                        return 0;
        return cj_strv_push(&g->rw_roots, real);
}

int cj_git_guard_begin(const cj_mount_plan *plan, const cj_profile *p, char *const *extra_rw, cj_git_guard *g) {
        *g = (cj_git_guard){ 0 };
        for (size_t i = 0; p->fs_protect && p->fs_protect[i]; i++) {
                const char *pat = p->fs_protect[i], *stars = strstr(pat, "/**/.git/");
                if (!stars)
                        continue;
                _cleanup_free_ char *anchor = strndup(pat, (size_t) (stars - pat));
                bool writable = false;
                for (size_t k = 0; anchor && p->fs_rw && p->fs_rw[k]; k++)
                        writable |= cj_path_is_under(anchor, p->fs_rw[k]);
                if (!anchor || (writable && add_root(g, anchor[0] ? anchor : "/") < 0))
                        return -ENOMEM;
        }
        for (size_t i = 0; extra_rw && extra_rw[i]; i++)
                if (add_root(g, extra_rw[i]) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < plan->n; i++) {
                const cj_mount_op *op = &plan->ops[i];
                if ((op->kind != CJ_MNT_PROTECT && op->kind != CJ_MNT_PROTECT_NEW) || !op->src)
                        continue;
                const char *base = strrchr(op->src, '/');
                if (!base || strcmp(base, "/hooks") != 0)
                        continue;
                _cleanup_free_ char *gd = strndup(op->src, (size_t) (base - op->src));
                if (!gd)
                        return -ENOMEM;
                if (known_gitdir(g, gd))
                        continue;
                cj_git_repo_snap *n = realloc(g->repos, (g->n + 1) * sizeof *n);
                if (!n)
                        return -ENOMEM;
                g->repos = n;
                cj_git_repo_snap *s = &g->repos[g->n++];
                *s = (cj_git_repo_snap){ .gitdir = TAKE_PTR(gd) };
                struct stat st;
                if (read_config(s->gitdir, &s->config, &s->len, &st) < 0) {
                        s->config = NULL; /* not a plain file now: what it becomes is checked whole */
                        s->len = 0;
                }
        }
        return 0;
}

/* A failure r at path: the first one is what the guard returns, each one a
 * "PATH: why" line on failed.  0, or -ENOMEM when the line cannot be kept. */
static int note_failure(cj_strv *failed, int *ret, const char *path, int r) {
        if (*ret == 0)
                *ret = r;
        char *l = NULL;
        if (asprintf(&l, "%s: %s", path ? path : "?",
                     r == -E2BIG ? "more directories or levels than the scan for new repositories allows"
                                 : strerror(-r)) < 0)
                return -ENOMEM;
        return cj_strv_push_take(failed, l);
}

int cj_git_guard_end(cj_git_guard *g, char *const *gitdirs, char *const *walked_roots, cj_strv *report,
                     cj_strv *failed) {
        int ret = 0;
        for (size_t i = 0; i < g->n; i++) {
                int r = guard_config(g->repos[i].gitdir, g->repos[i].config, g->repos[i].len, report);
                if (r < 0 && note_failure(failed, &ret, g->repos[i].gitdir, r) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; walked_roots && walked_roots[0] && gitdirs && gitdirs[i]; i++) {
                int r = guard_new(g, gitdirs[i], report);
                if (r < 0 && note_failure(failed, &ret, gitdirs[i], r) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; g->rw_roots && g->rw_roots[i]; i++) {
                if (cj_strv_contains(walked_roots, g->rw_roots[i]))
                        continue; /* its .git directories are in gitdirs */
                size_t visited = 0;
                _cleanup_free_ char *where = NULL;
                int r = scan_new(g, g->rw_roots[i], 0, &visited, report, &where);
                if (r < 0 && note_failure(failed, &ret, where ? where : g->rw_roots[i], r) < 0)
                        return -ENOMEM;
        }
        return ret;
}

void cj_git_guard_clear(cj_git_guard *g) {
        for (size_t i = 0; i < g->n; i++) {
                free(g->repos[i].gitdir);
                free(g->repos[i].config);
        }
        free(g->repos);
        cj_strv_free(g->rw_roots);
        *g = (cj_git_guard){ 0 };
}
