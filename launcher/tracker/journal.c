/* SPDX-License-Identifier: MIT */
#include "journal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/fileio.h"
#include "util/hmac.h"
#include "util/json.h"

static const char *const header_keys[] = { "seq", "time", "event", "task", "prev" };

int64_t cj_now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void cj_time_rfc3339(int64_t ms, char out[CJ_TIME_RFC3339_LEN + 1]) {
        time_t s = (time_t) (ms / 1000);
        int frac = (int) (ms % 1000);
        if (frac < 0) {
                frac += 1000;
                s--;
        }
        struct tm tm;
        gmtime_r(&s, &tm);
        char buf[64];
        strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(out, CJ_TIME_RFC3339_LEN + 1, "%.19s.%03dZ", buf, frac);
}

int cj_journal_format(uint64_t seq, int64_t time_ms, const char *event, const char *task, const char *prev,
                      const json_t *fields, char **line, size_t *len, json_t **obj, cj_error *err) {
        char ts[CJ_TIME_RFC3339_LEN + 1];
        cj_time_rfc3339(time_ms, ts);
        _cleanup_json_ json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s}", "seq", (json_int_t) seq, "time", ts, "event",
                                             event, "task", task, "prev", prev);
        if (!o)
                return cj_error_set(err, ENOMEM, "out of memory");
        if (fields) {
                const char *k;
                json_t *v;
                json_object_foreach((json_t *) fields, k, v) {
                        for (size_t i = 0; i < CJ_ARRAY_SIZE(header_keys); i++)
                                if (strcmp(k, header_keys[i]) == 0)
                                        return cj_error_set(err, EINVAL, "journal event field '%s' is reserved", k);
                        if (json_object_set(o, k, v) < 0)
                                return cj_error_set(err, ENOMEM, "out of memory");
                }
        }
        _cleanup_free_ char *s = cj_json_line(o);
        if (!s)
                return cj_error_set(err, ENOMEM, "out of memory");
        size_t n = strlen(s);
        if (n > CJ_JOURNAL_LINE_MAX)
                return cj_error_set(err, E2BIG, "journal event '%s' is %zu bytes, above the limit of %u", event, n,
                                    CJ_JOURNAL_LINE_MAX);
        *len = n;
        *line = TAKE_PTR(s);
        if (obj)
                *obj = TAKE_PTR(o);
        return 0;
}

int cj_journal_append(int fd, off_t old_size, const char *line, size_t len, bool durable, cj_error *err) {
        _cleanup_free_ char *buf = malloc(len + 1);
        if (!buf)
                return cj_error_set(err, ENOMEM, "out of memory");
        memcpy(buf, line, len);
        buf[len] = '\n';
        int r = cj_write_all(fd, buf, len + 1);
        if (r >= 0 && durable && fdatasync(fd) < 0)
                r = -errno;
        if (r < 0) {
                /* Leave no torn line behind: the next append must start on a line boundary. */
                if (ftruncate(fd, old_size) == 0)
                        (void) fdatasync(fd);
                return cj_error_seterrno(err, r, "journal append");
        }
        return 0;
}

bool cj_journal_next_line(const char *buf, size_t buflen, size_t *pos, const char **line, size_t *len,
                          bool *complete) {
        if (*pos >= buflen)
                return false;
        const char *start = buf + *pos;
        const char *nl = memchr(start, '\n', buflen - *pos);
        *line = start;
        if (nl) {
                *len = (size_t) (nl - start);
                *complete = true;
                *pos += *len + 1;
        } else {
                *len = buflen - *pos;
                *complete = false;
                *pos = buflen;
        }
        return true;
}

static bool time_valid(const char *s) {
        /* YYYY-MM-DDTHH:MM:SS.mmmZ */
        static const char pattern[] = "dddd-dd-ddTdd:dd:dd.dddZ";
        if (strlen(s) != sizeof pattern - 1)
                return false;
        for (size_t i = 0; pattern[i]; i++)
                if (pattern[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pattern[i])
                        return false;
        return true;
}

int cj_journal_check_line(const char *line, size_t len, uint64_t expect_seq, const char *expect_prev,
                          const char *task, json_t **obj, char why[CJ_JOURNAL_WHY_MAX]) {
        if (len > CJ_JOURNAL_LINE_MAX) {
                snprintf(why, CJ_JOURNAL_WHY_MAX, "line is %zu bytes, above the limit of %u", len, CJ_JOURNAL_LINE_MAX);
                return -EBADMSG;
        }
        if (memchr(line, '\0', len)) {
                snprintf(why, CJ_JOURNAL_WHY_MAX, "line contains a NUL byte");
                return -EBADMSG;
        }
        json_error_t je;
        _cleanup_json_ json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
        if (!o) {
                snprintf(why, CJ_JOURNAL_WHY_MAX, "not valid JSON (column %d: %s)", je.column, je.text);
                return -EBADMSG;
        }
        if (!json_is_object(o)) {
                snprintf(why, CJ_JOURNAL_WHY_MAX, "not a JSON object");
                return -EBADMSG;
        }
        json_t *seq = json_object_get(o, "seq"), *tm = json_object_get(o, "time"), *ev = json_object_get(o, "event"),
               *tk = json_object_get(o, "task"), *prev = json_object_get(o, "prev");
        if (!json_is_integer(seq) || !json_is_string(tm) || !json_is_string(ev) || !json_is_string(tk) ||
            !json_is_string(prev)) {
                snprintf(why, CJ_JOURNAL_WHY_MAX, "missing or mistyped seq/time/event/task/prev");
                return -EBADMSG;
        }
        if ((uint64_t) json_integer_value(seq) != expect_seq || json_integer_value(seq) < 1) {
                snprintf(why, CJ_JOURNAL_WHY_MAX, "seq is %lld, expected %llu (a line was removed, inserted or moved)",
                         (long long) json_integer_value(seq), (unsigned long long) expect_seq);
                return -EBADMSG;
        }
        if (!time_valid(json_string_value(tm))) {
                snprintf(why, CJ_JOURNAL_WHY_MAX, "time '%.40s' is not RFC 3339 UTC with milliseconds",
                         json_string_value(tm));
                return -EBADMSG;
        }
        if (task && strcmp(json_string_value(tk), task) != 0) {
                snprintf(why, CJ_JOURNAL_WHY_MAX, "task is '%.64s', expected '%.64s'", json_string_value(tk), task);
                return -EBADMSG;
        }
        if (!cj_hash_hex_valid(json_string_value(prev))) {
                snprintf(why, CJ_JOURNAL_WHY_MAX, "prev is not a hex SHA-256");
                return -EBADMSG;
        }
        if (strcmp(json_string_value(prev), expect_prev) != 0) {
                snprintf(why, CJ_JOURNAL_WHY_MAX, "prev does not match the previous line's hash");
                return -EXDEV;
        }
        if (obj)
                *obj = TAKE_PTR(o);
        return 0;
}

void cj_journal_line_hash(const uint8_t *key, const char *line, size_t len, char out[CJ_SHA256_HEX_LEN + 1]) {
        if (key)
                cj_hmac_sha256_hex(key, CJ_HMAC_KEY_LEN, line, len, out);
        else
                cj_sha256_hex(line, len, out);
}

int cj_journal_verify_buf(const char *buf, size_t len, const char *task, const uint8_t *key, cj_journal_report *rep) {
        memset(rep, 0, sizeof *rep);
        memcpy(rep->head, CJ_JOURNAL_GENESIS, sizeof rep->head);
        size_t pos = 0;
        const char *line;
        size_t n;
        bool complete;
        uint64_t i = 0;
        while (cj_journal_next_line(buf, len, &pos, &line, &n, &complete)) {
                i++;
                if (!complete) {
                        rep->bad_line = i;
                        snprintf(rep->why, sizeof rep->why,
                                 "torn: the last line has no newline (%zu bytes; a write was interrupted)", n);
                        return 1;
                }
                char why[CJ_JOURNAL_WHY_MAX];
                _cleanup_json_ json_t *obj = NULL;
                int r = cj_journal_check_line(line, n, i, rep->head, task, &obj, why);
                if (i == 1 && obj) {
                        const char *chain = json_string_value(json_object_get(obj, "chain"));
                        rep->keyed = chain && strcmp(chain, "hmac-sha256") == 0;
                        if (rep->keyed && !key) {
                                rep->bad_line = 1;
                                snprintf(rep->why, sizeof rep->why,
                                         "the chain is keyed (HMAC-SHA-256) and the host key is not available");
                                return 1;
                        }
                }
                if (r == -EXDEV) {
                        /* Line i is well-formed and in sequence, so what changed is the
                         * line before it (or this line's prev field). */
                        if (i == 1) {
                                rep->bad_line = 1;
                                snprintf(rep->why, sizeof rep->why, "prev of the first line is not the genesis hash");
                        } else {
                                rep->bad_line = i - 1;
                                snprintf(rep->why, sizeof rep->why,
                                         "content does not match the hash recorded by line %llu (line %llu was "
                                         "modified, or line %llu's prev was)",
                                         (unsigned long long) i, (unsigned long long) (i - 1), (unsigned long long) i);
                        }
                        return 1;
                }
                if (r < 0) {
                        rep->bad_line = i;
                        memcpy(rep->why, why, sizeof rep->why);
                        return 1;
                }
                cj_journal_line_hash(rep->keyed ? key : NULL, line, n, rep->head);
                rep->lines = i;
        }
        return 0;
}
