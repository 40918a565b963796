/* SPDX-License-Identifier: MIT */
/* The shipped policies against the running kernel: a child installs the
 * compiled filter exactly as the sandbox will (no_new_privs + seccomp(2) with
 * the program from cj_seccomp_policy_compile_bpf), tries each forbidden thing,
 * and reports every result to the parent through a pipe. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sys/fanotify.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../cj_check.h"
#include "config.h"
#include "seccomp/policy.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/srcdir.h"

#ifndef SYS_open_tree_attr
#define SYS_open_tree_attr 467
#endif
#ifndef SYS_statmount
#define SYS_statmount 457
#endif
#ifndef SYS_listmount
#define SYS_listmount 458
#endif
#ifndef SYS_set_mempolicy_home_node
#define SYS_set_mempolicy_home_node 450
#endif
#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif
#ifndef AF_XDP
#define AF_XDP 44
#endif
#define RESULTS_MAX 128
#define HIGH_BIT (1UL << 32)

typedef struct result {
        char name[40];
        long ret;
        int err;
} result;

typedef void (*body_fn)(int fd);

/* Must be called as report(fd, "x", call(...)): errno is read first. */
static void report(int fd, const char *name, long ret) {
        result r = { .ret = ret, .err = ret < 0 ? errno : 0 };
        snprintf(r.name, sizeof r.name, "%s", name);
        if (write(fd, &r, sizeof r) != (ssize_t) sizeof r)
                _exit(90);
}

static char *source_seccomp_dir(void) {
        const char *src = getenv("CLAWJAIL_SOURCE_DIR");
        return cj_path_join(src ? src : cj_source_tree(), "seccomp");
}

/* Compile policy `name` found in dir (NULL: the source tree's seccomp/). */
static void compile_policy(const char *in_dir, const char *name, struct sock_filter **prog, size_t *len) {
        _cleanup_free_ char *dir = in_dir ? strdup(in_dir) : source_seccomp_dir();
        const char *dirs[] = { dir, NULL };
        cj_seccomp_policy *p = NULL;
        cj_error e = { 0 };
        ck_assert_msg(cj_seccomp_policy_load(name, dirs, &p, &e) == 0, "%s", e.msg);
        ck_assert_msg(cj_seccomp_policy_compile_bpf(p, prog, len, &e) == 0, "%s", e.msg);
        cj_seccomp_policy_free(p);
}

/* Fork; the child installs policy (NULL = none; found in dir, NULL = the
 * source tree) and runs body.  Collects the reports into res and returns the
 * child's wait status. */
static int run_child_in(const char *dir, const char *policy, body_fn body, result *res, size_t *n) {
        _cleanup_free_ struct sock_filter *prog = NULL;
        size_t len = 0;
        if (policy)
                compile_policy(dir, policy, &prog, &len);
        int pfd[2];
        ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                close(pfd[0]);
                if (prog) {
                        struct sock_fprog fprog = { .len = (unsigned short) len, .filter = prog };
                        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
                            syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0)
                                _exit(91);
                }
                body(pfd[1]);
                _exit(0);
        }
        close(pfd[1]);
        *n = 0;
        result r;
        while (read(pfd[0], &r, sizeof r) == (ssize_t) sizeof r && *n < RESULTS_MAX)
                res[(*n)++] = r;
        close(pfd[0]);
        int status = 0;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        return status;
}

static int run_child(const char *policy, body_fn body, result *res, size_t *n) {
        return run_child_in(NULL, policy, body, res, n);
}

static const result *find(const result *res, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(res[i].name, name) == 0)
                        return &res[i];
        ck_abort_msg("no result for %s", name);
        return NULL;
}

#define assert_errno(res, n, name, e)                                                                                  \
        do {                                                                                                           \
                const result *_r = find(res, n, name);                                                                 \
                ck_assert_msg(_r->ret == -1 && _r->err == (e), "%s: ret %ld errno %d (%s), want %s", name, _r->ret,     \
                              _r->err, strerror(_r->err), #e);                                                         \
        } while (0)

#define assert_ok(res, n, name)                                                                                        \
        do {                                                                                                           \
                const result *_r = find(res, n, name);                                                                 \
                ck_assert_msg(_r->ret >= 0, "%s failed: %s", name, strerror(_r->err));                                 \
        } while (0)

static int open_pty(void) {
        int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
                return -1;
        return m;
}

/* Issue 7 §2: the address families, netlink protocols and Docker-refused
 * calls added to default.policy.  Each is built so the kernel alone would
 * answer differently (see control_things). */
static void more_forbidden_things(int fd) {
        report(fd, "socket_vsock", socket(AF_VSOCK, SOCK_STREAM, 0));
        report(fd, "socket_vsock_high", syscall(SYS_socket, (unsigned long) AF_VSOCK | HIGH_BIT, SOCK_STREAM, 0));
        report(fd, "socketpair_vsock", socketpair(AF_VSOCK, SOCK_STREAM, 0, (int[2]){ 0 }));
        report(fd, "socket_packet", socket(AF_PACKET, SOCK_RAW, 0));
        report(fd, "socket_xdp", socket(AF_XDP, SOCK_RAW, 0));
        report(fd, "socket_alg", socket(AF_ALG, SOCK_SEQPACKET, 0));
        report(fd, "socket_family_63", socket(63, SOCK_STREAM, 0));
        report(fd, "socket_unix", socket(AF_UNIX, SOCK_STREAM, 0));
        report(fd, "socketpair_unix", socketpair(AF_UNIX, SOCK_STREAM, 0, (int[2]){ 0 }));
        report(fd, "socket_inet6", socket(AF_INET6, SOCK_DGRAM, 0));
        report(fd, "netlink_route", socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
        report(fd, "netlink_sock_diag", socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG));
        report(fd, "netlink_generic", socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC));
        report(fd, "netlink_audit", socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT));
        report(fd, "netlink_uevent", socket(AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT));
        report(fd, "netlink_netfilter", socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER));
        report(fd, "netlink_usersock", socket(AF_NETLINK, SOCK_RAW, NETLINK_USERSOCK));
        report(fd, "netlink_route_high",
               syscall(SYS_socket, AF_NETLINK, SOCK_RAW, (unsigned long) NETLINK_ROUTE | HIGH_BIT));

        report(fd, "sethostname", syscall(SYS_sethostname, "x", 9999));
        report(fd, "setdomainname", syscall(SYS_setdomainname, "x", 9999));
        report(fd, "chroot", syscall(SYS_chroot, "/nonexistent-cj-probe"));
        (void) setsid(); /* no controlling terminal: vhangup could hang up nothing */
        report(fd, "vhangup", syscall(SYS_vhangup));
        report(fd, "fanotify_init", syscall(SYS_fanotify_init, FAN_CLASS_NOTIF | FAN_REPORT_FID, O_RDONLY));
        report(fd, "migrate_pages", syscall(SYS_migrate_pages, 0, 0, NULL, NULL));
        report(fd, "set_mempolicy_home_node", syscall(SYS_set_mempolicy_home_node, 0, 0, 0, 0));
#ifdef SYS_afs_syscall
        report(fd, "afs_syscall", syscall(SYS_afs_syscall));
        report(fd, "getpmsg", syscall(SYS_getpmsg));
        report(fd, "putpmsg", syscall(SYS_putpmsg));
        report(fd, "security", syscall(SYS_security));
        report(fd, "tuxcall", syscall(SYS_tuxcall));
        report(fd, "vserver", syscall(SYS_vserver));
#endif
        report(fd, "statmount", syscall(SYS_statmount, NULL, NULL, 0, 0));
        report(fd, "listmount", syscall(SYS_listmount, NULL, NULL, 0, 0));
        report(fd, "memfd_secret", syscall(SYS_memfd_secret, 0));
}

static void forbidden_things(int fd) {
        report(fd, "unshare_newuser", unshare(CLONE_NEWUSER));
        report(fd, "unshare_newns", unshare(CLONE_NEWNS));
        report(fd, "unshare_newnet_newtime", unshare(CLONE_NEWNET | CLONE_NEWTIME));
        report(fd, "unshare_newns_high", syscall(SYS_unshare, (unsigned long) CLONE_NEWNS | (1UL << 32)));
        report(fd, "clone_newuser", syscall(SYS_clone, (unsigned long) (CLONE_NEWUSER | SIGCHLD), 0, 0, 0, 0));
        report(fd, "clone3", syscall(SYS_clone3, NULL, 0));
        report(fd, "bpf", syscall(SYS_bpf, 0, NULL, 0));
        report(fd, "io_uring_setup", syscall(SYS_io_uring_setup, 1, NULL));
        report(fd, "keyctl", syscall(SYS_keyctl, 0, -1, 0));
        report(fd, "perf_event_open", syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
        report(fd, "mount", mount("none", "/tmp", "tmpfs", 0, NULL));
        report(fd, "fsopen", syscall(SYS_fsopen, "tmpfs", 0));
        report(fd, "open_tree_attr", syscall(SYS_open_tree_attr, AT_FDCWD, "/", 0, NULL, 0));
        report(fd, "userfaultfd", syscall(SYS_userfaultfd, 0));
        report(fd, "pidfd_getfd", syscall(SYS_pidfd_getfd, 0, 0, 0));
        report(fd, "personality_aslr_off", personality(ADDR_NO_RANDOMIZE));
        report(fd, "personality_linux", personality(PER_LINUX));

        int pty = open_pty();
        report(fd, "open_pty", pty);
        char c = 'x';
        report(fd, "tiocsti", ioctl(pty, TIOCSTI, &c));
        report(fd, "tiocsti_high", syscall(SYS_ioctl, pty, (unsigned long) TIOCSTI | (1UL << 32), &c));
        char sub = 0;
        report(fd, "tioclinux", ioctl(pty, TIOCLINUX, &sub));
        struct winsize ws;
        report(fd, "tiocgwinsz", ioctl(pty, TIOCGWINSZ, &ws));

        report(fd, "ptrace_attach_parent", ptrace(PTRACE_ATTACH, getppid(), 0, 0));
        report(fd, "ptrace_seize_parent", ptrace(PTRACE_SEIZE, getppid(), 0, 0));

        /* Debugging one's own child stays possible: TRACEME, then requests. */
        pid_t gc = fork();
        if (gc == 0) {
                if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
                        _exit(1);
                raise(SIGSTOP);
                _exit(7);
        }
        int st = 0;
        long stopped = waitpid(gc, &st, 0) == gc && WIFSTOPPED(st) ? 0 : -1;
        report(fd, "traceme_child_stopped", stopped);
        report(fd, "ptrace_cont_own_tracee", ptrace(PTRACE_CONT, gc, 0, 0));
        long exited = waitpid(gc, &st, 0) == gc && WIFEXITED(st) && WEXITSTATUS(st) == 7 ? 0 : -1;
        report(fd, "tracee_exited_7", exited);

        /* Ordinary life goes on. */
        pid_t f = fork();
        if (f == 0)
                _exit(3);
        long forked = f > 0 && waitpid(f, &st, 0) == f && WIFEXITED(st) && WEXITSTATUS(st) == 3 ? 0 : -1;
        report(fd, "fork", forked);
        report(fd, "getpid", getpid() == syscall(SYS_getpid) ? 0 : -1);
        char path[] = "/tmp/cj-seccomp-kernel.XXXXXX";
        int tf = mkstemp(path);
        char back[6] = "";
        long wrote = tf >= 0 && write(tf, "hello", 5) == 5 && pread(tf, back, 5, 0) == 5 && strcmp(back, "hello") == 0
                             ? 0
                             : -1;
        if (tf >= 0) {
                unlink(path);
                close(tf);
        }
        report(fd, "file_write", wrote);
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        report(fd, "socket_inet", s);
        more_forbidden_things(fd);
}

START_TEST(default_policy_denies_in_the_kernel) {
        result res[RESULTS_MAX];
        size_t n = 0;
        int status = run_child("default", forbidden_things, res, &n);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status 0x%x", status);

        assert_errno(res, n, "unshare_newuser", EPERM);
        assert_errno(res, n, "unshare_newns", EPERM);
        assert_errno(res, n, "unshare_newnet_newtime", EPERM);
        assert_errno(res, n, "unshare_newns_high", EPERM);
        assert_errno(res, n, "clone_newuser", EPERM);
        assert_errno(res, n, "clone3", ENOSYS);
        assert_errno(res, n, "bpf", EPERM);
        assert_errno(res, n, "io_uring_setup", EPERM);
        assert_errno(res, n, "keyctl", EPERM);
        assert_errno(res, n, "perf_event_open", EPERM);
        assert_errno(res, n, "mount", EPERM);
        assert_errno(res, n, "fsopen", EPERM);
        if (seccomp_arch_native() == SCMP_ARCH_X86_64)
                assert_errno(res, n, "open_tree_attr", EPERM);
        assert_errno(res, n, "userfaultfd", EPERM);
        assert_errno(res, n, "pidfd_getfd", EPERM);
        assert_errno(res, n, "personality_aslr_off", EPERM);
        assert_ok(res, n, "personality_linux");
        assert_ok(res, n, "open_pty");
        assert_errno(res, n, "tiocsti", EPERM);
        assert_errno(res, n, "tiocsti_high", EPERM);
        assert_errno(res, n, "tioclinux", EPERM);
        assert_ok(res, n, "tiocgwinsz");
        assert_errno(res, n, "ptrace_attach_parent", EPERM);
        assert_errno(res, n, "ptrace_seize_parent", EPERM);
        assert_ok(res, n, "traceme_child_stopped");
        assert_ok(res, n, "ptrace_cont_own_tracee");
        assert_ok(res, n, "tracee_exited_7");
        assert_ok(res, n, "fork");
        assert_ok(res, n, "getpid");
        assert_ok(res, n, "file_write");
        assert_ok(res, n, "socket_inet");

        static const char *const eafnosupport[] = { "socket_vsock", "socket_vsock_high", "socketpair_vsock",
                                                    "socket_packet", "socket_xdp",        "socket_alg",
                                                    "socket_family_63" };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(eafnosupport); i++)
                assert_errno(res, n, eafnosupport[i], EAFNOSUPPORT);
        static const char *const eprotonosupport[] = { "netlink_generic",   "netlink_audit",    "netlink_uevent",
                                                       "netlink_netfilter", "netlink_usersock", "netlink_route_high" };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(eprotonosupport); i++)
                assert_errno(res, n, eprotonosupport[i], EPROTONOSUPPORT);
        static const char *const allowed[] = { "socket_unix", "socketpair_unix", "socket_inet6", "netlink_route",
                                               "netlink_sock_diag" };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(allowed); i++)
                assert_ok(res, n, allowed[i]);
        static const char *const eperm[] = { "sethostname",   "setdomainname",          "chroot",
                                             "vhangup",       "fanotify_init",          "migrate_pages",
                                             "set_mempolicy_home_node" };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(eperm); i++)
                assert_errno(res, n, eperm[i], EPERM);
#ifdef SYS_afs_syscall
        static const char *const reserved[] = { "afs_syscall", "getpmsg", "putpmsg", "security", "tuxcall", "vserver" };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(reserved); i++)
                assert_errno(res, n, reserved[i], EPERM);
#endif
        assert_errno(res, n, "statmount", ENOSYS);
        assert_errno(res, n, "listmount", ENOSYS);
        assert_errno(res, n, "memfd_secret", ENOSYS);
}
END_TEST

/* Without a filter the same calls answer differently, so the test above
 * observes the filter and not some property of this machine.  (Only calls
 * that change nothing: this child must not attach to or unshare from the
 * test runner.) */
static void control_things(int fd) {
        report(fd, "clone3", syscall(SYS_clone3, NULL, 0));
        report(fd, "io_uring_setup", syscall(SYS_io_uring_setup, 1, NULL));
        report(fd, "fsopen", syscall(SYS_fsopen, "cj-no-such-fs", 0));
        report(fd, "personality_aslr_off", personality(ADDR_NO_RANDOMIZE));
        report(fd, "chroot", syscall(SYS_chroot, "/nonexistent-cj-probe"));
        long fan = syscall(SYS_fanotify_init, FAN_CLASS_NOTIF | FAN_REPORT_FID, O_RDONLY);
        report(fd, "fanotify_init", fan);
        if (fan >= 0)
                close((int) fan);
        report(fd, "migrate_pages", syscall(SYS_migrate_pages, 0, 0, NULL, NULL));
        report(fd, "statmount", syscall(SYS_statmount, NULL, NULL, 0, 0));
        report(fd, "netlink_generic", socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC));
        report(fd, "netlink_route_high",
               syscall(SYS_socket, AF_NETLINK, SOCK_RAW, (unsigned long) NETLINK_ROUTE | HIGH_BIT));
#ifdef SYS_afs_syscall
        report(fd, "afs_syscall", syscall(SYS_afs_syscall));
#endif
}

START_TEST(control_without_filter) {
        result res[RESULTS_MAX];
        size_t n = 0;
        int status = run_child(NULL, control_things, res, &n);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status 0x%x", status);
        static const char *const names[] = { "clone3", "io_uring_setup", "fsopen", "chroot", "migrate_pages",
                                             "statmount" };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(names); i++) {
                const result *r = find(res, n, names[i]);
                ck_assert_msg(r->ret == -1 && r->err != EPERM && r->err != ENOSYS, "%s: ret %ld errno %d", names[i],
                              r->ret, r->err);
        }
        assert_ok(res, n, "personality_aslr_off");
        /* Unprivileged fanotify exists since 5.13; the kernel answers EPERM
         * only where it is older or restricted. */
        const result *fan = find(res, n, "fanotify_init");
        if (fan->ret < 0 && fan->err == EPERM)
                printf("# fanotify_init is EPERM without a filter here: that probe shows nothing on this host\n");
        assert_ok(res, n, "netlink_generic");
        assert_ok(res, n, "netlink_route_high");
#ifdef SYS_afs_syscall
        assert_errno(res, n, "afs_syscall", ENOSYS);
#endif
}
END_TEST

static void strict_things(int fd) {
        report(fd, "ptrace_traceme", ptrace(PTRACE_TRACEME, 0, 0, 0));
        report(fd, "personality_linux32", personality(PER_LINUX32));
        report(fd, "socket_packet", socket(AF_PACKET, SOCK_RAW, 0));
        report(fd, "socket_packet_high", syscall(SYS_socket, (unsigned long) AF_PACKET | (1UL << 32), SOCK_RAW, 0));
        report(fd, "socket_vsock", socket(AF_VSOCK, SOCK_STREAM, 0));
        report(fd, "socket_family_63", socket(63, SOCK_STREAM, 0));
        report(fd, "socket_unix", socket(AF_UNIX, SOCK_STREAM, 0));
        report(fd, "socket_inet", socket(AF_INET, SOCK_DGRAM, 0));
        report(fd, "socket_inet6", socket(AF_INET6, SOCK_DGRAM, 0));
        report(fd, "socket_netlink", socket(AF_NETLINK, SOCK_RAW, 0));
        report(fd, "unshare_newuser", unshare(CLONE_NEWUSER));
}

START_TEST(strict_policy_in_the_kernel) {
        result res[RESULTS_MAX];
        size_t n = 0;
        int status = run_child("strict", strict_things, res, &n);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status 0x%x", status);
        assert_errno(res, n, "ptrace_traceme", EPERM);
        assert_errno(res, n, "personality_linux32", EPERM);
        assert_errno(res, n, "socket_packet", EAFNOSUPPORT);
        assert_errno(res, n, "socket_packet_high", EAFNOSUPPORT);
        assert_errno(res, n, "socket_vsock", EAFNOSUPPORT);
        assert_errno(res, n, "socket_family_63", EAFNOSUPPORT);
        assert_ok(res, n, "socket_unix");
        assert_ok(res, n, "socket_inet");
        assert_ok(res, n, "socket_inet6");
        assert_ok(res, n, "socket_netlink");
        assert_errno(res, n, "unshare_newuser", EPERM);
}
END_TEST

/* Every family and every netlink protocol against default.policy, with the
 * policy's EAFNOSUPPORT and EPROTONOSUPPORT swapped for errnos no kernel
 * returns (4001, 4002): a family this kernel lacks answers EAFNOSUPPORT by
 * itself, so only a marker shows that the filter, not the kernel, refused.
 * The conditions are the shipped ones, byte for byte. */
#define MARK_FAMILY 4001
#define MARK_PROTO 4002
static const unsigned long sweep_extra[] = { 0x7fffffffUL, 0xffffffffUL, HIGH_BIT | AF_VSOCK, HIGH_BIT | AF_PACKET,
                                             HIGH_BIT | AF_UNSPEC };

static void sweep(int fd) {
        char name[40];
        for (unsigned long f = 0; f < 64; f++) {
                snprintf(name, sizeof name, "family_%lu", f);
                long r = syscall(SYS_socket, f, SOCK_DGRAM, 0);
                report(fd, name, r);
                if (r >= 0)
                        close((int) r);
        }
        for (size_t i = 0; i < CJ_ARRAY_SIZE(sweep_extra); i++) {
                snprintf(name, sizeof name, "family_0x%lx", sweep_extra[i]);
                report(fd, name, syscall(SYS_socket, sweep_extra[i], SOCK_DGRAM, 0));
                snprintf(name, sizeof name, "pair_0x%lx", sweep_extra[i]);
                report(fd, name, syscall(SYS_socketpair, sweep_extra[i], SOCK_DGRAM, 0, (int[2]){ 0 }));
        }
        for (unsigned long p = 0; p < 34; p++) {
                snprintf(name, sizeof name, "netlink_%lu", p);
                long r = syscall(SYS_socket, AF_NETLINK, SOCK_RAW, p);
                report(fd, name, r);
                if (r >= 0)
                        close((int) r);
        }
        report(fd, "netlink_high4", syscall(SYS_socket, AF_NETLINK, SOCK_RAW, HIGH_BIT | NETLINK_SOCK_DIAG));
        report(fd, "netlink_neg", syscall(SYS_socket, AF_NETLINK, SOCK_RAW, -1L));
}

static void write_marked_policy(const char *dir) {
        _cleanup_free_ char *src = source_seccomp_dir();
        _cleanup_free_ char *def = cj_path_join(src, "default.policy");
        _cleanup_free_ char *docker = cj_path_join(src, "docker-blocked.policy");
        _cleanup_free_ char *text = NULL, *dtext = NULL;
        size_t len = 0, dlen = 0;
        ck_assert_int_eq(cj_read_file(def, 1 << 20, &text, &len, NULL), 0);
        ck_assert_int_eq(cj_read_file(docker, 1 << 20, &dtext, &dlen, NULL), 0);
        char *out = malloc(len * 2 + 1), *o = out;
        ck_assert_ptr_nonnull(out);
        size_t swapped = 0;
        for (const char *t = text; *t;) {
                if (strncmp(t, "errno EAFNOSUPPORT ", 19) == 0) {
                        o += sprintf(o, "errno %d ", MARK_FAMILY), t += 19, swapped++;
                } else if (strncmp(t, "errno EPROTONOSUPPORT ", 22) == 0) {
                        o += sprintf(o, "errno %d ", MARK_PROTO), t += 22, swapped++;
                } else
                        *o++ = *t++;
        }
        *o = '\0';
        ck_assert_uint_eq(swapped, 4); /* two family rules, two netlink rules */
        _cleanup_free_ char *dst = cj_path_join(dir, "default.policy");
        _cleanup_free_ char *ddst = cj_path_join(dir, "docker-blocked.policy");
        ck_assert_int_eq(cj_write_file_atomic(dst, out, strlen(out), 0644, NULL), 0);
        ck_assert_int_eq(cj_write_file_atomic(ddst, dtext, dlen, 0644, NULL), 0);
        free(out);
}

static bool family_allowed(unsigned long f) {
        unsigned int low = (unsigned int) f; /* what the kernel reads */
        return low == AF_UNIX || low == AF_INET || low == AF_INET6 || low == AF_NETLINK;
}

START_TEST(every_family_and_netlink_protocol_is_decided_by_the_filter) {
        char dir[] = "/tmp/cj-seccomp-marked.XXXXXX";
        ck_assert_ptr_nonnull(mkdtemp(dir));
        write_marked_policy(dir);
        result res[RESULTS_MAX];
        size_t n = 0;
        int status = run_child_in(dir, "default", sweep, res, &n);
        _cleanup_free_ char *a = cj_path_join(dir, "default.policy"), *b = cj_path_join(dir, "docker-blocked.policy");
        unlink(a);
        unlink(b);
        rmdir(dir);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status 0x%x", status);
        char name[40];
        for (unsigned long f = 0; f < 64; f++) {
                snprintf(name, sizeof name, "family_%lu", f);
                const result *r = find(res, n, name);
                if (family_allowed(f))
                        ck_assert_msg(r->ret >= 0 || (r->err != MARK_FAMILY && r->err != MARK_PROTO),
                                      "%s refused by the filter", name);
                else
                        ck_assert_msg(r->ret == -1 && r->err == MARK_FAMILY, "%s: ret %ld errno %d, want the filter",
                                      name, r->ret, r->err);
        }
        for (size_t i = 0; i < CJ_ARRAY_SIZE(sweep_extra); i++)
                for (int pair = 0; pair < 2; pair++) {
                        snprintf(name, sizeof name, "%s_0x%lx", pair ? "pair" : "family", sweep_extra[i]);
                        const result *r = find(res, n, name);
                        ck_assert_msg(r->ret == -1 && r->err == MARK_FAMILY, "%s: ret %ld errno %d", name, r->ret,
                                      r->err);
                }
        for (unsigned long p = 0; p < 34; p++) {
                snprintf(name, sizeof name, "netlink_%lu", p);
                const result *r = find(res, n, name);
                if (p == NETLINK_ROUTE || p == NETLINK_SOCK_DIAG)
                        ck_assert_msg(r->ret >= 0, "%s: errno %d", name, r->err);
                else
                        ck_assert_msg(r->ret == -1 && r->err == MARK_PROTO, "%s: ret %ld errno %d, want the filter",
                                      name, r->ret, r->err);
        }
        const result *r = find(res, n, "netlink_high4");
        ck_assert_msg(r->ret == -1 && r->err == MARK_PROTO, "netlink_high4: ret %ld errno %d", r->ret, r->err);
        r = find(res, n, "netlink_neg");
        ck_assert_msg(r->ret == -1 && r->err == MARK_PROTO, "netlink_neg: ret %ld errno %d", r->ret, r->err);
}
END_TEST

static void call_kexec(int fd) {
        report(fd, "before", 0);
        report(fd, "kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0));
}

START_TEST(kill_action_kills_the_process) {
        result res[RESULTS_MAX];
        size_t n = 0;
        int status = run_child("default", call_kexec, res, &n);
        ck_assert_uint_eq(n, 1);
        ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "status 0x%x", status);
}
END_TEST

#if defined(__x86_64__)
static void call_int80(int fd) {
        /* Without IA32 emulation the kernel answers with SIGSEGV, which the
         * caller reads from the wait status; a sanitizer's SEGV handler would
         * turn that into exit(1), so let the signal kill us as it would. */
        signal(SIGSEGV, SIG_DFL);
        report(fd, "before", 0);
        long ret;
        /* i386 getpid (20) through the 32-bit entry point. */
        __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
        report(fd, "int80_getpid", ret);
}

static void call_x32(int fd) {
        report(fd, "before", 0);
        report(fd, "x32_getpid", syscall(0x40000000L | SYS_getpid));
}
#endif

START_TEST(foreign_abis_are_killed) {
#if defined(__x86_64__)
        result res[RESULTS_MAX];
        size_t n = 0;
        /* Control: without a filter int $0x80 returns (pid or -ENOSYS). */
        int status = run_child(NULL, call_int80, res, &n);
        /* A kernel built without IA32 emulation (or booted with
         * ia32_emulation=0) answers int $0x80 with SIGSEGV: there is no
         * i386 entry point to filter, so that half cannot run here. */
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV) {
                printf("# SKIP int $0x80 half: this kernel has no IA32 emulation (control got SIGSEGV)\n");
        } else {
                ck_assert_msg(WIFEXITED(status) && n == 2, "control status 0x%x n %zu", status, n);
                status = run_child("default", call_int80, res, &n);
                ck_assert_uint_eq(n, 1);
                ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "int $0x80 status 0x%x",
                              status);
        }

        status = run_child("default", call_x32, res, &n);
        ck_assert_uint_eq(n, 1);
        ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "x32 status 0x%x", status);
#else
        printf("# SKIP foreign_abis_are_killed: x86_64 only\n");
#endif
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("seccomp-policy-kernel");
        TCase *tc = tcase_create("kernel");
        tcase_add_test(tc, default_policy_denies_in_the_kernel);
        tcase_add_test(tc, control_without_filter);
        tcase_add_test(tc, strict_policy_in_the_kernel);
        tcase_add_test(tc, every_family_and_netlink_protocol_is_decided_by_the_filter);
        tcase_add_test(tc, kill_action_kills_the_process);
        tcase_add_test(tc, foreign_abis_are_killed);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
