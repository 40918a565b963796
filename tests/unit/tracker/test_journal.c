/* SPDX-License-Identifier: MIT */
/* Journal formatting, hashing and verification, including every way a journal
 * can be damaged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cj_check.h"
#include "tracker/journal.h"
#include "util/json.h"

#define LINES 6

/* A valid journal of LINES lines; lines[i] are the lines without newlines. */
static char *lines[LINES];

static char *build(void) {
        char prev[CJ_SHA256_HEX_LEN + 1] = CJ_JOURNAL_GENESIS;
        size_t total = 0;
        for (int i = 0; i < LINES; i++) {
                _cleanup_json_ json_t *f = json_pack("{s:i,s:s}", "n", i, "what", "event text");
                size_t len;
                ck_assert_int_eq(cj_journal_format((uint64_t) i + 1, 1700000000123 + i, "charge", "t1", prev, f,
                                                   &lines[i], &len, NULL, NULL),
                                 0);
                ck_assert_int_eq(cj_sha256_hex(lines[i], len, prev), 0);
                total += len + 1;
        }
        char *buf = malloc(total + 1), *p = buf;
        for (int i = 0; i < LINES; i++)
                p += sprintf(p, "%s\n", lines[i]);
        return buf;
}

static void free_lines(void) {
        for (int i = 0; i < LINES; i++)
                free(lines[i]);
}

/* Join the given line indexes (or raw strings when idx < 0). */
static char *join(const int *order, size_t n) {
        size_t total = 0;
        for (size_t i = 0; i < n; i++)
                total += strlen(lines[order[i]]) + 1;
        char *buf = malloc(total + 1), *p = buf;
        *p = '\0';
        for (size_t i = 0; i < n; i++)
                p += sprintf(p, "%s\n", lines[order[i]]);
        return buf;
}

static cj_journal_report verify(const char *buf) {
        cj_journal_report rep;
        int r = cj_journal_verify_buf(buf, strlen(buf), "t1", NULL, &rep);
        ck_assert_int_ge(r, 0);
        ck_assert_int_eq(r != 0, rep.bad_line != 0);
        return rep;
}

START_TEST(format_header_and_chain) {
        _cleanup_free_ char *buf = build();
        ck_assert(strncmp(lines[0], "{\"seq\":1,\"time\":\"2023-11-14T22:13:20.123Z\",\"event\":\"charge\",\"task\":\"t1\","
                                    "\"prev\":\"" CJ_JOURNAL_GENESIS "\"",
                          strlen("{\"seq\":1,\"time\":\"2023-11-14T22:13:20.123Z\",\"event\":\"charge\",\"task\":\"t1\","
                                 "\"prev\":\"" CJ_JOURNAL_GENESIS "\"")) == 0);
        char h[65];
        cj_sha256_hex(lines[0], strlen(lines[0]), h);
        ck_assert_ptr_nonnull(strstr(lines[1], h));
        cj_journal_report rep = verify(buf);
        ck_assert_uint_eq(rep.bad_line, 0);
        ck_assert_uint_eq(rep.lines, LINES);
        cj_sha256_hex(lines[LINES - 1], strlen(lines[LINES - 1]), h);
        ck_assert_str_eq(rep.head, h);
        /* empty journal: intact, head is genesis */
        rep = verify("");
        ck_assert_uint_eq(rep.lines, 0);
        ck_assert_str_eq(rep.head, CJ_JOURNAL_GENESIS);
        free_lines();
}
END_TEST

START_TEST(format_refuses_reserved_and_huge) {
        _cleanup_json_ json_t *f = json_pack("{s:i}", "seq", 7);
        char *line = NULL;
        size_t len;
        cj_error e = { 0 };
        ck_assert_int_lt(cj_journal_format(1, 0, "x", "t", CJ_JOURNAL_GENESIS, f, &line, &len, NULL, &e), 0);
        ck_assert_ptr_nonnull(strstr(e.msg, "seq"));
        char *big = malloc(CJ_JOURNAL_LINE_MAX + 1);
        memset(big, 'a', CJ_JOURNAL_LINE_MAX);
        big[CJ_JOURNAL_LINE_MAX] = '\0';
        _cleanup_json_ json_t *g = json_pack("{s:s}", "x", big);
        free(big);
        ck_assert_int_eq(cj_journal_format(1, 0, "x", "t", CJ_JOURNAL_GENESIS, g, &line, &len, NULL, NULL), -E2BIG);
}
END_TEST

START_TEST(time_format) {
        char ts[CJ_TIME_RFC3339_LEN + 1];
        cj_time_rfc3339(0, ts);
        ck_assert_str_eq(ts, "1970-01-01T00:00:00.000Z");
        cj_time_rfc3339(1700000000999, ts);
        ck_assert_str_eq(ts, "2023-11-14T22:13:20.999Z");
}
END_TEST

START_TEST(edited_line_is_named) {
        _cleanup_free_ char *buf = build();
        /* Change a value inside line 3, keeping it valid JSON. */
        char *p = strstr(buf, "\"n\":2");
        ck_assert_ptr_nonnull(p);
        p[4] = '9';
        cj_journal_report rep = verify(buf);
        ck_assert_uint_eq(rep.bad_line, 3);
        ck_assert_ptr_nonnull(strstr(rep.why, "modified"));
        free_lines();
}
END_TEST

START_TEST(deleted_line_is_found) {
        free(build()); /* only the lines[] it leaves are used */
        int order[] = { 0, 1, 3, 4, 5 }; /* line 3 gone */
        _cleanup_free_ char *j = join(order, 5);
        cj_journal_report rep = verify(j);
        ck_assert_uint_eq(rep.bad_line, 3);
        ck_assert_ptr_nonnull(strstr(rep.why, "seq is 4, expected 3"));
        /* Deleting the first line */
        int order2[] = { 1, 2, 3, 4, 5 };
        _cleanup_free_ char *k = join(order2, 5);
        ck_assert_uint_eq(verify(k).bad_line, 1);
        free_lines();
}
END_TEST

START_TEST(swapped_lines_are_found) {
        free(build()); /* only the lines[] it leaves are used */
        int order[] = { 0, 1, 3, 2, 4, 5 };
        _cleanup_free_ char *j = join(order, 6);
        cj_journal_report rep = verify(j);
        ck_assert_uint_eq(rep.bad_line, 3);
        free_lines();
}
END_TEST

START_TEST(inserted_line_is_found) {
        _cleanup_free_ char *buf = build();
        /* A forged line 3 with a correct seq and prev of line 2: line 4 (the
         * old line 3) then has seq 3 and the chain breaks. */
        char prev[65];
        cj_sha256_hex(lines[1], strlen(lines[1]), prev);
        char *forged = NULL;
        size_t len;
        ck_assert_int_eq(cj_journal_format(3, 1700000000200, "charge", "t1", prev, NULL, &forged, &len, NULL, NULL), 0);
        size_t n = strlen(lines[0]) + strlen(lines[1]) + 2;
        char *j = malloc(strlen(buf) + len + 2);
        memcpy(j, buf, n);
        sprintf(j + n, "%s\n%s", forged, buf + n);
        cj_journal_report rep = verify(j);
        ck_assert_uint_eq(rep.bad_line, 4);
        free(j);
        free(forged);
        free_lines();
}
END_TEST

START_TEST(torn_last_line_is_found) {
        _cleanup_free_ char *buf = build();
        size_t len = strlen(buf);
        buf[len - 10] = '\0'; /* the last line lost its end and newline */
        cj_journal_report rep = verify(buf);
        ck_assert_uint_eq(rep.bad_line, LINES);
        ck_assert_ptr_nonnull(strstr(rep.why, "torn"));
        ck_assert_uint_eq(rep.lines, LINES - 1);
        free_lines();
}
END_TEST

START_TEST(bad_json_line_is_named) {
        _cleanup_free_ char *buf = build();
        char *p = strstr(buf, lines[1]);
        p[0] = '['; /* line 2 */
        cj_journal_report rep = verify(buf);
        ck_assert_uint_eq(rep.bad_line, 2);
        ck_assert_ptr_nonnull(strstr(rep.why, "JSON"));
        free_lines();
}
END_TEST

START_TEST(wrong_seq_wrong_task_bad_time) {
        _cleanup_free_ char *buf = build();
        char *p = strstr(buf, "\"seq\":5");
        p[6] = '7';
        cj_journal_report rep = verify(buf);
        ck_assert_uint_eq(rep.bad_line, 5);
        ck_assert_ptr_nonnull(strstr(rep.why, "seq is 7"));
        free(buf);
        free_lines(); /* build() makes a new set */
        buf = build();
        cj_journal_report r2;
        ck_assert_int_eq(cj_journal_verify_buf(buf, strlen(buf), "other", NULL, &r2), 1);
        ck_assert_uint_eq(r2.bad_line, 1);
        ck_assert_ptr_nonnull(strstr(r2.why, "task"));
        p = strstr(buf, "T22:13:20.125Z");
        ck_assert_ptr_nonnull(p);
        p[0] = ' ';
        rep = verify(buf);
        ck_assert_uint_eq(rep.bad_line, 3);
        ck_assert_ptr_nonnull(strstr(rep.why, "time"));
        free_lines();
}
END_TEST

START_TEST(first_line_prev_must_be_genesis) {
        char *line = NULL;
        size_t len;
        char notgen[65];
        memset(notgen, 'a', 64);
        notgen[64] = '\0';
        ck_assert_int_eq(cj_journal_format(1, 0, "created", "t1", notgen, NULL, &line, &len, NULL, NULL), 0);
        char *buf = malloc(len + 2);
        sprintf(buf, "%s\n", line);
        cj_journal_report rep = verify(buf);
        ck_assert_uint_eq(rep.bad_line, 1);
        ck_assert_ptr_nonnull(strstr(rep.why, "genesis"));
        free(buf);
        free(line);
}
END_TEST

START_TEST(next_line_iteration) {
        const char *buf = "a\nbb\nccc";
        size_t pos = 0, n;
        const char *line;
        bool complete;
        ck_assert(cj_journal_next_line(buf, 8, &pos, &line, &n, &complete));
        ck_assert(complete && n == 1 && line[0] == 'a');
        ck_assert(cj_journal_next_line(buf, 8, &pos, &line, &n, &complete));
        ck_assert(complete && n == 2);
        ck_assert(cj_journal_next_line(buf, 8, &pos, &line, &n, &complete));
        ck_assert(!complete && n == 3);
        ck_assert(!cj_journal_next_line(buf, 8, &pos, &line, &n, &complete));
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("tracker-journal");
        TCase *tc = tcase_create("journal");
        tcase_add_test(tc, format_header_and_chain);
        tcase_add_test(tc, format_refuses_reserved_and_huge);
        tcase_add_test(tc, time_format);
        tcase_add_test(tc, edited_line_is_named);
        tcase_add_test(tc, deleted_line_is_found);
        tcase_add_test(tc, swapped_lines_are_found);
        tcase_add_test(tc, inserted_line_is_found);
        tcase_add_test(tc, torn_last_line_is_found);
        tcase_add_test(tc, bad_json_line_is_named);
        tcase_add_test(tc, wrong_seq_wrong_task_bad_time);
        tcase_add_test(tc, first_line_prev_must_be_genesis);
        tcase_add_test(tc, next_line_iteration);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
