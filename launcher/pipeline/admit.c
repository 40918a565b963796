/* SPDX-License-Identifier: MIT */
#include "admit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tracker/tracker.h"

static int refuse(cj_admission *out, int e, const char *code) {
        out->code = code;
        return -e;
}

int cj_admit_request(const cj_admit_policy *pol, const char *req_profile, const char *req_task, cj_admission *out) {
        *out = (cj_admission){ .profile = pol->profile, .task = pol->task };
        if (!pol->request_may_choose && (req_profile || req_task)) {
                snprintf(out->message, sizeof out->message, "\"%s\" is chosen by the operator, not by a request",
                         req_profile ? "profile" : "task");
                return refuse(out, EPERM, req_profile ? "profile_not_allowed" : "task_not_allowed");
        }
        if (req_task && pol->task && strcmp(req_task, pol->task) != 0) {
                /* The operator chose the task: budget, journal and loop
                 * governance are theirs to set, never the request's. */
                snprintf(out->message, sizeof out->message,
                         "\"task\": the operator runs this server for task '%.128s'; a request cannot name another",
                         pol->task);
                return refuse(out, EPERM, "task_not_allowed");
        }
        if (req_task)
                out->task = req_task;
        if (out->task && !cj_task_id_valid(out->task)) {
                snprintf(out->message, sizeof out->message, "invalid task id");
                return refuse(out, EINVAL, "bad_value");
        }
        if (!req_profile || strcmp(req_profile, pol->profile) == 0)
                return 0;
        for (size_t i = 0; pol->allowed && pol->allowed[i]; i++)
                if (strcmp(pol->allowed[i], req_profile) == 0) {
                        out->profile = pol->allowed[i];
                        return 0;
                }
        snprintf(out->message, sizeof out->message, "profile '%.128s' is not allowed here (the operator allows '%.128s'%s)",
                 req_profile, pol->profile, pol->allowed && pol->allowed[0] ? " and --allow-profile ones" : "");
        return refuse(out, EPERM, "profile_not_allowed");
}

int64_t cj_admit_timeout(int64_t operator_ms, const cj_profile *p, bool has_request, double request_s) {
        int64_t ceiling = operator_ms > 0 ? operator_ms : p->limits.wall_s > 0 ? cj_limit_ms(p->limits.wall_s) : 0;
        if (!has_request)
                return operator_ms;
        double ms = request_s * 1000.0;
        int64_t t = ms >= 1.0 ? (ms > 9.0e15 ? INT64_MAX : (int64_t) ms) : 1;
        return ceiling > 0 && ceiling < t ? ceiling : t;
}
