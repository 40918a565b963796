/* SPDX-License-Identifier: MIT */
#include "tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

/* Open a directory below dfd without following a symlink; a directory the
 * call left without search or read permission is given them first (we own
 * it, or we are root). */
static int open_dir_at(int dfd, const char *name) {
        int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == EACCES) {
                if (fchmodat(dfd, name, 0700, 0) < 0)
                        return -EACCES;
                fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        return fd < 0 ? -errno : fd;
}

static int usage_at(int dfd, int depth, uint64_t *entries, int64_t *bytes) {
        if (depth > CJ_TREE_DEPTH_MAX)
                return -ELOOP;
        DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return -errno;
        }
        int r = 0;
        struct dirent *e;
        while (r >= 0 && (e = readdir(d))) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                if (++*entries > CJ_TREE_ENTRIES_MAX) {
                        r = -E2BIG;
                        break;
                }
                struct stat st;
                if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue; /* removed meanwhile */
                *bytes += (int64_t) st.st_blocks * 512;
                if (S_ISDIR(st.st_mode)) {
                        int fd = open_dir_at(dirfd(d), e->d_name);
                        if (fd >= 0)
                                r = usage_at(fd, depth + 1, entries, bytes);
                }
        }
        closedir(d);
        return r;
}

int cj_tree_usage(const char *path, int64_t *bytes) {
        *bytes = 0;
        struct stat st;
        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        *bytes = (int64_t) st.st_blocks * 512;
        if (!S_ISDIR(st.st_mode))
                return 0;
        int fd = open_dir_at(AT_FDCWD, path);
        if (fd < 0)
                return fd;
        uint64_t entries = 0;
        return usage_at(fd, 0, &entries, bytes);
}

static int remove_at(int dfd, int depth) {
        if (depth > CJ_TREE_DEPTH_MAX) {
                close(dfd);
                return -ELOOP;
        }
        (void) fchmod(dfd, 0700); /* entries of a read-only directory cannot be unlinked */
        DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return -errno;
        }
        int r = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                if (unlinkat(dirfd(d), e->d_name, 0) == 0 || errno == ENOENT)
                        continue;
                if (errno != EISDIR && errno != EPERM) {
                        if (!r)
                                r = -errno;
                        continue;
                }
                int fd = open_dir_at(dirfd(d), e->d_name);
                int q = fd < 0 ? fd : remove_at(fd, depth + 1);
                if (q >= 0 && unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                        q = -errno;
                if (q < 0 && !r)
                        r = q;
        }
        closedir(d);
        return r;
}

int cj_tree_remove(const char *path) {
        struct stat st;
        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode))
                return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
        int fd = open_dir_at(AT_FDCWD, path);
        if (fd < 0)
                return fd;
        int r = remove_at(fd, 0);
        if (r >= 0 && rmdir(path) < 0 && errno != ENOENT)
                r = -errno;
        return r;
}
