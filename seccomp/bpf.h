/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Compiled seccomp filters as data, outside the kernel:
 *   - run a filter on one syscall's seccomp_data, as the kernel would (the
 *     launcher asks the profile's filter which errno a notified call gets);
 *   - turn a filter's errno actions into user notifications (the same
 *     program, so an allowed syscall takes exactly the path it took before);
 *   - describe a syscall for the journal from its numbers alone.
 * Pure functions: no syscalls, no allocation.
 */

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CJ_SECCOMP_DESC_MAX 128u /* bytes of an argument summary, NUL included */

/* Run prog (classic BPF as seccomp accepts it) on d: 0 and *action (the
 * SECCOMP_RET_* value the kernel would act on), or -EINVAL for a program
 * the kernel would have refused (unknown opcode, a jump out of the program,
 * an unaligned or out-of-range load, a path that never returns). */
int cj_seccomp_bpf_run(const struct sock_filter *prog, size_t len, const struct seccomp_data *d, uint32_t *action);

#define CJ_SECCOMP_QUIET_MAX 4u /* syscalls whose refusal is answered without a notification */

/* Build in out (room for cap instructions, *out_len set) the notifying copy
 * of prog: every `return SECCOMP_RET_ERRNO|e` becomes `return
 * SECCOMP_RET_USER_NOTIF`, except for the syscalls in quiet[] that prog
 * refuses with one errno whatever their arguments (sampled): a prefix
 * answers those with that errno directly.  That is for calls libc makes on
 * its own and falls back from (glibc tries clone3 for every thread), which
 * say nothing about what a program tried and would cost a round trip each.
 * arch is the native AUDIT_ARCH_*.  Returns how many returns were rewritten
 * (0: the filter refuses nothing with an errno), -EOPNOTSUPP when a return
 * takes its value from the accumulator (only running the filter can tell its
 * action), -E2BIG when out is too small. */
int cj_seccomp_bpf_to_notify(const struct sock_filter *prog, size_t len, uint32_t arch, const int *quiet,
                             size_t n_quiet, struct sock_filter *out, size_t cap, size_t *out_len);

/* The name of syscall nr on the native architecture ("socket"), or
 * "syscall_NR" when neither libseccomp nor clawjail's table knows it. */
void cj_seccomp_syscall_name(int nr, char *buf, size_t size);

/* A summary of the arguments that say what a refused call tried, from the
 * numbers only (no pointer is followed): "family=AF_VSOCK type=SOCK_STREAM
 * protocol=0", "flags=CLONE_NEWUSER|CLONE_NEWNS", "request=0x5412"... Empty
 * for a syscall whose arguments are all pointers or say nothing more. */
void cj_seccomp_describe_args(const struct seccomp_data *d, char *buf, size_t size);

/* "EPERM" for 1; the number as text for an errno without a name. */
const char *cj_seccomp_errno_name(int e, char *buf, size_t size);
