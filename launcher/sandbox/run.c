/* SPDX-License-Identifier: MIT */
#include "sandbox.h"

/* The launcher's side of a call, in four stages (see sandbox.h); what runs
 * inside the sandbox is child.c. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "channel.h"
#include "env.h"
#include "filter.h"
#include "idmap.h"
#include "internal.h"
#include "notify.h"
#include "listcache.h"
#include "plan.h"
#include "pump.h"
#include "gitguard.h"
#include "quarantine.h"
#include "reach.h"
#include "util/cleanup.h"
#include "util/sha256.h"
#include "util/fileio.h"
#include "util/phase.h"

#include <seccomp.h>

extern char **environ;

static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

void cj_sandbox_config_init(cj_sandbox_config *cfg) {
        *cfg = (cj_sandbox_config){ .network = -1, .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1, .listen_chan = -1,
                                    .watch_fd = -1 };
}

int cj_sandbox_pass_fd(cj_sandbox_config *cfg, int fd, int target, const char *env_name) {
        if (fd < 0 || fcntl(fd, F_GETFD) < 0 || target < 3 || target > CJ_SANDBOX_FD_TARGET_MAX)
                return -EINVAL;
        for (size_t i = 0; i < cfg->n_pass_fds; i++)
                if (cfg->pass_fds[i].target == target)
                        return -EINVAL;
        if (cfg->n_pass_fds >= CJ_SANDBOX_PASS_FDS_MAX)
                return -E2BIG;
        cfg->pass_fds[cfg->n_pass_fds++] = (cj_sandbox_fd){ fd, target, env_name };
        return 0;
}

int cj_sandbox_setenv(cj_sandbox_config *cfg, const char *name, const char *value) {
        if (!name || !*name || strchr(name, '=') || !value)
                return -EINVAL;
        for (size_t i = 0; i < cfg->n_set_env; i++)
                if (strcmp(cfg->set_env[i][0], name) == 0) {
                        cfg->set_env[i][1] = value;
                        return 0;
                }
        if (cfg->n_set_env >= CJ_SANDBOX_SET_ENV_MAX)
                return -E2BIG;
        cfg->set_env[cfg->n_set_env][0] = name;
        cfg->set_env[cfg->n_set_env++][1] = value;
        return 0;
}

void cj_sandbox_result_clear(cj_sandbox_result *res) {
        cj_strv_free(res->quarantined);
        cj_strv_free(res->quarantine_failed);
        res->quarantined = res->quarantine_failed = NULL;
        cj_strv_free(res->notes);
        res->notes = NULL;
        free(res->refused);
        res->refused = NULL;
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
        bool reaped;       /* pid 1 waited for (wstatus and ru are its, but after a failed supervise) */
        int wstatus;
        struct rusage ru;
        call_status end;   /* from pid 1, when have_end */
        bool have_end;
        int64_t ended;     /* when the call ended: pid 1's report or its reaping */
} wait_state;

/* A message still in the pipe (pid 2's exec failure, say) once the call ended. */
static void last_msg(int msg_rd, bool msg_open, wait_state *ws) {
        child_msg m;
        if (msg_open && !ws->have_msg && read(msg_rd, &m, sizeof m) == sizeof m) {
                ws->msg = m;
                ws->have_msg = true;
        }
}

/* Wait for the call's end (pid 1's report, or pid 1's exit), forwarding
 * signals, enforcing the deadline, answering the seccomp notifications of
 * refused syscalls (notify.h) and pumping the call's output (pump.h; pump
 * may be NULL). */
static int supervise(const cj_sandbox_config *cfg, pid_t pid1, int msg_rd, int status_rd, int sigfd,
                     int64_t timeout_ms, cj_notify *nt, cj_pump *pump, wait_state *ws, cj_error *err) {
        _cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, pid1, 0);
        if (pidfd < 0)
                return cj_error_seterrno(err, errno, "pidfd_open");
        int64_t deadline = timeout_ms > 0 ? now_ms() + timeout_ms : -1;
        int64_t teardown = -1; /* SIGTERM/SIGINT received: SIGKILL pid 1 then */
        bool msg_open = true, status_open = true;
        int watch_fd = cfg->watch ? cfg->watch_fd : -1;
        for (;;) {
                /* A negative fd is skipped by poll: the channel until pid 2's
                 * message, the listener once it came.  The channel only once
                 * the message pipe is closed (pid 2's exec, or its failure):
                 * pid 2 sends the listener right before its exec, and taking
                 * it then would wake this process in the middle of pid 2's
                 * last steps; no refused syscall can wait on it before. */
                struct pollfd pf[7 + CJ_PUMP_POLL_MAX] = { { pidfd, POLLIN, 0 },     { sigfd, POLLIN, 0 },
                                                           { msg_open ? msg_rd : -1, POLLIN, 0 },
                                                           { msg_open ? -1 : nt->chan, POLLIN, 0 },
                                                           { nt->listener, POLLIN, 0 },  { status_open ? status_rd : -1, POLLIN, 0 },
                                                           { watch_fd, POLLIN, 0 } };
                nfds_t npf = 7 + (pump ? cj_pump_poll(pump, pf + 7) : 0);
                int wait = -1;
                int64_t next = deadline >= 0 && !ws->timed_out ? deadline : -1;
                if (teardown >= 0 && (next < 0 || teardown < next))
                        next = teardown;
                if (next >= 0) {
                        int64_t left = next - now_ms();
                        wait = left < 0 ? 0 : (int) (left > 3600000 ? 3600000 : left);
                }
                int n = poll(pf, npf, wait);
                if (n < 0 && errno != EINTR)
                        return cj_error_seterrno(err, errno, "poll");
                if (n == 0 && deadline >= 0 && now_ms() >= deadline && !ws->timed_out) {
                        ws->timed_out = true;
                        kill(pid1, SIGKILL); /* pid 1 takes the whole pid namespace with it */
                        continue;
                }
                if (n == 0 && teardown >= 0 && now_ms() >= teardown) {
                        kill(pid1, SIGKILL); /* the call ignored it, or setup is stuck: tear it all down */
                        teardown = -1;
                        continue;
                }
                if (n <= 0)
                        continue;
                if (pf[3].revents)
                        cj_notify_on_chan(nt);
                if (pf[4].revents & POLLIN)
                        (void) cj_notify_on_listener(nt); /* unusable: closed, and calls get ENOSYS */
                else if (pf[4].revents & (POLLHUP | POLLERR | POLLNVAL))
                        close(TAKE_FD(nt->listener)); /* every process that had the filter is gone */
                int r;
                if (pf[6].revents & POLLIN) {
                        if ((r = cfg->watch(cfg->watch_arg, err)) < 0)
                                return r;
                        if (r == 0)
                                watch_fd = -1;
                }
                if (pump && (r = cj_pump_handle(pump, pf + 7)) < 0)
                        return cj_error_seterrno(err, r, "write the call's output");
                if (pf[1].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        if (read(sigfd, &si, sizeof si) == sizeof si && si.ssi_signo != SIGCHLD) {
                                kill(pid1, (int) si.ssi_signo);
                                if ((si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) && teardown < 0)
                                        teardown = now_ms() + CJ_SANDBOX_TERM_GRACE_MS;
                        }
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
                /* pid 1 reaped every process of the call and is exiting: the
                 * call is over (its exit, the namespaces' teardown, is not
                 * waited for here; cj_sandbox_free reaps it). */
                if (status_open && (pf[5].revents & (POLLIN | POLLHUP))) {
                        if (read(status_rd, &ws->end, sizeof ws->end) != sizeof ws->end) {
                                status_open = false; /* pid 1 died without a word: its exit tells */
                                continue;
                        }
                        ws->have_end = true;
                        cj_notify_on_chan(nt); /* every process of the call is gone: its message, or EOF, is there */
                        ws->ended = now_ms();
                        last_msg(msg_rd, msg_open, ws);
                        return 0;
                }
                if (pf[0].revents & POLLIN) {
                        if (wait4(pid1, &ws->wstatus, 0, &ws->ru) < 0)
                                return cj_error_seterrno(err, errno, "wait for the sandbox");
                        ws->reaped = true;
                        cj_notify_on_chan(nt); /* every process is gone: its message, or EOF, is there */
                        ws->ended = now_ms();
                        /* pid 1 may have reported right before it was killed (the deadline). */
                        if (status_open && read(status_rd, &ws->end, sizeof ws->end) == sizeof ws->end)
                                ws->have_end = true;
                        last_msg(msg_rd, msg_open, ws);
                        return 0;
                }
        }
}

static void fill_result(const wait_state *ws, const cj_cgroup *cg, int64_t started, cj_sandbox_result *res) {
        res->duration_ms = (ws->ended ? ws->ended : now_ms()) - started;
        if (ws->have_end) {
                res->cpu_ms = ws->end.cpu_us / 1000;
                res->peak_memory_bytes = ws->end.maxrss_kb * 1024;
        } else {
                res->cpu_ms = (int64_t) (ws->ru.ru_utime.tv_sec + ws->ru.ru_stime.tv_sec) * 1000 +
                              (ws->ru.ru_utime.tv_usec + ws->ru.ru_stime.tv_usec) / 1000;
                res->peak_memory_bytes = (int64_t) ws->ru.ru_maxrss * 1024;
        }
        bool oom = false;
        cj_cgroup_stats(cg, &res->cpu_ms, &res->peak_memory_bytes, &oom);
        res->cgroup = cg->version == 2 ? "v2" : cg->version == 1 ? "v1" : "none";

        int wstatus = ws->end.wstatus;
        bool have_status = ws->have_end;
        if (ws->have_msg && ws->msg.kind == MSG_EXEC_FAILED) {
                res->status = CJ_SB_EXEC_FAILED;
                res->exec_errno = ws->msg.errnum;
        } else if (ws->timed_out) {
                res->status = CJ_SB_TIMEOUT;
                res->signal = SIGKILL;
        } else if (have_status && WIFEXITED(wstatus)) {
                res->status = CJ_SB_EXITED;
                res->exit_code = WEXITSTATUS(wstatus);
        } else {
                int sig = have_status && WIFSIGNALED(wstatus) ? WTERMSIG(wstatus)
                          : WIFSIGNALED(ws->wstatus)             ? WTERMSIG(ws->wstatus)
                                                                 : SIGKILL;
                res->status = oom && sig == SIGKILL ? CJ_SB_OOM : CJ_SB_SIGNALED;
                res->signal = sig;
        }
}


/* One call in progress: what the stages hand each other. */
struct cj_sandbox {
        const cj_sandbox_config *cfg;
        child_ctx c;
        cj_mount_plan plan;
        cj_list_cache *lists; /* the plan's listings, for pid 1 and the rescan (listcache.h; kept_lists) */
        cj_fs_probe probe;    /* the host, listing through lists */
        cj_strv envp;
        cj_cgroup cg;
        cj_git_watch watch;
        cj_git_guard guard;
        cj_strv notes;          /* for the result: optional binds left out (reach.h) */
        struct sock_fprog prog; /* the filter pid 2 installs */
        bool prog_owned;        /* else it belongs to the per-process cache (filter.h) */
        cj_notify notify;       /* refused syscalls, from pid 2's listener */
        int chan[2], msg_p[2], status_p[2];
        int sigfd;
        sigset_t old_mask;
        bool mask_set;
        pid_t pid1;
        int64_t started, timeout_ms;
        wait_state ws;
        bool supervised;
        bool pumped;  /* cfg->output or cfg->pty: the call's output comes through pump */
        bool cg_made; /* the cgroup was made in prepare (v2), not in spawn (v1) */
        cj_pump pump;
        int out_p[2], err_p[2]; /* the call's stdout and stderr pipes, when pumped without a terminal */
        int pty_p[2];           /* cfg->pty: pid 1 sends the terminal's master side over this */
};

static void close_pair(int p[2]) {
        for (int i = 0; i < 2; i++)
                if (p[i] >= 0)
                        close(TAKE_FD(p[i]));
}

/* pid 1s that reported their call's end and are exiting (tearing their
 * namespaces down): reaped at a later call here, or by init once this
 * process exits, rather than waited for. */
static pid_t exiting[CJ_SANDBOX_EXITING_MAX];
static size_t n_exiting;

static void reap_exiting(bool block) {
        for (size_t i = 0; i < n_exiting;) {
                pid_t r = waitpid(exiting[i], NULL, block ? 0 : WNOHANG);
                if (r == 0 || (r < 0 && errno == EINTR))
                        i += r == 0;
                else /* reaped, or not ours any more */
                        exiting[i] = exiting[--n_exiting];
        }
}

static void reap_later(pid_t pid) {
        reap_exiting(false);
        if (n_exiting == CJ_SANDBOX_EXITING_MAX)
                reap_exiting(true);
        exiting[n_exiting++] = pid;
}

void cj_sandbox_free(cj_sandbox *sb) {
        if (!sb)
                return;
        /* Without its report, pid 1 may still run: it goes now. */
        if (sb->pid1 > 0 && !sb->ws.reaped && !sb->ws.have_end)
                kill(sb->pid1, SIGKILL);
        if (sb->mask_set)
                sigprocmask(SIG_SETMASK, &sb->old_mask, NULL);
        close_pair(sb->chan);
        cj_notify_clear(&sb->notify);
        close_pair(sb->msg_p);
        close_pair(sb->status_p);
        close_pair(sb->out_p);
        close_pair(sb->err_p);
        close_pair(sb->pty_p);
        if (sb->pumped)
                cj_pump_close(&sb->pump);
        if (sb->sigfd >= 0)
                close(sb->sigfd);
        /* Nothing of the call runs any more once pid 1 reported its end: its
         * exit (the namespaces' teardown) is not waited for, and its cgroup,
         * which cannot be removed while pid 1 is in it, is left to a later
         * call's sweep if it is still populated (cgroup.h). */
        if (sb->pid1 > 0 && !sb->ws.reaped && sb->ws.have_end) {
                reap_later(sb->pid1);
                cj_cgroup_release(&sb->cg);
        } else {
                if (sb->pid1 > 0 && !sb->ws.reaped)
                        while (waitpid(sb->pid1, NULL, 0) < 0 && errno == EINTR)
                                ;
                cj_cgroup_destroy(&sb->cg);
        }
        cj_git_watch_clear(&sb->watch);
        cj_git_guard_clear(&sb->guard);
        cj_strv_free(sb->notes);
        if (sb->prog_owned)
                free(sb->prog.filter);
        cj_strv_free(sb->envp);
        cj_mount_plan_clear(&sb->plan);
        free(sb);
}

pid_t cj_sandbox_pid(const cj_sandbox *sb) {
        return sb ? sb->pid1 : -1;
}

/* The launcher's own variables, after the profile's and the request's. */
static int add_launcher_env(const cj_sandbox_config *cfg, cj_strv *envp) {
        char num[16];
        for (size_t i = 0; i < cfg->n_pass_fds + cfg->n_set_env; i++) {
                const char *name, *value;
                if (i < cfg->n_pass_fds) {
                        if (!(name = cfg->pass_fds[i].env_name))
                                continue;
                        snprintf(num, sizeof num, "%d", cfg->pass_fds[i].target);
                        value = num;
                } else {
                        name = cfg->set_env[i - cfg->n_pass_fds][0];
                        value = cfg->set_env[i - cfg->n_pass_fds][1];
                }
                size_t nl = strlen(name);
                for (char **e = *envp; e && *e;)
                        if (strncmp(*e, name, nl) == 0 && (*e)[nl] == '=') {
                                free(*e);
                                char **m = e;
                                do
                                        m[0] = m[1];
                                while (*m++);
                        } else
                                e++;
                char *kv = NULL;
                if (asprintf(&kv, "%s=%s", name, value) < 0)
                        return -ENOMEM;
                if (cj_strv_push_take(envp, kv) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* A terminal without TERM is one programs do not colour or size: name one
 * unless the profile's or the request's environment did. */
static int add_term(cj_strv *envp) {
        for (char **e = *envp; e && *e; e++)
                if (strncmp(*e, "TERM=", 5) == 0)
                        return 0;
        return cj_strv_push(envp, "TERM=" CJ_PTY_TERM_DEFAULT) < 0 ? -ENOMEM : 0;
}

/* The plan's listings outlive a call in a process that makes several in
 * turn (serve, mcp): the next call's plan, pid 1 and rescan read the record
 * of every directory that has not changed since (listcache.h).  Kept per
 * profile, since its patterns decide which files a record keeps.  (A
 * concurrent serve's workers each start from a copy.) */
static cj_list_cache *kept_lists;
static char kept_for[CJ_SHA256_HEX_LEN + 1];

static cj_list_cache *lists_for(const cj_profile *p) {
        if (kept_lists && p->sha256 && strcmp(kept_for, p->sha256) == 0) {
                cj_list_cache_renew(kept_lists);
                return kept_lists;
        }
        cj_list_cache_free(kept_lists);
        char *const *const patterns[] = { p->fs_deny, p->fs_deny_except, p->fs_protect };
        kept_lists = cj_list_cache_new(patterns, CJ_ARRAY_SIZE(patterns));
        snprintf(kept_for, sizeof kept_for, "%s", p->sha256 ? p->sha256 : "");
        return kept_lists;
}

int cj_sandbox_prepare(const cj_sandbox_config *cfg, cj_sandbox **out, cj_error *err) {
        cj_sandbox *sb = calloc(1, sizeof *sb);
        if (!sb)
                return cj_error_seterrno(err, ENOMEM, "sandbox");
        *sb = (cj_sandbox){ .cfg = cfg, .chan = { -1, -1 }, .msg_p = { -1, -1 }, .status_p = { -1, -1 },
                            .out_p = { -1, -1 }, .err_p = { -1, -1 }, .pty_p = { -1, -1 }, .sigfd = -1, .pid1 = -1,
                            .started = now_ms(), .notify = { .chan = -1, .listener = -1 },
                            .pumped = cfg->output || cfg->pty, .pump = { .src = { -1, -1 }, .chan = -1, .in = -1 } };
        const cj_profile *p = cfg->profile;
        child_ctx *c = &sb->c;
        *c = (child_ctx){ .cfg = cfg, .root_launcher = geteuid() == 0, .uid = p->run_as_uid, .gid = p->run_as_gid,
                          .chan = -1, .msg_wr = -1, .status_wr = -1, .pty_wr = -1,
                          .call_fd = { cfg->stdin_fd, cfg->stdout_fd, cfg->stderr_fd } };
        c->net = cfg->network >= 0 ? cfg->network : (int) p->network;
        c->cwd = cfg->cwd ? cfg->cwd : (p->fs_rw && p->fs_rw[0] ? p->fs_rw[0] : "/");
        sb->timeout_ms = cfg->timeout_ms > 0    ? cfg->timeout_ms
                         : cfg->timeout_ms < 0  ? -1
                         : p->limits.wall_s > 0 ? cj_limit_ms(p->limits.wall_s)
                                                : -1;
        int r;
        if (cfg->pty && (cfg->fn || cfg->pty_cols > CJ_PTY_COLS_MAX || cfg->pty_rows > CJ_PTY_ROWS_MAX)) {
                cj_error_set(err, EINVAL, "a terminal is for a program, at most %ux%u", CJ_PTY_COLS_MAX,
                             CJ_PTY_ROWS_MAX);
                cj_sandbox_free(sb);
                return -EINVAL;
        }
        const char *home = cj_profile_env_get(p, "HOME");
        cj_phase("pipeline");
        sb->lists = lists_for(p); /* none: every listing is made fresh */
        sb->probe = sb->lists ? cj_fs_probe_cached(sb->lists) : cj_fs_probe_host;
        if ((r = cj_mount_plan_build(p, cfg->extra_ro, cfg->extra_rw, &sb->probe, &sb->plan, err)) < 0 ||
            (r = cj_mount_plan_scratch(&sb->plan, home, cfg->scratch_home, cfg->scratch_tmp, err)) < 0 ||
            (c->root_launcher && (r = cj_idmap_plan(&sb->plan, home, c->uid, c->gid, &sb->notes, err)) < 0) ||
            (c->root_launcher &&
             (r = cj_mount_plan_drop_unreachable(&sb->plan, home, c->cwd, c->uid, c->gid, &sb->notes)) < 0) ||
            (r = check_cwd(&sb->plan, c->cwd, err)) < 0 || (cj_phase("plan"), false) ||
            (r = cj_git_watch_begin(&sb->plan, p, cfg->extra_ro, cfg->extra_rw, &sb->probe, &sb->watch)) < 0 ||
            (r = cj_git_guard_begin(&sb->plan, p, cfg->extra_rw, &sb->guard)) < 0 || (cj_phase("git-scan"), false) ||
            (r = cj_env_build(p, environ, cfg->extra_env, &sb->envp, err)) < 0 ||
            (r = add_launcher_env(cfg, &sb->envp)) < 0 || (cfg->pty && (r = add_term(&sb->envp)) < 0) ||
            /* v2: before the clone, while the launcher is alone in its cgroup
             * (cgroup.h; test_cgroup_v2's "shared" case is what pid 1 there
             * would cause: no cgroup at all).  v1: overlapped, in spawn. */
            ((sb->cg_made = cj_cgroup_host_v2()) && (r = cj_cgroup_create(&p->limits, &sb->cg, err)) < 0)) {
                if (err && !err->code)
                        cj_error_seterrno(err, r, "prepare the sandbox");
                cj_sandbox_free(sb);
                return r;
        }
        for (size_t i = 0; sb->plan.notes && sb->plan.notes[i]; i++) /* after the idmap fallback's */
                if (cj_strv_push(&sb->notes, sb->plan.notes[i]) < 0) {
                        cj_sandbox_free(sb);
                        return cj_error_set(err, ENOMEM, "out of memory");
                }
        c->plan = &sb->plan;
        c->lists = sb->lists;
        c->envp = sb->envp;
        c->audit_arch = seccomp_arch_native();
        (void) cj_sandbox_filter_cached(p->seccomp, &sb->prog); /* else compiled in spawn, overlapped */
        cj_phase("env");
        *out = sb;
        return 0;
}

/* pid 1 may have failed first (its mounts, say): prefer its message. */
static int spawn_failed(cj_sandbox *sb, int r, cj_error *err) {
        kill(sb->pid1, SIGKILL);
        waitpid(sb->pid1, NULL, 0);
        sb->pid1 = -1;
        child_msg m;
        if (read(sb->msg_p[0], &m, sizeof m) == sizeof m && m.kind == MSG_SETUP_FAILED) {
                cj_error_clear(err);
                r = cj_error_set(err, m.errnum ? m.errnum : EIO, "sandbox setup: %s%s%s", m.text,
                                 sb->notes ? "; " : "", sb->notes ? sb->notes[0] : "");
        }
        return r;
}

int cj_sandbox_spawn(cj_sandbox *sb, cj_error *err) {
        child_ctx *c = &sb->c;
        const cj_sandbox_config *cfg = sb->cfg;
        int r;
        if ((r = cj_chan_pair(sb->chan)) < 0)
                return cj_error_seterrno(err, r, "socketpair");
        if (pipe2(sb->msg_p, O_CLOEXEC) < 0 || pipe2(sb->status_p, O_CLOEXEC) < 0)
                return cj_error_seterrno(err, errno, "pipe");
        if (sb->pumped && !cfg->pty && (pipe2(sb->out_p, O_CLOEXEC) < 0 || pipe2(sb->err_p, O_CLOEXEC) < 0))
                return cj_error_seterrno(err, errno, "pipe");
        if (cfg->pty && (r = cj_chan_pair(sb->pty_p)) < 0)
                return cj_error_seterrno(err, r, "socketpair");
        if (sb->out_p[1] >= 0) {
                c->call_fd[1] = sb->out_p[1];
                c->call_fd[2] = sb->err_p[1];
        }
        c->pty_wr = sb->pty_p[1];
        c->chan = sb->chan[1];
        c->msg_wr = sb->msg_p[1];
        c->status_wr = sb->status_p[1];

        /* Signals are blocked across the clone so none is lost: the launcher reads
         * them from a signalfd, pid 1 with sigwaitinfo, and pid 2 unblocks them. */
        sigemptyset(&c->forwarded);
        for (size_t i = 0; i < CJ_ARRAY_SIZE(forwarded_signals); i++)
                sigaddset(&c->forwarded, forwarded_signals[i]);
        sigset_t block = c->forwarded;
        sigaddset(&block, SIGCHLD);
        sigprocmask(SIG_BLOCK, &block, &sb->old_mask);
        sb->mask_set = true;
        sb->sigfd = signalfd(-1, &block, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sb->sigfd < 0)
                return cj_error_seterrno(err, errno, "signalfd");

        /* The network namespace is pid 1's first act (child.c), not the
         * clone's: setting one up is the costliest part of the clone, and pid
         * 1 does it while this process writes the id maps. */
        unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | SIGCHLD;
        fflush(NULL);
        /* The clone makes the heap copy-on-write.  The first malloc after it
         * would sort the chunks freed before it into glibc's bins, writing to
         * pages all over the heap: a page fault each (~10-15 us here) in this
         * process's post-clone steps (measured: 7 -> 3 faults in the filter
         * lookup as root, 12 -> 6 rootless).  A large request (one no free
         * chunk fits exactly) sorts them now, while the pages are private. */
        void *volatile sort = malloc(CJ_SANDBOX_HEAP_SORT_BYTES);
        free(sort);
        cj_phase("pipes+sigmask");
        bool placed = false; /* v2: pid 1 born in the call's cgroup */
        sb->pid1 = cj_cgroup_clone(&sb->cg, flags, &placed);
        if (sb->pid1 < 0) {
                int e = errno;
                const char *hint = cj_sandbox_userns_hint();
                return hint ? cj_error_set(err, e, "cannot create the sandbox's namespaces: %s", hint)
                            : cj_error_seterrno(err, e, "cannot create the sandbox's namespaces (clone)");
        }
        if (sb->pid1 == 0) {
                close(sb->chan[0]);
                close(sb->msg_p[0]);
                close(sb->status_p[0]);
                if (sb->out_p[0] >= 0) {
                        close(sb->out_p[0]);
                        close(sb->err_p[0]);
                }
                if (sb->pty_p[0] >= 0)
                        close(sb->pty_p[0]);
                cj_phase_reset();
                cj_sandbox_child_main(c);
        }
        cj_phase("clone");
        /* Only the call writes to its pipes: their EOF is its end. */
        if (sb->out_p[1] >= 0) {
                close(TAKE_FD(sb->out_p[1]));
                close(TAKE_FD(sb->err_p[1]));
        }
        if (sb->pty_p[1] >= 0)
                close(TAKE_FD(sb->pty_p[1]));
        close(TAKE_FD(sb->chan[1]));
        close(TAKE_FD(sb->msg_p[1]));
        close(TAKE_FD(sb->status_p[1]));

        /* Two go-aheads: set up (after the id maps; it brings the handed-in
         * fds), then start the call (after the cgroup's creation and attach,
         * which overlap with the setup, as does compiling an uncached filter;
         * CALL says whether a cgroup limits the call's memory). */
        int fds[CJ_SANDBOX_PASS_FDS_MAX];
        for (size_t i = 0; i < cfg->n_pass_fds; i++)
                fds[i] = cfg->pass_fds[i].fd;
        if ((r = write_id_maps(sb->pid1, c, err)) < 0)
                return spawn_failed(sb, r, err);
        cj_phase("id-maps");
        if ((r = cj_chan_send(sb->chan[0], CJ_CHAN_SETUP, NULL, 0, fds, cfg->n_pass_fds)) < 0)
                return spawn_failed(sb, cj_error_seterrno(err, r, "start the sandbox"), err);
        /* On v1 the call's cgroup is made while pid 1 mounts, not before the
         * clone: nothing needs it before pid 1 forks pid 2, which waits for CALL. */
        if ((!sb->cg_made && (r = cj_cgroup_create(&cfg->profile->limits, &sb->cg, err)) < 0) ||
            (!placed && (r = cj_cgroup_attach(&sb->cg, sb->pid1, err)) < 0))
                return spawn_failed(sb, r, err);
        cj_phase("cgroup-create+attach");
        if (!sb->prog.filter &&
            (r = cj_sandbox_filter_get(cfg->profile->seccomp, &sb->prog, &sb->prog_owned, err)) < 0)
                return spawn_failed(sb, r, err);
        cj_phase("seccomp-compile");
        /* If this fails (EPIPE), setup failed meanwhile: its message is in msg_p. */
        (void) cj_chan_send_call(sb->chan[0], sb->cg.v2 || sb->cg.v1_memory ? CJ_CHAN_CALL_CGROUP_MEMORY : 0,
                                 sb->prog.filter, sb->prog.len * sizeof *sb->prog.filter);
        cj_cgroup_sweep(&sb->cg); /* earlier calls' cgroups, while the call starts */
        /* The channel now waits for pid 2's seccomp listener (notify.h). */
        if (!cfg->fn && (r = cj_notify_init(&sb->notify, TAKE_FD(sb->chan[0]), &sb->prog)) < 0)
                return spawn_failed(sb, cj_error_seterrno(err, r, "seccomp notification"), err);
        if (sb->pumped) /* a terminal comes back over pty_p */
                cj_pump_init(&sb->pump, cfg, TAKE_FD(sb->out_p[0]), TAKE_FD(sb->err_p[0]), TAKE_FD(sb->pty_p[0]));
        if (sb->chan[0] >= 0)
                close(TAKE_FD(sb->chan[0]));
        return 0;
}

int cj_sandbox_supervise(cj_sandbox *sb, cj_error *err) {
        if (sb->pid1 <= 0)
                return cj_error_set(err, EINVAL, "the sandbox was not spawned");
        cj_pump *pump = sb->pumped ? &sb->pump : NULL;
        int r = supervise(sb->cfg, sb->pid1, sb->msg_p[0], sb->status_p[0], sb->sigfd, sb->timeout_ms, &sb->notify, pump,
                          &sb->ws, err);
        cj_phase("wait");
        if (r < 0) {
                kill(sb->pid1, SIGKILL);
                waitpid(sb->pid1, NULL, 0);
                sb->ws.reaped = true;
        }
        sb->supervised = true;
        /* No process of the call is left: what is in the pipes (or the terminal) is its last output. */
        if (r >= 0 && pump && (r = cj_pump_finish(pump)) < 0)
                cj_error_seterrno(err, r, "write the call's output");
        return r;
}

int cj_sandbox_collect(cj_sandbox *sb, cj_sandbox_result *res, cj_error *err) {
        if (!sb->supervised)
                return cj_error_set(err, EINVAL, "the sandbox was not supervised");
        const wait_state *ws = &sb->ws;
        *res = (cj_sandbox_result){ .status = CJ_SB_SETUP_FAILED, .peak_memory_bytes = -1, .cgroup = "none" };
        if (ws->have_msg && ws->msg.kind == MSG_SETUP_FAILED) {
                errno = 0;
                /* The first note says why, when a bind could not be idmapped (idmap.h). */
                return cj_error_set(err, ws->msg.errnum ? ws->msg.errnum : EIO, "sandbox setup: %s%s%s", ws->msg.text,
                                    sb->notes ? "; " : "", sb->notes ? sb->notes[0] : "");
        }
        fill_result(ws, &sb->cg, sb->started, res);
        cj_phase("result+cgroup-stats");
        /* Every process of the call is gone now: nothing can race the move. */
        /* failures: in the result.  One walk of the workspace for both: the
         * rescan collects the .git directories the guard looks at. */
        _cleanup_strv_ cj_strv gitdirs = NULL, walked_roots = NULL;
        cj_git_watch_end(&sb->watch, sb->guard.rw_roots, &gitdirs, &walked_roots, &res->quarantined,
                         &res->quarantine_failed);
        cj_git_guard_end(&sb->guard, gitdirs, walked_roots, &res->quarantined, &res->quarantine_failed);
        cj_phase("git-rescan");
        res->notes = TAKE_PTR(sb->notes);
        res->refused = cj_notify_take(&sb->notify);
        return 0;
}

int cj_sandbox_run(const cj_sandbox_config *cfg, cj_sandbox_result *res, cj_error *err) {
        *res = (cj_sandbox_result){ .status = CJ_SB_SETUP_FAILED, .peak_memory_bytes = -1, .cgroup = "none" };
        int64_t started = now_ms();
        cj_sandbox *sb = NULL;
        int r = cj_sandbox_prepare(cfg, &sb, err);
        if (r >= 0)
                sb->started = started;
        if (r >= 0 && (r = cj_sandbox_spawn(sb, err)) >= 0 && (r = cj_sandbox_supervise(sb, err)) >= 0)
                r = cj_sandbox_collect(sb, res, err);
        cj_sandbox_free(sb);
        cj_phase("sandbox-free");
        if (r < 0)
                res->duration_ms = now_ms() - started;
        return r < 0 ? r : 0;
}
