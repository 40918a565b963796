/* SPDX-License-Identifier: MIT */
#include "fingerprint.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"

typedef struct walk {
        cj_sha256 *h;
        size_t entries;
        int64_t deadline_ms; /* CLOCK_MONOTONIC */
        bool unknown;
} walk;

static int64_t mono_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void add_entry(walk *w, const char *name, size_t depth, const struct stat *st) {
        struct {
                uint64_t depth, mode, size, ino, sec, nsec, csec, cnsec;
        } rec = { depth, st->st_mode, (uint64_t) st->st_size, st->st_ino, (uint64_t) st->st_mtim.tv_sec,
                  (uint64_t) st->st_mtim.tv_nsec, (uint64_t) st->st_ctim.tv_sec, (uint64_t) st->st_ctim.tv_nsec };
        cj_sha256_update(w->h, name, strlen(name) + 1);
        cj_sha256_update(w->h, &rec, sizeof rec);
}

/* Walk the directory open at dfd (taken over). */
static void walk_dir(walk *w, int dfd, size_t depth) {
        if (depth > CJ_FINGERPRINT_DEPTH_MAX) {
                close(dfd);
                w->unknown = true;
                return;
        }
        DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                w->unknown = true;
                return;
        }
        struct dirent *de;
        while (!w->unknown && (de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (++w->entries > CJ_FINGERPRINT_ENTRIES_MAX ||
                    ((w->entries & 1023) == 0 && mono_ms() > w->deadline_ms)) {
                        w->unknown = true;
                        break;
                }
                struct stat st;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        w->unknown = true;
                        break;
                }
                add_entry(w, de->d_name, depth, &st);
                if (S_ISDIR(st.st_mode)) {
                        int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub < 0) {
                                w->unknown = true;
                                break;
                        }
                        walk_dir(w, sub, depth + 1);
                }
        }
        closedir(d);
}

static bool listed(char *const *list, const char *s) {
        for (size_t i = 0; list && list[i]; i++)
                if (strcmp(list[i], s) == 0)
                        return true;
        return false;
}

int cj_fingerprint_roots(char *const *roots, char *const *skip, char out[CJ_SHA256_HEX_LEN + 1]) {
        walk w = { .h = cj_sha256_new(), .deadline_ms = mono_ms() + CJ_FINGERPRINT_TIME_MS };
        if (!w.h)
                return 1;
        for (size_t i = 0; roots && roots[i] && !w.unknown; i++) {
                if (listed(skip, roots[i]))
                        continue;
                cj_sha256_update(w.h, roots[i], strlen(roots[i]) + 1);
                int fd = open(roots[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0) {
                        /* A root that does not exist (yet) has no content to change. */
                        cj_sha256_update(w.h, "-", 1);
                        continue;
                }
                struct stat st;
                if (fstat(fd, &st) == 0)
                        add_entry(&w, ".", 0, &st);
                walk_dir(&w, fd, 1);
        }
        cj_sha256_final(w.h, out);
        cj_sha256_free(w.h);
        return w.unknown ? 1 : 0;
}
