/* SPDX-License-Identifier: MIT */
/*
 * Recovery, run under the task lock on every access.  The argument for crash
 * safety (docs/tracker.md): the journal is the truth and is only ever appended
 * (one write + fdatasync, under the lock); state.json is a cache of the fold of
 * the journal, tagged with the position it reflects, and replaced atomically
 * after the append.  So after a kill -9 at any instant
 *
 *   - the journal is its old content plus at most one partial line at the end
 *     (cut here and journaled as "repaired");
 *   - state.json is the old or the new cache, either way a prefix of the fold,
 *     and the lines it misses are folded in here;
 *   - a call whose "start" has no "end" and whose owner's OFD lock on
 *     calls.lock is gone is closed as "interrupted" and charged its wall time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "task-internal.h"
#include "util/json.h"

bool cj_task_call_alive(const cj_task *t, uint64_t seq) {
        for (size_t i = 0; i < t->n_running; i++)
                if (t->running[i] == seq)
                        return true;
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = (off_t) seq, .l_len = 1 };
        if (fcntl(t->calls_fd, F_OFD_GETLK, &fl) < 0)
                return true; /* cannot tell: never close a call that may still run */
        return fl.l_type != F_UNLCK;
}

static int read_range(int fd, uint64_t from, uint64_t to, char **out, cj_error *err) {
        if (to - from > CJ_JOURNAL_FILE_MAX)
                return cj_error_set(err, EFBIG, "journal larger than the limit of %lu bytes", CJ_JOURNAL_FILE_MAX);
        size_t n = (size_t) (to - from);
        _cleanup_free_ char *buf = malloc(n + 1);
        if (!buf)
                return cj_error_set(err, ENOMEM, "out of memory");
        size_t got = 0;
        while (got < n) {
                ssize_t k = pread(fd, buf + got, n - got, (off_t) (from + got));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return cj_error_seterrno(err, errno, "journal read");
                if (k == 0)
                        break;
                got += (size_t) k;
        }
        if (got != n)
                return cj_error_set(err, EIO, "journal shrank while locked");
        buf[n] = '\0';
        *out = TAKE_PTR(buf);
        return 0;
}

typedef enum fold_result {
        FOLD_OK,
        FOLD_MISMATCH, /* the first new line does not continue the cached state */
        FOLD_TORN,     /* the last line is partial or damaged: cut at *tail */
} fold_result;

/* Fold the journal bytes [st.bytes, size) into st. */
static int fold_tail(cj_task *t, uint64_t size, fold_result *res, uint64_t *tail, char why[CJ_JOURNAL_WHY_MAX],
                     cj_error *err) {
        *res = FOLD_OK;
        _cleanup_free_ char *buf = NULL;
        uint64_t base = t->st.bytes;
        int r = read_range(t->journal_fd, base, size, &buf, err);
        if (r < 0)
                return r;
        size_t len = (size_t) (size - base), pos = 0;
        const char *line;
        size_t n;
        bool complete, first = true;
        while (cj_journal_next_line(buf, len, &pos, &line, &n, &complete)) {
                uint64_t at = base + (uint64_t) (line - buf);
                if (!complete) {
                        snprintf(why, CJ_JOURNAL_WHY_MAX, "partial last line (%zu bytes, no newline)", n);
                        *res = FOLD_TORN;
                        *tail = at;
                        return 0;
                }
                _cleanup_json_ json_t *obj = NULL;
                r = cj_journal_check_line(line, n, t->st.seq + 1, t->st.head, t->id, &obj, why);
                if (r < 0) {
                        if (first && t->st.seq > 0) {
                                *res = FOLD_MISMATCH;
                                return 0;
                        }
                        if (pos == len) {
                                *res = FOLD_TORN;
                                *tail = at;
                                return 0;
                        }
                        return cj_error_set(err, EBADMSG,
                                            "%s: line %llu is damaged (%s); see 'clawjail journal verify %s'",
                                            t->journal_path, (unsigned long long) (t->st.seq + 1), why, t->id);
                }
                r = cj_state_apply_line(&t->st, line, n, obj, err);
                if (r < 0)
                        return r;
                t->dirty = true;
                first = false;
        }
        return 0;
}

static int repair_tail(cj_task *t, uint64_t size, uint64_t tail, const char *why, cj_error *err) {
        _cleanup_free_ char *cut = NULL;
        int r = read_range(t->journal_fd, tail, size, &cut, err);
        if (r < 0)
                return r;
        char sha[CJ_SHA256_HEX_LEN + 1];
        if (cj_sha256_hex(cut, (size_t) (size - tail), sha) < 0)
                return cj_error_set(err, EIO, "sha256 failed");
        if (ftruncate(t->journal_fd, (off_t) tail) < 0 || fdatasync(t->journal_fd) < 0)
                return cj_error_seterrno(err, errno, "%s: truncate", t->journal_path);
        /* Keep what was cut in the record, so nothing disappears silently. */
        _cleanup_json_ json_t *f = json_pack("{s:I,s:s,s:s,s:I}", "line", (json_int_t) (t->st.seq + 1), "reason", why,
                                             "removed_sha256", sha, "removed_bytes", (json_int_t) (size - tail));
        if (!f)
                return cj_error_set(err, ENOMEM, "out of memory");
        return cj_task_append(t, "repaired", f, NULL, NULL, err);
}

static int catch_up_from(cj_task *t, bool *full, cj_error *err) {
        for (int attempt = 0; attempt < 2; attempt++) {
                struct stat sb;
                if (fstat(t->journal_fd, &sb) < 0)
                        return cj_error_seterrno(err, errno, "%s", t->journal_path);
                uint64_t size = (uint64_t) sb.st_size;
                if (size < t->st.bytes) {
                        /* The cache claims more than the journal holds: rebuild it. */
                        cj_state_done(&t->st);
                        cj_state_init(&t->st, t->id);
                        cj_state_set_key(&t->st, t->have_key ? t->key.key : NULL);
                        t->dirty = true;
                        *full = true;
                }
                if (size == t->st.bytes)
                        return 0;
                fold_result res;
                uint64_t tail = 0;
                char why[CJ_JOURNAL_WHY_MAX] = "";
                int r = fold_tail(t, size, &res, &tail, why, err);
                if (r < 0)
                        return r;
                switch (res) {
                case FOLD_OK:
                        return 0;
                case FOLD_TORN:
                        return repair_tail(t, size, tail, why, err);
                case FOLD_MISMATCH:
                        cj_state_done(&t->st);
                        cj_state_init(&t->st, t->id);
                        cj_state_set_key(&t->st, t->have_key ? t->key.key : NULL);
                        t->dirty = true;
                        *full = true;
                        continue;
                }
        }
        return cj_error_set(err, EBADMSG, "%s: cannot reconcile state.json with the journal", t->journal_path);
}

/* A state rebuilt from the journal alone must not accept a journal cut
 * below the head the MAC'd record names: that would make the cut official
 * (the next append overwrites the record). */
static int check_head(cj_task *t, cj_error *err) {
        uint64_t seq = 0;
        char hash[CJ_SHA256_HEX_LEN + 1];
        int r = cj_task_head_read(t, &seq, hash);
        if (r == 1)
                return t->st.seq > 1 ? cj_error_set(err, EBADMSG,
                                                    "%s: the head record is missing; see 'clawjail journal verify %s'",
                                                    t->dir, t->id)
                                     : 0;
        if (r < 0)
                return cj_error_set(err, EBADMSG, "%s/head: the head record's MAC does not match; see 'clawjail "
                                    "journal verify %s'", t->dir, t->id);
        if (seq > t->st.seq || (seq == t->st.seq && strcmp(hash, t->st.head) != 0))
                return cj_error_set(err, EBADMSG,
                                    "%s: the journal ends at line %llu but its head record names line %llu: lines "
                                    "were removed or changed; see 'clawjail journal verify %s'",
                                    t->journal_path, (unsigned long long) t->st.seq, (unsigned long long) seq, t->id);
        return 0;
}

static int catch_up(cj_task *t, cj_error *err) {
        bool full = t->st.seq == 0;
        int r = catch_up_from(t, &full, err);
        if (r >= 0 && full && t->st.keyed && t->head_fd >= 0)
                r = check_head(t, err);
        return r;
}

static int close_interrupted(cj_task *t, cj_error *err) {
        int64_t now = cj_now_ms();
        for (size_t i = 0; i < t->st.n_open;) {
                const cj_open_call *c = &t->st.open[i];
                if (cj_task_call_alive(t, c->seq)) {
                        i++;
                        continue;
                }
                int64_t d = now - c->time_ms;
                _cleanup_json_ json_t *f = json_pack("{s:I,s:s,s:I}", "call", (json_int_t) c->seq, "command",
                                                     c->command, "duration_ms", (json_int_t) (d > 0 ? d : 0));
                if (!f)
                        return cj_error_set(err, ENOMEM, "out of memory");
                /* Folding the event removes entry i, so do not advance. */
                int r = cj_task_append(t, "interrupted", f, NULL, NULL, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int enforce_loop_limits(cj_task *t, cj_error *err) {
        const char *limit = NULL;
        _cleanup_free_ char *reason = cj_state_loop_reason(&t->st, &limit);
        if (!reason)
                return 0;
        /* Block the loop's commands, not the task: every other call (the edit
         * that fixes the problem) still runs (docs/tracker.md). */
        const cj_loop *l = &t->st.loop;
        _cleanup_json_ json_t *cmds = json_array();
        if (strcmp(limit, "stall_limit") == 0)
                for (size_t i = 0; cmds && i < l->n_streak; i++)
                        json_array_append_new(cmds, json_string(l->streak[i].summary));
        else if (cmds)
                json_array_append_new(cmds, json_string(l->last.summary));
        _cleanup_json_ json_t *f = cmds ? json_pack("{s:s,s:s,s:O,s:I}", "rule", limit, "reason", reason, "commands",
                                                    cmds, "count",
                                                    (json_int_t) (strcmp(limit, "stall_limit") == 0
                                                                          ? l->stall_count
                                                                          : l->repeat_count))
                                        : NULL;
        if (!f)
                return cj_error_set(err, ENOMEM, "out of memory");
        return cj_task_append(t, "loop_detected", f, NULL, NULL, err);
}

int cj_task_recover(cj_task *t, cj_error *err) {
        int r = catch_up(t, err);
        if (r >= 0)
                r = close_interrupted(t, err);
        if (r >= 0)
                r = enforce_loop_limits(t, err);
        /* No save here: whoever holds the lock saves once after its own event,
         * and a reader that saves nothing leaves the fold to the next access. */
        return r;
}
