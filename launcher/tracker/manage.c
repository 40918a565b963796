/* SPDX-License-Identifier: MIT */
#include "manage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "scratch.h"
#include "task-internal.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/tree.h"

int cj_duration_parse(const char *s, int64_t *seconds) {
        if (!s || !*s)
                return -EINVAL;
        char *end = NULL;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || end == s || v < 0)
                return -EINVAL;
        int64_t unit = 1;
        if (*end) {
                if (end[1])
                        return -EINVAL;
                switch (*end) {
                case 's': unit = 1; break;
                case 'm': unit = 60; break;
                case 'h': unit = 3600; break;
                case 'd': unit = 86400; break;
                case 'w': unit = 7 * 86400; break;
                default: return -EINVAL;
                }
        }
        if (v > INT64_MAX / unit)
                return -ERANGE;
        *seconds = (int64_t) v * unit;
        return 0;
}

int cj_task_live_call(cj_task *t) {
        /* Our own description holds no lock: any lock reported is another call's. */
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
        if (fcntl(t->calls_fd, F_OFD_GETLK, &fl) < 0)
                return -errno;
        return fl.l_type != F_UNLCK;
}

static int lock_idle(cj_task *t, const char *what, cj_error *err) {
        int r = cj_task_lock(t, err);
        if (r < 0)
                return r;
        r = cj_task_live_call(t);
        if (r < 0) {
                cj_task_unlock(t);
                return cj_error_seterrno(err, r, "%s: calls.lock", t->dir);
        }
        if (r > 0) {
                cj_task_unlock(t);
                return cj_error_set(err, EBUSY, "task %s has a call running: not %s", t->id, what);
        }
        return 0;
}

int cj_task_clean(cj_task *t, cj_error *err) {
        int r = lock_idle(t, "cleaned", err);
        if (r < 0)
                return r;
        _cleanup_free_ char *dir = cj_scratch_dir(t->dir);
        r = dir ? cj_tree_remove(dir) : -ENOMEM;
        cj_task_unlock(t);
        return r < 0 ? cj_error_seterrno(err, r, "remove %s", dir ? dir : "scratch") : 0;
}

int cj_task_delete(cj_task *t, cj_error *err) {
        int r = lock_idle(t, "deleted", err);
        if (r < 0)
                return r;
        /* ".ID.deleted-PID": ids never start with '.', so no task has this name. */
        _cleanup_free_ char *parent = strdup(t->dir), *gone = NULL;
        char *slash = parent ? strrchr(parent, '/') : NULL;
        if (!slash || asprintf(&gone, "%.*s/.%s.deleted-%d", (int) (slash - parent), parent, t->id, (int) getpid()) < 0) {
                cj_task_unlock(t);
                return cj_error_set(err, ENOMEM, "out of memory");
        }
        if (rename(t->dir, gone) < 0) {
                r = cj_error_seterrno(err, errno, "rename %s", t->dir);
                cj_task_unlock(t);
                return r;
        }
        cj_task_unlock(t);
        r = cj_tree_remove(gone);
        return r < 0 ? cj_error_seterrno(err, r, "remove %s", gone) : 0;
}

int cj_task_idle_seconds(const cj_task *t, int64_t *seconds) {
        struct stat st;
        if (stat(t->journal_path, &st) < 0)
                return -errno;
        int64_t idle = (int64_t) time(NULL) - (int64_t) st.st_mtime;
        *seconds = idle < 0 ? 0 : idle;
        return 0;
}

json_t *cj_task_disk_json(const cj_task *t) {
        _cleanup_free_ char *dir = cj_scratch_dir(t->dir), *outs = cj_path_join(t->dir, "outputs");
        _cleanup_free_ char *home = dir ? cj_path_join(dir, "home") : NULL, *tmp = dir ? cj_path_join(dir, "tmp") : NULL;
        if (!home || !tmp || !outs)
                return NULL;
        int64_t sb = 0, ob = 0;
        cj_scratch_usage(t->dir, &sb);
        cj_tree_usage(outs, &ob);
        return json_pack("{s:{s:I, s:s, s:s}, s:{s:I}}", "scratch", "bytes", (json_int_t) sb, "home", home, "tmp", tmp,
                         "outputs", "bytes", (json_int_t) ob);
}
