/* SPDX-License-Identifier: MIT */
#include "dents.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

const struct dirent64 *cj_dents_next(cj_dents *d) {
        for (;;) {
                while (d->off < d->n) {
                        const struct dirent64 *de = (const struct dirent64 *) (d->buf + d->off);
                        d->off += de->d_reclen;
                        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                                return de;
                }
                /* A directory that fills the small buffer gets a big one (best
                 * effort: without it, the small one just takes more reads). */
                if (d->grow_to && !d->heap && (size_t) d->n > d->size / 2 && (d->heap = malloc(d->grow_to))) {
                        d->buf = d->heap;
                        d->size = d->grow_to;
                }
                long n = syscall(SYS_getdents64, d->fd, d->buf, d->size);
                d->off = 0;
                d->n = n > 0 ? n : 0;
                if (n <= 0) {
                        d->err = n < 0 ? -errno : 0;
                        return NULL;
                }
        }
}

void cj_dents_free(cj_dents *d) {
        free(d->heap);
        d->heap = NULL;
}
