/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * A task's state (pure): counters, status, loop streaks, open calls, last
 * checkpoint.  It is a fold over the journal: cj_state_apply_line() applied to
 * every line from an empty state gives exactly the state, and state.json is
 * only a cache of that fold tagged with the journal position (seq, bytes, head
 * hash) it reflects.  That is what makes recovery after kill -9 trivial: replay
 * whatever journal lines the cache does not cover yet.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "approval.h"
#include "budget.h"
#include "hash.h"
#include "loop.h"
#include "util/err.h"

#define CJ_TASK_ID_MAX 128          /* bytes of a task id */
#define CJ_TASK_OPEN_MAX 1024       /* calls running at once in one task */
#define CJ_TASK_INTERRUPTED_MAX 64  /* interrupted calls remembered for `task status` */
#define CJ_SUMMARY_MAX 256          /* bytes of a command kept in state.json */
#define CJ_STOP_REASON_MAX 1024     /* bytes of a stop reason */
#define CJ_STATE_FILE_MAX (4u << 20)

typedef struct cj_open_call {
        uint64_t seq;     /* of the start event */
        int64_t time_ms;  /* when it started */
        char *command;    /* summary, at most CJ_SUMMARY_MAX bytes */
        char command_sha256[CJ_SHA256_HEX_LEN + 1];
} cj_open_call;

typedef struct cj_interrupted {
        uint64_t seq; /* of the start event */
        int64_t time_ms;
        char *command;
} cj_interrupted;

typedef struct cj_state {
        char task[CJ_TASK_ID_MAX + 1];
        uint64_t seq;                    /* last journal line folded in */
        uint64_t bytes;                  /* journal bytes folded in */
        char head[CJ_SHA256_HEX_LEN + 1]; /* hash of line `seq` */
        bool keyed;                      /* line 1 says "chain":"hmac-sha256": line hashes are HMACs */
        bool have_key;                   /* key below is the host key (never serialized) */
        uint8_t key[32];

        bool stopped;
        char *reason;

        cj_usage used;
        cj_budget overrides; /* operator's, CJ_BUDGET_INHERIT where none */
        bool has_profile;
        char *profile_name, *profile_sha256;
        cj_budget profile_budget;

        cj_loop loop;

        cj_open_call *open;
        size_t n_open;
        cj_interrupted *interrupted; /* since the last checkpoint, newest last */
        size_t n_interrupted;

        uint64_t checkpoints;      /* number of the last checkpoint, 0 = none */
        uint64_t checkpoint_seq;   /* journal seq of its event */
        int64_t checkpoint_time_ms;
        int64_t calls_at_checkpoint;
        char *checkpoint_label;

        cj_approvals approvals; /* the operator's decisions on `ask` calls */
} cj_state;

/* An empty state for task (nothing folded in yet). */
void cj_state_init(cj_state *st, const char *task);

/* The host key a keyed journal's line hashes are HMACs under (key may be NULL). */
void cj_state_set_key(cj_state *st, const uint8_t *key);

/* The hash of one journal line as this state's chain defines it: HMAC-SHA-256
 * under the host key for a keyed journal, SHA-256 for a legacy one.
 * -ENOKEY for a keyed journal without the key. */
int cj_state_line_hash(const cj_state *st, const char *line, size_t len, char out[CJ_SHA256_HEX_LEN + 1]);
void cj_state_done(cj_state *st); /* frees members; st may be reused after init */

/* Fold one verified journal line (its bytes, and the parsed object) into st:
 * advances seq/bytes/head and applies the event.  Unknown events only advance. */
int cj_state_apply_line(cj_state *st, const char *line, size_t len, const json_t *ev, cj_error *err);

/* The limits in force: the profile's budget overridden by the operator's. */
void cj_state_limits(const cj_state *st, cj_budget *out);

/* If a loop limit is reached (and not yet acted on by a "loop_detected"
 * event), a malloc'd reason ("repeat_limit: ...").  NULL otherwise.
 * *limit_name gets "repeat_limit" or "stall_limit". */
char *cj_state_loop_reason(const cj_state *st, const char **limit_name);

/* The open call with this start seq, or NULL. */
const cj_open_call *cj_state_find_open(const cj_state *st, uint64_t seq);

/* state.json and back.  from_json fails (-EINVAL) on anything unexpected; the
 * caller then rebuilds the state from the journal. */
json_t *cj_state_to_json(const cj_state *st);
int cj_state_from_json(const json_t *j, const char *task, cj_state *st, cj_error *err);

/* Parse "YYYY-MM-DDTHH:MM:SS.mmmZ" to ms since the epoch. */
int cj_time_parse_rfc3339(const char *s, int64_t *ms);

/* Copy s cut at max bytes (on a UTF-8 boundary).  NULL on ENOMEM. */
char *cj_strndup_utf8(const char *s, size_t max);
