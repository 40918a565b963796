/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Loop governance (pure): detect an agent going round in circles without
 * ever standing in the way of work that changes something.
 *
 *   progress: a call that changed the workspace (an exec whose writable roots'
 *           fingerprint changed, a write/edit that changed a file's content).
 *           Progress resets every streak, forgets the outputs seen so far and
 *           lifts every loop block: repeating a read-only call after the
 *           workspace changed is not a repeat.
 *   repeat: the same resolved command with the same result (exit code, signal
 *           and output hash) N times in a row, nothing changed in between.
 *   stall:  N consecutive calls whose output was already seen since the
 *           workspace last changed.  A call with no output at all
 *           neither counts nor resets the streak.
 *
 * A reached limit blocks only the commands of the loop (the repeated one, or
 * those of the stalled streak): they are refused with `loop_detected` until
 * something changes or the operator resumes; every other call still runs
 * (docs/tracker.md says why).
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
#define CJ_LOOP_BLOCKED_MAX 64     /* commands blocked at once (oldest dropped first) */
#define CJ_LOOP_SUMMARY_MAX 160    /* bytes of a blocked command kept for messages */

typedef struct cj_loop_cmd {
        char hash[CJ_HASH_HEX_LEN + 1];
        char summary[CJ_LOOP_SUMMARY_MAX + 1];
        char rule[16]; /* "repeat_limit" / "stall_limit" (blocked entries) */
} cj_loop_cmd;

typedef struct cj_loop {
        char repeat_key[CJ_HASH_HEX_LEN + 1]; /* hash of command + result of the last call */
        int64_t repeat_count;                  /* length of the current run of repeat_key */
        int64_t stall_count;                   /* consecutive calls with already-seen output */
        char seen[CJ_LOOP_SEEN_MAX][CJ_HASH_HEX_LEN + 1];
        size_t n_seen, seen_next; /* ring buffer */
        cj_loop_cmd last;         /* the last call's command (the repeated one) */
        cj_loop_cmd streak[CJ_LOOP_BLOCKED_MAX]; /* distinct commands of the stall streak */
        size_t n_streak;
        cj_loop_cmd blocked[CJ_LOOP_BLOCKED_MAX];
        size_t n_blocked;
} cj_loop;

typedef enum cj_loop_verdict {
        CJ_LOOP_OK = 0,
        CJ_LOOP_REPEAT = 1,
        CJ_LOOP_STALL = 2,
} cj_loop_verdict;

/* Start empty. */
void cj_loop_init(cj_loop *l);

/* Record one finished call.  command_hash and output_hash are hex SHA-256;
 * output_hash is NULL when the call produced no output; summary (may be NULL)
 * names the command in messages; progress: it changed the workspace. */
void cj_loop_observe(cj_loop *l, const char *command_hash, const char *summary, int exit_code, int signal,
                     const char *output_hash, bool progress);

/* Whether the streaks reached a limit (a negative limit is unlimited; 0 is
 * treated as unlimited too, since "stop after 0 repeats" is meaningless). */
cj_loop_verdict cj_loop_check(const cj_loop *l, int64_t repeat_limit, int64_t stall_limit);

/* Act on a reached limit: block the loop's commands and restart the streaks. */
void cj_loop_block(cj_loop *l, cj_loop_verdict v);

/* The block entry of this command, or NULL if it may run. */
const cj_loop_cmd *cj_loop_blocked(const cj_loop *l, const char *command_hash);

/* Forget the streaks and the blocks (the operator resumed the task); the seen set is kept. */
void cj_loop_reset_streaks(cj_loop *l);

/* Was this output hash seen in the task? */
bool cj_loop_seen(const cj_loop *l, const char *output_hash);

/* Serialize for state.json and back.  from_json rejects malformed hashes. */
json_t *cj_loop_to_json(const cj_loop *l);
int cj_loop_from_json(const json_t *j, cj_loop *l, cj_error *err);
