/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The audit journal (docs/tracker.md): JSON lines, one event each, written with
 * O_APPEND + fdatasync.  Every line is a compact JSON object whose first keys
 * are, in this order,
 *
 *   seq    1, 2, 3 ... (line number)
 *   time   RFC 3339 UTC with milliseconds
 *   event  "start", "end", "charge", ...
 *   task   the task id
 *   prev   hex SHA-256 of the previous line's bytes (without its newline);
 *          line 1 has CJ_JOURNAL_GENESIS
 *
 * followed by the event's own fields.  The "hash" of a line is the SHA-256 of
 * its bytes without the newline; the journal's head hash is that of the last line.
 * Formatting and verification are pure; only cj_journal_append touches a file.
 */

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

#include "hash.h"
#include "util/err.h"

#define CJ_JOURNAL_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"
#define CJ_JOURNAL_LINE_MAX (256u * 1024)     /* one event; larger is refused / a damaged line */
#define CJ_JOURNAL_FILE_MAX (1024ul << 20)     /* journal verify / replay reads at most this */
#define CJ_JOURNAL_WHY_MAX 256
#define CJ_TIME_RFC3339_LEN 24 /* "2024-01-02T03:04:05.678Z" */

/* Milliseconds since the epoch (CLOCK_REALTIME) and its RFC 3339 UTC form. */
int64_t cj_now_ms(void);
void cj_time_rfc3339(int64_t ms, char out[CJ_TIME_RFC3339_LEN + 1]);

/* Build one line (no newline) for the given header and event fields (may be
 * NULL; must not use the header's keys).  *line is malloc'd; -E2BIG past
 * CJ_JOURNAL_LINE_MAX.  *obj (may be NULL) gets the whole event as JSON. */
int cj_journal_format(uint64_t seq, int64_t time_ms, const char *event, const char *task, const char *prev,
                      const json_t *fields, char **line, size_t *len, json_t **obj, cj_error *err);

/* Append line + '\n' to fd (opened O_APPEND) in one write, then fdatasync
 * unless durable is false.  On a short write the file is truncated back to
 * old_size, so no torn line stays. */
int cj_journal_append(int fd, off_t old_size, const char *line, size_t len, bool durable, cj_error *err);

/* Check one line against the chain: valid JSON object, seq == expect_seq, task
 * matches (task may be NULL), prev == expect_prev.  Returns 0 and *obj (may be
 * NULL), or -EBADMSG with a reason in why.  A prev mismatch alone returns -EXDEV
 * so the caller can tell "this line is fine but what precedes it is not". */
int cj_journal_check_line(const char *line, size_t len, uint64_t expect_seq, const char *expect_prev,
                          const char *task, json_t **obj, char why[CJ_JOURNAL_WHY_MAX]);

typedef struct cj_journal_report {
        uint64_t lines;                    /* complete, verified lines */
        bool keyed;                        /* an HMAC-SHA-256 chain (line 1 says "chain":"hmac-sha256") */
        char head[CJ_SHA256_HEX_LEN + 1];  /* hash of the last verified line (genesis if none) */
        uint64_t bad_line;                 /* first damaged line (1-based), 0 if intact */
        char why[CJ_JOURNAL_WHY_MAX];
} cj_journal_report;

/* The hash of a line: HMAC-SHA-256 under key (CJ_HMAC_KEY_LEN bytes) for a
 * keyed chain, SHA-256 when key is NULL (a legacy chain). */
void cj_journal_line_hash(const uint8_t *key, const char *line, size_t len, char out[CJ_SHA256_HEX_LEN + 1]);

/* Verify a whole journal held in memory.  A journal whose line 1 says
 * "chain":"hmac-sha256" is checked with HMACs under key (damaged if key is
 * NULL), any other as a legacy SHA-256 chain.  Returns 0 if intact, 1 if
 * damaged (report names the first bad line and why), <0 on ENOMEM. */
int cj_journal_verify_buf(const char *buf, size_t len, const char *task, const uint8_t *key, cj_journal_report *rep);

/* Next line of buf starting at *pos: *line and *len without the newline, *complete
 * false for a last line without newline.  Returns false at the end. */
bool cj_journal_next_line(const char *buf, size_t buflen, size_t *pos, const char **line, size_t *len,
                          bool *complete);
