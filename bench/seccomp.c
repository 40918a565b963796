/* SPDX-License-Identifier: MIT */
/* What a seccomp policy costs per syscall: time a syscall-heavy loop in a
 * fresh child without a filter, with the policy's errno filter (clawjail
 * before refused syscalls were recorded) and with its notifying copy and a
 * listener (what the sandbox installs now: seccomp/bpf.h), several runs each,
 * and print the medians and their ratios.  Allowed syscalls (getppid, pipe
 * I/O) must cost the same under both filters; a refused one (socket(AF_VSOCK))
 * now costs a round trip to a listener that answers it as the launcher does.
 * A figure, not a test.
 *
 *   seccomp [-n CALLS] [-r RUNS] [-p POLICY]     (defaults 10000000, 7, default) */
#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "seccomp/bpf.h"
#include "seccomp/policy.h"

#define RUNS_MAX 101

typedef enum { LOOP_GETPPID, LOOP_PIPE, LOOP_REFUSED } loop_kind;
typedef enum { FILTER_NONE, FILTER_ERRNO, FILTER_NOTIFY } filter_kind;

static double now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

/* ns per call of the loop, measured in the calling process. */
static double run_loop(loop_kind kind, long n) {
        int p[2];
        char c = 'x';
        if (kind == LOOP_PIPE && pipe(p) < 0)
                return -1;
        double t0 = now_ns();
        for (long i = 0; i < n; i++) {
                if (kind == LOOP_GETPPID)
                        syscall(SYS_getppid);
                else if (kind == LOOP_REFUSED) {
                        long fd = syscall(SYS_socket, 40 /* AF_VSOCK */, SOCK_STREAM, 0);
                        if (fd >= 0)
                                close((int) fd);
                }
                else if (write(p[1], &c, 1) != 1 || read(p[0], &c, 1) != 1)
                        return -1;
        }
        double per = (now_ns() - t0) / (double) n;
        return kind == LOOP_PIPE ? per / 2 : per;
}

typedef struct progs {
        const struct sock_filter *errno_prog, *notify_prog;
        size_t errno_len, notify_len;
} progs;

static int send_fd(int sock, int fd) {
        char c = 'L';
        struct iovec iov = { &c, 1 };
        union {
                char b[CMSG_SPACE(sizeof(int))];
                struct cmsghdr al;
        } u;
        memset(&u, 0, sizeof u);
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof u.b };
        struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof fd);
        return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock) {
        char c;
        struct iovec iov = { &c, 1 };
        union {
                char b[CMSG_SPACE(sizeof(int))];
                struct cmsghdr al;
        } u;
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof u.b };
        if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1 || !CMSG_FIRSTHDR(&m))
                return -1;
        int fd;
        memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof fd);
        return fd;
}

/* Answer notifications as the launcher does (the errno filter run on the
 * notification's data) until the child's figure arrives on rd. */
static double serve(int listener, int rd, const progs *pg) {
        double r = -1;
        for (;;) {
                struct pollfd pf[2] = { { rd, POLLIN, 0 }, { listener, POLLIN, 0 } };
                if (poll(pf, 2, -1) < 0 && errno != EINTR)
                        return -1;
                if (pf[1].revents & POLLIN) {
                        struct seccomp_notif req;
                        memset(&req, 0, sizeof req);
                        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) == 0) {
                                uint32_t act = SECCOMP_RET_ERRNO | EPERM;
                                (void) cj_seccomp_bpf_run(pg->errno_prog, pg->errno_len, &req.data, &act);
                                struct seccomp_notif_resp resp = { .id = req.id,
                                                                   .error = -(int) (act & SECCOMP_RET_DATA) };
                                (void) ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
                        }
                }
                if (pf[0].revents) {
                        if (read(rd, &r, sizeof r) != sizeof r)
                                r = -1;
                        return r;
                }
        }
}

/* One measurement in a fresh child, under the given filter. */
static double measure(const progs *pg, filter_kind fk, loop_kind kind, long n) {
        int p[2], sv[2];
        if (pipe(p) < 0)
                return -1;
        if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
                return -1;
        pid_t pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                close(p[0]);
                close(sv[0]);
                if (fk != FILTER_NONE) {
                        bool nt = fk == FILTER_NOTIFY;
                        struct sock_fprog fp = { .len = (unsigned short) (nt ? pg->notify_len : pg->errno_len),
                                                 .filter = (struct sock_filter *) (nt ? pg->notify_prog : pg->errno_prog) };
                        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                                _exit(1);
                        int l = (int) syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                                              nt ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0, &fp);
                        if (l < 0 || (nt && send_fd(sv[1], l) < 0))
                                _exit(1);
                        if (nt)
                                close(l);
                }
                close(sv[1]);
                double r = run_loop(kind, n);
                _exit(write(p[1], &r, sizeof r) == sizeof r ? 0 : 1);
        }
        close(p[1]);
        close(sv[1]);
        double r = -1;
        if (fk == FILTER_NOTIFY) {
                int l = recv_fd(sv[0]);
                r = l < 0 ? -1 : serve(l, p[0], pg);
                if (l >= 0)
                        close(l);
        } else if (read(p[0], &r, sizeof r) != sizeof r)
                r = -1;
        close(p[0]);
        close(sv[0]);
        waitpid(pid, NULL, 0);
        return r;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

/* Runs alternate between the three kinds of children, so drifting load on
 * the machine hits every side alike. */
static void medians(const progs *pg, loop_kind kind, long n, int runs, double med[3]) {
        double v[3][RUNS_MAX];
        for (int i = 0; i < runs; i++)
                for (int k = 0; k < 3; k++)
                        v[k][i] = measure(pg, (filter_kind) k, kind, n);
        for (int k = 0; k < 3; k++) {
                qsort(v[k], (size_t) runs, sizeof v[k][0], cmp_double);
                med[k] = v[k][runs / 2];
        }
}

int main(int argc, char **argv) {
        long n = 10000000;
        int runs = 7, opt;
        const char *policy = "default";
        while ((opt = getopt(argc, argv, "n:r:p:")) != -1) {
                if (opt == 'n')
                        n = atol(optarg);
                else if (opt == 'r')
                        runs = atoi(optarg);
                else if (opt == 'p')
                        policy = optarg;
                else {
                        fprintf(stderr, "usage: %s [-n CALLS] [-r RUNS] [-p POLICY]\n", argv[0]);
                        return 2;
                }
        }
        if (n <= 0 || runs <= 0 || runs > RUNS_MAX) {
                fprintf(stderr, "seccomp bench: -n must be > 0 and -r in 1..%d\n", RUNS_MAX);
                return 2;
        }

        cj_seccomp_policy *p = NULL;
        cj_error err = { 0 };
        struct sock_filter *prog = NULL;
        size_t len = 0;
        int r = cj_seccomp_policy_load(policy, cj_seccomp_default_search_dirs(), &p, &err);
        if (r >= 0)
                r = cj_seccomp_policy_compile_bpf(p, &prog, &len, &err);
        if (r < 0) {
                fprintf(stderr, "seccomp bench: %s\n", cj_error_message(&err, r));
                return 1;
        }
        static struct sock_filter notif[BPF_MAXINSNS];
        size_t nlen = 0;
        const int quiet[] = { SYS_clone3 };
        if (cj_seccomp_bpf_to_notify(prog, len, seccomp_arch_native(), quiet, 1, notif, BPF_MAXINSNS, &nlen) <= 0) {
                fprintf(stderr, "seccomp bench: the policy has no errno rule to notify\n");
                return 1;
        }
        progs pg = { prog, notif, len, nlen };
        printf("policy %s: %zu rules, %zu BPF instructions (notifying copy %zu); %d runs, medians\n",
               cj_seccomp_policy_path(p), cj_seccomp_policy_n_rules(p), len, nlen, runs);

        static const struct {
                loop_kind kind;
                const char *what;
                long div;
        } loops[] = {
                { LOOP_GETPPID, "getppid", 1 },
                { LOOP_PIPE, "1-byte pipe write+read (per syscall)", 10 },
                { LOOP_REFUSED, "socket(AF_VSOCK), refused", 100 },
        };
        for (size_t i = 0; i < sizeof loops / sizeof loops[0]; i++) {
                long calls = n / loops[i].div;
                double m[3];
                medians(&pg, loops[i].kind, calls, runs, m);
                if (m[0] <= 0 || m[1] <= 0 || m[2] <= 0) {
                        fprintf(stderr, "seccomp bench: a measurement failed\n");
                        return 1;
                }
                printf("%-38s x%-8ld none %8.1f ns   errno filter %8.1f ns (x%.2f)   notify filter %8.1f ns (x%.2f; "
                       "%.2f of errno)\n",
                       loops[i].what, calls, m[0], m[1], m[1] / m[0], m[2], m[2] / m[0], m[2] / m[1]);
        }
        free(prog);
        cj_seccomp_policy_free(p);
        return 0;
}
