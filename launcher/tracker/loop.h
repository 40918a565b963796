/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Loop governance (pure): detect an agent going round in circles.
 *
 *   repeat: the same resolved command with the same result (exit code, signal
 *           and output hash) N times in a row.
 *   stall:  N consecutive calls whose output was already seen in this task.
 *           A call with no output at all neither counts nor resets the streak:
 *           silent commands are not progress, but not evidence of a stall either.
 *
 * The set of seen output hashes is bounded (CJ_LOOP_SEEN_MAX, oldest evicted),
 * so a very long task may fail to recognise an output last seen long ago.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

#define CJ_LOOP_SEEN_MAX 256
#define CJ_HASH_HEX_LEN 64

typedef struct cj_loop {
        char repeat_key[CJ_HASH_HEX_LEN + 1]; /* hash of command + result of the last call */
        int64_t repeat_count;                  /* length of the current run of repeat_key */
        int64_t stall_count;                   /* consecutive calls with already-seen output */
        char seen[CJ_LOOP_SEEN_MAX][CJ_HASH_HEX_LEN + 1];
        size_t n_seen, seen_next; /* ring buffer */
} cj_loop;

typedef enum cj_loop_verdict {
        CJ_LOOP_OK = 0,
        CJ_LOOP_REPEAT = 1,
        CJ_LOOP_STALL = 2,
} cj_loop_verdict;

/* Start empty. */
void cj_loop_init(cj_loop *l);

/* Record one finished call.  command_hash and output_hash are hex SHA-256;
 * output_hash is NULL when the call produced no output. */
void cj_loop_observe(cj_loop *l, const char *command_hash, int exit_code, int signal, const char *output_hash);

/* Whether the streaks reached a limit (a negative limit is unlimited; 0 is
 * treated as unlimited too, since "stop after 0 repeats" is meaningless). */
cj_loop_verdict cj_loop_check(const cj_loop *l, int64_t repeat_limit, int64_t stall_limit);

/* Forget the streaks (the operator resumed the task); the seen set is kept. */
void cj_loop_reset_streaks(cj_loop *l);

/* Was this output hash seen in the task? */
bool cj_loop_seen(const cj_loop *l, const char *output_hash);

/* Serialize for state.json ({"repeat_key":..,"repeat_count":..,"stall_count":..,"seen":[oldest..newest]})
 * and back.  from_json rejects malformed hashes. */
json_t *cj_loop_to_json(const cj_loop *l);
int cj_loop_from_json(const json_t *j, cj_loop *l, cj_error *err);
