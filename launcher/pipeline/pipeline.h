/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * One tool call through the whole pipeline (SPEC "What it is"):
 *
 *   validation (shell parse + chain, or argv rules, or path checks)
 *     -> task admission (budget, stop)            [tracked calls]
 *     -> deny; ask: an operator's approval of exactly this call (tracked calls)
 *     -> journal "start" -> sandbox -> journal "end", charge, loop governance
 *     -> the SPEC result object and exit code
 *
 * Used by run, exec, call and serve; prints nothing.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "profile/profile.h"
#include "proto/request.h"
#include "sandbox/sandbox.h"
#include "util/err.h"

#define CJ_READ_LIMIT_DEFAULT (256u << 10) /* bytes a read returns when no limit is given */
#define CJ_READ_LIMIT_MAX (16u << 20)      /* largest limit a read may ask for */
#define CJ_EDIT_FILE_MAX (16u << 20)       /* largest file edit will rewrite */

typedef enum cj_call_kind {
        CJ_CALL_EXEC, /* a bash command: validated, run with bash --noprofile --norc -c */
        CJ_CALL_RUN,  /* an argv: profile rules and hidden-execution checks on the argv */
        CJ_CALL_READ,
        CJ_CALL_WRITE,
        CJ_CALL_EDIT,
} cj_call_kind;

typedef struct cj_call {
        cj_call_kind kind;
        const char *id;               /* request id, echoed; may be NULL */
        const char *command;          /* EXEC */
        char *const *argv;            /* RUN */
        const cj_request *req;        /* READ / WRITE / EDIT: path, offset, limit, content, old/new text */

        const cj_profile *profile;
        const char *workspace;        /* the launcher's cwd (what ${CWD} expanded to) */
        const char *cwd;              /* inside the sandbox; NULL = workspace */
        char *const *extra_ro;        /* operator --ro */
        char *const *extra_rw;        /* operator --rw */
        int net;                      /* -1 = profile's */
        char *const *allow_hosts;     /* operator --allow-host; NULL = the profile's egress.allow */
        int64_t timeout_ms;           /* 0 = profile's */
        char *const *env;             /* request env "NAME=value" */
        const char *stdin_data;       /* EXEC via call: bytes for stdin (NULL + passthrough: inherit) */
        size_t stdin_len;
        bool passthrough;             /* untracked CLI run/exec: inherit stdio, no capture */
        bool pty;                     /* EXEC/RUN: a terminal as 0/1/2 (sandbox.h); stderr merged */
        unsigned pty_cols, pty_rows;  /* 0 = CJ_PTY_*_DEFAULT */
        const cj_sandbox_output *output; /* EXEC/RUN: receives the output while the call runs (serve's stream) */
        bool dry_run;                 /* tracked: validate and admit (an ask is journaled as a
                                         pending request), then stop before the start */

        const char *state_dir;        /* masked in every call; tracked when task != NULL */
        const char *task;
} cj_call;

/* Run one call.  Always produces a result object (*result, owned by the
 * caller) and its SPEC exit code, unless clawjail itself failed before it
 * could form one (then -errno with err set, which the caller reports as an
 * error result / exit 125). */
int cj_pipeline_run(const cj_call *call, json_t **result, int *exit_code, cj_error *err);
