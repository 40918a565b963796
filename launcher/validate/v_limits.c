/* SPDX-License-Identifier: MIT */
/* limits: a command too long for a human to review; the parser's own depth and
 * node limits are reported under this name by chain.c. */
#include "internal.h"

static void limits_raw(cj_vctx *c) {
        if (c->len > CJ_VALIDATE_CMD_MAX)
                cj_report(c, CJ_VERDICT_ASK, CJ_VALIDATE_CMD_MAX, c->len - CJ_VALIDATE_CMD_MAX,
                          "command is %zu bytes, longer than the %u a reviewer can be expected to read", c->len,
                          CJ_VALIDATE_CMD_MAX);
}

const cj_validator cj_v_limits = {
        .name = "limits",
        .owns = "command length (> 10,000 bytes) and parser nesting / node limits",
        .always_on = true,
        .raw = limits_raw,
};
