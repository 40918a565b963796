/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdalign.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cj_check.h"
#include "util/cleanup.h"
#include "util/dents.h"
#include "util/err.h"
#include "util/fileio.h"
#include "util/hmac.h"
#include "util/longpath.h"
#include "util/srcdir.h"

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


/* A tree past PATH_MAX (20 levels of 250-character names, made relative to
 * each level as a call can): cj_at_open, cj_open_long and cj_realpath_long
 * reach its bottom, through a symlink too, where plain syscalls say
 * ENAMETOOLONG. */
/* This test executable lies in the build tree (build/tests/unit/util/): it
 * finds the source tree meson named in build/clawjail-source-tree. */
/* Every entry once, "." and ".." never, across many reads of a small
 * buffer that then grows; a failed read says why. */
START_TEST(dents_lists_every_entry_once) {
        char dir[] = "/tmp/cj-dents-XXXXXX";
        ck_assert_ptr_nonnull(mkdtemp(dir));
        enum { N = 300 };
        for (int i = 0; i < N; i++) {
                char p[PATH_MAX];
                snprintf(p, sizeof p, "%s/entry-with-a-long-name-%03d", dir, i);
                int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
                ck_assert_int_ge(fd, 0);
                close(fd);
        }
        for (int grow = 0; grow < 2; grow++) {
                int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                ck_assert_int_ge(fd, 0);
                alignas(struct dirent64) char small[512];
                cj_dents d = CJ_DENTS(fd, small, sizeof small, grow ? 8192 : 0);
                bool seen[N] = { false };
                int n = 0;
                for (const struct dirent64 *de; (de = cj_dents_next(&d));) {
                        int i = -1;
                        ck_assert_int_eq(sscanf(de->d_name, "entry-with-a-long-name-%d", &i), 1);
                        ck_assert(i >= 0 && i < N && !seen[i]);
                        seen[i] = true;
                        n++;
                }
                ck_assert_int_eq(d.err, 0);
                ck_assert_int_eq(n, N);
                ck_assert(grow ? d.heap != NULL : d.heap == NULL);
                cj_dents_free(&d);
                close(fd);
        }
        cj_dents bad = CJ_DENTS(-1, (char[64]){ 0 }, 64, 0);
        ck_assert_ptr_null(cj_dents_next(&bad));
        ck_assert_int_eq(bad.err, -EBADF);
        _cleanup_free_ char *cmd = NULL;
        ck_assert_int_ge(asprintf(&cmd, "rm -rf %s", dir), 0);
        ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(source_tree_from_the_build_dir) {
        const char *src = getenv("CLAWJAIL_SOURCE_DIR"); /* meson.project_source_root(), tests/unit/meson.build */
        ck_assert_ptr_nonnull(src);
        ck_assert_ptr_nonnull(cj_source_tree());
        ck_assert_str_eq(cj_source_tree(), src);
        ck_assert_ptr_eq(cj_source_tree(), cj_source_tree()); /* computed once */
}
END_TEST

START_TEST(long_paths) {
        char tmpl[] = "/tmp/cj-longpath.XXXXXX";
        ck_assert_ptr_nonnull(mkdtemp(tmpl));
        char name[251];
        memset(name, 'n', 250);
        name[250] = '\0';
        int fd = open(tmpl, O_RDONLY | O_DIRECTORY);
        ck_assert_int_ge(fd, 0);
        size_t cap = strlen(tmpl) + 20 * 251 + 1024;
        char *path = malloc(cap);
        strcpy(path, tmpl);
        for (int i = 0; i < 20; i++) {
                ck_assert_int_eq(mkdirat(fd, name, 0700), 0);
                int n = openat(fd, name, O_RDONLY | O_DIRECTORY);
                ck_assert_int_ge(n, 0);
                close(fd);
                fd = n;
                strcat(path, "/");
                strcat(path, name);
        }
        int f = openat(fd, "leaf", O_WRONLY | O_CREAT, 0600);
        ck_assert_int_ge(f, 0);
        close(f);
        ck_assert_int_eq(symlinkat(tmpl, fd, "up"), 0); /* absolute: back to the top */
        close(fd);
        ck_assert_int_gt(strlen(path), PATH_MAX);
        struct stat st;
        ck_assert_int_lt(lstat(path, &st), 0); /* what the scan used to see */
        ck_assert_int_eq(errno, ENAMETOOLONG);

        char *leaf = malloc(cap), *viaup = malloc(cap + 64);
        snprintf(leaf, cap, "%s/leaf", path);
        cj_at at;
        ck_assert_int_eq(cj_at_open(leaf, false, &at), 0);
        ck_assert_int_lt(strlen(at.rel), PATH_MAX);
        ck_assert_int_eq(fstatat(at.dfd, at.rel, &st, AT_SYMLINK_NOFOLLOW), 0);
        ck_assert(S_ISREG(st.st_mode));
        cj_at_close(&at);
        int lf = cj_open_long(leaf, O_RDONLY, true);
        ck_assert_int_ge(lf, 0);
        close(lf);
        _cleanup_free_ char *real = cj_realpath_long(leaf);
        ck_assert_ptr_nonnull(real);
        ck_assert_str_eq(real, leaf);
        /* ".." and a symlink inside a long path resolve as the kernel would. */
        snprintf(viaup, cap + 64, "%s/up/%s/../%s", path, name, name);
        _cleanup_free_ char *r2 = cj_realpath_long(viaup);
        ck_assert_ptr_nonnull(r2);
        char *want = malloc(strlen(tmpl) + 260 + 8);
        sprintf(want, "%s/%s", tmpl, name);
        ck_assert_str_eq(r2, want);
        /* No symlinks allowed: the link fails (ELOOP), the plain path opens. */
        snprintf(viaup, cap + 64, "%s/up/%s", path, name);
        ck_assert_int_eq(cj_open_long(viaup, O_PATH, true), -ELOOP);
        int df = cj_open_long(viaup, O_PATH | O_DIRECTORY, false);
        ck_assert_int_ge(df, 0);
        close(df);
        /* Missing and not-a-directory components keep their errno. */
        snprintf(viaup, cap + 64, "%s/missing/x", path);
        errno = 0;
        ck_assert_ptr_null(cj_realpath_long(viaup));
        ck_assert_int_eq(errno, ENOENT);
        snprintf(viaup, cap + 64, "%s/leaf/x", path);
        errno = 0;
        ck_assert_ptr_null(cj_realpath_long(viaup));
        ck_assert_int_eq(errno, ENOTDIR);
        ck_assert_ptr_null(cj_realpath_long("relative"));

        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", tmpl);
        ck_assert_int_eq(system(cmd), 0);
        free(want);
        free(leaf);
        free(viaup);
        free(path);
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
        tcase_add_test(tc, long_paths);
        tcase_add_test(tc, source_tree_from_the_build_dir);
        tcase_add_test(tc, dents_lists_every_entry_once);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
