/* SPDX-License-Identifier: MIT */
#pragma once

/* Ownership helpers in the systemd style: a variable declared with one of these
 * attributes is released when it goes out of scope; TAKE_PTR / TAKE_FD hand the
 * ownership on and leave NULL / -1 behind. */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define CJ_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void cj_freep(void *p) {
        free(*(void **) p);
}
static inline void cj_closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
static inline void cj_fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
static inline void cj_closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(cj_freep)
#define _cleanup_close_ _cleanup_(cj_closep)
#define _cleanup_fclose_ _cleanup_(cj_fclosep)
#define _cleanup_closedir_ _cleanup_(cj_closedirp)

/* Declare a cleanup function `name##p` that calls `func` on a non-NULL pointer. */
#define CJ_DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                                                     \
        static inline void func##p(type *p) {                                                                          \
                if (*p)                                                                                                \
                        func(*p);                                                                                      \
        }

#define TAKE_PTR(p)                                                                                                    \
        ({                                                                                                             \
                __typeof__(p) _tp = (p);                                                                               \
                (p) = NULL;                                                                                            \
                _tp;                                                                                                   \
        })
#define TAKE_FD(fd)                                                                                                    \
        ({                                                                                                             \
                int _tf = (fd);                                                                                        \
                (fd) = -1;                                                                                             \
                _tf;                                                                                                   \
        })

/* Retry a syscall-style expression while it fails with EINTR. */
#define CJ_RETRY_EINTR(expr)                                                                                           \
        ({                                                                                                             \
                long _r;                                                                                               \
                do                                                                                                     \
                        _r = (long) (expr);                                                                            \
                while (_r < 0 && errno == EINTR);                                                                      \
                _r;                                                                                                    \
        })
