/* SPDX-License-Identifier: MIT */
#include "cli.h"

int cmd_exec(int argc, char **argv) {
        (void) argc;
        (void) argv;
        return cj_cli_fail("exec: not implemented yet");
}

