/* SPDX-License-Identifier: MIT */
#include "budget.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

static const char *const key_names[_CJ_BUDGET_KEY_MAX] = {
        [CJ_BUDGET_CALLS] = "calls",       [CJ_BUDGET_WALL_S] = "wall_s",
        [CJ_BUDGET_CPU_S] = "cpu_s",       [CJ_BUDGET_OUTPUT_BYTES] = "output_bytes",
        [CJ_BUDGET_TOKENS] = "tokens",     [CJ_BUDGET_COST_USD] = "cost_usd",
        [CJ_BUDGET_NET_BYTES] = "net_bytes",
};

const char *cj_budget_key_name(cj_budget_key k) {
        return k < _CJ_BUDGET_KEY_MAX ? key_names[k] : NULL;
}

void cj_budget_unlimited(cj_budget *b) {
        *b = (cj_budget) {
                .calls = CJ_PROFILE_UNLIMITED, .wall_s = CJ_PROFILE_UNLIMITED, .cpu_s = CJ_PROFILE_UNLIMITED,
                .output_bytes = CJ_PROFILE_UNLIMITED, .tokens = CJ_PROFILE_UNLIMITED,
                .cost_usd = CJ_PROFILE_UNLIMITED, .repeat_limit = CJ_PROFILE_UNLIMITED,
                .stall_limit = CJ_PROFILE_UNLIMITED, .net_bytes = CJ_PROFILE_UNLIMITED,
        };
}

void cj_budget_inherit_all(cj_budget *b) {
        *b = (cj_budget) {
                .calls = CJ_BUDGET_INHERIT, .wall_s = CJ_BUDGET_INHERIT, .cpu_s = CJ_BUDGET_INHERIT,
                .output_bytes = CJ_BUDGET_INHERIT, .tokens = CJ_BUDGET_INHERIT, .cost_usd = CJ_BUDGET_INHERIT,
                .repeat_limit = CJ_BUDGET_INHERIT, .stall_limit = CJ_BUDGET_INHERIT, .net_bytes = CJ_BUDGET_INHERIT,
        };
}

#define PICK(field) (overrides->field == CJ_BUDGET_INHERIT ? base.field : overrides->field)

void cj_budget_effective(const cj_budget *profile, const cj_budget *overrides, cj_budget *out) {
        cj_budget base;
        if (profile)
                base = *profile;
        else
                cj_budget_unlimited(&base);
        *out = (cj_budget) {
                .calls = PICK(calls), .wall_s = PICK(wall_s), .cpu_s = PICK(cpu_s),
                .output_bytes = PICK(output_bytes), .tokens = PICK(tokens), .cost_usd = PICK(cost_usd),
                .repeat_limit = PICK(repeat_limit), .stall_limit = PICK(stall_limit), .net_bytes = PICK(net_bytes),
        };
}

bool cj_budget_limit(const cj_budget *b, cj_budget_key k, double *limit) {
        double v;
        switch (k) {
        case CJ_BUDGET_CALLS: v = (double) b->calls; break;
        case CJ_BUDGET_WALL_S: v = b->wall_s; break;
        case CJ_BUDGET_CPU_S: v = b->cpu_s; break;
        case CJ_BUDGET_OUTPUT_BYTES: v = (double) b->output_bytes; break;
        case CJ_BUDGET_TOKENS: v = (double) b->tokens; break;
        case CJ_BUDGET_COST_USD: v = b->cost_usd; break;
        case CJ_BUDGET_NET_BYTES: v = (double) b->net_bytes; break;
        default: return false;
        }
        if (!(v >= 0)) /* negative or NaN: unlimited */
                return false;
        *limit = v;
        return true;
}

double cj_usage_get(const cj_usage *u, cj_budget_key k) {
        switch (k) {
        case CJ_BUDGET_CALLS: return (double) u->calls;
        case CJ_BUDGET_WALL_S: return (double) u->wall_ms / 1000.0;
        case CJ_BUDGET_CPU_S: return (double) u->cpu_ms / 1000.0;
        case CJ_BUDGET_OUTPUT_BYTES: return (double) u->output_bytes;
        case CJ_BUDGET_TOKENS: return (double) u->tokens;
        case CJ_BUDGET_COST_USD: return (double) u->cost_micro_usd / 1e6;
        case CJ_BUDGET_NET_BYTES: return (double) u->net_bytes;
        default: return 0;
        }
}

/* llround() without libm, which clawjail linked for nothing else: a shared
 * object costs every call its mapping and relocations.  x - t is exact for
 * every double (an integer beyond 2^52 has no fraction), so this rounds half
 * away from zero exactly as llround does in the range the limits allow. */
static long long round_half_away(double x) {
        long long t = (long long) x;
        double f = x - (double) t;
        return f >= 0.5 ? t + 1 : f <= -0.5 ? t - 1 : t;
}

int cj_budget_exhausted(const cj_budget *limits, const cj_usage *used) {
        for (int k = 0; k < _CJ_BUDGET_KEY_MAX; k++) {
                double limit;
                if (!cj_budget_limit(limits, k, &limit))
                        continue;
                bool reached;
                /* Compare in the integer unit where there is one, so 0.1 s is exactly 100 ms. */
                switch (k) {
                case CJ_BUDGET_WALL_S: reached = used->wall_ms >= round_half_away(limit * 1000.0); break;
                case CJ_BUDGET_CPU_S: reached = used->cpu_ms >= round_half_away(limit * 1000.0); break;
                case CJ_BUDGET_COST_USD: reached = used->cost_micro_usd >= round_half_away(limit * 1e6); break;
                default: reached = cj_usage_get(used, k) >= limit; break;
                }
                if (reached)
                        return k;
        }
        return -1;
}

static int64_t sat_add(int64_t a, int64_t b) {
        int64_t r;
        if (__builtin_add_overflow(a, b, &r))
                return b > 0 ? INT64_MAX : INT64_MIN;
        return r;
}

void cj_usage_add(cj_usage *u, const cj_usage *d) {
        u->calls = sat_add(u->calls, d->calls);
        u->wall_ms = sat_add(u->wall_ms, d->wall_ms);
        u->cpu_ms = sat_add(u->cpu_ms, d->cpu_ms);
        u->output_bytes = sat_add(u->output_bytes, d->output_bytes);
        u->tokens = sat_add(u->tokens, d->tokens);
        u->cost_micro_usd = sat_add(u->cost_micro_usd, d->cost_micro_usd);
        u->net_bytes = sat_add(u->net_bytes, d->net_bytes);
}

int cj_cost_to_micro(double usd, int64_t *micro) {
        if (!isfinite(usd) || usd < 0 || usd > CJ_COST_USD_MAX)
                return -ERANGE;
        *micro = round_half_away(usd * 1e6);
        return 0;
}

int cj_cost_parse(const char *s, int64_t *micro, cj_error *err) {
        char *end = NULL;
        errno = 0;
        double v = strtod(s, &end);
        if (errno != 0 || end == s || *end != '\0' || !isfinite(v))
                return cj_error_set(err, EINVAL, "'%s' is not a decimal amount of USD", s);
        if (cj_cost_to_micro(v, micro) < 0)
                return cj_error_set(err, ERANGE, "cost %s out of range (0 to %g USD)", s, CJ_COST_USD_MAX);
        return 0;
}

int cj_budget_value_parse(const char *s, bool allow_fraction, double *out, cj_error *err) {
        if (strcmp(s, "unlimited") == 0) {
                *out = CJ_PROFILE_UNLIMITED;
                return 0;
        }
        if (strcmp(s, "inherit") == 0) {
                *out = CJ_BUDGET_INHERIT;
                return 0;
        }
        char *end = NULL;
        errno = 0;
        double v = strtod(s, &end);
        if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < 0 || v > (double) CJ_TOKENS_MAX)
                return cj_error_set(err, EINVAL, "'%s' is not a non-negative number, 'unlimited' or 'inherit'", s);
        if (!allow_fraction && v != floor(v))
                return cj_error_set(err, EINVAL, "'%s' must be a whole number", s);
        *out = v;
        return 0;
}

static json_t *limit_json(double v) {
        if (!(v >= 0))
                return json_null();
        if (v == floor(v) && v < 9e15)
                return json_integer((json_int_t) v);
        return json_real(v);
}

static json_t *pair(json_t *used, json_t *limit) {
        return json_pack("{s:o,s:o}", "used", used, "limit", limit);
}

json_t *cj_budget_to_json(const cj_budget *limits, const cj_usage *used, int64_t repeat_count,
                          int64_t stall_count) {
        _cleanup_json_ json_t *o = json_object();
        if (!o)
                return NULL;
        for (int k = 0; k < _CJ_BUDGET_KEY_MAX; k++) {
                double l = CJ_PROFILE_UNLIMITED;
                cj_budget_limit(limits, k, &l);
                double u = cj_usage_get(used, k);
                json_t *uj = (k == CJ_BUDGET_WALL_S || k == CJ_BUDGET_CPU_S || k == CJ_BUDGET_COST_USD)
                                     ? json_real(u)
                                     : json_integer((json_int_t) u);
                if (json_object_set_new(o, key_names[k], pair(uj, limit_json(l))) < 0)
                        return NULL;
        }
        if (json_object_set_new(o, "repeat", pair(json_integer(repeat_count), limit_json((double) limits->repeat_limit))) < 0 ||
            json_object_set_new(o, "stall", pair(json_integer(stall_count), limit_json((double) limits->stall_limit))) < 0)
                return NULL;
        return TAKE_PTR(o);
}

typedef struct field_desc {
        const char *name;
        size_t off;
        bool is_double;
} field_desc;

static const field_desc fields[] = {
        { "calls", offsetof(cj_budget, calls), false },
        { "wall_s", offsetof(cj_budget, wall_s), true },
        { "cpu_s", offsetof(cj_budget, cpu_s), true },
        { "output_bytes", offsetof(cj_budget, output_bytes), false },
        { "tokens", offsetof(cj_budget, tokens), false },
        { "cost_usd", offsetof(cj_budget, cost_usd), true },
        { "repeat_limit", offsetof(cj_budget, repeat_limit), false },
        { "stall_limit", offsetof(cj_budget, stall_limit), false },
        { "net_bytes", offsetof(cj_budget, net_bytes), false },
};

static double field_get(const cj_budget *b, const field_desc *f) {
        const char *p = (const char *) b + f->off;
        return f->is_double ? *(const double *) p : (double) *(const int64_t *) p;
}

static void field_set(cj_budget *b, const field_desc *f, double v) {
        char *p = (char *) b + f->off;
        if (f->is_double)
                *(double *) p = v;
        else
                *(int64_t *) p = (int64_t) v;
}

json_t *cj_budget_limits_to_json(const cj_budget *b) {
        _cleanup_json_ json_t *o = json_object();
        if (!o)
                return NULL;
        for (size_t i = 0; i < CJ_ARRAY_SIZE(fields); i++) {
                double v = field_get(b, &fields[i]);
                if (v == CJ_BUDGET_INHERIT)
                        continue;
                if (json_object_set_new(o, fields[i].name, limit_json(v)) < 0)
                        return NULL;
        }
        return TAKE_PTR(o);
}

int cj_budget_limits_from_json(const json_t *j, cj_budget *b, cj_error *err) {
        if (!json_is_object(j))
                return cj_error_set(err, EINVAL, "budget: expected an object");
        const char *key;
        json_t *v;
        json_object_foreach((json_t *) j, key, v) {
                const field_desc *f = NULL;
                for (size_t i = 0; i < CJ_ARRAY_SIZE(fields); i++)
                        if (strcmp(fields[i].name, key) == 0)
                                f = &fields[i];
                if (!f)
                        return cj_error_set(err, EINVAL, "budget.%s: unknown key", key);
                if (json_is_null(v)) {
                        field_set(b, f, CJ_PROFILE_UNLIMITED);
                        continue;
                }
                if (!json_is_number(v) || (!f->is_double && !json_is_integer(v)))
                        return cj_error_set(err, EINVAL, "budget.%s: expected %s", key,
                                            f->is_double ? "a number" : "an integer");
                double d = json_number_value(v);
                if (d < 0 && d != CJ_BUDGET_INHERIT && d != CJ_PROFILE_UNLIMITED)
                        return cj_error_set(err, EINVAL, "budget.%s: negative", key);
                field_set(b, f, d);
        }
        return 0;
}
