/* SPDX-License-Identifier: MIT */
/* The build-time compiled policies: each equals what compiling the shipped
 * files now gives, and any change to a file the policy is made of (or to
 * which file an @include finds) makes the lookup miss. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cj_check.h"
#include "seccomp/embedded.h"
#include "seccomp/policy.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/srcdir.h"
#include "embedded_util.h"

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static char *make_tmpdir(void) {
        char *d = strdup("/tmp/cj-embedded-test.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(d));
        return d;
}

static void copy_policy(const char *from_dir, const char *to_dir, const char *name) {
        _cleanup_free_ char *src = cj_path_join(from_dir, name);
        _cleanup_free_ char *dst = cj_path_join(to_dir, name);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        ck_assert_int_eq(cj_read_file(src, CJ_SECCOMP_FILE_MAX, &buf, &len, NULL), 0);
        ck_assert_int_eq(cj_write_file_atomic(dst, buf, len, 0644, NULL), 0);
}

static void append(const char *dir, const char *name, const char *text) {
        _cleanup_free_ char *path = cj_path_join(dir, name);
        FILE *f = fopen(path, "a");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        ck_assert_int_eq(fclose(f), 0);
}

/* A copy of the shipped policies in a fresh directory. */
static char *shipped_copy(void) {
        _cleanup_free_ char *src = source_seccomp_dir();
        char *d = make_tmpdir();
        copy_policy(src, d, "default.policy");
        copy_policy(src, d, "docker-blocked.policy");
        copy_policy(src, d, "strict.policy");
        return d;
}

static int find(const char *name, const char *dir1, const char *dir2, const cj_seccomp_embedded **e) {
        const char *const dirs[] = { dir1, dir2, NULL };
        return cj_seccomp_embedded_find(name, dirs, e);
}

/* Compile name_or_path from dirs now, as the launcher did before. */
static void compile_now(const char *name_or_path, const char *dir, struct sock_filter **prog, size_t *len) {
        const char *const dirs[] = { dir, NULL };
        cj_seccomp_policy *p = NULL;
        cj_error err = { 0 };
        ck_assert_msg(cj_seccomp_policy_load(name_or_path, dirs, &p, &err) == 0, "%s", err.msg);
        ck_assert_msg(cj_seccomp_policy_compile_bpf(p, prog, len, &err) == 0, "%s", err.msg);
        cj_seccomp_policy_free(p);
}

START_TEST(every_shipped_policy_is_embedded_and_equals_its_compile) {
        _cleanup_free_ char *src = source_seccomp_dir();
        _cleanup_closedir_ DIR *d = opendir(src);
        ck_assert_ptr_nonnull(d);
        size_t n = 0;
        for (struct dirent *de; (de = readdir(d));) {
                size_t l = strlen(de->d_name);
                if (l <= 7 || strcmp(de->d_name + l - 7, ".policy") != 0)
                        continue;
                _cleanup_free_ char *name = strndup(de->d_name, l - 7);
                const char *const dirs[] = { src, NULL };
                cj_seccomp_policy *p = NULL;
                cj_error err = { 0 };
                if (cj_seccomp_policy_load(name, dirs, &p, &err) < 0) {
                        /* Only a fragment to include (no default action) may stay out. */
                        ck_assert_msg(strstr(err.msg, "no 'default' action"), "%s: %s", name, err.msg);
                        ck_assert_ptr_null(embedded_named(name));
                        continue;
                }
                cj_seccomp_policy_free(p);
                const cj_seccomp_embedded *e = embedded_named(name);
                ck_assert_msg(e, "%s.policy is not compiled at build time (seccomp/meson.build)", name);
                struct sock_filter *prog = NULL;
                size_t len = 0;
                compile_now(name, src, &prog, &len);
                ck_assert_uint_eq(e->len, len);
                ck_assert_msg(memcmp(e->prog, prog, len * sizeof *prog) == 0, "%s: embedded program differs", name);
                free(prog);
                const cj_seccomp_embedded *found = NULL;
                ck_assert_int_eq(find(name, src, NULL, &found), 1);
                ck_assert_ptr_eq(found, e);
                n++;
        }
        ck_assert_uint_eq(n, cj_seccomp_embedded_count);
        ck_assert_uint_ge(n, 2);
}
END_TEST

START_TEST(same_bytes_elsewhere_hit) {
        _cleanup_free_ char *d = shipped_copy();
        const cj_seccomp_embedded *e = NULL;
        ck_assert_int_eq(find("default", d, NULL, &e), 1);
        ck_assert_str_eq(e->name, "default");
        _cleanup_free_ char *path = cj_path_join(d, "strict.policy");
        ck_assert_int_eq(find(path, NULL, NULL, &e), 1); /* a path: includes found next to it */
        ck_assert_str_eq(e->name, "strict");
        nftw(d, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}
END_TEST

START_TEST(an_edited_file_misses_and_compiles_from_the_file) {
        const cj_seccomp_embedded *e = NULL;
        /* Even a comment: the check is on bytes, not on meaning. */
        _cleanup_free_ char *d = shipped_copy();
        append(d, "default.policy", "# edited\n");
        ck_assert_int_eq(find("default", d, NULL, &e), 0);
        ck_assert_int_eq(find("strict", d, NULL, &e), 0); /* includes default */
        nftw(d, rm_entry, 8, FTW_DEPTH | FTW_PHYS);

        /* An included file; the compile then has the new rule. */
        _cleanup_free_ char *d2 = shipped_copy();
        append(d2, "docker-blocked.policy", "errno EPERM getpid\n");
        ck_assert_int_eq(find("default", d2, NULL, &e), 0);
        ck_assert_int_eq(find("strict", d2, NULL, &e), 0);
        ck_assert_int_eq(find("default", d2, NULL, &e), 0);
        struct sock_filter *prog = NULL;
        size_t len = 0;
        compile_now("default", d2, &prog, &len);
        const cj_seccomp_embedded *shipped = embedded_named("default");
        ck_assert_ptr_nonnull(shipped);
        ck_assert(len != shipped->len || memcmp(prog, shipped->prog, len * sizeof *prog) != 0);
        free(prog);
        nftw(d2, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}
END_TEST

START_TEST(includes_resolve_as_the_parser_does) {
        const cj_seccomp_embedded *e = NULL;
        /* docker-blocked absent next to default: found in the next search dir. */
        _cleanup_free_ char *a = shipped_copy(), *b = shipped_copy();
        _cleanup_free_ char *a_db = cj_path_join(a, "docker-blocked.policy");
        ck_assert_int_eq(unlink(a_db), 0);
        ck_assert_int_eq(find("default", a, b, &e), 1);
        append(b, "docker-blocked.policy", "# edited\n");
        ck_assert_int_eq(find("default", a, b, &e), 0);
        /* Next to the including file wins over the search dirs, edited or not. */
        _cleanup_free_ char *src = source_seccomp_dir();
        copy_policy(b, a, "docker-blocked.policy"); /* the edited one, next to default */
        ck_assert_int_eq(find("default", a, src, &e), 0);
        /* Missing everywhere: a miss, and the parser reports it. */
        ck_assert_int_eq(unlink(a_db), 0);
        ck_assert_int_eq(find("default", a, NULL, &e), 0);
        ck_assert_int_eq(find("nosuch", a, NULL, &e), 0);
        ck_assert_int_eq(find("../default", a, NULL, &e), 0);
        nftw(a, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
        nftw(b, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}
END_TEST

START_TEST(a_fifo_or_directory_misses_without_hanging) {
        const cj_seccomp_embedded *e = NULL;
        _cleanup_free_ char *d = shipped_copy();
        _cleanup_free_ char *db = cj_path_join(d, "docker-blocked.policy");
        ck_assert_int_eq(unlink(db), 0);
        ck_assert_int_eq(mkfifo(db, 0644), 0);
        ck_assert_int_eq(find("default", d, NULL, &e), 0);
        ck_assert_int_eq(unlink(db), 0);
        ck_assert_int_eq(mkdir(db, 0755), 0);
        ck_assert_int_eq(find("default", d, NULL, &e), 0);
        nftw(d, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("seccomp-embedded");
        TCase *tc = tcase_create("embedded");
        tcase_add_test(tc, every_shipped_policy_is_embedded_and_equals_its_compile);
        tcase_add_test(tc, same_bytes_elsewhere_hit);
        tcase_add_test(tc, an_edited_file_misses_and_compiles_from_the_file);
        tcase_add_test(tc, includes_resolve_as_the_parser_does);
        tcase_add_test(tc, a_fifo_or_directory_misses_without_hanging);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
