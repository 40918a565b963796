/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The sandbox: run an argv (or an in-process function) in fresh user, mount,
 * pid, ipc, uts, cgroup and (unless the profile says host) network
 * namespaces, inside a pivot_root'ed tree built from the profile's mount
 * plan, with every capability dropped, no_new_privs, the profile's seccomp
 * filter, a scrubbed environment, rlimits and a cgroup when one is available.
 *
 * Process shape:  launcher ── pid 1 (reaper, in the new pid ns) ── pid 2 (the call)
 * The launcher enforces the wall-clock timeout by killing pid 1, which takes
 * every process of the pid namespace with it (daemonized ones included).
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "profile/profile.h"
#include "util/err.h"

#define CJ_SANDBOX_KEEP_FDS_MAX 8 /* descriptors a file tool may be handed */

typedef struct cj_sandbox_config {
        const cj_profile *profile;
        char *const *argv;           /* program and arguments; argv[0] searched in the sandbox's PATH */
        int (*fn)(void *arg);        /* or: run fn in pid 2 after all setup (read/write/edit tools) */
        void *fn_arg;
        const int *keep_fds;         /* fds fn needs (kept open in pid 2), -1 terminated; NULL = none.
                                      * Every other descriptor above 2 is closed in pid 1 and pid 2. */
        const char *cwd;             /* working directory inside (absolute); NULL = profile's first rw root or / */
        char *const *extra_ro;       /* operator --ro paths (absolute, normalized) */
        char *const *extra_rw;       /* operator --rw paths */
        char *const *extra_env;      /* "NAME=value" added after the scrub (request env) */
        int network;                 /* cj_net_mode, or -1 for the profile's */
        int64_t timeout_ms;          /* 0 = profile limits.wall_s; <0 none */
        int stdin_fd, stdout_fd, stderr_fd; /* child's 0/1/2; -1 = inherit the launcher's */
} cj_sandbox_config;

typedef enum cj_sandbox_status {
        CJ_SB_EXITED,       /* pid 2 exited: exit_code */
        CJ_SB_SIGNALED,     /* pid 2 killed by signal */
        CJ_SB_OOM,          /* killed by the OOM killer (memory limit) */
        CJ_SB_TIMEOUT,      /* wall-clock limit: the whole sandbox was killed */
        CJ_SB_EXEC_FAILED,  /* program not found / not executable: exec_errno */
        CJ_SB_SETUP_FAILED, /* namespaces, mounts, ...: message in err */
} cj_sandbox_status;

typedef struct cj_sandbox_result {
        cj_sandbox_status status;
        int exit_code;        /* CJ_SB_EXITED */
        int signal;           /* CJ_SB_SIGNALED / CJ_SB_OOM */
        int exec_errno;       /* CJ_SB_EXEC_FAILED */
        int64_t duration_ms;
        int64_t cpu_ms;            /* user+system of every reaped process in the sandbox */
        int64_t peak_memory_bytes; /* from the cgroup, else max rss; -1 unknown */
        const char *cgroup;        /* "v2", "v1" or "none": how limits were enforced */
        cj_strv quarantined;       /* git control files the call created, moved aside (see quarantine.h) */
} cj_sandbox_result;

/* Free what a result owns (the quarantined list). */
void cj_sandbox_result_clear(cj_sandbox_result *res);

/* Initialize cfg with defaults (inherit fds, profile network, profile timeout). */
void cj_sandbox_config_init(cj_sandbox_config *cfg);

/* Run one call.  Returns 0 when the sandbox ran (whatever the program did:
 * see res), or -errno with err set when the sandbox could not be set up;
 * then res->status == CJ_SB_SETUP_FAILED and nothing ran. */
int cj_sandbox_run(const cj_sandbox_config *cfg, cj_sandbox_result *res, cj_error *err);

/* The SPEC exit code for a result: the child's code, 124 timeout, 125 setup,
 * 126/127 exec errors, 128+N signals (OOM = 137). */
int cj_sandbox_exit_code(const cj_sandbox_result *res);

/* One line on why user namespaces are unavailable and what to change, or NULL
 * when they work.  Probes /proc/sys and AppArmor's restriction. */
const char *cj_sandbox_userns_hint(void);
