/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Plain-text seccomp policies, compiled with libseccomp at load time
 * (docs/seccomp.md has the full description and the shipped policies).
 *
 * One directive per line; '#' starts a comment anywhere; blank lines are
 * ignored.  Tokens are separated by blanks; operators need no blanks.
 *
 *   @include NAME          parse another policy here.  NAME without '/' is a
 *                          policy name: NAME.policy in the including file's
 *                          directory, else in the search dirs.  NAME with '/'
 *                          is a path, relative to the including file's dir.
 *   @syscall NAME NR       declare a syscall newer than libseccomp's table by
 *                          its number in the unified table (NR >= 424, the
 *                          same on every architecture); ignored when
 *                          libseccomp already knows NAME.
 *   default ACTION         action for every syscall no rule names.  The last
 *                          `default` parsed wins; a policy must have one.
 *   ACTION SYSCALL... [if COND [&& COND]...]
 *                          a rule for each SYSCALL.
 *
 *   ACTION := allow | kill | log | trap | errno ERRNO
 *             (kill = kill the whole process; ERRNO is a name such as EPERM
 *             or a number 0..4095)
 *   COND   := argN OP VALUE       N in 0..5, OP one of == != < <= > >=
 *                                 (unsigned 64-bit comparison)
 *           | argN & MASK == VALUE  (argN & MASK) == VALUE
 *           | argN & MASK           any bit of MASK is set (one rule per bit)
 *   VALUE  := TERM [| TERM]...    TERM is a number (decimal, 0x hex, 0 octal)
 *                                 or a constant: TIOCSTI, TIOCLINUX, CLONE_NEW*,
 *                                 PTRACE_*, AF_*, PER_*, ... (see policy_names.c)
 *
 * Semantics that libseccomp alone would leave surprising:
 *   - A syscall unknown to libseccomp on every architecture is an error; one
 *     that exists only on other architectures (vm86, stime on x86_64) is
 *     skipped, so one policy serves every architecture.
 *   - A later unconditional rule for a syscall replaces every earlier rule for
 *     it (so `strict` can tighten `default`); a conditional rule after an
 *     unconditional one for the same syscall is an error.
 *   - One argument may appear in at most one condition of a rule (a
 *     libseccomp limit); write two rules instead.
 *   - A rule whose action equals the default action is a no-op.
 *   - The compiled filter kills the process for any non-native architecture
 *     and, on x86_64, for x32 syscall numbers.
 *
 * Errors are reported through cj_error as "FILE:LINE: message".
 */

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

#define CJ_SECCOMP_LINE_MAX 1024u               /* bytes per line, newline excluded */
#define CJ_SECCOMP_FILE_MAX (256u * 1024u)      /* bytes per policy file */
#define CJ_SECCOMP_RULES_MAX 4096u              /* rules after expansion, whole policy */
#define CJ_SECCOMP_INCLUDE_DEPTH_MAX 8u         /* nested @include levels */
#define CJ_SECCOMP_FILES_MAX 64u                /* files parsed per policy, includes too */
#define CJ_SECCOMP_DECLS_MAX 64u                /* @syscall declarations per policy */
#define CJ_SECCOMP_CONDS_MAX 6u                 /* conditions per rule (one per argument) */
#define CJ_SECCOMP_NAME_MAX 64u                 /* policy, syscall and constant names */
#define CJ_SECCOMP_SEARCH_DIRS_MAX 16u          /* entries taken from $CLAWJAIL_SECCOMP_PATH */
#define CJ_SECCOMP_ERRNO_MAX 4095               /* largest errno a rule may return */
#define CJ_SECCOMP_BPF_MAX 4096u                /* instructions the kernel accepts (BPF_MAXINSNS) */

typedef struct cj_seccomp_policy cj_seccomp_policy; /* parsed, not yet compiled */

/* Load and parse a policy.  name_or_path is a name ("default" -> default.policy
 * found in search_dirs, NULL-terminated) or a path containing '/'.  search_dirs
 * may be NULL (no search: names then resolve nowhere). */
int cj_seccomp_policy_load(const char *name_or_path, const char *const *search_dirs, cj_seccomp_policy **out,
                           cj_error *err);

/* Parse policy text as if it were the file `filename` (used in messages and as
 * the base for relative @include paths).  For tests and fuzzing. */
int cj_seccomp_policy_parse_string(const char *text, const char *filename, const char *const *search_dirs,
                                   cj_seccomp_policy **out, cj_error *err);

/* Free a policy (NULL-safe). */
void cj_seccomp_policy_free(cj_seccomp_policy *p);

/* The top-level file the policy came from (the filename for parsed strings). */
const char *cj_seccomp_policy_path(const cj_seccomp_policy *p);

/* Number of rules after include expansion, overrides and per-bit expansion. */
size_t cj_seccomp_policy_n_rules(const cj_seccomp_policy *p);

/* The parsed policy as flat policy text, one rule per line, numbers for every
 * constant ("errno 1 ioctl if arg1 & 0xffffffff == 0x5412"), with a trailing
 * "# FILE:LINE" origin comment when origins is true.  The text parses back to
 * the same policy.  malloc'd; NULL on ENOMEM.  For tests, fuzzing and
 * `profile seccomp --format rules`. */
char *cj_seccomp_policy_to_string(const cj_seccomp_policy *p, bool origins);

/* Compile for the native arch with libseccomp's binary-tree optimization and
 * return the raw BPF program (malloc'd array of *len struct sock_filter), so
 * the sandbox child can install it with seccomp(2) without calling into
 * libseccomp after fork. */
int cj_seccomp_policy_compile_bpf(const cj_seccomp_policy *p, struct sock_filter **prog, size_t *len,
                                  cj_error *err);

/* Write the compiled filter to fd: readable pseudo-filter code (bpf false,
 * seccomp_export_pfc) or the raw struct sock_filter array (bpf true, the
 * format `scmp_bpf_sim -f` reads). */
int cj_seccomp_policy_export(const cj_seccomp_policy *p, int fd, bool bpf, cj_error *err);

/* Default search dirs: $CLAWJAIL_SECCOMP_PATH (colon-separated), then
 * CJ_SYSCONFDIR/seccomp, CJ_DATADIR/seccomp, and uninstalled the source
 * tree's seccomp/ (util/srcdir.h).  Computed
 * once; returns a NULL-terminated array owned by the library. */
const char *const *cj_seccomp_default_search_dirs(void);
