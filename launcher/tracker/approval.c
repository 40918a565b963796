/* SPDX-License-Identifier: MIT */
#include "approval.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "state.h"
#include "util/json.h"

static const char *const kind_names[] = { "pending", "once", "task", "denied" };

const char *cj_approval_kind_name(cj_approval_kind k) {
        return kind_names[k];
}

static void entry_clear(cj_approval *e) {
        free(e->command);
        free(e->cwd);
        free(e->profile);
        free(e->reason);
        free(e->by);
        memset(e, 0, sizeof *e);
}

void cj_approvals_done(cj_approvals *a) {
        for (size_t i = 0; i < a->n; i++)
                entry_clear(&a->v[i]);
        free(a->v);
        a->v = NULL;
        a->n = 0;
}

static ssize_t index_of(const cj_approvals *a, const char *id) {
        for (size_t i = 0; i < a->n; i++)
                if (strcmp(a->v[i].id, id) == 0)
                        return (ssize_t) i;
        return -1;
}

const cj_approval *cj_approvals_find_id(const cj_approvals *a, const char *id) {
        ssize_t i = index_of(a, id);
        return i >= 0 ? &a->v[i] : NULL;
}

const cj_approval *cj_approvals_find_key(const cj_approvals *a, const char *key) {
        for (size_t i = 0; i < a->n; i++)
                if (strcmp(a->v[i].key, key) == 0)
                        return &a->v[i];
        return NULL;
}

bool cj_approval_usable(const cj_approval *e, int64_t now_ms) {
        if (!e || (e->kind != CJ_APPROVAL_ONCE && e->kind != CJ_APPROVAL_TASK))
                return false;
        return e->expires_ms == 0 || now_ms < e->expires_ms;
}

static void remove_at(cj_approvals *a, size_t i) {
        entry_clear(&a->v[i]);
        memmove(&a->v[i], &a->v[i + 1], (a->n - i - 1) * sizeof a->v[0]);
        a->n--;
}

/* The entry for id, created (evicting the oldest when full) if missing. */
static cj_approval *entry_for(cj_approvals *a, const char *id, const char *key) {
        ssize_t i = index_of(a, id);
        if (i >= 0)
                return &a->v[i];
        if (a->n >= CJ_APPROVALS_MAX)
                remove_at(a, 0);
        cj_approval *nv = realloc(a->v, (a->n + 1) * sizeof *nv);
        if (!nv)
                return NULL;
        a->v = nv;
        cj_approval *e = &a->v[a->n++];
        memset(e, 0, sizeof *e);
        snprintf(e->id, sizeof e->id, "%s", id);
        snprintf(e->key, sizeof e->key, "%s", key);
        return e;
}

static int set_text(char **dst, const char *s) {
        char *n = NULL;
        if (s && !(n = cj_strndup_utf8(s, CJ_APPROVAL_TEXT_MAX)))
                return -ENOMEM;
        free(*dst);
        *dst = n;
        return 0;
}

static bool id_valid(const char *id) {
        if (!id || strlen(id) != CJ_APPROVAL_ID_LEN)
                return false;
        for (size_t i = 0; id[i]; i++)
                if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
                        return false;
        return true;
}

static const char *str(const json_t *o, const char *k) {
        return json_string_value(json_object_get(o, k));
}

int cj_approvals_apply(cj_approvals *a, const char *event, int64_t time_ms, const json_t *ev) {
        const char *id = str(ev, "request");
        if (strcmp(event, "start") == 0) {
                json_t *use = json_object_get(ev, "approval");
                const char *uid = str(use, "request"), *scope = str(use, "scope");
                ssize_t i = uid ? index_of(a, uid) : -1;
                if (i >= 0 && scope && strcmp(scope, "once") == 0 && a->v[i].kind == CJ_APPROVAL_ONCE)
                        remove_at(a, (size_t) i); /* used up */
                return 0;
        }
        if (!id_valid(id))
                return 0; /* not about an approval ("refused" also means a stopped task's refusal) */
        const char *key = str(ev, "key");
        if (strcmp(event, "approval_required") == 0) {
                if (!key || !cj_hash_hex_valid(key))
                        return 0;
                cj_approval *e = entry_for(a, id, key);
                if (!e)
                        return -ENOMEM;
                const char *cmd = str(ev, "command");
                json_t *prof = json_object_get(ev, "profile");
                _cleanup_free_ char *argv = !cmd && json_object_get(ev, "argv") ? cj_json_line(json_object_get(ev, "argv")) : NULL;
                e->kind = CJ_APPROVAL_PENDING;
                e->asked_ms = time_ms;
                e->decided_ms = e->expires_ms = 0;
                if (set_text(&e->command, cmd ? cmd : argv) < 0 || set_text(&e->cwd, str(ev, "cwd")) < 0 ||
                    set_text(&e->profile, str(prof, "name")) < 0 || set_text(&e->reason, NULL) < 0 ||
                    set_text(&e->by, NULL) < 0)
                        return -ENOMEM;
                return 0;
        }
        bool approved = strcmp(event, "approved") == 0, refused = strcmp(event, "refused") == 0;
        if (!approved && !refused)
                return 0;
        ssize_t i = index_of(a, id);
        if (i < 0)
                return 0; /* `clawjail approve` only names requests that asked */
        cj_approval *e = &a->v[i];
        const char *scope = str(ev, "scope");
        json_t *exp = json_object_get(ev, "expires_ms"), *by = json_object_get(ev, "by");
        e->kind = refused ? CJ_APPROVAL_DENIED : scope && strcmp(scope, "task") == 0 ? CJ_APPROVAL_TASK : CJ_APPROVAL_ONCE;
        e->decided_ms = time_ms;
        e->expires_ms = approved && json_is_integer(exp) ? json_integer_value(exp) : 0;
        char who[160] = "";
        if (json_is_object(by))
                snprintf(who, sizeof who, "%s (uid %lld)", str(by, "user") ? str(by, "user") : "?",
                         (long long) json_integer_value(json_object_get(by, "uid")));
        if (set_text(&e->reason, refused ? str(ev, "reason") : NULL) < 0 || set_text(&e->by, who[0] ? who : NULL) < 0)
                return -ENOMEM;
        /* Keep decided entries at the end, so eviction drops the oldest first. */
        cj_approval keep = *e;
        memmove(&a->v[i], &a->v[i + 1], (a->n - (size_t) i - 1) * sizeof a->v[0]);
        a->v[a->n - 1] = keep;
        return 0;
}

json_t *cj_approval_to_json(const cj_approval *e) {
        char asked[CJ_TIME_RFC3339_LEN + 1], decided[CJ_TIME_RFC3339_LEN + 1], expires[CJ_TIME_RFC3339_LEN + 1];
        cj_time_rfc3339(e->asked_ms, asked);
        cj_time_rfc3339(e->decided_ms, decided);
        cj_time_rfc3339(e->expires_ms, expires);
        return json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?}", "request", e->id, "state",
                         cj_approval_kind_name(e->kind), "asked", asked, "command", e->command, "cwd", e->cwd,
                         "profile", e->profile, "decided", e->decided_ms ? decided : NULL, "expires",
                         e->expires_ms ? expires : NULL, "by", e->by);
}

json_t *cj_approvals_to_json(const cj_approvals *a) {
        _cleanup_json_ json_t *arr = json_array();
        if (!arr)
                return NULL;
        for (size_t i = 0; i < a->n; i++) {
                const cj_approval *e = &a->v[i];
                if (json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:s?,s:s?,s:s?,s:s?,s:s?}", "id", e->id,
                                                         "key", e->key, "kind", cj_approval_kind_name(e->kind),
                                                         "asked_ms", (json_int_t) e->asked_ms, "decided_ms",
                                                         (json_int_t) e->decided_ms, "expires_ms",
                                                         (json_int_t) e->expires_ms, "command", e->command, "cwd",
                                                         e->cwd, "profile", e->profile, "reason", e->reason, "by",
                                                         e->by)) < 0)
                        return NULL;
        }
        return TAKE_PTR(arr);
}

static int dup_opt(char **dst, const json_t *v) {
        if (json_is_null(v) || !v)
                return 0;
        if (!json_is_string(v))
                return -EINVAL;
        return (*dst = strdup(json_string_value(v))) ? 0 : -ENOMEM;
}

int cj_approvals_from_json(const json_t *j, cj_approvals *a, cj_error *err) {
        if (!json_is_array(j) || json_array_size(j) > CJ_APPROVALS_MAX)
                return cj_error_set(err, EINVAL, "state.json: bad approvals");
        size_t i;
        json_t *o;
        json_array_foreach(j, i, o) {
                const char *id, *key, *kind;
                json_int_t asked, decided, expires;
                json_t *cmd = NULL, *cwd = NULL, *prof = NULL, *reason = NULL, *by = NULL;
                json_error_t je;
                if (json_unpack_ex(o, &je, 0, "{s:s,s:s,s:s,s:I,s:I,s:I,s?o,s?o,s?o,s?o,s?o}", "id", &id, "key", &key,
                                   "kind", &kind, "asked_ms", &asked, "decided_ms", &decided, "expires_ms", &expires,
                                   "command", &cmd, "cwd", &cwd, "profile", &prof, "reason", &reason, "by", &by) < 0 ||
                    !id_valid(id) || !cj_hash_hex_valid(key))
                        return cj_error_set(err, EINVAL, "state.json: bad approval entry");
                int k = -1;
                for (size_t n = 0; n < CJ_ARRAY_SIZE(kind_names); n++)
                        if (strcmp(kind, kind_names[n]) == 0)
                                k = (int) n;
                cj_approval *e = k >= 0 ? entry_for(a, id, key) : NULL;
                if (!e)
                        return cj_error_set(err, EINVAL, "state.json: bad approval entry");
                e->kind = (cj_approval_kind) k;
                e->asked_ms = asked;
                e->decided_ms = decided;
                e->expires_ms = expires;
                if (dup_opt(&e->command, cmd) < 0 || dup_opt(&e->cwd, cwd) < 0 || dup_opt(&e->profile, prof) < 0 ||
                    dup_opt(&e->reason, reason) < 0 || dup_opt(&e->by, by) < 0)
                        return cj_error_set(err, EINVAL, "state.json: bad approval entry");
        }
        return 0;
}
