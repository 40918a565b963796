/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

int cj_cli_verbosity = 0;

int cj_cli_fail(const char *fmt, ...) {
        va_list ap;
        fputs("clawjail: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return CJ_EXIT_FAILURE;
}
