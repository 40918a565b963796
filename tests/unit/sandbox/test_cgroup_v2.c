/* SPDX-License-Identifier: MIT */
/*
 * cgroup v2 delegation against the real kernel, on a private cgroup2 mount
 * (issue 7 §2).  This host may be cgroup v1 or hybrid: then memory and pids
 * are bound to v1 and the v2 hierarchy has none, but any controller v1 leaves
 * free (hugetlb, often) obeys the same no-internal-process rule, so the leaf
 * and delegation logic runs for real with it standing in for memory+pids.
 * What needs memory and pids themselves in v2 (memory.max, pids.max, OOM
 * kills) is reported as SKIP with the reason.
 *
 * Plain TAP (not check): a case that cannot run here must say SKIP.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/cgroup.h"
#include "util/cleanup.h"
#include "util/fileio.h"

static int n_test;
static int failed;

static void tap(bool ok, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        printf("%s %d - ", ok ? "ok" : "not ok", ++n_test);
        vprintf(fmt, ap);
        printf("\n");
        va_end(ap);
        if (!ok)
                failed++;
        fflush(stdout);
}

static void skip(const char *what, const char *why) {
        printf("ok %d - %s # SKIP %s\n", ++n_test, what, why);
        fflush(stdout);
}

static char mnt[] = "/tmp/cj-cgroup2.XXXXXX";
static char ctrl[32];                     /* the controller standing in for memory+pids */
static const char *ctrls[] = { ctrl, NULL };
static const cj_limits no_limits = { -1, -1, -1, -1, -1, -1, -1 };

static char *path2(const char *a, const char *b) {
        char *p = NULL;
        return asprintf(&p, "%s/%s", a, b) < 0 ? NULL : p;
}

static char *slurp(const char *dir, const char *file) {
        _cleanup_free_ char *p = path2(dir, file);
        char *s = NULL;
        if (!p || cj_read_file(p, 65536, &s, NULL, NULL) < 0)
                return strdup("");
        return s;
}

static int put(const char *dir, const char *file, const char *v) {
        _cleanup_free_ char *p = path2(dir, file);
        int fd = p ? open(p, O_WRONLY | O_CLOEXEC) : -1;
        if (fd < 0)
                return -errno;
        int r = cj_write_all(fd, v, strlen(v));
        close(fd);
        return r;
}

static int put_pid(const char *dir, pid_t pid) {
        char b[32];
        snprintf(b, sizeof b, "%d", (int) pid);
        return put(dir, "cgroup.procs", b);
}

static bool has_word(const char *list, const char *w) {
        size_t n = strlen(w);
        for (const char *p = list; (p = strstr(p, w)); p += n)
                if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
                        return true;
        return false;
}

/* The cgroup (relative to the hierarchy) of pid, from /proc/PID/cgroup. */
static char *cgroup_of(pid_t pid) {
        char p[64];
        snprintf(p, sizeof p, "/proc/%d/cgroup", (int) pid);
        _cleanup_free_ char *s = NULL;
        if (cj_read_file(p, 65536, &s, NULL, NULL) < 0)
                return strdup("?");
        char *l = strstr(s, "0::");
        if (!l)
                return strdup("?");
        l += 3;
        l[strcspn(l, "\n")] = '\0';
        return strdup(l);
}

static pid_t sleeper(const char *dir) {
        pid_t p = fork();
        if (p == 0) {
                pause();
                _exit(0);
        }
        if (dir)
                put_pid(dir, p);
        return p;
}

static void reap(pid_t p) {
        kill(p, SIGKILL);
        waitpid(p, NULL, 0);
}

/* Remove a test cgroup tree (children first; processes killed). */
static void rm_cg(const char *dir) {
        if (access(dir, F_OK) < 0)
                return;
        (void) put(dir, "cgroup.kill", "1");
        char cmd[600];
        /* depth-first rmdir of the cgroup directories (cgroupfs files cannot be unlinked) */
        snprintf(cmd, sizeof cmd, "find '%s' -depth -type d -exec rmdir {} + 2>/dev/null", dir);
        for (int i = 0; i < 50 && access(dir, F_OK) == 0; i++) {
                if (system(cmd) < 0)
                        break;
                usleep(20000);
        }
}

/* Run fn in a child placed in cgroup `in` (relative), as uid (0 = stay); the
 * child's exit status is fn's return value. */
typedef int (*launcher_fn)(const char *own_rel, void *arg);
static int as_launcher(const char *own_rel, uid_t uid, launcher_fn fn, void *arg) {
        _cleanup_free_ char *dir = path2(mnt, own_rel + 1);
        pid_t p = fork();
        if (p == 0) {
                if (put_pid(dir, getpid()) < 0)
                        _exit(90);
                if (uid && (setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0))
                        _exit(91);
                _exit(fn(own_rel, arg));
        }
        int st = 0;
        waitpid(p, &st, 0);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- the cases ------------------------------------------------------------ */

/* A delegated cgroup holding only the launcher: leaf, controllers, calls. */
static int delegated(const char *own_rel, void *arg) {
        bool top = arg != NULL;
        cj_cgroup_v2_env env = { .mount = mnt, .own = own_rel, .controllers = ctrls, .may_use_top = top };
        cj_cgroup cg;
        cj_error err = { 0 };
        if (cj_cgroup_v2_create(&env, &no_limits, &cg, &err) < 0 || cg.version != 2) {
                fprintf(stderr, "# create: %s / %s\n", err.msg, cg.why_none ? cg.why_none : "");
                return 10;
        }
        _cleanup_free_ char *own = path2(mnt, own_rel + 1);
        _cleanup_free_ char *me = cgroup_of(getpid());
        char want_me[512];
        snprintf(want_me, sizeof want_me, "%s/%s", own_rel, CJ_CGROUP_LEAF);
        if (strcmp(me, want_me) != 0) {
                fprintf(stderr, "# launcher is in %s, want %s\n", me, want_me);
                return 11;
        }
        _cleanup_free_ char *sub = slurp(own, "cgroup.subtree_control");
        if (!has_word(sub, ctrl))
                return 12;
        /* The call's cgroup is the leaf's sibling and has the controller's files. */
        _cleanup_free_ char *parent = strdup(cg.v2);
        *strrchr(parent, '/') = '\0';
        if (strcmp(parent, own) != 0)
                return 13;
        _cleanup_free_ char *cc = slurp(cg.v2, "cgroup.controllers");
        if (!has_word(cc, ctrl))
                return 14;
        pid_t child = sleeper(NULL);
        if (cj_cgroup_attach(&cg, child, &err) < 0)
                return 15;
        _cleanup_free_ char *cw = cgroup_of(child);
        if (strcmp(cw + strlen(own_rel), strrchr(cg.v2, '/')) != 0) {
                fprintf(stderr, "# child in %s, call cgroup %s\n", cw, cg.v2);
                return 16;
        }
        /* A second call of the same launcher reuses the delegation. */
        cj_cgroup cg2;
        if (cj_cgroup_v2_create(&env, &no_limits, &cg2, &err) < 0 || cg2.version != 2)
                return 17;
        char *dir1 = strdup(cg.v2), *dir2 = strdup(cg2.v2);
        cj_cgroup_destroy(&cg); /* kills the child through cgroup.kill */
        cj_cgroup_destroy(&cg2);
        int st = 0;
        bool killed = waitpid(child, &st, 0) == child && WIFSIGNALED(st);
        bool gone = access(dir1, F_OK) < 0 && access(dir2, F_OK) < 0;
        free(dir1);
        free(dir2);
        if (!killed)
                return 18;
        if (!gone)
                return 19;
        return 0;
}

/* A call's cgroup released without waiting (its pid 1 may still be exiting)
 * and what earlier calls left swept at the next call: its own, and a dead
 * launcher's, but never a live launcher's (between its mkdir and its attach
 * an empty cgroup is still needed), another name, or the sweeping call's. */
static int swept(const char *own_rel, void *arg) {
        (void) arg;
        cj_cgroup_v2_env env = { .mount = mnt, .own = own_rel, .controllers = ctrls };
        cj_cgroup cg1, cg2;
        cj_error err = { 0 };
        if (cj_cgroup_v2_create(&env, &no_limits, &cg1, &err) < 0 || cg1.version != 2)
                return 40;
        _cleanup_free_ char *dir1 = strdup(cg1.v2), *parent = strdup(cg1.v2);
        *strrchr(parent, '/') = '\0';
        pid_t child = sleeper(NULL);
        if (cj_cgroup_attach(&cg1, child, &err) < 0)
                return 41;
        cj_cgroup_release(&cg1); /* kills what is left through cgroup.kill, never waits */
        if (cg1.v2)
                return 42;
        int st = 0;
        if (waitpid(child, &st, 0) != child || !WIFSIGNALED(st))
                return 43;
        pid_t dead = fork();
        if (dead == 0)
                _exit(0);
        waitpid(dead, NULL, 0);
        pid_t live = sleeper(NULL);
        char name[64];
        snprintf(name, sizeof name, "call-%d-1", (int) dead);
        _cleanup_free_ char *dead_dir = path2(parent, name);
        snprintf(name, sizeof name, "call-%d-1", (int) live);
        _cleanup_free_ char *live_dir = path2(parent, name);
        _cleanup_free_ char *other = path2(parent, "not-a-call");
        if (mkdir(dead_dir, 0755) < 0 || mkdir(live_dir, 0755) < 0 || mkdir(other, 0755) < 0)
                return 44;
        if (cj_cgroup_v2_create(&env, &no_limits, &cg2, &err) < 0 || cg2.version != 2)
                return 45;
        _cleanup_free_ char *dir2 = strdup(cg2.v2);
        cj_cgroup_sweep(&cg2);
        int rc = access(dir1, F_OK) == 0      ? 46
                 : access(dead_dir, F_OK) == 0 ? 47
                 : access(live_dir, F_OK) < 0  ? 48
                 : access(other, F_OK) < 0     ? 49
                 : access(dir2, F_OK) < 0      ? 50
                                               : 0;
        reap(live);
        cj_cgroup_release(&cg2); /* left for the next sweep */
        cj_cgroup cg3;
        if (rc == 0 && (cj_cgroup_v2_create(&env, &no_limits, &cg3, &err) < 0 || cg3.version != 2))
                rc = 51;
        if (rc == 0) {
                cj_cgroup_sweep(&cg3);
                rc = access(dir2, F_OK) == 0 ? 52 : 0;
                cj_cgroup_destroy(&cg3);
        }
        rmdir(live_dir);
        rmdir(other);
        return rc;
}

/* The launcher shares its cgroup with another process (a login shell). */
static int shared(const char *own_rel, void *arg) {
        cj_cgroup_v2_env env = { .mount = mnt, .own = own_rel, .controllers = ctrls, .may_use_top = arg != NULL };
        cj_cgroup cg;
        cj_error err = { 0 };
        if (cj_cgroup_v2_create(&env, &no_limits, &cg, &err) < 0)
                return 10;
        if (arg) { /* root's fallback: MOUNT/clawjail */
                _cleanup_free_ char *top = path2(mnt, "clawjail");
                bool under = cg.version == 2 && strncmp(cg.v2, top, strlen(top)) == 0;
                cj_cgroup_destroy(&cg);
                return under ? 0 : 20;
        }
        if (cg.version != 0 || !cg.why_none || !strstr(cg.why_none, "other processes share it")) {
                fprintf(stderr, "# version %d why '%s'\n", cg.version, cg.why_none ? cg.why_none : "");
                return 21;
        }
        /* Left as found: the launcher back in its cgroup, no leaf, nothing enabled. */
        _cleanup_free_ char *me = cgroup_of(getpid());
        _cleanup_free_ char *own = path2(mnt, own_rel + 1);
        _cleanup_free_ char *leaf = path2(own, CJ_CGROUP_LEAF);
        _cleanup_free_ char *sub = slurp(own, "cgroup.subtree_control");
        cj_cgroup_destroy(&cg);
        if (strcmp(me, own_rel) != 0)
                return 22;
        if (access(leaf, F_OK) == 0)
                return 23;
        if (has_word(sub, ctrl))
                return 24;
        return 0;
}

/* The order a call uses on v2 (run.c): the cgroup is made while the
 * launcher is alone, then pid 1 (a child here, in the launcher's leaf) is
 * attached.  The other order, pid 1 first, is the "shared" case: no cgroup. */
static int call_order(const char *own_rel, void *arg) {
        (void) arg;
        cj_cgroup_v2_env env = { .mount = mnt, .own = own_rel, .controllers = ctrls };
        for (int call = 0; call < 2; call++) { /* the first call delegates, the next finds it done */
                cj_cgroup cg;
                cj_error err = { 0 };
                if (cj_cgroup_v2_create(&env, &no_limits, &cg, &err) < 0 || cg.version != 2) {
                        fprintf(stderr, "# call %d: version %d why '%s'\n", call, cg.version,
                                cg.why_none ? cg.why_none : "");
                        return 10 + call;
                }
                pid_t pid1 = sleeper(NULL);
                int r = cj_cgroup_attach(&cg, pid1, &err);
                _cleanup_free_ char *at = cgroup_of(pid1);
                char want[512];
                snprintf(want, sizeof want, "%s", cg.v2 + strlen(mnt));
                reap(pid1);
                cj_cgroup_destroy(&cg);
                if (r < 0 || strcmp(at, want) != 0) {
                        fprintf(stderr, "# call %d: pid 1 in %s, want %s (%d)\n", call, at, want, r);
                        return 20 + call;
                }
        }
        return 0;
}

/* pid 1 as run.c clones it on v2: born inside the call's cgroup
 * (cj_cgroup_clone, CLONE_INTO_CGROUP), where it looks first thing. */
static int born_inside(const char *own_rel, void *arg) {
        (void) arg;
        cj_cgroup_v2_env env = { .mount = mnt, .own = own_rel, .controllers = ctrls };
        cj_cgroup cg;
        cj_error err = { 0 };
        if (cj_cgroup_v2_create(&env, &no_limits, &cg, &err) < 0 || cg.version != 2)
                return 10;
        char want[512];
        snprintf(want, sizeof want, "%s", cg.v2 + strlen(mnt));
        bool placed = false;
        pid_t pid1 = cj_cgroup_clone(&cg, SIGCHLD, &placed);
        if (pid1 == 0) {
                _cleanup_free_ char *at = cgroup_of(getpid());
                _exit(strcmp(at, want) == 0 ? 0 : 1);
        }
        int st = -1;
        if (pid1 > 0)
                waitpid(pid1, &st, 0);
        cj_cgroup_destroy(&cg);
        if (pid1 < 0 || !placed)
                return 20;
        return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 30;
}

/* Not delegated: the controller is not available in the launcher's cgroup,
 * or (rootless) the cgroup is not the launcher's user's to write. */
static int refused(const char *own_rel, void *arg) {
        const char *needle = arg;
        cj_cgroup_v2_env env = { .mount = mnt, .own = own_rel, .controllers = ctrls };
        cj_cgroup cg;
        cj_error err = { 0 };
        if (cj_cgroup_v2_create(&env, &no_limits, &cg, &err) < 0)
                return 10;
        bool ok = cg.version == 0 && cg.why_none && strstr(cg.why_none, needle);
        if (!ok)
                fprintf(stderr, "# version %d why '%s'\n", cg.version, cg.why_none ? cg.why_none : "");
        cj_cgroup_destroy(&cg);
        return ok ? 0 : 30;
}

/* Hand a cgroup to uid the way systemd's Delegate=yes does. */
static void delegate_to(const char *dir, uid_t uid) {
        static const char *const files[] = { "", "cgroup.procs", "cgroup.subtree_control", "cgroup.threads" };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(files); i++) {
                _cleanup_free_ char *p = *files[i] ? path2(dir, files[i]) : strdup(dir);
                if (p && chown(p, uid, uid) < 0)
                        fprintf(stderr, "# chown %s: %s\n", p, strerror(errno));
        }
}

/* Run fn as a launcher (uid; not 0: the cgroup is delegated to it) in a
 * fresh cgroup BASE-SUFFIX, then remove that cgroup; fn's status. */
static int in_fresh_cgroup(const char *base_rel, const char *suffix, uid_t uid, launcher_fn fn, void *arg) {
        char rel[128];
        snprintf(rel, sizeof rel, "%s-%s", base_rel, suffix);
        _cleanup_free_ char *dir = path2(mnt, rel + 1);
        mkdir(dir, 0755);
        if (uid)
                delegate_to(dir, uid);
        int rc = as_launcher(rel, uid, fn, arg);
        rm_cg(dir);
        return rc;
}

int main(void) {
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (geteuid() != 0) {
                printf("1..1\nok 1 - cgroup v2 delegation # SKIP needs root to mount a private cgroup2 hierarchy "
                       "(tests/run runs the unit suites as root)\n");
                return 0;
        }
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 || !mkdtemp(mnt)) {
                printf("1..1\nok 1 - cgroup v2 delegation # SKIP no private mount namespace: %s\n", strerror(errno));
                return 0;
        }
        if (mount("none", mnt, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
                printf("1..1\nok 1 - cgroup v2 delegation # SKIP the kernel refuses a cgroup2 mount: %s\n",
                       strerror(errno));
                rmdir(mnt);
                return 0;
        }
        /* A domain controller free for v2: memory/pids if this host is v2, else whatever v1 left. */
        _cleanup_free_ char *avail = slurp(mnt, "cgroup.controllers");
        static const char *const prefer[] = { "memory", "pids", "hugetlb", "io", "cpu", "misc", "rdma" };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(prefer) && !*ctrl; i++)
                if (has_word(avail, prefer[i]))
                        snprintf(ctrl, sizeof ctrl, "%s", prefer[i]);
        avail[strcspn(avail, "\n")] = '\0';
        printf("# cgroup2 mounted at %s; its controllers: '%s'\n", mnt, avail);
        bool v2_memory = has_word(avail, "memory") && has_word(avail, "pids");
        if (!*ctrl) {
                printf("1..1\nok 1 - cgroup v2 delegation # SKIP every controller is bound to cgroup v1 here "
                       "(cgroup.controllers of the cgroup2 root is empty)\n");
                umount2(mnt, MNT_DETACH);
                rmdir(mnt);
                return 0;
        }
        printf("1..15\n# standing in for memory+pids: %s\n", ctrl);

        /* The hierarchy root may distribute it (the root is exempt from the
         * no-internal-process rule); restored at the end. */
        _cleanup_free_ char *root_sub = slurp(mnt, "cgroup.subtree_control");
        bool enabled_here = !has_word(root_sub, ctrl);
        char plus[40], minus[40];
        snprintf(plus, sizeof plus, "+%s", ctrl);
        snprintf(minus, sizeof minus, "-%s", ctrl);
        if (enabled_here && put(mnt, "cgroup.subtree_control", plus) < 0)
                printf("# cannot enable %s at the root: %s\n", ctrl, strerror(errno));
        _cleanup_free_ char *root_expected = slurp(mnt, "cgroup.subtree_control");
        root_expected[strcspn(root_expected, "\n")] = '\0';

        char base_rel[64];
        snprintf(base_rel, sizeof base_rel, "/cj-test-%d", (int) getpid());
        _cleanup_free_ char *base = path2(mnt, base_rel + 1);
        mkdir(base, 0755);
        char rel[128];
        int rc;

        /* 1. Delegated, the launcher alone in it (root). */
        snprintf(rel, sizeof rel, "%s-a", base_rel);
        _cleanup_free_ char *a = path2(mnt, rel + 1);
        mkdir(a, 0755);
        rc = as_launcher(rel, 0, delegated, NULL);
        tap(rc == 0, "launcher alone in its cgroup: moves into a leaf, enables %s, calls beside the leaf (rc %d)",
            ctrl, rc);
        _cleanup_free_ char *root_sub_after = slurp(mnt, "cgroup.subtree_control");
        root_sub_after[strcspn(root_sub_after, "\n")] = '\0';
        tap(strcmp(root_sub_after, root_expected) == 0,
            "the hierarchy root's cgroup.subtree_control is not written by the launcher ('%s')", root_expected);
        rm_cg(a);

        /* 10. Released without waiting; swept at the next call. */
        rc = in_fresh_cgroup(base_rel, "s", 0, swept, NULL);
        tap(rc == 0, "a released call's cgroup and a dead launcher's are swept at the next call, a live one's kept "
                     "(rc %d)", rc);

        /* 13. A call's order on v2: made while the launcher is alone, pid 1 attached after. */
        rc = in_fresh_cgroup(base_rel, "o", 0, call_order, NULL);
        tap(rc == 0, "the cgroup made before pid 1 exists, pid 1 attached after: in the call's cgroup, "
                     "on the first call and the next (rc %d)", rc);

        /* 14. On v2 pid 1 is born in the call's cgroup: no attach after
         * (clone3 is Linux 5.7; before it, the call attaches as in 13). */
        errno = 0;
        if (syscall(SYS_clone3, NULL, 0) < 0 && errno == ENOSYS) {
                skip("pid 1 cloned into the call's cgroup (CLONE_INTO_CGROUP)", "this kernel has no clone3 (Linux < 5.7)");
                skip("rootless: pid 1 cloned into the call's cgroup", "this kernel has no clone3 (Linux < 5.7)");
        } else {
                rc = in_fresh_cgroup(base_rel, "i", 0, born_inside, NULL);
                tap(rc == 0, "pid 1 cloned into the call's cgroup (CLONE_INTO_CGROUP): in it from its first "
                             "instruction (rc %d)", rc);
                rc = in_fresh_cgroup(base_rel, "j", 65534, born_inside, NULL);
                tap(rc == 0, "rootless (uid 65534, delegated): pid 1 cloned into the call's cgroup too (rc %d)", rc);
        }

        /* 2. Shared with another process: EBUSY, left as found, falls back to none. */
        snprintf(rel, sizeof rel, "%s-b", base_rel);
        _cleanup_free_ char *b = path2(mnt, rel + 1);
        mkdir(b, 0755);
        pid_t shell = sleeper(b);
        rc = as_launcher(rel, 0, shared, NULL);
        tap(rc == 0, "launcher sharing its cgroup: none, with the reason and the systemd-run hint, nothing changed (rc %d)",
            rc);

        /* 3. Root's fallback: MOUNT/clawjail where the root distributes it. */
        rc = as_launcher(rel, 0, shared, (void *) 1);
        tap(rc == 0, "root sharing its cgroup: falls back to MOUNT/clawjail (rc %d)", rc);
        _cleanup_free_ char *top = path2(mnt, "clawjail");
        rm_cg(top);
        _cleanup_free_ char *root_sub_3 = slurp(mnt, "cgroup.subtree_control");
        root_sub_3[strcspn(root_sub_3, "\n")] = '\0';
        tap(strcmp(root_sub_3, root_expected) == 0, "the fallback did not write the root's subtree_control either");
        reap(shell);
        rm_cg(b);

        /* 4. The controller not delegated to the launcher's cgroup. */
        snprintf(rel, sizeof rel, "%s-c/inner", base_rel);
        _cleanup_free_ char *c = path2(mnt, rel + 1);
        _cleanup_free_ char *cparent = strdup(c);
        *strrchr(cparent, '/') = '\0';
        mkdir(cparent, 0755);
        mkdir(c, 0755);
        rc = as_launcher(rel, 0, refused, (void *) "not delegated to it");
        tap(rc == 0, "controller not available in the launcher's cgroup: none, saying so (rc %d)", rc);
        rm_cg(cparent);

        /* 5. Rootless, delegated as systemd's Delegate=yes does (chown). */
        rc = in_fresh_cgroup(base_rel, "d", 65534, delegated, NULL);
        tap(rc == 0, "rootless (uid 65534) in a delegated cgroup: leaf, %s enabled, calls created (rc %d)", ctrl, rc);

        /* 6. Rootless, not delegated: none, and nothing written. */
        snprintf(rel, sizeof rel, "%s-e", base_rel);
        _cleanup_free_ char *e = path2(mnt, rel + 1);
        mkdir(e, 0755);
        rc = as_launcher(rel, 65534, refused, (void *) "not delegated to this user");
        _cleanup_free_ char *eleaf = path2(e, CJ_CGROUP_LEAF);
        tap(rc == 0 && access(eleaf, F_OK) < 0, "rootless in a cgroup not delegated to it: none (rc %d)", rc);
        rm_cg(e);

        /* 7-9. What needs memory and pids in v2 itself. */
        if (v2_memory) {
                const char *why = "memory and pids are v2 controllers here: sandbox-limits (root and rootless) "
                                  "checks these against the host's cgroups";
                skip("memory.max and memory.swap.max written in the call's v2 cgroup", why);
                skip("pids.max written in the call's v2 cgroup", why);
                skip("OOM kill and peak memory reported from v2 memory.events / memory.peak", why);
        } else {
                skip("memory.max and memory.swap.max written in the call's v2 cgroup",
                     "memory is bound to cgroup v1 on this host; the v2 hierarchy has no memory controller");
                skip("pids.max written in the call's v2 cgroup",
                     "pids is bound to cgroup v1 on this host; the v2 hierarchy has no pids controller");
                skip("OOM kill and peak memory reported from v2 memory.events / memory.peak",
                     "no v2 memory controller on this host (limits run through cgroup v1 in sandbox-limits)");
        }

        rm_cg(base);
        if (enabled_here)
                (void) put(mnt, "cgroup.subtree_control", minus);
        umount2(mnt, MNT_DETACH);
        rmdir(mnt);
        return failed ? 1 : 0;
}
