/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Operator approvals (pure): the part of a task's state that says which
 * `ask` calls the operator approved, refused or has yet to decide.  It is a
 * fold over the journal like every other counter:
 *
 *   approval_required {request, key, ...}   a call asked; pending until decided
 *   approved {request, key, scope, expires, by}   the operator said yes
 *   refused {request, reason, by}           the operator said no
 *   start {approval: {request, scope: "once"}}    a once-approval was used up
 *
 * `key` is the HMAC-SHA-256, under the host key, of everything the call is
 * (profile, cwd, command or argv, request env, stdin, the operator's --ro/--rw/
 * --net): computed by clawjail, stored in the journal, never shown to the
 * requester.  `request` is the first CJ_APPROVAL_ID_LEN hex digits of it: the
 * name an operator uses, which approves nothing by itself.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "hash.h"
#include "util/err.h"

#define CJ_APPROVAL_ID_LEN 16         /* hex digits of a request id */
#define CJ_APPROVALS_MAX 256          /* entries a task keeps (oldest decided/pending dropped first) */
#define CJ_APPROVAL_TTL_MAX (366L * 86400) /* --ttl seconds at most */
#define CJ_APPROVAL_TEXT_MAX 512      /* bytes of a command summary or reason kept */

typedef enum cj_approval_kind {
        CJ_APPROVAL_PENDING,
        CJ_APPROVAL_ONCE,  /* approved for one run */
        CJ_APPROVAL_TASK,  /* approved for every identical call in this task */
        CJ_APPROVAL_DENIED,
} cj_approval_kind;

typedef struct cj_approval {
        char id[CJ_APPROVAL_ID_LEN + 1];
        char key[CJ_SHA256_HEX_LEN + 1];
        cj_approval_kind kind;
        int64_t asked_ms, decided_ms;
        int64_t expires_ms; /* 0 = no expiry */
        char *command, *cwd, *profile; /* what was asked, for `clawjail approvals` */
        char *reason;                  /* refused: the operator's reason */
        char *by;                      /* who decided: "user (uid N)" */
} cj_approval;

typedef struct cj_approvals {
        cj_approval *v;
        size_t n;
} cj_approvals;

void cj_approvals_done(cj_approvals *a);

/* Fold one journal event (any event; those above change a). */
int cj_approvals_apply(cj_approvals *a, const char *event, int64_t time_ms, const json_t *ev);

/* The entry with this request id / this key, or NULL. */
const cj_approval *cj_approvals_find_id(const cj_approvals *a, const char *id);
const cj_approval *cj_approvals_find_key(const cj_approvals *a, const char *key);

/* Does entry e let a call run at now_ms? */
bool cj_approval_usable(const cj_approval *e, int64_t now_ms);

const char *cj_approval_kind_name(cj_approval_kind k); /* "pending", "once", "task", "denied" */

/* state.json and back; from_json fails (-EINVAL) on anything unexpected. */
json_t *cj_approvals_to_json(const cj_approvals *a);
int cj_approvals_from_json(const json_t *j, cj_approvals *a, cj_error *err);

/* One entry as shown by `clawjail approvals --json`. */
json_t *cj_approval_to_json(const cj_approval *e);
