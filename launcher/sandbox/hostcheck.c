/* SPDX-License-Identifier: MIT */
/* Host probes for `clawjail doctor`.  Each tries the real operation in a
 * throwaway child where it has side effects, so the answer is the kernel's,
 * not a guess from version numbers. */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <linux/mount.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "cgroup.h"
#include "hostcheck.h"
#include "idmap.h"
#include "util/cleanup.h"
#include "util/fileio.h"

const char *cj_check_status_name(cj_check_status s) {
        return s == CJ_CHECK_OK ? "ok" : s == CJ_CHECK_WARN ? "warn" : "fail";
}

__attribute__((format(printf, 3, 4))) static void set(cj_check *c, cj_check_status st, const char *fmt, ...) {
        c->status = st;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->detail, sizeof c->detail, fmt, ap);
        va_end(ap);
}

__attribute__((format(printf, 2, 3))) static void fix(cj_check *c, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->fix, sizeof c->fix, fmt, ap);
        va_end(ap);
}

/* An integer from a /proc file, or -1 when it does not exist. */
static long proc_long(const char *path) {
        char buf[64] = "";
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        return n > 0 ? strtol(buf, NULL, 10) : -1;
}

/* Run fn in a child; returns its exit status (0 = success) or -errno. */
static int in_child(int (*fn)(void *), void *arg) {
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0)
                _exit(fn(arg) & 0xff);
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

static int try_userns(void *arg) {
        return unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID) < 0 ? errno : 0;
}

static void check_userns(cj_check *c) {
        c->name = "user namespaces";
        long max = proc_long("/proc/sys/user/max_user_namespaces");
        long clone = proc_long("/proc/sys/kernel/unprivileged_userns_clone");
        long aa = proc_long("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
        int r = in_child(try_userns, NULL);
        if (r == 0) {
                set(c, CJ_CHECK_OK, "a new user, mount and pid namespace can be created (max_user_namespaces %ld)",
                    max);
                return;
        }
        set(c, CJ_CHECK_FAIL, "unshare(CLONE_NEWUSER) fails: %s", strerror(r > 0 ? r : -r));
        if (max == 0)
                fix(c, "sysctl -w user.max_user_namespaces=15000 (it is 0)");
        else if (clone == 0)
                fix(c, "sysctl -w kernel.unprivileged_userns_clone=1 (Debian's switch is off)");
        else if (aa == 1)
                fix(c, "Ubuntu's AppArmor restricts user namespaces: install the clawjail AppArmor profile "
                       "(packaging/debian) or sysctl -w kernel.apparmor_restrict_unprivileged_userns=0");
        else
                fix(c, "a seccomp or LSM policy of this container/host forbids unshare(CLONE_NEWUSER)");
}

static void check_cgroup(cj_check *c) {
        c->name = "cgroups";
        cj_limits lim = { 0 };
        lim.memory_mb = 64;
        lim.pids = 64;
        cj_cgroup cg = { 0 };
        cj_error err = { 0 };
        int r = cj_cgroup_create(&lim, &cg, &err);
        if (r < 0) {
                set(c, CJ_CHECK_FAIL, "creating a call's cgroup failed: %s", cj_error_message(&err, r));
                fix(c, "see docs/security.md (cgroups); run as root or give the user a delegated cgroup v2 subtree");
                return;
        }
        if (cg.version == 0) {
                set(c, CJ_CHECK_WARN, "no cgroup for calls (%s): memory and pids limits fall back to rlimits, no "
                                      "peak-memory accounting",
                    cg.why_none ? cg.why_none : "no writable hierarchy");
                fix(c, "cgroup v2: run under a delegated scope, e.g. systemd-run --user --scope -p Delegate=yes "
                       "clawjail ...; cgroup v1: run as root");
        } else
                set(c, CJ_CHECK_OK, "cgroup v%d: memory and pids limits apply per call", cg.version);
        cj_cgroup_destroy(&cg);
}

static void check_idmap(cj_check *c, const char *workspace) {
        c->name = "idmapped mounts";
        const char *fs = cj_idmap_fs_name(workspace);
        if (geteuid() != 0) {
                set(c, CJ_CHECK_OK, "not needed rootless: the user namespace maps you to the sandbox's uid "
                                    "(workspace on %s)", fs);
                return;
        }
        /* The same calls a sandboxed call makes (idmap.h), on the workspace itself. */
        const char *step = "";
        int r = cj_idmap_probe(workspace, &step);
        if (r == 0)
                set(c, CJ_CHECK_OK, "the workspace's filesystem (%s) can be idmapped: as root, writable binds are "
                                    "idmapped mounts, so what a call creates belongs to their owner on disk", fs);
        else {
                set(c, CJ_CHECK_WARN, "the workspace's filesystem (%s) cannot be idmapped here (%s: %s): calls "
                                      "write there as run_as, and a workspace only its owner may enter fails", fs,
                    step, strerror(-r));
                fix(c, "chown -R the workspace to the profile's run_as uid, or set run_as to the workspace's owner");
        }
}

#if CJ_HAVE_SECCOMP_NOTIFY
static int try_listener(void *arg) {
        (void) arg;
        struct sock_filter allow[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
        struct sock_fprog fp = { 1, allow };
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return errno;
        return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &fp) < 0 ? errno : 0;
}
#endif

static void check_seccomp(cj_check *c, cj_check *n) {
        c->name = "seccomp";
        n->name = "seccomp user notification";
        unsigned int kill = SECCOMP_RET_KILL_PROCESS, notif = SECCOMP_RET_USER_NOTIF;
        if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &kill) < 0) {
                set(c, CJ_CHECK_FAIL, "seccomp filters are not available: %s", strerror(errno));
                fix(c, "a kernel with CONFIG_SECCOMP_FILTER");
                set(n, CJ_CHECK_WARN, "not available without seccomp");
                return;
        }
        set(c, CJ_CHECK_OK, "seccomp filters with kill-process and errno actions");
        static const char silent[] = "refused syscalls are answered with their errno but not recorded";
#if !CJ_HAVE_SECCOMP_NOTIFY
        (void) notif;
        set(n, CJ_CHECK_WARN, "clawjail was built without user-notification headers: %s", silent);
        fix(n, "rebuild against linux-libc-dev >= 5.0");
#else
        if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &notif) < 0) {
                set(n, CJ_CHECK_WARN, "SECCOMP_RET_USER_NOTIF is not available (%s): %s", strerror(errno), silent);
                fix(n, "Linux >= 5.0");
                return;
        }
        /* What the sandbox does: a filter with a listener, which fails with
         * EBUSY where one higher up the chain has one already. */
        int r = in_child(try_listener, NULL);
        if (r == 0)
                set(n, CJ_CHECK_OK, "refused syscalls are delivered to clawjail and recorded in the journal");
        else if (r == EBUSY) {
                set(n, CJ_CHECK_WARN, "another seccomp listener already watches clawjail (a container manager's?): %s",
                    silent);
                fix(n, "run clawjail outside that manager's seccomp notification (only one listener is allowed)");
        } else {
                set(n, CJ_CHECK_WARN, "a filter with a listener cannot be installed (%s): %s", strerror(r), silent);
                fix(n, "Linux >= 5.0");
        }
#endif
}

static void check_landlock(cj_check *c) {
        c->name = "landlock";
        long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
        if (abi < 0)
                set(c, CJ_CHECK_WARN, "not available (%s); clawjail does not need it today", strerror(errno));
        else
                set(c, CJ_CHECK_OK, "ABI %ld", abi);
}

static void check_mount_api(cj_check *c) {
        c->name = "mount API";
        struct utsname u;
        uname(&u);
        /* EBADF/EINVAL: the syscall exists and refused the bogus argument. */
        long r = syscall(SYS_open_tree, -1, "", 0);
        int e1 = r < 0 ? errno : 0;
        r = syscall(SYS_mount_setattr, -1, "", 0, NULL, 0);
        int e2 = r < 0 ? errno : 0;
        if (e1 == ENOSYS || e2 == ENOSYS) {
                set(c, CJ_CHECK_FAIL, "kernel %s lacks %s", u.release, e1 == ENOSYS ? "open_tree (5.2)" : "mount_setattr (5.12)");
                fix(c, "Linux >= 5.12: clawjail builds the sandbox's tree by file descriptor");
        } else
                set(c, CJ_CHECK_OK, "kernel %s has open_tree, move_mount and mount_setattr", u.release);
}

void cj_hostcheck_run(const char *workspace, cj_check *out, size_t *n) {
        size_t k = 0;
        memset(out, 0, sizeof(cj_check) * CJ_HOSTCHECKS_MAX);
        check_userns(&out[k++]);
        check_mount_api(&out[k++]);
        check_cgroup(&out[k++]);
        check_idmap(&out[k++], workspace);
        check_seccomp(&out[k], &out[k + 1]);
        k += 2;
        check_landlock(&out[k++]);
        *n = k;
}
