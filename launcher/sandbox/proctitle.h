/* SPDX-License-Identifier: MIT */
#pragma once

/* pid 1 of the sandbox is a fork of the launcher: without this, `ps` inside
 * the sandbox and on the host shows the launcher's whole command line (the
 * agent's command, the task id) as the sandbox's init. */

/* Record where main's argv strings lie (the kernel's arg_start..arg_end:
 * argv[0] to the NUL of the last argument), before anything changes them.
 * Reading that from /proc/self/stat instead cost pid 1 ~0.25 ms, right
 * while the call starts. */
void cj_proctitle_init(int argc, char **argv);

/* Rewrite this process's command line (/proc/PID/cmdline) and name
 * (/proc/PID/comm) to title.  Best effort: returns 0 or -errno
 * (-ENOENT without cj_proctitle_init). */
int cj_proctitle_set(const char *title);
