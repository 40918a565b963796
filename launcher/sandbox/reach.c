/* SPDX-License-Identifier: MIT */
#include "reach.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fileio.h"

static bool allowed(const struct stat *st, uid_t uid, gid_t gid, mode_t want_owner) {
        /* want_owner is S_IRUSR / S_IXUSR; the group and other bits are 3 and 6 places lower. */
        if (st->st_uid == uid)
                return st->st_mode & want_owner;
        if (st->st_gid == gid)
                return st->st_mode & (want_owner >> 3);
        return st->st_mode & (want_owner >> 6);
}

bool cj_path_reachable(const char *path, uid_t uid, gid_t gid) {
        _cleanup_free_ char *p = strdup(path);
        if (!p || p[0] != '/')
                return false;
        struct stat st;
        for (char *s = p + 1;; s++) {
                if (*s != '/' && *s != '\0')
                        continue;
                char c = *s;
                *s = '\0';
                bool last = c == '\0';
                if (stat(p, &st) < 0) /* binds follow the final resolved path; realpath'd already */
                        return false;
                if (!last && !allowed(&st, uid, gid, S_IXUSR))
                        return false;
                if (last)
                        return allowed(&st, uid, gid, S_IRUSR) && (!S_ISDIR(st.st_mode) || allowed(&st, uid, gid, S_IXUSR));
                *s = c;
        }
}

bool cj_path_below_home(const char *path, const char *home) {
        return home && home[0] == '/' && strcmp(home, "/") != 0 && strcmp(path, home) != 0 && cj_path_is_under(path, home);
}

static bool is_bind(cj_mount_kind k) {
        return k == CJ_MNT_BIND_RO || k == CJ_MNT_BIND_RW;
}

int cj_mount_plan_drop_unreachable(cj_mount_plan *plan, const char *home, const char *cwd, uid_t uid, gid_t gid,
                                   cj_strv *notes) {
        for (size_t i = 0; i < plan->n; i++) {
                cj_mount_op *op = &plan->ops[i];
                if (!is_bind(op->kind) || !op->src || op->tree_fd >= 0 || !cj_path_below_home(op->dst, home) ||
                    (cwd && cj_path_is_under(cwd, op->dst)) ||
                    cj_path_reachable(op->src, uid, gid))
                        continue;
                char *note = NULL;
                if (asprintf(&note,
                             "skipped the optional bind %s: run_as (uid %u) cannot reach %s; let it (chmod o+x on "
                             "the directories above) or set run_as to the owner",
                             op->dst, (unsigned) uid, op->src) < 0 ||
                    cj_strv_push_take(notes, note) < 0)
                        return -ENOMEM;
                /* Remove it and every op inside it (masks, protects, nested binds). */
                _cleanup_free_ char *gone = strdup(op->dst);
                if (!gone)
                        return -ENOMEM;
                size_t w = 0;
                for (size_t j = 0; j < plan->n; j++) {
                        if (cj_path_is_under(plan->ops[j].dst, gone)) {
                                free(plan->ops[j].src);
                                free(plan->ops[j].dst);
                                if (plan->ops[j].tree_fd >= 0)
                                        close(plan->ops[j].tree_fd);
                                continue;
                        }
                        plan->ops[w++] = plan->ops[j];
                }
                plan->n = w;
                i = (size_t) -1; /* start over: indices moved */
        }
        return 0;
}
