/* SPDX-License-Identifier: MIT */
/* Fuzz the seccomp policy parser with arbitrary text.  Beyond "never crash":
 * whatever parses must print as canonical text that parses back to the same
 * text, and must either compile or fail with a message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "seccomp/policy.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/srcdir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

CJ_DEFINE_TRIVIAL_CLEANUP_FUNC(cj_seccomp_policy *, cj_seccomp_policy_free);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > CJ_SECCOMP_FILE_MAX)
                return 0;
        /* The shipped policies, for @include: the fuzzer runs from the build tree. */
        static char *shipped;
        if (!shipped && cj_source_tree())
                shipped = cj_path_join(cj_source_tree(), "seccomp");
        const char *const dirs[] = { shipped, NULL };
        _cleanup_free_ char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';

        _cleanup_(cj_seccomp_policy_freep) cj_seccomp_policy *p = NULL;
        cj_error e = { 0 };
        if (cj_seccomp_policy_parse_string(text, "fuzz.policy", dirs, &p, &e) < 0) {
                if (e.code == 0 || e.msg[0] == '\0')
                        abort(); /* every failure says why */
                return 0;
        }

        _cleanup_free_ char *canon = cj_seccomp_policy_to_string(p, false);
        if (!canon)
                return 0;
        _cleanup_(cj_seccomp_policy_freep) cj_seccomp_policy *q = NULL;
        cj_error e2 = { 0 };
        if (cj_seccomp_policy_parse_string(canon, "canon.policy", dirs, &q, &e2) < 0)
                abort();
        _cleanup_free_ char *canon2 = cj_seccomp_policy_to_string(q, false);
        if (canon2 && strcmp(canon, canon2) != 0)
                abort();

        _cleanup_free_ struct sock_filter *prog = NULL;
        size_t len = 0;
        cj_error e3 = { 0 };
        if (cj_seccomp_policy_compile_bpf(p, &prog, &len, &e3) < 0 && e3.msg[0] == '\0')
                abort();
        return 0;
}
