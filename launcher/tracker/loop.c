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

/* Cut s to at most max bytes on a UTF-8 boundary, into dst[max + 1]. */
static void copy_summary(char *dst, size_t max, const char *s) {
        size_t n = s ? strlen(s) : 0;
        if (n > max) {
                n = max;
                while (n > 0 && ((unsigned char) s[n] & 0xc0) == 0x80)
                        n--;
        }
        memcpy(dst, s ? s : "", n);
        dst[n] = '\0';
}

static void cmd_set(cj_loop_cmd *c, const char *hash, const char *summary, const char *rule) {
        snprintf(c->hash, sizeof c->hash, "%s", hash ? hash : "");
        copy_summary(c->summary, CJ_LOOP_SUMMARY_MAX, summary);
        snprintf(c->rule, sizeof c->rule, "%s", rule ? rule : "");
}

static ssize_t cmd_index(const cj_loop_cmd *v, size_t n, const char *hash) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i].hash, hash) == 0)
                        return (ssize_t) i;
        return -1;
}

/* Add to a bounded list of distinct commands, dropping the oldest when full. */
static void cmd_add(cj_loop_cmd *v, size_t *n, const cj_loop_cmd *c) {
        if (!c->hash[0] || cmd_index(v, *n, c->hash) >= 0)
                return;
        if (*n >= CJ_LOOP_BLOCKED_MAX) {
                memmove(&v[0], &v[1], (CJ_LOOP_BLOCKED_MAX - 1) * sizeof v[0]);
                (*n)--;
        }
        v[(*n)++] = *c;
}

static void streaks_clear(cj_loop *l) {
        l->repeat_key[0] = '\0';
        l->repeat_count = 0;
        l->stall_count = 0;
        l->n_streak = 0;
}

void cj_loop_observe(cj_loop *l, const char *command_hash, const char *summary, int exit_code, int signal,
                     const char *output_hash, bool progress) {
        cmd_set(&l->last, command_hash, summary, NULL);
        bool seen_before = output_hash && cj_loop_seen(l, output_hash);
        if (output_hash && !seen_before)
                seen_add(l, output_hash);
        if (progress) {
                /* Something changed: whatever repeats from here is a new try,
                 * and output seen before the change is no evidence of a stall. */
                streaks_clear(l);
                l->n_blocked = 0;
                l->n_seen = l->seen_next = 0;
                return;
        }
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
        if (seen_before) {
                l->stall_count++;
                cmd_add(l->streak, &l->n_streak, &l->last);
        } else {
                l->stall_count = 0;
                l->n_streak = 0;
        }
}

cj_loop_verdict cj_loop_check(const cj_loop *l, int64_t repeat_limit, int64_t stall_limit) {
        if (repeat_limit > 0 && l->repeat_count >= repeat_limit)
                return CJ_LOOP_REPEAT;
        if (stall_limit > 0 && l->stall_count >= stall_limit)
                return CJ_LOOP_STALL;
        return CJ_LOOP_OK;
}

void cj_loop_block(cj_loop *l, cj_loop_verdict v) {
        if (v == CJ_LOOP_REPEAT) {
                cj_loop_cmd c = l->last;
                snprintf(c.rule, sizeof c.rule, "repeat_limit");
                cmd_add(l->blocked, &l->n_blocked, &c);
        } else if (v == CJ_LOOP_STALL) {
                for (size_t i = 0; i < l->n_streak; i++) {
                        cj_loop_cmd c = l->streak[i];
                        snprintf(c.rule, sizeof c.rule, "stall_limit");
                        cmd_add(l->blocked, &l->n_blocked, &c);
                }
        }
        streaks_clear(l);
}

const cj_loop_cmd *cj_loop_blocked(const cj_loop *l, const char *command_hash) {
        ssize_t i = command_hash ? cmd_index(l->blocked, l->n_blocked, command_hash) : -1;
        return i >= 0 ? &l->blocked[i] : NULL;
}

void cj_loop_reset_streaks(cj_loop *l) {
        streaks_clear(l);
        l->n_blocked = 0;
}

static json_t *cmds_to_json(const cj_loop_cmd *v, size_t n) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < n; i++)
                if (json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "command_sha256", v[i].hash, "command",
                                                       v[i].summary, "rule", v[i].rule)) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

static int cmds_from_json(const json_t *a, cj_loop_cmd *v, size_t *n) {
        size_t i;
        json_t *e;
        *n = 0;
        if (!json_is_array(a) || json_array_size(a) > CJ_LOOP_BLOCKED_MAX)
                return -EINVAL;
        json_array_foreach(a, i, e) {
                const char *h, *s, *r;
                if (json_unpack(e, "{s:s,s:s,s:s}", "command_sha256", &h, "command", &s, "rule", &r) < 0 ||
                    (h[0] && !cj_hash_hex_valid(h)) || strlen(r) >= sizeof v[0].rule)
                        return -EINVAL;
                cmd_set(&v[(*n)++], h, s, r);
        }
        return 0;
}

json_t *cj_loop_to_json(const cj_loop *l) {
        _cleanup_json_ json_t *seen = json_array();
        if (!seen)
                return NULL;
        size_t start = l->n_seen < CJ_LOOP_SEEN_MAX ? 0 : l->seen_next;
        for (size_t i = 0; i < l->n_seen; i++)
                if (json_array_append_new(seen, json_string(l->seen[(start + i) % CJ_LOOP_SEEN_MAX])) < 0)
                        return NULL;
        return json_pack("{s:s,s:I,s:I,s:O,s:o,s:o,s:o}", "repeat_key", l->repeat_key, "repeat_count",
                         (json_int_t) l->repeat_count, "stall_count", (json_int_t) l->stall_count, "seen", seen,
                         "last", cmds_to_json(&l->last, 1), "streak", cmds_to_json(l->streak, l->n_streak), "blocked",
                         cmds_to_json(l->blocked, l->n_blocked));
}

int cj_loop_from_json(const json_t *j, cj_loop *l, cj_error *err) {
        cj_loop_init(l);
        const char *rk = NULL;
        json_int_t rc = 0, sc = 0;
        json_t *seen = NULL, *last = NULL, *streak = NULL, *blocked = NULL;
        json_error_t je;
        if (json_unpack_ex((json_t *) j, &je, JSON_STRICT, "{s:s,s:I,s:I,s:o,s:o,s:o,s:o}", "repeat_key", &rk,
                           "repeat_count", &rc, "stall_count", &sc, "seen", &seen, "last", &last, "streak", &streak,
                           "blocked", &blocked) < 0)
                return cj_error_set(err, EINVAL, "loop: %s", je.text);
        size_t n_last = 0;
        if ((rk[0] && !cj_hash_hex_valid(rk)) || rc < 0 || sc < 0 || !json_is_array(seen) ||
            json_array_size(seen) > CJ_LOOP_SEEN_MAX || cmds_from_json(last, &l->last, &n_last) < 0 || n_last != 1 ||
            cmds_from_json(streak, l->streak, &l->n_streak) < 0 ||
            cmds_from_json(blocked, l->blocked, &l->n_blocked) < 0)
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
