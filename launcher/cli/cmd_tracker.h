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

/* The first word of a command family (`task status`, `journal verify`):
 * returns true with *sub set to one of known (NULL-terminated); otherwise
 * false with *exit_code the code to return: 0 after printing usage for
 * --help/-h/help, 125 after one line for a missing or unknown word. */
bool cj_cli_subcommand(int argc, char **argv, const char *family, const char *usage, const char *const *known,
                       const char **sub, int *exit_code);
