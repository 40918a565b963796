/* SPDX-License-Identifier: MIT */
/*
 * Checkpoints: the agent's JSON payload plus clawjail's counters and the
 * journal head hash, in checkpoints/N.json.  The file is written atomically
 * *before* its "checkpoint" event is journaled: a crash in between leaves a
 * file numbered past the journal's last checkpoint, which is never listed or
 * loaded and is overwritten by the next save.  N comes from the journal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "task-internal.h"
#include "util/fileio.h"
#include "util/json.h"

#define CHECKPOINT_FILE_MAX (CJ_CHECKPOINT_PAYLOAD_MAX + 64 * 1024)

static char *checkpoint_path(const cj_task *t, uint64_t n) {
        char *p = NULL;
        if (asprintf(&p, "%s/checkpoints/%llu.json", t->dir, (unsigned long long) n) < 0)
                return NULL;
        return p;
}

static int save_locked(cj_task *t, const json_t *payload, const char *label, uint64_t *n_out, cj_error *err) {
        uint64_t n = t->st.checkpoints + 1;
        char ts[CJ_TIME_RFC3339_LEN + 1];
        cj_time_rfc3339(cj_now_ms(), ts);
        const cj_usage *u = &t->st.used;
        _cleanup_json_ json_t *doc = json_pack(
                "{s:I,s:s,s:s?,s:s,s:{s:I,s:s},s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:o,s:O}", "n", (json_int_t) n, "task", t->id,
                "label", label, "time", ts, "journal", "seq", (json_int_t) t->st.seq, "hash", t->st.head, "counters",
                "calls", (json_int_t) u->calls, "wall_ms", (json_int_t) u->wall_ms, "cpu_ms", (json_int_t) u->cpu_ms,
                "output_bytes", (json_int_t) u->output_bytes, "tokens", (json_int_t) u->tokens, "cost_micro_usd",
                (json_int_t) u->cost_micro_usd, "net_bytes", (json_int_t) u->net_bytes, "budget", cj_task_budget_json(t), "payload", (json_t *) payload);
        _cleanup_free_ char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        _cleanup_free_ char *path = checkpoint_path(t, n);
        if (!text || !path)
                return cj_error_set(err, ENOMEM, "out of memory");
        size_t len = strlen(text);
        text[len] = '\n'; /* replaces the NUL; length is passed explicitly */
        int r = cj_write_file_atomic(path, text, len + 1, 0600, err);
        if (r < 0)
                return r;
        char sha[CJ_SHA256_HEX_LEN + 1];
        if (cj_sha256_hex(text, len + 1, sha) < 0)
                return cj_error_set(err, EIO, "sha256 failed");
        _cleanup_json_ json_t *f = json_pack("{s:I,s:s?,s:s}", "n", (json_int_t) n, "label", label, "sha256", sha);
        if (!f)
                return cj_error_set(err, ENOMEM, "out of memory");
        r = cj_task_append(t, "checkpoint", f, NULL, NULL, err);
        if (r < 0)
                return r;
        *n_out = n;
        return 0;
}

int cj_task_checkpoint_save(cj_task *t, const json_t *payload, const char *label, uint64_t *n, cj_error *err) {
        if (label && strlen(label) > CJ_CHECKPOINT_LABEL_MAX)
                return cj_error_set(err, E2BIG, "checkpoint label longer than %d bytes", CJ_CHECKPOINT_LABEL_MAX);
        if (!payload)
                return cj_error_set(err, EINVAL, "checkpoint payload missing");
        _cleanup_free_ char *dump = json_dumps(payload, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!dump)
                return cj_error_set(err, ENOMEM, "out of memory");
        if (strlen(dump) > CJ_CHECKPOINT_PAYLOAD_MAX)
                return cj_error_set(err, E2BIG, "checkpoint payload larger than %u bytes", CJ_CHECKPOINT_PAYLOAD_MAX);
        int r = cj_task_lock(t, err);
        if (r < 0)
                return r;
        r = save_locked(t, payload, label, n, err);
        int s = cj_task_save(t, r >= 0 ? err : NULL);
        cj_task_unlock(t);
        return r < 0 ? r : s;
}

int cj_task_checkpoint_load(cj_task *t, uint64_t n, json_t **out, cj_error *err) {
        if (n == 0)
                n = t->st.checkpoints;
        if (n == 0 || n > t->st.checkpoints)
                return n == 0 ? cj_error_set(err, ENOENT, "task '%s' has no checkpoint", t->id)
                              : cj_error_set(err, ENOENT, "task '%s' has no checkpoint %llu (latest is %llu)", t->id,
                                             (unsigned long long) n, (unsigned long long) t->st.checkpoints);
        _cleanup_free_ char *path = checkpoint_path(t, n);
        _cleanup_free_ char *text = NULL;
        if (!path)
                return cj_error_set(err, ENOMEM, "out of memory");
        int r = cj_read_file(path, CHECKPOINT_FILE_MAX, &text, NULL, err);
        if (r < 0)
                return r;
        json_error_t je;
        json_t *j = json_loads(text, 0, &je);
        if (!j)
                return cj_error_set(err, EBADMSG, "%s: %s", path, je.text);
        *out = j;
        return 0;
}

int cj_task_checkpoint_list(cj_task *t, json_t **out, cj_error *err) {
        _cleanup_json_ json_t *arr = json_array();
        if (!arr)
                return cj_error_set(err, ENOMEM, "out of memory");
        for (uint64_t n = 1; n <= t->st.checkpoints; n++) {
                _cleanup_json_ json_t *c = NULL;
                cj_error e = { 0 };
                if (cj_task_checkpoint_load(t, n, &c, &e) < 0) {
                        json_array_append_new(arr, json_pack("{s:I,s:s}", "n", (json_int_t) n, "error", e.msg));
                        continue;
                }
                json_t *calls = json_object_get(json_object_get(c, "counters"), "calls");
                json_t *seq = json_object_get(json_object_get(c, "journal"), "seq");
                if (json_array_append_new(arr, json_pack("{s:I,s:O?,s:O?,s:O?,s:O?}", "n", (json_int_t) n, "label",
                                                         json_object_get(c, "label"), "time", json_object_get(c, "time"),
                                                         "journal_seq", seq, "calls", calls)) < 0)
                        return cj_error_set(err, ENOMEM, "out of memory");
        }
        *out = TAKE_PTR(arr);
        return 0;
}
