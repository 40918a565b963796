/* SPDX-License-Identifier: MIT */
#include "state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "journal.h"
#include "util/hmac.h"
#include "util/json.h"

void cj_state_init(cj_state *st, const char *task) {
        memset(st, 0, sizeof *st);
        snprintf(st->task, sizeof st->task, "%s", task);
        memcpy(st->head, CJ_JOURNAL_GENESIS, sizeof st->head);
        cj_budget_inherit_all(&st->overrides);
        cj_budget_unlimited(&st->profile_budget);
        cj_loop_init(&st->loop);
}

void cj_state_set_key(cj_state *st, const uint8_t *key) {
        st->have_key = key != NULL;
        if (key)
                memcpy(st->key, key, sizeof st->key);
}

int cj_state_line_hash(const cj_state *st, const char *line, size_t len, char out[CJ_SHA256_HEX_LEN + 1]) {
        if (!st->keyed)
                return cj_sha256_hex(line, len, out);
        if (!st->have_key)
                return -ENOKEY;
        return cj_hmac_sha256_hex(st->key, sizeof st->key, line, len, out);
}

void cj_state_done(cj_state *st) {
        free(st->reason);
        free(st->profile_name);
        free(st->profile_sha256);
        free(st->checkpoint_label);
        for (size_t i = 0; i < st->n_open; i++)
                free(st->open[i].command);
        free(st->open);
        for (size_t i = 0; i < st->n_interrupted; i++)
                free(st->interrupted[i].command);
        free(st->interrupted);
        cj_approvals_done(&st->approvals);
        explicit_bzero(st, sizeof *st);
}

char *cj_strndup_utf8(const char *s, size_t max) {
        size_t n = strlen(s);
        if (n > max) {
                n = max;
                while (n > 0 && ((unsigned char) s[n] & 0xC0) == 0x80)
                        n--;
        }
        return strndup(s, n);
}

int cj_time_parse_rfc3339(const char *s, int64_t *ms) {
        struct tm tm = { 0 };
        int msec = 0;
        char z = 0;
        if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                   &tm.tm_sec, &msec, &z) != 8 ||
            z != 'Z')
                return -EINVAL;
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        time_t t = timegm(&tm);
        *ms = (int64_t) t * 1000 + msec;
        return 0;
}

const cj_open_call *cj_state_find_open(const cj_state *st, uint64_t seq) {
        for (size_t i = 0; i < st->n_open; i++)
                if (st->open[i].seq == seq)
                        return &st->open[i];
        return NULL;
}

static ssize_t open_index(const cj_state *st, uint64_t seq) {
        for (size_t i = 0; i < st->n_open; i++)
                if (st->open[i].seq == seq)
                        return (ssize_t) i;
        return -1;
}

static void open_remove(cj_state *st, size_t i) {
        free(st->open[i].command);
        memmove(&st->open[i], &st->open[i + 1], (st->n_open - i - 1) * sizeof *st->open);
        st->n_open--;
}

static int open_add(cj_state *st, uint64_t seq, int64_t time_ms, const char *command, const char *sha) {
        if (st->n_open >= CJ_TASK_OPEN_MAX)
                return -EMFILE;
        cj_open_call *n = realloc(st->open, (st->n_open + 1) * sizeof *n);
        if (!n)
                return -ENOMEM;
        st->open = n;
        cj_open_call *c = &st->open[st->n_open];
        *c = (cj_open_call) { .seq = seq, .time_ms = time_ms };
        c->command = cj_strndup_utf8(command ? command : "", CJ_SUMMARY_MAX);
        if (!c->command)
                return -ENOMEM;
        snprintf(c->command_sha256, sizeof c->command_sha256, "%s", sha ? sha : "");
        st->n_open++;
        return 0;
}

static int interrupted_add(cj_state *st, uint64_t seq, int64_t time_ms, const char *command) {
        if (st->n_interrupted >= CJ_TASK_INTERRUPTED_MAX) {
                free(st->interrupted[0].command);
                memmove(&st->interrupted[0], &st->interrupted[1], (st->n_interrupted - 1) * sizeof *st->interrupted);
                st->n_interrupted--;
        } else {
                cj_interrupted *n = realloc(st->interrupted, (st->n_interrupted + 1) * sizeof *n);
                if (!n)
                        return -ENOMEM;
                st->interrupted = n;
        }
        cj_interrupted *c = &st->interrupted[st->n_interrupted];
        *c = (cj_interrupted) { .seq = seq, .time_ms = time_ms };
        c->command = cj_strndup_utf8(command ? command : "", CJ_SUMMARY_MAX);
        if (!c->command)
                return -ENOMEM;
        st->n_interrupted++;
        return 0;
}

static int64_t get_int(const json_t *o, const char *k) {
        json_t *v = json_object_get(o, k);
        if (json_is_integer(v) && json_integer_value(v) > 0)
                return json_integer_value(v);
        return 0;
}

static const char *get_str(const json_t *o, const char *k) {
        return json_string_value(json_object_get(o, k));
}

static int replace_str(char **dst, const char *s) {
        char *n = NULL;
        if (s && !(n = strdup(s)))
                return -ENOMEM;
        free(*dst);
        *dst = n;
        return 0;
}

static int apply_event(cj_state *st, const char *event, int64_t time_ms, const json_t *ev, cj_error *err) {
        if (strcmp(event, "start") == 0) {
                st->used.calls++;
                int r = open_add(st, st->seq, time_ms, get_str(ev, "command"), get_str(ev, "command_sha256"));
                if (r < 0)
                        return cj_error_seterrno(err, r, "start event %llu", (unsigned long long) st->seq);
        } else if (strcmp(event, "end") == 0) {
                uint64_t call = (uint64_t) get_int(ev, "call");
                json_t *out = json_object_get(ev, "stdout"), *errs = json_object_get(ev, "stderr");
                cj_usage d = {
                        .wall_ms = get_int(ev, "duration_ms"),
                        .cpu_ms = get_int(ev, "cpu_ms"),
                        .output_bytes = get_int(out, "bytes") + get_int(errs, "bytes"),
                };
                cj_usage_add(&st->used, &d);
                ssize_t i = open_index(st, call);
                const char *cmd_sha = i >= 0 ? st->open[i].command_sha256 : NULL;
                const char *oh = get_str(ev, "output_sha256");
                json_t *sig = json_object_get(ev, "signal");
                cj_loop_observe(&st->loop, cmd_sha, i >= 0 ? st->open[i].command : NULL,
                                (int) json_integer_value(json_object_get(ev, "exit_code")),
                                json_is_integer(sig) ? (int) json_integer_value(sig) : 0,
                                oh && cj_hash_hex_valid(oh) ? oh : NULL, json_is_true(json_object_get(ev, "progress")));
                if (i >= 0)
                        open_remove(st, (size_t) i);
        } else if (strcmp(event, "interrupted") == 0) {
                uint64_t call = (uint64_t) get_int(ev, "call");
                cj_usage d = { .wall_ms = get_int(ev, "duration_ms") };
                cj_usage_add(&st->used, &d);
                ssize_t i = open_index(st, call);
                int64_t t = i >= 0 ? st->open[i].time_ms : time_ms;
                int r = interrupted_add(st, call, t, get_str(ev, "command"));
                if (r < 0)
                        return cj_error_seterrno(err, r, "interrupted event");
                if (i >= 0)
                        open_remove(st, (size_t) i);
        } else if (strcmp(event, "net") == 0) {
                /* One connection of a call through the egress proxy: charged as it is journaled. */
                cj_usage d = { .net_bytes = get_int(ev, "bytes_up") + get_int(ev, "bytes_down") };
                cj_usage_add(&st->used, &d);
        } else if (strcmp(event, "charge") == 0) {
                json_t *c = json_object_get(ev, "cost_usd");
                cj_usage d = { .tokens = get_int(ev, "tokens") };
                if (json_is_number(c) && cj_cost_to_micro(json_number_value(c), &d.cost_micro_usd) < 0)
                        d.cost_micro_usd = 0;
                cj_usage_add(&st->used, &d);
        } else if (strcmp(event, "stopped") == 0) {
                st->stopped = true;
                if (replace_str(&st->reason, get_str(ev, "reason")) < 0)
                        return cj_error_set(err, ENOMEM, "out of memory");
        } else if (strcmp(event, "loop_detected") == 0) {
                const char *rule = get_str(ev, "rule");
                cj_loop_block(&st->loop, rule && strcmp(rule, "stall_limit") == 0 ? CJ_LOOP_STALL : CJ_LOOP_REPEAT);
        } else if (strcmp(event, "resumed") == 0) {
                st->stopped = false;
                replace_str(&st->reason, NULL);
                cj_loop_reset_streaks(&st->loop);
        } else if (strcmp(event, "created") == 0 || strcmp(event, "budget_set") == 0) {
                json_t *b = json_object_get(ev, "budget");
                if (b && cj_budget_limits_from_json(b, &st->overrides, err) < 0)
                        return cj_error_prefix(err, "%s event: ", event);
        } else if (strcmp(event, "profile") == 0) {
                cj_budget pb;
                cj_budget_unlimited(&pb);
                json_t *b = json_object_get(ev, "budget");
                if (b && cj_budget_limits_from_json(b, &pb, err) < 0)
                        return cj_error_prefix(err, "profile event: ");
                st->profile_budget = pb;
                st->has_profile = true;
                if (replace_str(&st->profile_name, get_str(ev, "name")) < 0 ||
                    replace_str(&st->profile_sha256, get_str(ev, "sha256")) < 0)
                        return cj_error_set(err, ENOMEM, "out of memory");
        } else if (strcmp(event, "checkpoint") == 0) {
                st->checkpoints = (uint64_t) get_int(ev, "n");
                st->checkpoint_seq = st->seq;
                st->checkpoint_time_ms = time_ms;
                st->calls_at_checkpoint = st->used.calls;
                if (replace_str(&st->checkpoint_label, get_str(ev, "label")) < 0)
                        return cj_error_set(err, ENOMEM, "out of memory");
                for (size_t i = 0; i < st->n_interrupted; i++)
                        free(st->interrupted[i].command);
                st->n_interrupted = 0;
        }
        /* approval_required, approved, refused (of a request), start (using a
         * once-approval): the operator's approvals. */
        if (cj_approvals_apply(&st->approvals, event, time_ms, ev) < 0)
                return cj_error_set(err, ENOMEM, "out of memory");
        /* denied, rejected, refused, budget_exhausted, repaired: recorded for
         * the audit, no effect on the counters. */
        return 0;
}

int cj_state_apply_line(cj_state *st, const char *line, size_t len, const json_t *ev, cj_error *err) {
        int64_t time_ms = 0;
        const char *ts = get_str(ev, "time"), *event = get_str(ev, "event");
        if (!ts || !event || cj_time_parse_rfc3339(ts, &time_ms) < 0)
                return cj_error_set(err, EBADMSG, "journal line %llu: malformed header",
                                    (unsigned long long) (st->seq + 1));
        if (json_integer_value(json_object_get(ev, "seq")) == 1) {
                const char *chain = get_str(ev, "chain");
                st->keyed = chain && strcmp(chain, "hmac-sha256") == 0;
        }
        if (cj_state_line_hash(st, line, len, st->head) < 0)
                return cj_error_set(err, ENOKEY,
                                    "the journal's chain is keyed (HMAC-SHA-256) and the host key is not available");
        st->seq = (uint64_t) json_integer_value(json_object_get(ev, "seq"));
        st->bytes += len + 1;
        return apply_event(st, event, time_ms, ev, err);
}

void cj_state_limits(const cj_state *st, cj_budget *out) {
        cj_budget_effective(st->has_profile ? &st->profile_budget : NULL, &st->overrides, out);
}

char *cj_state_loop_reason(const cj_state *st, const char **limit_name) {
        cj_budget lim;
        cj_state_limits(st, &lim);
        char *s = NULL;
        const char *cmd = st->loop.last.summary;
        switch (cj_loop_check(&st->loop, lim.repeat_limit, lim.stall_limit)) {
        case CJ_LOOP_REPEAT:
                *limit_name = "repeat_limit";
                if (asprintf(&s,
                             "repeat_limit: `%s` gave the same result %lld times in a row and nothing in the "
                             "workspace changed in between",
                             cmd, (long long) st->loop.repeat_count) < 0)
                        return NULL;
                return s;
        case CJ_LOOP_STALL:
                *limit_name = "stall_limit";
                if (asprintf(&s,
                             "stall_limit: %lld calls in a row produced output already seen in this task and "
                             "changed nothing (the last: `%s`)",
                             (long long) st->loop.stall_count, cmd) < 0)
                        return NULL;
                return s;
        default:
                return NULL;
        }
}

json_t *cj_state_to_json(const cj_state *st) {
        _cleanup_json_ json_t *open = json_array(), *intr = json_array();
        if (!open || !intr)
                return NULL;
        for (size_t i = 0; i < st->n_open; i++)
                if (json_array_append_new(open, json_pack("{s:I,s:I,s:s,s:s}", "seq", (json_int_t) st->open[i].seq,
                                                          "time_ms", (json_int_t) st->open[i].time_ms, "command",
                                                          st->open[i].command, "command_sha256",
                                                          st->open[i].command_sha256)) < 0)
                        return NULL;
        for (size_t i = 0; i < st->n_interrupted; i++)
                if (json_array_append_new(intr, json_pack("{s:I,s:I,s:s}", "seq", (json_int_t) st->interrupted[i].seq,
                                                          "time_ms", (json_int_t) st->interrupted[i].time_ms,
                                                          "command", st->interrupted[i].command)) < 0)
                        return NULL;
        json_t *profile = st->has_profile ? json_pack("{s:s,s:s,s:o}", "name", st->profile_name ? st->profile_name : "",
                                                      "sha256", st->profile_sha256 ? st->profile_sha256 : "", "budget",
                                                      cj_budget_limits_to_json(&st->profile_budget))
                                          : json_null();
        json_t *ckpt = st->checkpoints ? json_pack("{s:I,s:I,s:I,s:I,s:s}", "n", (json_int_t) st->checkpoints, "seq",
                                                   (json_int_t) st->checkpoint_seq, "time_ms",
                                                   (json_int_t) st->checkpoint_time_ms, "calls",
                                                   (json_int_t) st->calls_at_checkpoint, "label",
                                                   st->checkpoint_label ? st->checkpoint_label : "")
                                       : json_null();
        return json_pack("{s:i,s:s,s:{s:I,s:I,s:s,s:s},s:s,s:s?,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:o,s:o,s:o,s:O,s:O,s:o,s:o}",
                         "version", 2, "task", st->task, "journal", "seq", (json_int_t) st->seq, "bytes",
                         (json_int_t) st->bytes, "head", st->head, "chain", st->keyed ? "hmac-sha256" : "sha256", "status", st->stopped ? "stopped" : "active",
                         "reason", st->reason, "used", "calls", (json_int_t) st->used.calls, "wall_ms",
                         (json_int_t) st->used.wall_ms, "cpu_ms", (json_int_t) st->used.cpu_ms, "output_bytes",
                         (json_int_t) st->used.output_bytes, "tokens", (json_int_t) st->used.tokens,
                         "cost_micro_usd", (json_int_t) st->used.cost_micro_usd, "net_bytes",
                         (json_int_t) st->used.net_bytes, "overrides",
                         cj_budget_limits_to_json(&st->overrides), "profile", profile, "loop",
                         cj_loop_to_json(&st->loop), "open", open, "interrupted", intr, "checkpoint", ckpt,
                         "approvals", cj_approvals_to_json(&st->approvals));
}

static int fail(cj_error *err, const char *what) {
        return cj_error_set(err, EINVAL, "state.json: %s", what);
}

int cj_state_from_json(const json_t *j, const char *task, cj_state *st, cj_error *err) {
        cj_state_init(st, task);
        json_int_t version = 0, seq = 0, bytes = 0;
        const char *t = NULL, *head = NULL, *status = NULL, *chain = NULL;
        json_t *reason = NULL, *used = NULL, *overrides = NULL, *profile = NULL, *loop = NULL, *open = NULL,
               *intr = NULL, *ckpt = NULL, *appr = NULL;
        json_error_t je;
        if (json_unpack_ex((json_t *) j, &je, JSON_STRICT,
                           "{s:I,s:s,s:{s:I,s:I,s:s,s:s},s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "version", &version, "task",
                           &t, "journal", "seq", &seq, "bytes", &bytes, "head", &head, "chain", &chain, "status", &status, "reason",
                           &reason, "used", &used, "overrides", &overrides, "profile", &profile, "loop", &loop, "open",
                           &open, "interrupted", &intr, "checkpoint", &ckpt, "approvals", &appr) < 0)
                return cj_error_set(err, EINVAL, "state.json: %s", je.text);
        if (version != 2 || strcmp(t, task) != 0 || seq < 0 || bytes < 0 || !cj_hash_hex_valid(head))
                return fail(err, "bad header");
        st->seq = (uint64_t) seq;
        st->bytes = (uint64_t) bytes;
        memcpy(st->head, head, sizeof st->head);
        st->keyed = strcmp(chain, "hmac-sha256") == 0;
        st->stopped = strcmp(status, "stopped") == 0;
        if (json_is_string(reason) && !(st->reason = strdup(json_string_value(reason))))
                return -ENOMEM;
        json_int_t u[7] = { 0 };
        /* net_bytes is optional: state.json files written before it existed. */
        if (json_unpack_ex(used, &je, JSON_STRICT, "{s:I,s:I,s:I,s:I,s:I,s:I,s?I}", "calls", &u[0], "wall_ms", &u[1],
                           "cpu_ms", &u[2], "output_bytes", &u[3], "tokens", &u[4], "cost_micro_usd", &u[5],
                           "net_bytes", &u[6]) < 0)
                return fail(err, "bad used");
        st->used = (cj_usage) { u[0], u[1], u[2], u[3], u[4], u[5], u[6] };
        if (cj_budget_limits_from_json(overrides, &st->overrides, err) < 0)
                return -EINVAL;
        if (json_is_object(profile)) {
                const char *name = NULL, *sha = NULL;
                json_t *b = NULL;
                if (json_unpack_ex(profile, &je, JSON_STRICT, "{s:s,s:s,s:o}", "name", &name, "sha256", &sha, "budget",
                                   &b) < 0 ||
                    cj_budget_limits_from_json(b, &st->profile_budget, err) < 0)
                        return fail(err, "bad profile");
                st->has_profile = true;
                if ((name[0] && !(st->profile_name = strdup(name))) || (sha[0] && !(st->profile_sha256 = strdup(sha))))
                        return -ENOMEM;
        }
        if (cj_loop_from_json(loop, &st->loop, err) < 0 || cj_approvals_from_json(appr, &st->approvals, err) < 0)
                return -EINVAL;
        size_t i;
        json_t *e;
        if (!json_is_array(open) || !json_is_array(intr))
                return fail(err, "bad open/interrupted");
        json_array_foreach(open, i, e) {
                json_int_t s, tm;
                const char *cmd, *sha;
                if (json_unpack_ex(e, &je, JSON_STRICT, "{s:I,s:I,s:s,s:s}", "seq", &s, "time_ms", &tm, "command", &cmd,
                                   "command_sha256", &sha) < 0)
                        return fail(err, "bad open call");
                if (open_add(st, (uint64_t) s, tm, cmd, sha) < 0)
                        return fail(err, "too many open calls");
        }
        json_array_foreach(intr, i, e) {
                json_int_t s, tm;
                const char *cmd;
                if (json_unpack_ex(e, &je, JSON_STRICT, "{s:I,s:I,s:s}", "seq", &s, "time_ms", &tm, "command", &cmd) <
                            0 ||
                    interrupted_add(st, (uint64_t) s, tm, cmd) < 0)
                        return fail(err, "bad interrupted call");
        }
        if (json_is_object(ckpt)) {
                json_int_t n, s, tm, calls;
                const char *label = NULL;
                if (json_unpack_ex(ckpt, &je, JSON_STRICT, "{s:I,s:I,s:I,s:I,s:s}", "n", &n, "seq", &s, "time_ms", &tm,
                                   "calls", &calls, "label", &label) < 0)
                        return fail(err, "bad checkpoint");
                st->checkpoints = (uint64_t) n;
                st->checkpoint_seq = (uint64_t) s;
                st->checkpoint_time_ms = tm;
                st->calls_at_checkpoint = calls;
                if (label[0] && !(st->checkpoint_label = strdup(label)))
                        return -ENOMEM;
        }
        return 0;
}
