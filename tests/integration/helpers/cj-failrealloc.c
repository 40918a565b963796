/* SPDX-License-Identifier: MIT */
/* Fault injection for the integration tests (LD_PRELOAD): realloc fails with
 * ENOMEM for any size >= $CJ_FAIL_REALLOC_AT, but only in the process that
 * loaded this library, never in its forks (serve's workers and sandboxes).
 * It makes "the launcher could not grow a buffer" happen on demand, which
 * an address-space limit cannot aim at one process of a serve. */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static pid_t armed_pid;
static size_t fail_at;

__attribute__((constructor)) static void arm(void) {
        const char *s = getenv("CJ_FAIL_REALLOC_AT");
        if (s && *s) {
                fail_at = strtoull(s, NULL, 10);
                armed_pid = getpid();
        }
}

void *realloc(void *p, size_t n) {
        static void *(*real)(void *, size_t);
        if (!real)
                real = (void *(*) (void *, size_t)) dlsym(RTLD_NEXT, "realloc");
        if (fail_at && n >= fail_at && getpid() == armed_pid) {
                errno = ENOMEM;
                return NULL;
        }
        return real(p, n);
}
