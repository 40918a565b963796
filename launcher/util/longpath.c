/* SPDX-License-Identifier: MIT */
#include "longpath.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"

static int open_at(int dfd, const char *rel, int flags, bool no_symlinks) {
        int fd;
        if (no_symlinks) {
                struct open_how how = { .flags = (uint64_t) (flags | O_CLOEXEC), .resolve = RESOLVE_NO_SYMLINKS };
                fd = (int) syscall(SYS_openat2, dfd, rel, &how, sizeof how);
        } else
                fd = openat(dfd, rel, flags | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

int cj_at_open(const char *path, bool no_symlinks, cj_at *at) {
        *at = (cj_at){ .dfd = AT_FDCWD, .rel = path, .fd = -1 };
        if (path[0] != '/')
                return -EINVAL;
        char chunk[PATH_MAX];
        while (strlen(at->rel) >= PATH_MAX) {
                /* The longest prefix ending before a '/' that fits: a component
                 * is at most NAME_MAX, so there always is one. */
                const char *end = at->rel + PATH_MAX - 1;
                while (end > at->rel && *end != '/')
                        end--;
                size_t n = (size_t) (end - at->rel);
                if (n == 0) { /* "/" then a name longer than PATH_MAX */
                        cj_at_close(at);
                        return -ENAMETOOLONG;
                }
                memcpy(chunk, at->rel, n);
                chunk[n] = '\0';
                int fd = open_at(at->dfd, chunk, O_PATH | O_DIRECTORY, no_symlinks);
                if (fd < 0) {
                        cj_at_close(at);
                        return fd;
                }
                cj_at_close(at);
                at->dfd = at->fd = fd;
                while (*end == '/')
                        end++;
                at->rel = *end ? end : ".";
        }
        return 0;
}

void cj_at_close(cj_at *at) {
        if (at->fd >= 0)
                close(at->fd);
        at->fd = -1;
        at->dfd = AT_FDCWD;
}

int cj_open_long(const char *path, int flags, bool no_symlinks) {
        cj_at at;
        int r = cj_at_open(path, no_symlinks, &at);
        if (r < 0)
                return r;
        r = open_at(at.dfd, at.rel, flags, no_symlinks);
        cj_at_close(&at);
        return r;
}

/* Append "/" + name (n bytes) to *res (len *rl, capacity *cap). */
static int push_name(char **res, size_t *rl, size_t *cap, const char *name, size_t n) {
        if (*rl + n + 2 > *cap) {
                size_t c = (*rl + n + 2) * 2;
                char *p = realloc(*res, c);
                if (!p)
                        return -ENOMEM;
                *res = p;
                *cap = c;
        }
        (*res)[(*rl)++] = '/';
        memcpy(*res + *rl, name, n);
        *rl += n;
        (*res)[*rl] = '\0';
        return 0;
}

char *cj_realpath_long(const char *path) {
        if (path[0] != '/') {
                errno = EINVAL;
                return NULL;
        }
        _cleanup_free_ char *todo = strdup(path), *res = NULL;
        size_t rl = 0, cap = 0;
        _cleanup_close_ int cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (!todo || cur < 0 || push_name(&res, &rl, &cap, "", 0) < 0)
                return errno = ENOMEM, NULL;
        rl = 0; /* res = "" stands for "/" */
        res[0] = '\0';
        int links = 0, e = 0;
        size_t at = 0;
        while (todo[at]) {
                while (todo[at] == '/')
                        at++;
                size_t n = strcspn(todo + at, "/");
                if (n == 0)
                        break;
                char name[NAME_MAX + 1];
                if (n > NAME_MAX) {
                        e = ENAMETOOLONG;
                        break;
                }
                memcpy(name, todo + at, n);
                name[n] = '\0';
                at += n;
                bool last = todo[at + strspn(todo + at, "/")] == '\0';
                if (strcmp(name, ".") == 0)
                        continue;
                if (strcmp(name, "..") == 0) {
                        char *slash = strrchr(res, '/');
                        if (!slash)
                                continue; /* ".." of "/" */
                        int fd = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
                        if (fd < 0) {
                                e = errno;
                                break;
                        }
                        close(cur);
                        cur = fd;
                        *slash = '\0';
                        rl = (size_t) (slash - res);
                        continue;
                }
                struct stat st;
                if (fstatat(cur, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        e = errno;
                        break;
                }
                if (S_ISLNK(st.st_mode)) {
                        char target[PATH_MAX];
                        ssize_t tl;
                        if (++links > CJ_LONGPATH_LINKS_MAX) {
                                e = ELOOP;
                                break;
                        }
                        if ((tl = readlinkat(cur, name, target, sizeof target - 1)) < 0) {
                                e = errno;
                                break;
                        }
                        target[tl] = '\0';
                        /* todo = target + "/" + what is left */
                        char *nt = NULL;
                        if (asprintf(&nt, "%s/%s", target, todo + at) < 0) {
                                e = ENOMEM;
                                break;
                        }
                        free(todo);
                        todo = nt;
                        at = 0;
                        if (target[0] == '/') {
                                int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                                if (fd < 0) {
                                        e = errno;
                                        break;
                                }
                                close(cur);
                                cur = fd;
                                rl = 0;
                                res[0] = '\0';
                        }
                        continue;
                }
                if (push_name(&res, &rl, &cap, name, n) < 0) {
                        e = ENOMEM;
                        break;
                }
                if (last)
                        break;
                if (!S_ISDIR(st.st_mode)) {
                        e = ENOTDIR;
                        break;
                }
                int fd = openat(cur, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0) {
                        e = errno;
                        break;
                }
                close(cur);
                cur = fd;
        }
        if (e) {
                errno = e;
                return NULL;
        }
        if (rl == 0)
                return strdup("/");
        return TAKE_PTR(res);
}
