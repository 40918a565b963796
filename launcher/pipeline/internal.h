/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * What the pipeline's stages share: the state one call carries between them
 * (pipeline.c: admission, validation, the task; run.c: the sandbox or the
 * file tools, and the result they fill).  Not an API.
 */
#include <stdbool.h>
#include <stdint.h>

#include "pipeline.h"
#include "proto/result.h"
#include "tracker/tracker.h"
#include "util/sha256.h"
#include "validate/validate.h"

/* What one call carries between the stages. */
typedef struct call_state {
        const cj_call *call;
        cj_profile eff;        /* the profile with the operator's --ro/--rw added (borrowed strings) */
        cj_strv ro, rw, deny;  /* owned lists eff points to */
        cj_profile sandboxed;  /* the profile the sandbox gets: the call's, its state dir masked */
        const char *cwd;       /* inside the sandbox, absolute once check_cwd passed */
        char *cwd_abs;         /* owned: a relative request cwd resolved against the workspace */
        cj_validation v;
        json_t *verdict;
        cj_task *task;
        uint64_t seq;
        bool started;
        bool fp_known;                              /* fp_before holds the writable roots' fingerprint */
        char fp_before[CJ_SHA256_HEX_LEN + 1];
        json_t *result;
        int exit_code;
        cj_error journal_err; /* a journal write that failed (record) */
        char *scratch_home, *scratch_tmp; /* the task's HOME and /tmp on the host; NULL untracked */
        cj_strv tmpfs;                    /* owned list eff.fs_tmpfs points to, once add_home_root ran */
        cj_strv fp_roots;                 /* the host's writable roots (not HOME or /tmp): loop fingerprint */
        bool resolve_failed;              /* the output says a host name did not resolve */
} call_state;

static inline void set_error(json_t *r, const char *code, const char *message) {
        cj_proto_result_set_error(r, code, message);
}

/* run.c: run an exec/run call in the sandbox, or a file tool (path already
 * checked); fill s->result and s->exit_code, journal the call's end. */
int cj_pipeline_run_sandbox(call_state *s, cj_error *err);
int cj_pipeline_run_fstool(call_state *s, const char *path, cj_error *err);
