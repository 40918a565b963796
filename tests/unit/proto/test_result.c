/* SPDX-License-Identifier: MIT */
/* Result objects and path checks. */
#include <stdlib.h>
#include <string.h>

#include "../cj_check.h"
#include "proto/paths.h"
#include "proto/result.h"
#include "util/json.h"

/* Keys come out in the SPEC's order whichever stage added them; keys the
 * SPEC does not list (cpu_ms, network, hints ...) follow in their own order. */
START_TEST(result_order) {
        json_t *r = cj_proto_result_new("c1", "ok");
        json_object_set_new(r, "journal", json_pack("{s:i}", "seq", 3));
        json_object_set_new(r, "cpu_ms", json_integer(4));
        json_object_set_new(r, "stdout", json_string("hi"));
        json_object_set_new(r, "exit_code", json_integer(0));
        json_object_set_new(r, "network", json_object());
        json_object_set_new(r, "duration_ms", json_integer(9));
        json_object_set_new(r, "verdict", json_pack("{s:s}", "decision", "allow"));
        _cleanup_json_ json_t *o = cj_proto_result_order(r);
        _cleanup_free_ char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        ck_assert_str_eq(text, "{\"id\":\"c1\",\"status\":\"ok\",\"exit_code\":0,\"duration_ms\":9,\"stdout\":\"hi\","
                               "\"verdict\":{\"decision\":\"allow\"},\"journal\":{\"seq\":3},\"cpu_ms\":4,\"network\":{}}");

        json_t *e = cj_proto_result_new(NULL, "ok");
        json_object_set_new(e, "exit_code", json_integer(1));
        cj_proto_result_set_error(e, "io_error", "disk full");
        _cleanup_json_ json_t *eo = cj_proto_result_order(e);
        _cleanup_free_ char *etext = json_dumps(eo, JSON_COMPACT | JSON_PRESERVE_ORDER);
        ck_assert_str_eq(etext, "{\"status\":\"error\",\"exit_code\":1,\"error\":{\"code\":\"io_error\",\"message\":\"disk full\"}}");
}
END_TEST

START_TEST(result_errors) {
        cj_request *req = NULL;
        cj_proto_error e;
        const char *s = "{\"id\":\"x1\",\"tool\":\"exec\",\"command\":\"a\",\"bogus\":1}";
        ck_assert_int_lt(cj_request_parse(s, strlen(s), 0, &req, &e), 0);
        _cleanup_json_ json_t *j = cj_proto_error_result_from(&e);
        ck_assert_str_eq(json_string_value(json_object_get(j, "id")), "x1");
        ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "error");
        json_t *err = json_object_get(j, "error");
        ck_assert_str_eq(json_string_value(json_object_get(err, "code")), "unknown_key");
        ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(err, "message")), "bogus"));
        _cleanup_json_ json_t *n = cj_proto_error_result(NULL, "bad_json", "x");
        ck_assert_ptr_null(json_object_get(n, "id"));
        ck_assert_str_eq(json_string_value(json_object_get(n, "status")), "error");
}
END_TEST

static char *resolve(const char *path, const char *cwd, char *const *roots, cj_proto_error *e) {
        char *out = NULL;
        memset(e, 0, sizeof *e);
        int r = cj_proto_resolve_path(path, cwd, roots, &out, e);
        if (r < 0) {
                ck_assert_ptr_null(out);
                ck_assert_int_eq(e->code, CJ_PROTO_BAD_PATH);
        }
        return out;
}

START_TEST(path_resolution) {
        char *roots[] = { (char *) "/work/repo", (char *) "/tmp", NULL };
        cj_proto_error e;
        char *p = resolve("src/main.c", "/work/repo", roots, &e);
        ck_assert_str_eq(p, "/work/repo/src/main.c");
        free(p);
        p = resolve("a/../b/./c", "/work/repo/x", roots, &e);
        ck_assert_str_eq(p, "/work/repo/x/b/c");
        free(p);
        p = resolve("/tmp//f", NULL, roots, &e);
        ck_assert_str_eq(p, "/tmp/f");
        free(p);
        ck_assert_ptr_null(resolve("../../etc/passwd", "/work/repo", roots, &e));
        ck_assert_ptr_nonnull(strstr(e.message, ".."));
        ck_assert_ptr_null(resolve("/etc/passwd", "/work/repo", roots, &e));
        ck_assert_ptr_nonnull(strstr(e.message, "outside"));
        ck_assert_ptr_null(resolve("/work/repository/x", NULL, roots, &e)); /* prefix, not below */
        ck_assert_ptr_null(resolve("rel", NULL, roots, &e));
        ck_assert_ptr_null(resolve("rel", "relcwd", roots, &e));
        ck_assert_ptr_null(resolve("", "/work/repo", roots, &e));
        ck_assert_int_eq(cj_proto_check_cwd("/work/repo/sub", NULL, roots, &p, &e), 0);
        free(p);
        ck_assert_int_lt(cj_proto_check_cwd("/home", NULL, roots, &p, &e), 0);
        ck_assert_int_lt(cj_proto_check_cwd("work", NULL, roots, &p, &e), 0);
        /* Relative to the workspace, as on the command line; still inside the roots only. */
        ck_assert_int_eq(cj_proto_check_cwd("sub", "/work/repo", roots, &p, &e), 0);
        ck_assert_str_eq(p, "/work/repo/sub");
        free(p);
        p = NULL;
        ck_assert_int_lt(cj_proto_check_cwd("../../etc", "/work/repo", roots, &p, &e), 0);
}
END_TEST

START_TEST(profile_file_paths) {
        char *ro[] = { (char *) "/usr", NULL }, *rw[] = { (char *) "/work/repo", NULL },
             *deny[] = { (char *) "/work/repo/**/.env", NULL }, *protect[] = { (char *) "/work/repo/.git/hooks", NULL };
        cj_profile p = { .fs_ro = ro, .fs_rw = rw, .fs_deny = deny, .fs_protect = protect };
        cj_proto_error e = { 0 };
        char *out = NULL;
        ck_assert_int_eq(cj_proto_file_path(&p, CJ_TOOL_READ, "/usr/include/stdio.h", NULL, &out, &e), 0);
        free(out);
        ck_assert_int_lt(cj_proto_file_path(&p, CJ_TOOL_WRITE, "/usr/include/x.h", NULL, &out, &e), 0);
        ck_assert_ptr_nonnull(strstr(e.message, "read-only"));
        ck_assert_int_eq(cj_proto_file_path(&p, CJ_TOOL_WRITE, "src/a.c", NULL, &out, &e), 0);
        ck_assert_str_eq(out, "/work/repo/src/a.c");
        free(out);
        ck_assert_int_lt(cj_proto_file_path(&p, CJ_TOOL_READ, "sub/dir/.env", NULL, &out, &e), 0);
        ck_assert_ptr_nonnull(strstr(e.message, "denied"));
        ck_assert_int_lt(cj_proto_file_path(&p, CJ_TOOL_READ, ".env", NULL, &out, &e), 0);
        ck_assert_int_eq(cj_proto_file_path(&p, CJ_TOOL_READ, "sub/.envrc", NULL, &out, &e), 0); /* near miss */
        free(out);
        ck_assert_int_eq(cj_proto_file_path(&p, CJ_TOOL_READ, ".git/hooks/pre-commit", NULL, &out, &e), 0);
        free(out);
        ck_assert_int_lt(cj_proto_file_path(&p, CJ_TOOL_EDIT, ".git/hooks/pre-commit", NULL, &out, &e), 0);
        ck_assert_ptr_nonnull(strstr(e.message, "protected"));
        ck_assert_int_lt(cj_proto_file_path(&p, CJ_TOOL_WRITE, "../../etc/shadow", NULL, &out, &e), 0);
}
END_TEST

/* Issue 7 §3: write/edit need a persistent writable root; the lexical
 * protect check agrees with the sandbox's "**" form (a trailing '/'). */
START_TEST(file_paths_persistent_and_protect) {
        char *ro[] = { (char *) "/usr", NULL }, *rw[] = { (char *) "/work/repo", (char *) "/work/repo/tmpish/keep", NULL },
             *tmpfs[] = { (char *) "/tmp", (char *) "/work/repo/tmpish", NULL },
             *deny[] = { (char *) "/work/repo/**/.env*", NULL },
             *protect[] = { (char *) "/work/repo/**/.git/hooks/", (char *) "/work/repo/**/.vscode/settings.json",
                            NULL };
        cj_profile p = { .fs_ro = ro, .fs_rw = rw, .fs_tmpfs = tmpfs, .fs_deny = deny, .fs_protect = protect };
        cj_proto_error e = { 0 };
        char *out = NULL;
        ck_assert_int_lt(cj_proto_file_path(&p, CJ_TOOL_WRITE, "/tmp/zz/x", NULL, &out, &e), 0);
        ck_assert_int_eq(e.code, CJ_PROTO_NOT_WRITABLE);
        ck_assert_int_lt(cj_proto_file_path(&p, CJ_TOOL_WRITE, "../outside/t.txt", "/tmp/ws", &out, &e), 0);
        ck_assert_int_eq(e.code, CJ_PROTO_NOT_WRITABLE); /* lands on /tmp, a tmpfs */
        ck_assert_int_lt(cj_proto_file_path(&p, CJ_TOOL_WRITE, "../../etc/x", "/work/repo", &out, &e), 0);
        ck_assert_int_eq(e.code, CJ_PROTO_BAD_PATH); /* outside every root */
        ck_assert_int_lt(cj_proto_file_path(&p, CJ_TOOL_EDIT, "tmpish/a", NULL, &out, &e), 0);
        ck_assert_int_eq(e.code, CJ_PROTO_NOT_WRITABLE);
        ck_assert_int_eq(cj_proto_file_path(&p, CJ_TOOL_WRITE, "tmpish/keep/a", NULL, &out, &e), 0);
        free(out);
        ck_assert_int_eq(cj_proto_file_path(&p, CJ_TOOL_READ, "/tmp/zz/x", NULL, &out, &e), 0); /* reads may */
        free(out);
        ck_assert_int_lt(cj_proto_file_path(&p, CJ_TOOL_WRITE, ".git/hooks/pre-commit", NULL, &out, &e), 0);
        ck_assert_ptr_nonnull(strstr(e.message, "protected"));
        ck_assert_int_lt(cj_proto_file_path(&p, CJ_TOOL_WRITE, "a/b/.git/hooks", NULL, &out, &e), 0);
        ck_assert_int_eq(cj_proto_file_path(&p, CJ_TOOL_WRITE, "a/.git/hooksx/y", NULL, &out, &e), 0);
        free(out);
        ck_assert_int_lt(cj_proto_file_path(&p, CJ_TOOL_WRITE, "x/.vscode/settings.json", NULL, &out, &e), 0);
        ck_assert_int_eq(cj_proto_file_path(&p, CJ_TOOL_WRITE, "x/.vscode/other.json", NULL, &out, &e), 0);
        free(out);
        for (const char *const *n = (const char *const[]){ ".env", "a/.env.staging", ".env.test", "b/.envrc", NULL };
             *n; n++) {
                ck_assert_int_lt(cj_proto_file_path(&p, CJ_TOOL_READ, *n, NULL, &out, &e), 0);
                ck_assert_ptr_nonnull(strstr(e.message, "denied"));
        }
        ck_assert_int_eq(cj_proto_file_path(&p, CJ_TOOL_READ, "x.env", NULL, &out, &e), 0); /* near miss */
        free(out);
        ck_assert_int_eq(cj_proto_file_path(&p, CJ_TOOL_READ, "env/.x", NULL, &out, &e), 0);
        free(out);
        ck_assert(cj_proto_persistent(&p, "/work/repo/a"));
        ck_assert(!cj_proto_persistent(&p, "/work/repo/tmpish/a"));
        ck_assert(!cj_proto_persistent(&p, "/tmp/a"));
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("proto-result");
        TCase *tc = tcase_create("result");
        tcase_add_test(tc, result_order);
        tcase_add_test(tc, result_errors);
        tcase_add_test(tc, path_resolution);
        tcase_add_test(tc, profile_file_paths);
        tcase_add_test(tc, file_paths_persistent_and_protect);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
