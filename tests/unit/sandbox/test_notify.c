/* SPDX-License-Identifier: MIT */
/* sandbox/notify.c with the real kernel, without namespaces: a child
 * installs the default policy as pid 2 does (cj_notify_child_install), the
 * parent plays the launcher (cj_notify_on_chan / cj_notify_on_listener).
 * Checks that refused calls get the policy's errno and are recorded,
 * aggregated, that allowed ones are not delivered, that the child keeps no
 * listener, that a closed listener answers ENOSYS instead of hanging, and
 * that a second listener falls back to the errno filter and says why. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../cj_check.h"
#include "sandbox/channel.h"
#include "sandbox/notify.h"
#include "seccomp/policy.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/srcdir.h"

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#define LOOPS 1000

typedef enum { BODY_CALLS, BODY_ONE_VSOCK } body_kind;

typedef struct report {
        int vsock_errno, unshare_errno, getppid_ok, listener_fds;
} report;

static struct sock_fprog default_prog(void) {
        const char *src = getenv("CLAWJAIL_SOURCE_DIR");
        _cleanup_free_ char *dir = cj_path_join(src ? src : cj_source_tree(), "seccomp");
        const char *dirs[] = { dir, NULL };
        cj_seccomp_policy *p = NULL;
        cj_error e = { 0 };
        ck_assert_msg(cj_seccomp_policy_load("default", dirs, &p, &e) == 0, "%s", e.msg);
        struct sock_filter *f = NULL;
        size_t n = 0;
        ck_assert_msg(cj_seccomp_policy_compile_bpf(p, &f, &n, &e) == 0, "%s", e.msg);
        cj_seccomp_policy_free(p);
        return (struct sock_fprog){ .len = (unsigned short) n, .filter = f };
}

/* Descriptors of this process that are seccomp listeners. */
static int count_listeners(void) {
        DIR *d = opendir("/proc/self/fd");
        int n = 0;
        struct dirent *de;
        while (d && (de = readdir(d))) {
                char path[300], target[128];
                snprintf(path, sizeof path, "/proc/self/fd/%s", de->d_name);
                ssize_t l = readlink(path, target, sizeof target - 1);
                if (l > 0) {
                        target[l] = '\0';
                        n += strstr(target, "seccomp notify") != NULL;
                }
        }
        if (d)
                closedir(d);
        return n;
}

/* Fork a child that installs prog through cj_notify_child_install (after an
 * unrelated listener first when busy) and runs body, reporting on a pipe. */
static pid_t child(const struct sock_fprog *prog, bool busy, body_kind body, int *chan, int *rep) {
        int sv[2], p[2];
        ck_assert_int_eq(cj_chan_pair(sv), 0);
        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                close(sv[0]);
                close(p[0]);
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(91);
                if (busy) { /* a container manager's listener, say: allows everything */
                        struct sock_filter allow[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
                        struct sock_fprog fp = { 1, allow };
                        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &fp) < 0)
                                _exit(92);
                }
                if (cj_notify_child_install(prog, seccomp_arch_native(), sv[1]) < 0)
                        _exit(93);
                report r = { .listener_fds = count_listeners() - (busy ? 1 : 0) };
                if (body == BODY_ONE_VSOCK) {
                        r.vsock_errno = socket(AF_VSOCK, SOCK_STREAM, 0) < 0 ? errno : 0;
                } else {
                        for (int i = 0; i < LOOPS; i++)
                                r.vsock_errno = socket(AF_VSOCK, SOCK_STREAM, 0) < 0 ? errno : 0;
                        r.unshare_errno = unshare(CLONE_NEWUSER) < 0 ? errno : 0;
                        for (int i = 0; i < 100; i++)
                                r.getppid_ok += syscall(SYS_getppid) > 0;
                }
                _exit(write(p[1], &r, sizeof r) == sizeof r ? 0 : 94);
        }
        close(sv[1]);
        close(p[1]);
        *chan = sv[0];
        *rep = p[0];
        return pid;
}

/* The launcher's loop, reduced: until the report arrives. */
static report supervise(cj_notify *n, int rep) {
        report r = { -1, -1, -1, -1 };
        for (;;) {
                struct pollfd pf[3] = { { rep, POLLIN, 0 }, { n->chan, POLLIN, 0 }, { n->listener, POLLIN, 0 } };
                ck_assert_int_ge(poll(pf, 3, 20000), 1);
                if (pf[1].revents)
                        cj_notify_on_chan(n);
                if (pf[2].revents & POLLIN)
                        ck_assert_int_eq(cj_notify_on_listener(n), 0);
                if (pf[0].revents) {
                        ck_assert_int_eq(read(rep, &r, sizeof r), sizeof r);
                        return r;
                }
        }
}

static void reap(pid_t pid) {
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status 0x%x", status);
}

START_TEST(refused_calls_are_answered_and_recorded) {
        struct sock_fprog prog = default_prog();
        int chan, rep;
        pid_t pid = child(&prog, false, BODY_CALLS, &chan, &rep);
        cj_notify n;
        ck_assert_int_eq(cj_notify_init(&n, chan, &prog), 0);
        report r = supervise(&n, rep);
        reap(pid);
        cj_notify_on_chan(&n);
        /* What the child saw is what the errno filter answers. */
        ck_assert_int_eq(r.vsock_errno, EAFNOSUPPORT);
        ck_assert_int_eq(r.unshare_errno, EPERM);
        ck_assert_int_eq(r.getppid_ok, 100);
        ck_assert_int_eq(r.listener_fds, 0); /* handed over, not kept */
        cj_sandbox_refused *rec = cj_notify_take(&n);
        ck_assert_ptr_nonnull(rec);
        ck_assert(rec->recorded);
        ck_assert_uint_eq(rec->total, LOOPS + 1); /* getppid never reached us */
        ck_assert_uint_eq(rec->n_calls, 2);
        ck_assert_str_eq(rec->calls[0].syscall, "socket");
        ck_assert_str_eq(rec->calls[0].args, "family=AF_VSOCK type=SOCK_STREAM protocol=0");
        ck_assert_int_eq(rec->calls[0].errnum, EAFNOSUPPORT);
        ck_assert_uint_eq(rec->calls[0].count, LOOPS);
        ck_assert_int_eq(rec->calls[0].pid, pid); /* no pid namespace here */
        ck_assert_str_eq(rec->calls[0].program, "test_notify");
        ck_assert_str_eq(rec->calls[1].syscall, "unshare");
        ck_assert_str_eq(rec->calls[1].args, "flags=CLONE_NEWUSER");
        ck_assert_int_eq(rec->calls[1].errnum, EPERM);
        ck_assert_uint_eq(rec->unrecorded, 0);
        free(rec);
        cj_notify_clear(&n);
        close(rep);
        free(prog.filter);
}
END_TEST

START_TEST(closed_listener_answers_enosys) {
        struct sock_fprog prog = default_prog();
        int chan, rep;
        pid_t pid = child(&prog, false, BODY_ONE_VSOCK, &chan, &rep);
        cj_notify n;
        ck_assert_int_eq(cj_notify_init(&n, chan, &prog), 0);
        struct pollfd pc = { n.chan, POLLIN, 0 };
        ck_assert_int_eq(poll(&pc, 1, 20000), 1);
        cj_notify_on_chan(&n);
        ck_assert_int_ge(n.listener, 0);
        /* The child is now waiting for an answer: the launcher dies instead. */
        struct pollfd pl = { n.listener, POLLIN, 0 };
        ck_assert_int_eq(poll(&pl, 1, 20000), 1);
        close(TAKE_FD(n.listener));
        report r;
        struct pollfd pr = { rep, POLLIN, 0 };
        ck_assert_msg(poll(&pr, 1, 20000) == 1, "the child hangs on a closed listener");
        ck_assert_int_eq(read(rep, &r, sizeof r), sizeof r);
        reap(pid);
        ck_assert_int_eq(r.vsock_errno, ENOSYS);
        cj_notify_clear(&n);
        close(rep);
        free(prog.filter);
}
END_TEST

START_TEST(second_listener_falls_back_and_says_why) {
        struct sock_fprog prog = default_prog();
        int chan, rep;
        pid_t pid = child(&prog, true, BODY_CALLS, &chan, &rep);
        cj_notify n;
        ck_assert_int_eq(cj_notify_init(&n, chan, &prog), 0);
        report r = supervise(&n, rep);
        reap(pid);
        cj_notify_on_chan(&n);
        ck_assert_int_eq(r.vsock_errno, EAFNOSUPPORT); /* the errno filter, as before */
        ck_assert_int_eq(r.unshare_errno, EPERM);
        cj_sandbox_refused *rec = cj_notify_take(&n);
        ck_assert(!rec->recorded);
        ck_assert_uint_eq(rec->total, 0);
        ck_assert_msg(strstr(rec->why_not, "another seccomp listener"), "%s", rec->why_not);
        free(rec);
        cj_notify_clear(&n);
        close(rep);
        free(prog.filter);
}
END_TEST

START_TEST(records_are_bounded) {
        cj_sandbox_refused *rec = calloc(1, sizeof *rec);
        char args[32];
        for (int round = 0; round < 3; round++)
                for (int i = 0; i < (int) CJ_SANDBOX_REFUSED_MAX + 8; i++) {
                        snprintf(args, sizeof args, "request=%d", i);
                        cj_refused_add(rec, "ioctl", args, EPERM, 2, "sh");
                }
        ck_assert_uint_eq(rec->n_calls, CJ_SANDBOX_REFUSED_MAX);
        ck_assert_uint_eq(rec->total, 3 * (CJ_SANDBOX_REFUSED_MAX + 8));
        ck_assert_uint_eq(rec->unrecorded, 3 * 8);
        ck_assert_uint_eq(rec->calls[0].count, 3);
        /* Same call from another program, or another errno: another record. */
        cj_sandbox_refused one = { 0 };
        cj_refused_add(&one, "socket", "family=AF_VSOCK", EAFNOSUPPORT, 2, "python3");
        cj_refused_add(&one, "socket", "family=AF_VSOCK", EAFNOSUPPORT, 9, "python3");
        cj_refused_add(&one, "socket", "family=AF_VSOCK", EAFNOSUPPORT, 3, "curl");
        cj_refused_add(&one, "socket", "family=AF_VSOCK", EPERM, 3, "curl");
        ck_assert_uint_eq(one.n_calls, 3);
        ck_assert_int_eq(one.calls[0].pid, 2); /* the first caller */
        ck_assert_uint_eq(one.calls[0].count, 2);
        free(rec);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("sandbox-notify");
        TCase *tc = tcase_create("notify");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, refused_calls_are_answered_and_recorded);
        tcase_add_test(tc, closed_listener_answers_enosys);
        tcase_add_test(tc, second_listener_falls_back_and_says_why);
        tcase_add_test(tc, records_are_bounded);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
