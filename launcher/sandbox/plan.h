/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The mount plan: the sandbox's filesystem as a list of operations, built from
 * a profile as plain data so it can be printed (`clawjail run --print-plan`)
 * and unit-tested with a fake filesystem.  sandbox/mounts.c executes it.
 *
 * Paths: `dst` is where the mount appears inside the sandbox; `src` is the
 * host path (symlink-free, from realpath) it comes from.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "profile/profile.h"
#include "util/err.h"

#define CJ_MOUNT_PLAN_MAX 4096       /* operations in one plan */
#define CJ_MOUNT_SCAN_DEPTH 512      /* directory depth below a "**" prefix a scan examines; deeper
                                      * directories fail the call closed, naming them (paths are not bounded
                                      * by PATH_MAX: util/longpath.h) */
#define CJ_MOUNT_SCAN_DIRS_MAX 50000 /* directories a "**" scan may visit before failing closed */

typedef enum cj_mount_kind {
        CJ_MNT_TMPFS,     /* fresh tmpfs (mode 1777) */
        CJ_MNT_BIND_RO,   /* recursive bind, read-only, nosuid, nodev */
        CJ_MNT_BIND_RW,   /* recursive bind, writable, nosuid, nodev */
        CJ_MNT_SYMLINK,   /* symlink dst -> src (e.g. /lib -> usr/lib on merged-usr hosts) */
        CJ_MNT_PROC,      /* procfs of the new pid namespace */
        CJ_MNT_DEV,       /* minimal /dev: null zero full random urandom tty, pts, shm */
        CJ_MNT_PROTECT,   /* read-only bind of a path inside a writable root */
        CJ_MNT_MASK_DIR,  /* empty read-only tmpfs, mode 000, over a directory */
        CJ_MNT_MASK_FILE, /* empty read-only file, mode 000, over a file */
        CJ_MNT_PIN,       /* writable bind of a directory onto itself: a mount point cannot be
                           * renamed or removed, so the way to a protected path stays put */
        CJ_MNT_PROTECT_NEW, /* like PROTECT, for a directory the sandbox creates (empty) first */
} cj_mount_kind;

typedef struct cj_mount_op {
        cj_mount_kind kind;
        char *src; /* host path (binds, protect) or link target (symlink); NULL otherwise */
        char *dst; /* path inside the sandbox */
        int tree_fd; /* -1 as built; an idmapped detached copy of src that pid 1 attaches
                      * instead (sandbox/idmap.h), closed by cj_mount_plan_clear */
} cj_mount_op;

#define CJ_TMPFS_INODE_BYTES 4096 /* one inode per this many bytes of a sized tmpfs */

typedef struct cj_mount_plan {
        cj_mount_op *ops;
        size_t n;
        /* Size of every writable tmpfs (CJ_MNT_TMPFS and /dev/shm) and its
         * inode count: half of limits.memory_mb shared evenly among them, so
         * that together they hold at most half the memory limit even where
         * no cgroup charges their pages (rootless on cgroup v1).  0 = the
         * kernel's default (half of RAM), when memory_mb is unlimited. */
        uint64_t tmpfs_bytes, tmpfs_inodes;
        cj_strv protect_found; /* host paths the protect patterns matched (a trailing '/': created) */
        cj_strv notes;         /* optional roots left out and why, for the call's result */
        /* For pid 1's walk after its mounts (maskwalk.h): the deny lists the
         * plan used, and (sandbox directory, pattern prefix) pairs to walk. */
        cj_strv mask_deny, mask_except, mask_roots;
} cj_mount_plan;

/* CJ_FT_ERROR: the path could not be examined (EACCES, ENAMETOOLONG, ELOOP,
 * ENOMEM...; errno set).  It is never taken for missing: the plan fails. */
typedef enum cj_file_type { CJ_FT_MISSING, CJ_FT_DIR, CJ_FT_FILE, CJ_FT_SYMLINK, CJ_FT_OTHER, CJ_FT_ERROR } cj_file_type;

/* A directory's entries from one listing: each one's name and its type, as
 * the directory says it (a symlink is CJ_FT_SYMLINK, never followed).  A
 * listing with cap 0 but entries is borrowed (from a cache, listcache.h):
 * read it, free it (which leaves the bytes alone), never add to it. */
typedef struct cj_dir_list {
        char *buf; /* entries back to back: a byte of cj_file_type, a byte of length, the name, its NUL */
        size_t len, cap;
} cj_dir_list;

/* Append an entry: 0, -ENAMETOOLONG (over NAME_MAX), -EINVAL (a borrowed
 * listing) or -ENOMEM. */
int cj_dir_list_add(cj_dir_list *l, const char *name, cj_file_type type);
/* The entry at *off (start at 0), its type and length, moving *off on; NULL after the last. */
const char *cj_dir_list_next(const cj_dir_list *l, size_t *off, cj_file_type *type, size_t *len);
void cj_dir_list_free(cj_dir_list *l);

/* How the planner sees the host filesystem; tests pass a fake one. */
typedef struct cj_fs_probe {
        cj_file_type (*lstat_type)(void *ctx, const char *path);
        /* realpath(3); NULL (errno set) if it does not resolve. */
        char *(*realpath)(void *ctx, const char *path);
        /* readlink(2) of a symlink; NULL on failure. */
        char *(*readlink)(void *ctx, const char *path);
        /* Every entry of the directory path (not through a symlink) with its
         * type, appended to *out in one pass over the directory: a scan decides
         * all its patterns against it.  0 or -errno. */
        int (*list)(void *ctx, const char *path, cj_dir_list *out);
        void *ctx;
} cj_fs_probe;

/* The real filesystem. */
extern const cj_fs_probe cj_fs_probe_host;

/* Its listing in two steps (listcache.h reads the directory's inode in
 * between): open path as a directory, never through a symlink (an fd or
 * -errno), then append every entry of fd to *out (0 or -errno). */
int cj_fs_open_dir(const char *path);
int cj_fs_list_fd(int fd, cj_dir_list *out);

/* Build the plan for a profile plus operator --ro/--rw paths.  Missing ro/rw
 * roots are skipped (a profile lists /lib64 on hosts that may lack it); deny
 * and protect entries that resolve outside every root are skipped (nothing to
 * hide); a "**" scan that exceeds its limits fails closed; a profile root
 * below the profile's HOME that cannot even be examined (EACCES) is optional:
 * left out, with a line on plan->notes.
 *
 * Protected paths inside writable roots get every directory between the root
 * and them pinned (CJ_MNT_PIN), so `mv .git .git.old && mkdir -p .git/hooks`
 * fails instead of yielding a fresh, writable hooks directory.  A protect
 * entry ending in '/' names a directory that is created when its parent
 * exists ("**" + "/.git/hooks/"), so a repository without hooks/ gets one that
 * is protected.  A "**" tail whose last component ends in '*' matches every
 * name with that prefix (".env*").  A deny match that is a symlink masks its
 * target where the sandbox shows it (`.env -> secrets/prod.env`, a symlinked
 * ~/.ssh), unless the target is a root or holds one (`.env -> /etc` would
 * blind the sandbox, not hide a secret).  A path the scan cannot examine
 * (EACCES after `chmod 000`, ENAMETOOLONG, ELOOP, ENOMEM) fails the plan with
 * a message naming it: it is never taken for absent. */
int cj_mount_plan_build(const cj_profile *p, char *const *extra_ro, char *const *extra_rw, const cj_fs_probe *probe,
                        cj_mount_plan *out, cj_error *err);

/* The host paths the profile's protect patterns (re-anchored below operator
 * roots, as the plan does) match now: run again after a call, anything new
 * was created by it (quarantine.h).  Of the "**" patterns in also (NULL:
 * none), those whose prefix the protect patterns walk anyway are expanded in
 * that walk, into *also_found, and listed in *also_walked (a pattern with a
 * single-component tail adds no system call and no way to fail to it); the
 * others are left to the caller. */
int cj_mount_plan_protect_scan(const cj_profile *p, char *const *extra_ro, char *const *extra_rw,
                               char *const *also, cj_strv *also_found, cj_strv *also_walked,
                               const cj_fs_probe *probe, cj_strv *found, cj_error *err);

/* The call's HOME and /tmp.  A tracked call's are its task's scratch
 * directories (tracker/scratch.h): tmp_src replaces the profile's /tmp tmpfs,
 * and home_src is bound at home.  An untracked call (NULL sources) gets a fresh
 * tmpfs at home.  A home inside a bind root (the workspace) is left as it is. */
int cj_mount_plan_scratch(cj_mount_plan *plan, const char *home, const char *home_src, const char *tmp_src,
                          cj_error *err);

/* True if path (inside the sandbox) is at or below a bind (ro or rw) root or
 * a tmpfs of the plan: used to check --cwd. */
bool cj_mount_plan_covers(const cj_mount_plan *plan, const char *path);

/* True if path lies in a writable place of the plan (rw root or tmpfs) and
 * not under a protect or mask entry. */
bool cj_mount_plan_writable(const cj_mount_plan *plan, const char *path);

/* One line per operation: "bind-ro  /usr <- /usr"; a sized tmpfs says
 * "tmpfs     /tmp size=16384k nr_inodes=4096". */
void cj_mount_plan_print(const cj_mount_plan *plan, FILE *f);

const char *cj_mount_kind_name(cj_mount_kind k);

/* Map a host path (symlink-free) to its place inside the sandbox (*dst, to
 * free) through the bind root with the longest matching source (its kind in
 * *root_kind).  1, 0 if no bind root holds it, -ENOMEM. */
int cj_mount_plan_map(const cj_mount_plan *plan, const char *host, char **dst, cj_mount_kind *root_kind);
void cj_mount_plan_clear(cj_mount_plan *plan);
