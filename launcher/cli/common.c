/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"
#include "profile/profile.h"

int cj_cli_verbosity = 0;

void cj_cli_keep_profile(struct cj_profile **p) {
        static cj_profile *kept; /* reachable to the end: not a leak */
        cj_profile_free(kept);
        kept = *p;
        *p = NULL;
}

int cj_cli_fail(const char *fmt, ...) {
        va_list ap;
        fputs("clawjail: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return CJ_EXIT_FAILURE;
}
