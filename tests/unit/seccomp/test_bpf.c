/* SPDX-License-Identifier: MIT */
/* seccomp/bpf.c against the running kernel: for each syscall below, the
 * interpreter's verdict on the compiled shipped policies must be what the
 * kernel does with the same filter installed (errno for errno, and the
 * unfiltered result where it allows); the notifying copy must notify exactly
 * the calls the interpreter refuses, except the quiet ones, which keep their
 * errno.  Plus the interpreter's own edge cases on hand-written programs. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/keyctl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "../cj_check.h"
#include "seccomp/bpf.h"
#include "seccomp/policy.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/srcdir.h"

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#define HI (1ULL << 32)

typedef struct scase {
        const char *name;
        long nr;
        uint64_t a[6];
} scase;

/* Harmless whether allowed or refused, in a throwaway child. */
static const scase cases[] = {
        { "getppid", SYS_getppid, { 0 } },
        { "socket-unix", SYS_socket, { AF_UNIX, SOCK_STREAM, 0 } },
        { "socket-inet", SYS_socket, { AF_INET, SOCK_DGRAM, 0 } },
        { "socket-vsock", SYS_socket, { AF_VSOCK, SOCK_STREAM, 0 } },
        { "socket-vsock-hi", SYS_socket, { AF_VSOCK | HI, SOCK_STREAM, 0 } },
        { "socket-packet", SYS_socket, { AF_PACKET, SOCK_RAW, 0 } },
        { "socket-netlink-route", SYS_socket, { AF_NETLINK, SOCK_RAW, 0 } },
        { "socket-netlink-audit", SYS_socket, { AF_NETLINK, SOCK_RAW, 9 } },
        { "socketpair-vsock", SYS_socketpair, { AF_VSOCK, SOCK_STREAM, 0, 0 } },
        { "unshare-0", SYS_unshare, { 0 } },
        { "unshare-user", SYS_unshare, { CLONE_NEWUSER } },
        { "unshare-ns-hi", SYS_unshare, { CLONE_NEWNS | HI } },
        { "unshare-files", SYS_unshare, { CLONE_FILES } },
        { "ioctl-tiocsti", SYS_ioctl, { (uint64_t) -1, TIOCSTI } },
        { "ioctl-tiocsti-hi", SYS_ioctl, { (uint64_t) -1, TIOCSTI | HI } },
        { "ioctl-tcgets", SYS_ioctl, { (uint64_t) -1, TCGETS } },
        { "ptrace-attach", SYS_ptrace, { PTRACE_ATTACH, 999999999 } },
        { "ptrace-peek", SYS_ptrace, { PTRACE_PEEKDATA, 999999999 } },
        { "keyctl", SYS_keyctl, { KEYCTL_GET_KEYRING_ID, (uint64_t) KEY_SPEC_SESSION_KEYRING, 0 } },
        { "clone3", SYS_clone3, { 0, 0 } },
        { "mount", SYS_mount, { 0, 0, 0, MS_BIND } },
        { "personality-query", SYS_personality, { 0xffffffff } },
        { "bpf", SYS_bpf, { 0xffff, 0, 0 } },
};
#define N_CASES (sizeof cases / sizeof cases[0])

typedef struct outcome {
        long ret;
        int err;
} outcome;

static void run_cases(int fd) {
        for (size_t i = 0; i < N_CASES; i++) {
                const uint64_t *a = cases[i].a;
                outcome o;
                o.ret = syscall(cases[i].nr, a[0], a[1], a[2], a[3], a[4], a[5]);
                o.err = o.ret < 0 ? errno : 0;
                if (o.ret > 0 && cases[i].nr != SYS_getppid)
                        o.ret = 1; /* an fd or id: only "it worked" compares across processes */
                if (write(fd, &o, sizeof o) != (ssize_t) sizeof o)
                        _exit(90);
        }
}

static void compile(const char *name, struct sock_filter **prog, size_t *len) {
        const char *src = getenv("CLAWJAIL_SOURCE_DIR");
        _cleanup_free_ char *dir = cj_path_join(src ? src : cj_source_tree(), "seccomp");
        const char *dirs[] = { dir, NULL };
        cj_seccomp_policy *p = NULL;
        cj_error e = { 0 };
        ck_assert_msg(cj_seccomp_policy_load(name, dirs, &p, &e) == 0, "%s", e.msg);
        ck_assert_msg(cj_seccomp_policy_compile_bpf(p, prog, len, &e) == 0, "%s", e.msg);
        cj_seccomp_policy_free(p);
}

/* Fork; the child installs prog (NULL: none; listen: with a listener it
 * sends back over a socketpair) and runs the cases.  With a listener, the
 * parent answers each notification with the errno the interpreter finds in
 * answer_prog, counting them in *notified. */
static void run(const struct sock_filter *prog, size_t len, bool listen, const struct sock_filter *answer_prog,
                size_t answer_len, outcome *out, size_t *notified) {
        int pfd[2], sv[2];
        ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                close(pfd[0]);
                close(sv[0]);
                if (prog) {
                        struct sock_fprog fp = { .len = (unsigned short) len, .filter = (struct sock_filter *) prog };
                        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                                _exit(91);
                        int l = (int) syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                                              listen ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0, &fp);
                        if (l < 0)
                                _exit(92);
                        if (listen) {
                                char c = 'L';
                                struct iovec iov = { &c, 1 };
                                union {
                                        char b[CMSG_SPACE(sizeof(int))];
                                        struct cmsghdr al;
                                } u = { 0 };
                                struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
                                                    .msg_controllen = sizeof u.b };
                                struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
                                cm->cmsg_level = SOL_SOCKET;
                                cm->cmsg_type = SCM_RIGHTS;
                                cm->cmsg_len = CMSG_LEN(sizeof(int));
                                memcpy(CMSG_DATA(cm), &l, sizeof l);
                                if (sendmsg(sv[1], &m, 0) != 1)
                                        _exit(93);
                                close(l);
                        }
                }
                close(sv[1]);
                run_cases(pfd[1]);
                _exit(0);
        }
        close(pfd[1]);
        close(sv[1]);
        int listener = -1;
        if (listen) {
                char c;
                struct iovec iov = { &c, 1 };
                union {
                        char b[CMSG_SPACE(sizeof(int))];
                        struct cmsghdr al;
                } u;
                struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof u.b };
                ck_assert_int_eq(recvmsg(sv[0], &m, MSG_CMSG_CLOEXEC), 1);
                struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
                ck_assert_ptr_nonnull(cm);
                memcpy(&listener, CMSG_DATA(cm), sizeof listener);
        }
        close(sv[0]);
        size_t got = 0;
        *notified = 0;
        for (;;) {
                struct pollfd pf[2] = { { pfd[0], POLLIN, 0 }, { listener, POLLIN, 0 } };
                ck_assert_int_ge(poll(pf, 2, 10000), 1);
                if (pf[1].revents & POLLIN) {
                        struct seccomp_notif req = { 0 };
                        ck_assert_int_eq(ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req), 0);
                        uint32_t act = 0;
                        ck_assert_int_eq(cj_seccomp_bpf_run(answer_prog, answer_len, &req.data, &act), 0);
                        ck_assert_uint_eq(act & SECCOMP_RET_ACTION_FULL, SECCOMP_RET_ERRNO);
                        struct seccomp_notif_resp resp = { .id = req.id, .error = -(int) (act & SECCOMP_RET_DATA) };
                        ck_assert_int_eq(ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0);
                        ++*notified;
                }
                if (pf[0].revents & (POLLIN | POLLHUP)) {
                        ssize_t n = read(pfd[0], &out[got], sizeof *out);
                        if (n <= 0)
                                break;
                        ck_assert_int_eq(n, sizeof *out);
                        got++;
                }
        }
        ck_assert_uint_eq(got, N_CASES);
        close(pfd[0]);
        if (listener >= 0)
                close(listener);
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status 0x%x", status);
}

static void differential(const char *policy) {
        _cleanup_free_ struct sock_filter *prog = NULL;
        size_t len = 0;
        compile(policy, &prog, &len);
        uint32_t arch = seccomp_arch_native();
        outcome bare[N_CASES], filtered[N_CASES], notifying[N_CASES];
        size_t notified = 0, refused = 0;
        run(NULL, 0, false, NULL, 0, bare, &notified);
        run(prog, len, false, NULL, 0, filtered, &notified);
        for (size_t i = 0; i < N_CASES; i++) {
                struct seccomp_data d = { .nr = (int) cases[i].nr, .arch = arch };
                memcpy(d.args, cases[i].a, sizeof d.args);
                uint32_t act = 0;
                ck_assert_int_eq(cj_seccomp_bpf_run(prog, len, &d, &act), 0);
                if ((act & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO) {
                        int e = (int) (act & SECCOMP_RET_DATA);
                        ck_assert_msg(filtered[i].ret == -1 && filtered[i].err == e,
                                      "%s %s: interpreter says errno %d, kernel gave %ld/%d", policy, cases[i].name, e,
                                      filtered[i].ret, filtered[i].err);
                        if (cases[i].nr != SYS_clone3)
                                refused++;
                } else {
                        ck_assert_msg((act & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ALLOW, "%s %s: action 0x%x", policy,
                                      cases[i].name, act);
                        ck_assert_msg(filtered[i].ret == bare[i].ret && filtered[i].err == bare[i].err,
                                      "%s %s: allowed, but %ld/%d filtered vs %ld/%d bare", policy, cases[i].name,
                                      filtered[i].ret, filtered[i].err, bare[i].ret, bare[i].err);
                }
        }
        ck_assert_uint_ge(refused, 10); /* the cases do exercise the filter */
        /* The notifying copy: the same answers, one notification per refused
         * call, none for clone3 (quiet) nor for an allowed one. */
        struct sock_filter notif[BPF_MAXINSNS];
        size_t nlen = 0;
        const int quiet[] = { SYS_clone3 };
        ck_assert_int_gt(cj_seccomp_bpf_to_notify(prog, len, arch, quiet, 1, notif, BPF_MAXINSNS, &nlen), 0);
        ck_assert_uint_eq(nlen, len + 5);
        run(notif, nlen, true, prog, len, notifying, &notified);
        for (size_t i = 0; i < N_CASES; i++)
                ck_assert_msg(notifying[i].ret == filtered[i].ret && notifying[i].err == filtered[i].err,
                              "%s %s: %ld/%d notified vs %ld/%d errno filter", policy, cases[i].name, notifying[i].ret,
                              notifying[i].err, filtered[i].ret, filtered[i].err);
        ck_assert_uint_eq(notified, refused);
}

START_TEST(default_policy_interpreter_matches_kernel) {
        differential("default");
}
END_TEST

START_TEST(strict_policy_interpreter_matches_kernel) {
        differential("strict");
}
END_TEST

#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define RET(k) BPF_STMT(BPF_RET | BPF_K, (k))

START_TEST(interpreter_edges) {
        struct seccomp_data d = { .nr = 41, .arch = AUDIT_ARCH_X86_64, .args = { 7 } };
        uint32_t act = 0;
        /* Falls off the end; jumps past the end; unaligned and out-of-range loads. */
        struct sock_filter off_end[] = { LD(0) };
        ck_assert_int_eq(cj_seccomp_bpf_run(off_end, 1, &d, &act), -EINVAL);
        struct sock_filter far[] = { BPF_JUMP(BPF_JMP | BPF_JA, 5, 0, 0), RET(SECCOMP_RET_ALLOW) };
        ck_assert_int_eq(cj_seccomp_bpf_run(far, 2, &d, &act), -EINVAL);
        struct sock_filter unaligned[] = { LD(2), RET(SECCOMP_RET_ALLOW) };
        ck_assert_int_eq(cj_seccomp_bpf_run(unaligned, 2, &d, &act), -EINVAL);
        struct sock_filter beyond[] = { LD(sizeof d), RET(SECCOMP_RET_ALLOW) };
        ck_assert_int_eq(cj_seccomp_bpf_run(beyond, 2, &d, &act), -EINVAL);
        struct sock_filter div0[] = { BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0), RET(SECCOMP_RET_ALLOW) };
        ck_assert_int_eq(cj_seccomp_bpf_run(div0, 2, &d, &act), -EINVAL);
        ck_assert_int_eq(cj_seccomp_bpf_run(off_end, 0, &d, &act), -EINVAL);
        /* Scratch memory, X, ALU, JSET, RET A: (args[0] low word * 3) | 0x50000 */
        struct sock_filter calc[] = {
                LD(offsetof(struct seccomp_data, args)),
                BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 3),
                BPF_STMT(BPF_ST, 4),
                BPF_STMT(BPF_LDX | BPF_MEM, 4),
                BPF_STMT(BPF_LD | BPF_IMM, 0x50000),
                BPF_STMT(BPF_ALU | BPF_OR | BPF_X, 0),
                BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1),
                BPF_STMT(BPF_RET | BPF_A, 0),
                RET(SECCOMP_RET_KILL_PROCESS),
        };
        ck_assert_int_eq(cj_seccomp_bpf_run(calc, 9, &d, &act), 0);
        ck_assert_uint_eq(act, 0x50000u | 21u);
        /* RET A cannot be rewritten; too small an output is E2BIG. */
        struct sock_filter out[16];
        size_t olen;
        ck_assert_int_eq(cj_seccomp_bpf_to_notify(calc, 9, AUDIT_ARCH_X86_64, NULL, 0, out, 16, &olen), -EOPNOTSUPP);
        struct sock_filter two[] = { LD(0), RET(SECCOMP_RET_ERRNO | 1) };
        ck_assert_int_eq(cj_seccomp_bpf_to_notify(two, 2, AUDIT_ARCH_X86_64, NULL, 0, out, 1, &olen), -E2BIG);
        ck_assert_int_eq(cj_seccomp_bpf_to_notify(two, 2, AUDIT_ARCH_X86_64, NULL, 0, out, 16, &olen), 1);
        ck_assert_uint_eq(out[1].k, SECCOMP_RET_USER_NOTIF);
        /* A quiet syscall the filter answers with one errno gets a prefix; one it allows, none. */
        const int quiet[] = { 41 };
        ck_assert_int_eq(cj_seccomp_bpf_to_notify(two, 2, AUDIT_ARCH_X86_64, quiet, 1, out, 16, &olen), 1);
        ck_assert_uint_eq(olen, 7);
        ck_assert_int_eq(cj_seccomp_bpf_run(out, olen, &d, &act), 0);
        ck_assert_uint_eq(act, SECCOMP_RET_ERRNO | 1);
        d.nr = 42;
        ck_assert_int_eq(cj_seccomp_bpf_run(out, olen, &d, &act), 0);
        ck_assert_uint_eq(act, SECCOMP_RET_USER_NOTIF);
        struct sock_filter allow[] = { RET(SECCOMP_RET_ALLOW) };
        ck_assert_int_eq(cj_seccomp_bpf_to_notify(allow, 1, AUDIT_ARCH_X86_64, quiet, 1, out, 16, &olen), 0);
        ck_assert_uint_eq(olen, 1);
}
END_TEST

START_TEST(describe_is_numbers_only) {
        char buf[CJ_SECCOMP_DESC_MAX], name[32], num[16];
        struct seccomp_data d = { .nr = SYS_socket, .args = { AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0 } };
        cj_seccomp_describe_args(&d, buf, sizeof buf);
        ck_assert_str_eq(buf, "family=AF_VSOCK type=SOCK_STREAM|SOCK_CLOEXEC protocol=0");
        d.args[0] = AF_VSOCK | HI;
        cj_seccomp_describe_args(&d, buf, sizeof buf);
        ck_assert_str_eq(buf, "family=0x100000028 type=SOCK_STREAM|SOCK_CLOEXEC protocol=0");
        d = (struct seccomp_data){ .nr = SYS_unshare, .args = { CLONE_NEWUSER | CLONE_NEWNS | CLONE_FILES } };
        cj_seccomp_describe_args(&d, buf, sizeof buf);
        ck_assert_str_eq(buf, "flags=CLONE_NEWNS|CLONE_NEWUSER|0x400");
        d = (struct seccomp_data){ .nr = SYS_ptrace, .args = { PTRACE_ATTACH, 1 } };
        cj_seccomp_describe_args(&d, buf, sizeof buf);
        ck_assert_str_eq(buf, "request=PTRACE_ATTACH pid=1");
        d = (struct seccomp_data){ .nr = SYS_openat, .args = { 3, 0x7ffdeadbeef, 0 } };
        cj_seccomp_describe_args(&d, buf, sizeof buf);
        ck_assert_str_eq(buf, ""); /* pointers are never shown, let alone followed */
        char tiny[8];
        d = (struct seccomp_data){ .nr = SYS_socket, .args = { AF_VSOCK, SOCK_STREAM, 0 } };
        cj_seccomp_describe_args(&d, tiny, sizeof tiny);
        ck_assert_uint_eq(strlen(tiny), 7);
        cj_seccomp_syscall_name(SYS_socket, name, sizeof name);
        ck_assert_str_eq(name, "socket");
        cj_seccomp_syscall_name(457, name, sizeof name);
        ck_assert_str_eq(name, "statmount");
        cj_seccomp_syscall_name(9999, name, sizeof name);
        ck_assert_str_eq(name, "syscall_9999");
        ck_assert_str_eq(cj_seccomp_errno_name(EAFNOSUPPORT, num, sizeof num), "EAFNOSUPPORT");
        ck_assert_str_eq(cj_seccomp_errno_name(4000, num, sizeof num), "4000");
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("seccomp-bpf");
        TCase *tc = tcase_create("bpf");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, default_policy_interpreter_matches_kernel);
        tcase_add_test(tc, strict_policy_interpreter_matches_kernel);
        tcase_add_test(tc, interpreter_edges);
        tcase_add_test(tc, describe_is_numbers_only);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
