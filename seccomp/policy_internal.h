/* SPDX-License-Identifier: MIT */
#pragma once

/* What the parser hands the compiler: a flat, already-resolved rule list.
 * Shared by policy_parse.c, policy_compile.c and policy_names.c only. */

#include <fcntl.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>

#include "seccomp/policy.h"
#include "util/sha256.h"

typedef struct cj_seccomp_rule {
        char name[CJ_SECCOMP_NAME_MAX];        /* syscall name as written */
        int nr;                                /* native syscall number, >= 0 */
        uint32_t action;                       /* SCMP_ACT_* */
        unsigned n_conds;
        struct scmp_arg_cmp conds[CJ_SECCOMP_CONDS_MAX];
        const char *file;                      /* owned by cj_seccomp_policy.files */
        unsigned line;
} cj_seccomp_rule;

/* How the parser reached one file of a policy and what it read there: the
 * build-time compiler (embed_gen.c) records this, and the run-time check
 * (embedded.c) walks the same includes to prove the files are unchanged. */
typedef struct cj_seccomp_source {
        char *include;                         /* the @include argument; NULL for the top-level file */
        int parent;                            /* index of the including file; -1 for the top-level file */
        uint8_t sha256[CJ_SHA256_LEN];         /* of the bytes parsed */
} cj_seccomp_source;

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
        cj_seccomp_source *sources;            /* parallel to files */
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

/* How the parser opens a policy file: O_NONBLOCK, so a FIFO named by a
 * policy cannot hang it (only regular files are then read). */
#define CJ_SECCOMP_OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

/* The file a top-level NAME|PATH names (NAME.policy in search_dirs; a PATH
 * as is) and the file `@include NAME|PATH` in including_file names (a NAME
 * next to that file, then in search_dirs; a relative PATH from its
 * directory).  0 and a malloc'd *out, -EINVAL for a bad policy name,
 * -ENOENT when no search dir has it, -ENOMEM. */
int cj_seccomp_resolve_top(const char *name_or_path, const char *const *search_dirs, char **out);
int cj_seccomp_resolve_include(const char *name, const char *including_file, const char *const *search_dirs,
                               char **out);
