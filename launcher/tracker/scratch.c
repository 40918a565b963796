/* SPDX-License-Identifier: MIT */
#include "scratch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/tree.h"

#define SCRATCH_DIR_MODE 0700

char *cj_scratch_dir(const char *task_dir) {
        return cj_path_join(task_dir, "scratch");
}

/* Add o+x to dir (search only: names in it stay unlistable). */
static int allow_search(const char *dir) {
        struct stat st;
        if (stat(dir, &st) < 0)
                return -errno;
        if ((st.st_mode & S_IXOTH) || chmod(dir, (st.st_mode & 07777) | S_IXOTH) == 0)
                return 0;
        return -errno;
}

/* mkdir dir (mode 0700) owned by uid:gid; an existing one must be a plain
 * directory (never a symlink a call could have planted: calls only see the
 * inside of home and tmp, but be strict anyway). */
static int make_owned(const char *dir, bool root, uid_t uid, gid_t gid, cj_error *err) {
        if (mkdir(dir, SCRATCH_DIR_MODE) < 0 && errno != EEXIST)
                return cj_error_seterrno(err, errno, "create %s", dir);
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return cj_error_seterrno(err, errno, "%s is not a plain directory", dir);
        if (root && fchown(fd, uid, gid) < 0)
                return cj_error_seterrno(err, errno, "give %s to uid %u", dir, (unsigned) uid);
        return 0;
}

int cj_scratch_prepare(const char *task_dir, bool root, uid_t uid, gid_t gid, char **home, char **tmp,
                       cj_error *err) {
        _cleanup_free_ char *dir = cj_scratch_dir(task_dir);
        _cleanup_free_ char *h = dir ? cj_path_join(dir, "home") : NULL;
        _cleanup_free_ char *t = dir ? cj_path_join(dir, "tmp") : NULL;
        if (!h || !t)
                return cj_error_set(err, ENOMEM, "out of memory");
        if (mkdir(dir, SCRATCH_DIR_MODE) < 0 && errno != EEXIST)
                return cj_error_seterrno(err, errno, "create %s", dir);
        int r;
        if ((r = make_owned(h, root, uid, gid, err)) < 0 || (r = make_owned(t, root, uid, gid, err)) < 0)
                return r;
        if (root) {
                /* STATE/tasks/TASK/scratch, then up to STATE: three levels above scratch. */
                _cleanup_free_ char *p = strdup(dir);
                if (!p)
                        return cj_error_set(err, ENOMEM, "out of memory");
                for (int level = 0; level < 4; level++) {
                        if ((r = allow_search(p)) < 0)
                                return cj_error_seterrno(err, r, "let uid %u reach %s", (unsigned) uid, p);
                        char *slash = strrchr(p, '/');
                        if (!slash || slash == p)
                                break;
                        *slash = '\0';
                }
        }
        *home = TAKE_PTR(h);
        *tmp = TAKE_PTR(t);
        return 0;
}

int cj_scratch_usage(const char *task_dir, int64_t *bytes) {
        _cleanup_free_ char *dir = cj_scratch_dir(task_dir);
        if (!dir)
                return -ENOMEM;
        return cj_tree_usage(dir, bytes);
}
