/* SPDX-License-Identifier: MIT */
#include "mounts.h"
#include "maskwalk.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/longpath.h"

#define STAGING "/tmp"  /* tmpfs mounted here in our own mount ns, then pivoted into */
#define NEWROOT "/newroot"
#define OLDROOT "/oldroot"
#define EMPTY_FILE "/.cj-empty"

static const char *const dev_nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
static const char *const dev_links[][2] = {
        { "fd", "/proc/self/fd" },         { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
        { "stderr", "/proc/self/fd/2" }, { "ptmx", "pts/ptmx" },
};

/* Any length: a mask or protection deep in the workspace may sit past PATH_MAX. */
static int open_nofollow(const char *path, int flags) {
        return cj_open_long(path, flags, true);
}

/* An O_PATH fd to NEWROOT while cj_mounts_apply runs (-1 otherwise): every
 * mount point lies below it, and a walk starts there instead of at "/". */
static int newroot_fd = -1;

/* The directory the last make_dirs ended in (an O_PATH fd of dir_path),
 * kept for the next: a plan lists the mount points of one directory
 * together (/dev's nodes, the masks of one directory), and each of them made
 * and opened every parent again.  Forgotten once a mount lands on it or
 * above it, which hides what the fd names. */
static char *dir_path;
static int dir_fd = -1;

static void forget_dir(void) {
        free(dir_path);
        dir_path = NULL;
        if (dir_fd >= 0)
                close(TAKE_FD(dir_fd));
}

/* A mount attached at dst ("/newroot/" for the root itself). */
static void forget_dir_at(const char *dst) {
        size_t n = strlen(dst);
        while (n > 1 && dst[n - 1] == '/')
                n--;
        if (dir_path && strncmp(dir_path, dst, n) == 0 && (dir_path[n] == '\0' || dir_path[n] == '/'))
                forget_dir();
}

static int open_newroot(cj_error *err) {
        forget_dir();
        if (newroot_fd >= 0)
                close(TAKE_FD(newroot_fd));
        newroot_fd = open(NEWROOT, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return newroot_fd < 0 ? cj_error_seterrno(err, errno, "open " NEWROOT) : 0;
}

/* One component below fd, made if missing (most are: the new root's
 * skeleton), never through a symlink. */
static int open_component(int fd, const char *name) {
        if (mkdirat(fd, name, 0755) < 0 && errno != EEXIST)
                return -errno;
        struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW,
                                .resolve = RESOLVE_NO_SYMLINKS };
        int nfd = (int) syscall(SYS_openat2, fd, name, &how, sizeof how);
        return nfd < 0 ? -errno : nfd;
}

/* mkdir -p, never following a symlink: each component is created or opened
 * relative to its parent's fd, never re-resolved by path (a workspace that
 * parallel calls change).  Returns an O_PATH fd to the last directory that
 * stays this file's: it is valid until the next make_dirs, or a mount on it
 * or above it. */
static int make_dirs(const char *path, cj_error *err) {
        if (dir_path && strcmp(dir_path, path) == 0)
                return dir_fd;
        const char *rel = path;
        int start = -1; /* where the walk starts: dir_fd or newroot_fd (both kept), or an fd of "/" */
        size_t nd = dir_path ? strlen(dir_path) : 0;
        if (dir_path && strncmp(path, dir_path, nd) == 0 && path[nd] == '/') {
                rel = path + nd;
                start = dir_fd;
        } else if (newroot_fd >= 0 && strncmp(path, NEWROOT, strlen(NEWROOT)) == 0 &&
                   (path[strlen(NEWROOT)] == '/' || path[strlen(NEWROOT)] == '\0')) {
                rel = path + strlen(NEWROOT);
                start = newroot_fd;
        }
        _cleanup_free_ char *copy = strdup(rel);
        char *keep_path = strdup(path);
        if (!copy || !keep_path) {
                free(keep_path);
                return cj_error_set(err, ENOMEM, "out of memory");
        }
        int fd = start;
        if (fd < 0 && (fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
                free(keep_path);
                return cj_error_seterrno(err, errno, "open /");
        }
        int r = 0;
        char *save = NULL;
        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                int nfd = open_component(fd, c);
                if (nfd < 0) {
                        r = cj_error_seterrno(err, -nfd, "%s: component %s is not a plain directory (or cannot be made)",
                                              path, c);
                        break;
                }
                if (fd != start)
                        close(fd);
                fd = nfd;
        }
        if (r < 0 || fd == start) {
                if (r < 0 && fd != start)
                        close(fd);
                free(keep_path);
                return r < 0 ? r : fd; /* no component: the start itself (NEWROOT) */
        }
        forget_dir();
        dir_path = keep_path;
        dir_fd = fd;
        return fd;
}

/* Ensure dst exists as a directory or an empty file, and return an O_PATH fd
 * to it: for a directory make_dirs's (not the caller's to close), for a file
 * the caller's.  The file is made in its parent's fd by mknodat (which
 * neither follows nor opens what is there), and an existing one is only
 * ever opened O_PATH: a FIFO planted where a mask goes (`mkfifo sub/.env`)
 * cannot block pid 1 in open(). */
static int mountpoint(const char *dst, bool dir, cj_error *err) {
        if (dir)
                return make_dirs(dst, err);
        _cleanup_free_ char *parent = strdup(dst);
        if (!parent)
                return -ENOMEM;
        char *slash = strrchr(parent, '/');
        const char *name = dst + (slash - parent) + 1;
        if (slash)
                *slash = '\0';
        int pfd = make_dirs(*parent ? parent : "/", err);
        if (pfd < 0)
                return pfd;
        /* A directory run_as may not write (EACCES) or a read-only root: what
         * is there is used, and a missing one fails in the open below. */
        if (mknodat(pfd, name, S_IFREG | 0000, 0) < 0 && errno != EEXIST && errno != EACCES && errno != EROFS)
                return cj_error_seterrno(err, errno, "create mount point %s", dst);
        struct open_how how = { .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS };
        int fd = (int) syscall(SYS_openat2, pfd, name, &how, sizeof how);
        if (fd < 0)
                return cj_error_seterrno(err, errno, "mount point %s (a symlink where none is allowed?)", dst);
        return fd;
}

static int set_attr(int tree, uint64_t set, bool recursive, const char *what, cj_error *err) {
        struct mount_attr attr = { .attr_set = set };
        if (mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0)
                return cj_error_seterrno(err, errno, "mount_setattr %s", what);
        return 0;
}

/* Attach tree at dst_fd, mountpoint(dst, dir)'s result (closed here when
 * it is a file's). */
static int attach(int tree, int dst_fd, bool dir, const char *dst, cj_error *err) {
        int r = move_mount(tree, "", dst_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0 ? -errno : 0;
        if (!dir)
                close(dst_fd);
        /* A directory mount may hide what the kept fd names, whatever the
         * spelling of the two paths: forget it.  The kept fd pays off for
         * the files of one directory (masks, /dev's nodes), which cannot. */
        if (dir)
                forget_dir();
        else
                forget_dir_at(dst);
        return r < 0 ? cj_error_seterrno(err, -r, "move_mount %s", dst) : 0;
}

/* Clone src (recursively for directories: decided on the fd, which is what
 * gets mounted, never on a path that could be swapped meanwhile), set
 * attributes, attach at dst. */
static int bind(const char *src, const char *dst, uint64_t attrs, cj_error *err) {
        _cleanup_close_ int sfd = open_nofollow(src, O_PATH);
        if (sfd < 0)
                return cj_error_seterrno(err, sfd, "bind source %s", src);
        struct stat st;
        if (fstat(sfd, &st) < 0)
                return cj_error_seterrno(err, errno, "bind source %s", src);
        bool dir = S_ISDIR(st.st_mode);
        _cleanup_close_ int tree =
                open_tree(sfd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (dir ? AT_RECURSIVE : 0));
        if (tree < 0)
                return cj_error_seterrno(err, errno, "open_tree %s", src);
        int r = set_attr(tree, attrs, dir, dst, err);
        if (r < 0)
                return r;
        int dfd = mountpoint(dst, dir, err);
        if (dfd < 0)
                return dfd;
        return attach(tree, dfd, dir, dst, err);
}

/* A fresh filesystem (tmpfs, proc, devpts) by the fd-based API. */
static int fresh(const char *fstype, const char *const *opts, uint64_t attrs, const char *dst, bool dir,
                 cj_error *err) {
        _cleanup_close_ int fsfd = fsopen(fstype, FSOPEN_CLOEXEC);
        if (fsfd < 0)
                return cj_error_seterrno(err, errno, "fsopen %s", fstype);
        for (size_t i = 0; opts && opts[i]; i += 2)
                if (fsconfig(fsfd, FSCONFIG_SET_STRING, opts[i], opts[i + 1], 0) < 0)
                        return cj_error_seterrno(err, errno, "%s option %s=%s", fstype, opts[i], opts[i + 1]);
        if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return cj_error_seterrno(err, errno, "create %s for %s", fstype, dst);
        _cleanup_close_ int mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned) attrs);
        if (mfd < 0)
                return cj_error_seterrno(err, errno, "fsmount %s", fstype);
        int dfd = mountpoint(dst, dir, err);
        if (dfd < 0)
                return dfd;
        return attach(mfd, dfd, dir, dst, err);
}

/* buf = a + "/" + b, or -ENAMETOOLONG. */
static int subpath(char buf[PATH_MAX], const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        if (la + 1 + lb >= PATH_MAX)
                return -ENAMETOOLONG;
        memcpy(buf, a, la);
        buf[la] = '/';
        memcpy(buf + la + 1, b, lb + 1);
        return 0;
}

/* Options of a writable tmpfs: mode, and the plan's size (if any). */
typedef struct tmpfs_optv {
        char size[32], inodes[32];
        const char *v[7];
} tmpfs_optv;

static void make_tmpfs_opts(const cj_mount_plan *plan, const char *mode, tmpfs_optv *o) {
        size_t n = 0;
        o->v[n++] = "mode";
        o->v[n++] = mode;
        if (plan->tmpfs_bytes) {
                snprintf(o->size, sizeof o->size, "%" PRIu64, plan->tmpfs_bytes);
                snprintf(o->inodes, sizeof o->inodes, "%" PRIu64, plan->tmpfs_inodes);
                o->v[n++] = "size";
                o->v[n++] = o->size;
                o->v[n++] = "nr_inodes";
                o->v[n++] = o->inodes;
        }
        o->v[n] = NULL;
}

/* One of the host's device nodes, bound at devfd/name: devfd is the
 * sandbox's fresh /dev, which nothing but this process can reach yet, so the
 * mount point is made and named there directly, not opened and re-walked
 * like a workspace's (mountpoint()).  The source is cloned by name from the
 * host's /dev and used only if what was cloned is a character device: a
 * symlink there (cloned as itself) or anything else fails the call. */
static int dev_node(int devfd, const char *name, cj_error *err) {
        char src[64];
        snprintf(src, sizeof src, OLDROOT "/dev/%s", name);
        _cleanup_close_ int tree = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
        if (tree < 0)
                return errno == ENOENT ? 0 : cj_error_seterrno(err, errno, "bind source %s", src); /* the host may lack one */
        struct statx stx;
        if (statx(tree, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx) < 0)
                return cj_error_seterrno(err, errno, "bind source %s", src);
        if (!S_ISCHR(stx.stx_mode))
                return cj_error_set(err, EINVAL, "bind source %s: not a character device", src);
        int r = set_attr(tree, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, false, src, err);
        if (r < 0)
                return r;
        if (mknodat(devfd, name, S_IFREG | 0000, 0) < 0)
                return cj_error_seterrno(err, errno, "create mount point /dev/%s", name);
        if (move_mount(tree, "", devfd, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return cj_error_seterrno(err, errno, "move_mount /dev/%s", name);
        return 0;
}

static int setup_dev(const char *dst, const cj_mount_plan *plan, cj_error *err) {
        static const char *const tmpfs_opts[] = { "mode", "0755", "size", "64k", NULL };
        int r = fresh("tmpfs", tmpfs_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, dst, true, err);
        if (r < 0)
                return r;
        int dfd = make_dirs(dst, err); /* the tmpfs above: mounts on files in it keep this fd valid */
        if (dfd < 0)
                return dfd;
        for (size_t i = 0; i < CJ_ARRAY_SIZE(dev_nodes); i++)
                if ((r = dev_node(dfd, dev_nodes[i], err)) < 0)
                        return r;
        for (size_t i = 0; i < CJ_ARRAY_SIZE(dev_links); i++)
                if (symlinkat(dev_links[i][1], dfd, dev_links[i][0]) < 0)
                        return cj_error_seterrno(err, errno, "symlink %s/%s", dst, dev_links[i][0]);
        char pts[PATH_MAX], shm[PATH_MAX];
        if (subpath(pts, dst, "pts") < 0 || subpath(shm, dst, "shm") < 0)
                return cj_error_set(err, ENAMETOOLONG, "path too long: %s", dst);
        static const char *const pts_opts[] = { "ptmxmode", "0666", "mode", "0620", NULL };
        r = fresh("devpts", pts_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, pts, true, err);
        if (r < 0)
                return r;
        tmpfs_optv shm_opts;
        make_tmpfs_opts(plan, "1777", &shm_opts);
        return fresh("tmpfs", shm_opts.v, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, shm, true, err);
}

static char *concat(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        char *s = malloc(la + lb + 1);
        if (s) {
                memcpy(s, a, la);
                memcpy(s + la, b, lb + 1);
        }
        return s;
}

/* The launcher's idmapped copy of a writable root (idmap.h): attach it. */
static int attach_tree(const cj_mount_op *op, const char *dst, cj_error *err) {
        struct stat st;
        if (fstat(op->tree_fd, &st) < 0)
                return cj_error_seterrno(err, errno, "idmapped tree of %s", op->src);
        bool dir = S_ISDIR(st.st_mode);
        int dfd = mountpoint(dst, dir, err);
        if (dfd < 0)
                return dfd;
        int r = attach(op->tree_fd, dfd, dir, dst, err);
        close(op->tree_fd); /* attached: the mount lives on in this namespace */
        return r;
}

/* The innermost root (an earlier op: the plan is sorted parent first)
 * holding ops[i], or -1. */
static ssize_t holder_of(const cj_mount_plan *plan, size_t i) {
        ssize_t root = -1;
        for (size_t j = 0; j < i; j++) {
                cj_mount_kind k = plan->ops[j].kind;
                if ((k == CJ_MNT_BIND_RW || k == CJ_MNT_BIND_RO || k == CJ_MNT_TMPFS) &&
                    cj_path_is_under(plan->ops[i].dst, plan->ops[j].dst))
                        root = (ssize_t) j;
        }
        return root;
}

static const char *below(const char *path, const char *root) {
        return strcmp(root, "/") == 0 ? path : path + strlen(root);
}

/* Is ops[i] taken from its holder's view in the new root, through an
 * idmapping, rather than from the host path, which run_as may not reach?
 * Pins and protections name a path of the root that holds them (plan.c:
 * map_to_sandbox), so they are whenever that root is an idmapped tree.  A
 * read-only root at the same place below an idmapped root (`--ro docs` in a
 * root-owned 0700 workspace), or below such a nested root, is too. */
static bool via_new_root(const cj_mount_plan *plan, size_t i) {
        const cj_mount_op *op = &plan->ops[i];
        bool inside = op->kind == CJ_MNT_PIN || op->kind == CJ_MNT_PROTECT || op->kind == CJ_MNT_PROTECT_NEW;
        if (!inside && (op->kind != CJ_MNT_BIND_RO || op->tree_fd >= 0 || !op->src))
                return false;
        ssize_t h = holder_of(plan, i);
        if (h < 0)
                return false;
        const cj_mount_op *root = &plan->ops[h];
        if (inside)
                return root->tree_fd >= 0;
        if (!root->src || !cj_path_is_under(op->src, root->src) ||
            strcmp(below(op->src, root->src), below(op->dst, root->dst)) != 0)
                return false;
        return root->tree_fd >= 0 || via_new_root(plan, (size_t) h);
}

static int apply_op(const cj_mount_plan *plan, size_t i, cj_error *err) {
        const cj_mount_op *op = &plan->ops[i];
        bool from_new_root = via_new_root(plan, i);
        /* Not PATH_MAX buffers: every path below is opened component by
         * component or through cj_open_long, so a deep mask still lands. */
        _cleanup_free_ char *dst = concat(NEWROOT, op->dst);
        _cleanup_free_ char *src = !op->src      ? NULL
                                   : from_new_root ? concat(NEWROOT, op->dst)
                                                  : concat(OLDROOT, op->src);
        if (!dst || (op->src && !src))
                return cj_error_set(err, ENOMEM, "out of memory");
        if (op->tree_fd >= 0)
                return attach_tree(op, dst, err);
        const uint64_t ro = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
        switch (op->kind) {
        case CJ_MNT_PROTECT_NEW: {
                /* Created on the host (through the writable root, symlink-free) so that
                 * it exists to be protected; an empty hooks/ is what git makes too. */
                int r = make_dirs(src, err);
                if (r < 0)
                        return r;
                __attribute__((fallthrough));
        }
        case CJ_MNT_BIND_RO:
        case CJ_MNT_BIND_RW:
        case CJ_MNT_PIN:
        case CJ_MNT_PROTECT: {
                bool rw = op->kind == CJ_MNT_BIND_RW || op->kind == CJ_MNT_PIN;
                uint64_t attrs = rw ? MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV : ro;
                return bind(src, dst, attrs, err);
        }
        case CJ_MNT_TMPFS: {
                tmpfs_optv opts;
                make_tmpfs_opts(plan, "1777", &opts);
                return fresh("tmpfs", opts.v, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, dst, true, err);
        }
        case CJ_MNT_MASK_DIR: {
                static const char *const opts[] = { "mode", "0000", "size", "4k", "nr_inodes", "1", NULL };
                return fresh("tmpfs", opts, ro | MOUNT_ATTR_NOEXEC, dst, true, err);
        }
        case CJ_MNT_MASK_FILE:
                return bind(EMPTY_FILE, dst, ro | MOUNT_ATTR_NOEXEC, err);
        case CJ_MNT_SYMLINK: {
                _cleanup_free_ char *parent = strdup(dst);
                if (!parent)
                        return -ENOMEM;
                char *slash = strrchr(parent, '/');
                *slash = '\0';
                int r = make_dirs(parent, err);
                if (r < 0)
                        return r;
                if (symlinkat(op->src, r, slash + 1) < 0 && errno != EEXIST)
                        return cj_error_seterrno(err, errno, "symlink %s", op->dst);
                return 0;
        }
        case CJ_MNT_PROC:
                return fresh("proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, dst, true, err);
        case CJ_MNT_DEV:
                return setup_dev(dst, plan, err);
        }
        return cj_error_set(err, EINVAL, "unknown mount operation %d", op->kind);
}

int cj_mounts_apply(const cj_mount_plan *plan, const cj_list_cache *lists, const char *cwd, int *watch_fd,
                    cj_error *err) {
        *watch_fd = -1;
        /* Nothing we do may propagate back to the host. */
        if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                return cj_error_seterrno(err, errno, "make / a slave mount");
        if (mount("tmpfs", STAGING, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
                return cj_error_seterrno(err, errno, "mount staging tmpfs on " STAGING);
        if (chdir(STAGING) < 0 || mkdir("newroot", 0755) < 0 || mkdir("oldroot", 0755) < 0)
                return cj_error_seterrno(err, errno, "prepare staging directory");
        if (syscall(SYS_pivot_root, STAGING, STAGING OLDROOT) < 0)
                return cj_error_seterrno(err, errno, "pivot_root into staging");
        if (chdir("/") < 0)
                return cj_error_seterrno(err, errno, "chdir /");
        if (mount("tmpfs", NEWROOT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
                return cj_error_seterrno(err, errno, "mount new root tmpfs");
        int efd = open(EMPTY_FILE, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0000);
        if (efd < 0)
                return cj_error_seterrno(err, errno, "create " EMPTY_FILE);
        close(efd);

        int r = 0;
        for (size_t i = 0; r >= 0 && i < plan->n; i++) {
                /* Reopened after a mount on the new root itself: walks start on top of it. */
                if ((i == 0 || strcmp(plan->ops[i - 1].dst, "/") == 0) && (r = open_newroot(err)) < 0)
                        break;
                if ((r = apply_op(plan, i, err)) < 0)
                        cj_error_prefix(err, "mount %s %s: ", cj_mount_kind_name(plan->ops[i].kind), plan->ops[i].dst);
        }
        forget_dir();
        if (newroot_fd >= 0)
                close(TAKE_FD(newroot_fd));
        if (r < 0)
                return r;

        /* The plan chose masks by path before a parallel call could move things:
         * find what it missed, by fd, in this namespace (maskwalk.h). */
        r = cj_maskwalk_apply(plan, lists, NEWROOT, EMPTY_FILE, watch_fd, err);
        if (r < 0)
                return r;
        /* The skeleton directories of the new root are read-only too. */
        if (mount(NULL, NEWROOT, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
                return cj_error_seterrno(err, errno, "make the new root read-only");
        /* The staging root ends up stacked on the new one: one lazy unmount
         * detaches it with the host's root below it (OLDROOT) and every mount
         * of that, so the host tree costs a single unmount (each waits for an
         * expedited RCU grace period). */
        if (chdir(NEWROOT) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 ||
            chdir("/") < 0)
                return cj_error_seterrno(err, errno, "pivot_root into the new root");
        if (cwd && chdir(cwd) < 0)
                return cj_error_seterrno(err, errno, "working directory %s inside the sandbox", cwd);
        return 0;
}
