/* SPDX-License-Identifier: MIT */
#include "loop.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hash.h"
#include "util/json.h"

void cj_loop_init(cj_loop *l) {
        memset(l, 0, sizeof *l);
}

bool cj_loop_seen(const cj_loop *l, const char *output_hash) {
        for (size_t i = 0; i < l->n_seen; i++)
                if (strcmp(l->seen[i], output_hash) == 0)
                        return true;
        return false;
}

static void seen_add(cj_loop *l, const char *h) {
        snprintf(l->seen[l->seen_next], sizeof l->seen[0], "%s", h);
        l->seen_next = (l->seen_next + 1) % CJ_LOOP_SEEN_MAX;
        if (l->n_seen < CJ_LOOP_SEEN_MAX)
                l->n_seen++;
}

void cj_loop_observe(cj_loop *l, const char *command_hash, int exit_code, int signal, const char *output_hash) {
        char material[3 * CJ_HASH_HEX_LEN + 64];
        snprintf(material, sizeof material, "%s\n%d\n%d\n%s", command_hash ? command_hash : "", exit_code, signal,
                 output_hash ? output_hash : "");
        char key[CJ_HASH_HEX_LEN + 1];
        cj_sha256_hex(material, strlen(material), key);
        if (l->repeat_count > 0 && strcmp(key, l->repeat_key) == 0)
                l->repeat_count++;
        else {
                memcpy(l->repeat_key, key, sizeof key);
                l->repeat_count = 1;
        }

        if (!output_hash)
                return;
        if (cj_loop_seen(l, output_hash))
                l->stall_count++;
        else {
                l->stall_count = 0;
                seen_add(l, output_hash);
        }
}

cj_loop_verdict cj_loop_check(const cj_loop *l, int64_t repeat_limit, int64_t stall_limit) {
        if (repeat_limit > 0 && l->repeat_count >= repeat_limit)
                return CJ_LOOP_REPEAT;
        if (stall_limit > 0 && l->stall_count >= stall_limit)
                return CJ_LOOP_STALL;
        return CJ_LOOP_OK;
}

void cj_loop_reset_streaks(cj_loop *l) {
        l->repeat_key[0] = '\0';
        l->repeat_count = 0;
        l->stall_count = 0;
}

json_t *cj_loop_to_json(const cj_loop *l) {
        _cleanup_json_ json_t *seen = json_array();
        if (!seen)
                return NULL;
        size_t start = l->n_seen < CJ_LOOP_SEEN_MAX ? 0 : l->seen_next;
        for (size_t i = 0; i < l->n_seen; i++)
                if (json_array_append_new(seen, json_string(l->seen[(start + i) % CJ_LOOP_SEEN_MAX])) < 0)
                        return NULL;
        return json_pack("{s:s,s:I,s:I,s:O}", "repeat_key", l->repeat_key, "repeat_count",
                         (json_int_t) l->repeat_count, "stall_count", (json_int_t) l->stall_count, "seen", seen);
}

int cj_loop_from_json(const json_t *j, cj_loop *l, cj_error *err) {
        cj_loop_init(l);
        const char *rk = NULL;
        json_int_t rc = 0, sc = 0;
        json_t *seen = NULL;
        json_error_t je;
        if (json_unpack_ex((json_t *) j, &je, JSON_STRICT, "{s:s,s:I,s:I,s:o}", "repeat_key", &rk, "repeat_count",
                           &rc, "stall_count", &sc, "seen", &seen) < 0)
                return cj_error_set(err, EINVAL, "loop: %s", je.text);
        if ((rk[0] && !cj_hash_hex_valid(rk)) || rc < 0 || sc < 0 || !json_is_array(seen) ||
            json_array_size(seen) > CJ_LOOP_SEEN_MAX)
                return cj_error_set(err, EINVAL, "loop: malformed");
        snprintf(l->repeat_key, sizeof l->repeat_key, "%s", rk);
        l->repeat_count = rc;
        l->stall_count = sc;
        size_t i;
        json_t *h;
        json_array_foreach(seen, i, h) {
                if (!json_is_string(h) || !cj_hash_hex_valid(json_string_value(h)))
                        return cj_error_set(err, EINVAL, "loop.seen[%zu]: not a SHA-256", i);
                seen_add(l, json_string_value(h));
        }
        return 0;
}
