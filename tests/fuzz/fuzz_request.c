/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the tool-call request parser: any bytes must give a
 * request or a protocol error with a code, never a crash or a leak; and an
 * error result built from it must serialize.  An exec request then goes
 * through the validation chain with its env (issue 7 §2): a verdict, never a
 * crash, and a variable the sandbox refuses is never `allow`; its timeout_s
 * goes through the admission clamp. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/admit.h"
#include "profile/profile.h"
#include "proto/request.h"
#include "proto/result.h"
#include "util/json.h"
#include "validate/validate.h"

static void validate_exec(const cj_request *req) {
        cj_validation v = { 0 };
        if (cj_validate_exec(req->command, strlen(req->command), req->env, NULL, "/work", &v, NULL) < 0)
                return; /* ENOMEM only */
        for (size_t i = 0; req->env && req->env[i]; i++) {
                char name[256];
                size_t l = strcspn(req->env[i], "=");
                if (l < sizeof name) {
                        memcpy(name, req->env[i], l);
                        name[l] = '\0';
                        if (cj_var_request_refused(name) && v.decision != CJ_VERDICT_DENY)
                                abort();
                }
        }
        if (v.decision != CJ_VERDICT_ALLOW && v.n_findings == 0)
                abort(); /* every ask or deny says why */
        cj_validation_clear(&v);
}

/* A request's timeout_s against the admission clamp (issue 7 §2: limits
 * overflowed): whatever the number, the call's timeout is at least 1 ms and
 * never above the operator's or the profile's ceiling. */
static void check_timeout(const cj_request *req) {
        cj_profile prof = { .limits = { .wall_s = 600 } };
        int64_t t = cj_admit_timeout(0, &prof, true, req->timeout_s);
        if (t < 1 || t > 600 * 1000)
                abort();
        t = cj_admit_timeout(5000, &prof, true, req->timeout_s);
        if (t < 1 || t > 5000)
                abort();
        prof.limits.wall_s = CJ_PROFILE_UNLIMITED;
        if (cj_admit_timeout(0, &prof, true, req->timeout_s) < 1)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        for (unsigned flags = 0; flags <= CJ_REQUEST_SERVE; flags += CJ_REQUEST_SERVE) {
                cj_request *req = NULL;
                cj_proto_error perr;
                int r = cj_request_parse((const char *) data, size, flags, &req, &perr);
                if (r < 0) {
                        if (perr.code == CJ_PROTO_OK || req)
                                abort();
                        _cleanup_json_ json_t *res = cj_proto_error_result_from(&perr);
                        _cleanup_free_ char *s = res ? cj_json_line(res) : NULL;
                        if (!s)
                                abort();
                        continue;
                }
                if (!req || (req->tool == CJ_TOOL_EXEC && !req->command) || (req->tool != CJ_TOOL_EXEC && !req->path))
                        abort();
                if (req->tool == CJ_TOOL_EXEC && flags == 0)
                        validate_exec(req);
                if (req->tool == CJ_TOOL_EXEC && req->has_timeout)
                        check_timeout(req);
                cj_request_free(req);
        }
        return 0;
}
