/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cj_check.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/fileio.h"

START_TEST(error_keeps_first_and_prefixes) {
        cj_error e = { 0 };
        ck_assert_int_eq(cj_error_set(&e, EINVAL, "key %s", "a.b"), -EINVAL);
        ck_assert_int_eq(cj_error_set(&e, ENOENT, "later"), -ENOENT);
        ck_assert_str_eq(e.msg, "key a.b");
        ck_assert_int_eq(cj_error_prefix(&e, "%s: ", "file.json"), -EINVAL);
        ck_assert_str_eq(e.msg, "file.json: key a.b");
        ck_assert_int_eq(cj_error_set(NULL, -EPERM, "x"), -EPERM);
        cj_error_clear(&e);
        ck_assert_int_eq(e.code, 0);
        ck_assert_int_eq(cj_error_seterrno(&e, ENOENT, "open %s", "x"), -ENOENT);
        ck_assert_str_eq(e.msg, "open x: No such file or directory");
}
END_TEST

START_TEST(path_normalize) {
        static const char *cases[][2] = {
                { "/", "/" }, { "//a//b/", "/a/b" }, { "/a/./b/../c", "/a/c" },
                { "/../..", "/" }, { "/a/b/../../..", "/" }, { "/a/..b", "/a/..b" },
        };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(cases); i++) {
                _cleanup_free_ char *n = cj_path_normalize(cases[i][0]);
                ck_assert_ptr_nonnull(n);
                ck_assert_str_eq(n, cases[i][1]);
        }
        errno = 0;
        ck_assert_ptr_null(cj_path_normalize("rel/path"));
        ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(path_under_and_join) {
        ck_assert(cj_path_is_under("/a/b", "/a"));
        ck_assert(cj_path_is_under("/a", "/a"));
        ck_assert(!cj_path_is_under("/ab", "/a"));
        ck_assert(cj_path_is_under("/x", "/"));
        _cleanup_free_ char *j = cj_path_join("/a/", "/b");
        ck_assert_str_eq(j, "/a/b");
        _cleanup_free_ char *k = cj_path_join("/", "c");
        ck_assert_str_eq(k, "/c");
}
END_TEST

START_TEST(atomic_write_and_read_limit) {
        char dir[] = "/tmp/cjtest.XXXXXX";
        ck_assert_ptr_nonnull(mkdtemp(dir));
        _cleanup_free_ char *p = cj_path_join(dir, "f");
        cj_error e = { 0 };
        ck_assert_int_eq(cj_write_file_atomic(p, "hello", 5, 0640, &e), 0);
        struct stat st;
        ck_assert_int_eq(stat(p, &st), 0);
        ck_assert_int_eq(st.st_mode & 07777, 0640);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        ck_assert_int_eq(cj_read_file(p, 5, &buf, &len, &e), 0);
        ck_assert_str_eq(buf, "hello");
        _cleanup_free_ char *buf2 = NULL;
        ck_assert_int_eq(cj_read_file(p, 4, &buf2, &len, &e), -EFBIG);
        ck_assert_ptr_nonnull(strstr(e.msg, "limit of 4 bytes"));
        unlink(p);
        rmdir(dir);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("util");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, error_keeps_first_and_prefixes);
        tcase_add_test(tc, path_normalize);
        tcase_add_test(tc, path_under_and_join);
        tcase_add_test(tc, atomic_write_and_read_limit);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
