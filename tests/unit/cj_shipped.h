/* SPDX-License-Identifier: MIT */
#pragma once

/* A profile shipped in the source tree, loaded as the launcher finds it: the
 * profile and seccomp search paths pointed at the tree's profiles/ and
 * seccomp/ (CLAWJAIL_SOURCE_DIR, set by the unit tests' meson environment). */

#include <stdio.h>
#include <stdlib.h>

#include "cj_check.h"
#include "profile/profile.h"

static inline cj_profile *cj_test_shipped_profile(const char *name, const cj_profile_vars *vars) {
        const char *src = getenv("CLAWJAIL_SOURCE_DIR");
        ck_assert_ptr_nonnull(src);
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/profiles", src);
        setenv("CLAWJAIL_PROFILE_PATH", dir, 1);
        snprintf(dir, sizeof dir, "%s/seccomp", src);
        setenv("CLAWJAIL_SECCOMP_PATH", dir, 1);
        cj_profile *p = NULL;
        cj_error err = { 0 };
        ck_assert_msg(cj_profile_load(name, vars, &p, &err) == 0, "%s: %s", name, err.msg);
        return p;
}
