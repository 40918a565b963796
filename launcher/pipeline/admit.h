/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Admission: what a request may choose, decided before anything runs, the
 * same for every front end (call, serve, mcp, and whatever comes next).  The
 * operator's flags are policy; a request can only pick among what they
 * allow and only shorten limits.  Pure functions over data.  (The network
 * mode and --allow-host are narrowed by net/policy.h, which knows that the
 * modes are not a total order.)
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile/profile.h"

typedef struct cj_admit_policy {
        const char *profile;           /* the operator's --profile */
        const char *const *allowed;    /* --allow-profile names (NULL-terminated; NULL = none) */
        const char *task;              /* the operator's --task, or NULL */
        bool request_may_choose;       /* serve: a request may name task/profile; call, mcp: never */
} cj_admit_policy;

typedef struct cj_admission {
        const char *profile; /* the operator's own string (lives as long as the policy) */
        const char *task;    /* the request's or the operator's; NULL = untracked */
        const char *code;    /* on refusal: the error code for the result */
        char message[512];   /* on refusal: why */
} cj_admission;

/* Admit a request's profile and task (either may be NULL: the operator's).
 * 0, or -EPERM with out->code "profile_not_allowed" / "task_not_allowed",
 * or -EINVAL with "bad_value" for an invalid task id. */
int cj_admit_request(const cj_admit_policy *pol, const char *req_profile, const char *req_task, cj_admission *out);

/* The call's wall-clock limit in ms: the operator's (operator_ms > 0) or the
 * profile's limits.wall_s is the ceiling; a request's timeout_s (when
 * has_request) may only lower it; at least 1 ms.  0 = no limit. */
int64_t cj_admit_timeout(int64_t operator_ms, const cj_profile *p, bool has_request, double request_s);
