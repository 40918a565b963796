/* SPDX-License-Identifier: MIT */
#pragma once

/* Per-call cgroup: memory and pids limits, CPU and peak-memory accounting,
 * OOM detection.  cgroup v2 where /sys/fs/cgroup is cgroup2 and the
 * launcher's own cgroup is delegated to it with memory and pids available:
 * the launcher moves itself into a leaf (CJ_CGROUP_LEAF) of its own cgroup,
 * enables the controllers there, and creates each call's cgroup beside the
 * leaf (root may fall back to /sys/fs/cgroup/clawjail where systemd already
 * distributes the controllers; the hierarchy root is never written);
 * cgroup v1 memory/pids/cpuacct hierarchies where the host is v1 or hybrid and
 * writable (root).  Otherwise none: rlimits still apply, and the result says
 * "cgroup":"none". */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "profile/profile.h"
#include "util/err.h"

typedef struct cj_cgroup {
        int version;    /* 0 none, 1, 2 */
        char *v2;       /* the call's cgroup directory (v2) */
        char *v1_memory, *v1_pids, *v1_cpuacct; /* the call's directories (v1), any may be NULL */
        char *why_none; /* when version == 0: why, for -v */
} cj_cgroup;

#define CJ_CGROUP_LEAF "clawjail-launcher" /* the launcher's leaf inside its own v2 cgroup */

/* Where and how to look for a v2 subtree (tests point it at a private mount). */
typedef struct cj_cgroup_v2_env {
        const char *mount;              /* where the cgroup2 hierarchy is mounted */
        const char *own;                /* the launcher's cgroup relative to mount; NULL: /proc/self/cgroup */
        const char *const *controllers; /* required; NULL: memory and pids */
        bool may_use_top;               /* root: MOUNT/clawjail if MOUNT already distributes them */
} cj_cgroup_v2_env;

/* The v2 half of cj_cgroup_create, on any cgroup2 mount. */
int cj_cgroup_v2_create(const cj_cgroup_v2_env *env, const cj_limits *limits, cj_cgroup *cg, cj_error *err);

/* Create the call's cgroup and write limits.  Never fails for lack of
 * cgroups (version 0); fails only if a cgroup was created but a limit could
 * not be written (a limit that silently does not apply is worse). */
int cj_cgroup_create(const cj_limits *limits, cj_cgroup *cg, cj_error *err);

/* Move pid into the call's cgroup(s). */
int cj_cgroup_attach(const cj_cgroup *cg, pid_t pid, cj_error *err);

/* Read accounting after the call: cpu time (ms), peak memory (bytes), OOM kills.
 * Values that are unknown are left at -1 / false. */
void cj_cgroup_stats(const cj_cgroup *cg, int64_t *cpu_ms, int64_t *peak_bytes, bool *oom_killed);

/* Kill anything left and remove the cgroup(s). */
void cj_cgroup_destroy(cj_cgroup *cg);
