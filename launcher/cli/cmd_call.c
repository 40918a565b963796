/* SPDX-License-Identifier: MIT */
#include "cli.h"

int cmd_call(int argc, char **argv) {
        (void) argc;
        (void) argv;
        return cj_cli_fail("call: not implemented yet");
}

int cmd_serve(int argc, char **argv) {
        (void) argc;
        (void) argv;
        return cj_cli_fail("serve: not implemented yet");
}

