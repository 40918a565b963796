/* SPDX-License-Identifier: MIT */
#pragma once

/* What the parser hands the compiler: a flat, already-resolved rule list.
 * Shared by policy_parse.c, policy_compile.c and policy_names.c only. */

#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>

#include "seccomp/policy.h"

typedef struct cj_seccomp_rule {
        char name[CJ_SECCOMP_NAME_MAX];        /* syscall name as written */
        int nr;                                /* native syscall number, >= 0 */
        uint32_t action;                       /* SCMP_ACT_* */
        unsigned n_conds;
        struct scmp_arg_cmp conds[CJ_SECCOMP_CONDS_MAX];
        const char *file;                      /* owned by cj_seccomp_policy.files */
        unsigned line;
} cj_seccomp_rule;

typedef struct cj_seccomp_decl {
        char name[CJ_SECCOMP_NAME_MAX];
        int nr;                                /* already offset for the native arch */
        int unified_nr;                        /* as written in the policy */
} cj_seccomp_decl;

struct cj_seccomp_policy {
        char *path;                            /* top-level file */
        bool has_default;
        uint32_t default_action;
        cj_seccomp_rule *rules;
        size_t n_rules, cap_rules;
        char **files;                          /* every file parsed, for rule origins */
        size_t n_files;
        cj_seccomp_decl decls[CJ_SECCOMP_DECLS_MAX];
        size_t n_decls;
};

/* Value of a symbolic constant (TIOCSTI, CLONE_NEWUSER, AF_INET...); false if unknown. */
bool cj_seccomp_constant(const char *name, uint64_t *value);

/* The first constant named PREFIX... with this value ("AF_", 40 -> "AF_VSOCK"); NULL if none. */
const char *cj_seccomp_constant_name(const char *prefix, uint64_t value);

/* errno number for a name such as EPERM or ENOTSUP; -1 if unknown. */
int cj_seccomp_errno_from_name(const char *name);

/* Offset the unified syscall table has on the native architecture (MIPS ABIs
 * number from 4000/5000/6000; every other supported arch from 0). */
int cj_seccomp_native_nr_offset(void);
