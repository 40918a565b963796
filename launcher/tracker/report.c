/* SPDX-License-Identifier: MIT */
/* Reading a task: status, budget, journal listing and verification. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "journal.h"
#include "task-internal.h"
#include "util/fileio.h"
#include "util/json.h"

json_t *cj_task_budget_json(const cj_task *t) {
        cj_budget lim;
        cj_state_limits(&t->st, &lim);
        return cj_budget_to_json(&lim, &t->st.used, t->st.loop.repeat_count, t->st.loop.stall_count);
}

json_t *cj_task_status_json(const cj_task *t) {
        const cj_state *st = &t->st;
        _cleanup_json_ json_t *intr = json_array();
        if (!intr)
                return NULL;
        for (size_t i = 0; i < st->n_interrupted; i++) {
                char ts[CJ_TIME_RFC3339_LEN + 1];
                cj_time_rfc3339(st->interrupted[i].time_ms, ts);
                if (json_array_append_new(intr, json_pack("{s:I,s:s,s:s}", "seq", (json_int_t) st->interrupted[i].seq,
                                                          "time", ts, "command", st->interrupted[i].command)) < 0)
                        return NULL;
        }
        json_t *ckpt = json_null();
        if (st->checkpoints) {
                char ts[CJ_TIME_RFC3339_LEN + 1];
                cj_time_rfc3339(st->checkpoint_time_ms, ts);
                ckpt = json_pack("{s:I,s:s?,s:s,s:I,s:I}", "n", (json_int_t) st->checkpoints, "label",
                                 st->checkpoint_label, "time", ts, "journal_seq", (json_int_t) st->checkpoint_seq,
                                 "calls", (json_int_t) st->calls_at_checkpoint);
        }
        return json_pack("{s:s,s:s,s:s?,s:o,s:{s:o,s:I,s:O}}", "task", t->id, "state",
                         st->stopped ? "stopped" : "active", "reason", st->reason, "budget", cj_task_budget_json(t),
                         "resume", "checkpoint", ckpt, "calls_since_checkpoint",
                         (json_int_t) (st->used.calls - st->calls_at_checkpoint), "interrupted", intr);
}

static int read_journal(cj_task *t, char **buf, size_t *len, cj_error *err) {
        return cj_read_file(t->journal_path, CJ_JOURNAL_FILE_MAX, buf, len, err);
}

/* Line seq of a replay must hash to hash (a head record or an anchor). */
static int check_point(const cj_journal_report *rep, uint64_t seq, const char *got, const char *want,
                       const char *what, cj_journal_report *out) {
        if (seq > rep->lines) {
                out->bad_line = rep->lines + 1;
                snprintf(out->why, sizeof out->why,
                         "the journal ends at line %llu but %s names line %llu (lines were removed)",
                         (unsigned long long) rep->lines, what, (unsigned long long) seq);
                return 1;
        }
        if (strcmp(got, want) != 0) {
                out->bad_line = seq;
                snprintf(out->why, sizeof out->why,
                         "line %llu does not match %s (the journal was changed or rewritten up to there)",
                         (unsigned long long) seq, what);
                return 1;
        }
        return 0;
}

int cj_task_verify(cj_task *t, const cj_verify_opts *opts, cj_journal_report *rep, cj_error *err) {
        static const cj_verify_opts none = { 0 };
        if (!opts)
                opts = &none;
        /* A shared lock: writers append whole lines under the exclusive one. */
        if (CJ_RETRY_EINTR(flock(t->lock_fd, LOCK_SH)) < 0)
                return cj_error_seterrno(err, errno, "%s: lock", t->dir);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r = read_journal(t, &buf, &len, err);
        _cleanup_free_ char *text = NULL;
        if (r >= 0 && cj_read_file(t->state_path, CJ_STATE_FILE_MAX, &text, NULL, NULL) < 0)
                text = NULL;
        uint64_t head_seq = 0;
        char head_hash[CJ_SHA256_HEX_LEN + 1] = "";
        int head = r >= 0 ? cj_task_head_read(t, &head_seq, head_hash) : 1;
        (void) flock(t->lock_fd, LOCK_UN);
        if (r < 0)
                return r;

        const uint8_t *key = t->have_key ? t->key.key : NULL;
        r = cj_journal_verify_buf(buf, len, t->id, key, rep);
        if (r != 0)
                return r;
        if (!rep->keyed && !opts->legacy_ok && rep->lines > 0) {
                rep->bad_line = 1;
                snprintf(rep->why, sizeof rep->why,
                         "an unkeyed (legacy SHA-256) chain: a rewrite of the whole journal would not show; "
                         "--legacy accepts it");
                return 1;
        }

        /* The chain cannot show an edited or removed *last* line; the MAC'd head
         * record, an anchor, state.json and the fold of the journal can. */
        cj_state replay;
        cj_state_init(&replay, t->id);
        cj_state_set_key(&replay, key);
        char at_head[CJ_SHA256_HEX_LEN + 1] = "", at_anchor[CJ_SHA256_HEX_LEN + 1] = "";
        size_t pos = 0, n;
        const char *line;
        bool complete;
        while (r >= 0 && cj_journal_next_line(buf, len, &pos, &line, &n, &complete)) {
                _cleanup_json_ json_t *obj = json_loadb(line, n, 0, NULL);
                r = obj ? cj_state_apply_line(&replay, line, n, obj, err) : -EBADMSG;
                if (r >= 0 && replay.seq == head_seq)
                        memcpy(at_head, replay.head, sizeof at_head);
                if (r >= 0 && opts->anchor && replay.seq == opts->anchor->seq)
                        memcpy(at_anchor, replay.head, sizeof at_anchor);
        }
        if (r < 0) {
                cj_state_done(&replay);
                return r;
        }
        r = 0;
        if (opts->anchor)
                r = check_point(rep, opts->anchor->seq, at_anchor, opts->anchor->hash, "the anchor", rep);
        if (r == 0 && rep->keyed) {
                if (head < 0) {
                        snprintf(rep->why, sizeof rep->why,
                                 "the head record's MAC does not match (it was forged or damaged)");
                        r = 1;
                } else if (head == 1 && rep->lines > 1) {
                        snprintf(rep->why, sizeof rep->why,
                                 "the head record is missing (a keyed journal always has one)");
                        r = 1;
                } else if (head == 0)
                        r = check_point(rep, head_seq, at_head, head_hash, "the head record", rep);
        }
        _cleanup_json_ json_t *j = r == 0 && text ? json_loads(text, 0, NULL) : NULL;
        cj_state cached;
        if (r != 0) {
        } else if (!j || cj_state_from_json(j, t->id, &cached, NULL) < 0) {
                snprintf(rep->why, sizeof rep->why, "state.json is missing or unreadable");
                r = 1;
        } else {
                if (cached.seq > replay.seq) {
                        rep->bad_line = replay.seq + 1;
                        snprintf(rep->why, sizeof rep->why,
                                 "journal ends at line %llu but state.json records %llu lines (lines were removed)",
                                 (unsigned long long) replay.seq, (unsigned long long) cached.seq);
                        r = 1;
                } else if (cached.seq == replay.seq && strcmp(cached.head, replay.head) != 0) {
                        rep->bad_line = replay.seq;
                        snprintf(rep->why, sizeof rep->why,
                                 "the last line does not match the head hash in state.json (it was modified)");
                        r = 1;
                } else if (cached.seq == replay.seq && memcmp(&cached.used, &replay.used, sizeof cached.used) != 0) {
                        snprintf(rep->why, sizeof rep->why, "state.json counters differ from the journal");
                        r = 1;
                }
                cj_state_done(&cached);
        }
        cj_state_done(&replay);
        return r;
}

json_t *cj_task_head_json(const cj_task *t) {
        char ts[CJ_TIME_RFC3339_LEN + 1];
        cj_time_rfc3339(cj_now_ms(), ts);
        return json_pack("{s:s,s:I,s:s,s:s,s:s?,s:s}", "task", t->id, "seq", (json_int_t) t->st.seq, "hash",
                         t->st.head, "chain", t->st.keyed ? "hmac-sha256" : "sha256", "key_id",
                         t->st.keyed && t->have_key ? t->key.id : NULL, "time", ts);
}

int cj_task_journal_load(cj_task *t, json_t **out, cj_error *err) {
        if (CJ_RETRY_EINTR(flock(t->lock_fd, LOCK_SH)) < 0)
                return cj_error_seterrno(err, errno, "%s: lock", t->dir);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r = read_journal(t, &buf, &len, err);
        (void) flock(t->lock_fd, LOCK_UN);
        if (r < 0)
                return r;
        _cleanup_json_ json_t *arr = json_array();
        if (!arr)
                return cj_error_set(err, ENOMEM, "out of memory");
        size_t pos = 0, n;
        const char *line;
        bool complete;
        uint64_t i = 0;
        while (cj_journal_next_line(buf, len, &pos, &line, &n, &complete)) {
                i++;
                json_error_t je;
                json_t *o = json_loadb(line, n, 0, &je);
                if (!o)
                        return cj_error_set(err, EBADMSG, "%s: line %llu: %s", t->journal_path,
                                            (unsigned long long) i, je.text);
                if (json_array_append_new(arr, o) < 0)
                        return cj_error_set(err, ENOMEM, "out of memory");
        }
        *out = TAKE_PTR(arr);
        return 0;
}
