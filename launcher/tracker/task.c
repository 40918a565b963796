/* SPDX-License-Identifier: MIT */
/* Opening, locking and writing a task: the only code that appends to a journal
 * or replaces state.json. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "task-internal.h"
#include "util/fileio.h"
#include "util/json.h"

#define TASK_DIR_MODE 0700
#define TASK_FILE_MODE 0600

void cj_task_free(cj_task *t) {
        if (!t)
                return;
        if (t->locked)
                cj_task_unlock(t);
        /* Closing calls_fd drops every OFD lock of this object's running calls,
         * so a later access sees them as interrupted. */
        if (t->calls_fd >= 0)
                close(t->calls_fd);
        if (t->lock_fd >= 0)
                close(t->lock_fd);
        if (t->journal_fd >= 0)
                close(t->journal_fd);
        if (t->head_fd >= 0)
                close(t->head_fd);
        cj_state_done(&t->st);
        free(t->id);
        free(t->state_dir);
        explicit_bzero(&t->key, sizeof t->key);
        free(t->dir);
        free(t->journal_path);
        free(t->state_path);
        free(t);
}

const cj_state *cj_task_state(const cj_task *t) {
        return &t->st;
}

const char *cj_task_id(const cj_task *t) {
        return t->id;
}

const char *cj_task_dir(const cj_task *t) {
        return t->dir;
}

int cj_task_lock(cj_task *t, cj_error *err) {
        if (t->locked)
                return cj_task_recover(t, err);
        if (CJ_RETRY_EINTR(flock(t->lock_fd, LOCK_EX)) < 0)
                return cj_error_seterrno(err, errno, "%s: lock", t->dir);
        t->locked = true;
        int r = cj_task_recover(t, err);
        if (r < 0)
                cj_task_unlock(t);
        return r;
}

void cj_task_unlock(cj_task *t) {
        if (!t->locked)
                return;
        (void) flock(t->lock_fd, LOCK_UN);
        t->locked = false;
}

int cj_task_save(cj_task *t, cj_error *err) {
        if (!t->dirty)
                return 0;
        _cleanup_json_ json_t *j = cj_state_to_json(&t->st);
        _cleanup_free_ char *s = j ? json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
        if (!s)
                return cj_error_set(err, ENOMEM, "out of memory");
        size_t n = strlen(s);
        s[n] = '\0';
        _cleanup_free_ char *withnl = malloc(n + 2);
        if (!withnl)
                return cj_error_set(err, ENOMEM, "out of memory");
        memcpy(withnl, s, n);
        withnl[n] = '\n';
        /* A cache of the journal's fold (which is fsynced): rewritten in place,
         * since a stale, torn or garbled copy (a crash mid-write, a power loss)
         * is found and rebuilt from the journal on the next access. */
        int r = cj_write_file_inplace(t->state_path, withnl, n + 1, TASK_FILE_MODE, err);
        if (r < 0)
                return r;
        t->dirty = false;
        return 0;
}

int cj_task_append(cj_task *t, const char *event, const json_t *fields, uint64_t *seq,
                   char hash[CJ_SHA256_HEX_LEN + 1], cj_error *err) {
        if (!t->locked)
                return cj_error_set(err, EINVAL, "internal error: journal append without the task lock");
        _cleanup_free_ char *line = NULL;
        _cleanup_json_ json_t *obj = NULL;
        size_t len = 0;
        int r = cj_journal_format(t->st.seq + 1, cj_now_ms(), event, t->id, t->st.head, fields, &line, &len, &obj,
                                  err);
        if (r < 0)
                return r;
        /* Every event is fdatasynced before clawjail acts on it, except a call's
         * "end": if a power loss takes it, recovery closes the call as
         * "interrupted" and charges it (the SPEC's path for a start without end),
         * and the next event's sync makes it durable anyway. */
        bool durable = strcmp(event, "end") != 0;
        r = cj_journal_append(t->journal_fd, (off_t) t->st.bytes, line, len, durable, err);
        if (r < 0)
                return cj_error_prefix(err, "%s: ", t->journal_path);
        t->dirty = true;
        r = cj_state_apply_line(&t->st, line, len, obj, err);
        if (r < 0)
                return r;
        if (durable && t->st.keyed)
                (void) cj_task_head_write(t); /* best effort: verify says when it is missing */
        if (seq)
                *seq = t->st.seq;
        if (hash)
                memcpy(hash, t->st.head, CJ_SHA256_HEX_LEN + 1);
        return 0;
}

static int open_file(const char *dir, const char *name, int flags, int *fd, cj_error *err) {
        _cleanup_free_ char *p = cj_path_join(dir, name);
        if (!p)
                return cj_error_set(err, ENOMEM, "out of memory");
        *fd = open(p, flags | O_CLOEXEC | O_NOFOLLOW, TASK_FILE_MODE);
        if (*fd < 0)
                return cj_error_seterrno(err, errno, "%s", p);
        return 0;
}

static bool profile_changed(const cj_state *st, const cj_profile *p) {
        if (!st->has_profile)
                return true;
        if (strcmp(st->profile_name ? st->profile_name : "", p->name ? p->name : "") != 0 ||
            strcmp(st->profile_sha256 ? st->profile_sha256 : "", p->sha256 ? p->sha256 : "") != 0)
                return true;
        _cleanup_json_ json_t *a = cj_budget_limits_to_json(&st->profile_budget);
        _cleanup_json_ json_t *b = cj_budget_limits_to_json(&p->budget);
        return !json_equal(a, b);
}

typedef enum open_mode {
        OPEN_CREATE,   /* create if missing */
        OPEN_EXISTING, /* -ENOENT if missing */
        OPEN_NEW,      /* -EEXIST if it has a journal already */
        OPEN_RAW,      /* existing, no recovery: for inspecting a damaged journal */
} open_mode;

static int task_open(const char *state_dir, const char *id, open_mode mode, const cj_profile *profile,
                     const cj_budget *overrides, cj_task **out, cj_error *err) {
        if (!cj_task_id_valid(id))
                return cj_error_set(err, EINVAL,
                                    "invalid task id '%.*s': use 1 to %d of [A-Za-z0-9._-], not starting with '.'",
                                    CJ_TASK_ID_MAX, id, CJ_TASK_ID_MAX);
        cj_task *t = calloc(1, sizeof *t);
        if (!t)
                return cj_error_set(err, ENOMEM, "out of memory");
        _cleanup_task_ cj_task *task = t;
        t->lock_fd = t->calls_fd = t->journal_fd = t->head_fd = -1;
        cj_state_init(&t->st, id);
        _cleanup_free_ char *tasks = cj_path_join(state_dir, "tasks");
        if (!tasks || !(t->id = strdup(id)) || !(t->state_dir = strdup(state_dir)) || !(t->dir = cj_path_join(tasks, id)) ||
            !(t->journal_path = cj_path_join(t->dir, "journal.jsonl")) ||
            !(t->state_path = cj_path_join(t->dir, "state.json")))
                return cj_error_set(err, ENOMEM, "out of memory");

        struct stat sb;
        if ((mode == OPEN_EXISTING || mode == OPEN_RAW) && stat(t->journal_path, &sb) < 0)
                return errno == ENOENT ? cj_error_set(err, ENOENT, "no such task '%s' in %s", id, state_dir)
                                       : cj_error_seterrno(err, errno, "%s", t->journal_path);
        if (mode == OPEN_CREATE || mode == OPEN_NEW) {
                int r = cj_mkdir_p(tasks, TASK_DIR_MODE);
                if (r < 0)
                        return cj_error_seterrno(err, r, "%s", tasks);
                if (mkdir(t->dir, TASK_DIR_MODE) < 0 && errno != EEXIST)
                        return cj_error_seterrno(err, errno, "%s", t->dir);
                for (size_t i = 0; i < 2; i++) {
                        _cleanup_free_ char *sub = cj_path_join(t->dir, i == 0 ? "checkpoints" : "outputs");
                        if (!sub)
                                return cj_error_set(err, ENOMEM, "out of memory");
                        if (mkdir(sub, TASK_DIR_MODE) < 0 && errno != EEXIST)
                                return cj_error_seterrno(err, errno, "%s", sub);
                }
        }
        int r;
        if ((r = open_file(t->dir, "lock", O_RDWR | O_CREAT, &t->lock_fd, err)) < 0 ||
            (r = open_file(t->dir, "calls.lock", O_RDWR | O_CREAT, &t->calls_fd, err)) < 0 ||
            (r = open_file(t->dir, "journal.jsonl", O_RDWR | O_APPEND | O_CREAT, &t->journal_fd, err)) < 0)
                return r;
        /* The host key keys the chain of new journals and checks keyed ones. */
        r = cj_hostkey_load(state_dir, mode == OPEN_CREATE || mode == OPEN_NEW, &t->key, err);
        if (r < 0 && r != -ENOENT)
                return r;
        t->have_key = r >= 0;
        if (mode != OPEN_RAW &&
            (r = open_file(t->dir, "head", O_RDWR | O_CREAT, &t->head_fd, err)) < 0)
                return r;

        /* state.json is only a cache: if it is missing or unreadable, recovery
         * replays the whole journal. */
        _cleanup_free_ char *text = NULL;
        if (cj_read_file(t->state_path, CJ_STATE_FILE_MAX, &text, NULL, NULL) >= 0) {
                _cleanup_json_ json_t *j = json_loads(text, 0, NULL);
                cj_state cached;
                cj_state_init(&cached, id);
                if (j && cj_state_from_json(j, id, &cached, NULL) >= 0) {
                        cj_state_done(&t->st);
                        t->st = cached;
                } else {
                        cj_state_done(&cached);
                        cj_state_init(&t->st, id);
                        t->dirty = true;
                }
        } else
                t->dirty = true;
        cj_state_set_key(&t->st, t->have_key ? t->key.key : NULL);

        if (mode == OPEN_RAW) {
                *out = TAKE_PTR(task);
                return 0;
        }
        r = cj_task_lock(t, err);
        if (r < 0)
                return r;
        if (mode == OPEN_NEW && t->st.seq > 0) {
                cj_task_unlock(t);
                return cj_error_set(err, EEXIST, "task '%s' exists already (use task set-budget)", id);
        }
        if (t->st.seq == 0) {
                cj_budget none;
                cj_budget_inherit_all(&none);
                _cleanup_json_ json_t *f = json_pack("{s:o}", "budget",
                                                     cj_budget_limits_to_json(overrides ? overrides : &none));
                /* New journals are keyed: each prev is an HMAC under the host key. */
                if (f && t->have_key && (json_object_set_new(f, "chain", json_string("hmac-sha256")) < 0 ||
                                         json_object_set_new(f, "key_id", json_string(t->key.id)) < 0))
                        return cj_error_set(err, ENOMEM, "out of memory");
                r = f ? cj_task_append(t, "created", f, NULL, NULL, err) : cj_error_set(err, ENOMEM, "out of memory");
        }
        if (r >= 0 && profile && profile_changed(&t->st, profile)) {
                _cleanup_json_ json_t *f = json_pack("{s:s,s:s,s:o}", "name", profile->name ? profile->name : "",
                                                     "sha256", profile->sha256 ? profile->sha256 : "", "budget",
                                                     cj_budget_limits_to_json(&profile->budget));
                r = f ? cj_task_append(t, "profile", f, NULL, NULL, err) : cj_error_set(err, ENOMEM, "out of memory");
        }
        if (r >= 0)
                r = cj_task_save(t, err);
        cj_task_unlock(t);
        if (r < 0)
                return r;
        *out = TAKE_PTR(task);
        return 0;
}

int cj_task_open(const char *state_dir, const char *id, const cj_profile *profile, cj_task **out, cj_error *err) {
        return task_open(state_dir, id, OPEN_CREATE, profile, NULL, out, err);
}

int cj_task_open_existing(const char *state_dir, const char *id, cj_task **out, cj_error *err) {
        return task_open(state_dir, id, OPEN_EXISTING, NULL, NULL, out, err);
}

int cj_task_open_raw(const char *state_dir, const char *id, cj_task **out, cj_error *err) {
        return task_open(state_dir, id, OPEN_RAW, NULL, NULL, out, err);
}

int cj_task_create(const char *state_dir, const char *id, const cj_budget *overrides, cj_task **out, cj_error *err) {
        return task_open(state_dir, id, OPEN_NEW, NULL, overrides, out, err);
}

static void head_mac(const cj_task *t, uint64_t seq, const char *hash, char out[CJ_SHA256_HEX_LEN + 1]) {
        char msg[CJ_TASK_ID_MAX + CJ_SHA256_HEX_LEN + 64];
        int n = snprintf(msg, sizeof msg, "clawjail-head-1\n%s\n%llu\n%s", t->id, (unsigned long long) seq, hash);
        cj_hostkey_mac(&t->key, msg, (size_t) n, out);
}

int cj_task_head_write(cj_task *t) {
        if (t->head_fd < 0 || !t->have_key)
                return -EBADF;
        char mac[CJ_SHA256_HEX_LEN + 1], rec[CJ_HEAD_RECORD_LEN];
        head_mac(t, t->st.seq, t->st.head, mac);
        int n = snprintf(rec, sizeof rec, "{\"seq\":%llu,\"hash\":\"%s\",\"mac\":\"%s\"}",
                         (unsigned long long) t->st.seq, t->st.head, mac);
        memset(rec + n, ' ', sizeof rec - (size_t) n - 1);
        rec[sizeof rec - 1] = '\n';
        /* One pwrite of one small block in place: the old or the new record. */
        return pwrite(t->head_fd, rec, sizeof rec, 0) == (ssize_t) sizeof rec ? 0 : -EIO;
}

int cj_task_head_read(const cj_task *t, uint64_t *seq, char hash[CJ_SHA256_HEX_LEN + 1]) {
        _cleanup_free_ char *p = cj_path_join(t->dir, "head"), *text = NULL;
        size_t len = 0;
        if (!p)
                return -ENOMEM;
        int r = cj_read_file(p, CJ_HEAD_RECORD_LEN, &text, &len, NULL);
        if (r == -ENOENT || (r >= 0 && len == 0))
                return 1;
        if (r < 0)
                return -EBADMSG;
        _cleanup_json_ json_t *j = json_loadb(text, len, 0, NULL);
        json_int_t s = 0;
        const char *h = NULL, *m = NULL;
        if (!j || json_unpack(j, "{s:I,s:s,s:s}", "seq", &s, "hash", &h, "mac", &m) < 0 || s < 1 ||
            !cj_hash_hex_valid(h) || !t->have_key)
                return -EBADMSG;
        char want[CJ_SHA256_HEX_LEN + 1];
        head_mac(t, (uint64_t) s, h, want);
        if (!cj_hex_equal_ct(m, want))
                return -EBADMSG;
        *seq = (uint64_t) s;
        memcpy(hash, h, CJ_SHA256_HEX_LEN + 1);
        return 0;
}

char *cj_task_output_path(const cj_task *t, uint64_t seq, const char *stream) {
        char *p = NULL;
        if (asprintf(&p, "%s/outputs/%llu.%s", t->dir, (unsigned long long) seq, stream) < 0)
                return NULL;
        return p;
}
