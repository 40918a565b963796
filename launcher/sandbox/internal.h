/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Shared between the launcher side of the sandbox (run.c: prepare, spawn,
 * supervise, collect) and the code that runs inside it (child.c: pid 1 and
 * pid 2).  Not a public interface: sandbox.h is.
 *
 * Channels between the two sides, all close-on-exec:
 *   chan    launcher -> pid 1, a SOCK_SEQPACKET socketpair (channel.h): the
 *           two go-aheads, the fds handed in (SCM_RIGHTS) and the filter;
 *           then pid 2 -> launcher: the seccomp listener (notify.h)
 *   msg     pid 1/2 -> launcher, a pipe of child_msg; EOF without a message
 *           means the program was exec'd (or fn is running)
 *   status  pid 1 -> launcher, one call_status: written once every process
 *           of the call is reaped, right before pid 1 exits
 */

#include <linux/filter.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "listcache.h"
#include "plan.h"
#include "sandbox.h"

/* run.c, before the clone: a malloc of this size (above glibc's small bins,
 * below its mmap threshold, an unlikely exact fit) sorts the free chunks. */
#define CJ_SANDBOX_HEAP_SORT_BYTES (4096 + 16)

enum { MSG_SETUP_FAILED = 1, MSG_EXEC_FAILED = 2 };
typedef struct child_msg {
        int kind;
        int errnum;
        char text[CJ_ERROR_MSG_MAX];
} child_msg;

/* The end of a call, from pid 1 once nothing of it runs any more: the
 * launcher goes on without waiting for pid 1's own exit (the teardown of
 * the namespaces, which bubblewrap's monitor does not wait for either). */
typedef struct call_status {
        int wstatus;          /* pid 2's */
        int64_t cpu_us;       /* pid 1 and everything it reaped, as wait4 on pid 1 would say */
        int64_t maxrss_kb;
} call_status;

/* What pid 1 and pid 2 need, filled by the launcher before the clone (pid 1
 * gets its own copy of this memory) and completed by pid 1 from the channel. */
typedef struct child_ctx {
        const cj_sandbox_config *cfg;
        const cj_mount_plan *plan;
        const cj_list_cache *lists; /* the plan's listings (listcache.h), for pid 1's mask walk; may be NULL */
        char **envp;
        const char *cwd;
        bool root_launcher;
        bool cgroup_memory; /* memory limited by a cgroup (else RLIMIT_AS); set from CALL */
        uid_t uid;
        gid_t gid;
        int net;
        int chan, msg_wr, status_wr;
        int call_fd[3];     /* the call's 0/1/2 (-1 inherit); a terminal's slave side once pid 1 made it */
        int pty_wr;         /* cfg->pty: pid 1 -> launcher, the terminal's master side (CJ_CHAN_PTY); else -1 */
        sigset_t forwarded;
        uint32_t audit_arch; /* native AUDIT_ARCH_*, for the filter checks in pid 2 */
        /* received over chan */
        struct sock_fprog prog;
        int recv_fds[CJ_SANDBOX_PASS_FDS_MAX]; /* index i is cfg->pass_fds[i] */
        size_t n_recv_fds;
} child_ctx;

/* pid 1: wait for the go-aheads, set up, fork the call, reap.  Never returns. */
_Noreturn void cj_sandbox_child_main(child_ctx *c);
