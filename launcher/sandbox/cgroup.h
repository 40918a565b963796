/* SPDX-License-Identifier: MIT */
#pragma once

/* Per-call cgroup: memory and pids limits, CPU and peak-memory accounting,
 * OOM detection.  cgroup v2 where /sys/fs/cgroup is cgroup2 and the launcher
 * may write there (root, or a delegated subtree with the controllers enabled);
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
