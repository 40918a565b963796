/* SPDX-License-Identifier: MIT */
#pragma once

/* Helpers shared by the task, checkpoint and journal commands (cmd_task.c). */

#include <jansson.h>
#include <stdbool.h>

/* Options every tracker command takes. */
typedef struct cj_tracker_opts {
        const char *state_dir; /* --state-dir, or NULL */
        bool json;             /* --json */
} cj_tracker_opts;

/* Resolve the state dir from opts (see cj_state_dir_resolve); NULL after
 * printing the error. */
char *cj_cli_state_dir(const cj_tracker_opts *o);

/* Print j on stdout: indented, with a newline.  Returns 0 or CJ_EXIT_FAILURE. */
int cj_cli_print_json(const json_t *j);
