/* SPDX-License-Identifier: MIT */
/* The tail shared by run and exec: common options into a cj_call, the
 * pipeline, and the presentation of its result. */
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "opts.h"
#include "pipeline/pipeline.h"
#include "result.h"
#include "tracker/tracker.h"
#include "util/cleanup.h"
#include "util/json.h"

int cj_cli_invoke(const cj_common_opts *o, const cj_profile *p, cj_call *call, const char *cmd) {
        _cleanup_free_ char *state_dir = NULL;
        cj_error err = { 0 };
        if (o->task) {
                if (!cj_task_id_valid(o->task))
                        return cj_cli_fail("%s: invalid task id '%s' (letters, digits, '.', '_', '-'; no leading '.')",
                                           cmd, o->task);
                int r = cj_state_dir_resolve(o->state_dir, &state_dir, &err);
                if (r < 0)
                        return cj_cli_fail("%s: %s", cmd, cj_error_message(&err, r));
        } else /* untracked: the state dir is still masked (pipeline); none is fine */
                (void) cj_state_dir_resolve(o->state_dir, &state_dir, NULL);
        call->profile = p;
        call->workspace = o->workspace;
        call->cwd = o->cwd;
        call->extra_ro = o->ro;
        call->extra_rw = o->rw;
        call->net = o->net;
        call->allow_hosts = o->allow_hosts;
        call->timeout_ms = o->timeout_ms;
        call->passthrough = !o->json;
        call->task = o->task;
        call->state_dir = state_dir;
        json_t *result = NULL;
        int code = 0;
        int r = cj_pipeline_run(call, &result, &code, &err);
        if (r < 0) {
                _cleanup_json_ json_t *f = cj_result_failure(NULL, "clawjail", cj_error_message(&err, r));
                if (o->json)
                        cj_result_emit(f, STDOUT_FILENO);
                if (o->status_fd >= 0)
                        cj_result_emit(f, o->status_fd);
                return cj_cli_fail("%s: %s", cmd, cj_error_message(&err, r));
        }
        code = cj_result_present(result, code, o, cmd);
        json_decref(result);
        return code;
}
