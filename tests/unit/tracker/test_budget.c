/* SPDX-License-Identifier: MIT */
/* Budget arithmetic, loop governance and output cutting: pure functions. */
#include <string.h>

#include "../cj_check.h"
#include "tracker/budget.h"
#include "tracker/hash.h"
#include "tracker/loop.h"
#include "tracker/output.h"
#include "util/json.h"

START_TEST(budget_effective_override_and_inherit) {
        cj_budget prof, ov, eff;
        cj_budget_unlimited(&prof);
        prof.calls = 100;
        prof.wall_s = 60;
        cj_budget_inherit_all(&ov);
        ov.calls = 5;
        ov.wall_s = CJ_PROFILE_UNLIMITED;
        cj_budget_effective(&prof, &ov, &eff);
        ck_assert_int_eq(eff.calls, 5);
        double l;
        ck_assert(!cj_budget_limit(&eff, CJ_BUDGET_WALL_S, &l)); /* override to unlimited */
        ck_assert(!cj_budget_limit(&eff, CJ_BUDGET_TOKENS, &l));
        cj_budget_effective(NULL, &ov, &eff);
        ck_assert_int_eq(eff.calls, 5);
        ck_assert_int_eq(eff.tokens, CJ_PROFILE_UNLIMITED);
}
END_TEST

START_TEST(budget_exhausted_at_limit_not_before) {
        cj_budget b;
        cj_budget_unlimited(&b);
        cj_usage u = { 0 };
        ck_assert_int_eq(cj_budget_exhausted(&b, &u), -1);
        b.calls = 5;
        u.calls = 4;
        ck_assert_int_eq(cj_budget_exhausted(&b, &u), -1);
        u.calls = 5;
        ck_assert_int_eq(cj_budget_exhausted(&b, &u), CJ_BUDGET_CALLS);
        b.calls = CJ_PROFILE_UNLIMITED;
        b.wall_s = 0.1;
        u.wall_ms = 99;
        ck_assert_int_eq(cj_budget_exhausted(&b, &u), -1);
        u.wall_ms = 100;
        ck_assert_int_eq(cj_budget_exhausted(&b, &u), CJ_BUDGET_WALL_S);
        b.wall_s = CJ_PROFILE_UNLIMITED;
        b.cost_usd = 0.5;
        u.cost_micro_usd = 499999;
        ck_assert_int_eq(cj_budget_exhausted(&b, &u), -1);
        u.cost_micro_usd = 500000;
        ck_assert_int_eq(cj_budget_exhausted(&b, &u), CJ_BUDGET_COST_USD);
        b.cost_usd = CJ_PROFILE_UNLIMITED;
        b.calls = 0; /* a zero budget refuses the first call */
        u = (cj_usage) { 0 };
        ck_assert_int_eq(cj_budget_exhausted(&b, &u), CJ_BUDGET_CALLS);
}
END_TEST

START_TEST(usage_add_saturates) {
        cj_usage u = { .tokens = INT64_MAX - 1 }, d = { .tokens = 10, .calls = 1 };
        cj_usage_add(&u, &d);
        ck_assert(u.tokens == INT64_MAX);
        ck_assert_int_eq(u.calls, 1);
}
END_TEST

START_TEST(cost_parse) {
        int64_t m = -1;
        cj_error e = { 0 };
        ck_assert_int_eq(cj_cost_parse("0.0123", &m, &e), 0);
        ck_assert_int_eq(m, 12300);
        ck_assert_int_eq(cj_cost_parse("1e-7", &m, &e), 0);
        ck_assert_int_eq(m, 0);
        ck_assert_int_lt(cj_cost_parse("-1", &m, NULL), 0);
        ck_assert_int_lt(cj_cost_parse("nan", &m, NULL), 0);
        ck_assert_int_lt(cj_cost_parse("1x", &m, NULL), 0);
        ck_assert_int_lt(cj_cost_parse("", &m, NULL), 0);
        ck_assert_int_lt(cj_cost_parse("1e12", &m, NULL), 0);
        double v;
        ck_assert_int_eq(cj_budget_value_parse("unlimited", false, &v, NULL), 0);
        ck_assert(v == CJ_PROFILE_UNLIMITED);
        ck_assert_int_lt(cj_budget_value_parse("2.5", false, &v, NULL), 0);
        ck_assert_int_eq(cj_budget_value_parse("2.5", true, &v, NULL), 0);
}
END_TEST

START_TEST(budget_json_round_trip) {
        cj_budget b, back;
        cj_budget_inherit_all(&b);
        b.calls = 5;
        b.cost_usd = 1.5;
        b.stall_limit = CJ_PROFILE_UNLIMITED;
        _cleanup_json_ json_t *j = cj_budget_limits_to_json(&b);
        ck_assert_int_eq(json_object_size(j), 3); /* inherited keys omitted */
        ck_assert(json_is_null(json_object_get(j, "stall_limit")));
        cj_budget_inherit_all(&back);
        ck_assert_int_eq(cj_budget_limits_from_json(j, &back, NULL), 0);
        ck_assert_int_eq(back.calls, 5);
        ck_assert(back.cost_usd == 1.5);
        ck_assert_int_eq(back.stall_limit, CJ_PROFILE_UNLIMITED);
        ck_assert_int_eq(back.tokens, CJ_BUDGET_INHERIT);
        cj_error e = { 0 };
        _cleanup_json_ json_t *bad = json_pack("{s:i}", "callz", 1);
        ck_assert_int_lt(cj_budget_limits_from_json(bad, &back, &e), 0);
        ck_assert_ptr_nonnull(strstr(e.msg, "callz"));
        _cleanup_json_ json_t *frac = json_pack("{s:f}", "calls", 1.5);
        ck_assert_int_lt(cj_budget_limits_from_json(frac, &back, NULL), 0);

        cj_usage u = { .calls = 3, .wall_ms = 1200 };
        cj_budget lim;
        cj_budget_effective(NULL, &b, &lim);
        _cleanup_json_ json_t *r = cj_budget_to_json(&lim, &u, 2, 0);
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "calls"), "used")), 3);
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "calls"), "limit")), 5);
        ck_assert(json_real_value(json_object_get(json_object_get(r, "wall_s"), "used")) == 1.2);
        ck_assert(json_is_null(json_object_get(json_object_get(r, "wall_s"), "limit")));
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "repeat"), "used")), 2);
}
END_TEST

static void hash_of(const char *s, char out[65]) {
        ck_assert_int_eq(cj_sha256_hex(s, strlen(s), out), 0);
}

START_TEST(loop_repeat_needs_same_command_and_result) {
        cj_loop l;
        cj_loop_init(&l);
        char cmd[65], cmd2[65], out[65], out2[65];
        hash_of("make", cmd);
        hash_of("ls", cmd2);
        hash_of("error 1", out);
        hash_of("error 2", out2);
        for (int i = 0; i < 2; i++)
                cj_loop_observe(&l, cmd, "cmd", 1, 0, out, false);
        ck_assert_int_eq(cj_loop_check(&l, 3, -1), CJ_LOOP_OK);
        cj_loop_observe(&l, cmd, "cmd", 1, 0, out, false);
        ck_assert_int_eq(cj_loop_check(&l, 3, -1), CJ_LOOP_REPEAT);
        ck_assert_int_eq(cj_loop_check(&l, -1, -1), CJ_LOOP_OK); /* unlimited */
        ck_assert_int_eq(cj_loop_check(&l, 0, 0), CJ_LOOP_OK);
        /* Different exit code, output or command breaks the run. */
        cj_loop_observe(&l, cmd, "cmd", 2, 0, out, false);
        ck_assert_int_eq(l.repeat_count, 1);
        cj_loop_observe(&l, cmd, "cmd", 2, 0, out2, false);
        ck_assert_int_eq(l.repeat_count, 1);
        cj_loop_observe(&l, cmd2, "cmd", 2, 0, out2, false);
        ck_assert_int_eq(l.repeat_count, 1);
        cj_loop_observe(&l, cmd2, "cmd", 2, 9, out2, false);
        ck_assert_int_eq(l.repeat_count, 1);
        cj_loop_observe(&l, cmd2, "cmd", 2, 9, out2, false);
        ck_assert_int_eq(l.repeat_count, 2);
        cj_loop_reset_streaks(&l);
        ck_assert_int_eq(l.repeat_count, 0);
        cj_loop_observe(&l, cmd2, "cmd", 2, 9, out2, false);
        ck_assert_int_eq(l.repeat_count, 1);
}
END_TEST

START_TEST(loop_stall_counts_seen_output) {
        cj_loop l;
        cj_loop_init(&l);
        char a[65], b[65], c[65], cmd[65];
        hash_of("a", a);
        hash_of("b", b);
        hash_of("c", c);
        hash_of("cmd", cmd);
        cj_loop_observe(&l, cmd, "cmd", 0, 0, a, false);
        cj_loop_observe(&l, cmd, "cmd", 0, 0, b, false);
        ck_assert_int_eq(l.stall_count, 0);
        cj_loop_observe(&l, cmd, "cmd", 0, 0, a, false); /* seen */
        cj_loop_observe(&l, cmd, "cmd", 0, 0, NULL, false); /* no output: neither counts nor resets */
        cj_loop_observe(&l, cmd, "cmd", 0, 0, b, false); /* seen */
        ck_assert_int_eq(l.stall_count, 2);
        ck_assert_int_eq(cj_loop_check(&l, -1, 2), CJ_LOOP_STALL);
        ck_assert_int_eq(cj_loop_check(&l, -1, 3), CJ_LOOP_OK);
        cj_loop_observe(&l, cmd, "cmd", 0, 0, c, false); /* new output resets */
        ck_assert_int_eq(l.stall_count, 0);
        ck_assert(cj_loop_seen(&l, c));
}
END_TEST

/* Progress (a call that changed the workspace) resets the streaks and lifts
 * blocks; a reached limit blocks only the loop's commands (issue 8 §5). */
START_TEST(loop_progress_resets_and_blocks_are_per_command) {
        cj_loop l;
        cj_loop_init(&l);
        char test[65], read[65], edit[65], fail[65], ok[65], text[65];
        hash_of("python3 -m unittest", test);
        hash_of("read core.py", read);
        hash_of("edit core.py", edit);
        hash_of("FAILED", fail);
        hash_of("OK", ok);
        hash_of("def f(): ...", text);
        /* 50 rounds of edit (progress), read the same file, run the same test. */
        for (int i = 0; i < 50; i++) {
                cj_loop_observe(&l, edit, "edit", 0, 0, NULL, true);
                cj_loop_observe(&l, read, "read", 0, 0, text, false);
                cj_loop_observe(&l, test, "test", 0, 0, ok, false);
                ck_assert_int_eq(cj_loop_check(&l, 2, 2), CJ_LOOP_OK);
        }
        /* The same failing command, nothing changing: repeat at the limit. */
        for (int i = 0; i < 5; i++)
                cj_loop_observe(&l, test, "test", 1, 0, fail, false);
        ck_assert_int_eq(cj_loop_check(&l, 6, -1), CJ_LOOP_OK);
        cj_loop_observe(&l, test, "test", 1, 0, fail, false);
        ck_assert_int_eq(cj_loop_check(&l, 6, -1), CJ_LOOP_REPEAT);
        cj_loop_block(&l, CJ_LOOP_REPEAT);
        ck_assert_int_eq(cj_loop_check(&l, 6, -1), CJ_LOOP_OK);
        const cj_loop_cmd *b = cj_loop_blocked(&l, test);
        ck_assert_ptr_nonnull(b);
        ck_assert_str_eq(b->rule, "repeat_limit");
        ck_assert_str_eq(b->summary, "test");
        ck_assert_ptr_null(cj_loop_blocked(&l, read)); /* only the repeated command */
        /* It survives state.json. */
        _cleanup_json_ json_t *j = cj_loop_to_json(&l);
        cj_loop back;
        ck_assert_int_eq(cj_loop_from_json(j, &back, NULL), 0);
        ck_assert_ptr_nonnull(cj_loop_blocked(&back, test));
        /* A read-only call changes nothing; an edit lifts the block. */
        cj_loop_observe(&l, read, "read", 0, 0, text, false);
        ck_assert_ptr_nonnull(cj_loop_blocked(&l, test));
        cj_loop_observe(&l, edit, "edit", 0, 0, NULL, true);
        ck_assert_ptr_null(cj_loop_blocked(&l, test));
        ck_assert_int_eq(l.repeat_count, 0);
        ck_assert_int_eq(l.stall_count, 0);
        /* Stall blocks the commands of the streak (output seen since the edit). */
        cj_loop_observe(&l, read, "read", 0, 0, text, false);
        cj_loop_observe(&l, test, "test", 0, 0, ok, false);
        ck_assert_int_eq(l.stall_count, 0);
        cj_loop_observe(&l, read, "read", 0, 0, text, false);
        cj_loop_observe(&l, test, "test", 0, 0, ok, false);
        ck_assert_int_eq(cj_loop_check(&l, -1, 2), CJ_LOOP_STALL);
        cj_loop_block(&l, CJ_LOOP_STALL);
        ck_assert_ptr_nonnull(cj_loop_blocked(&l, read));
        ck_assert_ptr_nonnull(cj_loop_blocked(&l, test));
        ck_assert_ptr_null(cj_loop_blocked(&l, edit));
        cj_loop_reset_streaks(&l); /* the operator resumed */
        ck_assert_ptr_null(cj_loop_blocked(&l, test));
}
END_TEST

START_TEST(loop_seen_set_is_bounded_and_serializes) {
        cj_loop l;
        cj_loop_init(&l);
        char h[65], first[65];
        hash_of("0", first);
        for (int i = 0; i < CJ_LOOP_SEEN_MAX + 10; i++) {
                char s[16];
                snprintf(s, sizeof s, "%d", i);
                hash_of(s, h);
                cj_loop_observe(&l, h, "cmd", 0, 0, h, false);
        }
        ck_assert_uint_eq(l.n_seen, CJ_LOOP_SEEN_MAX);
        ck_assert(!cj_loop_seen(&l, first)); /* evicted, oldest first */
        ck_assert(cj_loop_seen(&l, h));
        _cleanup_json_ json_t *j = cj_loop_to_json(&l);
        cj_loop back;
        ck_assert_int_eq(cj_loop_from_json(j, &back, NULL), 0);
        ck_assert_uint_eq(back.n_seen, CJ_LOOP_SEEN_MAX);
        ck_assert(cj_loop_seen(&back, h));
        ck_assert(!cj_loop_seen(&back, first));
        _cleanup_json_ json_t *j2 = cj_loop_to_json(&back);
        ck_assert(json_equal(j, j2));
        json_array_set_new(json_object_get(j, "seen"), 0, json_string("nothex"));
        ck_assert_int_lt(cj_loop_from_json(j, &back, NULL), 0);
}
END_TEST

START_TEST(output_cut_head_tail_marker) {
        char buf[1000];
        for (size_t i = 0; i < sizeof buf; i++)
                buf[i] = (char) ('a' + i % 26);
        char *out = NULL;
        size_t n = 0;
        ck_assert(!cj_output_cut(buf, 100, 100, &out, &n));
        ck_assert_uint_eq(n, 100);
        ck_assert(memcmp(out, buf, 100) == 0);
        free(out);
        ck_assert(cj_output_cut(buf, sizeof buf, 200, &out, &n));
        ck_assert_uint_le(n, 200);
        ck_assert_ptr_nonnull(strstr(out, "bytes omitted"));
        ck_assert(memcmp(out, buf, 10) == 0);                           /* head */
        ck_assert(memcmp(out + n - 10, buf + sizeof buf - 10, 10) == 0); /* tail */
        /* head + tail + omitted count == original length */
        const char *ms = strstr(out, "\n[... clawjail: ");
        ck_assert_ptr_nonnull(ms);
        const char *me = strstr(ms, " ...]\n") + 6;
        size_t marker_len = (size_t) (me - ms);
        unsigned long omitted = strtoul(ms + 16, NULL, 10);
        ck_assert_uint_eq(n - marker_len + omitted, sizeof buf);
        free(out);
        /* tiny cap: head only */
        ck_assert(cj_output_cut(buf, sizeof buf, 5, &out, &n));
        ck_assert_uint_eq(n, 5);
        free(out);
}
END_TEST

START_TEST(output_cut_keeps_utf8_whole) {
        /* 400 two-byte characters: any cut at an odd offset would split one. */
        char buf[800];
        for (size_t i = 0; i < sizeof buf; i += 2) {
                buf[i] = (char) 0xC3;
                buf[i + 1] = (char) 0xA9; /* é */
        }
        for (size_t cap = 100; cap < 140; cap++) {
                char *out = NULL;
                size_t n = 0;
                ck_assert(cj_output_cut(buf, sizeof buf, cap, &out, &n));
                ck_assert_uint_le(n, cap);
                const char *m = strstr(out, "\n[...");
                ck_assert_ptr_nonnull(m);
                ck_assert_uint_eq((size_t) (m - out) % 2, 0);
                const char *tail = strstr(out, " ...]\n") + 6;
                ck_assert_uint_eq((size_t) (n - (size_t) (tail - out)) % 2, 0);
                ck_assert_int_eq((unsigned char) tail[0], 0xC3);
                free(out);
        }
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("tracker-budget");
        TCase *tc = tcase_create("pure");
        tcase_add_test(tc, budget_effective_override_and_inherit);
        tcase_add_test(tc, budget_exhausted_at_limit_not_before);
        tcase_add_test(tc, usage_add_saturates);
        tcase_add_test(tc, cost_parse);
        tcase_add_test(tc, budget_json_round_trip);
        tcase_add_test(tc, loop_repeat_needs_same_command_and_result);
        tcase_add_test(tc, loop_stall_counts_seen_output);
        tcase_add_test(tc, loop_progress_resets_and_blocks_are_per_command);
        tcase_add_test(tc, loop_seen_set_is_bounded_and_serializes);
        tcase_add_test(tc, output_cut_head_tail_marker);
        tcase_add_test(tc, output_cut_keeps_utf8_whole);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
