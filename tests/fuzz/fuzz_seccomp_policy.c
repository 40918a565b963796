/* SPDX-License-Identifier: MIT */
/* Fuzz the seccomp policy parser with arbitrary text.  Beyond "never crash":
 * whatever parses must print as canonical text that parses back to the same
 * text, and must either compile or fail with a message; what compiles must
 * run in the launcher's interpreter and keep its verdicts in its notifying
 * copy. */
#include <errno.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "seccomp/bpf.h"
#include "seccomp/policy.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/srcdir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

CJ_DEFINE_TRIVIAL_CLEANUP_FUNC(cj_seccomp_policy *, cj_seccomp_policy_free);

/* What the sandbox does with a compiled program (seccomp/bpf.h): the
 * interpreter must accept every program libseccomp emits, and the notifying
 * copy must notify exactly where the program returns an errno (the quiet
 * syscall aside, which keeps its errno), for syscall data taken from the
 * input.  The describer must stay inside its buffer. */
static void check_notify_copy(const struct sock_filter *prog, size_t len, const uint8_t *data, size_t size) {
        static struct sock_filter notif[BPF_MAXINSNS];
        size_t nlen = 0;
        uint32_t arch = seccomp_arch_native();
        const int quiet[] = { SCMP_SYS(clone3) };
        int n = cj_seccomp_bpf_to_notify(prog, len, arch, quiet, 1, notif, BPF_MAXINSNS, &nlen);
        if (n < 0 && n != -E2BIG)
                abort(); /* libseccomp never computes an action in A */
        for (size_t off = 0; off + 8 <= size && off < 64 * 8; off += 8) {
                struct seccomp_data d = { .arch = arch };
                uint64_t v;
                memcpy(&v, data + off, sizeof v);
                d.nr = (int) (v % 512);
                for (int a = 0; a < 6; a++)
                        d.args[a] = v * (uint64_t) (a + 1) ^ (v >> (a * 8));
                uint32_t act, nact;
                if (cj_seccomp_bpf_run(prog, len, &d, &act) < 0)
                        abort();
                char desc[CJ_SECCOMP_DESC_MAX], name[32];
                cj_seccomp_describe_args(&d, desc, sizeof desc);
                cj_seccomp_syscall_name(d.nr, name, sizeof name);
                if (strlen(desc) >= sizeof desc || strlen(name) >= sizeof name)
                        abort();
                if (n < 0)
                        continue;
                if (cj_seccomp_bpf_run(notif, nlen, &d, &nact) < 0)
                        abort();
                bool is_errno = (act & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO;
                if (is_errno && nact != SECCOMP_RET_USER_NOTIF && !(d.nr == quiet[0] && nact == act))
                        abort();
                if (!is_errno && nact != act)
                        abort();
        }
}

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
        if (cj_seccomp_policy_compile_bpf(p, &prog, &len, &e3) < 0) {
                if (e3.msg[0] == '\0')
                        abort();
                return 0;
        }
        check_notify_copy(prog, len, data, size);
        return 0;
}
