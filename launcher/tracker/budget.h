/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Budget arithmetic (pure): what a task has used, what it may use, and whether
 * a new call may start.  Time and money are kept as integers (milliseconds,
 * micro-dollars) so that replaying the journal gives exactly the same counters
 * whatever the order of floating-point rounding would have been.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "profile/profile.h"
#include "util/err.h"

/* An operator override of CJ_BUDGET_INHERIT means "take the profile's value";
 * CJ_PROFILE_UNLIMITED (any negative for doubles other than INHERIT) means unlimited. */
#define CJ_BUDGET_INHERIT (-2)
#define CJ_COST_USD_MAX 1e9 /* a single charge or limit above this is refused */
#define CJ_TOKENS_MAX ((int64_t) 1 << 52)

typedef struct cj_usage {
        int64_t calls;
        int64_t wall_ms, cpu_ms;
        int64_t output_bytes;
        int64_t tokens;
        int64_t cost_micro_usd;
        int64_t net_bytes; /* through the egress proxy and loopback forwards, both ways */
} cj_usage;

/* One budget key, for tables: name as in the profile and JSON ("calls", ...). */
typedef enum cj_budget_key {
        CJ_BUDGET_CALLS,
        CJ_BUDGET_WALL_S,
        CJ_BUDGET_CPU_S,
        CJ_BUDGET_OUTPUT_BYTES,
        CJ_BUDGET_TOKENS,
        CJ_BUDGET_COST_USD,
        CJ_BUDGET_NET_BYTES,
        _CJ_BUDGET_KEY_MAX,
} cj_budget_key;

/* "calls", "wall_s", ... */
const char *cj_budget_key_name(cj_budget_key k);

/* A budget with every key unlimited (CJ_PROFILE_UNLIMITED). */
void cj_budget_unlimited(cj_budget *b);

/* A budget with every key CJ_BUDGET_INHERIT (no operator override). */
void cj_budget_inherit_all(cj_budget *b);

/* Effective limits: each override that is not CJ_BUDGET_INHERIT replaces the
 * profile's value; profile may be NULL (= unlimited). */
void cj_budget_effective(const cj_budget *profile, const cj_budget *overrides, cj_budget *out);

/* Is key k limited in b, and the limit as a double in its JSON unit. */
bool cj_budget_limit(const cj_budget *b, cj_budget_key k, double *limit);

/* The used amount of key k in its JSON unit (seconds, USD, count). */
double cj_usage_get(const cj_usage *u, cj_budget_key k);

/* The first key whose limit is reached (used >= limit), or -1 when a new call
 * may start. */
int cj_budget_exhausted(const cj_budget *limits, const cj_usage *used);

/* u += d, saturating at INT64_MAX. */
void cj_usage_add(cj_usage *u, const cj_usage *d);

/* Convert USD (finite, >= 0, <= CJ_COST_USD_MAX) to micro-dollars, rounding to
 * nearest.  -ERANGE otherwise. */
int cj_cost_to_micro(double usd, int64_t *micro);

/* Parse a decimal USD amount ("0.0123") given on the command line. */
int cj_cost_parse(const char *s, int64_t *micro, cj_error *err);

/* Parse a non-negative integer budget value, or "unlimited" / "inherit". */
int cj_budget_value_parse(const char *s, bool allow_fraction, double *out, cj_error *err);

/* {"calls":{"used":N,"limit":M|null},"wall_s":...,...}; loop streaks are added
 * as "repeat" and "stall" {"used":streak,"limit":N|null}.  NULL on ENOMEM. */
json_t *cj_budget_to_json(const cj_budget *limits, const cj_usage *used, int64_t repeat_count,
                          int64_t stall_count);

/* Limits (or overrides) as a JSON object of the profile's budget keys; an
 * unlimited value is null, an inherited one is omitted. */
json_t *cj_budget_limits_to_json(const cj_budget *b);

/* The inverse; keys missing stay as they were in *b, null means unlimited.
 * Unknown keys and wrong types are -EINVAL naming the key. */
int cj_budget_limits_from_json(const json_t *j, cj_budget *b, cj_error *err);
