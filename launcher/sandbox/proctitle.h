/* SPDX-License-Identifier: MIT */
#pragma once

/* pid 1 of the sandbox is a fork of the launcher: without this, `ps` inside
 * the sandbox and on the host shows the launcher's whole command line (the
 * agent's command, the task id) as the sandbox's init. */

/* Rewrite this process's command line (/proc/PID/cmdline) and name
 * (/proc/PID/comm) to title.  Best effort: returns 0 or -errno. */
int cj_proctitle_set(const char *title);
