/* SPDX-License-Identifier: MIT */
/* The sandbox's filter for a profile's policy: the build-time program when
 * the policy files are unchanged, the files' own compile when one was edited
 * (never the stale program).  Each test runs in its own process (check's
 * fork), so each sets its own $CLAWJAIL_SECCOMP_PATH before the first use. */
#include <errno.h>
#include <ftw.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../cj_check.h"
#include "sandbox/filter.h"
#include "seccomp/bpf.h"
#include "seccomp/embedded.h"
#include "seccomp/policy.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/srcdir.h"
#include "../seccomp/embedded_util.h"

/* What prog answers getpid() with. */
static uint32_t getpid_action(const struct sock_filter *prog, size_t len) {
        struct seccomp_data d = { .nr = SYS_getpid, .arch = seccomp_arch_native() };
        uint32_t act = 0;
        ck_assert_int_eq(cj_seccomp_bpf_run(prog, len, &d, &act), 0);
        return act;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

START_TEST(unchanged_policy_uses_the_build_time_program) {
        _cleanup_free_ char *src = source_seccomp_dir();
        ck_assert_int_eq(setenv("CLAWJAIL_SECCOMP_PATH", src, 1), 0);
        const cj_seccomp_embedded *e = embedded_named("default");
        ck_assert_ptr_nonnull(e);
        struct sock_fprog prog;
        bool owned = true;
        cj_error err = { 0 };
        ck_assert_msg(cj_sandbox_filter_get("default", &prog, &owned, &err) == 0, "%s", err.msg);
        ck_assert_ptr_eq(prog.filter, e->prog);
        ck_assert_uint_eq(prog.len, e->len);
        ck_assert(!owned);
        ck_assert_uint_eq(getpid_action(prog.filter, prog.len), SECCOMP_RET_ALLOW);
}
END_TEST

START_TEST(edited_policy_is_compiled_from_its_files) {
        _cleanup_free_ char *src = source_seccomp_dir();
        char dir[] = "/tmp/cj-filter-test.XXXXXX";
        ck_assert_ptr_nonnull(mkdtemp(dir));
        static const char *const names[] = { "default.policy", "docker-blocked.policy" };
        for (size_t i = 0; i < 2; i++) {
                _cleanup_free_ char *from = cj_path_join(src, names[i]), *to = cj_path_join(dir, names[i]);
                _cleanup_free_ char *buf = NULL;
                size_t len = 0;
                ck_assert_int_eq(cj_read_file(from, CJ_SECCOMP_FILE_MAX, &buf, &len, NULL), 0);
                ck_assert_int_eq(cj_write_file_atomic(to, buf, len, 0644, NULL), 0);
        }
        _cleanup_free_ char *db = cj_path_join(dir, "docker-blocked.policy");
        FILE *f = fopen(db, "a");
        ck_assert_ptr_nonnull(f);
        fputs("errno EPERM getpid\n", f);
        ck_assert_int_eq(fclose(f), 0);
        ck_assert_int_eq(setenv("CLAWJAIL_SECCOMP_PATH", dir, 1), 0);

        struct sock_fprog prog;
        bool owned = true;
        cj_error err = { 0 };
        ck_assert_msg(cj_sandbox_filter_get("default", &prog, &owned, &err) == 0, "%s", err.msg);
        const cj_seccomp_embedded *e = embedded_named("default");
        ck_assert_ptr_nonnull(e);
        ck_assert_ptr_ne(prog.filter, e->prog);
        ck_assert_uint_eq(getpid_action(e->prog, e->len), SECCOMP_RET_ALLOW);
        ck_assert_uint_eq(getpid_action(prog.filter, prog.len), SECCOMP_RET_ERRNO | EPERM);
        nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("sandbox-filter");
        TCase *tc = tcase_create("filter");
        tcase_add_test(tc, unchanged_policy_uses_the_build_time_program);
        tcase_add_test(tc, edited_policy_is_compiled_from_its_files);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
