/* SPDX-License-Identifier: MIT */
/* Finding a build-time compiled filter whose policy files are unchanged
 * (see embedded.h). */
#include "seccomp/embedded.h"

#include <errno.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy_internal.h"
#include "util/cleanup.h"
#include "util/fileio.h"

/* Read path as the parser would (regular files only, CJ_SECCOMP_FILE_MAX)
 * and digest it.  false for anything the parser would not read. */
static bool digest_file(const char *path, struct stat *st, uint8_t out[CJ_SECCOMP_DIGEST_LEN]) {
        _cleanup_close_ int fd = open(path, CJ_SECCOMP_OPEN_FLAGS);
        if (fd < 0 || fstat(fd, st) < 0 || !S_ISREG(st->st_mode))
                return false;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        if (cj_read_fd(fd, CJ_SECCOMP_FILE_MAX, &buf, &len, NULL) < 0)
                return false;
        cj_sha256_raw(buf, len, out);
        return true;
}

static bool same_lib(const cj_seccomp_embedded *e) {
        const struct scmp_version *v = seccomp_version();
        return v && v->major == e->lib_major && v->minor == e->lib_minor && v->micro == e->lib_micro &&
               seccomp_arch_native() == e->arch;
}

/* Walk e's includes from the top-level file at top (already digested): each
 * resolved as the parser would, from the file that includes it, and each
 * with its recorded digest.  Refuses an include cycle as the parser does. */
static bool includes_match(const cj_seccomp_embedded *e, const char *top, const struct stat *top_st,
                           const char *const *search_dirs) {
        if (e->n_files > CJ_SECCOMP_FILES_MAX)
                return false;
        char *paths[CJ_SECCOMP_FILES_MAX] = { 0 };
        dev_t dev[CJ_SECCOMP_FILES_MAX] = { top_st->st_dev };
        ino_t ino[CJ_SECCOMP_FILES_MAX] = { top_st->st_ino };
        bool ok = true;
        for (size_t i = 1; ok && i < e->n_files; i++) {
                const cj_seccomp_embedded_file *f = &e->files[i];
                if (f->parent < 0 || (size_t) f->parent >= i || !f->include ||
                    cj_seccomp_resolve_include(f->include, f->parent ? paths[f->parent] : top, search_dirs,
                                               &paths[i]) < 0) {
                        ok = false;
                        break;
                }
                uint8_t d[CJ_SECCOMP_DIGEST_LEN];
                struct stat st = { 0 };
                ok = digest_file(paths[i], &st, d) && memcmp(d, f->sha256, sizeof d) == 0;
                dev[i] = st.st_dev;
                ino[i] = st.st_ino;
                for (int a = f->parent; ok && a >= 0; a = e->files[a].parent)
                        ok = !(dev[a] == dev[i] && ino[a] == ino[i]);
        }
        for (size_t k = 1; k < e->n_files; k++)
                free(paths[k]);
        return ok;
}

int cj_seccomp_embedded_find(const char *name_or_path, const char *const *search_dirs,
                             const cj_seccomp_embedded **out) {
        if (cj_seccomp_embedded_count == 0)
                return 0;
        _cleanup_free_ char *top = NULL;
        if (cj_seccomp_resolve_top(name_or_path, search_dirs, &top) < 0)
                return 0;
        struct stat st;
        uint8_t d[CJ_SECCOMP_DIGEST_LEN];
        if (!digest_file(top, &st, d))
                return 0;
        for (size_t i = 0; i < cj_seccomp_embedded_count; i++) {
                const cj_seccomp_embedded *e = &cj_seccomp_embedded_table[i];
                if (e->n_files == 0 || e->files[0].parent != -1 || memcmp(e->files[0].sha256, d, sizeof d) != 0 ||
                    !same_lib(e) || !includes_match(e, top, &st, search_dirs))
                        continue;
                *out = e;
                return 1;
        }
        return 0;
}
