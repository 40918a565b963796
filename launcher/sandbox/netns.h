/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The call's network namespace, made beside pid 1 rather than by it.
 *
 * Setting one up is the costliest step of a sandbox's setup (every pernet
 * subsystem registers itself, lo included: ~0.8 ms of kernel time here), and
 * nothing pid 1 mounts depends on it.  So pid 1's first act is to start a
 * helper: a clone sharing its memory (nothing to copy) but with a copy of its
 * descriptor table, inside the sandbox's user namespace, which closes every
 * descriptor but its end of a socket pair, makes the namespace, brings lo up,
 * and hands the namespace back (SIOCGSKNS, SCM_RIGHTS) or says which step
 * failed, then exits.  pid 1 mounts meanwhile, then enters the namespace
 * (setns) before it opens the proxy's listening sockets or forks the call,
 * and gives the helper's pid (2) back to the pid namespace for the call.
 * The namespace is owned by the sandbox's user namespace, as one pid 1
 * made itself would be, and nothing outside the sandbox ever holds it.
 */

#include <sys/types.h>

#include "util/err.h"

typedef struct cj_netns_maker {
        pid_t pid;  /* the helper, -1 when none runs */
        int sock;   /* pid 1's end of the pair, -1 */
} cj_netns_maker;

/* In pid 1: start the helper.  0 or -errno. */
int cj_netns_start(cj_netns_maker *m);

/* In pid 1, after its mounts (the call's /proc is in place): wait for the
 * helper's answer, enter the namespace, reap the helper, and set the pid
 * namespace's last pid back to 1 so the call is pid 2.  0, or -errno with err
 * naming the step that failed. */
int cj_netns_enter(cj_netns_maker *m, cj_error *err);
