/* SPDX-License-Identifier: MIT */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "env.h"
#include "mounts.h"
#include "plan.h"
#include "privs.h"
#include "quarantine.h"
#include "seccomp/policy.h"
#include "util/cleanup.h"
#include "util/fileio.h"

extern char **environ;

/* Messages from the sandbox to the launcher over a CLOEXEC pipe: EOF means
 * the program was exec'd (or fn is running). */
enum { MSG_SETUP_FAILED = 1, MSG_EXEC_FAILED = 2 };
typedef struct child_msg {
        int kind;
        int errnum;
        char text[CJ_ERROR_MSG_MAX];
} child_msg;

typedef struct child_ctx {
        const cj_sandbox_config *cfg;
        const cj_mount_plan *plan;
        struct sock_fprog prog;
        char **envp;
        const char *cwd;
        bool root_launcher;
        bool cgroup_memory; /* memory limited by a cgroup (else RLIMIT_AS) */
        uid_t uid;
        gid_t gid;
        int net;
        int sync_rd, msg_wr, status_wr;
        sigset_t forwarded;
} child_ctx;

static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

void cj_sandbox_config_init(cj_sandbox_config *cfg) {
        *cfg = (cj_sandbox_config){ .network = -1, .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1 };
}

void cj_sandbox_result_clear(cj_sandbox_result *res) {
        cj_strv_free(res->quarantined);
        res->quarantined = NULL;
}

int cj_sandbox_exit_code(const cj_sandbox_result *res) {
        switch (res->status) {
        case CJ_SB_EXITED:
                return res->exit_code;
        case CJ_SB_SIGNALED:
        case CJ_SB_OOM:
                return 128 + res->signal;
        case CJ_SB_TIMEOUT:
                return 124;
        case CJ_SB_EXEC_FAILED:
                return res->exec_errno == ENOENT ? 127 : 126;
        case CJ_SB_SETUP_FAILED:
                return 125;
        }
        return 125;
}

const char *cj_sandbox_userns_hint(void) {
        _cleanup_free_ char *v = NULL;
        if (cj_read_file("/proc/sys/user/max_user_namespaces", 64, &v, NULL, NULL) >= 0 && atol(v) == 0)
                return "user namespaces are disabled: set the sysctl user.max_user_namespaces to a value > 0";
        free(v);
        v = NULL;
        if (cj_read_file("/proc/sys/kernel/unprivileged_userns_clone", 64, &v, NULL, NULL) >= 0 && atol(v) == 0)
                return "unprivileged user namespaces are disabled: set the sysctl kernel.unprivileged_userns_clone=1";
        free(v);
        v = NULL;
        if (cj_read_file("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", 64, &v, NULL, NULL) >= 0 &&
            atol(v) == 1)
                return "AppArmor restricts unprivileged user namespaces (Ubuntu 23.10+): install an AppArmor profile "
                       "granting 'userns,' to clawjail (see docs/security.md) or set the sysctl "
                       "kernel.apparmor_restrict_unprivileged_userns=0";
        return NULL;
}

static int compile_seccomp(const cj_profile *p, struct sock_fprog *prog, cj_error *err);

/* ---- inside the sandbox -------------------------------------------------- */

/* errnum != 0 appends its strerror; messages from a cj_error already carry it. */
static _Noreturn void child_fail(const child_ctx *c, int kind, int errnum, const char *text) {
        child_msg m = { .kind = kind, .errnum = errnum < 0 ? -errnum : errnum };
        if (m.errnum)
                snprintf(m.text, sizeof m.text, "%s: %s", text, strerror(m.errnum));
        else
                snprintf(m.text, sizeof m.text, "%s", text);
        (void) !write(c->msg_wr, &m, sizeof m);
        _exit(125);
}

static int set_rlimit(int res, int64_t v, int64_t scale) {
        if (v < 0)
                return 0;
        struct rlimit rl = { (rlim_t) v * (rlim_t) scale, (rlim_t) v * (rlim_t) scale };
        if (res == RLIMIT_CPU)
                rl.rlim_max = rl.rlim_cur + 1; /* SIGXCPU first, SIGKILL a second later */
        return setrlimit(res, &rl) < 0 ? -errno : 0;
}

static int apply_rlimits(const child_ctx *c) {
        const cj_limits *l = &c->cfg->profile->limits;
        int r = 0;
        if ((r = set_rlimit(RLIMIT_NOFILE, l->nofile, 1)) < 0 || (r = set_rlimit(RLIMIT_NPROC, l->pids, 1)) < 0 ||
            (r = set_rlimit(RLIMIT_CPU, l->cpu_s, 1)) < 0 || (r = set_rlimit(RLIMIT_FSIZE, l->fsize_mb, 1 << 20)) < 0 ||
            (r = set_rlimit(RLIMIT_CORE, 0, 1)) < 0)
                return r;
        if (!c->cgroup_memory)
                r = set_rlimit(RLIMIT_AS, l->memory_mb, 1 << 20);
        return r;
}

static int int_cmp(const void *a, const void *b) {
        return *(const int *) a - *(const int *) b;
}

/* Close every descriptor except those in keep (bubblewrap's monitor does the
 * same): marking them close-on-exec is not enough where no exec follows (pid 1,
 * the file tools), and a descriptor still open there is reachable through
 * /proc/self/fd.  keep is reordered. */
static int close_all_but(int *keep, size_t n) {
        qsort(keep, n, sizeof *keep, int_cmp);
        unsigned next = 0;
        for (size_t i = 0; i < n; i++) {
                if (keep[i] < 0 || (unsigned) keep[i] < next)
                        continue;
                if ((unsigned) keep[i] > next && syscall(SYS_close_range, next, (unsigned) keep[i] - 1, 0) < 0)
                        return -errno;
                next = (unsigned) keep[i] + 1;
        }
        return syscall(SYS_close_range, next, ~0U, 0) < 0 ? -errno : 0;
}

static void redirect(int from, int to) {
        if (from >= 0 && from != to)
                dup2(from, to);
}

/* pid 2: the call itself. */
static _Noreturn void run_call(child_ctx *c) {
        cj_error err = { 0 };
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        /* Default dispositions: the launcher ignores SIGPIPE, and an ignored
         * signal would survive exec. */
        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        signal(sig, SIG_DFL);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (setsid() < 0)
                child_fail(c, MSG_SETUP_FAILED, errno, "setsid");
        redirect(c->cfg->stdin_fd, 0);
        redirect(c->cfg->stdout_fd, 1);
        redirect(c->cfg->stderr_fd, 2);
        int r = apply_rlimits(c);
        if (r < 0)
                child_fail(c, MSG_SETUP_FAILED, r, "setrlimit");
        r = cj_privs_drop(c->root_launcher, c->uid, c->gid, &err);
        if (r < 0)
                child_fail(c, MSG_SETUP_FAILED, 0, err.msg);
        /* Only 0-2, the message pipe and what fn needs stay open; the message
         * pipe goes at exec (or right before fn), which is how the launcher
         * learns that the call started. */
        int keep[3 + 1 + CJ_SANDBOX_KEEP_FDS_MAX] = { 0, 1, 2, c->msg_wr };
        size_t nkeep = 4;
        for (size_t i = 0; c->cfg->fn && c->cfg->keep_fds && c->cfg->keep_fds[i] >= 0; i++) {
                if (i >= CJ_SANDBOX_KEEP_FDS_MAX)
                        child_fail(c, MSG_SETUP_FAILED, E2BIG, "descriptors kept for the file tool");
                keep[nkeep++] = c->cfg->keep_fds[i];
        }
        if ((r = close_all_but(keep, nkeep)) < 0)
                child_fail(c, MSG_SETUP_FAILED, r, "close_range");
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &c->prog) < 0)
                child_fail(c, MSG_SETUP_FAILED, errno, "install the seccomp filter");
        if (c->cfg->fn) {
                close(c->msg_wr);
                _exit(c->cfg->fn(c->cfg->fn_arg));
        }
        environ = c->envp;
        execvp(c->cfg->argv[0], c->cfg->argv);
        child_msg m = { .kind = MSG_EXEC_FAILED, .errnum = errno };
        snprintf(m.text, sizeof m.text, "%s", c->cfg->argv[0]);
        (void) !write(c->msg_wr, &m, sizeof m);
        _exit(errno == ENOENT ? 127 : 126);
}

/* pid 1: set up, start the call, then reap and forward signals until it ends.
 * The launcher learns the call's wait status through status_wr. */
static _Noreturn void sandbox_init(child_ctx *c) {
        cj_error err = { 0 };
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* The launcher's descriptors (the task's lock, journal, state, output
         * files) never enter the sandbox: keep only the pipes and what pid 2
         * is handed. */
        const cj_sandbox_config *cfg = c->cfg;
        int keep[9 + CJ_SANDBOX_KEEP_FDS_MAX] = { 0,           1,           2,           c->sync_rd, c->msg_wr,
                                                 c->status_wr, cfg->stdin_fd, cfg->stdout_fd, cfg->stderr_fd };
        size_t nkeep = 9;
        for (size_t i = 0; cfg->fn && cfg->keep_fds && cfg->keep_fds[i] >= 0 && i < CJ_SANDBOX_KEEP_FDS_MAX; i++)
                keep[nkeep++] = cfg->keep_fds[i];
        int cr = close_all_but(keep, nkeep);
        if (cr < 0)
                child_fail(c, MSG_SETUP_FAILED, cr, "close the launcher's descriptors");
        /* Compile the filter here, while the launcher writes the id maps and
         * attaches the cgroup: it needs no privilege, and pid 2 inherits it. */
        cr = compile_seccomp(c->cfg->profile, &c->prog, &err);
        if (cr < 0)
                child_fail(c, MSG_SETUP_FAILED, 0, err.msg);
        char go = 0;
        if (read(c->sync_rd, &go, 1) != 1)
                _exit(125); /* the launcher died or gave up */

        if (c->root_launcher) {
                /* Become run_as now, keeping this user namespace's capabilities for the
                 * setup (host uid 0 is not mapped in here, so nothing clears them). */
                if (setgroups(0, NULL) < 0 || setresgid(c->gid, c->gid, c->gid) < 0 ||
                    setresuid(c->uid, c->uid, c->uid) < 0)
                        child_fail(c, MSG_SETUP_FAILED, errno, "switch to run_as");
                /* Changing credentials cleared the parent-death signal: set it again. */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
        }
        if (sethostname("clawjail", 8) < 0)
                child_fail(c, MSG_SETUP_FAILED, errno, "sethostname");
        int r;
        if (c->net != CJ_NET_HOST && (r = cj_net_loopback_up(&err)) < 0)
                child_fail(c, MSG_SETUP_FAILED, 0, err.msg);
        if ((r = cj_mounts_apply(c->plan, c->cwd, &err)) < 0)
                child_fail(c, MSG_SETUP_FAILED, 0, err.msg);

        /* The launcher moves us into the call's cgroup while we set up (a cgroup v1
         * migration waits for an RCU grace period); the call starts only after. */
        if (read(c->sync_rd, &go, 1) != 1)
                _exit(125);
        close(c->sync_rd);
        /* Only now, inside the call's cgroup, so that it becomes the namespace's root. */
        if (unshare(CLONE_NEWCGROUP) < 0)
                child_fail(c, MSG_SETUP_FAILED, errno, "new cgroup namespace");

        pid_t call = fork();
        if (call < 0)
                child_fail(c, MSG_SETUP_FAILED, errno, "fork");
        if (call == 0)
                run_call(c);

        close(c->msg_wr);
        prctl(PR_SET_DUMPABLE, 0);
        if (cj_privs_drop(false, 0, 0, &err) < 0)
                kill(call, SIGKILL);
        int status_only[] = { c->status_wr };
        close_all_but(status_only, 1); /* the reaper needs nothing else */

        sigset_t wait_set = c->forwarded;
        sigaddset(&wait_set, SIGCHLD);
        for (;;) {
                siginfo_t si;
                int sig = sigwaitinfo(&wait_set, &si);
                if (sig < 0)
                        continue;
                if (sig != SIGCHLD) {
                        kill(call, sig);
                        continue;
                }
                int status;
                pid_t p;
                while ((p = waitpid(-1, &status, WNOHANG)) > 0)
                        if (p == call) {
                                (void) !write(c->status_wr, &status, sizeof status);
                                _exit(0); /* the kernel now kills whatever is left in the pid ns */
                        }
        }
}

/* ---- the launcher side --------------------------------------------------- */

static int write_file(pid_t pid, const char *file, const char *content) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/%s", (int) pid, file);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return cj_write_all(fd, content, strlen(content));
}

static int write_id_maps(pid_t pid, const child_ctx *c, cj_error *err) {
        char map[64];
        uid_t uid = c->root_launcher ? c->uid : getuid();
        gid_t gid = c->root_launcher ? c->gid : getgid();
        int r = 0;
        if (!c->root_launcher)
                r = write_file(pid, "setgroups", "deny");
        if (r >= 0) {
                snprintf(map, sizeof map, "%u %u 1\n", (unsigned) uid, (unsigned) uid);
                r = write_file(pid, "uid_map", map);
        }
        if (r >= 0) {
                snprintf(map, sizeof map, "%u %u 1\n", (unsigned) gid, (unsigned) gid);
                r = write_file(pid, "gid_map", map);
        }
        return r < 0 ? cj_error_seterrno(err, r, "write the user namespace's id maps") : 0;
}

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int compile_seccomp(const cj_profile *p, struct sock_fprog *prog, cj_error *err) {
        cj_seccomp_policy *pol = NULL;
        int r = cj_seccomp_policy_load(p->seccomp, cj_seccomp_default_search_dirs(), &pol, err);
        if (r < 0)
                return r;
        struct sock_filter *f = NULL;
        size_t n = 0;
        r = cj_seccomp_policy_compile_bpf(pol, &f, &n, err);
        cj_seccomp_policy_free(pol);
        if (r < 0)
                return r;
        if (n == 0 || n > BPF_MAXINSNS) {
                free(f);
                return cj_error_set(err, E2BIG, "seccomp policy %s compiles to %zu instructions (limit %d)",
                                    p->seccomp, n, BPF_MAXINSNS);
        }
        prog->filter = f;
        prog->len = (unsigned short) n;
        return 0;
}

static int check_cwd(const cj_mount_plan *plan, const char *cwd, cj_error *err) {
        if (cwd[0] != '/')
                return cj_error_set(err, EINVAL, "working directory %s is not absolute", cwd);
        if (!cj_mount_plan_covers(plan, cwd))
                return cj_error_set(err, EPERM, "working directory %s lies outside every root the profile grants",
                                    cwd);
        return 0;
}

typedef struct wait_state {
        child_msg msg;
        bool have_msg;
        bool timed_out;
        int wstatus;
        struct rusage ru;
} wait_state;

/* Wait for pid 1, forwarding signals and enforcing the deadline. */
static int supervise(pid_t pid1, int msg_rd, int sigfd, int64_t timeout_ms, wait_state *ws, cj_error *err) {
        _cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, pid1, 0);
        if (pidfd < 0)
                return cj_error_seterrno(err, errno, "pidfd_open");
        int64_t deadline = timeout_ms > 0 ? now_ms() + timeout_ms : -1;
        bool msg_open = true;
        for (;;) {
                struct pollfd pf[3] = { { pidfd, POLLIN, 0 }, { sigfd, POLLIN, 0 }, { msg_rd, POLLIN, 0 } };
                int wait = -1;
                if (deadline >= 0 && !ws->timed_out) {
                        int64_t left = deadline - now_ms();
                        wait = left < 0 ? 0 : (int) (left > 3600000 ? 3600000 : left);
                }
                int n = poll(pf, msg_open ? 3 : 2, wait);
                if (n < 0 && errno != EINTR)
                        return cj_error_seterrno(err, errno, "poll");
                if (n == 0 && deadline >= 0 && now_ms() >= deadline && !ws->timed_out) {
                        ws->timed_out = true;
                        kill(pid1, SIGKILL); /* pid 1 takes the whole pid namespace with it */
                        continue;
                }
                if (n <= 0)
                        continue;
                if (pf[1].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        if (read(sigfd, &si, sizeof si) == sizeof si && si.ssi_signo != SIGCHLD)
                                kill(pid1, (int) si.ssi_signo);
                }
                if (msg_open && (pf[2].revents & (POLLIN | POLLHUP))) {
                        child_msg m;
                        ssize_t got = read(msg_rd, &m, sizeof m);
                        if (got == sizeof m && !ws->have_msg) {
                                ws->msg = m;
                                ws->have_msg = true;
                        } else if (got <= 0)
                                msg_open = false;
                }
                if (pf[0].revents & POLLIN) {
                        if (wait4(pid1, &ws->wstatus, 0, &ws->ru) < 0)
                                return cj_error_seterrno(err, errno, "wait for the sandbox");
                        if (msg_open && !ws->have_msg) { /* a message may still sit in the pipe */
                                child_msg m;
                                if (read(msg_rd, &m, sizeof m) == sizeof m) {
                                        ws->msg = m;
                                        ws->have_msg = true;
                                }
                        }
                        return 0;
                }
        }
}

static void fill_result(const wait_state *ws, int status_rd, const cj_cgroup *cg, int64_t started,
                        cj_sandbox_result *res) {
        res->duration_ms = now_ms() - started;
        res->cpu_ms = (int64_t) (ws->ru.ru_utime.tv_sec + ws->ru.ru_stime.tv_sec) * 1000 +
                      (ws->ru.ru_utime.tv_usec + ws->ru.ru_stime.tv_usec) / 1000;
        res->peak_memory_bytes = (int64_t) ws->ru.ru_maxrss * 1024;
        bool oom = false;
        cj_cgroup_stats(cg, &res->cpu_ms, &res->peak_memory_bytes, &oom);
        res->cgroup = cg->version == 2 ? "v2" : cg->version == 1 ? "v1" : "none";

        int call_status = 0;
        bool have_status = read(status_rd, &call_status, sizeof call_status) == sizeof call_status;
        if (ws->have_msg && ws->msg.kind == MSG_EXEC_FAILED) {
                res->status = CJ_SB_EXEC_FAILED;
                res->exec_errno = ws->msg.errnum;
        } else if (ws->timed_out) {
                res->status = CJ_SB_TIMEOUT;
                res->signal = SIGKILL;
        } else if (have_status && WIFEXITED(call_status)) {
                res->status = CJ_SB_EXITED;
                res->exit_code = WEXITSTATUS(call_status);
        } else {
                int sig = have_status && WIFSIGNALED(call_status) ? WTERMSIG(call_status)
                          : WIFSIGNALED(ws->wstatus)             ? WTERMSIG(ws->wstatus)
                                                                 : SIGKILL;
                res->status = oom && sig == SIGKILL ? CJ_SB_OOM : CJ_SB_SIGNALED;
                res->signal = sig;
        }
}

int cj_sandbox_run(const cj_sandbox_config *cfg, cj_sandbox_result *res, cj_error *err) {
        *res = (cj_sandbox_result){ .status = CJ_SB_SETUP_FAILED, .peak_memory_bytes = -1, .cgroup = "none" };
        int64_t started = now_ms();
        const cj_profile *p = cfg->profile;
        child_ctx c = { .cfg = cfg, .root_launcher = geteuid() == 0, .uid = p->run_as_uid, .gid = p->run_as_gid };
        c.net = cfg->network >= 0 ? cfg->network : (int) p->network;

        cj_mount_plan plan = { 0 };
        int r = cj_mount_plan_build(p, cfg->extra_ro, cfg->extra_rw, &cj_fs_probe_host, &plan, err);
        if (r < 0)
                return r;
        c.plan = &plan;
        c.cwd = cfg->cwd ? cfg->cwd : (p->fs_rw && p->fs_rw[0] ? p->fs_rw[0] : "/");
        _cleanup_strv_ cj_strv envp = NULL;
        cj_cgroup cg = { 0 };
        cj_git_watch watch = { 0 };
        int sync_p[2] = { -1, -1 }, msg_p[2] = { -1, -1 }, status_p[2] = { -1, -1 };
        _cleanup_close_ int sigfd = -1;
        sigset_t old_mask;
        bool mask_set = false;
        pid_t pid1 = -1;

        if ((r = check_cwd(&plan, c.cwd, err)) < 0 ||
            (r = cj_git_watch_begin(&plan, &watch)) < 0 ||
            (r = cj_env_build(p, environ, cfg->extra_env, &envp, err)) < 0 ||
            (r = cj_cgroup_create(&p->limits, &cg, err)) < 0)
                goto out;
        c.envp = envp;
        c.cgroup_memory = cg.v2 || cg.v1_memory;
        if (pipe2(sync_p, O_CLOEXEC) < 0 || pipe2(msg_p, O_CLOEXEC) < 0 || pipe2(status_p, O_CLOEXEC) < 0) {
                r = cj_error_seterrno(err, errno, "pipe");
                goto out;
        }
        c.sync_rd = sync_p[0];
        c.msg_wr = msg_p[1];
        c.status_wr = status_p[1];

        /* Signals are blocked across the clone so none is lost: the launcher reads
         * them from a signalfd, pid 1 with sigwaitinfo, and pid 2 unblocks them. */
        sigemptyset(&c.forwarded);
        for (size_t i = 0; i < CJ_ARRAY_SIZE(forwarded_signals); i++)
                sigaddset(&c.forwarded, forwarded_signals[i]);
        sigset_t block = c.forwarded;
        sigaddset(&block, SIGCHLD);
        sigprocmask(SIG_BLOCK, &block, &old_mask);
        mask_set = true;
        sigfd = signalfd(-1, &block, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sigfd < 0) {
                r = cj_error_seterrno(err, errno, "signalfd");
                goto out;
        }

        unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | SIGCHLD;
        if (c.net != CJ_NET_HOST)
                flags |= CLONE_NEWNET;
        fflush(NULL);
        pid1 = (pid_t) syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
        if (pid1 < 0) {
                int e = errno;
                const char *hint = cj_sandbox_userns_hint();
                r = hint ? cj_error_set(err, e, "cannot create the sandbox's namespaces: %s", hint)
                         : cj_error_seterrno(err, e, "cannot create the sandbox's namespaces (clone)");
                goto out;
        }
        if (pid1 == 0) {
                close(sync_p[1]);
                close(msg_p[0]);
                close(status_p[0]);
                sandbox_init(&c);
        }
        close(TAKE_FD(sync_p[0]));
        close(TAKE_FD(msg_p[1]));
        close(TAKE_FD(status_p[1]));

        /* Two go-aheads: set up (after the id maps), then start the call (after
         * the cgroup attach, which overlaps with the setup). */
        if ((r = write_id_maps(pid1, &c, err)) < 0 ||
            (write(sync_p[1], "s", 1) != 1 && (r = cj_error_seterrno(err, errno, "start the sandbox")) < 0) ||
            (r = cj_cgroup_attach(&cg, pid1, err)) < 0) {
                kill(pid1, SIGKILL);
                waitpid(pid1, NULL, 0);
                /* pid 1 may have failed first (its filter did not compile): say that. */
                child_msg m;
                if (read(msg_p[0], &m, sizeof m) == sizeof m && m.kind == MSG_SETUP_FAILED) {
                        cj_error_clear(err);
                        r = cj_error_set(err, m.errnum ? m.errnum : EIO, "sandbox setup: %s", m.text);
                }
                goto out;
        }
        /* If this fails (EPIPE), setup failed meanwhile: its message is in msg_p. */
        (void) !write(sync_p[1], "c", 1);
        close(TAKE_FD(sync_p[1]));

        int64_t timeout = cfg->timeout_ms > 0    ? cfg->timeout_ms
                          : cfg->timeout_ms < 0  ? -1
                          : p->limits.wall_s > 0 ? p->limits.wall_s * 1000
                                                 : -1;
        wait_state ws = { 0 };
        r = supervise(pid1, msg_p[0], sigfd, timeout, &ws, err);
        if (r < 0) {
                kill(pid1, SIGKILL);
                waitpid(pid1, NULL, 0);
                goto out;
        }
        if (ws.have_msg && ws.msg.kind == MSG_SETUP_FAILED) {
                errno = 0;
                r = cj_error_set(err, ws.msg.errnum ? ws.msg.errnum : EIO, "sandbox setup: %s", ws.msg.text);
                goto out;
        }
        fill_result(&ws, status_p[0], &cg, started, res);
        /* Every process of the call is gone now: nothing can race the move. */
        cj_git_watch_end(&watch, &res->quarantined);
        r = 0;
out:
        if (mask_set)
                sigprocmask(SIG_SETMASK, &old_mask, NULL);
        for (int i = 0; i < 2; i++) {
                if (sync_p[i] >= 0)
                        close(sync_p[i]);
                if (msg_p[i] >= 0)
                        close(msg_p[i]);
                if (status_p[i] >= 0)
                        close(status_p[i]);
        }
        cj_cgroup_destroy(&cg);
        cj_git_watch_clear(&watch);
        free(c.prog.filter);
        cj_mount_plan_clear(&plan);
        if (r < 0)
                res->duration_ms = now_ms() - started;
        return r;
}
