/* SPDX-License-Identifier: MIT */
/* Result objects and path checks. */
#include <stdlib.h>
#include <string.h>

#include "../cj_check.h"
#include "proto/paths.h"
#include "proto/result.h"
#include "util/json.h"

START_TEST(result_exec_ok) {
        _cleanup_json_ json_t *budget = json_pack("{s:{s:i,s:i}}", "calls", "used", 3, "limit", 500);
        _cleanup_json_ json_t *journal = json_pack("{s:i,s:s}", "seq", 17, "hash", "ab");
        cj_proto_result r = {
                .id = "c1", .status = CJ_STATUS_OK, .has_exit = true, .exit_code = 0, .duration_ms = 41,
                .has_output = true, .stdout_data = "out\xff", .stdout_len = 4, .stderr_data = "", .stderr_len = 0,
                .stdout_truncated = true, .full_output = "/s/tasks/t/outputs/3.stdout", .budget = budget,
                .journal = journal,
        };
        _cleanup_json_ json_t *j = cj_proto_result_to_json(&r);
        _cleanup_free_ char *s = cj_json_line(j);
        ck_assert_str_eq(s, "{\"id\":\"c1\",\"status\":\"ok\",\"exit_code\":0,\"signal\":null,\"duration_ms\":41,"
                            "\"stdout\":\"out\xef\xbf\xbd\",\"stderr\":\"\",\"truncated\":{\"stdout\":true,\"stderr\":false,"
                            "\"full_output\":\"/s/tasks/t/outputs/3.stdout\"},\"budget\":{\"calls\":{\"used\":3,"
                            "\"limit\":500}},\"journal\":{\"seq\":17,\"hash\":\"ab\"}}");
        ck_assert_int_eq(cj_proto_result_exit_code(&r), 0);
        r.signal = 9;
        ck_assert_int_eq(cj_proto_result_exit_code(&r), 137);
        r.status = CJ_STATUS_BUDGET_EXHAUSTED;
        ck_assert_int_eq(cj_proto_result_exit_code(&r), 122);
        r.status = CJ_STATUS_DENIED;
        ck_assert_int_eq(cj_proto_result_exit_code(&r), 120);
        r.status = CJ_STATUS_TIMEOUT;
        ck_assert_int_eq(cj_proto_result_exit_code(&r), 124);
}
END_TEST

START_TEST(result_read_encodings) {
        cj_proto_result r = { .id = "r", .status = CJ_STATUS_OK, .has_content = true, .content = "h\xc3\xa9",
                              .content_len = 3, .size = 3, .eof = true };
        _cleanup_json_ json_t *j = cj_proto_result_to_json(&r);
        ck_assert_str_eq(json_string_value(json_object_get(j, "encoding")), "utf-8");
        ck_assert_str_eq(json_string_value(json_object_get(j, "content")), "h\xc3\xa9");
        ck_assert(json_is_true(json_object_get(j, "eof")));
        r.content = "\x00\xff";
        r.content_len = 2;
        r.eof = false;
        _cleanup_json_ json_t *k = cj_proto_result_to_json(&r);
        ck_assert_str_eq(json_string_value(json_object_get(k, "encoding")), "base64");
        ck_assert_str_eq(json_string_value(json_object_get(k, "content")), "AP8=");
        ck_assert(json_is_false(json_object_get(k, "eof")));
        ck_assert_ptr_null(json_object_get(k, "stdout"));
        cj_proto_result w = { .status = CJ_STATUS_OK, .has_bytes_written = true, .bytes_written = 12 };
        _cleanup_json_ json_t *wj = cj_proto_result_to_json(&w);
        ck_assert_int_eq(json_integer_value(json_object_get(wj, "bytes_written")), 12);
        ck_assert_ptr_null(json_object_get(wj, "id"));
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
        cj_proto_result r = { .status = CJ_STATUS_ERROR };
        ck_assert_int_eq(cj_proto_result_exit_code(&r), 125);
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
        ck_assert_int_eq(cj_proto_check_cwd("/work/repo/sub", roots, &p, &e), 0);
        free(p);
        ck_assert_int_lt(cj_proto_check_cwd("/home", roots, &p, &e), 0);
        ck_assert_int_lt(cj_proto_check_cwd("work", roots, &p, &e), 0);
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
        tcase_add_test(tc, result_exec_ok);
        tcase_add_test(tc, result_read_encodings);
        tcase_add_test(tc, result_errors);
        tcase_add_test(tc, path_resolution);
        tcase_add_test(tc, profile_file_paths);
        tcase_add_test(tc, file_paths_persistent_and_protect);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
