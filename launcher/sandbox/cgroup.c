/* SPDX-License-Identifier: MIT */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fileio.h"

#define CG_ROOT "/sys/fs/cgroup"
#define CG_FILE_MAX 65536

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

/* "key value" line in a flat-keyed file (memory.events, cpu.stat, memory.oom_control). */
static int64_t read_key(const char *dir, const char *file, const char *key) {
        _cleanup_free_ char *s = read_str(dir, file);
        if (!s)
                return -1;
        size_t kl = strlen(key);
        for (char *line = s; line && *line;) {
                if (strncmp(line, key, kl) == 0 && line[kl] == ' ')
                        return strtoll(line + kl + 1, NULL, 10);
                line = strchr(line, '\n');
                if (line)
                        line++;
        }
        return -1;
}

static int64_t read_i64(const char *dir, const char *file) {
        _cleanup_free_ char *s = read_str(dir, file);
        return s ? strtoll(s, NULL, 10) : -1;
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

/* The launcher's own cgroup v2 directory. */
static char *own_v2_dir(void) {
        _cleanup_free_ char *s = NULL;
        if (cj_read_file("/proc/self/cgroup", CG_FILE_MAX, &s, NULL, NULL) < 0)
                return NULL;
        char *l = strstr(s, "0::");
        if (!l)
                return NULL;
        l += 3;
        l[strcspn(l, "\n")] = '\0';
        return cj_path_join(CG_ROOT, l);
}

static int create_v2(const cj_limits *limits, cj_cgroup *cg, cj_error *err) {
        _cleanup_free_ char *parent = NULL;
        if (geteuid() == 0) {
                _cleanup_free_ char *ctrl = read_str(CG_ROOT, "cgroup.controllers");
                if (!ctrl || !has_word(ctrl, "memory") || !has_word(ctrl, "pids"))
                        return none(cg, "cgroup v2 without the memory and pids controllers");
                write_str(CG_ROOT, "cgroup.subtree_control", "+memory +pids");
                write_str(CG_ROOT, "cgroup.subtree_control", "+cpu");
                parent = strdup(CG_ROOT "/clawjail");
                if (!parent)
                        return -ENOMEM;
                if (mkdir(parent, 0755) < 0 && errno != EEXIST)
                        return none(cg, "cannot create " CG_ROOT "/clawjail");
                write_str(parent, "cgroup.subtree_control", "+memory +pids");
                write_str(parent, "cgroup.subtree_control", "+cpu");
        } else {
                /* Rootless: only a delegated subtree whose controllers are already enabled. */
                parent = own_v2_dir();
                if (!parent)
                        return none(cg, "no cgroup v2 entry in /proc/self/cgroup");
                _cleanup_free_ char *sub = read_str(parent, "cgroup.subtree_control");
                _cleanup_free_ char *procs = cj_path_join(parent, "cgroup.procs");
                if (!sub || !has_word(sub, "memory") || !has_word(sub, "pids") || !procs || access(parent, W_OK) < 0)
                        return none(cg, "own cgroup is not delegated with memory and pids enabled");
        }
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
        return 0;
}

int cj_cgroup_create(const cj_limits *limits, cj_cgroup *cg, cj_error *err) {
        *cg = (cj_cgroup){ 0 };
        struct statfs sf;
        if (statfs(CG_ROOT, &sf) < 0)
                return none(cg, CG_ROOT " is not mounted");
        if (sf.f_type == CGROUP2_SUPER_MAGIC)
                return create_v2(limits, cg, err);
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

void cj_cgroup_stats(const cj_cgroup *cg, int64_t *cpu_ms, int64_t *peak_bytes, bool *oom_killed) {
        if (cg->version == 2) {
                int64_t us = read_key(cg->v2, "cpu.stat", "usage_usec");
                if (us >= 0)
                        *cpu_ms = us / 1000;
                int64_t peak = read_i64(cg->v2, "memory.peak");
                if (peak >= 0)
                        *peak_bytes = peak;
                *oom_killed = read_key(cg->v2, "memory.events", "oom_kill") > 0;
        } else if (cg->version == 1) {
                if (cg->v1_cpuacct) {
                        int64_t ns = read_i64(cg->v1_cpuacct, "cpuacct.usage");
                        if (ns >= 0)
                                *cpu_ms = ns / 1000000;
                }
                if (cg->v1_memory) {
                        int64_t peak = read_i64(cg->v1_memory, "memory.max_usage_in_bytes");
                        if (peak >= 0)
                                *peak_bytes = peak;
                        *oom_killed = read_key(cg->v1_memory, "memory.oom_control", "oom_kill") > 0;
                }
        }
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

void cj_cgroup_destroy(cj_cgroup *cg) {
        remove_dir(&cg->v2, true);
        remove_dir(&cg->v1_memory, false);
        remove_dir(&cg->v1_pids, false);
        remove_dir(&cg->v1_cpuacct, false);
        free(cg->why_none);
        cg->why_none = NULL;
}
