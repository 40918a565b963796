/* SPDX-License-Identifier: MIT */
/* What a seccomp policy costs per syscall: time a syscall-heavy loop in a
 * fresh child without a filter and with the policy installed, several runs
 * each, and print the medians and their ratio.  A figure, not a test.
 *
 *   seccomp [-n CALLS] [-r RUNS] [-p POLICY]     (defaults 10000000, 7, default) */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "seccomp/policy.h"

#define RUNS_MAX 101

typedef enum { LOOP_GETPPID, LOOP_PIPE } loop_kind;

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
                else if (write(p[1], &c, 1) != 1 || read(p[0], &c, 1) != 1)
                        return -1;
        }
        double per = (now_ns() - t0) / (double) n;
        return kind == LOOP_PIPE ? per / 2 : per;
}

/* One measurement in a fresh child, filtered when prog is non-NULL. */
static double measure(const struct sock_filter *prog, size_t len, loop_kind kind, long n) {
        int p[2];
        if (pipe(p) < 0)
                return -1;
        pid_t pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                close(p[0]);
                if (prog) {
                        struct sock_fprog fp = { .len = (unsigned short) len, .filter = (struct sock_filter *) prog };
                        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
                            syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0)
                                _exit(1);
                }
                double r = run_loop(kind, n);
                _exit(write(p[1], &r, sizeof r) == sizeof r ? 0 : 1);
        }
        close(p[1]);
        double r = -1;
        if (read(p[0], &r, sizeof r) != sizeof r)
                r = -1;
        close(p[0]);
        waitpid(pid, NULL, 0);
        return r;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

/* Runs alternate between unfiltered and filtered children, so drifting load
 * on the machine hits both sides alike. */
static void medians(const struct sock_filter *prog, size_t len, loop_kind kind, long n, int runs, double *base,
                    double *filt) {
        double b[RUNS_MAX], f[RUNS_MAX];
        for (int i = 0; i < runs; i++) {
                b[i] = measure(NULL, 0, kind, n);
                f[i] = measure(prog, len, kind, n);
        }
        qsort(b, (size_t) runs, sizeof b[0], cmp_double);
        qsort(f, (size_t) runs, sizeof f[0], cmp_double);
        *base = b[runs / 2];
        *filt = f[runs / 2];
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
        printf("policy %s: %zu rules, %zu BPF instructions; %d runs, medians\n", cj_seccomp_policy_path(p),
               cj_seccomp_policy_n_rules(p), len, runs);

        static const struct {
                loop_kind kind;
                const char *what;
                long div;
        } loops[] = {
                { LOOP_GETPPID, "getppid", 1 },
                { LOOP_PIPE, "1-byte pipe write+read (per syscall)", 10 },
        };
        for (size_t i = 0; i < sizeof loops / sizeof loops[0]; i++) {
                long calls = n / loops[i].div;
                double base, filt;
                medians(prog, len, loops[i].kind, calls, runs, &base, &filt);
                if (base <= 0 || filt <= 0) {
                        fprintf(stderr, "seccomp bench: a measurement failed\n");
                        return 1;
                }
                printf("%-38s x%-9ld no filter %7.1f ns/call   %s %7.1f ns/call   ratio %.2f\n", loops[i].what,
                       calls, base, policy, filt, filt / base);
        }
        free(prog);
        cj_seccomp_policy_free(p);
        return 0;
}
