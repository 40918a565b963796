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
        /* Opened with the cgroup, read after the call (cj_cgroup_stats): CPU
         * time, peak memory, OOM events; -1 where absent.  Only when
         * stat_fds_open (a zeroed cj_cgroup has none). */
        int stat_fd[3];
        bool stat_fds_open;
} cj_cgroup;

#define CJ_CGROUP_LEAF "clawjail-launcher" /* the launcher's leaf inside its own v2 cgroup */
#define CJ_CGROUP_SWEEP_MAX 8 /* earlier calls' cgroups one call removes per hierarchy (cj_cgroup_sweep) */

/* Where and how to look for a v2 subtree (tests point it at a private mount). */
typedef struct cj_cgroup_v2_env {
        const char *mount;              /* where the cgroup2 hierarchy is mounted */
        const char *own;                /* the launcher's cgroup relative to mount; NULL: /proc/self/cgroup */
        const char *const *controllers; /* required; NULL: memory and pids */
        bool may_use_top;               /* root: MOUNT/clawjail if MOUNT already distributes them */
} cj_cgroup_v2_env;

/* The v2 half of cj_cgroup_create, on any cgroup2 mount. */
int cj_cgroup_v2_create(const cj_cgroup_v2_env *env, const cj_limits *limits, cj_cgroup *cg, cj_error *err);

/* Whether the host's cgroup hierarchy (/sys/fs/cgroup) is v2.  v2's parent
 * is arranged by moving the launcher into a leaf and enabling controllers,
 * which the kernel refuses while another process shares the launcher's
 * cgroup: on v2 the call's cgroup is made before pid 1 exists (run.c). */
bool cj_cgroup_host_v2(void);

/* Create the call's cgroup and write limits.  Never fails for lack of
 * cgroups (version 0); fails only if a cgroup was created but a limit could
 * not be written (a limit that silently does not apply is worse). */
int cj_cgroup_create(const cj_limits *limits, cj_cgroup *cg, cj_error *err);

/* Move pid into the call's cgroup(s). */
int cj_cgroup_attach(const cj_cgroup *cg, pid_t pid, cj_error *err);

/* clone(2) with flags (the exit signal in the low byte, no CLONE_VM: it
 * returns twice, as fork does), the child born inside the call's v2 cgroup
 * when there is one (clone3 with CLONE_INTO_CGROUP, Linux 5.7): it never
 * runs outside it, and no migration (a write to cgroup.procs) follows.
 * *placed says so; otherwise (v1, whose cgroups are made after the clone; no
 * cgroup; a kernel or a cgroup that refuses it) the child is a plain clone
 * and cj_cgroup_attach places it, reporting any refusal. */
pid_t cj_cgroup_clone(const cj_cgroup *cg, unsigned long flags, bool *placed);

/* Read accounting after the call: cpu time (ms), peak memory (bytes), OOM kills.
 * Values that are unknown are left at -1 / false. */
void cj_cgroup_stats(const cj_cgroup *cg, int64_t *cpu_ms, int64_t *peak_bytes, bool *oom_killed);

/* Kill anything left and remove the cgroup(s), waiting briefly for the
 * kernel to release the last task. */
void cj_cgroup_destroy(cj_cgroup *cg);

/* Let go of the cgroup(s) without waiting to remove them: the call's pid 1,
 * which reported the call's end, is still in them while it exits (a
 * populated cgroup cannot be removed, and an rmdir tried right away almost
 * always fails), so cj_cgroup_sweep at a later call, of this launcher or any
 * other, removes them.  v2: cgroup.kill first. */
void cj_cgroup_release(cj_cgroup *cg);

/* Remove the empty cgroups earlier calls left beside cg's (cj_cgroup_release):
 * every "call-PID-..." directory but cg's own whose launcher PID is this
 * process or gone (a live launcher's may be between its mkdir and its
 * attach, so empty and still needed).  At most CJ_CGROUP_SWEEP_MAX per
 * hierarchy, so that a backlog (launchers killed mid-call) costs no one call
 * much.  Best effort: a populated one fails with EBUSY and stays. */
void cj_cgroup_sweep(const cj_cgroup *cg);
