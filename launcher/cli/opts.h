/* SPDX-License-Identifier: MIT */
#pragma once

/* The SPEC's common options (--profile, --task, --state-dir, --cwd, --rw,
 * --ro, --net, --timeout, --json, --status-fd, -v, -q; --approve only to say it
 * was removed), parsed the
 * same way by every command that takes them, and the profile they select. */

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "profile/profile.h"

#define CJ_TIMEOUT_MAX_S (7 * 24 * 3600) /* a --timeout above a week is a typo */
#define CJ_EXTRA_ROOTS_MAX 64            /* --rw / --ro flags in one call */

enum {
        CJ_OPT_PROFILE = 1000,
        CJ_OPT_TASK,
        CJ_OPT_STATE_DIR,
        CJ_OPT_CWD,
        CJ_OPT_RW,
        CJ_OPT_RO,
        CJ_OPT_NET,
        CJ_OPT_TIMEOUT,
        CJ_OPT_APPROVE,
        CJ_OPT_JSON,
        CJ_OPT_STATUS_FD,
        CJ_OPT_HELP,
        CJ_OPT_ALLOW_HOST,
};

#define CJ_COMMON_LONG_OPTIONS                                                                                         \
        { "profile", required_argument, NULL, CJ_OPT_PROFILE }, { "task", required_argument, NULL, CJ_OPT_TASK },      \
                { "state-dir", required_argument, NULL, CJ_OPT_STATE_DIR },                                            \
                { "cwd", required_argument, NULL, CJ_OPT_CWD }, { "rw", required_argument, NULL, CJ_OPT_RW },          \
                { "ro", required_argument, NULL, CJ_OPT_RO }, { "net", required_argument, NULL, CJ_OPT_NET },          \
                { "timeout", required_argument, NULL, CJ_OPT_TIMEOUT },                                                \
                { "approve", required_argument, NULL, CJ_OPT_APPROVE },                                                \
                { "json", no_argument, NULL, CJ_OPT_JSON },                                                            \
                { "status-fd", required_argument, NULL, CJ_OPT_STATUS_FD },                                            \
                { "verbose", no_argument, NULL, 'v' }, { "quiet", no_argument, NULL, 'q' },                            \
                { "help", no_argument, NULL, CJ_OPT_HELP },                                                            \
                { "allow-host", required_argument, NULL, CJ_OPT_ALLOW_HOST }

/* The help text of the common options, for each command's --help. */
extern const char cj_common_options_help[];

typedef struct cj_common_opts {
        const char *profile;   /* default "default" */
        const char *task;      /* default $CLAWJAIL_TASK */
        const char *state_dir; /* resolved later by the tracker */
        char *cwd;             /* absolute, normalized; NULL = workspace */
        cj_strv rw, ro;        /* absolute, normalized */
        int net;               /* -1 = profile's */
        cj_strv allow_hosts;   /* --allow-host patterns as given; NULL = the profile's egress.allow */
        int64_t timeout_ms;    /* 0 = profile's */
        bool json;
        int status_fd;         /* -1 = none */
        bool help;
        char *workspace;       /* the launcher's cwd: what ${CWD} expands to */
} cj_common_opts;

void cj_common_opts_init(cj_common_opts *o);
void cj_common_opts_clear(cj_common_opts *o);

/* Handle one getopt_long result that is a common option.  Returns 1 if
 * handled, 0 if c is not a common option, or CJ_EXIT_FAILURE (125, after
 * printing one line) for a bad value. */
int cj_common_opts_handle(cj_common_opts *o, int c, const char *arg, const char *cmd);

/* Load the selected profile with ${CWD} = the workspace, check that --net
 * and --allow-host only narrow unless the profile permits.  Prints one line and returns 125
 * on failure, 0 on success. */
/* Load profile name for o's workspace through the state dir's cache. */
int cj_cli_load_profile(const cj_common_opts *o, const char *name, cj_profile **out, cj_error *err);
int cj_common_opts_load_profile(cj_common_opts *o, cj_profile **out, const char *cmd);
