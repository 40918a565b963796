/* SPDX-License-Identifier: MIT */
/* Inside the sandbox: pid 1 sets up the tree and reaps, pid 2 becomes the call. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "channel.h"
#include "idmap.h"
#include "internal.h"
#include "mounts.h"
#include "notify.h"
#include "privs.h"
#include "proctitle.h"
#include "util/phase.h"

extern char **environ;

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

/* AddressSanitizer reserves terabytes of shadow address space up front, so
 * in an ASan build the file tools (a fork of the launcher that never execs,
 * instrumented like it) die at their first allocation under RLIMIT_AS.  Only
 * there, and only in such a build, the address-space limit is left out (the
 * file tools' memory is bounded by the request's size caps anyway); exec'd
 * commands always get it, and a normal build is unchanged. */
#if defined(__SANITIZE_ADDRESS__)
#define CJ_ASAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CJ_ASAN_BUILD 1
#endif
#endif
#ifndef CJ_ASAN_BUILD
#define CJ_ASAN_BUILD 0
#endif

static int set_rlimit(int res, int64_t v, int64_t scale) {
        if (v < 0)
                return 0;
        int64_t bytes;
        if (cj_limit_scale(v, scale, &bytes) < 0) /* the schema's maxima make this unreachable */
                return -EOVERFLOW;
        struct rlimit rl = { (rlim_t) bytes, (rlim_t) bytes };
        if (res == RLIMIT_CPU)
                rl.rlim_max = rl.rlim_cur + 1; /* SIGXCPU first, SIGKILL a second later */
        return setrlimit(res, &rl) < 0 ? -errno : 0;
}

/* The call never runs real-time, nor above normal priority: not by
 * inheritance (a harness started under SCHED_FIFO or SCHED_RR would pass its
 * policy on, past every CPU limit) and not by asking (without CAP_SYS_NICE,
 * RLIMIT_RTPRIO and RLIMIT_NICE are what allow it, and an operator's shell
 * may have raised them).  Lowering both is always permitted. */
static int no_realtime(void) {
        int pol = sched_getscheduler(0);
        struct sched_param sp = { .sched_priority = 0 };
        if ((pol == SCHED_FIFO || pol == SCHED_RR) && sched_setscheduler(0, SCHED_OTHER, &sp) < 0)
                return -errno;
        int r = set_rlimit(RLIMIT_RTPRIO, 0, 1);
        return r < 0 ? r : set_rlimit(RLIMIT_NICE, 0, 1);
}

static int apply_rlimits(const child_ctx *c) {
        const cj_limits *l = &c->cfg->profile->limits;
        int r = 0;
        if ((r = set_rlimit(RLIMIT_NOFILE, l->nofile, 1)) < 0 || (r = set_rlimit(RLIMIT_NPROC, l->pids, 1)) < 0 ||
            (r = set_rlimit(RLIMIT_CPU, l->cpu_s, 1)) < 0 || (r = set_rlimit(RLIMIT_FSIZE, l->fsize_mb, 1 << 20)) < 0 ||
            (r = set_rlimit(RLIMIT_CORE, 0, 1)) < 0 || (r = no_realtime()) < 0)
                return r;
        return 0;
}

/* The address-space limit is the call's, not clawjail's: pid 2 is a vfork of
 * pid 1 and shares the launcher's whole mapping until exec, so it is set only
 * after the last step that may allocate (cap_init in the privilege drop),
 * right before the filter and exec.  Set earlier, an allocation that needed a
 * new mapping failed in the launcher's own setup: under ASan, whose shadow
 * mapping is far above any limit, every time the heap had to grow ("Failed
 * to mmap", and pid 1 then hung on the allocator state the dead vfork child
 * left in the memory they share). */
static int apply_rlimit_as(const child_ctx *c) {
        if (c->cgroup_memory || (CJ_ASAN_BUILD && c->cfg->fn))
                return 0;
        return set_rlimit(RLIMIT_AS, c->cfg->profile->limits.memory_mb, 1 << 20);
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

/* Put each handed-in fd at the number the launcher asked for (not close-on-
 * exec), adding the targets to keep.  The message pipe moves above every
 * target first, since a target may name its number. */
static int install_passed_fds(child_ctx *c, int *keep, size_t *nkeep) {
        if (c->n_recv_fds == 0 || c->cfg->fn)
                return 0;
        int above = CJ_SANDBOX_FD_TARGET_MAX + 1;
        int m = fcntl(c->msg_wr, F_DUPFD_CLOEXEC, above);
        if (m < 0)
                return -errno;
        c->msg_wr = m;
        int tmp[CJ_SANDBOX_PASS_FDS_MAX];
        for (size_t i = 0; i < c->n_recv_fds; i++)
                if ((tmp[i] = fcntl(c->recv_fds[i], F_DUPFD_CLOEXEC, above)) < 0)
                        return -errno;
        for (size_t i = 0; i < c->n_recv_fds; i++)
                if (dup2(tmp[i], c->cfg->pass_fds[i].target) < 0) /* dup2 clears close-on-exec */
                        return -errno;
                else
                        keep[(*nkeep)++] = c->cfg->pass_fds[i].target;
        return 0;
}

/* pid 2: the call itself. */
static _Noreturn void run_call(child_ctx *c) {
        cj_error err = { 0 };
        /* Dispositions are the defaults already (pid 1 reset them). */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (setsid() < 0)
                child_fail(c, MSG_SETUP_FAILED, errno, "setsid");
        for (int i = 0; i < 3; i++)
                redirect(c->call_fd[i], i);
        /* The terminal becomes the new session's controlling one (/dev/tty, job control). */
        if (c->cfg->pty && ioctl(0, TIOCSCTTY, 0) < 0)
                child_fail(c, MSG_SETUP_FAILED, errno, "make the terminal the controlling one");
        int r = apply_rlimits(c);
        if (r < 0)
                child_fail(c, MSG_SETUP_FAILED, r, "setrlimit");
        r = cj_privs_drop(c->root_launcher, c->uid, c->gid, &err);
        if (r < 0)
                child_fail(c, MSG_SETUP_FAILED, 0, err.msg);
        /* Only 0-2, the message pipe, the descriptors handed in and what fn
         * needs stay open; the message pipe goes at exec (or right before fn),
         * which is how the launcher learns that the call started. */
        int keep[3 + 1 + CJ_SANDBOX_KEEP_FDS_MAX + CJ_SANDBOX_PASS_FDS_MAX] = { 0, 1, 2 };
        size_t nkeep = 3;
        if ((r = install_passed_fds(c, keep, &nkeep)) < 0)
                child_fail(c, MSG_SETUP_FAILED, r, "install the descriptors handed to the sandbox");
        keep[nkeep++] = c->msg_wr;
        keep[nkeep++] = c->chan; /* for the seccomp listener; closed before exec */
        for (size_t i = 0; c->cfg->fn && c->cfg->keep_fds && c->cfg->keep_fds[i] >= 0; i++) {
                if (i >= CJ_SANDBOX_KEEP_FDS_MAX)
                        child_fail(c, MSG_SETUP_FAILED, E2BIG, "descriptors kept for the file tool");
                keep[nkeep++] = c->cfg->keep_fds[i];
        }
        if ((r = close_all_but(keep, nkeep)) < 0)
                child_fail(c, MSG_SETUP_FAILED, r, "close_range");
        /* Nothing below allocates (notify.c works in static storage). */
        if ((r = apply_rlimit_as(c)) < 0)
                child_fail(c, MSG_SETUP_FAILED, r, "setrlimit");
        cj_phase("signals+privs+fds");
        if (c->cfg->fn) { /* clawjail's own file tool: its refusals are not the agent's to record */
                close(c->chan);
                if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &c->prog) < 0)
                        child_fail(c, MSG_SETUP_FAILED, errno, "install the seccomp filter");
        } else if ((r = cj_notify_child_install(&c->prog, c->audit_arch, c->chan)) < 0)
                child_fail(c, MSG_SETUP_FAILED, r, "install the seccomp filter");
        cj_phase("seccomp-install");
        cj_phase_dump("pid2");
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

/* The go-ahead to start the call carries the seccomp filter. */
static void receive_filter(child_ctx *c) {
        static struct {
                cj_chan_call_hdr h;
                struct sock_filter insns[(CJ_CHAN_PAYLOAD_MAX - sizeof(cj_chan_call_hdr)) / sizeof(struct sock_filter)];
        } call;
        size_t len = 0, n_fds = 0;
        int fds[CJ_SANDBOX_PASS_FDS_MAX];
        int r = cj_chan_recv(c->chan, CJ_CHAN_CALL, &call, sizeof call, &len, fds, &n_fds);
        if (r == -EPIPE)
                _exit(125); /* the launcher died or gave up */
        if (r < 0 || n_fds != 0 || len <= sizeof call.h || (len - sizeof call.h) % sizeof call.insns[0] != 0)
                child_fail(c, MSG_SETUP_FAILED, r < 0 ? r : EBADMSG, "receive the seccomp filter");
        /* The launcher makes the call's cgroup while this process mounts. */
        c->cgroup_memory = call.h.flags & CJ_CHAN_CALL_CGROUP_MEMORY;
        len -= sizeof call.h;
        c->prog = (struct sock_fprog){ .len = (unsigned short) (len / sizeof call.insns[0]), .filter = call.insns };
}

/* pid 1, after pivot_root: a terminal from the sandbox's own devpts instance
 * (mounts.c mounts a fresh one on /dev/pts, /dev/ptmx points into it), so no
 * terminal of the host is reachable through it.  The slave side becomes the
 * call's 0/1/2; the master side goes to the launcher, which reads and types
 * into it (pump.h).  Echo is off: the call's stdin is not its output. */
static int make_terminal(child_ctx *c) {
        int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0)
                return -errno;
        int slave = -1, r = 0;
        unsigned unlock = 0;
        struct winsize ws = { .ws_col = (unsigned short) (c->cfg->pty_cols ? c->cfg->pty_cols : CJ_PTY_COLS_DEFAULT),
                              .ws_row = (unsigned short) (c->cfg->pty_rows ? c->cfg->pty_rows : CJ_PTY_ROWS_DEFAULT) };
        struct termios t;
        /* TIOCGPTPEER opens the slave through the master, never by a path. */
        if (ioctl(m, TIOCSPTLCK, &unlock) < 0 || (slave = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0 ||
            ioctl(m, TIOCSWINSZ, &ws) < 0 || tcgetattr(slave, &t) < 0)
                r = -errno;
        if (r == 0) {
                t.c_lflag &= ~(tcflag_t) (ECHO | ECHOE | ECHOK | ECHONL);
                t.c_cc[VEOF] = 4; /* ^D, what the pump types at the end of stdin */
                if (tcsetattr(slave, TCSANOW, &t) < 0)
                        r = -errno;
        }
        if (r == 0)
                r = cj_chan_send(c->pty_wr, CJ_CHAN_PTY, NULL, 0, &m, 1);
        close(m);
        close(c->pty_wr);
        c->pty_wr = -1;
        if (r < 0) {
                if (slave >= 0)
                        close(slave);
                return r;
        }
        c->call_fd[0] = c->call_fd[1] = c->call_fd[2] = slave;
        return 0;
}

/* pid 1, in the call's network namespace: bind each port on 127.0.0.1 and
 * hand the listening sockets to the launcher (one message), keeping none. */
static int send_listeners(const cj_sandbox_config *cfg) {
        int fds[CJ_SANDBOX_LISTEN_MAX];
        size_t n = 0;
        int r = cfg->n_listen_ports > CJ_SANDBOX_LISTEN_MAX ? -E2BIG : 0;
        for (; r == 0 && n < cfg->n_listen_ports; n++) {
                struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(cfg->listen_ports[n]),
                                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
                fds[n] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (fds[n] < 0 || bind(fds[n], (struct sockaddr *) &sa, sizeof sa) < 0 || listen(fds[n], 128) < 0)
                        r = -errno;
                if (fds[n] < 0)
                        break;
        }
        if (r == 0) {
                char tag = 'L';
                struct iovec iov = { &tag, 1 };
                union {
                        char buf[CMSG_SPACE(sizeof(int) * CJ_SANDBOX_LISTEN_MAX)];
                        struct cmsghdr align;
                } u;
                memset(&u, 0, sizeof u);
                struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
                if (n) {
                        m.msg_control = u.buf;
                        m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
                        struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
                        cm->cmsg_level = SOL_SOCKET;
                        cm->cmsg_type = SCM_RIGHTS;
                        cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
                        memcpy(CMSG_DATA(cm), fds, sizeof(int) * n);
                }
                if (sendmsg(cfg->listen_chan, &m, MSG_NOSIGNAL) < 0)
                        r = -errno;
        }
        for (size_t i = 0; i < n; i++)
                close(fds[i]);
        close(cfg->listen_chan);
        return r;
}

static int64_t tv_us(struct timeval tv) {
        return (int64_t) tv.tv_sec * 1000000 + tv.tv_usec;
}

/* pid 2 has exited: nothing else of the call may outlive it (the kernel
 * would kill the rest once pid 1 exits).  Kill and reap it all here, so that
 * the status tells the launcher that no process of the call is left: it
 * then goes on while this process exits, and does not wait for the
 * namespaces' teardown.  (If a process cannot be reaped, the launcher's
 * deadline still applies: it is waiting for this message.) */
static _Noreturn void report_end(const child_ctx *c, int wstatus) {
        kill(-1, SIGKILL); /* every process of this pid namespace but pid 1 */
        while (waitpid(-1, NULL, __WALL) > 0 || errno == EINTR)
                ;
        struct rusage self, children;
        call_status st = { .wstatus = wstatus };
        if (getrusage(RUSAGE_SELF, &self) == 0 && getrusage(RUSAGE_CHILDREN, &children) == 0) {
                st.cpu_us = tv_us(self.ru_utime) + tv_us(self.ru_stime) + tv_us(children.ru_utime) +
                            tv_us(children.ru_stime);
                st.maxrss_kb = self.ru_maxrss > children.ru_maxrss ? self.ru_maxrss : children.ru_maxrss;
        }
        (void) !write(c->status_wr, &st, sizeof st);
        _exit(0);
}

_Noreturn void cj_sandbox_child_main(child_ctx *c) {
        cj_error err = { 0 };
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* The call's network namespace, owned by the user namespace the clone
         * made (as if the clone had made it too), while the launcher writes
         * that namespace's id maps.  Nothing reaches into it from outside:
         * lo and the proxy's listening sockets are set up below, from here. */
        if (c->net != CJ_NET_HOST && unshare(CLONE_NEWNET) < 0)
                child_fail(c, MSG_SETUP_FAILED, errno, "new network namespace");
        /* Also while the launcher works: what the call inherits and neither
         * process needs.  Default dispositions (the launcher ignores SIGPIPE,
         * and an ignored signal would survive exec; this process takes its
         * signals blocked, with sigwaitinfo) and an empty bounding set
         * (privs.h). */
        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        signal(sig, SIG_DFL);
        if (cj_privs_drop_bounding(&err) < 0)
                child_fail(c, MSG_SETUP_FAILED, 0, err.msg);
        cj_phase("netns+bounding");
        /* The launcher's descriptors (the task's lock, journal, state, output
         * files) never enter the sandbox: keep only the channel, the pipes and
         * what pid 2 is given; handed-in fds come over the channel after this. */
        const cj_sandbox_config *cfg = c->cfg;
        int keep[11 + CJ_SANDBOX_KEEP_FDS_MAX + CJ_IDMAP_TREES_MAX] = { 0,             1,             2,             c->chan,
                                                  c->msg_wr,     c->status_wr,  c->call_fd[0], c->call_fd[1],
                                                  c->call_fd[2], cfg->listen_chan, c->pty_wr };
        size_t nkeep = 11;
        for (size_t i = 0; cfg->fn && cfg->keep_fds && cfg->keep_fds[i] >= 0 && i < CJ_SANDBOX_KEEP_FDS_MAX; i++)
                keep[nkeep++] = cfg->keep_fds[i];
        /* The launcher's idmapped trees (idmap.h), attached by cj_mounts_apply. */
        for (size_t i = 0, n = 0; i < c->plan->n && n < CJ_IDMAP_TREES_MAX; i++)
                if (c->plan->ops[i].tree_fd >= 0) {
                        keep[nkeep++] = c->plan->ops[i].tree_fd;
                        n++;
                }
        int r = close_all_but(keep, nkeep);
        if (r < 0)
                child_fail(c, MSG_SETUP_FAILED, r, "close the launcher's descriptors");
        r = cj_chan_recv(c->chan, CJ_CHAN_SETUP, NULL, 0, NULL, c->recv_fds, &c->n_recv_fds);
        if (r == -EPIPE)
                _exit(125); /* the launcher died or gave up */
        if (r < 0 || c->n_recv_fds != c->cfg->n_pass_fds)
                child_fail(c, MSG_SETUP_FAILED, r < 0 ? r : EBADMSG, "receive the descriptors handed to the sandbox");
        cj_phase("wait-id-maps");

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
        cj_phase("creds+hostname");
        if (c->net != CJ_NET_HOST && (r = cj_net_loopback_up(&err)) < 0)
                child_fail(c, MSG_SETUP_FAILED, 0, err.msg);
        cj_phase("loopback-up");
        if (cfg->listen_chan >= 0 && (r = send_listeners(cfg)) < 0)
                child_fail(c, MSG_SETUP_FAILED, r, "listening sockets for the launcher's proxy");
        /* The mask walk's inotify instance stays open until the call starts
         * (pid 2 closes its copy with the rest): closing the last copy waits
         * for an SRCU grace period (maskwalk.h), which this process does
         * right after the fork, overlapping the call's exec.  Kept until pid
         * 1's exit instead, it would queue an event for every directory the
         * call makes in the workspace. */
        int watch_fd = -1;
        if ((r = cj_mounts_apply(c->plan, c->lists, c->cwd, &watch_fd, &err)) < 0)
                child_fail(c, MSG_SETUP_FAILED, 0, err.msg);
        cj_phase("mounts");

        /* The launcher moves us into the call's cgroup while we set up (a cgroup v1
         * migration waits for an RCU grace period) and compiles the filter
         * meanwhile when it has none cached; the call starts only after. */
        receive_filter(c);
        cj_phase("wait-filter");
        if (cfg->pty && (r = make_terminal(c)) < 0)
                child_fail(c, MSG_SETUP_FAILED, r, "a terminal in the sandbox's /dev/pts");
        /* chan stays open for pid 2 (the seccomp listener goes back over it);
         * this process closes it right after the fork. */
        /* Only now, inside the call's cgroup, so that it becomes the namespace's root. */
        if (unshare(CLONE_NEWCGROUP) < 0)
                child_fail(c, MSG_SETUP_FAILED, errno, "new cgroup namespace");

        cj_phase("unshare-cgroup");
        cj_phase_dump("pid1");
        /* pid 2 borrows this process's memory until its exec (vfork: pid 1
         * sleeps meanwhile) instead of copying it: on this path a copy costs
         * the page tables of the launcher's whole image, and every page pid 2
         * touches before exec is faulted in again.  Nothing but clawjail's
         * own setup code runs in the borrowed memory; a file tool (fn) runs
         * without exec, so it gets a copy of its own. */
        pid_t call = c->cfg->fn ? fork() : vfork();
        if (call < 0)
                child_fail(c, MSG_SETUP_FAILED, errno, "fork");
        if (call == 0) {
                cj_phase_reset();
                run_call(c);
        }

        /* Only now: the call's argv (the agent's command) lives in the argv area
         * this overwrites, and the call has its own copy since the fork. */
        (void) cj_proctitle_set("clawjail-init");
        prctl(PR_SET_DUMPABLE, 0);
        if (cj_privs_drop(false, 0, 0, &err) < 0)
                kill(call, SIGKILL);
        /* The reaper needs nothing else, handed-in fds included; the inotify
         * instance goes last, once the launcher has the message pipe's EOF. */
        int status_only[] = { c->status_wr, watch_fd };
        close_all_but(status_only, 2);
        if (watch_fd >= 0)
                close(watch_fd);

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
                while ((p = waitpid(-1, &status, WNOHANG | __WALL)) > 0)
                        if (p == call)
                                report_end(c, status);
        }
}
