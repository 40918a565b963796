/* SPDX-License-Identifier: MIT */
/* serve's event lines (cli/serve_stream.c): UTF-8 boundaries, base64, and
 * the one line held back while the harness does not read. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../cj_check.h"
#include "cli/server.h"
#include "proto/encoding.h"

static int p[2];
static cj_stream_sink k;

static void setup(void) {
        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        cj_stream_sink_init(&k, p[1], "c1");
}

static void teardown(void) {
        close(p[0]);
        close(p[1]);
}

/* The next event line on the pipe, parsed. */
static json_t *next_event(void) {
        static char buf[1 << 16];
        static size_t have;
        char *nl;
        while (!(nl = memchr(buf, '\n', have))) {
                ssize_t n = read(p[0], buf + have, sizeof buf - have);
                ck_assert_int_gt(n, 0);
                have += (size_t) n;
        }
        json_t *o = json_loadb(buf, (size_t) (nl - buf), 0, NULL);
        ck_assert_ptr_nonnull(o);
        size_t used = (size_t) (nl - buf) + 1;
        memmove(buf, buf + used, have - used);
        have -= used;
        return o;
}

static const char *field(json_t *o, const char *key) {
        return json_string_value(json_object_get(o, key));
}

static int chunk(int stream, const char *s, size_t len) {
        return k.out.chunk(k.out.arg, stream, s, len);
}

START_TEST(test_split_character_waits) {
        ck_assert_int_eq(chunk(1, "caf\xc3", 4), 0);
        ck_assert_int_eq(chunk(1, "\xa9\n", 2), 0);
        ck_assert_int_eq(cj_stream_sink_finish(&k), 0);
        json_t *a = next_event(), *b = next_event();
        ck_assert_str_eq(field(a, "id"), "c1");
        ck_assert_str_eq(field(a, "event"), "stdout");
        ck_assert_str_eq(field(a, "data"), "caf");
        ck_assert_ptr_null(json_object_get(a, "encoding"));
        ck_assert_str_eq(field(b, "data"), "\xc3\xa9\n");
        json_decref(a);
        json_decref(b);
}
END_TEST

START_TEST(test_not_utf8_is_base64) {
        ck_assert_int_eq(chunk(2, "ok\xff\xfe-x", 6), 0);
        ck_assert_int_eq(chunk(1, "a\0b", 3), 0);
        ck_assert_int_eq(cj_stream_sink_finish(&k), 0);
        json_t *a = next_event(), *b = next_event();
        ck_assert_str_eq(field(a, "event"), "stderr");
        ck_assert_str_eq(field(a, "encoding"), "base64");
        unsigned char *dec = NULL;
        size_t n = 0;
        ck_assert_int_eq(cj_base64_decode(field(a, "data"), strlen(field(a, "data")), &dec, &n, NULL), 0);
        ck_assert_uint_eq(n, 6);
        ck_assert_mem_eq(dec, "ok\xff\xfe-x", 6);
        free(dec);
        ck_assert_str_eq(field(b, "encoding"), "base64"); /* a NUL, as the result's streams */
        json_decref(a);
        json_decref(b);
}
END_TEST

START_TEST(test_unfinished_character_at_the_end) {
        ck_assert_int_eq(chunk(1, "x\xe2\x82", 3), 0);
        ck_assert_int_eq(cj_stream_sink_finish(&k), 0);
        json_t *a = next_event(), *b = next_event();
        ck_assert_str_eq(field(a, "data"), "x");
        ck_assert_str_eq(field(b, "data"), "4oI="); /* the two bytes the call left, as they were */
        ck_assert_str_eq(field(b, "encoding"), "base64");
        json_decref(a);
        json_decref(b);
}
END_TEST

START_TEST(test_held_while_not_read) {
        /* Fill the pipe: the harness reads nothing. */
        int fl = fcntl(p[1], F_GETFL);
        fcntl(p[1], F_SETFL, fl | O_NONBLOCK);
        static char junk[4096];
        memset(junk, 'j', sizeof junk);
        size_t filled = 0;
        ssize_t w;
        while ((w = write(p[1], junk, sizeof junk)) > 0)
                filled += (size_t) w;
        fcntl(p[1], F_SETFL, fl);
        ck_assert_int_eq(k.out.wait_fd(k.out.arg), -1);
        ck_assert_int_eq(chunk(1, "held\n", 5), 0); /* must not block */
        ck_assert_int_eq(k.out.wait_fd(k.out.arg), p[1]);
        /* The harness reads again: the held line goes out whole. */
        static char sink[1 << 16];
        while (filled > 0) {
                ssize_t n = read(p[0], sink, filled < sizeof sink ? filled : sizeof sink);
                ck_assert_int_gt(n, 0);
                filled -= (size_t) n;
        }
        ck_assert_int_eq(k.out.flush(k.out.arg), 0);
        ck_assert_int_eq(k.out.wait_fd(k.out.arg), -1);
        json_t *a = next_event();
        ck_assert_str_eq(field(a, "data"), "held\n");
        json_decref(a);
        ck_assert_int_eq(cj_stream_sink_finish(&k), 0);
}
END_TEST

START_TEST(test_oversized_chunk_refused) {
        static char big[CJ_SANDBOX_OUTPUT_CHUNK_MAX + 1];
        memset(big, 'a', sizeof big);
        ck_assert_int_eq(chunk(1, big, sizeof big), -E2BIG);
        ck_assert_int_eq(cj_stream_sink_finish(&k), 0);
}
END_TEST

START_TEST(test_no_id_is_null) {
        cj_stream_sink_init(&k, p[1], NULL);
        ck_assert_int_eq(chunk(1, "x", 1), 0);
        ck_assert_int_eq(cj_stream_sink_finish(&k), 0);
        json_t *a = next_event();
        ck_assert(json_is_null(json_object_get(a, "id")));
        json_decref(a);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("serve_stream");
        TCase *tc = tcase_create("events");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_split_character_waits);
        tcase_add_test(tc, test_not_utf8_is_base64);
        tcase_add_test(tc, test_unfinished_character_at_the_end);
        tcase_add_test(tc, test_held_while_not_read);
        tcase_add_test(tc, test_oversized_chunk_refused);
        tcase_add_test(tc, test_no_id_is_null);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
