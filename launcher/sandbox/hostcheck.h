/* SPDX-License-Identifier: MIT */
#pragma once

/* What this host offers the sandbox, probed for `clawjail doctor`: each check
 * tries the real thing where it can (a user namespace is created, seccomp is
 * asked which actions it has) and says what to change when it fails.  Prints
 * nothing. */

#include <stddef.h>

#define CJ_HOSTCHECK_TEXT_MAX 512

typedef enum cj_check_status {
        CJ_CHECK_OK,
        CJ_CHECK_WARN, /* works, with less than the best (a limit or a record is missing) */
        CJ_CHECK_FAIL, /* the default profile cannot run fully */
} cj_check_status;

typedef struct cj_check {
        const char *name;
        cj_check_status status;
        char detail[CJ_HOSTCHECK_TEXT_MAX];
        char fix[CJ_HOSTCHECK_TEXT_MAX]; /* empty when nothing to do */
} cj_check;

#define CJ_HOSTCHECKS_MAX 16

/* Run every probe that needs no state: user namespaces, cgroups, idmapped
 * mounts on workspace's filesystem, seccomp and user notification, Landlock,
 * kernel vs mount API.  Fills out[0..*n). */
void cj_hostcheck_run(const char *workspace, cj_check *out, size_t *n);

const char *cj_check_status_name(cj_check_status s); /* "ok", "warn", "fail" */
