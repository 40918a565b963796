/* SPDX-License-Identifier: MIT */
#pragma once

/* Shared between the tracker's files; not part of the API (see tracker.h). */

#include <stdbool.h>
#include <stdint.h>

#include "hostkey.h"
#include "state.h"
#include "tracker.h"

#define CJ_TASK_RUNNING_MAX 64 /* calls one cj_task object may have running at once */

struct cj_task {
        char *id;
        char *state_dir;
        char *dir;           /* STATE/tasks/ID */
        char *journal_path;  /* .../journal.jsonl */
        char *state_path;    /* .../state.json */
        int lock_fd;         /* flock(2) */
        int calls_fd;        /* OFD byte-range locks of running calls */
        int journal_fd;      /* O_RDWR | O_APPEND */
        int head_fd;         /* the MAC'd head record (keyed journals) */
        bool locked;
        bool dirty;          /* st differs from state.json */
        cj_state st;
        uint64_t running[CJ_TASK_RUNNING_MAX]; /* calls this object started, not ended */
        size_t n_running;
        cj_hostkey key;      /* loaded on first use (have_key) */
        bool have_key;
        /* The approval admission found for the call about to start. */
        char use_id[CJ_APPROVAL_ID_LEN + 1];
        bool use_once;
};

/* Run op with the lock held, then save state.json and unlock. */
#define WITH_LOCK(t, err, op)                                                                                          \
        ({                                                                                                             \
                int _r = cj_task_lock((t), (err));                                                                     \
                if (_r >= 0) {                                                                                         \
                        _r = (op);                                                                                     \
                        int _s = cj_task_save((t), _r >= 0 ? (err) : NULL);                                            \
                        if (_r >= 0 && _s < 0)                                                                         \
                                _r = _s;                                                                               \
                        cj_task_unlock(t);                                                                             \
                }                                                                                                      \
                _r;                                                                                                    \
        })

/* The host key (STATE/host.key), created on first use. */
int cj_task_hostkey(cj_task *t, const cj_hostkey **out, cj_error *err);

#define CJ_HEAD_RECORD_LEN 256 /* bytes of STATE/tasks/ID/head, space-padded */

/* The head record: the last durably appended line's seq and hash, MAC'd
 * under the host key, so a journal cut short (and state.json deleted) is
 * found.  read returns 0 with *seq/hash, 1 if there is none, -EBADMSG if its
 * MAC does not match (forged or damaged). */
int cj_task_head_write(cj_task *t);
int cj_task_head_read(const cj_task *t, uint64_t *seq, char hash[CJ_SHA256_HEX_LEN + 1]);

/* approve.c: with the lock held, decide an `ask` call against the operator's
 * approvals.  0: approved (t->use_* set); 2: none usable ("approval_required"
 * journaled); 3: the operator refused it ("denied" journaled).  *msg (malloc'd)
 * says why for 2 and 3. */
int cj_task_approval_check(cj_task *t, const cj_approval_ask *ask, char **msg, char request_id[CJ_APPROVAL_ID_LEN + 1],
                           cj_error *err);

/* Take the task lock and bring st up to date with the journal (recover). */
int cj_task_lock(cj_task *t, cj_error *err);

/* Write state.json if st changed. */
int cj_task_save(cj_task *t, cj_error *err);

/* Append an event (lock held): formats with the next seq and the head hash,
 * appends + fdatasync, folds it into st.  *seq and *hash (both may be NULL)
 * describe the new line. */
int cj_task_append(cj_task *t, const char *event, const json_t *fields, uint64_t *seq,
                   char hash[CJ_SHA256_HEX_LEN + 1], cj_error *err);

/* recover.c: fold journal lines st does not cover (replaying from scratch when
 * state.json does not match the journal), cut a torn tail ("repaired"), close
 * calls whose process died ("interrupted"), enforce loop limits ("stopped"). */
int cj_task_recover(cj_task *t, cj_error *err);

/* Is byte seq of calls.lock locked by another open file description? */
bool cj_task_call_alive(const cj_task *t, uint64_t seq);
