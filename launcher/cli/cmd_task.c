/* SPDX-License-Identifier: MIT */
#include "cli.h"

int cmd_task(int argc, char **argv) {
        (void) argc;
        (void) argv;
        return cj_cli_fail("task: not implemented yet");
}

int cmd_checkpoint(int argc, char **argv) {
        (void) argc;
        (void) argv;
        return cj_cli_fail("checkpoint: not implemented yet");
}

int cmd_journal(int argc, char **argv) {
        (void) argc;
        (void) argv;
        return cj_cli_fail("journal: not implemented yet");
}

