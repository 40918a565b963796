/* SPDX-License-Identifier: MIT */
#include "cli.h"

int cmd_profile(int argc, char **argv) {
        (void) argc;
        (void) argv;
        return cj_cli_fail("profile: not implemented yet");
}

