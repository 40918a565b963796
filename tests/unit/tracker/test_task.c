/* SPDX-License-Identifier: MIT */
/* The tracker on a real state dir: calls, budgets, loop limits, stop/resume,
 * crash recovery (interrupted calls, torn lines, stale or lost state.json),
 * checkpoints. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../cj_check.h"
#include "tracker/tracker.h"
#include "util/fileio.h"
#include "util/json.h"

static char dir[64];

static void setup(void) {
        snprintf(dir, sizeof dir, "/tmp/cjtracker.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        ck_assert_int_eq(system(cmd), 0);
}

static cj_profile *profile_with(int64_t calls, int64_t repeat, int64_t stall) {
        cj_profile *p = calloc(1, sizeof *p);
        p->name = strdup("test");
        p->sha256 = strdup("ab");
        cj_budget_unlimited(&p->budget);
        p->budget.calls = calls;
        p->budget.repeat_limit = repeat;
        p->budget.stall_limit = stall;
        return p;
}

static void profile_free(cj_profile *p) {
        free(p->name);
        free(p->sha256);
        free(p);
}

static cj_task *open_task(const char *id, const cj_profile *p) {
        cj_task *t = NULL;
        cj_error e = { 0 };
        int r = cj_task_open(dir, id, p, &t, &e);
        ck_assert_msg(r == 0, "open: %s", e.msg);
        return t;
}

static void outcome_for(cj_call_outcome *o, const char *out, int code) {
        *o = (cj_call_outcome) { .status = "ok", .exit_code = code, .duration_ms = 10, .cpu_ms = 3,
                                 .peak_memory_bytes = 4096, .stdout_bytes = strlen(out) };
        cj_sha256_hex(out, strlen(out), o->stdout_sha256);
        cj_sha256_hex("", 0, o->stderr_sha256);
}

/* One whole call; returns the admit result. */
/* One call: 0 ran, 1 refused (stopped/budget), 4 refused by a loop block. */
static int do_call_p(cj_task *t, const char *command, const char *out, int code, bool progress) {
        char *refusal = NULL;
        cj_error e = { 0 };
        _cleanup_json_ json_t *f = json_pack("{s:s,s:s,s:s}", "tool", "exec", "command", command, "cwd", "/w");
        int r = cj_task_admit_call(t, f, NULL, &refusal, NULL, &e);
        ck_assert_msg(r >= 0, "admit: %s", e.msg);
        if (r != 0) {
                ck_assert_ptr_nonnull(refusal);
                free(refusal);
                return r;
        }
        uint64_t seq = 0;
        ck_assert_int_eq(cj_task_call_start(t, f, &seq, &e), 0);
        cj_call_outcome o;
        outcome_for(&o, out, code);
        o.progress = progress;
        _cleanup_json_ json_t *budget = NULL, *journal = NULL;
        ck_assert_int_eq(cj_task_call_end(t, seq, &o, &budget, &journal, &e), 0);
        ck_assert_ptr_nonnull(json_object_get(budget, "calls"));
        ck_assert(json_integer_value(json_object_get(journal, "seq")) > (json_int_t) seq);
        return 0;
}

static int do_call(cj_task *t, const char *command, const char *out, int code) {
        return do_call_p(t, command, out, code, false);
}

static int verify(cj_task *t, cj_journal_report *rep) {
        cj_error e = { 0 };
        int r = cj_task_verify(t, NULL, rep, &e);
        ck_assert_msg(r >= 0, "verify: %s", e.msg);
        return r;
}

static char *task_file(const char *id, const char *name) {
        char *p = NULL;
        ck_assert_int_ge(asprintf(&p, "%s/tasks/%s/%s", dir, id, name), 0);
        return p;
}

START_TEST(task_ids_and_state_dir) {
        ck_assert(cj_task_id_valid("a"));
        ck_assert(cj_task_id_valid("build-42_x.y"));
        ck_assert(!cj_task_id_valid(""));
        ck_assert(!cj_task_id_valid(".hidden"));
        ck_assert(!cj_task_id_valid(".."));
        ck_assert(!cj_task_id_valid("a/b"));
        ck_assert(!cj_task_id_valid("a b"));
        char longid[CJ_TASK_ID_MAX + 2];
        memset(longid, 'a', sizeof longid - 1);
        longid[sizeof longid - 1] = '\0';
        ck_assert(!cj_task_id_valid(longid));
        longid[CJ_TASK_ID_MAX] = '\0';
        ck_assert(cj_task_id_valid(longid));
        cj_task *t = NULL;
        ck_assert_int_eq(cj_task_open(dir, "../x", NULL, &t, NULL), -EINVAL);

        _cleanup_free_ char *d = NULL;
        ck_assert_int_eq(cj_state_dir_resolve("/opt/x", &d, NULL), 0);
        ck_assert_str_eq(d, "/opt/x");
        free(d);
        setenv("CLAWJAIL_STATE_DIR", "/env/dir", 1);
        ck_assert_int_eq(cj_state_dir_resolve(NULL, &d, NULL), 0);
        ck_assert_str_eq(d, "/env/dir");
        free(d);
        d = NULL;
        unsetenv("CLAWJAIL_STATE_DIR");
        ck_assert_int_eq(cj_state_dir_resolve(NULL, &d, NULL), 0);
        if (geteuid() == 0)
                ck_assert_str_eq(d, "/var/lib/clawjail");
}
END_TEST

START_TEST(calls_are_counted_and_journaled) {
        cj_profile *p = profile_with(-1, -1, -1);
        cj_task *t = open_task("t", p);
        for (int i = 0; i < 3; i++)
                ck_assert_int_eq(do_call(t, "echo hi", i == 1 ? "other" : "hi\n", 0), 0);
        const cj_state *st = cj_task_state(t);
        ck_assert_int_eq(st->used.calls, 3);
        ck_assert_int_eq(st->used.wall_ms, 30);
        ck_assert_int_eq(st->used.cpu_ms, 9);
        ck_assert_int_eq(st->used.output_bytes, 3 + 5 + 3);
        ck_assert_uint_eq(st->n_open, 0);
        cj_journal_report rep;
        ck_assert_int_eq(verify(t, &rep), 0);
        ck_assert_uint_eq(rep.lines, 2 + 6); /* created, profile, 3 x (start, end) */
        cj_task_free(t);
        /* Reopening from state.json gives the same counters. */
        t = open_task("t", p);
        ck_assert_int_eq(cj_task_state(t)->used.calls, 3);
        ck_assert_uint_eq(cj_task_state(t)->seq, 8);
        cj_task_free(t);
        profile_free(p);
}
END_TEST

START_TEST(budget_of_five_calls_refuses_the_sixth) {
        cj_profile *p = profile_with(100, -1, -1);
        cj_task *t = NULL;
        cj_budget ov;
        cj_budget_inherit_all(&ov);
        ov.calls = 5;
        ck_assert_int_eq(cj_task_create(dir, "b", &ov, &t, NULL), 0);
        cj_task_free(t);
        ck_assert_int_eq(cj_task_create(dir, "b", &ov, &t, NULL), -EEXIST);
        t = open_task("b", p); /* the profile's 100 does not beat the operator's 5 */
        for (int i = 0; i < 5; i++)
                ck_assert_int_eq(do_call(t, "x", "y", 0), 0);
        ck_assert_int_eq(do_call(t, "x", "y", 0), 1);
        ck_assert_int_eq(cj_task_state(t)->used.calls, 5);
        _cleanup_json_ json_t *j = NULL;
        ck_assert_int_eq(cj_task_journal_load(t, &j, NULL), 0);
        json_t *last = json_array_get(j, json_array_size(j) - 1);
        ck_assert_str_eq(json_string_value(json_object_get(last, "event")), "budget_exhausted");
        ck_assert_str_eq(json_string_value(json_object_get(last, "budget")), "calls");
        /* The operator raises it. */
        cj_budget_inherit_all(&ov);
        ov.calls = 6;
        ck_assert_int_eq(cj_task_set_budget(t, &ov, NULL), 0);
        ck_assert_int_eq(do_call(t, "x", "y", 0), 0);
        ck_assert_int_eq(do_call(t, "x", "y", 0), 1);
        cj_task_free(t);
        profile_free(p);
}
END_TEST

START_TEST(charge_tokens_and_cost_budget) {
        cj_task *t = NULL;
        cj_budget ov;
        cj_budget_inherit_all(&ov);
        ov.cost_usd = 0.05;
        ck_assert_int_eq(cj_task_create(dir, "c", &ov, &t, NULL), 0);
        ck_assert_int_eq(cj_task_charge(t, 100, 20000, NULL), 0);
        ck_assert_int_eq(cj_task_charge(t, 50, 29999, NULL), 0);
        ck_assert_int_eq(do_call(t, "x", "y", 0), 0);
        ck_assert_int_eq(cj_task_charge(t, 1, 1, NULL), 0);
        ck_assert_int_eq(cj_task_state(t)->used.tokens, 151);
        ck_assert_int_eq(cj_task_state(t)->used.cost_micro_usd, 50000);
        ck_assert_int_eq(do_call(t, "x", "y", 0), 1);
        ck_assert_int_lt(cj_task_charge(t, -1, 0, NULL), 0);
        cj_task_free(t);
}
END_TEST

/* A loop blocks the repeated command, never the task (issue 8 §5). */
START_TEST(repeat_limit_blocks_the_command) {
        cj_profile *p = profile_with(-1, 3, -1);
        cj_task *t = open_task("r", p);
        ck_assert_int_eq(do_call(t, "make", "error\n", 2), 0);
        ck_assert_int_eq(do_call(t, "make", "error\n", 2), 0);
        ck_assert_int_eq(do_call(t, "make", "error\n", 2), 0);
        ck_assert(!cj_task_state(t)->stopped);
        ck_assert_int_eq(do_call(t, "make", "error\n", 2), CJ_ADMIT_LOOP);
        ck_assert_int_eq(do_call(t, "other", "z", 0), 0); /* every other call still runs */
        ck_assert_int_eq(do_call(t, "make", "error\n", 2), CJ_ADMIT_LOOP);
        /* A call that changes the workspace lifts the block. */
        ck_assert_int_eq(do_call_p(t, "edit Makefile", "", 0, true), 0);
        ck_assert_int_eq(do_call(t, "make", "error\n", 2), 0);
        ck_assert_int_eq(do_call(t, "make", "error\n", 2), 0);
        ck_assert_int_eq(do_call(t, "make", "error\n", 2), 0);
        ck_assert_int_eq(do_call(t, "make", "error\n", 2), CJ_ADMIT_LOOP);
        /* So does the operator. */
        ck_assert_int_eq(cj_task_resume(t, NULL), 0);
        ck_assert_int_eq(cj_task_resume(t, NULL), 1);
        ck_assert_int_eq(do_call(t, "make", "error\n", 2), 0);
        cj_journal_report rep;
        ck_assert_int_eq(verify(t, &rep), 0);
        cj_task_free(t);
        /* The blocks are a fold of the journal: a rebuilt state has them too. */
        char path[128];
        snprintf(path, sizeof path, "%s/tasks/r/state.json", dir);
        t = open_task("r", p);
        ck_assert_int_eq(do_call(t, "make", "error\n", 2), 0);
        ck_assert_int_eq(do_call(t, "make", "error\n", 2), 0);
        cj_task_free(t);
        ck_assert_int_eq(unlink(path), 0);
        t = open_task("r", p);
        ck_assert_int_eq(do_call(t, "make", "error\n", 2), CJ_ADMIT_LOOP);
        cj_task_free(t);
        profile_free(p);
}
END_TEST

START_TEST(stall_limit_blocks_the_streak) {
        cj_profile *p = profile_with(-1, -1, 2);
        cj_task *t = open_task("s", p);
        ck_assert_int_eq(do_call(t, "a", "one", 0), 0);
        ck_assert_int_eq(do_call(t, "b", "two", 0), 0);
        ck_assert_int_eq(do_call(t, "c", "one", 0), 0); /* seen: 1 */
        ck_assert_int_eq(do_call(t, "d", "two", 0), 0); /* seen: 2 */
        ck_assert(!cj_task_state(t)->stopped);
        ck_assert_int_eq(do_call(t, "c", "one", 0), CJ_ADMIT_LOOP);
        ck_assert_int_eq(do_call(t, "d", "two", 0), CJ_ADMIT_LOOP);
        ck_assert_int_eq(do_call(t, "e", "three", 0), 0);
        cj_task_free(t);
        profile_free(p);
}
END_TEST

START_TEST(operator_stop_and_resume) {
        cj_task *t = open_task("o", NULL);
        ck_assert_int_eq(cj_task_stop(t, "runaway", "operator", NULL), 0);
        char *refusal = NULL;
        ck_assert_int_eq(cj_task_admit(t, &refusal, NULL), 1);
        ck_assert_ptr_nonnull(strstr(refusal, "runaway"));
        free(refusal);
        _cleanup_json_ json_t *s = cj_task_status_json(t);
        ck_assert_str_eq(json_string_value(json_object_get(s, "state")), "stopped");
        ck_assert_str_eq(json_string_value(json_object_get(s, "reason")), "runaway");
        ck_assert_int_eq(cj_task_resume(t, NULL), 0);
        ck_assert_int_eq(do_call(t, "x", "y", 0), 0);
        cj_task_free(t);
}
END_TEST

/* A child starts a call; die decides whether it dies (kill -9) or waits to be
 * told to finish.  Returns the pid; the child writes a byte to ready[1] once
 * the start event is journaled. */
static pid_t start_in_child(const char *id, int ready[2], int go[2]) {
        ck_assert_int_eq(pipe(ready), 0);
        ck_assert_int_eq(pipe(go), 0);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                cj_task *t = NULL;
                char *refusal = NULL;
                if (cj_task_open(dir, id, NULL, &t, NULL) < 0 || cj_task_admit(t, &refusal, NULL) != 0)
                        _exit(1);
                _cleanup_json_ json_t *f = json_pack("{s:s,s:s}", "tool", "exec", "command", "sleep 100");
                uint64_t seq;
                if (cj_task_call_start(t, f, &seq, NULL) < 0)
                        _exit(2);
                char c = 'x';
                if (write(ready[1], &c, 1) != 1)
                        _exit(3);
                if (read(go[0], &c, 1) != 1) /* parent closed: die like kill -9 */
                        _exit(4);
                cj_call_outcome o;
                outcome_for(&o, "done", 0);
                _exit(cj_task_call_end(t, seq, &o, NULL, NULL, NULL) < 0 ? 5 : 0);
        }
        close(ready[1]);
        close(go[0]);
        char c;
        ck_assert_int_eq(read(ready[0], &c, 1), 1);
        close(ready[0]);
        return pid;
}

START_TEST(crashed_call_is_closed_as_interrupted) {
        int ready[2], go[2];
        pid_t pid = start_in_child("k", ready, go);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        close(go[1]);
        cj_task *t = open_task("k", NULL);
        const cj_state *st = cj_task_state(t);
        ck_assert_uint_eq(st->n_open, 0);
        ck_assert_int_eq(st->used.calls, 1);
        ck_assert_uint_eq(st->n_interrupted, 1);
        ck_assert_str_eq(st->interrupted[0].command, "sleep 100");
        _cleanup_json_ json_t *s = cj_task_status_json(t);
        json_t *intr = json_object_get(json_object_get(s, "resume"), "interrupted");
        ck_assert_uint_eq(json_array_size(intr), 1);
        cj_journal_report rep;
        ck_assert_int_eq(verify(t, &rep), 0);
        cj_task_free(t);
}
END_TEST

START_TEST(running_call_in_other_process_is_not_interrupted) {
        int ready[2], go[2];
        pid_t pid = start_in_child("live", ready, go);
        cj_task *t = open_task("live", NULL);
        ck_assert_uint_eq(cj_task_state(t)->n_open, 1);
        ck_assert_uint_eq(cj_task_state(t)->n_interrupted, 0);
        /* Another call overlaps it: the lock is not held while calls run. */
        ck_assert_int_eq(do_call(t, "x", "y", 0), 0);
        char c = 'g';
        ck_assert_int_eq(write(go[1], &c, 1), 1);
        int status;
        waitpid(pid, &status, 0);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        close(go[1]);
        cj_task_free(t);
        t = open_task("live", NULL);
        ck_assert_uint_eq(cj_task_state(t)->n_open, 0);
        ck_assert_uint_eq(cj_task_state(t)->n_interrupted, 0);
        ck_assert_int_eq(cj_task_state(t)->used.calls, 2);
        cj_task_free(t);
}
END_TEST

START_TEST(torn_tail_is_repaired) {
        cj_task *t = open_task("torn", NULL);
        ck_assert_int_eq(cj_task_charge(t, 5, 0, NULL), 0);
        cj_task_free(t);
        _cleanup_free_ char *j = task_file("torn", "journal.jsonl");
        int fd = open(j, O_WRONLY | O_APPEND);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, "{\"seq\":3,\"ti", 12), 12);
        close(fd);
        t = open_task("torn", NULL);
        cj_journal_report rep;
        ck_assert_int_eq(verify(t, &rep), 0);
        _cleanup_json_ json_t *arr = NULL;
        ck_assert_int_eq(cj_task_journal_load(t, &arr, NULL), 0);
        json_t *last = json_array_get(arr, json_array_size(arr) - 1);
        ck_assert_str_eq(json_string_value(json_object_get(last, "event")), "repaired");
        ck_assert_int_eq(json_integer_value(json_object_get(last, "removed_bytes")), 12);
        ck_assert_int_eq(cj_task_state(t)->used.tokens, 5);
        cj_task_free(t);
}
END_TEST

START_TEST(state_json_is_rebuilt_from_the_journal) {
        cj_task *t = open_task("st", NULL);
        ck_assert_int_eq(do_call(t, "x", "out", 0), 0);
        _cleanup_free_ char *sp = task_file("st", "state.json");
        _cleanup_free_ char *old = NULL;
        size_t oldlen;
        ck_assert_int_eq(cj_read_file(sp, 1 << 20, &old, &oldlen, NULL), 0);
        ck_assert_int_eq(cj_task_charge(t, 7, 0, NULL), 0);
        ck_assert_int_eq(do_call(t, "x", "out2", 0), 0);
        cj_task_free(t);

        /* A crash right after a journal append: state.json is the old one. */
        ck_assert_int_eq(cj_write_file_atomic(sp, old, oldlen, 0600, NULL), 0);
        t = open_task("st", NULL);
        ck_assert_int_eq(cj_task_state(t)->used.calls, 2);
        ck_assert_int_eq(cj_task_state(t)->used.tokens, 7);
        cj_task_free(t);

        /* Lost or garbage state.json. */
        ck_assert_int_eq(unlink(sp), 0);
        t = open_task("st", NULL);
        ck_assert_int_eq(cj_task_state(t)->used.calls, 2);
        cj_task_free(t);
        ck_assert_int_eq(cj_write_file_atomic(sp, "{garbage", 8, 0600, NULL), 0);
        t = open_task("st", NULL);
        ck_assert_int_eq(cj_task_state(t)->used.tokens, 7);
        cj_journal_report rep;
        ck_assert_int_eq(verify(t, &rep), 0);
        cj_task_free(t);
}
END_TEST

START_TEST(damaged_middle_refuses_access_and_verify_names_it) {
        cj_task *t = open_task("dm", NULL);
        for (int i = 0; i < 3; i++)
                ck_assert_int_eq(cj_task_charge(t, 1, 0, NULL), 0);
        cj_task_free(t);
        _cleanup_free_ char *j = task_file("dm", "journal.jsonl");
        _cleanup_free_ char *sp = task_file("dm", "state.json");
        _cleanup_free_ char *text = NULL;
        size_t len;
        ck_assert_int_eq(cj_read_file(j, 1 << 20, &text, &len, NULL), 0);
        char *p = strstr(text, "\"seq\":2");
        p = strstr(p, "\"tokens\":1");
        p[9] = '9'; /* line 2 claims 9 tokens */
        ck_assert_int_eq(cj_write_file_atomic(j, text, len, 0600, NULL), 0);
        unlink(sp);
        cj_error e = { 0 };
        ck_assert_int_lt(cj_task_open(dir, "dm", NULL, &t, &e), 0);
        ck_assert_ptr_nonnull(strstr(e.msg, "damaged"));
        ck_assert_int_eq(cj_task_open_raw(dir, "dm", &t, NULL), 0);
        cj_journal_report rep;
        ck_assert_int_eq(verify(t, &rep), 1);
        ck_assert_uint_eq(rep.bad_line, 2);
        cj_task_free(t);
}
END_TEST

START_TEST(removed_last_line_is_caught_by_state) {
        cj_task *t = open_task("rl", NULL);
        ck_assert_int_eq(cj_task_charge(t, 1, 0, NULL), 0);
        ck_assert_int_eq(cj_task_charge(t, 2, 0, NULL), 0);
        cj_task_free(t);
        _cleanup_free_ char *j = task_file("rl", "journal.jsonl");
        _cleanup_free_ char *text = NULL;
        size_t len;
        ck_assert_int_eq(cj_read_file(j, 1 << 20, &text, &len, NULL), 0);
        text[len - 1] = '\0';
        char *nl = strrchr(text, '\n');
        ck_assert_int_eq(cj_write_file_atomic(j, text, (size_t) (nl - text) + 1, 0600, NULL), 0);
        ck_assert_int_eq(cj_task_open_raw(dir, "rl", &t, NULL), 0);
        cj_journal_report rep;
        ck_assert_int_eq(verify(t, &rep), 1);
        ck_assert_ptr_nonnull(strstr(rep.why, "removed"));
        cj_task_free(t);
}
END_TEST

START_TEST(checkpoint_round_trip) {
        cj_task *t = open_task("cp", NULL);
        cj_error e = { 0 };
        _cleanup_json_ json_t *missing = NULL;
        ck_assert_int_eq(cj_task_checkpoint_load(t, 0, &missing, &e), -ENOENT);
        cj_error_clear(&e);
        ck_assert_int_eq(do_call(t, "x", "y", 0), 0);
        _cleanup_json_ json_t *payload = json_pack("{s:i,s:[s]}", "step", 3, "done", "parse");
        uint64_t n = 0;
        ck_assert_int_eq(cj_task_checkpoint_save(t, payload, "after parse", &n, &e), 0);
        ck_assert_uint_eq(n, 1);
        uint64_t head_seq = cj_task_state(t)->seq - 1; /* the head before the checkpoint event */
        ck_assert_int_eq(do_call(t, "x", "z", 0), 0);
        ck_assert_int_eq(do_call(t, "x", "w", 0), 0);
        _cleanup_json_ json_t *p2 = json_string("second");
        ck_assert_msg(cj_task_checkpoint_save(t, p2, NULL, &n, &e) == 0, "save: %s", e.msg);
        ck_assert_uint_eq(n, 2);
        ck_assert_int_eq(do_call(t, "x", "v", 0), 0);
        cj_task_free(t);

        t = open_task("cp", NULL);
        _cleanup_json_ json_t *c1 = NULL, *latest = NULL, *list = NULL;
        ck_assert_int_eq(cj_task_checkpoint_load(t, 1, &c1, &e), 0);
        ck_assert(json_equal(json_object_get(c1, "payload"), payload));
        ck_assert_str_eq(json_string_value(json_object_get(c1, "label")), "after parse");
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(c1, "counters"), "calls")), 1);
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(c1, "journal"), "seq")), (json_int_t) head_seq);
        ck_assert_int_eq(cj_task_checkpoint_load(t, 0, &latest, &e), 0);
        ck_assert_str_eq(json_string_value(json_object_get(latest, "payload")), "second");
        ck_assert_int_eq(cj_task_checkpoint_load(t, 3, &missing, NULL), -ENOENT);
        ck_assert_int_eq(cj_task_checkpoint_list(t, &list, &e), 0);
        ck_assert_uint_eq(json_array_size(list), 2);
        _cleanup_json_ json_t *s = cj_task_status_json(t);
        json_t *resume = json_object_get(s, "resume");
        ck_assert_int_eq(json_integer_value(json_object_get(resume, "calls_since_checkpoint")), 1);
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(resume, "checkpoint"), "n")), 2);
        /* Oversized payload refused */
        char *big = malloc(CJ_CHECKPOINT_PAYLOAD_MAX + 1);
        memset(big, 'a', CJ_CHECKPOINT_PAYLOAD_MAX);
        big[CJ_CHECKPOINT_PAYLOAD_MAX] = '\0';
        _cleanup_json_ json_t *bj = json_string(big);
        free(big);
        ck_assert_int_eq(cj_task_checkpoint_save(t, bj, NULL, &n, NULL), -E2BIG);
        cj_task_free(t);
}
END_TEST

START_TEST(record_and_output_path) {
        cj_task *t = open_task("rec", NULL);
        _cleanup_json_ json_t *f = json_pack("{s:s}", "command", "rm -rf /");
        uint64_t seq = 0;
        ck_assert_int_eq(cj_task_record(t, "denied", f, &seq, NULL), 0);
        ck_assert_uint_eq(seq, 2);
        ck_assert_int_lt(cj_task_record(t, "end", f, &seq, NULL), 0);
        ck_assert_int_eq(cj_task_state(t)->used.calls, 0);
        _cleanup_free_ char *op = cj_task_output_path(t, 7, "stdout");
        ck_assert_ptr_nonnull(strstr(op, "/tasks/rec/outputs/7.stdout"));
        struct stat sb;
        _cleanup_free_ char *od = task_file("rec", "outputs");
        ck_assert_int_eq(stat(od, &sb), 0);
        _cleanup_json_ json_t *ids = NULL;
        ck_assert_int_eq(cj_task_list(dir, &ids, NULL), 0);
        ck_assert_uint_eq(json_array_size(ids), 1);
        ck_assert_str_eq(json_string_value(json_array_get(ids, 0)), "rec");
        cj_task_free(t);
        ck_assert_int_eq(cj_task_open_existing(dir, "nope", &t, NULL), -ENOENT);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("tracker-task");
        TCase *tc = tcase_create("task");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, task_ids_and_state_dir);
        tcase_add_test(tc, calls_are_counted_and_journaled);
        tcase_add_test(tc, budget_of_five_calls_refuses_the_sixth);
        tcase_add_test(tc, charge_tokens_and_cost_budget);
        tcase_add_test(tc, repeat_limit_blocks_the_command);
        tcase_add_test(tc, stall_limit_blocks_the_streak);
        tcase_add_test(tc, operator_stop_and_resume);
        tcase_add_test(tc, crashed_call_is_closed_as_interrupted);
        tcase_add_test(tc, running_call_in_other_process_is_not_interrupted);
        tcase_add_test(tc, torn_tail_is_repaired);
        tcase_add_test(tc, state_json_is_rebuilt_from_the_journal);
        tcase_add_test(tc, damaged_middle_refuses_access_and_verify_names_it);
        tcase_add_test(tc, removed_last_line_is_caught_by_state);
        tcase_add_test(tc, checkpoint_round_trip);
        tcase_add_test(tc, record_and_output_path);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
