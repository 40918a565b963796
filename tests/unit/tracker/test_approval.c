/* SPDX-License-Identifier: MIT */
/* Operator approvals on a real state dir: an ask is pending until decided,
 * a once-approval is used by one start, a refusal denies, the key depends on
 * every byte of the identity, and the fold survives a state.json rebuild. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cj_check.h"
#include "tracker/tracker.h"
#include "util/fileio.h"
#include "util/json.h"

static char dir[64];

static void setup(void) {
        snprintf(dir, sizeof dir, "/tmp/cjapproval.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        ck_assert_int_eq(system(cmd), 0);
}

static cj_task *open_task(const char *id) {
        cj_task *t = NULL;
        cj_error e = { 0 };
        ck_assert_msg(cj_task_open(dir, id, NULL, &t, &e) == 0, "open: %s", e.msg);
        return t;
}

/* Admit an ask call with this command; returns the admission result. */
static int ask(cj_task *t, const char *command, char id[CJ_APPROVAL_ID_LEN + 1], bool start) {
        _cleanup_json_ json_t *identity = json_pack("{s:s,s:s}", "tool", "exec", "command", command);
        _cleanup_json_ json_t *fields = json_pack("{s:s,s:s}", "tool", "exec", "command", command);
        cj_approval_ask a = { .identity = identity, .fields = fields };
        _cleanup_free_ char *why = NULL;
        cj_error e = { 0 };
        int r = cj_task_admit_call(t, fields, &a, &why, id, &e);
        ck_assert_msg(r >= 0, "admit: %s", e.msg);
        if (r == 0 && start) {
                uint64_t seq;
                ck_assert_int_eq(cj_task_call_start(t, fields, &seq, &e), 0);
                cj_call_outcome o = { .status = "ok", .exit_code = 0, .peak_memory_bytes = -1 };
                cj_sha256_hex("", 0, o.stdout_sha256);
                cj_sha256_hex("", 0, o.stderr_sha256);
                ck_assert_int_eq(cj_task_call_end(t, seq, &o, NULL, NULL, &e), 0);
        } else if (r == 0)
                cj_task_unlock(t);
        return r;
}

START_TEST(once_approval_is_used_by_one_start) {
        cj_task *t = open_task("a1");
        char id[CJ_APPROVAL_ID_LEN + 1], id2[CJ_APPROVAL_ID_LEN + 1];
        cj_operator op = { .uid = 1000, .user = "alice" };
        cj_error e = { 0 };
        ck_assert_int_eq(ask(t, "git push", id, true), 2);
        ck_assert_int_eq(strlen(id), CJ_APPROVAL_ID_LEN);
        ck_assert_int_eq(ask(t, "git push", id2, true), 2);
        ck_assert_str_eq(id, id2); /* the same call, the same request */
        ck_assert_int_eq(ask(t, "git push ", id2, true), 2);
        ck_assert_str_ne(id, id2); /* one more byte, another request */
        _cleanup_json_ json_t *pending = cj_task_approvals_json(t, true);
        ck_assert_int_eq(json_array_size(pending), 2);
        ck_assert_int_eq(cj_task_approve(t, "0123456789abcdef", false, 0, &op, &e), -ENOENT);
        ck_assert_int_eq(cj_task_approve(t, id, false, 0, &op, &e), 0);
        ck_assert_int_eq(ask(t, "git push ", id2, true), 2); /* not the approved one */
        ck_assert_int_eq(ask(t, "git push", id2, true), 0);  /* runs ... */
        ck_assert_int_eq(ask(t, "git push", id2, true), 2);  /* ... once */
        ck_assert_int_eq(cj_task_state(t)->used.calls, 1);
        cj_task_free(t);
}
END_TEST

START_TEST(for_task_refusal_and_rebuild) {
        cj_task *t = open_task("a2");
        char id[CJ_APPROVAL_ID_LEN + 1], other[CJ_APPROVAL_ID_LEN + 1];
        cj_operator op = { .uid = 0, .user = "root" };
        cj_error e = { 0 };
        ck_assert_int_eq(ask(t, "make deploy", id, true), 2);
        ck_assert_int_eq(ask(t, "rm -rf build", other, true), 2);
        ck_assert_int_eq(cj_task_approve(t, id, true, 3600, &op, &e), 0);
        ck_assert_int_eq(cj_task_deny(t, other, "no", &op, &e), 0);
        ck_assert_int_eq(ask(t, "make deploy", id, true), 0);
        ck_assert_int_eq(ask(t, "make deploy", id, true), 0); /* for the task: again */
        ck_assert_int_eq(ask(t, "rm -rf build", other, true), 3);
        cj_task_free(t);
        /* The approvals are a fold of the journal: without state.json they come back. */
        char p[128];
        snprintf(p, sizeof p, "%s/tasks/a2/state.json", dir);
        ck_assert_int_eq(unlink(p), 0);
        t = open_task("a2");
        const cj_state *st = cj_task_state(t);
        ck_assert_int_eq(st->approvals.n, 2);
        ck_assert_int_eq(ask(t, "make deploy", id, true), 0);
        ck_assert_int_eq(ask(t, "rm -rf build", other, true), 3);
        _cleanup_json_ json_t *all = cj_task_approvals_json(t, false);
        ck_assert_int_eq(json_array_size(all), 2);
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(all, 0), "state")), "task");
        ck_assert_ptr_nonnull(json_object_get(json_array_get(all, 0), "expires"));
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(all, 1), "by")), "root (uid 0)");
        /* Keys are per task: the same call elsewhere is another request. */
        cj_task *t2 = open_task("a3");
        char id3[CJ_APPROVAL_ID_LEN + 1];
        ck_assert_int_eq(ask(t2, "make deploy", id3, true), 2);
        ck_assert_str_ne(id, id3);
        cj_task_free(t2);
        cj_task_free(t);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("tracker-approval");
        TCase *tc = tcase_create("core");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, once_approval_is_used_by_one_start);
        tcase_add_test(tc, for_task_refusal_and_rebuild);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
