/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The shipped seccomp policies compiled at build time (embed_gen.c writes
 * the table), so a call need neither parse a policy nor run libseccomp's
 * compiler: together they cost ~5 ms and ~110 page faults per call
 * (docs/performance.md).
 *
 * An embedded program is used only when it provably is what compiling the
 * policy now would give: the policy resolves (search dirs, @include, exactly
 * as the parser would) to files whose bytes have the SHA-256 digests
 * recorded at build time, for the same architecture and libseccomp version.
 * Anything else (an edited, added, moved or unreadable file) is a miss, and
 * the caller compiles the policy from the files as before.
 */

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#define CJ_SECCOMP_DIGEST_LEN 32 /* SHA-256 */

/* One file a policy is made of, in the order the parser read them. */
typedef struct cj_seccomp_embedded_file {
        const char *include;                    /* the @include argument; NULL for the top-level file */
        int parent;                             /* index of the including file; -1 for the top-level file */
        uint8_t sha256[CJ_SECCOMP_DIGEST_LEN];  /* of the file's bytes */
} cj_seccomp_embedded_file;

typedef struct cj_seccomp_embedded {
        const char *name;                       /* the shipped policy it was compiled from */
        uint32_t arch;                          /* SCMP_ARCH_* it was compiled for */
        unsigned lib_major, lib_minor, lib_micro; /* the libseccomp that compiled it */
        const cj_seccomp_embedded_file *files;
        size_t n_files;
        const struct sock_filter *prog;
        size_t len;
} cj_seccomp_embedded;

/* The generated table (empty in a cross build, where the compiler cannot run). */
extern const cj_seccomp_embedded *const cj_seccomp_embedded_table;
extern const size_t cj_seccomp_embedded_count;

/* The embedded program for the policy name_or_path (as cj_seccomp_policy_load
 * takes it) when every file it resolves to is unchanged: 1 and *out (static
 * storage), or 0 when there is none (the caller compiles the policy, which
 * also reports any error in it). */
int cj_seccomp_embedded_find(const char *name_or_path, const char *const *search_dirs,
                             const cj_seccomp_embedded **out);
