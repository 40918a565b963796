/* SPDX-License-Identifier: MIT */
#include "cli.h"

int cmd_run(int argc, char **argv) {
        (void) argc;
        (void) argv;
        return cj_cli_fail("run: not implemented yet");
}

