/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * What the pipeline does with an `ask` verdict (docs/security.md,
 * "Approvals"): describe the call for the operator's approval, answer with
 * what is asked (never a credential), and turn an ask no approval could help
 * into a deny.
 */

#include <jansson.h>

#include "pipeline.h"
#include "validate/validate.h"

/* Everything the call is: what an operator's approval covers (profile, cwd,
 * command bytes or argv, request env, stdin, the operator's --ro/--rw/--net). */
json_t *cj_ask_identity(const cj_call *c, const char *cwd);

/* The result's "approval" object: request id (may be NULL), tool, cwd,
 * profile, command or argv, findings. */
json_t *cj_ask_approval_json(const cj_call *c, const char *cwd, const json_t *verdict, const char *request);

/* Make result an approval_required answer (status, approval, hints; error
 * approval_expired when why is set).  request NULL: an untracked call. */
void cj_ask_required(json_t *result, const cj_call *c, const char *cwd, const json_t *verdict, const char *request,
                     const char *why);

/* An `ask` whose every asking finding is a credentials read of a literal path
 * the profile (eff) masks becomes `deny`, with a finding that says so. */
void cj_ask_deny_masked(cj_validation *v, const cj_call *c, const char *cwd, const cj_profile *eff);
