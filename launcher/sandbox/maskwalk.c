/* SPDX-License-Identifier: MIT */
#include "maskwalk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/dents.h"
#include "util/fileio.h"
#include "util/longpath.h"
#include "util/pathpat.h"

/* ---- in the launcher ---------------------------------------------------- */

int cj_maskwalk_plan(cj_mount_plan *plan, char *const *deny, char *const *except, const cj_fs_probe *probe) {
        for (size_t i = 0; deny && deny[i]; i++) {
                cj_pathpat pp;
                cj_pathpat_split(deny[i], &pp);
                if (!pp.tail)
                        continue;
                _cleanup_free_ char *prefix = pp.prefix_len ? strndup(deny[i], pp.prefix_len) : strdup("/");
                if (!prefix)
                        return -ENOMEM;
                bool seen = false;
                for (size_t j = 1; plan->mask_roots && plan->mask_roots[j - 1] && !seen; j += 2)
                        seen = strcmp(plan->mask_roots[j], prefix) == 0;
                if (seen)
                        continue;
                _cleanup_free_ char *real = probe->realpath(probe->ctx, prefix);
                cj_mount_kind kind;
                _cleanup_free_ char *dst = NULL;
                int m = real ? cj_mount_plan_map(plan, real, &dst, &kind) : 0;
                if (m < 0)
                        return m;
                if (m == 0)
                        continue; /* not shown in the sandbox: nothing to mask there */
                if (cj_strv_push(&plan->mask_roots, dst) < 0 || cj_strv_push(&plan->mask_roots, prefix) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; deny && deny[i]; i++)
                if (cj_strv_push(&plan->mask_deny, deny[i]) < 0)
                        return -ENOMEM;
        for (size_t i = 0; except && except[i]; i++)
                if (cj_strv_push(&plan->mask_except, except[i]) < 0)
                        return -ENOMEM;
        return 0;
}

/* ---- in pid 1 ----------------------------------------------------------- */

/* What an inotify watch reports: an entry moved in, or a directory made
 * (its contents arrive later, by moves or creations inside it, which its
 * own watch then reports).  A file created here is new, not a host secret. */
#define WATCH_MASK (IN_MOVED_TO | IN_CREATE | IN_ONLYDIR)
#define EVENT_BUF 65536
/* getdents64's buffer, static like EVENT_BUF's.  pid 1 is a copy-on-write
 * clone of the launcher: a malloc of 1 KiB or more (fdopendir's 32 KiB
 * buffer, the walk's first tables) made glibc consolidate and sort its free
 * chunks, writing to pages all over the launcher's heap, each a page fault
 * (~10-15 us here).  So the listing reads into this buffer and the tables
 * start small. */
#define LIST_BUF 32768

typedef struct mw_node {
        int parent;  /* node index; -1 for a walk root */
        int root;    /* walk root: index into the plan's mask_roots pairs */
        int wd_next; /* next node under the same watch (one directory, two mounts), -1 */
        char *name;  /* NULL for a walk root */
        uint64_t mnt, ino;
        bool except; /* a deny_except pattern covers it (cj_pathpat_walk_masked) */
} mw_node;

typedef struct pbuf {
        char *s;
        size_t len, cap;
} pbuf;

typedef struct walker {
        const cj_mount_plan *plan;
        const cj_list_cache *lists; /* the plan's listings: an unchanged directory's is read, not listed again */
        const char *empty_file;
        int ifd;
        mw_node *nodes;
        size_t n, cap;
        int *by_wd; /* wd -> first node, -1 */
        size_t nwd;
        pbuf listings; /* the listings of the directories being walked, a stack (walk_dir) */
        uint32_t *ht; /* (mnt, ino) -> node index + 1; 0 empty */
        size_t ht_cap;
        int *root_fd;   /* per walk root, -1 where the sandbox does not show it */
        int *root_node; /* per walk root, -1 likewise */
        cj_pathpat_walk *pats; /* per walk root: the deny list prepared for it */
        size_t nroots;
        dev_t empty_dev;
        ino_t empty_ino;
        char barrier_name[64];
        struct pending *later; /* reports to retry (drain) */
        size_t nlater, caplater;
        size_t masked; /* masks this walk added */
        cj_error *err;
} walker;

/* Room for n more bytes in p (doubling what it needs).  0 or -ENOMEM. */
static int pbuf_reserve(pbuf *p, size_t n) {
        if (p->len + n <= p->cap)
                return 0;
        size_t cap = (p->len + n) * 2;
        char *s = realloc(p->s, cap);
        if (!s)
                return -ENOMEM;
        p->s = s;
        p->cap = cap;
        return 0;
}

static int pbuf_add(pbuf *p, const char *a, const char *b) {
        size_t la = strlen(a), lb = b ? strlen(b) + 1 : 0;
        if (pbuf_reserve(p, la + lb + 1) < 0)
                return -ENOMEM;
        memcpy(p->s + p->len, a, la);
        p->len += la;
        if (b) {
                p->s[p->len++] = '/';
                memcpy(p->s + p->len, b, lb - 1);
                p->len += lb - 1;
        }
        p->s[p->len] = '\0';
        return 0;
}

/* One listing entry: its type byte, its name, a NUL. */
static int list_add(pbuf *p, unsigned char type, const char *name) {
        size_t n = strlen(name);
        if (pbuf_reserve(p, n + 2) < 0)
                return -ENOMEM;
        p->s[p->len] = (char) type;
        memcpy(p->s + p->len + 1, name, n + 1);
        p->len += n + 2;
        return 0;
}

static void pbuf_cut(pbuf *p, size_t len) {
        p->len = len;
        if (p->s)
                p->s[len] = '\0';
}

static size_t hash_key(uint64_t mnt, uint64_t ino) {
        return (size_t) ((ino * 0x9E3779B97F4A7C15ULL) ^ (mnt * 0xC2B2AE3D27D4EB4FULL));
}

static int find_node(const walker *w, uint64_t mnt, uint64_t ino) {
        if (!w->ht_cap)
                return -1;
        for (size_t h = hash_key(mnt, ino) & (w->ht_cap - 1);; h = (h + 1) & (w->ht_cap - 1)) {
                uint32_t v = w->ht[h];
                if (!v)
                        return -1;
                if (w->nodes[v - 1].mnt == mnt && w->nodes[v - 1].ino == ino)
                        return (int) v - 1;
        }
}

static void ht_put(walker *w, size_t idx) {
        for (size_t h = hash_key(w->nodes[idx].mnt, w->nodes[idx].ino) & (w->ht_cap - 1);;
             h = (h + 1) & (w->ht_cap - 1))
                if (!w->ht[h]) {
                        w->ht[h] = (uint32_t) idx + 1;
                        return;
                }
}

static int add_node(walker *w, int parent, int root, const char *name, uint64_t mnt, uint64_t ino, bool except) {
        if (w->n >= CJ_MOUNT_SCAN_DIRS_MAX)
                return cj_error_set(
                        w->err, EFBIG,
                        "walking the workspace for unmasked secrets visited more than %d directories "
                        "(CJ_MOUNT_SCAN_DIRS_MAX); narrow the profile's \"**\" deny patterns or the workspace",
                        CJ_MOUNT_SCAN_DIRS_MAX);
        if (w->n == w->cap) {
                size_t cap = w->cap ? w->cap * 2 : 16; /* small: see LIST_BUF */
                mw_node *n = realloc(w->nodes, cap * sizeof *n);
                if (!n)
                        return -ENOMEM;
                w->nodes = n;
                w->cap = cap;
        }
        if ((w->n + 1) * 2 > w->ht_cap) { /* keep the table at most half full */
                size_t cap = w->ht_cap ? w->ht_cap * 2 : 64;
                uint32_t *t = calloc(cap, sizeof *t);
                if (!t)
                        return -ENOMEM;
                free(w->ht);
                w->ht = t;
                w->ht_cap = cap;
                for (size_t i = 0; i < w->n; i++)
                        ht_put(w, i);
        }
        char *copy = name ? strdup(name) : NULL;
        if (name && !copy)
                return -ENOMEM;
        w->nodes[w->n] = (mw_node){
                .parent = parent, .root = root, .wd_next = -1, .name = copy, .mnt = mnt, .ino = ino, .except = except};
        ht_put(w, w->n);
        return (int) w->n++;
}

/* Watch the directory open at fd (inotify watches a path: the directory
 * itself, through the cwd).  Its wd, or -errno with err set. */
static int add_watch(walker *w, int fd) {
        if (fchdir(fd) < 0)
                return cj_error_seterrno(w->err, errno, "walking the workspace for unmasked secrets: fchdir");
        int wd = inotify_add_watch(w->ifd, ".", WATCH_MASK);
        if (wd < 0 && errno == ENOSPC)
                return cj_error_set(w->err, ENOSPC,
                                    "walking the workspace for unmasked secrets: out of inotify watches (one per "
                                    "directory); raise /proc/sys/fs/inotify/max_user_watches");
        if (wd < 0)
                return cj_error_seterrno(w->err, errno,
                                         "walking the workspace for unmasked secrets: inotify_add_watch");
        if ((size_t) wd >= w->nwd) {
                size_t nwd = ((size_t) wd + 1) * 2;
                int *b = realloc(w->by_wd, nwd * sizeof *b);
                if (!b)
                        return -ENOMEM;
                for (size_t i = w->nwd; i < nwd; i++)
                        b[i] = -1;
                w->by_wd = b;
                w->nwd = nwd;
        }
        return wd;
}

/* Send wd's reports to node (once: a directory walked again keeps its link). */
static void link_watch(walker *w, int node, int wd) {
        for (int i = w->by_wd[wd]; i >= 0; i = w->nodes[i].wd_next)
                if (i == node)
                        return;
        w->nodes[node].wd_next = w->by_wd[wd];
        w->by_wd[wd] = node;
}

static int key_of(int fd, uint64_t *mnt, uint64_t *ino, struct statx *stx) {
        if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MODE | CJ_LIST_CACHE_STATX_MASK, stx) < 0)
                return -errno;
        *mnt = stx->stx_mnt_id;
        *ino = stx->stx_ino;
        return 0;
}

/* Is the entry fd names (an O_PATH fd, mounts crossed) one of the sandbox's
 * masks: the empty file, or a read-only mode-000 tmpfs root? */
static bool is_mask(const walker *w, int fd, const struct statx *stx) {
        if (!(stx->stx_attributes & STATX_ATTR_MOUNT_ROOT))
                return false;
        if (!S_ISDIR(stx->stx_mode))
                return makedev(stx->stx_dev_major, stx->stx_dev_minor) == (dev_t) w->empty_dev &&
                       stx->stx_ino == w->empty_ino;
        struct statfs sf;
        return (stx->stx_mode & 07777) == 0 && fstatfs(fd, &sf) == 0 && sf.f_type == TMPFS_MAGIC &&
               (sf.f_flags & ST_RDONLY);
}

/* Is sandbox path (under root r) a root of the plan?  Masking it would hide
 * what the operator granted; the plan refuses such a profile already. */
static bool is_plan_root(const walker *w, int r, const char *path) {
        const char *dst = w->plan->mask_roots[2 * r], *prefix = w->plan->mask_roots[2 * r + 1];
        size_t pl = strcmp(prefix, "/") == 0 ? 0 : strlen(prefix);
        _cleanup_free_ char *in = cj_path_join(dst, path + pl);
        for (size_t i = 0; in && i < w->plan->n; i++) {
                cj_mount_kind k = w->plan->ops[i].kind;
                if ((k == CJ_MNT_BIND_RO || k == CJ_MNT_BIND_RW || k == CJ_MNT_TMPFS) &&
                    strcmp(w->plan->ops[i].dst, in) == 0)
                        return true;
        }
        return false;
}

static int mask_fd(walker *w, int fd, bool dir, const char *path) {
        const uint64_t attrs = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
        _cleanup_close_ int m = -1;
        if (dir) {
                _cleanup_close_ int fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC);
                if (fsfd < 0 || fsconfig(fsfd, FSCONFIG_SET_STRING, "mode", "0000", 0) < 0 ||
                    fsconfig(fsfd, FSCONFIG_SET_STRING, "size", "4k", 0) < 0 ||
                    fsconfig(fsfd, FSCONFIG_SET_STRING, "nr_inodes", "1", 0) < 0 ||
                    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
                    (m = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned) attrs)) < 0)
                        return cj_error_seterrno(w->err, errno, "mask %s: tmpfs", path);
        } else {
                struct mount_attr a = {.attr_set = attrs};
                m = open_tree(AT_FDCWD, w->empty_file, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
                if (m < 0 || mount_setattr(m, "", AT_EMPTY_PATH, &a, sizeof a) < 0)
                        return cj_error_seterrno(w->err, errno, "mask %s: empty file", path);
        }
        if (move_mount(m, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return cj_error_seterrno(w->err, errno, "mask %s", path);
        w->masked++;
        return 0;
}

/* A deny pattern names dfd/name (path): mask it by fd unless it is masked. */
static int ensure_masked(walker *w, int root, int dfd, const char *name, const char *path) {
        _cleanup_close_ int fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : cj_error_seterrno(w->err, errno, "mask %s", path);
        struct statx stx;
        uint64_t mnt = 0, ino = 0;
        int r = key_of(fd, &mnt, &ino, &stx);
        if (r < 0)
                return cj_error_seterrno(w->err, r, "mask %s", path);
        /* A symlink's target is masked by the plan where the sandbox shows it. */
        if (S_ISLNK(stx.stx_mode) || is_mask(w, fd, &stx))
                return 0;
        if ((stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) && is_plan_root(w, root, path))
                return 0;
        return mask_fd(w, fd, S_ISDIR(stx.stx_mode), path);
}

static int walk_dir(walker *w, int node, int fd, const struct statx *stx, pbuf *path, unsigned depth, bool again);

typedef struct pending {
        int node;
        char name[NAME_MAX + 1];
} pending;

static int defer(walker *w, int node, const char *name) {
        if (w->nlater == w->caplater) {
                size_t cap = w->caplater ? w->caplater * 2 : 16;
                pending *n = realloc(w->later, cap * sizeof *n);
                if (!n)
                        return -ENOMEM;
                w->later = n;
                w->caplater = cap;
        }
        w->later[w->nlater].node = node;
        snprintf(w->later[w->nlater++].name, sizeof w->later->name, "%s", name);
        return 0;
}

/* A directory the walk may not open: nothing below it is reachable to the
 * call either unless it may at least search it (then fail closed, as the
 * plan's scan does). */
static int unlistable(walker *w, int dfd, const char *name, const char *path) {
        if (faccessat(dfd, name, X_OK, AT_EACCESS | AT_SYMLINK_NOFOLLOW) < 0 && errno == EACCES)
                return 0;
        return cj_error_set(w->err, EACCES,
                            "cannot list %s for masked paths (permission denied): refusing to run rather than leave "
                            "a secret unmasked; give its owner access back on the host (chmod u+rwx)",
                            path);
}

/* Entry dfd/name of node parent, its pattern path in path.  moved: reported
 * by inotify, so a known directory found here has moved (or is new here).
 * again: below such an entry, where a known directory has moved too. */
static int visit(walker *w, int parent, int dfd, const char *name, unsigned char type, pbuf *path, unsigned depth,
                 bool moved, bool again) {
        size_t mark = path->len;
        int r = pbuf_add(path, "", name);
        if (r < 0)
                return r;
        int root = w->nodes[parent].root;
        bool maybe_dir = type == DT_DIR || type == DT_UNKNOWN, except = false;
        /* The walk's own listings ask the rule for an entry of an unmasked
         * directory.  A report asks the full definition: the directory's
         * record (its except) may predate a move of it or above it. */
        bool masked = moved ? cj_pathpat_masked(w->plan->mask_deny, w->plan->mask_except, path->s)
                            : cj_pathpat_walk_masked(&w->pats[root], path->s, path->len, w->nodes[parent].except,
                                                     maybe_dir ? &except : NULL);
        if (masked) {
                r = ensure_masked(w, root, dfd, name, path->s);
                pbuf_cut(path, mark);
                return r;
        }
        if (!maybe_dir) {
                pbuf_cut(path, mark);
                return 0;
        }
        _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
                /* Gone, or no directory (a symlink is not followed: what it leads to
                 * inside a root is walked where it lies). */
                r = errno == ENOENT || errno == ENOTDIR || errno == ELOOP ? 0
                    : errno == EACCES                                     ? unlistable(w, dfd, name, path->s)
                                      : cj_error_seterrno(w->err, errno, "open %s", path->s);
                pbuf_cut(path, mark);
                return r;
        }
        /* Watch first, then look: whatever changes from here on is reported. */
        int wd = add_watch(w, fd);
        if (wd < 0) {
                pbuf_cut(path, mark);
                return wd;
        }
        struct statx stx;
        uint64_t mnt = 0, ino = 0;
        if ((r = key_of(fd, &mnt, &ino, &stx)) < 0) {
                pbuf_cut(path, mark);
                return cj_error_seterrno(w->err, r, "statx %s", path->s);
        }
        int known = find_node(w, mnt, ino);
        /* Listed already, and not moved: done.  Moved here (or with a
         * directory above it), its masks moved along, but what its entries
         * mean may not have: a tail of several components ("**" +
         * "/secrets/prod.key" after `mv x secrets`), a pattern's prefix or an
         * exception may name them now.  So it is walked again where it is.
         * A walk root never moves. */
        if (known >= 0 && (!(moved || again) || w->nodes[known].parent < 0)) {
                pbuf_cut(path, mark);
                return 0;
        }
        if (depth + 1 > CJ_MOUNT_SCAN_DEPTH) {
                r = cj_error_set(w->err, EFBIG,
                                 "walking for unmasked secrets: %s is more than %d levels deep (CJ_MOUNT_SCAN_DEPTH); "
                                 "remove it on the host",
                                 path->s, CJ_MOUNT_SCAN_DEPTH);
                pbuf_cut(path, mark);
                return r;
        }
        if (moved)
                except = cj_pathpat_match_any(w->plan->mask_except, path->s);
        int child = known;
        if (known >= 0) {
                char *copy = strdup(name);
                if (!copy) {
                        pbuf_cut(path, mark);
                        return -ENOMEM;
                }
                free(w->nodes[known].name);
                w->nodes[known] = (mw_node){ .parent = parent, .root = root, .wd_next = w->nodes[known].wd_next,
                                             .name = copy, .mnt = mnt, .ino = ino, .except = except };
        } else
                child = add_node(w, parent, root, name, mnt, ino, except);
        if (child >= 0)
                link_watch(w, child, wd);
        r = child < 0 ? child : walk_dir(w, child, fd, &stx, path, depth + 1, moved || again);
        pbuf_cut(path, mark);
        return r;
}

/* Does the walk leave entry name of node's directory alone: no directory
 * (by its type) and not masked?  Then its visit would do nothing. */
static bool nothing_to_do(walker *w, int node, pbuf *path, const char *name, unsigned char type) {
        if (type == DT_DIR || type == DT_UNKNOWN)
                return false;
        size_t mark = path->len;
        if (pbuf_add(path, "", name) < 0)
                return false; /* the visit reports it */
        bool masked = cj_pathpat_walk_masked(&w->pats[w->nodes[node].root], path->s, path->len,
                                             w->nodes[node].except, NULL);
        pbuf_cut(path, mark);
        return !masked;
}

/* List the directory open at fd, watched already (stx read since: whatever
 * arrives after is reported), and visit what needs it.  again: as visit's,
 * for every entry. */
static int walk_dir(walker *w, int node, int fd, const struct statx *stx, pbuf *path, unsigned depth, bool again) {
        int r = 0;
        /* The whole listing first, then the visits: one descriptor per level,
         * not two, down to CJ_MOUNT_SCAN_DEPTH.  Only what needs a visit is
         * kept (directories and what is masked: a tree's files are mostly
         * neither), and the listings stack up in one buffer (a child's above
         * its parent's, cut off when it is done): no allocation per
         * directory, whose frees made glibc consolidate chunks all over the
         * launcher's copy-on-write heap, nor a copy of a large directory's
         * names, each new page of it a fault (see LIST_BUF). */
        pbuf *list = &w->listings;
        size_t base = list->len;
        cj_dir_list rec;
        if (cj_list_cache_find(w->lists, path->s, stx, &rec)) {
                /* Unchanged since the plan listed it, as it is now with its watch in place. */
                size_t off = 0, nl;
                cj_file_type t;
                for (const char *name; r >= 0 && (name = cj_dir_list_next(&rec, &off, &t, &nl));) {
                        unsigned char dt = t == CJ_FT_DIR ? DT_DIR : t == CJ_FT_FILE ? DT_REG
                                           : t == CJ_FT_SYMLINK ? DT_LNK : DT_FIFO; /* DT_FIFO: not a directory */
                        if (!nothing_to_do(w, node, path, name, dt))
                                r = list_add(list, dt, name);
                }
        } else {
                static char dents[LIST_BUF] __attribute__((aligned(__alignof__(struct dirent64))));
                cj_dents d = CJ_DENTS(fd, dents, sizeof dents, 0);
                for (const struct dirent64 *de; r >= 0 && (de = cj_dents_next(&d));)
                        if (!nothing_to_do(w, node, path, de->d_name, de->d_type))
                                r = list_add(list, de->d_type ? de->d_type : 0xff, de->d_name);
                /* ENOENT: the directory was removed meanwhile, the end of its
                 * listing (as readdir takes it; the report of the removal is
                 * the watch's business). */
                if (r >= 0 && d.err < 0 && d.err != -ENOENT)
                        r = cj_error_seterrno(w->err, -d.err, "list %s", path->s);
        }
        /* By offset: a child's listing may move the buffer (visit reads name
         * only before it walks the child). */
        for (size_t at = base, end = list->len; r >= 0 && at < end;) {
                unsigned char t = (unsigned char) list->s[at];
                const char *name = list->s + at + 1;
                at += 1 + strlen(name) + 1;
                r = visit(w, node, fd, name, t == 0xff ? DT_UNKNOWN : t, path, depth, false, again);
        }
        list->len = base;
        return r;
}

static void reset(walker *w) {
        for (size_t i = 0; i < w->n; i++)
                free(w->nodes[i].name);
        w->n = 0;
        w->nlater = 0;
        if (w->ht)
                memset(w->ht, 0, w->ht_cap * sizeof *w->ht);
        for (size_t i = 0; i < w->nwd; i++)
                w->by_wd[i] = -1;
        for (size_t r = 0; w->root_node && r < w->nroots; r++)
                w->root_node[r] = -1;
}

static int walk_roots(walker *w) {
        reset(w);
        for (size_t r = 0; r < w->nroots; r++) {
                if (w->root_fd[r] < 0)
                        continue;
                int wd = add_watch(w, w->root_fd[r]);
                if (wd < 0)
                        return wd;
                struct statx stx;
                uint64_t mnt = 0, ino = 0;
                int e = key_of(w->root_fd[r], &mnt, &ino, &stx);
                if (e < 0)
                        return cj_error_seterrno(w->err, e, "statx %s", w->plan->mask_roots[2 * r]);
                if (find_node(w, mnt, ino) >= 0)
                        continue; /* two prefixes, one directory */
                int node = add_node(w, -1, (int) r, NULL, mnt, ino, w->pats[r].root_except);
                if (node < 0)
                        return node;
                link_watch(w, node, wd);
                w->root_node[r] = node;
                pbuf path = {0};
                e = pbuf_add(&path, w->plan->mask_roots[2 * r + 1], NULL);
                if (e == 0 && strcmp(path.s, "/") == 0)
                        pbuf_cut(&path, 0);
                if (e == 0)
                        e = walk_dir(w, node, w->root_fd[r], &stx, &path, 0, false);
                free(path.s);
                if (e < 0)
                        return e;
        }
        return 0;
}

/* Open node's directory again through the names from its root, checking each
 * step is the directory recorded; its pattern path goes to path.  0, or 1 if
 * the record is stale (something on the way moved: a later report says where). */
static int reopen(walker *w, int node, int *fd_out, pbuf *path, unsigned *depth) {
        int chain[CJ_MOUNT_SCAN_DEPTH + 1];
        size_t n = 0;
        for (int i = node; w->nodes[i].parent >= 0; i = w->nodes[i].parent) {
                if (n >= CJ_MOUNT_SCAN_DEPTH)
                        return 1;
                chain[n++] = i;
        }
        int r = w->nodes[node].root;
        const char *prefix = w->plan->mask_roots[2 * r + 1];
        pbuf_cut(path, 0);
        if (strcmp(prefix, "/") != 0 && pbuf_add(path, prefix, NULL) < 0)
                return -ENOMEM;
        int fd = fcntl(w->root_fd[r], F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        unsigned d = (unsigned) n; /* the chain's length is the node's depth */
        while (n > 0) {
                const mw_node *c = &w->nodes[chain[--n]];
                int next = openat(fd, c->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                close(fd);
                if (next < 0)
                        return 1;
                struct statx stx;
                uint64_t mnt = 0, ino = 0;
                if (key_of(next, &mnt, &ino, &stx) < 0 || mnt != c->mnt || ino != c->ino ||
                    pbuf_add(path, "", c->name) < 0) {
                        close(next);
                        return 1;
                }
                fd = next;
        }
        *fd_out = fd;
        *depth = d;
        return 0;
}

/* One report: name arrived in node's directory. 0, 1 (stale), or -errno. */
static int handle(walker *w, int node, const char *name, pbuf *path) {
        int fd = -1;
        unsigned depth = 0;
        int r = reopen(w, node, &fd, path, &depth);
        if (r != 0)
                return r;
        r = visit(w, node, fd, name, DT_UNKNOWN, path, depth, true, false);
        close(fd);
        return r;
}

/* Handle the reports one read returns (at most EVENT_BUF bytes: a queue that
 * never empties must not hold the walk).  A report whose directory cannot be
 * reached by its recorded names (a directory on the way moved, and the report
 * saying where is still queued) waits in w->later and is tried again each
 * round.  *got: there was a report; *rewalk: reports were lost (the queue
 * overflowed), or one stayed unplaceable with the queue empty, so only a new
 * full walk is sure. */
static int drain(walker *w, bool *got, bool *rewalk) {
        static char buf[EVENT_BUF] __attribute__((aligned(__alignof__(struct inotify_event))));
        pbuf path = {0};
        ssize_t len;
        do
                len = read(w->ifd, buf, sizeof buf);
        while (len < 0 && errno == EINTR);
        int r = 0;
        if (len == 0 || (len < 0 && errno != EAGAIN)) {
                r = cj_error_seterrno(w->err, len < 0 ? errno : EIO, "read inotify reports");
                goto out;
        }
        for (char *p = buf; len > 0 && p < buf + len;) {
                const struct inotify_event *ev = (const struct inotify_event *) p;
                p += sizeof *ev + ev->len;
                *got = true;
                if (ev->mask & IN_Q_OVERFLOW)
                        *rewalk = true;
                if (!(ev->mask & (IN_MOVED_TO | IN_CREATE)) || !ev->len || ev->wd < 0 || (size_t) ev->wd >= w->nwd)
                        continue;
                if ((ev->mask & IN_CREATE) && !(ev->mask & IN_ISDIR))
                        continue; /* a new file: new content, not a host secret */
                for (int i = w->by_wd[ev->wd]; i >= 0; i = w->nodes[i].wd_next) {
                        r = handle(w, i, ev->name, &path);
                        if (r < 0)
                                goto out;
                        if (r == 1 && (r = defer(w, i, ev->name)) < 0)
                                goto out;
                }
        }
        /* Earlier rounds' waiting reports, now that this read's moves are known. */
        size_t keep = 0;
        for (size_t i = 0; i < w->nlater; i++) {
                r = handle(w, w->later[i].node, w->later[i].name, &path);
                if (r < 0)
                        goto out;
                if (r == 1)
                        w->later[keep++] = w->later[i];
        }
        w->nlater = keep;
        r = 0;
        if (!*got && keep > 0) /* nothing more will say where they went */
                *rewalk = true;
out:
        free(path.s);
        return r;
}

/* Wait out every cross-directory rename in flight on each root's filesystem:
 * such a rename holds the superblock's rename mutex from before it moves the
 * entry until after it queued the report, and a rename of a name that does
 * not exist takes the same mutex before it finds out (ENOENT), changing
 * nothing.  Without it, an entry moved at the very moment the queue was read
 * empty could be in place and unreported.  A root this call sees read-only
 * (EROFS) offers no rename to wait with. */
static int barrier(walker *w) {
        for (size_t r = 0; r < w->nroots; r++) {
                if (w->root_fd[r] < 0 || w->root_node[r] < 0)
                        continue;
                for (size_t i = 0; i < w->n; i++) {
                        if (w->nodes[i].parent != w->root_node[r] || w->nodes[i].mnt != w->nodes[w->root_node[r]].mnt)
                                continue;
                        _cleanup_close_ int sub =
                                openat(w->root_fd[r], w->nodes[i].name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub < 0)
                                continue; /* moved: another one will do */
                        if (renameat2(w->root_fd[r], w->barrier_name, sub, w->barrier_name, RENAME_NOREPLACE) == 0)
                                return cj_error_set(w->err, EEXIST, "a file named %s appeared in the workspace",
                                                    w->barrier_name);
                        if (errno == ENOENT || errno == EROFS || errno == EXDEV)
                                break;
                        return cj_error_seterrno(w->err, errno, "rename barrier in %s", w->plan->mask_roots[2 * r]);
                }
        }
        return 0;
}

static int run(walker *w) {
        int r = walk_roots(w);
        unsigned rewalks = 0;
        for (unsigned round = 0; r >= 0; round++) {
                bool got = false, rewalk = false;
                r = drain(w, &got, &rewalk);
                if (r >= 0 && !got && !rewalk) {
                        if ((r = barrier(w)) < 0)
                                break;
                        r = drain(w, &got, &rewalk);
                        if (r >= 0 && !got && !rewalk)
                                return 0;
                }
                if (r < 0)
                        break;
                if (rewalk) {
                        if (++rewalks > CJ_MASKWALK_REWALKS_MAX)
                                return cj_error_set(w->err, EAGAIN,
                                                    "the workspace changed faster than the walk for unmasked secrets "
                                                    "could follow (its inotify queue overflowed %d times; "
                                                    "CJ_MASKWALK_REWALKS_MAX): refusing to run rather than leave a "
                                                    "secret unmasked; retry when it is quieter",
                                                    CJ_MASKWALK_REWALKS_MAX + 1);
                        r = walk_roots(w);
                }
                if (round + 1 >= CJ_MASKWALK_SETTLE_MAX)
                        return cj_error_set(w->err, EAGAIN,
                                            "the workspace kept changing during the walk for unmasked secrets (%d "
                                            "rounds, CJ_MASKWALK_SETTLE_MAX): refusing to run rather than leave a "
                                            "secret unmasked; retry when it is quieter",
                                            CJ_MASKWALK_SETTLE_MAX);
        }
        return r;
}

int cj_maskwalk_apply(const cj_mount_plan *plan, const cj_list_cache *lists, const char *newroot,
                      const char *empty_file, int *watch_fd, cj_error *err) {
        *watch_fd = -1;
        size_t nroots = cj_strv_len(plan->mask_roots) / 2;
        if (nroots == 0)
                return 0;
        walker w = {
                .plan = plan, .lists = lists, .empty_file = empty_file, .ifd = -1, .nroots = nroots, .err = err};
        struct stat est;
        if (stat(empty_file, &est) < 0)
                return cj_error_seterrno(err, errno, "stat %s", empty_file);
        w.empty_dev = est.st_dev;
        w.empty_ino = est.st_ino;
        uint64_t tok[2];
        if (getrandom(tok, sizeof tok, 0) != sizeof tok)
                return cj_error_seterrno(err, errno, "getrandom");
        snprintf(w.barrier_name, sizeof w.barrier_name, ".clawjail-barrier-%016llx%016llx", (unsigned long long) tok[0],
                 (unsigned long long) tok[1]);
        w.root_fd = malloc(nroots * sizeof *w.root_fd);
        w.root_node = malloc(nroots * sizeof *w.root_node);
        w.pats = calloc(nroots, sizeof *w.pats);
        int r = w.root_fd && w.root_node && w.pats ? 0 : -ENOMEM;
        for (size_t i = 0; w.root_fd && i < nroots; i++)
                w.root_fd[i] = -1;
        for (size_t i = 0; r == 0 && i < nroots; i++) {
                _cleanup_free_ char *p = cj_path_join(newroot, plan->mask_roots[2 * i]);
                if (!p) {
                        r = -ENOMEM;
                        break;
                }
                int fd = cj_open_long(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC, true);
                if (fd == -ENOENT || fd == -ENOTDIR)
                        continue; /* not in the sandbox after all, or a file (an --ro script) */
                if (fd < 0)
                        r = cj_error_seterrno(err, fd, "open %s", plan->mask_roots[2 * i]);
                w.root_fd[i] = fd;
                if (r == 0)
                        r = cj_pathpat_walk_init(&w.pats[i], plan->mask_deny, plan->mask_except,
                                                 plan->mask_roots[2 * i + 1]);
        }
        if (r == 0 && (w.ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
                r = cj_error_seterrno(err, errno, "inotify_init1");
        if (r == 0)
                r = run(&w);
        if (r == -ENOMEM)
                cj_error_set(err, ENOMEM, "walking the workspace for unmasked secrets: out of memory");
        if (chdir("/") < 0 && r == 0)
                r = cj_error_seterrno(err, errno, "chdir /");
        reset(&w);
        free(w.nodes);
        free(w.later);
        free(w.listings.s);
        free(w.ht);
        free(w.by_wd);
        for (size_t i = 0; w.root_fd && i < nroots; i++)
                if (w.root_fd[i] >= 0)
                        close(w.root_fd[i]);
        free(w.root_fd);
        free(w.root_node);
        for (size_t i = 0; w.pats && i < nroots; i++)
                cj_pathpat_walk_free(&w.pats[i]);
        free(w.pats);
        if (w.ifd >= 0 && r < 0)
                close(w.ifd);
        else
                *watch_fd = w.ifd;
        return r;
}
