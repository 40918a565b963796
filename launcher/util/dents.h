/* SPDX-License-Identifier: MIT */
#pragma once

/* A directory's entries read with getdents64 into the caller's buffer: no
 * DIR, no fstat or fcntl, no 32 KB buffer to fault in per listing (each
 * counts on the sandbox's cold path).  "." and ".." are skipped. */

#include <dirent.h>
#include <stddef.h>

typedef struct cj_dents {
        int fd;
        char *buf;      /* the caller's, until a heap one replaces it (grow_to) */
        size_t size;
        size_t grow_to; /* 0: never; else a read that fills more than half of buf
                         * moves on to a heap buffer of this many bytes */
        char *heap;
        long n, off;    /* bytes in buf, and the next entry's offset */
        int err;        /* -errno of the read that failed; 0 at the end */
} cj_dents;

/* buf: aligned for struct dirent64 (alignas(struct dirent64)). */
#define CJ_DENTS(fd_, buf_, size_, grow_to_) \
        ((cj_dents){ .fd = (fd_), .buf = (buf_), .size = (size_), .grow_to = (grow_to_) })

/* The next entry (valid until the next call), or NULL at the end or on a
 * failed read (then d->err is -errno). */
const struct dirent64 *cj_dents_next(cj_dents *d);

/* Free the heap buffer, if one was taken. */
void cj_dents_free(cj_dents *d);
