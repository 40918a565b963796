/* SPDX-License-Identifier: MIT */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/dents.h"
#include "util/fileio.h"

#define CG_ROOT "/sys/fs/cgroup"
#define CG_FILE_MAX 65536
#define CG_STAT_MAX 4096 /* cpu.stat, memory.events, memory.oom_control: a few lines each */

static int write_str(const char *dir, const char *file, const char *value) {
        _cleanup_free_ char *p = cj_path_join(dir, file);
        if (!p)
                return -ENOMEM;
        _cleanup_close_ int fd = open(p, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return cj_write_all(fd, value, strlen(value));
}

static int write_i64(const char *dir, const char *file, int64_t v) {
        char buf[32];
        snprintf(buf, sizeof buf, "%" PRId64, v);
        return write_str(dir, file, buf);
}

static char *read_str(const char *dir, const char *file) {
        _cleanup_free_ char *p = cj_path_join(dir, file);
        char *out = NULL;
        if (!p || cj_read_file(p, CG_FILE_MAX, &out, NULL, NULL) < 0)
                return NULL;
        return out;
}

/* "key value" line in a flat-keyed file's text (memory.events, cpu.stat, memory.oom_control). */
static int64_t find_key(const char *s, const char *key) {
        size_t kl = strlen(key);
        for (const char *line = s; line && *line;) {
                if (strncmp(line, key, kl) == 0 && line[kl] == ' ')
                        return strtoll(line + kl + 1, NULL, 10);
                line = strchr(line, '\n');
                if (line)
                        line++;
        }
        return -1;
}

/* The text of an accounting file opened with the cgroup, from its start; NULL if none. */
static const char *read_stat(int fd, char *buf, size_t size) {
        if (fd < 0)
                return NULL;
        ssize_t n = pread(fd, buf, size - 1, 0);
        if (n <= 0)
                return NULL;
        buf[n] = '\0';
        return buf;
}

/* Open the accounting files cj_cgroup_stats reads, where they exist. */
static void open_stats(cj_cgroup *cg) {
        const char *dir[3], *file[3];
        if (cg->version == 2) {
                dir[0] = dir[1] = dir[2] = cg->v2;
                file[0] = "cpu.stat";
                file[1] = "memory.peak";
                file[2] = "memory.events";
        } else {
                dir[0] = cg->v1_cpuacct;
                file[0] = "cpuacct.usage";
                dir[1] = dir[2] = cg->v1_memory;
                file[1] = "memory.max_usage_in_bytes";
                file[2] = "memory.oom_control";
        }
        for (size_t i = 0; i < 3; i++) {
                _cleanup_free_ char *p = dir[i] ? cj_path_join(dir[i], file[i]) : NULL;
                cg->stat_fd[i] = p ? open(p, O_RDONLY | O_CLOEXEC) : -1;
        }
        cg->stat_fds_open = true;
}

static void close_stats(cj_cgroup *cg) {
        for (size_t i = 0; cg->stat_fds_open && i < 3; i++)
                if (cg->stat_fd[i] >= 0)
                        close(cg->stat_fd[i]);
        cg->stat_fds_open = false;
}

static char *call_name(void) {
        static unsigned counter;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        char *n = NULL;
        if (asprintf(&n, "call-%d-%ld%03u", (int) getpid(), (long) ts.tv_nsec, counter++ % 1000) < 0)
                return NULL;
        return n;
}

static bool has_word(const char *list, const char *word) {
        size_t n = strlen(word);
        for (const char *p = list; p && (p = strstr(p, word)); p += n)
                if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
                        return true;
        return false;
}

static int none(cj_cgroup *cg, const char *why) {
        cg->version = 0;
        cg->why_none = strdup(why);
        return 0;
}

/* The launcher's own cgroup v2 path relative to the hierarchy ("/a/b"). */
static char *own_v2_path(void) {
        _cleanup_free_ char *s = NULL;
        if (cj_read_file("/proc/self/cgroup", CG_FILE_MAX, &s, NULL, NULL) < 0)
                return NULL;
        char *l = strstr(s, "0::");
        if (!l || (l != s && l[-1] != '\n'))
                return NULL;
        l += 3;
        l[strcspn(l, "\n")] = '\0';
        return strdup(l);
}

static bool has_all(const char *list, const char *const *words) {
        for (size_t i = 0; words[i]; i++)
                if (!has_word(list, words[i]))
                        return false;
        return true;
}

/* "+a +b" for cgroup.subtree_control. */
static char *plus_list(const char *const *words) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        for (size_t i = 0; words[i]; i++)
                fprintf(f, "%s+%s", i ? " " : "", words[i]);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

/* Make dir a parent that distributes the controllers, with the launcher in a
 * leaf below it (v2's no-internal-process rule: a cgroup that enables
 * controllers for its children holds no process itself).  Returns 0, or a
 * negative errno with *why set when dir cannot be used. */
static int delegate_own(const char *dir, const char *const *ctrls, const char **why) {
        _cleanup_free_ char *sub = read_str(dir, "cgroup.subtree_control");
        if (!sub) {
                *why = "cannot read its cgroup.subtree_control";
                return -EACCES;
        }
        if (has_all(sub, ctrls))
                return 0; /* done by an earlier call of this launcher, or by whoever delegated it */
        _cleanup_free_ char *want = plus_list(ctrls);
        _cleanup_free_ char *leaf = cj_path_join(dir, CJ_CGROUP_LEAF);
        if (!want || !leaf)
                return -ENOMEM;
        if (mkdir(leaf, 0755) < 0 && errno != EEXIST) {
                *why = "cannot create a leaf for the launcher in it (not delegated to this user?)";
                return -errno;
        }
        int r = write_i64(leaf, "cgroup.procs", getpid());
        if (r < 0) {
                (void) rmdir(leaf);
                *why = "cannot move the launcher into a leaf of it (not delegated to this user?)";
                return r;
        }
        r = write_str(dir, "cgroup.subtree_control", want);
        if (r < 0) {
                /* EBUSY: other processes still live in dir (a login shell's scope). */
                (void) write_i64(dir, "cgroup.procs", getpid());
                (void) rmdir(leaf);
                *why = r == -EBUSY ? "other processes share it; run clawjail in its own delegated scope "
                                     "(systemd-run --user --scope -p Delegate=yes clawjail ...)"
                                   : "cannot enable the controllers in its cgroup.subtree_control";
                return r;
        }
        return 0;
}

/* Root's last resort: MOUNT/clawjail, only where the hierarchy's root already
 * distributes the controllers (systemd does); the root's own
 * cgroup.subtree_control is never written. */
static char *top_subtree(const char *mount, const char *const *ctrls, const char *want) {
        _cleanup_free_ char *sub = read_str(mount, "cgroup.subtree_control");
        if (!sub || !has_all(sub, ctrls))
                return NULL;
        _cleanup_free_ char *top = cj_path_join(mount, "clawjail");
        if (!top || (mkdir(top, 0755) < 0 && errno != EEXIST))
                return NULL;
        _cleanup_free_ char *tsub = read_str(top, "cgroup.subtree_control");
        if (!tsub || (!has_all(tsub, ctrls) && write_str(top, "cgroup.subtree_control", want) < 0))
                return NULL;
        return TAKE_PTR(top);
}

int cj_cgroup_v2_create(const cj_cgroup_v2_env *env, const cj_limits *limits, cj_cgroup *cg, cj_error *err) {
        *cg = (cj_cgroup){ 0 };
        static const char *const memory_pids[] = { "memory", "pids", NULL };
        const char *const *ctrls = env->controllers ? env->controllers : memory_pids;
        _cleanup_free_ char *own_rel = env->own ? strdup(env->own) : own_v2_path();
        if (!own_rel)
                return none(cg, "no cgroup v2 entry in /proc/self/cgroup");
        _cleanup_free_ char *own = cj_path_join(env->mount, own_rel);
        _cleanup_free_ char *want = plus_list(ctrls);
        if (!own || !want)
                return -ENOMEM;

        /* The launcher's own cgroup, made a delegating parent with the
         * launcher in a leaf; then the call's cgroup is the leaf's sibling. */
        _cleanup_free_ char *parent = NULL;
        const char *why = NULL;
        _cleanup_free_ char *avail = read_str(own, "cgroup.controllers");
        if (!avail || !has_all(avail, ctrls))
                why = "the controllers are not delegated to it";
        else if (strcmp(own_rel, "/") == 0)
                why = "it is the hierarchy's root";
        else if (delegate_own(own, ctrls, &why) >= 0)
                parent = TAKE_PTR(own);
        if (!parent && env->may_use_top)
                parent = top_subtree(env->mount, ctrls, want);
        if (!parent) {
                _cleanup_free_ char *msg = NULL;
                if (asprintf(&msg, "cgroup v2: cannot use %s for %s: %s", own_rel, want, why ? why : "?") < 0)
                        return -ENOMEM;
                return none(cg, msg);
        }
        /* Best effort: CPU accounting where the cpu controller is there too. */
        _cleanup_free_ char *pavail = read_str(parent, "cgroup.controllers");
        _cleanup_free_ char *psub = read_str(parent, "cgroup.subtree_control");
        if (pavail && has_word(pavail, "cpu") && psub && !has_word(psub, "cpu"))
                (void) write_str(parent, "cgroup.subtree_control", "+cpu");

        _cleanup_free_ char *name = call_name();
        cg->v2 = name ? cj_path_join(parent, name) : NULL;
        if (!cg->v2)
                return -ENOMEM;
        if (mkdir(cg->v2, 0755) < 0) {
                free(cg->v2);
                cg->v2 = NULL;
                return none(cg, "cannot create the call's cgroup");
        }
        cg->version = 2;
        int r = 0;
        int64_t bytes = 0;
        if (limits->memory_mb >= 0 && (r = cj_limit_scale(limits->memory_mb, 1 << 20, &bytes)) < 0)
                return cj_error_set(err, EOVERFLOW, "limits.memory_mb %" PRId64 " MiB does not fit in bytes",
                                    limits->memory_mb);
        if (limits->memory_mb >= 0) {
                r = write_i64(cg->v2, "memory.max", bytes);
                if (r >= 0)
                        write_str(cg->v2, "memory.swap.max", "0"); /* absent without swap accounting */
        }
        if (r >= 0 && limits->pids >= 0)
                r = write_i64(cg->v2, "pids.max", limits->pids);
        if (r < 0)
                return cj_error_seterrno(err, r, "cgroup %s: write limits", cg->v2);
        open_stats(cg);
        return 0;
}

static char *v1_dir(const char *controller) {
        _cleanup_free_ char *base = cj_path_join(CG_ROOT, controller);
        if (!base)
                return NULL;
        _cleanup_free_ char *top = cj_path_join(base, "clawjail");
        if (!top || (mkdir(top, 0755) < 0 && errno != EEXIST) || access(top, W_OK) < 0)
                return NULL;
        _cleanup_free_ char *name = call_name();
        char *dir = name ? cj_path_join(top, name) : NULL;
        if (!dir || mkdir(dir, 0755) < 0) {
                free(dir);
                return NULL;
        }
        return dir;
}

static int create_v1(const cj_limits *limits, cj_cgroup *cg, cj_error *err) {
        cg->v1_memory = v1_dir("memory");
        cg->v1_pids = v1_dir("pids");
        cg->v1_cpuacct = v1_dir("cpuacct");
        if (!cg->v1_memory && !cg->v1_pids) {
                cj_cgroup_destroy(cg);
                return none(cg, "cgroup v1 memory/pids hierarchies are not writable (not root?)");
        }
        cg->version = 1;
        int r = 0;
        int64_t bytes = 0;
        if (limits->memory_mb >= 0 && (r = cj_limit_scale(limits->memory_mb, 1 << 20, &bytes)) < 0) {
                cj_cgroup_destroy(cg);
                return cj_error_set(err, EOVERFLOW, "limits.memory_mb %" PRId64 " MiB does not fit in bytes",
                                    limits->memory_mb);
        }
        if (cg->v1_memory && limits->memory_mb >= 0) {
                r = write_i64(cg->v1_memory, "memory.limit_in_bytes", bytes);
                if (r >= 0) /* no swap escape where swap is accounted */
                        write_i64(cg->v1_memory, "memory.memsw.limit_in_bytes", bytes);
        }
        if (r >= 0 && cg->v1_pids && limits->pids >= 0)
                r = write_i64(cg->v1_pids, "pids.max", limits->pids);
        if (r < 0)
                return cj_error_seterrno(err, r, "cgroup v1: write limits");
        open_stats(cg);
        return 0;
}

bool cj_cgroup_host_v2(void) {
        struct statfs sf;
        return statfs(CG_ROOT, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

int cj_cgroup_create(const cj_limits *limits, cj_cgroup *cg, cj_error *err) {
        *cg = (cj_cgroup){ 0 };
        struct statfs sf;
        if (statfs(CG_ROOT, &sf) < 0)
                return none(cg, CG_ROOT " is not mounted");
        if (sf.f_type == CGROUP2_SUPER_MAGIC) {
                const cj_cgroup_v2_env env = { .mount = CG_ROOT, .may_use_top = geteuid() == 0 };
                return cj_cgroup_v2_create(&env, limits, cg, err);
        }
        return create_v1(limits, cg, err);
}

int cj_cgroup_attach(const cj_cgroup *cg, pid_t pid, cj_error *err) {
        const char *dirs[] = { cg->v2, cg->v1_memory, cg->v1_pids, cg->v1_cpuacct };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(dirs); i++) {
                if (!dirs[i])
                        continue;
                int r = write_i64(dirs[i], "cgroup.procs", pid);
                if (r < 0)
                        return cj_error_seterrno(err, r, "move the sandbox into %s", dirs[i]);
        }
        return 0;
}

/* clone3's arguments up to the cgroup (Linux 5.7), spelled here: the
 * kernel's <linux/sched.h> clashes with glibc's <sched.h>. */
typedef struct clone_args_v2 {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size,
                cgroup;
} clone_args_v2;
#define CLONE_INTO_CGROUP_FLAG 0x200000000ULL

pid_t cj_cgroup_clone(const cj_cgroup *cg, unsigned long flags, bool *placed) {
        *placed = false;
        int dfd = cg->version == 2 && cg->v2 ? open(cg->v2, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (dfd >= 0) {
                clone_args_v2 a = { .flags = (flags & ~0xffUL) | CLONE_INTO_CGROUP_FLAG, .exit_signal = flags & 0xff,
                                    .cgroup = (uint64_t) dfd };
                long pid = syscall(SYS_clone3, &a, sizeof a);
                close(dfd); /* in the child too */
                if (pid >= 0) {
                        *placed = true;
                        return (pid_t) pid;
                }
                /* ENOSYS, E2BIG (before 5.7), or refused: a plain clone, attached after */
        }
        return (pid_t) syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
}

void cj_cgroup_stats(const cj_cgroup *cg, int64_t *cpu_ms, int64_t *peak_bytes, bool *oom_killed) {
        if (cg->version == 0 || !cg->stat_fds_open)
                return;
        char buf[CG_STAT_MAX];
        const char *s;
        if ((s = read_stat(cg->stat_fd[0], buf, sizeof buf))) {
                int64_t v = cg->version == 2 ? find_key(s, "usage_usec") : strtoll(s, NULL, 10);
                if (v >= 0)
                        *cpu_ms = cg->version == 2 ? v / 1000 : v / 1000000;
        }
        if ((s = read_stat(cg->stat_fd[1], buf, sizeof buf))) {
                int64_t peak = strtoll(s, NULL, 10);
                if (peak >= 0)
                        *peak_bytes = peak;
        }
        if ((s = read_stat(cg->stat_fd[2], buf, sizeof buf)))
                *oom_killed = find_key(s, "oom_kill") > 0;
}

static void remove_dir(char **dir, bool v2) {
        if (!*dir)
                return;
        if (v2)
                write_str(*dir, "cgroup.kill", "1");
        /* Removal can race with the kernel releasing the last task: retry briefly. */
        for (int i = 0; i < 50 && rmdir(*dir) < 0 && errno == EBUSY; i++) {
                struct timespec ts = { 0, 2 * 1000 * 1000 };
                nanosleep(&ts, NULL);
        }
        free(*dir);
        *dir = NULL;
}

void cj_cgroup_release(cj_cgroup *cg) {
        close_stats(cg);
        if (cg->v2) /* nothing should be left but the exiting pid 1: should anything be, it goes */
                write_str(cg->v2, "cgroup.kill", "1");
        char **dirs[] = { &cg->v2, &cg->v1_memory, &cg->v1_pids, &cg->v1_cpuacct };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(dirs); i++) {
                if (!*dirs[i])
                        continue;
                free(*dirs[i]);
                *dirs[i] = NULL;
        }
        free(cg->why_none);
        cg->why_none = NULL;
}

/* "call-PID-..." (call_name): PID, or 0 for another name. */
static pid_t call_owner(const char *name) {
        if (strncmp(name, "call-", 5) != 0)
                return 0;
        char *end;
        long pid = strtol(name + 5, &end, 10);
        return *end == '-' && pid > 0 && pid <= INT32_MAX ? (pid_t) pid : 0;
}

static void sweep_beside(const char *dir) {
        const char *slash = strrchr(dir, '/');
        if (!slash || slash == dir)
                return;
        _cleanup_free_ char *parent = strndup(dir, (size_t) (slash - dir));
        _cleanup_close_ int fd = parent ? open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (fd < 0)
                return;
        /* Listed into the stack: no 32 KB readdir buffer to fault in. */
        alignas(struct dirent64) char buf[4096];
        cj_dents d = CJ_DENTS(fd, buf, sizeof buf, 0);
        pid_t self = getpid();
        int removed = 0;
        for (const struct dirent64 *de; removed < CJ_CGROUP_SWEEP_MAX && (de = cj_dents_next(&d));) {
                pid_t owner = call_owner(de->d_name);
                if (owner <= 0 || strcmp(de->d_name, slash + 1) == 0)
                        continue;
                if (owner != self && (kill(owner, 0) == 0 || errno != ESRCH))
                        continue; /* its launcher still runs: it removes its own */
                removed += unlinkat(fd, de->d_name, AT_REMOVEDIR) == 0;
        }
}

void cj_cgroup_sweep(const cj_cgroup *cg) {
        const char *dirs[] = { cg->v2, cg->v1_memory, cg->v1_pids, cg->v1_cpuacct };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(dirs); i++)
                if (dirs[i])
                        sweep_beside(dirs[i]);
}

void cj_cgroup_destroy(cj_cgroup *cg) {
        close_stats(cg);
        remove_dir(&cg->v2, true);
        remove_dir(&cg->v1_memory, false);
        remove_dir(&cg->v1_pids, false);
        remove_dir(&cg->v1_cpuacct, false);
        free(cg->why_none);
        cg->why_none = NULL;
}
