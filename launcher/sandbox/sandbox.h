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
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "profile/profile.h"
#include "util/err.h"

#define CJ_SANDBOX_TERM_GRACE_MS 2000 /* after SIGTERM/SIGINT to the launcher, the sandbox is killed */
#define CJ_SANDBOX_KEEP_FDS_MAX 8      /* descriptors a file tool may be handed */
#define CJ_SANDBOX_PASS_FDS_MAX 8      /* descriptors handed into one call */
#define CJ_SANDBOX_SET_ENV_MAX 16      /* variables the launcher sets for one call */
#define CJ_SANDBOX_FD_TARGET_MAX 255   /* highest fd number a handed-in fd may take in the call */
#define CJ_SANDBOX_EXITING_MAX 16      /* ended calls' pid 1s left to exit before one is waited for */

#define CJ_PTY_COLS_DEFAULT 80  /* a call's terminal (pty) when the request names no size */
#define CJ_PTY_ROWS_DEFAULT 24
#define CJ_PTY_COLS_MAX 1000    /* largest terminal a request may ask for */
#define CJ_PTY_ROWS_MAX 1000
#define CJ_PTY_TERM_DEFAULT "xterm-256color" /* TERM of a terminal call whose environment names none */

/* Receives the call's output while it runs (serve's streaming).  The pump
 * (pump.h) reads the call's pipes (or its terminal) in the supervise stage,
 * writes each chunk to stdout_fd/stderr_fd first (so the capture, its cap
 * and its spill to outputs/ are the same as without a receiver) and then
 * hands it here.  A receiver that cannot pass a chunk on at once keeps it and
 * names the descriptor it waits on: until that is writable the pump reads
 * nothing more (the rest of the read it is handing over still comes), so the call blocks in its own pipe and no memory grows,
 * while the deadline and signals are still served. */
#define CJ_SANDBOX_OUTPUT_CHUNK_MAX 4096 /* bytes of one chunk handed to a receiver */

typedef struct cj_sandbox_output {
        /* stream 1 (stdout, or the terminal's output) or 2; 0, or -errno to
         * stop receiving (the capture goes on).  Must not block. */
        int (*chunk)(void *arg, int stream, const char *buf, size_t len);
        /* The descriptor the receiver waits on to be writable, or -1 when it
         * holds nothing back. */
        int (*wait_fd)(void *arg);
        /* wait_fd is writable: pass on what is held.  0 or -errno (stop). */
        int (*flush)(void *arg);
        void *arg;
} cj_sandbox_output;

/* A descriptor the launcher hands to the call: sent to pid 1 over the
 * sandbox's channel (SCM_RIGHTS) and installed in the call at `target`. */
typedef struct cj_sandbox_fd {
        int fd;               /* the launcher's descriptor; stays the caller's to close */
        int target;           /* its number in the call: 3..CJ_SANDBOX_FD_TARGET_MAX */
        const char *env_name; /* if set, NAME=<target> is added to the call's environment */
} cj_sandbox_fd;

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
        const char *scratch_home;    /* the task's HOME and /tmp on the host (tracker/scratch.h); */
        const char *scratch_tmp;     /*   NULL: fresh tmpfs (untracked call) */
        char *const *extra_env;      /* "NAME=value" added after the scrub (request env) */
        int network;                 /* cj_net_mode, or -1 for the profile's */
        int64_t timeout_ms;          /* 0 = profile limits.wall_s; <0 none */
        int stdin_fd, stdout_fd, stderr_fd; /* child's 0/1/2; -1 = inherit the launcher's */
        /* Set either and the launcher pumps the call's output (pump.h):
         * stdout_fd/stderr_fd then receive what the pump read. */
        const cj_sandbox_output *output; /* NULL: the call writes to stdout_fd/stderr_fd itself */
        /* A pseudo-terminal from the sandbox's own devpts instance as the
         * call's 0, 1 and 2 (its controlling terminal, echo off): what the
         * terminal shows goes to stdout_fd (stderr is merged into it), and
         * stdin_fd (or the launcher's stdin) is typed into it, then
         * end-of-file (^D).  TERM is CJ_PTY_TERM_DEFAULT unless the
         * environment names one.  Only for argv calls. */
        bool pty;
        unsigned pty_cols, pty_rows; /* 0 = CJ_PTY_COLS_DEFAULT / CJ_PTY_ROWS_DEFAULT */
        /* Set through cj_sandbox_pass_fd / cj_sandbox_setenv (strings stay the caller's). */
        cj_sandbox_fd pass_fds[CJ_SANDBOX_PASS_FDS_MAX];
        size_t n_pass_fds;
        const char *set_env[CJ_SANDBOX_SET_ENV_MAX][2]; /* name, value */
        size_t n_set_env;
        /* Listening sockets pid 1 opens on 127.0.0.1 in the call's network
         * namespace (the egress proxy's, loopback forwards: launcher/net/proxy.h)
         * and sends, in this order, over listen_chan (SCM_RIGHTS) right after
         * lo is up.  pid 1 keeps none; the call never has them. */
        const uint16_t *listen_ports;
        size_t n_listen_ports;       /* at most CJ_SANDBOX_LISTEN_MAX */
        int listen_chan;             /* -1 = none */
        /* A descriptor the launcher watches while the call runs, on its own
         * thread (the egress proxy's epoll fd: net/proxy.h): whenever it is
         * readable, watch(watch_arg, err) runs; it returns 1 to go on
         * watching, 0 to stop, or -errno with err set, which ends the call
         * as clawjail's failure. */
        int watch_fd;                /* -1 = none */
        int (*watch)(void *arg, cj_error *err);
        void *watch_arg;
} cj_sandbox_config;

#define CJ_SANDBOX_LISTEN_MAX 128 /* listening sockets handed out of one sandbox */

typedef enum cj_sandbox_status {
        CJ_SB_EXITED,       /* pid 2 exited: exit_code */
        CJ_SB_SIGNALED,     /* pid 2 killed by signal */
        CJ_SB_OOM,          /* killed by the OOM killer (memory limit) */
        CJ_SB_TIMEOUT,      /* wall-clock limit: the whole sandbox was killed */
        CJ_SB_EXEC_FAILED,  /* program not found / not executable: exec_errno */
        CJ_SB_SETUP_FAILED, /* namespaces, mounts, ...: message in err */
} cj_sandbox_status;

#define CJ_SANDBOX_REFUSED_MAX 32          /* distinct refused-syscall records per call; more are only counted */
#define CJ_SANDBOX_REFUSED_NAME_MAX 32     /* syscall name */
#define CJ_SANDBOX_REFUSED_ARGS_MAX 128    /* argument summary (CJ_SECCOMP_DESC_MAX) */
#define CJ_SANDBOX_REFUSED_PROGRAM_MAX 16  /* TASK_COMM_LEN */

/* One kind of refused syscall: calls with the same name, argument summary,
 * errno and program count as one record. */
typedef struct cj_refused_syscall {
        char syscall[CJ_SANDBOX_REFUSED_NAME_MAX];
        char args[CJ_SANDBOX_REFUSED_ARGS_MAX]; /* numbers only (seccomp/bpf.h) */
        int errnum;                             /* what the call got: the policy's errno */
        int pid;                                /* first caller, in the sandbox's pid namespace; 0 unknown */
        char program[CJ_SANDBOX_REFUSED_PROGRAM_MAX]; /* its comm, read after the fact: a record, never a decision */
        uint64_t count;
} cj_refused_syscall;

/* What the seccomp filter refused during a call (launcher/sandbox/notify.h). */
typedef struct cj_sandbox_refused {
        bool recorded;       /* refusals reached the launcher by user notification */
        char why_not[160];   /* !recorded: why the filter answered silently instead */
        cj_refused_syscall calls[CJ_SANDBOX_REFUSED_MAX];
        size_t n_calls;
        uint64_t total;      /* every refused call */
        uint64_t unrecorded; /* refused calls of kinds beyond CJ_SANDBOX_REFUSED_MAX */
} cj_sandbox_refused;

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
        cj_strv quarantine_failed; /* "PATH: reason" for those that could not be moved: still in place */
        cj_strv notes;             /* what the sandbox left out and why (optional binds; see reach.h) */
        cj_sandbox_refused *refused; /* refused syscalls; NULL for the file tools (fn) */
} cj_sandbox_result;

/* Free what a result owns (the quarantined list). */
void cj_sandbox_result_clear(cj_sandbox_result *res);

/* Initialize cfg with defaults (inherit fds, profile network, profile timeout). */
void cj_sandbox_config_init(cj_sandbox_config *cfg);

/*
 * Handing things to the call (egress proxy socket, helper descriptors):
 *
 *     cj_sandbox_pass_fd(&cfg, sock, 3, "CLAWJAIL_PROXY_FD");
 *     cj_sandbox_setenv(&cfg, "HTTPS_PROXY", "http://127.0.0.1:3128");
 *
 * The fd reaches pid 1 through the sandbox's channel (never by accident of
 * inheritance) and is the call's fd 3, open across exec, with
 * CLAWJAIL_PROXY_FD=3 in its environment.  Variables set here come after the
 * profile's env and the request's, so the launcher has the last word, and
 * they are not checked against the request-env rules: only launcher code
 * calls this.  The file tools (fn) get neither.
 */

/* Hand fd to the call at number target (3..CJ_SANDBOX_FD_TARGET_MAX, each
 * target once); env_name (may be NULL) names a variable set to the number.
 * -E2BIG past CJ_SANDBOX_PASS_FDS_MAX, -EINVAL for a bad fd or target. */
int cj_sandbox_pass_fd(cj_sandbox_config *cfg, int fd, int target, const char *env_name);

/* Set NAME=value in the call's environment (replacing any earlier value of
 * NAME).  -E2BIG past CJ_SANDBOX_SET_ENV_MAX, -EINVAL for a bad name. */
int cj_sandbox_setenv(cj_sandbox_config *cfg, const char *name, const char *value);

/* Run one call: the four stages below in a row.  Returns 0 when the sandbox
 * ran (whatever the program did: see res), or -errno with err set when the
 * sandbox could not be set up; then res->status == CJ_SB_SETUP_FAILED and
 * nothing ran. */
int cj_sandbox_run(const cj_sandbox_config *cfg, cj_sandbox_result *res, cj_error *err);

/*
 * The same call in stages, for a front end that needs the sandbox's pid
 * between them (to join its network namespace, say):
 *   prepare    plan, cwd check, git watch, env, cgroup (v2), cached seccomp
 *              filter: everything that can fail before a process exists
 *   spawn      clone pid 1, id maps, hand the fds over, cgroup (v1) and its
 *              attach, send
 *              the filter (compiled here, overlapping pid 1's mounts, when the
 *              process has no cached copy); the call is running on return
 *   supervise  forward signals, enforce the deadline, wait for pid 1
 *   collect    the result; quarantine what the call created in .git
 * cfg must outlive the handle.  cj_sandbox_free kills a pid 1 still running.
 */
typedef struct cj_sandbox cj_sandbox;
int cj_sandbox_prepare(const cj_sandbox_config *cfg, cj_sandbox **out, cj_error *err);
int cj_sandbox_spawn(cj_sandbox *sb, cj_error *err);
pid_t cj_sandbox_pid(const cj_sandbox *sb); /* pid 1 on the host, after spawn; else -1 */
int cj_sandbox_supervise(cj_sandbox *sb, cj_error *err);
int cj_sandbox_collect(cj_sandbox *sb, cj_sandbox_result *res, cj_error *err);
void cj_sandbox_free(cj_sandbox *sb);

/* The SPEC exit code for a result: the child's code, 124 timeout, 125 setup,
 * 126/127 exec errors, 128+N signals (OOM = 137). */
int cj_sandbox_exit_code(const cj_sandbox_result *res);

/* One line on why user namespaces are unavailable and what to change, or NULL
 * when they work.  Probes /proc/sys and AppArmor's restriction. */
const char *cj_sandbox_userns_hint(void);
