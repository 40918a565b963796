/* SPDX-License-Identifier: MIT */
#include "cli.h"

int cmd_check(int argc, char **argv) {
        (void) argc;
        (void) argv;
        return cj_cli_fail("check: not implemented yet");
}

