/* SPDX-License-Identifier: MIT */
#include "filter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp/embedded.h"
#include "seccomp/policy.h"

typedef struct cached_filter {
        char *policy;
        struct sock_fprog prog;
} cached_filter;

static cached_filter cache[CJ_SANDBOX_FILTER_CACHE_MAX];
static size_t n_cached;

/* The build-time program when the policy's files are unchanged (static
 * storage: *embedded), else compiled now from the files (malloc'd). */
static int compile(const char *policy, struct sock_fprog *prog, bool *embedded, cj_error *err) {
        const cj_seccomp_embedded *e = NULL;
        *embedded = cj_seccomp_embedded_find(policy, cj_seccomp_default_search_dirs(), &e) == 1;
        if (*embedded) {
                *prog = (struct sock_fprog){ .len = (unsigned short) e->len, .filter = (struct sock_filter *) e->prog };
                return 0;
        }
        cj_seccomp_policy *pol = NULL;
        int r = cj_seccomp_policy_load(policy, cj_seccomp_default_search_dirs(), &pol, err);
        if (r < 0)
                return r;
        struct sock_filter *f = NULL;
        size_t n = 0;
        r = cj_seccomp_policy_compile_bpf(pol, &f, &n, err);
        cj_seccomp_policy_free(pol);
        if (r < 0)
                return r;
        if (n == 0 || n > BPF_MAXINSNS) {
                free(f);
                return cj_error_set(err, E2BIG, "seccomp policy %s compiles to %zu instructions (limit %d)", policy,
                                    n, BPF_MAXINSNS);
        }
        *prog = (struct sock_fprog){ .len = (unsigned short) n, .filter = f };
        return 0;
}

int cj_sandbox_filter_cached(const char *policy, struct sock_fprog *prog) {
        for (size_t i = 0; i < n_cached; i++)
                if (strcmp(cache[i].policy, policy) == 0) {
                        *prog = cache[i].prog;
                        return 0;
                }
        return -ENOENT;
}

int cj_sandbox_filter_get(const char *policy, struct sock_fprog *prog, bool *owned, cj_error *err) {
        *owned = false;
        if (cj_sandbox_filter_cached(policy, prog) == 0)
                return 0;
        bool embedded;
        int r = compile(policy, prog, &embedded, err);
        if (r < 0)
                return r;
        char *key = n_cached < CJ_SANDBOX_FILTER_CACHE_MAX ? strdup(policy) : NULL;
        if (!key) {
                *owned = !embedded;
                return 0;
        }
        cache[n_cached++] = (cached_filter){ key, *prog };
        return 0;
}
