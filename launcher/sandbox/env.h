/* SPDX-License-Identifier: MIT */
#pragma once

/* The sandbox's environment: nothing of the launcher's survives except the
 * names the profile keeps; then the profile's `set`, then the request's own
 * variables (which may not name a dangerous loader/shell variable). */

#include "profile/profile.h"
#include "util/err.h"

#define CJ_ENV_MAX_VARS 512
#define CJ_ENV_VALUE_MAX 32768

/* Variables a request may never set: they make the loader or the wrapper
 * shell run code (validate.h: cj_var_request_refused, the one list). */
bool cj_env_name_forbidden(const char *name);

/* Build envp from host (NULL-terminated "N=V" list).  *out is a new strv. */
int cj_env_build(const cj_profile *p, char *const *host, char *const *extra, cj_strv *out, cj_error *err);
