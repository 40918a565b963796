/* SPDX-License-Identifier: MIT */
/* Approval decisions made through a front end (MCP elicitation): the person
 * behind the client answered, so the operator's store records it like a
 * `clawjail approve --once` / `clawjail deny`, saying through what. */
#include <errno.h>
#include <pwd.h>
#include <unistd.h>

#include "cli.h"
#include "tracker/tracker.h"
#include "util/err.h"

int cj_cli_decide(const char *state_dir, const char *task, const char *request, bool approve, const char *via,
                  cj_error *err) {
        if (!task || !cj_task_id_valid(task))
                return cj_error_set(err, EINVAL, "approvals need a task");
        cj_task *t = NULL;
        int r = cj_task_open_existing(state_dir, task, &t, err);
        if (r < 0)
                return r;
        struct passwd *pw = getpwuid(geteuid());
        cj_operator by = { .uid = (unsigned) geteuid(), .user = pw ? pw->pw_name : NULL, .via = via };
        r = approve ? cj_task_approve(t, request, false, 0, &by, err)
                    : cj_task_deny(t, request, via ? "refused by the person behind the client" : NULL, &by, err);
        cj_task_free(t);
        return r;
}
