/* SPDX-License-Identifier: MIT */
#include "idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "reach.h"
#include "util/fileio.h"
#include "util/longpath.h"

#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif

bool cj_idmap_unsupported(int errnum) {
        errnum = errnum < 0 ? -errnum : errnum;
        /* EINVAL: the filesystem lacks FS_ALLOW_IDMAP (or a submount does);
         * EPERM: not allowed here (a container's seccomp, an LSM);
         * EOPNOTSUPP/ENOSYS: a kernel without it. */
        return errnum == EINVAL || errnum == EPERM || errnum == EOPNOTSUPP || errnum == ENOSYS;
}

/* ---- user namespaces holding the maps ------------------------------------ */

typedef struct userns_entry {
        uid_t from_uid, to_uid;
        gid_t from_gid, to_gid;
        int fd;
} userns_entry;

static userns_entry userns_cache[CJ_IDMAP_USERNS_CACHE];
static size_t n_userns_cache;

/* The holder of a new user namespace: parked until killed.  It shares our
 * memory (CLONE_VM: nothing to copy) and runs with every signal blocked, so
 * no handler of ours ever runs on its stack. */
static int park(void *arg) {
        (void) arg;
        for (;;)
                pause();
        return 0;
}

/* In the holder's /proc directory (one lookup of the pid for its three files). */
static int write_map(int procfd, const char *file, unsigned from, unsigned to) {
        char map[64];
        int n = snprintf(map, sizeof map, "%u %u 1\n", from, to);
        _cleanup_close_ int fd = openat(procfd, file, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return cj_write_all(fd, map, (size_t) n);
}

/* The last holder, killed but not reaped yet: waiting for it to die costs a
 * scheduling round (milliseconds on a loaded host), so the next call here
 * reaps it instead (a zombie holds no namespace), or init once the launcher
 * exits.  Reaped before its stack is reused: a killed holder runs no more
 * user code, but one still on its way into pause() might. */
static pid_t unreaped = -1;

/* A user namespace fd whose maps send from_uid:from_gid (the on-disk owner,
 * as the idmapped mount sees it) to to_uid:to_gid (run_as on the host). */
static int make_userns(uid_t from_uid, gid_t from_gid, uid_t to_uid, gid_t to_gid) {
        while (unreaped > 0 && waitpid(unreaped, NULL, __WALL) < 0 && errno == EINTR)
                ;
        unreaped = -1;
        alignas(16) static char stack[16384]; /* one live holder at a time */
        sigset_t all, old;
        sigfillset(&all);
        sigprocmask(SIG_SETMASK, &all, &old);
        pid_t pid = clone(park, stack + sizeof stack, CLONE_NEWUSER | CLONE_VM | SIGCHLD, NULL);
        int r = pid < 0 ? -errno : 0;
        int procfd = -1;
        if (r == 0) {
                char path[32];
                snprintf(path, sizeof path, "/proc/%d", (int) pid);
                if ((procfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
                        r = -errno;
        }
        if (r == 0 && (r = write_map(procfd, "uid_map", from_uid, to_uid)) >= 0 &&
            (r = write_map(procfd, "gid_map", from_gid, to_gid)) >= 0) {
                r = openat(procfd, "ns/user", O_RDONLY | O_CLOEXEC);
                if (r < 0)
                        r = -errno;
        }
        if (procfd >= 0)
                close(procfd);
        if (pid > 0) {
                kill(pid, SIGKILL);
                unreaped = pid;
        }
        sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
}

/* From the cache, else made (and cached while there is room).  *owned says
 * whether the caller must close it. */
static int get_userns(uid_t from_uid, gid_t from_gid, uid_t to_uid, gid_t to_gid, bool *owned) {
        for (size_t i = 0; i < n_userns_cache; i++) {
                const userns_entry *e = &userns_cache[i];
                if (e->from_uid == from_uid && e->from_gid == from_gid && e->to_uid == to_uid && e->to_gid == to_gid) {
                        *owned = false;
                        return e->fd;
                }
        }
        int fd = make_userns(from_uid, from_gid, to_uid, to_gid);
        if (fd < 0)
                return fd;
        *owned = n_userns_cache >= CJ_IDMAP_USERNS_CACHE;
        if (!*owned)
                userns_cache[n_userns_cache++] = (userns_entry){ from_uid, to_uid, from_gid, to_gid, fd };
        return fd;
}

/* ---- the trees ----------------------------------------------------------- */

/* Clone sfd's mount (recursively for a directory) and idmap the copy with
 * userns fd ns.  *step names the call that failed. */
static int idmapped_tree(int sfd, bool dir, uint64_t attrs, int ns, const char **step) {
        *step = "open_tree";
        _cleanup_close_ int tree =
                open_tree(sfd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (dir ? AT_RECURSIVE : 0));
        if (tree < 0)
                return -errno;
        /* A slave, as pid 1 makes every other mount: nothing mounted inside the
         * sandbox ever propagates back to the host's copy. */
        struct mount_attr attr = { .attr_set = attrs | MOUNT_ATTR_IDMAP | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
                                   .userns_fd = (uint64_t) ns,
                                   .propagation = MS_SLAVE };
        *step = "mount_setattr(MOUNT_ATTR_IDMAP)";
        if (mount_setattr(tree, "", AT_EMPTY_PATH | (dir ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0)
                return -errno;
        return TAKE_FD(tree);
}

static const char *fs_name(int fd) {
        struct statfs sf;
        if (fstatfs(fd, &sf) < 0)
                return "an unknown filesystem";
        switch ((unsigned long) sf.f_type) {
        case 0xEF53: return "ext4";
        case 0x58465342: return "xfs";
        case 0x9123683E: return "btrfs";
        case 0x01021994: return "tmpfs";
        case 0x858458f6: return "ramfs";
        case 0x794c7630: return "overlayfs";
        case 0x2FC12FC1: return "zfs";
        case 0x6969: return "nfs";
        case 0xFF534D42: return "cifs";
        case 0x65735546: return "fuse";
        case 0x4d44: return "vfat";
        default: return "this filesystem";
        }
}

static int fallback_note(cj_strv *notes, const char *src, int sfd, const struct stat *st, uid_t uid, gid_t gid,
                         const char *step, int e) {
        char owner_fix[96], why[160];
        if (st->st_uid == 0)
                snprintf(owner_fix, sizeof owner_fix, "or give it to a non-root user and set \"run_as\" to that user");
        else
                snprintf(owner_fix, sizeof owner_fix, "or set \"run_as\" to its owner (uid %u)", (unsigned) st->st_uid);
        if (e == EINVAL)
                snprintf(why, sizeof why, "%s: %s does not support idmapped mounts", strerror(e), fs_name(sfd));
        else
                snprintf(why, sizeof why, "%s (on %s)", strerror(e), fs_name(sfd));
        char *note = NULL;
        if (asprintf(&note,
                     "%s (owned by uid %u) is not idmapped: %s: %s; the call works there as run_as uid %u, with only "
                     "that uid's access, and what it creates belongs to uid %u; fix: chown -R %u:%u %s, %s",
                     src, (unsigned) st->st_uid, step, why, (unsigned) uid, (unsigned) uid, (unsigned) uid,
                     (unsigned) gid, src, owner_fix) < 0)
                return -ENOMEM;
        return cj_strv_push_take(notes, note) < 0 ? -ENOMEM : 0;
}

/* A read-only bind below home that run_as cannot reach: a toolchain of the
 * user the call is for (~/.cargo/bin in a 0700 /root). */
static bool unreachable_in_home(const cj_mount_op *op, const char *home, uid_t uid, gid_t gid) {
        return op->kind == CJ_MNT_BIND_RO && cj_path_below_home(op->dst, home) && !cj_path_reachable(op->src, uid, gid);
}

int cj_idmap_plan(cj_mount_plan *plan, const char *home, uid_t uid, gid_t gid, cj_strv *notes, cj_error *err) {
        size_t trees = 0;
        for (size_t i = 0; i < plan->n; i++) {
                cj_mount_op *op = &plan->ops[i];
                bool rw = op->kind == CJ_MNT_BIND_RW;
                if (!op->src || op->tree_fd >= 0 || !(rw || unreachable_in_home(op, home, uid, gid)))
                        continue;
                _cleanup_close_ int sfd = cj_open_long(op->src, O_PATH, true);
                if (sfd < 0)
                        continue; /* pid 1 tries it as before and says what is wrong */
                struct stat st;
                if (fstat(sfd, &st) < 0)
                        return cj_error_seterrno(err, errno, "bind source %s", op->src);
                if (st.st_uid == uid && st.st_gid == gid)
                        continue; /* run_as's own: nothing to map */
                const char *step = "mount_setattr(MOUNT_ATTR_IDMAP)";
                int r = trees >= CJ_IDMAP_TREES_MAX ? -E2BIG : 0;
                bool owned = false;
                int ns = -1;
                if (r == 0) {
                        step = "creating its user namespace";
                        r = ns = get_userns(st.st_uid, st.st_gid, uid, gid, &owned);
                }
                if (r >= 0)
                        r = idmapped_tree(sfd, S_ISDIR(st.st_mode), rw ? 0 : MOUNT_ATTR_RDONLY, ns, &step);
                if (owned)
                        close(ns);
                if (r >= 0) {
                        op->tree_fd = r;
                        trees++;
                        continue;
                }
                if (r == -E2BIG)
                        step = "the per-call limit of idmapped binds (CJ_IDMAP_TREES_MAX)";
                else if (!cj_idmap_unsupported(r) && (ns >= 0 || r == -ENOMEM || r == -EMFILE || r == -ENFILE))
                        /* A user namespace that cannot be made (ENOSPC: max_user_namespaces; a
                         * "root" that is only root in a user namespace) is the host's limit:
                         * fall back, and the sandbox's own clone then says what to change. */
                        return cj_error_seterrno(err, -r, "idmap %s: %s", op->src, step);
                if (rw && /* a read-only one is dropped with its own note (reach.h) */
                    fallback_note(notes, op->src, sfd, &st, uid, gid, step, -r) < 0)
                        return cj_error_set(err, ENOMEM, "out of memory");
        }
        return 0;
}

int cj_idmap_probe(const char *path, const char **step) {
        *step = "open";
        _cleanup_close_ int sfd = cj_open_long(path, O_PATH, true);
        if (sfd < 0)
                return sfd;
        struct stat st;
        if (fstat(sfd, &st) < 0)
                return -errno;
        bool owned = false;
        *step = "creating a user namespace";
        /* A map that differs from the identity, as a real call's does. */
        int ns = get_userns(st.st_uid, st.st_gid, 65534, 65534, &owned);
        if (ns < 0)
                return ns;
        int tree = idmapped_tree(sfd, false, 0, ns, step);
        if (owned)
                close(ns);
        if (tree < 0)
                return tree;
        close(tree); /* never attached: the kernel drops it */
        return 0;
}

const char *cj_idmap_fs_name(const char *path) {
        _cleanup_close_ int fd = open(path, O_PATH | O_CLOEXEC);
        return fd < 0 ? "an unknown filesystem" : fs_name(fd);
}
