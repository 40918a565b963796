/* SPDX-License-Identifier: MIT */
#include "env.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "util/cleanup.h"
#include "validate/validate.h"

/* The one list lives with the validation chain (validate.h: cj_var_*). */
bool cj_env_name_forbidden(const char *name) {
        return cj_var_request_refused(name);
}

static bool valid_name(const char *s, size_t n) {
        if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!(s[i] == '_' || (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
                      (s[i] >= 'A' && s[i] <= 'Z')))
                        return false;
        return true;
}

/* Replace or append NAME=... in env. */
static int env_put(cj_strv *env, const char *kv) {
        size_t n = strcspn(kv, "=");
        for (size_t i = 0; *env && (*env)[i]; i++)
                if (strncmp((*env)[i], kv, n) == 0 && (*env)[i][n] == '=') {
                        char *c = strdup(kv);
                        if (!c)
                                return -ENOMEM;
                        free((*env)[i]);
                        (*env)[i] = c;
                        return 0;
                }
        if (cj_strv_len(*env) >= CJ_ENV_MAX_VARS)
                return -E2BIG;
        return cj_strv_push(env, kv);
}

static bool kept(char *const *keep, const char *kv) {
        size_t n = strcspn(kv, "=");
        char name[256];
        if (n >= sizeof name)
                return false;
        memcpy(name, kv, n);
        name[n] = '\0';
        for (size_t i = 0; keep && keep[i]; i++)
                if (fnmatch(keep[i], name, 0) == 0)
                        return true;
        return false;
}

int cj_env_build(const cj_profile *p, char *const *host, char *const *extra, cj_strv *out, cj_error *err) {
        _cleanup_strv_ cj_strv env = NULL;
        for (size_t i = 0; host && host[i]; i++)
                if (strchr(host[i], '=') && kept(p->env_keep, host[i]) && env_put(&env, host[i]) < 0)
                        return cj_error_set(err, E2BIG, "environment: more than %d variables", CJ_ENV_MAX_VARS);
        for (size_t i = 0; p->env_set && p->env_set[i]; i++)
                if (env_put(&env, p->env_set[i]) < 0)
                        return cj_error_set(err, E2BIG, "environment: more than %d variables", CJ_ENV_MAX_VARS);
        for (size_t i = 0; extra && extra[i]; i++) {
                const char *eq = strchr(extra[i], '=');
                size_t n = eq ? (size_t) (eq - extra[i]) : strlen(extra[i]);
                if (!eq || !valid_name(extra[i], n))
                        return cj_error_set(err, EINVAL, "environment: '%.*s' is not a valid variable name",
                                            (int) (n > 64 ? 64 : n), extra[i]);
                char name[256];
                snprintf(name, sizeof name, "%.*s", (int) n, extra[i]);
                if (cj_env_name_forbidden(name))
                        return cj_error_set(err, EPERM, "environment: a call may not set %s", name);
                if (strlen(eq + 1) > CJ_ENV_VALUE_MAX)
                        return cj_error_set(err, E2BIG, "environment: %s is longer than %d bytes", name,
                                            CJ_ENV_VALUE_MAX);
                if (env_put(&env, extra[i]) < 0)
                        return cj_error_set(err, E2BIG, "environment: more than %d variables", CJ_ENV_MAX_VARS);
        }
        if (!env && cj_strv_push(&env, "PATH=/usr/bin:/bin") < 0) /* never an empty environment */
                return -ENOMEM;
        *out = TAKE_PTR(env);
        return 0;
}
