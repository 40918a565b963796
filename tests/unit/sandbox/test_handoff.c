/* SPDX-License-Identifier: MIT */
/* The sandbox's fd channel and staged API: the channel on its own, then real
 * calls (root, and as uid 65534 when started by root) that hand a pipe and
 * variables to the call and check nothing else leaks in. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cj_check.h"
#include "../cj_shipped.h"
#include "profile/profile.h"
#include "sandbox/channel.h"
#include "sandbox/filter.h"
#include "sandbox/sandbox.h"
#include "util/cleanup.h"

START_TEST(chan_roundtrip) {
        int sv[2], p[2];
        ck_assert_int_eq(cj_chan_pair(sv), 0);
        ck_assert_int_eq(pipe(p), 0);
        const char payload[] = "filter bytes";
        ck_assert_int_eq(cj_chan_send(sv[0], CJ_CHAN_CALL, payload, sizeof payload, &p[1], 1), 0);
        char buf[64];
        int fds[CJ_SANDBOX_PASS_FDS_MAX];
        size_t len = 0, n = 0;
        ck_assert_int_eq(cj_chan_recv(sv[1], CJ_CHAN_CALL, buf, sizeof buf, &len, fds, &n), 0);
        ck_assert_uint_eq(len, sizeof payload);
        ck_assert_str_eq(buf, payload);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_ne(fds[0], p[1]);
        ck_assert_int_eq(fcntl(fds[0], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
        ck_assert_int_eq(write(fds[0], "x", 1), 1); /* the same pipe, a new descriptor */
        ck_assert_int_eq(read(p[0], buf, 1), 1);
        ck_assert_int_eq(buf[0], 'x');
        close(fds[0]);

        /* A message of another kind, or one that does not fit, is refused and its fds closed. */
        ck_assert_int_eq(cj_chan_send(sv[0], CJ_CHAN_SETUP, NULL, 0, &p[1], 1), 0);
        ck_assert_int_eq(cj_chan_recv(sv[1], CJ_CHAN_CALL, buf, sizeof buf, &len, fds, &n), -EBADMSG);
        ck_assert_int_eq(cj_chan_send(sv[0], CJ_CHAN_CALL, payload, sizeof payload, NULL, 0), 0);
        ck_assert_int_eq(cj_chan_recv(sv[1], CJ_CHAN_CALL, buf, 4, &len, fds, &n), -EBADMSG);
        int many[CJ_SANDBOX_PASS_FDS_MAX + 1];
        for (size_t i = 0; i < CJ_ARRAY_SIZE(many); i++)
                many[i] = p[1];
        ck_assert_int_eq(cj_chan_send(sv[0], CJ_CHAN_SETUP, NULL, 0, many, CJ_ARRAY_SIZE(many)), -E2BIG);
        close(p[1]);
        close(sv[0]);
        ck_assert_int_eq(cj_chan_recv(sv[1], CJ_CHAN_SETUP, NULL, 0, NULL, fds, &n), -EPIPE);
        /* Every write end is closed now, the refused messages' included. */
        ck_assert_int_eq(read(p[0], buf, 1), 0);
        close(p[0]);
        close(sv[1]);
}
END_TEST

START_TEST(config_api) {
        cj_sandbox_config cfg;
        cj_sandbox_config_init(&cfg);
        ck_assert_int_eq(cj_sandbox_pass_fd(&cfg, 0, 2, NULL), -EINVAL);
        ck_assert_int_eq(cj_sandbox_pass_fd(&cfg, 0, CJ_SANDBOX_FD_TARGET_MAX + 1, NULL), -EINVAL);
        ck_assert_int_eq(cj_sandbox_pass_fd(&cfg, 9999, 3, NULL), -EINVAL); /* not open */
        ck_assert_int_eq(cj_sandbox_pass_fd(&cfg, 0, 3, "A"), 0);
        ck_assert_int_eq(cj_sandbox_pass_fd(&cfg, 0, 3, NULL), -EINVAL); /* target taken */
        for (int t = 4; t < 3 + CJ_SANDBOX_PASS_FDS_MAX; t++)
                ck_assert_int_eq(cj_sandbox_pass_fd(&cfg, 0, t, NULL), 0);
        ck_assert_int_eq(cj_sandbox_pass_fd(&cfg, 0, 100, NULL), -E2BIG);
        ck_assert_int_eq(cj_sandbox_setenv(&cfg, "A=B", "x"), -EINVAL);
        ck_assert_int_eq(cj_sandbox_setenv(&cfg, "", "x"), -EINVAL);
        ck_assert_int_eq(cj_sandbox_setenv(&cfg, "FOO", "1"), 0);
        ck_assert_int_eq(cj_sandbox_setenv(&cfg, "FOO", "2"), 0);
        ck_assert_uint_eq(cfg.n_set_env, 1);
        ck_assert_str_eq(cfg.set_env[0][1], "2");
        for (int i = 1; i < CJ_SANDBOX_SET_ENV_MAX; i++) {
                static char names[CJ_SANDBOX_SET_ENV_MAX][8];
                snprintf(names[i], sizeof names[i], "V%d", i);
                ck_assert_int_eq(cj_sandbox_setenv(&cfg, names[i], "x"), 0);
        }
        ck_assert_int_eq(cj_sandbox_setenv(&cfg, "ONE_TOO_MANY", "x"), -E2BIG);
}
END_TEST

/* A workspace every uid can use, and the default profile for it. */
static cj_profile *load_default(char *ws, size_t n) {
        snprintf(ws, n, "/tmp/cj-handoff.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(ws));
        ck_assert_int_eq(chmod(ws, 0777), 0);
        cj_profile_vars vars = { .cwd = ws, .home = ws };
        return cj_test_shipped_profile("default", &vars);
}

/* Hand the write end of a pipe in as fd 5 (and name it), set a variable, and
 * check that the call sees exactly those, not the launcher's other fds. */
static void run_handoff(bool rootless) {
        char ws[64];
        cj_profile *p = load_default(ws, sizeof ws);
        cj_error err = { 0 };
        struct sock_fprog prog;
        bool owned = false;
        /* Compiled (and cached) while the policy files are surely readable. */
        ck_assert_msg(cj_sandbox_filter_get(p->seccomp, &prog, &owned, &err) == 0, "%s", err.msg);
        ck_assert(!owned);
        ck_assert_int_eq(cj_sandbox_filter_cached(p->seccomp, &prog), 0);
        if (rootless)
                ck_assert(setgroups(0, NULL) == 0 && setresgid(65534, 65534, 65534) == 0 &&
                          setresuid(65534, 65534, 65534) == 0);
        /* As after an exec: a uid change leaves us undumpable, and then our
         * children's /proc files (uid_map) belong to root. */
        if (rootless)
                ck_assert_int_eq(prctl(PR_SET_DUMPABLE, 1), 0);

        int pipefd[2];
        ck_assert_int_eq(pipe(pipefd), 0); /* not close-on-exec: only the channel may bring it in */
        int stray = open("/dev/null", O_RDONLY);
        ck_assert_int_ge(stray, 0);
        char script[512];
        snprintf(script, sizeof script,
                 "echo \"$FOO $CJ_TEST_FD $(id -u)\" >&5; "
                 "for n in %d %d %d; do [ -e /proc/$$/fd/$n ] && echo \"leak $n\" >&5; done; exit 0",
                 pipefd[0], pipefd[1] == 5 ? 6 : pipefd[1], stray);
        char sh[] = "/bin/sh", dash_c[] = "-c";
        char *argv[] = { sh, dash_c, script, NULL };
        cj_sandbox_config cfg;
        cj_sandbox_config_init(&cfg);
        cfg.profile = p;
        cfg.argv = argv;
        cfg.cwd = ws;
        ck_assert_int_eq(cj_sandbox_pass_fd(&cfg, pipefd[1], 5, "CJ_TEST_FD"), 0);
        ck_assert_int_eq(cj_sandbox_setenv(&cfg, "FOO", "bar"), 0);
        ck_assert_int_eq(cj_sandbox_setenv(&cfg, "FOO", "baz"), 0);

        /* The stages one by one, as a front end that needs pid 1 would call them. */
        cj_sandbox *sb = NULL;
        ck_assert_msg(cj_sandbox_prepare(&cfg, &sb, &err) == 0, "%s", err.msg);
        ck_assert_int_eq(cj_sandbox_pid(sb), -1);
        ck_assert_msg(cj_sandbox_spawn(sb, &err) == 0, "%s", err.msg);
        ck_assert_int_gt(cj_sandbox_pid(sb), 0);
        close(pipefd[1]);
        ck_assert_msg(cj_sandbox_supervise(sb, &err) == 0, "%s", err.msg);
        cj_sandbox_result res = { 0 };
        ck_assert_msg(cj_sandbox_collect(sb, &res, &err) == 0, "%s", err.msg);
        cj_sandbox_free(sb);
        ck_assert_int_eq(res.status, CJ_SB_EXITED);
        ck_assert_int_eq(res.exit_code, 0);
        char out[256] = { 0 };
        ssize_t n = read(pipefd[0], out, sizeof out - 1);
        ck_assert_int_gt(n, 0);
        char want[64];
        snprintf(want, sizeof want, "baz 5 %u\n", (unsigned) (geteuid() == 0 ? p->run_as_uid : 65534));
        ck_assert_str_eq(out, want);
        cj_sandbox_result_clear(&res);
        close(pipefd[0]);
        close(stray);

        /* The one-shot path, with the filter from the cache. */
        cj_sandbox_config_init(&cfg);
        cfg.profile = p;
        char tru[] = "/bin/true";
        char *argv2[] = { tru, NULL };
        cfg.argv = argv2;
        cfg.cwd = ws;
        ck_assert_msg(cj_sandbox_run(&cfg, &res, &err) == 0, "%s", err.msg);
        ck_assert_int_eq(cj_sandbox_exit_code(&res), 0);
        cj_sandbox_result_clear(&res);
        rmdir(ws);
        cj_profile_free(p);
}

START_TEST(handoff_as_launcher) {
        run_handoff(false);
}
END_TEST

START_TEST(handoff_rootless) {
        if (geteuid() != 0)
                return; /* already covered by handoff_as_launcher */
        run_handoff(true);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("sandbox-handoff");
        TCase *tc = tcase_create("channel");
        tcase_add_test(tc, chan_roundtrip);
        tcase_add_test(tc, config_api);
        suite_add_tcase(s, tc);
        tc = tcase_create("kernel");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, handoff_as_launcher);
        tcase_add_test(tc, handoff_rootless);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
