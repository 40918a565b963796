/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The parent tracker: per-task budgets, loop governance, the hash-chained audit
 * journal, checkpoints and crash recovery (docs/tracker.md).
 *
 * A tracked call is
 *
 *     cj_task_open(state_dir, id, profile, &task, err);      creates, recovers
 *     r = cj_task_admit(task, &refusal, err);                 1 = refused (exit 122)
 *     cj_task_call_start(task, start_fields, &seq, err);      journals "start"
 *         ... the sandbox runs; no task lock is held ...
 *     cj_task_call_end(task, seq, &outcome, &budget, &journal, err);
 *     cj_task_free(task);
 *
 * Locking: STATE/tasks/ID/lock is flock(2)ed exclusively only around journal
 * appends and state.json updates (admission + start, end + counters, operator
 * commands), never while the sandbox runs, so parallel calls on one task
 * overlap.  A running call holds an OFD byte-range lock on byte SEQ of
 * STATE/tasks/ID/calls.lock; the kernel drops it when the process dies, which is
 * how a later access tells a crashed call (closed as "interrupted") from one
 * still running in another process.
 *
 * Every access (open, and each lock acquisition) recovers: a torn journal tail
 * is cut and journaled as "repaired", journal lines state.json does not cover
 * yet are folded in, open calls whose owner died are closed as "interrupted",
 * and a loop limit reached but not yet acted on stops the task.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "budget.h"
#include "hash.h"
#include "journal.h"
#include "profile/profile.h"
#include "state.h"
#include "util/err.h"

#define CJ_CHECKPOINT_PAYLOAD_MAX (1u << 20) /* bytes of a checkpoint's JSON payload */
#define CJ_CHECKPOINT_LABEL_MAX 256
#define CJ_TASKS_LIST_MAX 100000 /* task list stops after this many */

typedef struct cj_task cj_task;

/* ---- Paths ---- */

/* Task ids: [A-Za-z0-9._-], 1..CJ_TASK_ID_MAX bytes, no leading '.'. */
bool cj_task_id_valid(const char *id);

/* The state dir: opt (--state-dir) if set, else $CLAWJAIL_STATE_DIR, else
 * /var/lib/clawjail for root, else $XDG_STATE_HOME/clawjail, else
 * ~/.local/state/clawjail.  *out is malloc'd. */
int cj_state_dir_resolve(const char *opt, char **out, cj_error *err);

/* ---- Opening ---- */

/* Open task id under state_dir, creating it if needed, and recover it.  profile
 * (may be NULL) supplies the budget limits: when its name, hash or budget
 * differ from what the journal last recorded, a "profile" event is appended. */
int cj_task_open(const char *state_dir, const char *id, const cj_profile *profile, cj_task **out, cj_error *err);

/* Same for an existing task only (-ENOENT otherwise); no profile is recorded. */
int cj_task_open_existing(const char *state_dir, const char *id, cj_task **out, cj_error *err);

/* Open an existing task without locking or recovering it: only for
 * cj_task_verify / cj_task_journal_load on a journal recovery refuses. */
int cj_task_open_raw(const char *state_dir, const char *id, cj_task **out, cj_error *err);

/* Create a new task with operator budget overrides (CJ_BUDGET_INHERIT where
 * none); -EEXIST if it exists. */
int cj_task_create(const char *state_dir, const char *id, const cj_budget *overrides, cj_task **out, cj_error *err);

/* Release the locks (a call still running is then seen as interrupted) and free. */
void cj_task_free(cj_task *t);
static inline void cj_task_freep(cj_task **t) {
        cj_task_free(*t);
}
#define _cleanup_task_ __attribute__((cleanup(cj_task_freep)))

/* ---- A call ---- */

/* May a call start?  Returns 0 with the task lock held (call_start must follow,
 * or cj_task_unlock), or 1 when refused: the task is stopped or a budget is
 * exhausted, *refusal (malloc'd) says why, and "budget_exhausted" or "refused"
 * was journaled.  Nothing may run then (exit 122). */
int cj_task_admit(cj_task *t, char **refusal, cj_error *err);

/* What an `ask` call is, for the operator's approval (docs/tracker.md). */
typedef struct cj_approval_ask {
        const json_t *identity; /* everything the call is (profile, cwd, command/argv, env, stdin,
                                   operator flags): HMAC'd under the host key into the approval key */
        const json_t *fields;   /* what the journal's approval_required / denied event shows */
} cj_approval_ask;

typedef enum cj_task_admission {
        CJ_ADMIT_OK = 0,       /* admitted: the lock stays held for call_start */
        CJ_ADMIT_REFUSED = 1,  /* stopped task or exhausted budget (exit 122) */
        CJ_ADMIT_ASK = 2,      /* no usable approval: "approval_required" journaled (exit 121) */
        CJ_ADMIT_DENIED = 3,   /* the operator refused this request: "denied" journaled (exit 120) */
        CJ_ADMIT_LOOP = 4,     /* a loop limit blocks this command: "loop_refused" journaled (exit 122) */
} cj_task_admission;

/* cj_task_admit for a call described by start_fields (its command or argv
 * decides whether a loop block applies), with ask set when the verdict is
 * `ask`: admitted only if an operator approval covers exactly this call (a
 * once-approval is used up by the start that must follow).  Returns a
 * cj_task_admission; *refusal (malloc'd) says why for the refusals (for ASK only
 * when an approval expired).  request_id (may be NULL) gets the request's id. */
int cj_task_admit_call(cj_task *t, const json_t *start_fields, const cj_approval_ask *ask, char **refusal,
                       char request_id[CJ_APPROVAL_ID_LEN + 1], cj_error *err);

/* ---- Operator approvals (clawjail approve / deny / approvals) ---- */

typedef struct cj_operator {
        unsigned uid;
        const char *user; /* user name, or NULL */
        const char *via;  /* a front end that relayed the decision (MCP elicitation), or NULL */
} cj_operator;

/* Approve request id (journals "approved"): for one run (for_task false) or
 * every identical call of the task; ttl_s > 0 makes it expire.  -ENOENT if
 * the task never asked for id. */
int cj_task_approve(cj_task *t, const char *id, bool for_task, int64_t ttl_s, const cj_operator *by, cj_error *err);

/* Refuse request id (journals "refused" with the reason). */
int cj_task_deny(cj_task *t, const char *id, const char *reason, const cj_operator *by, cj_error *err);

/* [{"request","state","asked","command","cwd","profile","decided","expires","by"}...]:
 * every approval the task remembers (pending ones when pending_only). */
json_t *cj_task_approvals_json(const cj_task *t, bool pending_only);

/* Release the lock cj_task_admit left held, without starting a call. */
void cj_task_unlock(cj_task *t);

/* Journal "start" with start_fields (tool, command or argv, profile {name,
 * sha256}, cwd, verdict ...; a "command_sha256" of command/argv is added) and
 * count the call.  *seq identifies the call for call_end.  Releases the lock. */
int cj_task_call_start(cj_task *t, const json_t *start_fields, uint64_t *seq, cj_error *err);

/* What the sandbox reports about a finished call. */
typedef struct cj_call_outcome {
        const char *status;   /* "ok", "timeout", "error" (SPEC result status) */
        int exit_code;        /* -1 if none */
        int signal;           /* 0 if none */
        int64_t duration_ms, cpu_ms; /* cpu: every descendant */
        int64_t peak_memory_bytes;   /* -1 if unknown */
        uint64_t stdout_bytes, stderr_bytes;         /* whole streams, before any cut */
        char stdout_sha256[CJ_SHA256_HEX_LEN + 1];   /* of the whole streams */
        char stderr_sha256[CJ_SHA256_HEX_LEN + 1];
        bool progress;        /* the call changed the workspace (loop governance) */
        const json_t *extra;  /* more fields for the "end" event (may be NULL) */
} cj_call_outcome;

/* Journal "end", charge wall/CPU/output, run loop governance (which may append
 * "stopped").  *budget_json gets the result's "budget" object and *journal_json
 * {"seq":N,"hash":H} of the end event (either may be NULL). */
int cj_task_call_end(cj_task *t, uint64_t seq, const cj_call_outcome *outcome, json_t **budget_json,
                     json_t **journal_json, cj_error *err);

/* Journal another event about a call: "denied" or "rejected"; or "net", one
 * connection through the egress proxy (launcher/net/proxy.h), whose bytes_up +
 * bytes_down count toward net_bytes.  Nothing else is counted.  *seq (may be
 * NULL) gets its seq. */
int cj_task_record(cj_task *t, const char *event, const json_t *fields, uint64_t *seq, cj_error *err);

/* Where a call's whole output stream is kept ("stdout"/"stderr"); malloc'd. */
char *cj_task_output_path(const cj_task *t, uint64_t seq, const char *stream);

/* ---- Operator and harness ---- */

/* Charge tokens and cost (micro-USD) reported by the harness; journals "charge". */
int cj_task_charge(cj_task *t, int64_t tokens, int64_t cost_micro_usd, cj_error *err);

/* Stop the task (journals "stopped"); later calls are refused with the reason. */
int cj_task_stop(cj_task *t, const char *reason, const char *by, cj_error *err);

/* Lift a stop and every loop block (journals "resumed", resets loop streaks).
 * Returns 1, journaling nothing, if the task was neither stopped nor blocked. */
int cj_task_resume(cj_task *t, cj_error *err);

/* Replace the operator's budget overrides (keys at CJ_BUDGET_INHERIT are left
 * as they were); journals "budget_set". */
int cj_task_set_budget(cj_task *t, const cj_budget *overrides, cj_error *err);

/* ---- Reading ---- */

/* The task's state after recovery (valid until the next call on t). */
const cj_state *cj_task_state(const cj_task *t);
const char *cj_task_id(const cj_task *t);
const char *cj_task_dir(const cj_task *t);

/* The SPEC's status object: {"task","state","reason","budget","resume"}. */
json_t *cj_task_status_json(const cj_task *t);

/* The "budget" object of the SPEC's result. */
json_t *cj_task_budget_json(const cj_task *t);

/* A journal position shipped off the host (`journal head`): line seq hashed to hash. */
typedef struct cj_journal_anchor {
        uint64_t seq;
        char hash[CJ_SHA256_HEX_LEN + 1];
} cj_journal_anchor;

typedef struct cj_verify_opts {
        const cj_journal_anchor *anchor; /* the journal must hold this line with this hash */
        bool legacy_ok;                  /* accept an unkeyed (SHA-256) chain */
} cj_verify_opts;

/* Verify the journal under a shared lock: the chain (keyed: HMAC-SHA-256
 * under the host key), the MAC'd head record, an anchor (opts may be NULL),
 * then that state.json's position and counters agree with a replay of it.
 * Returns 0 intact, 1 damaged (rep names the first bad line, 0 if the problem
 * is not a line). */
int cj_task_verify(cj_task *t, const cj_verify_opts *opts, cj_journal_report *rep, cj_error *err);

/* {"task","seq","hash","chain","key_id","time"}: the journal's head, an anchor
 * to ship off the host. */
json_t *cj_task_head_json(const cj_task *t);

/* Every journal line as a JSON array (for `journal show`). */
int cj_task_journal_load(cj_task *t, json_t **out, cj_error *err);

/* Task ids under state_dir, sorted.  *out is a JSON array of strings. */
int cj_task_list(const char *state_dir, json_t **out, cj_error *err);

/* ---- Checkpoints ---- */

/* Store payload (any JSON) as checkpoint N+1 with the counters and the journal
 * head hash, atomically; journals "checkpoint".  *n gets its number. */
int cj_task_checkpoint_save(cj_task *t, const json_t *payload, const char *label, uint64_t *n, cj_error *err);

/* Checkpoint n (0 = latest); -ENOENT if there is none. */
int cj_task_checkpoint_load(cj_task *t, uint64_t n, json_t **out, cj_error *err);

/* [{"n","label","time","seq","calls"}...] of every checkpoint. */
int cj_task_checkpoint_list(cj_task *t, json_t **out, cj_error *err);
