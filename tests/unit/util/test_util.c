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
#include "util/hmac.h"

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

/* RFC 4231 test cases 1, 2 and 6 (a key longer than the block). */
START_TEST(hmac_sha256_rfc4231) {
        char out[CJ_SHA256_HEX_LEN + 1];
        uint8_t k1[20];
        memset(k1, 0x0b, sizeof k1);
        cj_hmac_sha256_hex(k1, sizeof k1, "Hi There", 8, out);
        ck_assert_str_eq(out, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        cj_hmac_sha256_hex((const uint8_t *) "Jefe", 4, "what do ya want for nothing?", 28, out);
        ck_assert_str_eq(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        uint8_t k6[131];
        memset(k6, 0xaa, sizeof k6);
        const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
        cj_hmac_sha256_hex(k6, sizeof k6, m6, strlen(m6), out);
        ck_assert_str_eq(out, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
        ck_assert(cj_hex_equal_ct("abc", "abc"));
        ck_assert(!cj_hex_equal_ct("abc", "abd"));
        ck_assert(!cj_hex_equal_ct("abc", "abcd"));
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("util");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, error_keeps_first_and_prefixes);
        tcase_add_test(tc, path_normalize);
        tcase_add_test(tc, path_under_and_join);
        tcase_add_test(tc, atomic_write_and_read_limit);
        tcase_add_test(tc, hmac_sha256_rfc4231);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
