/* SPDX-License-Identifier: MIT */
/* Operator approvals of `ask` calls: the admission check a call goes through
 * (under the task lock, so a once-approval is used by exactly one start) and
 * the operator's approve / deny commands.  The fold is in approval.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "task-internal.h"
#include "util/json.h"

int cj_task_hostkey(cj_task *t, const cj_hostkey **out, cj_error *err) {
        if (!t->have_key) {
                int r = cj_hostkey_load(t->state_dir, true, &t->key, err);
                if (r < 0)
                        return r;
                t->have_key = true;
                cj_state_set_key(&t->st, t->key.key);
        }
        *out = &t->key;
        return 0;
}

/* The approval key: HMAC-SHA-256 under the host key of the call's identity
 * (canonical JSON: sorted keys, compact), bound to this task. */
static int approval_key(cj_task *t, const json_t *identity, char key[CJ_SHA256_HEX_LEN + 1], cj_error *err) {
        const cj_hostkey *k = NULL;
        int r = cj_task_hostkey(t, &k, err);
        if (r < 0)
                return r;
        _cleanup_json_ json_t *o = json_pack("{s:s,s:s,s:O}", "v", "clawjail-approval-2", "task", t->id, "call", identity);
        _cleanup_free_ char *text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII) : NULL;
        if (!text)
                return cj_error_set(err, ENOMEM, "out of memory");
        cj_hostkey_mac(k, text, strlen(text), key);
        return 0;
}

static int journal_ask(cj_task *t, const char *event, const cj_approval_ask *ask, json_t *extra, cj_error *err) {
        _cleanup_json_ json_t *f = ask->fields ? json_deep_copy(ask->fields) : json_object();
        if (!f || json_object_update(f, extra) < 0)
                return cj_error_set(err, ENOMEM, "out of memory");
        return cj_task_append(t, event, f, NULL, NULL, err);
}

int cj_task_approval_check(cj_task *t, const cj_approval_ask *ask, char **msg, char request_id[CJ_APPROVAL_ID_LEN + 1],
                           cj_error *err) {
        char key[CJ_SHA256_HEX_LEN + 1], id[CJ_APPROVAL_ID_LEN + 1];
        int r = approval_key(t, ask->identity, key, err);
        if (r < 0)
                return r;
        memcpy(id, key, CJ_APPROVAL_ID_LEN);
        id[CJ_APPROVAL_ID_LEN] = '\0';
        if (request_id)
                memcpy(request_id, id, sizeof id);
        const cj_approval *e = cj_approvals_find_key(&t->st.approvals, key);
        int64_t now = cj_now_ms();
        if (e && e->kind == CJ_APPROVAL_DENIED) {
                if (asprintf(msg, "the operator refused request %s%s%s", id, e->reason ? ": " : "",
                             e->reason ? e->reason : "") < 0)
                        return cj_error_set(err, ENOMEM, "out of memory");
                _cleanup_json_ json_t *x = json_pack("{s:s,s:s}", "request", id, "reason", *msg);
                r = x ? journal_ask(t, "denied", ask, x, err) : -ENOMEM;
                return r < 0 ? r : 3;
        }
        if (cj_approval_usable(e, now)) {
                memcpy(t->use_id, id, sizeof id);
                t->use_once = e->kind == CJ_APPROVAL_ONCE;
                return 0;
        }
        if (e && (e->kind == CJ_APPROVAL_ONCE || e->kind == CJ_APPROVAL_TASK)) {
                char when[CJ_TIME_RFC3339_LEN + 1];
                cj_time_rfc3339(e->expires_ms, when);
                if (asprintf(msg, "the approval of request %s expired at %s", id, when) < 0)
                        return cj_error_set(err, ENOMEM, "out of memory");
        }
        _cleanup_json_ json_t *x = json_pack("{s:s,s:s}", "request", id, "key", key);
        if (x && *msg)
                json_object_set_new(x, "expired", json_string(*msg));
        r = x ? journal_ask(t, "approval_required", ask, x, err) : -ENOMEM;
        return r < 0 ? r : 2;
}

static json_t *who(const cj_operator *by) {
        return json_pack("{s:I,s:s?,s:s?}", "uid", (json_int_t) by->uid, "user", by->user, "via", by->via);
}

static int decide_locked(cj_task *t, const char *id, bool approve, bool for_task, int64_t ttl_s, const char *reason,
                         const cj_operator *by, cj_error *err) {
        const cj_approval *e = cj_approvals_find_id(&t->st.approvals, id);
        if (!e)
                return cj_error_set(err, ENOENT, "task '%s' has no request '%s' (see 'clawjail approvals %s')", t->id,
                                    id, t->id);
        _cleanup_json_ json_t *f = json_pack("{s:s,s:s,s:o}", "request", id, "key", e->key, "by", who(by));
        if (!f)
                return cj_error_set(err, ENOMEM, "out of memory");
        if (approve) {
                json_object_set_new(f, "scope", json_string(for_task ? "task" : "once"));
                if (ttl_s > 0) {
                        int64_t exp = cj_now_ms() + ttl_s * 1000;
                        char when[CJ_TIME_RFC3339_LEN + 1];
                        cj_time_rfc3339(exp, when);
                        json_object_set_new(f, "expires_ms", json_integer(exp));
                        json_object_set_new(f, "expires", json_string(when));
                }
        } else {
                _cleanup_free_ char *r = cj_strndup_utf8(reason ? reason : "", CJ_APPROVAL_TEXT_MAX);
                if (!r)
                        return cj_error_set(err, EINVAL, "the reason must be UTF-8 text");
                if (r[0])
                        json_object_set_new(f, "reason", json_string(r));
        }
        return cj_task_append(t, approve ? "approved" : "refused", f, NULL, NULL, err);
}

int cj_task_approve(cj_task *t, const char *id, bool for_task, int64_t ttl_s, const cj_operator *by, cj_error *err) {
        if (ttl_s < 0 || ttl_s > CJ_APPROVAL_TTL_MAX)
                return cj_error_set(err, ERANGE, "--ttl must be 1 to %ld seconds", CJ_APPROVAL_TTL_MAX);
        return WITH_LOCK(t, err, decide_locked(t, id, true, for_task, ttl_s, NULL, by, err));
}

int cj_task_deny(cj_task *t, const char *id, const char *reason, const cj_operator *by, cj_error *err) {
        return WITH_LOCK(t, err, decide_locked(t, id, false, false, 0, reason, by, err));
}

json_t *cj_task_approvals_json(const cj_task *t, bool pending_only) {
        _cleanup_json_ json_t *a = json_array();
        if (!a)
                return NULL;
        const cj_approvals *ap = &t->st.approvals;
        for (size_t i = 0; i < ap->n; i++)
                if ((!pending_only || ap->v[i].kind == CJ_APPROVAL_PENDING) &&
                    json_array_append_new(a, cj_approval_to_json(&ap->v[i])) < 0)
                        return NULL;
        return TAKE_PTR(a);
}
