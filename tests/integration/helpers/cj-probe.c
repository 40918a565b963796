/* SPDX-License-Identifier: MIT */
/*
 * cj-probe: try one forbidden thing from inside the sandbox and say what the
 * kernel answered, as one line "NAME: ok" or "NAME: EPERM" (errno name).
 * Exit 0 when the attempt succeeded, 1 when it failed, 2 on bad usage.
 *
 * Where it can, a probe is built so that the kernel itself would give a
 * different answer than the seccomp filter: e.g. ioctl(-1, TIOCSTI) is EBADF
 * from the kernel but EPERM from the filter, clone3(NULL, 0) is EINVAL from
 * the kernel but ENOSYS from the filter.  Running a probe outside the sandbox
 * shows the kernel's own answer.
 */
#include <errno.h>
#include <sys/prctl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/netlink.h>
#include <sys/fanotify.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define HIGH_BIT (1UL << 32)
#ifndef AF_XDP
#define AF_XDP 44
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

static const char *errname(int e) {
        switch (e) {
        case 0: return "ok";
        case EPERM: return "EPERM";
        case EACCES: return "EACCES";
        case ENOSYS: return "ENOSYS";
        case EINVAL: return "EINVAL";
        case EBADF: return "EBADF";
        case ESRCH: return "ESRCH";
        case EIO: return "EIO";
        case ENOTTY: return "ENOTTY";
        case EFAULT: return "EFAULT";
        case ENOENT: return "ENOENT";
        case EAGAIN: return "EAGAIN";
        case ENOMEM: return "ENOMEM";
        case ENETUNREACH: return "ENETUNREACH";
        case ECONNREFUSED: return "ECONNREFUSED";
        case EHOSTUNREACH: return "EHOSTUNREACH";
        case ETIMEDOUT: return "ETIMEDOUT";
        case E2BIG: return "E2BIG";
        case EBUSY: return "EBUSY";
        case EROFS: return "EROFS";
        case ENODEV: return "ENODEV";
        case EOPNOTSUPP: return "EOPNOTSUPP";
        case ENOEXEC: return "ENOEXEC";
        case EAFNOSUPPORT: return "EAFNOSUPPORT";
        case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
        default: return strerrorname_np(e) ? strerrorname_np(e) : "E?";
        }
}

/* Report the result of a raw syscall (-1 + errno on failure). */
static int report(const char *name, long r) {
        int e = r < 0 ? errno : 0;
        printf("%s: %s\n", name, errname(e));
        fflush(stdout);
        return e ? 1 : 0;
}

/* A pty whose slave is our controlling terminal, so the kernel itself would
 * accept TIOCSTI on it (legacy_tiocsti permitting).  Returns the slave fd,
 * the master in *master. */
static int own_pty(int *master) {
        int m = posix_openpt(O_RDWR | O_NOCTTY);
        if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
                return -1;
        int s = open(ptsname(m), O_RDWR);
        if (s < 0)
                return -1;
        (void) setsid();
        (void) ioctl(s, TIOCSCTTY, 0);
        *master = m;
        return s;
}

/* TIOCSTI on our own pty; also check that nothing reached the input queue. */
static int tiocsti_pty(const char *name, unsigned long req) {
        int m;
        int s = own_pty(&m);
        if (s < 0)
                return report("pty-setup", -1);
        char c = 'Z';
        long r = syscall(SYS_ioctl, s, req, &c);
        int e = errno;
        /* Anything injected is now readable on the slave side. */
        int fl = fcntl(s, F_GETFL);
        fcntl(s, F_SETFL, fl | O_NONBLOCK);
        struct termios t;
        if (tcgetattr(s, &t) == 0) {
                cfmakeraw(&t);
                tcsetattr(s, TCSANOW, &t);
        }
        char buf[8];
        if (read(s, buf, sizeof buf) > 0)
                printf("%s-injected: yes\n", name);
        errno = e;
        return report(name, r);
}

/* socket(2) with raw arguments; closes what it got. */
static int try_socket(const char *name, unsigned long family, int type, unsigned long proto) {
        long r = syscall(SYS_socket, family, type, proto);
        if (r >= 0)
                close((int) r);
        return report(name, r);
}

/* The address families and netlink protocols default.policy refuses, and the
 * calls Docker refuses that it used to leave open.  Kernel answers outside a
 * sandbox here: vsock ok, packet/xdp EPERM (no CAP_NET_RAW) or ok, netlink
 * generic/audit/uevent ok, chroot of a missing path ENOENT, fanotify ok
 * (unprivileged since 5.13), migrate_pages EINVAL, set_mempolicy_home_node
 * ok, afs_syscall ENOSYS, statmount/listmount EFAULT, memfd_secret ok. */
static int more_probes(const char *n) {
        unsigned long m = 0;
        if (!strcmp(n, "socket-vsock"))
                return try_socket(n, AF_VSOCK, SOCK_STREAM, 0);
        if (!strcmp(n, "socket-vsock-hi"))
                return try_socket(n, AF_VSOCK | HIGH_BIT, SOCK_STREAM, 0);
        if (!strcmp(n, "socketpair-vsock"))
                return report(n, socketpair(AF_VSOCK, SOCK_STREAM, 0, (int[2]){ 0 }));
        if (!strcmp(n, "socket-packet"))
                return try_socket(n, AF_PACKET, SOCK_RAW, 0);
        if (!strcmp(n, "socket-xdp"))
                return try_socket(n, AF_XDP, SOCK_RAW, 0);
        if (!strcmp(n, "socket-alg"))
                return try_socket(n, AF_ALG, SOCK_SEQPACKET, 0);
        if (!strcmp(n, "socket-unix"))
                return try_socket(n, AF_UNIX, SOCK_STREAM, 0);
        if (!strcmp(n, "netlink-route"))
                return try_socket(n, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
        if (!strcmp(n, "netlink-sock-diag"))
                return try_socket(n, AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG);
        if (!strcmp(n, "netlink-generic"))
                return try_socket(n, AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
        if (!strcmp(n, "netlink-audit"))
                return try_socket(n, AF_NETLINK, SOCK_RAW, NETLINK_AUDIT);
        if (!strcmp(n, "netlink-uevent"))
                return try_socket(n, AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT);
        if (!strcmp(n, "netlink-route-hi"))
                return try_socket(n, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE | HIGH_BIT);
        if (!strcmp(n, "sethostname"))
                return report(n, syscall(SYS_sethostname, "x", 9999));
        if (!strcmp(n, "setdomainname"))
                return report(n, syscall(SYS_setdomainname, "x", 9999));
        if (!strcmp(n, "chroot"))
                return report(n, syscall(SYS_chroot, "/nonexistent-cj-probe"));
        if (!strcmp(n, "vhangup")) {
                (void) setsid(); /* no controlling terminal: nothing to hang up */
                return report(n, syscall(SYS_vhangup));
        }
        if (!strcmp(n, "fanotify_init"))
                return report(n, syscall(SYS_fanotify_init, FAN_CLASS_NOTIF | FAN_REPORT_FID, O_RDONLY));
        if (!strcmp(n, "migrate_pages"))
                return report(n, syscall(SYS_migrate_pages, 0, 1, &m, &m));
        if (!strcmp(n, "set_mempolicy_home_node"))
                return report(n, syscall(SYS_set_mempolicy_home_node, 0, 0, 0, 0));
#ifdef SYS_afs_syscall
        if (!strcmp(n, "afs_syscall"))
                return report(n, syscall(SYS_afs_syscall));
        if (!strcmp(n, "vserver"))
                return report(n, syscall(SYS_vserver));
        if (!strcmp(n, "tuxcall"))
                return report(n, syscall(SYS_tuxcall));
#endif
        if (!strcmp(n, "statmount"))
                return report(n, syscall(SYS_statmount, NULL, NULL, 0, 0));
        if (!strcmp(n, "listmount"))
                return report(n, syscall(SYS_listmount, NULL, NULL, 0, 0));
        if (!strcmp(n, "memfd_secret"))
                return report(n, syscall(SYS_memfd_secret, 0));
        return -1;
}

static int do_connect(const char *ip, int port) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0)
                return report("socket", -1);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port) };
        inet_pton(AF_INET, ip, &a.sin_addr);
        return report("connect", connect(fd, (struct sockaddr *) &a, sizeof a));
}

/* Listen on 127.0.0.1, connect from a child, pass one message through. */
static int lo_echo(void) {
        int l = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t al = sizeof a;
        if (l < 0 || bind(l, (struct sockaddr *) &a, sizeof a) < 0 || listen(l, 1) < 0 ||
            getsockname(l, (struct sockaddr *) &a, &al) < 0)
                return report("lo-listen", -1);
        pid_t p = fork();
        if (p == 0) {
                int c = socket(AF_INET, SOCK_STREAM, 0);
                if (c < 0 || connect(c, (struct sockaddr *) &a, sizeof a) < 0)
                        _exit(1);
                _exit(write(c, "hello-lo", 8) == 8 ? 0 : 1);
        }
        int s = accept(l, NULL, NULL);
        char buf[16] = { 0 };
        ssize_t n = s < 0 ? -1 : read(s, buf, sizeof buf - 1);
        int st = 0;
        waitpid(p, &st, 0);
        printf("lo-received: %s\n", n > 0 ? buf : "(nothing)");
        errno = EIO;
        return report("lo-echo", n == 8 && strcmp(buf, "hello-lo") == 0 ? 0 : -1);
}

/* Wait up to `secs` for one connection on a listening socket l; report it. */
static int await_connection(int l, int secs) {
        struct pollfd p = { .fd = l, .events = POLLIN };
        int n = poll(&p, 1, secs * 1000);
        printf("%s\n", n > 0 ? "accepted" : "no-connection");
        return n > 0 ? 0 : 1;
}

/* A host-side listener on 127.0.0.1: prints its port, then waits. */
static int listen_tcp(int secs) {
        int l = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t al = sizeof a;
        if (l < 0 || bind(l, (struct sockaddr *) &a, sizeof a) < 0 || listen(l, 1) < 0 ||
            getsockname(l, (struct sockaddr *) &a, &al) < 0)
                return report("listen", -1);
        printf("port: %d\n", ntohs(a.sin_port));
        fflush(stdout);
        return await_connection(l, secs);
}

static socklen_t abstract_addr(struct sockaddr_un *a, const char *name) {
        memset(a, 0, sizeof *a);
        a->sun_family = AF_UNIX;
        size_t n = strnlen(name, sizeof a->sun_path - 2);
        memcpy(a->sun_path + 1, name, n); /* sun_path[0] = 0: the abstract namespace */
        return (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/* A host-side listener in the abstract unix namespace (per network namespace). */
static int listen_abstract(const char *name, int secs) {
        struct sockaddr_un a;
        socklen_t al = abstract_addr(&a, name);
        int l = socket(AF_UNIX, SOCK_STREAM, 0);
        if (l < 0 || bind(l, (struct sockaddr *) &a, al) < 0 || listen(l, 1) < 0)
                return report("listen-abstract", -1);
        printf("listening\n");
        fflush(stdout);
        return await_connection(l, secs);
}

static int connect_abstract(const char *name) {
        struct sockaddr_un a;
        socklen_t al = abstract_addr(&a, name);
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0)
                return report("socket", -1);
        return report("connect-abstract", connect(fd, (struct sockaddr *) &a, al));
}

/* Allocate and touch `mb` MiB, one MiB at a time, printing progress. */
static int alloc(long mb) {
        long got = 0;
        for (; got < mb; got++) {
                char *p = malloc(1 << 20);
                if (!p) {
                        printf("alloc-failed-at-mb: %ld\n", got);
                        fflush(stdout);
                        return 3;
                }
                memset(p, 0x5a, 1 << 20);
                if (got % 8 == 0) {
                        printf("alloc-mb: %ld\n", got);
                        fflush(stdout);
                }
        }
        printf("alloc-done-mb: %ld\n", got);
        return 0;
}

/* Fork until the kernel refuses; children wait to be killed. */
static int fork_until_refused(long max) {
        long n = 0;
        for (; n < max; n++) {
                pid_t p = fork();
                if (p < 0) {
                        printf("forked: %ld\n", n);
                        return report("fork", -1);
                }
                if (p == 0) {
                        pause();
                        _exit(0);
                }
        }
        printf("forked: %ld\n", n);
        return report("fork", 0);
}

/* Refused calls in bulk (the journal must stay bounded): "loop N" makes N
 * socket(AF_VSOCK) calls and prints how many answered EAFNOSUPPORT;
 * "distinct N" makes N ioctl(TIOCSTI) calls on N different fd numbers, which
 * the records tell apart.  "with-listener PROG ARG..." holds a seccomp
 * listener (a filter allowing everything, its fd kept across exec, as a
 * container manager's would be) and execs PROG under it. */
static int bulk(int argc, char **argv) {
        const char *n = argv[1];
        if (!strcmp(n, "with-listener") && argc > 2) {
                struct sock_filter allow[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
                struct sock_fprog fp = { 1, allow };
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        return report(n, -1);
                int l = (int) syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &fp);
                if (l < 0 || fcntl(l, F_SETFD, 0) < 0)
                        return report(n, -1);
                execvp(argv[2], argv + 2);
                return report(n, -1);
        }
        long count = argc > 2 ? atol(argv[2]) : 0;
        if (count <= 0)
                return -1;
        long refused = 0;
        char c = 'x';
        for (long i = 0; i < count; i++) {
                long r = !strcmp(n, "loop") ? syscall(SYS_socket, AF_VSOCK, SOCK_STREAM, 0)
                                            : syscall(SYS_ioctl, -1 - i, (unsigned long) TIOCSTI, &c);
                if (r >= 0)
                        close((int) r);
                else
                        refused += errno == (!strcmp(n, "loop") ? EAFNOSUPPORT : EPERM);
        }
        printf("%s: %ld of %ld refused\n", n, refused, count);
        return refused == count ? 1 : 0;
}

int main(int argc, char **argv) {
        if (argc < 2) {
                fprintf(stderr, "usage: cj-probe NAME [ARGS]\n");
                return 2;
        }
        const char *n = argv[1];
        char c = 'x';
        int sub = 0;
        if (!strcmp(n, "loop") || !strcmp(n, "distinct") || !strcmp(n, "with-listener")) {
                int r = bulk(argc, argv);
                if (r >= 0)
                        return r;
                fprintf(stderr, "usage: cj-probe loop|distinct N, cj-probe with-listener PROG [ARG...]\n");
                return 2;
        }

        if (!strcmp(n, "tiocsti-badfd"))
                return report(n, syscall(SYS_ioctl, -1, (unsigned long) TIOCSTI, &c));
        if (!strcmp(n, "tiocsti-hi-badfd"))
                return report(n, syscall(SYS_ioctl, -1, (unsigned long) TIOCSTI | HIGH_BIT, &c));
        if (!strcmp(n, "tiocsti-pty"))
                return tiocsti_pty(n, TIOCSTI);
        if (!strcmp(n, "tiocsti-hi-pty"))
                return tiocsti_pty(n, (unsigned long) TIOCSTI | HIGH_BIT);
        if (!strcmp(n, "tioclinux-badfd"))
                return report(n, syscall(SYS_ioctl, -1, (unsigned long) TIOCLINUX, &sub));
        if (!strcmp(n, "tioclinux-hi-badfd"))
                return report(n, syscall(SYS_ioctl, -1, (unsigned long) TIOCLINUX | HIGH_BIT, &sub));
        if (!strcmp(n, "io_uring_setup")) {
                struct io_uring_params p = { 0 };
                return report(n, syscall(SYS_io_uring_setup, 4, &p));
        }
        if (!strcmp(n, "bpf")) {
                union bpf_attr a = { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1 };
                return report(n, syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a));
        }
        if (!strcmp(n, "bpf-badcmd")) /* kernel: EINVAL */
                return report(n, syscall(SYS_bpf, 9999, NULL, 0));
        if (!strcmp(n, "keyctl")) /* kernel: returns the session keyring's id */
                return report(n, syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 1));
        if (!strcmp(n, "add_key"))
                return report(n, syscall(SYS_add_key, "user", "cj-probe", "x", 1, KEY_SPEC_PROCESS_KEYRING));
        if (!strcmp(n, "request_key"))
                return report(n, syscall(SYS_request_key, "user", "cj-probe", NULL, 0));
        if (!strcmp(n, "clone3")) /* kernel: EINVAL (size 0) */
                return report(n, syscall(SYS_clone3, NULL, 0));
        if (!strcmp(n, "ptrace-parent"))
                return report(n, ptrace(PTRACE_ATTACH, getppid(), 0, 0));
        if (!strcmp(n, "ptrace-pid1"))
                return report(n, ptrace(PTRACE_ATTACH, 1, 0, 0));
        if (!strcmp(n, "ptrace-seize-pid1"))
                return report(n, ptrace(PTRACE_SEIZE, 1, 0, 0));
        if (!strcmp(n, "ptrace-hi-pid1"))
                return report(n, syscall(SYS_ptrace, (unsigned long) PTRACE_ATTACH | HIGH_BIT, 1, 0, 0));
        if (!strcmp(n, "ptrace-nopid")) /* kernel: ESRCH */
                return report(n, ptrace(PTRACE_ATTACH, 999999, 0, 0));
        if (!strcmp(n, "unshare-user"))
                return report(n, syscall(SYS_unshare, CLONE_NEWUSER));
        if (!strcmp(n, "unshare-user-hi")) /* kernel: EINVAL (unknown flag) */
                return report(n, syscall(SYS_unshare, (unsigned long) CLONE_NEWUSER | HIGH_BIT));
        if (!strcmp(n, "unshare-mnt"))
                return report(n, syscall(SYS_unshare, CLONE_NEWNS));
        if (!strcmp(n, "unshare-net"))
                return report(n, syscall(SYS_unshare, CLONE_NEWNET));
        if (!strcmp(n, "clone-newuser")) {
                long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
                if (r == 0)
                        _exit(0);
                if (r > 0)
                        waitpid((pid_t) r, NULL, 0);
                return report(n, r < 0 ? -1 : 0);
        }
        if (!strcmp(n, "mount-tmpfs"))
                return report(n, mount("none", argc > 2 ? argv[2] : "/tmp", "tmpfs", 0, NULL));
        if (!strcmp(n, "fsopen"))
                return report(n, syscall(SYS_fsopen, "tmpfs", 0));
        if (!strcmp(n, "open_tree"))
                return report(n, syscall(SYS_open_tree, AT_FDCWD, "/", 0));
        if (!strcmp(n, "perf_event_open")) {
                struct perf_event_attr a = { .type = PERF_TYPE_SOFTWARE, .size = sizeof a,
                                             .config = PERF_COUNT_SW_CPU_CLOCK, .exclude_kernel = 1 };
                return report(n, syscall(SYS_perf_event_open, &a, 0, -1, -1, 0));
        }
        if (!strcmp(n, "userfaultfd"))
                return report(n, syscall(SYS_userfaultfd, 0));
        if (!strcmp(n, "init_module"))
                return report(n, syscall(SYS_init_module, NULL, 0, ""));
        if (!strcmp(n, "kexec_load"))
                return report(n, syscall(SYS_kexec_load, 0, 0, NULL, 0));
        if (!strcmp(n, "pidfd_getfd"))
                return report(n, syscall(SYS_pidfd_getfd, -1, 0, 0));
#ifdef __x86_64__
        if (!strcmp(n, "x32-getpid")) /* the x32 ABI: killed by the filter */
                return report(n, syscall(0x40000000 | SYS_getpid));
        if (!strcmp(n, "i386-getpid")) { /* int $0x80: the i386 ABI, killed by the filter */
                long r;
                __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
                errno = r < 0 ? (int) -r : 0;
                return report(n, r < 0 ? -1 : 0);
        }
#endif
        if (!strcmp(n, "connect") && argc > 3)
                return do_connect(argv[2], atoi(argv[3]));
        if (!strcmp(n, "listen") && argc > 2)
                return listen_tcp(atoi(argv[2]));
        if (!strcmp(n, "listen-abstract") && argc > 3)
                return listen_abstract(argv[2], atoi(argv[3]));
        if (!strcmp(n, "connect-abstract") && argc > 2)
                return connect_abstract(argv[2]);
        if (!strcmp(n, "lo-echo"))
                return lo_echo();
        if (!strcmp(n, "alloc") && argc > 2)
                return alloc(atol(argv[2]));
        if (!strcmp(n, "fork-until-refused") && argc > 2)
                return fork_until_refused(atol(argv[2]));
        int r = more_probes(n);
        if (r >= 0)
                return r;
        fprintf(stderr, "cj-probe: unknown probe '%s'\n", n);
        return 2;
}
