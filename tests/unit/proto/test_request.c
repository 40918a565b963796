/* SPDX-License-Identifier: MIT */
/* The request parser: each tool's happy path and every error code. */
#include <stdlib.h>
#include <string.h>

#include "../cj_check.h"
#include "proto/encoding.h"
#include "proto/request.h"
#include "util/cleanup.h"

static cj_request *parse_ok(const char *s, unsigned flags) {
        cj_request *r = NULL;
        cj_proto_error e;
        int rc = cj_request_parse(s, strlen(s), flags, &r, &e);
        ck_assert_msg(rc == 0, "%s: %s: %s", s, cj_proto_code_name(e.code), e.message);
        return r;
}

/* Parse and expect an error with this code and a message containing want. */
static void parse_bad_n(const char *s, size_t n, unsigned flags, const char *code, const char *want) {
        cj_request *r = NULL;
        cj_proto_error e;
        int rc = cj_request_parse(s, n, flags, &r, &e);
        ck_assert_msg(rc < 0, "accepted: %s", s);
        ck_assert_ptr_null(r);
        ck_assert_msg(strcmp(cj_proto_code_name(e.code), code) == 0, "%s: got %s (%s), want %s", s,
                      cj_proto_code_name(e.code), e.message, code);
        if (want)
                ck_assert_msg(strstr(e.message, want), "%s: message '%s' lacks '%s'", s, e.message, want);
}

static void parse_bad(const char *s, const char *code, const char *want) {
        parse_bad_n(s, strlen(s), 0, code, want);
}

START_TEST(exec_request) {
        cj_request *r = parse_ok("{\"id\":\"c1\",\"tool\":\"exec\",\"command\":\"make test\",\"cwd\":\"/work/repo\","
                                 "\"timeout_s\":60,\"env\":{\"CI\":\"1\"},\"stdin\":\"a\\u0000b\"}\n",
                                 0);
        ck_assert_str_eq(r->id, "c1");
        ck_assert_int_eq(r->tool, CJ_TOOL_EXEC);
        ck_assert_str_eq(r->command, "make test");
        ck_assert_str_eq(r->cwd, "/work/repo");
        ck_assert(r->has_timeout && r->timeout_s == 60);
        ck_assert_uint_eq(r->n_env, 1);
        ck_assert_str_eq(r->env[0], "CI=1");
        ck_assert_ptr_null(r->env[1]);
        ck_assert(r->has_stdin);
        ck_assert_uint_eq(r->stdin_data.len, 3); /* NUL allowed in stdin */
        cj_request_free(r);
        r = parse_ok("{\"tool\":\"exec\",\"command\":\"ls\",\"timeout_s\":0.5}", 0);
        ck_assert_ptr_null(r->id);
        ck_assert(r->timeout_s == 0.5);
        cj_request_free(r);
}
END_TEST

START_TEST(file_requests) {
        cj_request *r = parse_ok("{\"id\":\"c2\",\"tool\":\"read\",\"path\":\"src/main.c\",\"offset\":10,\"limit\":65536}", 0);
        ck_assert_int_eq(r->tool, CJ_TOOL_READ);
        ck_assert_str_eq(r->path, "src/main.c");
        ck_assert_int_eq(r->offset, 10);
        ck_assert_int_eq(r->limit, 65536);
        cj_request_free(r);
        r = parse_ok("{\"tool\":\"read\",\"path\":\"a\"}", 0);
        ck_assert_int_eq(r->offset, 0);
        ck_assert_int_eq(r->limit, -1);
        cj_request_free(r);
        r = parse_ok("{\"tool\":\"write\",\"path\":\"b.bin\",\"content\":\"AP8BAg==\",\"encoding\":\"base64\"}", 0);
        ck_assert_int_eq(r->encoding, CJ_ENCODING_BASE64);
        ck_assert_uint_eq(r->content.len, 4);
        ck_assert(memcmp(r->content.data, "\x00\xff\x01\x02", 4) == 0);
        cj_request_free(r);
        r = parse_ok("{\"tool\":\"write\",\"path\":\"t\",\"content\":\"h\\u00e9\"}", 0);
        ck_assert_int_eq(r->encoding, CJ_ENCODING_UTF8);
        ck_assert_str_eq(r->content.data, "h\xc3\xa9");
        cj_request_free(r);
        r = parse_ok("{\"tool\":\"edit\",\"path\":\"m.c\",\"old_text\":\"foo\",\"new_text\":\"\"}", 0);
        ck_assert_str_eq(r->old_text, "foo");
        ck_assert_str_eq(r->new_text, "");
        cj_request_free(r);
}
END_TEST

START_TEST(serve_only_keys) {
        const char *s = "{\"tool\":\"exec\",\"command\":\"ls\",\"task\":\"t1\",\"profile\":\"build\"}";
        cj_request *r = parse_ok(s, CJ_REQUEST_SERVE);
        ck_assert_str_eq(r->task, "t1");
        ck_assert_str_eq(r->profile, "build");
        cj_request_free(r);
        parse_bad(s, "unknown_key", "serve");
        /* No request key approves anything, in call or serve (issue 8 §1). */
        const char *a = "{\"tool\":\"exec\",\"command\":\"ls\",\"approve\":\"ab12\"}";
        parse_bad(a, "unknown_key", "approve");
        parse_bad(a, "unknown_key", NULL);
        cj_request *r2 = NULL;
        cj_proto_error perr = { 0 };
        ck_assert_int_lt(cj_request_parse(a, strlen(a), CJ_REQUEST_SERVE, &r2, &perr), 0);
        ck_assert_str_eq(cj_proto_code_name(perr.code), "unknown_key");
}
END_TEST

START_TEST(error_codes) {
        parse_bad("{\"tool\":\"exec\",\"command\":", "bad_json", NULL);
        parse_bad("", "bad_json", NULL);
        parse_bad("{\"tool\":\"exec\",\"command\":\"a\"} {}", "bad_json", NULL);
        parse_bad("{\"tool\":\"exec\",\"command\":\"a\",\"command\":\"b\"}", "bad_json", "duplicate");
        parse_bad("{\"tool\":\"exec\",\"command\":\"\\ud800\"}", "bad_json", NULL);
        parse_bad("[1]", "not_object", NULL);
        parse_bad("\"exec\"", "not_object", NULL);
        parse_bad("{\"tool\":\"exec\",\"command\":\"a\",\"sudo\":true}", "unknown_key", "sudo");
        parse_bad("{\"tool\":\"exec\",\"command\":\"a\",\"path\":\"x\"}", "unknown_key", "path");
        parse_bad("{\"tool\":\"read\",\"path\":\"a\",\"content\":\"x\"}", "unknown_key", "content");
        parse_bad("{\"tool\":\"exec\",\"command\":5}", "bad_type", "command");
        parse_bad("{\"tool\":\"exec\",\"command\":\"a\",\"timeout_s\":\"60\"}", "bad_type", "timeout_s");
        parse_bad("{\"tool\":\"exec\",\"command\":\"a\",\"env\":[]}", "bad_type", "env");
        parse_bad("{\"tool\":\"exec\",\"command\":\"a\",\"env\":{\"A\":1}}", "bad_type", "env.A");
        parse_bad("{\"tool\":\"read\",\"path\":\"a\",\"offset\":1.5}", "bad_type", "offset");
        parse_bad("{\"tool\":\"exec\",\"command\":\"a\",\"id\":7}", "bad_type", "id");
        parse_bad("{\"tool\":7}", "bad_type", "tool");
        parse_bad("{\"command\":\"a\"}", "missing_key", "tool");
        parse_bad("{\"tool\":\"exec\"}", "missing_key", "command");
        parse_bad("{\"tool\":\"read\"}", "missing_key", "path");
        parse_bad("{\"tool\":\"write\",\"path\":\"a\"}", "missing_key", "content");
        parse_bad("{\"tool\":\"edit\",\"path\":\"a\",\"old_text\":\"x\"}", "missing_key", "new_text");
        parse_bad("{\"tool\":\"rm\"}", "bad_tool", "rm");
        parse_bad("{\"tool\":\"read\",\"path\":\"a\",\"offset\":-1}", "bad_value", "offset");
        parse_bad("{\"tool\":\"read\",\"path\":\"a\",\"limit\":-5}", "bad_value", "limit");
        parse_bad("{\"tool\":\"exec\",\"command\":\"a\",\"timeout_s\":0}", "bad_value", "timeout_s");
        parse_bad("{\"tool\":\"exec\",\"command\":\"a\",\"timeout_s\":1e9}", "bad_value", "timeout_s");
        parse_bad("{\"tool\":\"exec\",\"command\":\"a\\u0000b\"}", "bad_value", "NUL");
        parse_bad("{\"tool\":\"exec\",\"command\":\"a\",\"env\":{\"1X\":\"v\"}}", "bad_value", "1X");
        parse_bad("{\"tool\":\"exec\",\"command\":\"a\",\"env\":{\"X\":\"a\\u0000\"}}", "bad_value", "NUL");
        parse_bad("{\"tool\":\"write\",\"path\":\"a\",\"content\":\"x\",\"encoding\":\"latin1\"}", "bad_value",
                  "encoding");
        parse_bad("{\"tool\":\"write\",\"path\":\"a\",\"content\":\"@@@@\",\"encoding\":\"base64\"}", "bad_value",
                  "base64");
        parse_bad("{\"tool\":\"edit\",\"path\":\"a\",\"old_text\":\"\",\"new_text\":\"b\"}", "bad_value", "old_text");
        parse_bad("{\"tool\":\"read\",\"path\":\"a\\u0000b\"}", "bad_path", "NUL");
        parse_bad("{\"tool\":\"exec\",\"command\":\"a\",\"cwd\":\"/w\\u0000\"}", "bad_path", "cwd");
        parse_bad("{\"tool\":\"read\",\"path\":\"\"}", "bad_path", "empty");
        parse_bad_n("{\"tool\":\"exec\",\"command\":\"\xff\"}", 27, 0, "bad_utf8", "offset 26");
        parse_bad_n("{\"tool\":\"exec\",\"command\":\"\xc0\xaf\"}", 28, 0, "bad_utf8", NULL);     /* overlong */
        parse_bad_n("{\"tool\":\"exec\",\"command\":\"\xed\xa0\x80\"}", 29, 0, "bad_utf8", NULL); /* surrogate */
        parse_bad_n("{\"tool\":\"exec\",\"command\":\"a\0\"}", 28, 0, "bad_json", NULL); /* raw NUL */
}
END_TEST

START_TEST(error_keeps_id) {
        cj_request *r = NULL;
        cj_proto_error e;
        const char *s = "{\"id\":\"c9\",\"tool\":\"exec\",\"bogus\":1}";
        ck_assert_int_lt(cj_request_parse(s, strlen(s), 0, &r, &e), 0);
        ck_assert(e.has_id);
        ck_assert_str_eq(e.id, "c9");
}
END_TEST

START_TEST(size_limits) {
        size_t n = CJ_REQUEST_MAX + 1;
        char *big = malloc(n);
        memset(big, ' ', n);
        parse_bad_n(big, n, 0, "too_large", "limit");
        free(big);
        size_t cl = CJ_REQUEST_COMMAND_MAX + 1;
        char *s = malloc(cl + 64);
        int k = sprintf(s, "{\"tool\":\"exec\",\"command\":\"");
        memset(s + k, 'a', cl);
        strcpy(s + k + cl, "\"}");
        parse_bad(s, "too_large", "command");
        free(s);
        char id[CJ_REQUEST_ID_MAX + 64];
        k = sprintf(id, "{\"tool\":\"exec\",\"command\":\"a\",\"id\":\"");
        memset(id + k, 'x', CJ_REQUEST_ID_MAX + 1);
        strcpy(id + k + CJ_REQUEST_ID_MAX + 1, "\"}");
        parse_bad(id, "too_large", "id");
}
END_TEST

START_TEST(utf8_and_base64) {
        ck_assert(cj_utf8_valid("h\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10, NULL));
        size_t bad = 99;
        ck_assert(!cj_utf8_valid("ab\xf4\x90\x80\x80", 6, &bad)); /* above U+10FFFF */
        ck_assert_uint_eq(bad, 2);
        ck_assert(!cj_utf8_valid("\xe2\x82", 2, NULL)); /* truncated */
        size_t n;
        _cleanup_free_ char *clean = cj_utf8_sanitize("a\xffz", 3, &n);
        ck_assert_str_eq(clean, "a\xef\xbf\xbdz");
        static const char *const vec[][2] = {
                { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
                { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
        };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(vec); i++) {
                _cleanup_free_ char *enc = cj_base64_encode(vec[i][0], strlen(vec[i][0]));
                ck_assert_str_eq(enc, vec[i][1]);
                unsigned char *dec = NULL;
                size_t len;
                ck_assert_int_eq(cj_base64_decode(enc, strlen(enc), &dec, &len, NULL), 0);
                ck_assert_uint_eq(len, strlen(vec[i][0]));
                ck_assert(memcmp(dec, vec[i][0], len) == 0);
                free(dec);
        }
        unsigned char *dec = NULL;
        size_t len;
        ck_assert_int_eq(cj_base64_decode("Zm9", 3, &dec, &len, NULL), -EINVAL);
        ck_assert_int_eq(cj_base64_decode("Z===", 4, &dec, &len, NULL), -EINVAL);
        ck_assert_int_eq(cj_base64_decode("Zm=v", 4, &dec, &len, NULL), -EINVAL);
        ck_assert_int_eq(cj_base64_decode("Zg==Zg==", 8, &dec, &len, NULL), -EINVAL);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("proto-request");
        TCase *tc = tcase_create("request");
        tcase_add_test(tc, exec_request);
        tcase_add_test(tc, file_requests);
        tcase_add_test(tc, serve_only_keys);
        tcase_add_test(tc, error_codes);
        tcase_add_test(tc, error_keeps_id);
        tcase_add_test(tc, size_limits);
        tcase_add_test(tc, utf8_and_base64);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
