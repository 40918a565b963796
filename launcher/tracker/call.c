/* SPDX-License-Identifier: MIT */
/* The operations that write events: a call's admission, start and end, and
 * the harness's and operator's commands. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "task-internal.h"
#include "util/json.h"

static int command_hash(const json_t *fields, char out[CJ_SHA256_HEX_LEN + 1]);

/* A loop limit blocks this command until something changes. */
static int loop_check(cj_task *t, const json_t *fields, char **refusal, cj_error *err) {
        char sha[CJ_SHA256_HEX_LEN + 1];
        command_hash(fields, sha);
        const cj_loop_cmd *b = cj_loop_blocked(&t->st.loop, sha);
        if (!b)
                return 0;
        if (asprintf(refusal,
                     "loop_detected (%s): `%s` %s with nothing changed in between, so it will not run again until "
                     "something changes. Do something different: read the error, edit the code or the command, "
                     "try another approach; any call that changes the workspace lifts this block (the operator "
                     "can also: clawjail task resume %s)",
                     b->rule, b->summary,
                     strcmp(b->rule, "stall_limit") == 0 ? "was part of a run of calls that only repeated output "
                                                           "already seen"
                                                         : "already gave the same result repeatedly",
                     t->id) < 0)
                return cj_error_set(err, ENOMEM, "out of memory");
        _cleanup_json_ json_t *f = json_pack("{s:s,s:s,s:s,s:s}", "rule", b->rule, "command", b->summary,
                                             "command_sha256", sha, "reason", *refusal);
        int r = f ? cj_task_append(t, "loop_refused", f, NULL, NULL, err) : -ENOMEM;
        return r < 0 ? r : CJ_ADMIT_LOOP;
}

static int admit_locked(cj_task *t, const json_t *fields, const cj_approval_ask *ask, char **refusal,
                        char *request_id, cj_error *err) {
        const cj_state *st = &t->st;
        _cleanup_free_ char *why = NULL;
        t->use_id[0] = '\0';
        if (ask) {
                /* First: an ask call the operator has not approved costs nothing
                 * and says so, whatever the budget. */
                int r = cj_task_approval_check(t, ask, refusal, request_id, err);
                if (r != 0)
                        return r;
        }
        if (fields && !st->stopped) {
                int r = loop_check(t, fields, refusal, err);
                if (r != 0)
                        return r;
        }
        if (st->stopped) {
                if (asprintf(&why, "task '%s' is stopped: %s", t->id, st->reason ? st->reason : "(no reason given)") < 0)
                        return cj_error_set(err, ENOMEM, "out of memory");
                _cleanup_json_ json_t *f = json_pack("{s:s}", "reason", why);
                int r = f ? cj_task_append(t, "refused", f, NULL, NULL, err) : -ENOMEM;
                if (r < 0)
                        return cj_error_set(err, r, "journal refused call");
                *refusal = TAKE_PTR(why);
                return 1;
        }
        cj_budget lim;
        cj_state_limits(st, &lim);
        int k = cj_budget_exhausted(&lim, &st->used);
        if (k >= 0) {
                double limit = 0, used = cj_usage_get(&st->used, k);
                cj_budget_limit(&lim, k, &limit);
                const char *name = cj_budget_key_name(k);
                if (asprintf(&why, "task '%s' budget exhausted: %s used %g of %g", t->id, name, used, limit) < 0)
                        return cj_error_set(err, ENOMEM, "out of memory");
                _cleanup_json_ json_t *f = json_pack("{s:s,s:f,s:f}", "budget", name, "used", used, "limit", limit);
                int r = f ? cj_task_append(t, "budget_exhausted", f, NULL, NULL, err) : -ENOMEM;
                if (r < 0)
                        return cj_error_set(err, r, "journal budget_exhausted");
                *refusal = TAKE_PTR(why);
                return 1;
        }
        if (st->n_open >= CJ_TASK_OPEN_MAX || t->n_running >= CJ_TASK_RUNNING_MAX)
                return cj_error_set(err, EMFILE, "task '%s' has too many calls running (limit %d)", t->id,
                                    CJ_TASK_OPEN_MAX);
        return 0;
}

int cj_task_admit(cj_task *t, char **refusal, cj_error *err) {
        return cj_task_admit_call(t, NULL, NULL, refusal, NULL, err);
}

int cj_task_admit_call(cj_task *t, const json_t *start_fields, const cj_approval_ask *ask, char **refusal,
                       char request_id[CJ_APPROVAL_ID_LEN + 1], cj_error *err) {
        *refusal = NULL;
        if (request_id)
                request_id[0] = '\0';
        int r = cj_task_lock(t, err);
        if (r < 0)
                return r;
        r = admit_locked(t, start_fields, ask, refusal, request_id, err);
        int s = cj_task_save(t, r >= 0 ? err : NULL);
        if (r >= 0 && s < 0)
                r = s;
        if (r != 0)
                cj_task_unlock(t); /* admitted: the lock stays held for call_start */
        return r;
}

static int command_hash(const json_t *fields, char out[CJ_SHA256_HEX_LEN + 1]) {
        json_t *cmd = json_object_get(fields, "command"), *argv = json_object_get(fields, "argv");
        _cleanup_free_ char *dump = NULL;
        const char *s = "";
        if (json_is_string(cmd))
                s = json_string_value(cmd);
        else if (argv && (dump = cj_json_line(argv)))
                s = dump;
        return cj_sha256_hex(s, strlen(s), out);
}

static int lock_call(cj_task *t, uint64_t seq, short type) {
        struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = (off_t) seq, .l_len = 1 };
        return fcntl(t->calls_fd, F_OFD_SETLK, &fl) < 0 ? -errno : 0;
}

int cj_task_call_start(cj_task *t, const json_t *start_fields, uint64_t *seq, cj_error *err) {
        if (!t->locked)
                return cj_error_set(err, EINVAL, "internal error: call_start without cj_task_admit");
        int r;
        char sha[CJ_SHA256_HEX_LEN + 1];
        _cleanup_json_ json_t *f = start_fields ? json_deep_copy(start_fields) : json_object();
        if (!f || !json_is_object(f) || command_hash(f, sha) < 0 ||
            json_object_set_new(f, "command_sha256", json_string(sha)) < 0 ||
            (t->use_id[0] && json_object_set_new(f, "approval", json_pack("{s:s,s:s}", "request", t->use_id, "scope",
                                                                          t->use_once ? "once" : "task")) < 0)) {
                r = cj_error_set(err, ENOMEM, "start event: out of memory or not an object");
                goto out;
        }
        /* Lock the call's byte before the start event exists, so no other
         * process can ever see this call open and unowned. */
        uint64_t next = t->st.seq + 1;
        r = lock_call(t, next, F_WRLCK);
        if (r < 0) {
                r = cj_error_seterrno(err, r, "%s/calls.lock", t->dir);
                goto out;
        }
        r = cj_task_append(t, "start", f, seq, NULL, err);
        if (r < 0) {
                lock_call(t, next, F_UNLCK);
                goto out;
        }
        t->running[t->n_running++] = *seq;
        t->use_id[0] = '\0';
        /* No state.json save here: the call's end (or any other access) folds
         * this line in from the journal and saves once. */
out:
        cj_task_unlock(t);
        return r;
}

static void running_remove(cj_task *t, uint64_t seq) {
        for (size_t i = 0; i < t->n_running; i++)
                if (t->running[i] == seq) {
                        t->running[i] = t->running[--t->n_running];
                        return;
                }
}

static json_t *stream_json(uint64_t bytes, const char *sha) {
        return json_pack("{s:I,s:s}", "bytes", (json_int_t) bytes, "sha256", sha);
}

static int end_locked(cj_task *t, uint64_t seq, const cj_call_outcome *o, json_t **journal_json, cj_error *err) {
        if (!cj_hash_hex_valid(o->stdout_sha256) || !cj_hash_hex_valid(o->stderr_sha256))
                return cj_error_set(err, EINVAL, "call outcome: output hashes missing");
        _cleanup_json_ json_t *f = json_pack(
                "{s:I,s:s,s:o,s:o,s:I,s:I,s:o,s:o,s:o,s:b}", "call", (json_int_t) seq, "status", o->status ? o->status : "ok",
                "exit_code", o->exit_code >= 0 ? json_integer(o->exit_code) : json_null(), "signal",
                o->signal > 0 ? json_integer(o->signal) : json_null(), "duration_ms",
                (json_int_t) (o->duration_ms > 0 ? o->duration_ms : 0), "cpu_ms",
                (json_int_t) (o->cpu_ms > 0 ? o->cpu_ms : 0), "peak_memory_bytes",
                o->peak_memory_bytes >= 0 ? json_integer(o->peak_memory_bytes) : json_null(), "stdout",
                stream_json(o->stdout_bytes, o->stdout_sha256), "stderr", stream_json(o->stderr_bytes, o->stderr_sha256),
                "progress", o->progress);
        if (!f)
                return cj_error_set(err, ENOMEM, "out of memory");
        if (o->stdout_bytes + o->stderr_bytes > 0) {
                /* What loop governance compares: both streams together. */
                char both[2 * CJ_SHA256_HEX_LEN + 2], sha[CJ_SHA256_HEX_LEN + 1];
                snprintf(both, sizeof both, "%s\n%s", o->stdout_sha256, o->stderr_sha256);
                if (cj_sha256_hex(both, strlen(both), sha) < 0 ||
                    json_object_set_new(f, "output_sha256", json_string(sha)) < 0)
                        return cj_error_set(err, ENOMEM, "out of memory");
        }
        /* What the audit needs of the call beyond its outcome (quarantined
         * files, kept output, network): the end's own keys always win. */
        if (o->extra && json_object_update_missing(f, (json_t *) o->extra) < 0)
                return cj_error_set(err, ENOMEM, "out of memory");
        uint64_t end_seq;
        char hash[CJ_SHA256_HEX_LEN + 1];
        int r = cj_task_append(t, "end", f, &end_seq, hash, err);
        if (r < 0)
                return r;
        if (journal_json && !(*journal_json = json_pack("{s:I,s:s}", "seq", (json_int_t) end_seq, "hash", hash)))
                return cj_error_set(err, ENOMEM, "out of memory");
        /* Loop limits are enforced by recovery, which cj_task_lock runs; run it
         * now so the stop is recorded right after the call that caused it. */
        return cj_task_recover(t, err);
}

int cj_task_call_end(cj_task *t, uint64_t seq, const cj_call_outcome *outcome, json_t **budget_json,
                     json_t **journal_json, cj_error *err) {
        if (budget_json)
                *budget_json = NULL;
        if (journal_json)
                *journal_json = NULL;
        int r = WITH_LOCK(t, err, end_locked(t, seq, outcome, journal_json, err));
        running_remove(t, seq);
        lock_call(t, seq, F_UNLCK);
        if (r < 0)
                return r;
        if (budget_json && !(*budget_json = cj_task_budget_json(t)))
                return cj_error_set(err, ENOMEM, "out of memory");
        return 0;
}

static const char *const recordable[] = { "denied", "rejected", "net" };

int cj_task_record(cj_task *t, const char *event, const json_t *fields, uint64_t *seq, cj_error *err) {
        bool ok = false;
        for (size_t i = 0; i < CJ_ARRAY_SIZE(recordable); i++)
                ok = ok || strcmp(event, recordable[i]) == 0;
        if (!ok)
                return cj_error_set(err, EINVAL, "internal error: '%s' cannot be recorded directly", event);
        return WITH_LOCK(t, err, cj_task_append(t, event, fields, seq, NULL, err));
}

static int charge_locked(cj_task *t, int64_t tokens, int64_t micro, cj_error *err) {
        _cleanup_json_ json_t *f = json_pack("{s:I,s:f}", "tokens", (json_int_t) tokens, "cost_usd", (double) micro / 1e6);
        if (!f)
                return cj_error_set(err, ENOMEM, "out of memory");
        return cj_task_append(t, "charge", f, NULL, NULL, err);
}

int cj_task_charge(cj_task *t, int64_t tokens, int64_t cost_micro_usd, cj_error *err) {
        if (tokens < 0 || tokens > CJ_TOKENS_MAX || cost_micro_usd < 0 || cost_micro_usd > (int64_t) (CJ_COST_USD_MAX * 1e6))
                return cj_error_set(err, ERANGE, "charge out of range");
        return WITH_LOCK(t, err, charge_locked(t, tokens, cost_micro_usd, err));
}

static int stop_locked(cj_task *t, const char *reason, const char *by, cj_error *err) {
        _cleanup_free_ char *r = cj_strndup_utf8(reason, CJ_STOP_REASON_MAX);
        _cleanup_json_ json_t *f = r ? json_pack("{s:s,s:s}", "reason", r, "by", by ? by : "operator") : NULL;
        if (!f)
                return cj_error_set(err, EINVAL, "stop reason must be UTF-8 text");
        return cj_task_append(t, "stopped", f, NULL, NULL, err);
}

int cj_task_stop(cj_task *t, const char *reason, const char *by, cj_error *err) {
        return WITH_LOCK(t, err, stop_locked(t, reason, by, err));
}

static int resume_locked(cj_task *t, cj_error *err) {
        if (!t->st.stopped && t->st.loop.n_blocked == 0)
                return 1;
        _cleanup_json_ json_t *f = json_pack("{s:s,s:s?}", "by", "operator", "was", t->st.reason);
        if (!f)
                return cj_error_set(err, ENOMEM, "out of memory");
        return cj_task_append(t, "resumed", f, NULL, NULL, err);
}

int cj_task_resume(cj_task *t, cj_error *err) {
        return WITH_LOCK(t, err, resume_locked(t, err));
}

static int set_budget_locked(cj_task *t, const cj_budget *overrides, cj_error *err) {
        _cleanup_json_ json_t *f = json_pack("{s:o,s:s}", "budget", cj_budget_limits_to_json(overrides), "by", "operator");
        if (!f)
                return cj_error_set(err, ENOMEM, "out of memory");
        return cj_task_append(t, "budget_set", f, NULL, NULL, err);
}

int cj_task_set_budget(cj_task *t, const cj_budget *overrides, cj_error *err) {
        return WITH_LOCK(t, err, set_budget_locked(t, overrides, err));
}
