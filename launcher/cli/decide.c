/* SPDX-License-Identifier: MIT */
/* Approval decisions made through a front end (MCP elicitation). */
#include <errno.h>

#include "cli.h"
#include "util/err.h"

int cj_cli_decide(const char *state_dir, const char *task, const char *request, bool approve, const char *via,
                  cj_error *err) {
        /* Wired to the operator approval store once it exists (issue 8 §1). */
        return cj_error_set(err, EOPNOTSUPP, "approvals through the MCP client are not available yet");
}
