/* SPDX-License-Identifier: MIT */
#pragma once

/* The CLI layer: one cmd_*.c per top-level command.  Each entry point parses
 * its own options (getopt_long, "+" so that "--" and the program's argv stay
 * untouched), calls the library stages, prints one clear line on failure and
 * returns a SPEC exit code.  Only this layer prints or decides exit codes. */

#include <stdbool.h>

/* SPEC exit codes for run / exec / call. */
enum {
        CJ_EXIT_DENIED = 120,
        CJ_EXIT_ASK = 121,
        CJ_EXIT_BUDGET = 122,
        CJ_EXIT_TIMEOUT = 124,
        CJ_EXIT_FAILURE = 125,
        CJ_EXIT_NOEXEC = 126,
        CJ_EXIT_NOTFOUND = 127,
        CJ_EXIT_SIGNAL_BASE = 128,
};

typedef struct cj_command {
        const char *name;
        int (*main)(int argc, char **argv);
        const char *summary;
} cj_command;

int cmd_run(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_call(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_task(int argc, char **argv);
int cmd_approve(int argc, char **argv);
int cmd_deny(int argc, char **argv);
int cmd_approvals(int argc, char **argv);
int cmd_checkpoint(int argc, char **argv);
int cmd_journal(int argc, char **argv);
int cmd_profile(int argc, char **argv);

/* "clawjail: <msg>" on stderr, one line.  Returns CJ_EXIT_FAILURE for chaining. */
int cj_cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Verbosity from -v/-q (0 = normal, <0 quiet, >0 verbose); set by the options parser. */
extern int cj_cli_verbosity;

struct cj_common_opts;
struct cj_profile;
struct cj_call;
/* Run a prepared call (kind and command/argv set) under the common options
 * and profile; presents the result and returns the SPEC exit code. */
int cj_cli_invoke(const struct cj_common_opts *o, const struct cj_profile *p, struct cj_call *call, const char *cmd);

/* For run and exec, which exit right after their one call: keep *p (taken)
 * until the process exits instead of freeing it.  Freeing its ~320 rules
 * writes to every page they sit on, and since the sandbox's clone each such
 * page is a copy-on-write fault (11 of them, ~0.1 ms, on the call's tail). */
void cj_cli_keep_profile(struct cj_profile **p);

struct cj_error;
/* The person behind an MCP client answered approval request `request` of
 * task: approve it for one run, or refuse it; journaled with `via`. */
int cj_cli_decide(const char *state_dir, const char *task, const char *request, bool approve, const char *via,
                  struct cj_error *err);
int cmd_mcp(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_audit(int argc, char **argv);
