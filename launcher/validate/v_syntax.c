/* SPDX-License-Identifier: MIT */
/* syntax: text bash -n would reject is never allowed.  The finding itself is
 * made by chain.c from the parser's error; this entry names the category. */
#include "internal.h"

const cj_validator cj_v_syntax = {
        .name = "syntax",
        .owns = "syntax errors (what bash -n rejects): ask, never allow",
        .always_on = true,
};
