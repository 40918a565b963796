/* SPDX-License-Identifier: MIT */
/* What a refused syscall was, for the journal: its name and the numeric
 * arguments that say what it tried.  Only numbers from seccomp_data are
 * read; a pointer argument is never followed (the memory belongs to the
 * sandboxed process and may change under us). */
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "policy_internal.h"
#include "seccomp/bpf.h"
#include "util/cleanup.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Syscalls newer than libseccomp 2.5's table, in the unified numbering. */
static const struct {
        int nr;
        const char *name;
} newer[] = {
        { 453, "map_shadow_stack" }, { 454, "futex_wake" },     { 455, "futex_wait" },
        { 456, "futex_requeue" },    { 457, "statmount" },      { 458, "listmount" },
        { 459, "lsm_get_self_attr" }, { 460, "lsm_set_self_attr" }, { 461, "lsm_list_modules" },
        { 462, "mseal" },            { 463, "setxattrat" },     { 464, "getxattrat" },
        { 465, "listxattrat" },      { 466, "removexattrat" },  { 467, "open_tree_attr" },
};

void cj_seccomp_syscall_name(int nr, char *buf, size_t size) {
        _cleanup_free_ char *n = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
        if (n) {
                snprintf(buf, size, "%s", n);
                return;
        }
        for (size_t i = 0; i < CJ_ARRAY_SIZE(newer); i++)
                if (newer[i].nr + cj_seccomp_native_nr_offset() == nr) {
                        snprintf(buf, size, "%s", newer[i].name);
                        return;
                }
        snprintf(buf, size, "syscall_%d", nr);
}

const char *cj_seccomp_errno_name(int e, char *buf, size_t size) {
        const char *n = e > 0 ? strerrorname_np(e) : NULL;
        if (n)
                return n;
        snprintf(buf, size, "%d", e);
        return buf;
}

typedef struct out {
        char *buf;
        size_t size, len;
} out;

static void put(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(out *o, const char *fmt, ...) {
        if (o->len >= o->size)
                return;
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
        va_end(ap);
        if (n > 0)
                o->len += (size_t) n < o->size - o->len ? (size_t) n : o->size - o->len - 1;
}

/* NAME|NAME|0xREST for the bits of v that names[] covers. */
static void put_flags(out *o, const char *key, uint64_t v, const char *const *names, const uint64_t *bits,
                      size_t n) {
        put(o, "%s%s=", o->len ? " " : "", key);
        bool any = false;
        for (size_t i = 0; i < n; i++)
                if (v & bits[i]) {
                        put(o, "%s%s", any ? "|" : "", names[i]);
                        v &= ~bits[i];
                        any = true;
                }
        if (v || !any)
                put(o, "%s0x%llx", any ? "|" : "", (unsigned long long) v);
}

static void put_num(out *o, const char *key, uint64_t v, bool hex) {
        put(o, hex ? "%s%s=0x%llx" : "%s%s=%lld", o->len ? " " : "", key,
            hex ? (unsigned long long) v : (unsigned long long) (long long) (int32_t) v);
}

static void put_clone_flags(out *o, uint64_t v) {
        static const char *const names[] = { "CLONE_NEWNS",  "CLONE_NEWCGROUP", "CLONE_NEWUTS", "CLONE_NEWIPC",
                                             "CLONE_NEWUSER", "CLONE_NEWPID",   "CLONE_NEWNET", "CLONE_NEWTIME" };
        static const uint64_t bits[] = { CLONE_NEWNS,   CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
                                         CLONE_NEWUSER, CLONE_NEWPID,    CLONE_NEWNET, CLONE_NEWTIME };
        put_flags(o, "flags", v, names, bits, CJ_ARRAY_SIZE(names));
}

static void put_socket(out *o, const __u64 *args) {
        uint32_t fam = (uint32_t) args[0];
        const char *name = cj_seccomp_constant_name("AF_", fam);
        if (name && args[0] >> 32 == 0)
                put(o, "family=%s", name);
        else
                put_num(o, "family", args[0], true);
        static const char *const tnames[] = { "SOCK_NONBLOCK", "SOCK_CLOEXEC" };
        static const uint64_t tbits[] = { SOCK_NONBLOCK, SOCK_CLOEXEC };
        uint64_t type = args[1] & 0xffffffffu;
        static const char *const kinds[] = { NULL, "SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM", "SOCK_SEQPACKET" };
        uint64_t kind = type & 0xf;
        if (kind < CJ_ARRAY_SIZE(kinds) && kinds[kind]) {
                put(o, " type=%s", kinds[kind]);
                type &= ~(uint64_t) 0xf;
                for (size_t i = 0; i < CJ_ARRAY_SIZE(tbits); i++)
                        if (type & tbits[i]) {
                                put(o, "|%s", tnames[i]);
                                type &= ~tbits[i];
                        }
                if (type)
                        put(o, "|0x%llx", (unsigned long long) type);
        } else
                put_num(o, "type", args[1], true);
        put_num(o, "protocol", args[2], false);
}

void cj_seccomp_describe_args(const struct seccomp_data *d, char *buf, size_t size) {
        out o = { buf, size, 0 };
        if (size)
                buf[0] = '\0';
        const __u64 *a = d->args;
        const char *ptrace_req;
        switch (d->nr) {
        case __NR_socket:
        case __NR_socketpair:
                put_socket(&o, a);
                break;
        case __NR_unshare:
        case __NR_clone: /* flags are the first argument on every architecture */
                put_clone_flags(&o, a[0]);
                break;
        case __NR_setns:
                put_num(&o, "fd", a[0], false);
                put_clone_flags(&o, a[1]);
                break;
        case __NR_ioctl:
                put_num(&o, "fd", a[0], false);
                put_num(&o, "request", a[1], true);
                break;
        case __NR_ptrace:
                ptrace_req = cj_seccomp_constant_name("PTRACE_", a[0] & 0xffffffffu);
                if (ptrace_req && a[0] >> 32 == 0)
                        put(&o, "request=%s", ptrace_req);
                else
                        put_num(&o, "request", a[0], true);
                put_num(&o, "pid", a[1], false);
                break;
        case __NR_mount:
                put_num(&o, "flags", a[3], true);
                break;
        case __NR_umount2:
                put_num(&o, "flags", a[1], true);
                break;
        case __NR_keyctl:
                put_num(&o, "operation", a[0], false);
                break;
        case __NR_bpf:
                put_num(&o, "cmd", a[0], false);
                break;
        case __NR_personality:
                put_num(&o, "persona", a[0], true);
                break;
        case __NR_perf_event_open:
                put_num(&o, "pid", a[1], false);
                put_num(&o, "cpu", a[2], false);
                break;
        case __NR_io_uring_setup:
                put_num(&o, "entries", a[0], false);
                break;
        case __NR_fsopen:
        case __NR_fspick:
        case __NR_open_tree:
                put_num(&o, "flags", d->nr == __NR_fsopen ? a[1] : a[2], true);
                break;
        case __NR_move_mount:
                put_num(&o, "flags", a[4], true);
                break;
        case __NR_pidfd_getfd:
                put_num(&o, "pidfd", a[0], false);
                put_num(&o, "fd", a[1], false);
                break;
        default:
                break; /* pointers only, or nothing that says more than the name */
        }
}
