/* SPDX-License-Identifier: MIT */
/* The host filesystem as the planner sees it (plan.h cj_fs_probe_host). */
#include "plan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/dents.h"
#include "util/fileio.h"
#include "util/longpath.h"

/* Each operation resolves its path through cj_at_open (util/longpath.h): a
 * path longer than PATH_MAX (a .env 17 levels under 250-character names) is
 * examined like any other, never taken for an error that bricks the
 * workspace.  Directories are listed through openat(O_DIRECTORY|O_NOFOLLOW):
 * a directory swapped for a symlink since it was examined is never followed
 * (ELOOP: the call fails closed). */

static cj_file_type mode_type(mode_t m) {
        if (S_ISLNK(m))
                return CJ_FT_SYMLINK;
        if (S_ISDIR(m))
                return CJ_FT_DIR;
        return S_ISREG(m) ? CJ_FT_FILE : CJ_FT_OTHER;
}

static cj_file_type host_lstat(void *ctx, const char *path) {
        cj_at at;
        int r = cj_at_open(path, false, &at);
        if (r < 0) {
                errno = -r;
                return r == -ENOENT || r == -ENOTDIR ? CJ_FT_MISSING : CJ_FT_ERROR;
        }
        struct stat st;
        r = fstatat(at.dfd, at.rel, &st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
        cj_at_close(&at);
        if (r < 0) {
                errno = -r;
                return r == -ENOENT || r == -ENOTDIR ? CJ_FT_MISSING : CJ_FT_ERROR;
        }
        return mode_type(st.st_mode);
}

static char *host_realpath(void *ctx, const char *path) {
        char *r = realpath(path, NULL);
        if (!r && errno == ENAMETOOLONG)
                r = cj_realpath_long(path);
        return r;
}

static char *host_readlink(void *ctx, const char *path) {
        cj_at at;
        int r = cj_at_open(path, false, &at);
        if (r < 0) {
                errno = -r;
                return NULL;
        }
        char buf[PATH_MAX];
        ssize_t n = readlinkat(at.dfd, at.rel, buf, sizeof buf - 1);
        int e = errno;
        cj_at_close(&at);
        if (n < 0) {
                errno = e;
                return NULL;
        }
        buf[n] = '\0';
        return strdup(buf);
}

#define CJ_LIST_BUF_BIG 32768 /* getdents64 buffer for a directory with many entries */
#define CJ_DIR_LIST_FIRST 1024 /* bytes a listing starts with; it doubles as it fills */

int cj_dir_list_add(cj_dir_list *l, const char *name, cj_file_type type) {
        size_t nl = strlen(name);
        if (nl > UCHAR_MAX) /* NAME_MAX is 255 */
                return -ENAMETOOLONG;
        if (l->len && !l->cap)
                return -EINVAL;
        size_t need = nl + 3;
        if (l->cap - l->len < need) {
                size_t cap = l->cap ? l->cap : CJ_DIR_LIST_FIRST;
                while (cap - l->len < need)
                        cap *= 2;
                char *b = realloc(l->buf, cap);
                if (!b)
                        return -ENOMEM;
                l->buf = b;
                l->cap = cap;
        }
        l->buf[l->len] = (char) type;
        l->buf[l->len + 1] = (char) (unsigned char) nl;
        memcpy(l->buf + l->len + 2, name, nl + 1);
        l->len += need;
        return 0;
}

const char *cj_dir_list_next(const cj_dir_list *l, size_t *off, cj_file_type *type, size_t *len) {
        if (*off >= l->len)
                return NULL;
        const char *e = l->buf + *off;
        *type = (cj_file_type) e[0];
        *len = (unsigned char) e[1];
        *off += *len + 3;
        return e + 2;
}

void cj_dir_list_free(cj_dir_list *l) {
        if (l->cap)
                free(l->buf);
        *l = (cj_dir_list){ 0 };
}

/* Every name in path but "." and "..", with its type from getdents64's
 * d_type (an fstatat, not following, only where the file system does not
 * say: DT_UNKNOWN).  getdents64 rather than fdopendir: no fstat and fcntl
 * calls and no 32 KB buffer per listing. */
static int host_list(void *ctx, const char *path, cj_dir_list *out) {
        _cleanup_close_ int fd = cj_fs_open_dir(path);
        return fd < 0 ? fd : cj_fs_list_fd(fd, out);
}

int cj_fs_open_dir(const char *path) {
        return cj_open_long(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK, false);
}

int cj_fs_list_fd(int fd, cj_dir_list *out) {
        /* A small buffer on the stack first: after the clone the launcher's
         * first write to a page is a copy-on-write fault, and a heap or static
         * buffer is a page of its own (phase log, A/B of the three: the plan
         * and the rescan after the call 0.06-0.12 ms faster each).  A
         * directory that fills it gets a bigger one on the heap.  4 KB holds
         * ~100 short names: a directory of 40 files is one read and the end,
         * not three reads (1 KB; plan in a 431-directory tree 10.7 -> 9.9 ms). */
        alignas(struct dirent64) char small[4096];
        cj_dents d = CJ_DENTS(fd, small, sizeof small, CJ_LIST_BUF_BIG);
        int r = 0;
        for (const struct dirent64 *de; r == 0 && (de = cj_dents_next(&d));) {
                cj_file_type t;
                switch (de->d_type) {
                case DT_DIR: t = CJ_FT_DIR; break;
                case DT_REG: t = CJ_FT_FILE; break;
                case DT_LNK: t = CJ_FT_SYMLINK; break;
                case DT_UNKNOWN: {
                        struct stat st;
                        if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                                if (errno == ENOENT)
                                        continue; /* removed since the read: not there */
                                r = -errno;
                                continue;
                        }
                        t = mode_type(st.st_mode);
                        break;
                }
                default: t = CJ_FT_OTHER; break;
                }
                r = cj_dir_list_add(out, de->d_name, t);
        }
        cj_dents_free(&d);
        return r < 0 ? r : d.err;
}

const cj_fs_probe cj_fs_probe_host = {
        .lstat_type = host_lstat,
        .realpath = host_realpath,
        .readlink = host_readlink,
        .list = host_list,
        .ctx = NULL,
};
