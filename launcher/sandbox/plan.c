/* SPDX-License-Identifier: MIT */
#include "plan.h"

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maskwalk.h"
#include "reach.h"
#include "scan.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/longpath.h"
#include "util/pathpat.h"

/* ---- plan construction -------------------------------------------------- */

const char *cj_mount_kind_name(cj_mount_kind k) {
        static const char *const names[] = {
                [CJ_MNT_TMPFS] = "tmpfs",     [CJ_MNT_BIND_RO] = "bind-ro",     [CJ_MNT_BIND_RW] = "bind-rw",
                [CJ_MNT_SYMLINK] = "symlink", [CJ_MNT_PROC] = "proc",           [CJ_MNT_DEV] = "dev",
                [CJ_MNT_PROTECT] = "protect", [CJ_MNT_MASK_DIR] = "mask-dir", [CJ_MNT_MASK_FILE] = "mask-file",
                [CJ_MNT_PIN] = "pin",         [CJ_MNT_PROTECT_NEW] = "protect+",
        };
        return k < CJ_ARRAY_SIZE(names) ? names[k] : "?";
}

void cj_mount_plan_clear(cj_mount_plan *plan) {
        for (size_t i = 0; i < plan->n; i++) {
                free(plan->ops[i].src);
                free(plan->ops[i].dst);
                if (plan->ops[i].tree_fd >= 0)
                        close(plan->ops[i].tree_fd);
        }
        free(plan->ops);
        plan->ops = NULL;
        plan->n = 0;
        cj_strv_free(plan->protect_found);
        plan->protect_found = NULL;
        cj_strv_free(plan->notes);
        plan->notes = NULL;
        cj_strv_free(plan->mask_deny);
        cj_strv_free(plan->mask_except);
        cj_strv_free(plan->mask_roots);
        plan->mask_deny = plan->mask_except = plan->mask_roots = NULL;
}

static bool is_root_kind(cj_mount_kind k) {
        return k == CJ_MNT_BIND_RO || k == CJ_MNT_BIND_RW || k == CJ_MNT_SYMLINK || k == CJ_MNT_TMPFS ||
               k == CJ_MNT_PROC || k == CJ_MNT_DEV;
}

/* At one path, roots first, then pins, then protect and masks. */
static int kind_rank(cj_mount_kind k) {
        return is_root_kind(k) ? 0 : k == CJ_MNT_PIN ? 1 : 2;
}

/* Add an op; a root at the same dst as an earlier root replaces it (later
 * entries, operator flags and rw, win).  Takes src and dst. */
static int add_op(cj_mount_plan *plan, cj_mount_kind kind, char *src, char *dst, cj_error *err) {
        if (!dst) {
                free(src);
                return cj_error_set(err, ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < plan->n; i++) {
                cj_mount_op *op = &plan->ops[i];
                if (strcmp(op->dst, dst) != 0 || kind_rank(op->kind) != kind_rank(kind))
                        continue;
                free(op->src);
                free(dst);
                op->src = src;
                op->kind = kind;
                return 0;
        }
        if (plan->n >= CJ_MOUNT_PLAN_MAX) {
                free(src);
                free(dst);
                return cj_error_set(err, E2BIG, "mount plan has more than %d operations", CJ_MOUNT_PLAN_MAX);
        }
        cj_mount_op *n = realloc(plan->ops, (plan->n + 1) * sizeof *n);
        if (!n) {
                free(src);
                free(dst);
                return cj_error_set(err, ENOMEM, "out of memory");
        }
        plan->ops = n;
        plan->ops[plan->n++] = (cj_mount_op){ .kind = kind, .src = src, .dst = dst, .tree_fd = -1 };
        return 0;
}

static bool listed_root_covers(char *const *const lists[], size_t nlists, const char *path) {
        for (size_t l = 0; l < nlists; l++)
                for (size_t i = 0; lists[l] && lists[l][i]; i++)
                        if (cj_path_is_under(path, lists[l][i]))
                                return true;
        return false;
}

/* A root below the call's HOME (a package cache, a toolchain) is optional:
 * one the launcher may not even examine (a 0700 directory above it, a
 * chmod 000 cache) is left out with a note rather than failing the call.
 * Nothing of it is visible then, so nothing in it needs masking. */
static int skip_optional(cj_mount_plan *plan, const char *home, const char *p, int e) {
        if (!cj_path_below_home(p, home) || (e != EACCES && e != EPERM))
                return 0;
        char *note = NULL;
        if (asprintf(&note, "skipped the optional bind %s: %s (give its owner access back, chmod u+rwx, to use it)", p,
                     strerror(e)) < 0 ||
            cj_strv_push_take(&plan->notes, note) < 0)
                return -ENOMEM;
        return 1;
}

static int note_absent(cj_mount_plan *plan, char *const *absent) {
        if (!absent || !absent[0])
                return 0;
        size_t n = 0;
        for (size_t i = 0; absent[i]; i++)
                n += strlen(absent[i]) + 2;
        static const char head[] = "optional binds left out, not present on this host: ";
        char *note = malloc(sizeof head + n);
        if (!note)
                return -ENOMEM;
        char *w = stpcpy(note, head);
        for (size_t i = 0; absent[i]; i++)
                w = stpcpy(stpcpy(w, i ? ", " : ""), absent[i]);
        return cj_strv_push_take(&plan->notes, note) < 0 ? -ENOMEM : 0;
}

static int add_roots(cj_mount_plan *plan, char *const *paths, bool rw, char *const *const all[], size_t nall,
                     const char *home, cj_strv *absent, const cj_fs_probe *probe, cj_error *err) {
        for (size_t i = 0; paths && paths[i]; i++) {
                const char *p = paths[i];
                errno = 0;
                cj_file_type t = probe->lstat_type(probe->ctx, p);
                int r = t == CJ_FT_ERROR ? skip_optional(plan, home, p, errno ? errno : EIO) : 0;
                if (r < 0)
                        return cj_error_set(err, ENOMEM, "out of memory");
                if (r > 0)
                        continue;
                if (t == CJ_FT_ERROR)
                        return cj_scan_unexaminable(err, errno, p);
                if (t == CJ_FT_MISSING) {
                        /* below HOME, a root that does not exist here is optional too:
                         * collected into *absent for one note on what the call goes without */
                        if (absent && cj_path_below_home(p, home) && cj_strv_push(absent, p) < 0)
                                return cj_error_set(err, ENOMEM, "out of memory");
                        continue;
                }
                char *real = probe->realpath(probe->ctx, p);
                if (!real)
                        continue; /* dangling symlink: nothing to bind */
                if (t == CJ_FT_SYMLINK && strcmp(real, p) != 0 && listed_root_covers(all, nall, real)) {
                        /* /lib -> usr/lib with /usr bound: recreate the link rather than binding twice. */
                        free(real);
                        r = add_op(plan, CJ_MNT_SYMLINK, probe->readlink(probe->ctx, p), strdup(p), err);
                } else
                        r = add_op(plan, rw ? CJ_MNT_BIND_RW : CJ_MNT_BIND_RO, real, strdup(p), err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int cj_mount_plan_map(const cj_mount_plan *plan, const char *host, char **dst, cj_mount_kind *root_kind) {
        const cj_mount_op *best = NULL;
        *dst = NULL;
        for (size_t i = 0; i < plan->n; i++) {
                const cj_mount_op *op = &plan->ops[i];
                if (op->kind != CJ_MNT_BIND_RO && op->kind != CJ_MNT_BIND_RW)
                        continue;
                if (cj_path_is_under(host, op->src) && (!best || strlen(op->src) > strlen(best->src)))
                        best = op;
        }
        if (!best)
                return 0;
        *root_kind = best->kind;
        *dst = cj_path_join(best->dst, host + strlen(best->src));
        return *dst ? 1 : -ENOMEM;
}

/* Pin every directory strictly between the bind root holding dst and dst. */
static int add_pins(cj_mount_plan *plan, const char *host, const cj_fs_probe *probe, cj_error *err) {
        const cj_mount_op *root = NULL;
        for (size_t i = 0; i < plan->n; i++) {
                const cj_mount_op *op = &plan->ops[i];
                if (op->kind == CJ_MNT_BIND_RW && cj_path_is_under(host, op->src) &&
                    (!root || strlen(op->src) > strlen(root->src)))
                        root = op;
        }
        if (!root)
                return 0;
        /* Copies: add_op below may move plan->ops, and root with it. */
        _cleanup_free_ char *rsrc = strdup(root->src), *rdst = strdup(root->dst), *h = strdup(host);
        if (!rsrc || !rdst || !h)
                return -ENOMEM;
        size_t rootlen = strlen(rsrc);
        for (char *slash = strrchr(h, '/'); slash && (size_t) (slash - h) > rootlen; slash = strrchr(h, '/')) {
                *slash = '\0';
                cj_file_type t;
                int r = cj_scan_examine(probe, h, &t, err);
                if (r < 0)
                        return r;
                if (t != CJ_FT_DIR)
                        break;
                r = add_op(plan, CJ_MNT_PIN, strdup(h), cj_path_join(rdst, h + rootlen), err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Is path a root of the plan (bind, tmpfs, ...), or above one? */
static bool holds_root(const cj_mount_plan *plan, const char *path) {
        for (size_t i = 0; i < plan->n; i++)
                if (is_root_kind(plan->ops[i].kind) && cj_path_is_under(plan->ops[i].dst, path))
                        return true;
        return false;
}

/* A deny match that is a symlink: mask its target where the sandbox shows it.
 * A dangling link or one leading out of every root shows nothing; one leading
 * to a root or above one would blind the sandbox rather than hide a secret
 * (`.env -> /etc`), and what lies under a root is masked by its own entries. */
static int mask_link_target(cj_mount_plan *plan, const char *link, const cj_fs_probe *probe, cj_error *err) {
        errno = 0;
        _cleanup_free_ char *real = probe->realpath(probe->ctx, link);
        if (!real) {
                if (errno == ENOENT || errno == ENOTDIR || errno == 0)
                        return 0;
                return cj_scan_unexaminable(err, errno, link);
        }
        cj_file_type t;
        int r = cj_scan_examine(probe, real, &t, err);
        if (r < 0 || t == CJ_FT_MISSING)
                return r;
        cj_mount_kind root_kind;
        char *dst;
        r = cj_mount_plan_map(plan, real, &dst, &root_kind);
        if (r <= 0)
                return r < 0 ? cj_error_set(err, ENOMEM, "out of memory") : 0;
        if (holds_root(plan, dst)) {
                free(dst);
                return 0;
        }
        return add_op(plan, t == CJ_FT_DIR ? CJ_MNT_MASK_DIR : CJ_MNT_MASK_FILE, NULL, dst, err);
}

/* Protect (deny false) or mask (deny true) what the patterns found
 * (cj_scan_expand); a found path an exception names (filesystem.deny_except)
 * is left visible. */
static int add_overlays(cj_mount_plan *plan, cj_strv found, char *const *except, bool deny, const cj_fs_probe *probe,
                        cj_error *err) {
        int r;
        for (size_t i = 0; !deny && found && found[i]; i++)
                if (cj_strv_push(&plan->protect_found, found[i]) < 0)
                        return cj_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; found && found[i]; i++) {
                size_t fl = strlen(found[i]);
                bool create = found[i][fl - 1] == '/';
                if (create)
                        found[i][fl - 1] = '\0';
                if (deny && cj_pathpat_excepted(except, found[i]))
                        continue;
                cj_file_type t;
                if ((r = cj_scan_examine(probe, found[i], &t, err)) < 0)
                        return r;
                if (deny && t == CJ_FT_SYMLINK) {
                        /* `.env -> secrets/prod.env`, a symlinked ~/.ssh: mask what it leads to. */
                        r = mask_link_target(plan, found[i], probe, err);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (!deny && t == CJ_FT_SYMLINK) {
                        /* The link itself could be replaced by a writable directory: a
                         * symlinked protected path cannot be protected, so refuse. */
                        _cleanup_free_ char *target = probe->readlink(probe->ctx, found[i]);
                        return cj_error_set(err, EPERM,
                                            "%s is a symlink (to %s) and cannot be protected; make it a real "
                                            "directory or file, or drop it from the profile's \"protect\"",
                                            found[i], target ? target : "?");
                }
                _cleanup_free_ char *real = NULL;
                errno = 0;
                if (create) { /* the directory does not exist yet: its parent must resolve */
                        _cleanup_free_ char *parent = strndup(found[i], (size_t) (strrchr(found[i], '/') - found[i]));
                        _cleanup_free_ char *rp = parent ? probe->realpath(probe->ctx, parent) : NULL;
                        real = rp ? cj_path_join(rp, strrchr(found[i], '/') + 1) : NULL;
                } else
                        real = probe->realpath(probe->ctx, found[i]);
                if (!real && errno != ENOENT && errno != ENOTDIR)
                        return cj_scan_unexaminable(err, errno, found[i]);
                if (!real)
                        continue;
                cj_mount_kind root_kind;
                char *dst;
                int m = cj_mount_plan_map(plan, real, &dst, &root_kind);
                if (m < 0)
                        return cj_error_set(err, ENOMEM, "out of memory");
                if (m == 0)
                        continue; /* not visible in the sandbox: nothing to hide or protect */
                if (!deny && root_kind != CJ_MNT_BIND_RW) {
                        free(dst);
                        continue; /* already read-only */
                }
                cj_mount_kind k;
                if (!deny)
                        k = create ? CJ_MNT_PROTECT_NEW : CJ_MNT_PROTECT;
                else
                        k = t == CJ_FT_DIR ? CJ_MNT_MASK_DIR : CJ_MNT_MASK_FILE;
                if (!deny && (r = add_pins(plan, real, probe, err)) < 0) {
                        free(dst);
                        return r;
                }
                r = add_op(plan, k, !deny ? TAKE_PTR(real) : NULL, dst, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Path order with '/' lowest, so a parent sorts right before its children. */
static int path_cmp(const char *a, const char *b) {
        for (;; a++, b++) {
                unsigned char ca = *a == '/' ? 1 : (unsigned char) *a, cb = *b == '/' ? 1 : (unsigned char) *b;
                if (ca != cb || !ca)
                        return ca - cb;
        }
}

static int op_cmp(const void *x, const void *y) {
        const cj_mount_op *a = x, *b = y;
        int c = path_cmp(a->dst, b->dst);
        if (c)
                return c;
        return kind_rank(a->kind) - kind_rank(b->kind);
}

static int check_roots_not_masked(const cj_mount_plan *plan, cj_error *err) {
        for (size_t i = 0; i < plan->n; i++) {
                const cj_mount_op *m = &plan->ops[i];
                if (m->kind != CJ_MNT_MASK_DIR && m->kind != CJ_MNT_MASK_FILE)
                        continue;
                for (size_t j = 0; j < plan->n; j++) {
                        const cj_mount_op *r = &plan->ops[j];
                        if (is_root_kind(r->kind) && strcmp(r->dst, m->dst) != 0 && cj_path_is_under(r->dst, m->dst))
                                return cj_error_set(err, EPERM, "%s is granted but lies inside the masked path %s",
                                                    r->dst, m->dst);
                }
        }
        return 0;
}

/* The profile's "**" patterns below its writable roots (the workspace's .env,
 * .git/hooks, ...) apply below every root the operator adds too. */
static int reanchor(char *const *patterns, char *const *anchors, char *const *const extra[], size_t nextra,
                    cj_strv *out) {
        for (size_t i = 0; patterns && patterns[i]; i++) {
                if (cj_strv_push(out, patterns[i]) < 0)
                        return -ENOMEM;
                cj_pathpat pp;
                cj_pathpat_split(patterns[i], &pp);
                if (!pp.tail)
                        continue;
                const char *g = patterns[i] + pp.prefix_len; /* "/" + "**" + "/TAIL" */
                size_t plen = pp.prefix_len;
                bool anchored = false;
                for (size_t a = 0; anchors && anchors[a] && !anchored; a++)
                        anchored = strlen(anchors[a]) == plen && strncmp(anchors[a], patterns[i], plen) == 0;
                if (!anchored)
                        continue;
                for (size_t e = 0; e < nextra; e++)
                        for (size_t j = 0; extra[e] && extra[e][j]; j++) {
                                char *q = NULL;
                                if (asprintf(&q, "%s%s", strcmp(extra[e][j], "/") == 0 ? "" : extra[e][j], g) < 0 ||
                                    cj_strv_push_take(out, q) < 0)
                                        return -ENOMEM;
                        }
        }
        return 0;
}

/* Does a "**" pattern of pats have the prefix of the "**" pattern pat? */
static bool shares_prefix(char *const *pats, const char *pat) {
        cj_pathpat a;
        cj_pathpat_split(pat, &a);
        for (size_t i = 0; a.tail && pats && pats[i]; i++) {
                cj_pathpat b;
                cj_pathpat_split(pats[i], &b);
                if (b.tail && b.prefix_len == a.prefix_len && strncmp(pats[i], pat, a.prefix_len) == 0)
                        return true;
        }
        return false;
}

int cj_mount_plan_protect_scan(const cj_profile *p, char *const *extra_ro, char *const *extra_rw,
                               char *const *also, cj_strv *also_found, cj_strv *also_walked,
                               const cj_fs_probe *probe, cj_strv *found, cj_error *err) {
        _cleanup_strv_ cj_strv protect = NULL;
        char *const *const extras[] = { extra_ro, extra_rw };
        if (reanchor(p->fs_protect, p->fs_rw, extras, 2, &protect) < 0)
                return cj_error_set(err, ENOMEM, "out of memory");
        _cleanup_strv_ cj_strv walked = NULL;
        for (size_t i = 0; also && also[i]; i++)
                if (shares_prefix(protect, also[i]) && cj_strv_push(&walked, also[i]) < 0)
                        return cj_error_set(err, ENOMEM, "out of memory");
        char *const *const lists[] = { protect, walked };
        cj_strv *const out[] = { found, also_found };
        int r = cj_scan_expand(lists, out, walked ? 2 : 1, probe, err);
        if (r >= 0 && also_walked)
                *also_walked = TAKE_PTR(walked);
        return r;
}

/* Share half of limits.memory_mb among the writable tmpfs mounts (each
 * CJ_MNT_TMPFS, plus /dev/shm of CJ_MNT_DEV): page-aligned, at least one page
 * each.  Half, so that where a cgroup charges tmpfs pages to the call, full
 * tmpfs mounts end in ENOSPC and leave the processes room instead of an OOM
 * kill; where nothing charges them (rootless on cgroup v1), files and
 * RLIMIT_AS together stay within 1.5 x memory_mb. */
static void size_tmpfs(cj_mount_plan *plan, int64_t memory_mb) {
        plan->tmpfs_bytes = plan->tmpfs_inodes = 0;
        if (memory_mb < 0)
                return;
        uint64_t n = 0;
        for (size_t i = 0; i < plan->n; i++)
                n += plan->ops[i].kind == CJ_MNT_TMPFS || plan->ops[i].kind == CJ_MNT_DEV;
        if (n == 0)
                return;
        uint64_t each = ((uint64_t) memory_mb << 20) / 2 / n; /* memory_mb <= 2^24: no overflow */
        each -= each % 4096;
        plan->tmpfs_bytes = each < 4096 ? 4096 : each;
        plan->tmpfs_inodes = plan->tmpfs_bytes / CJ_TMPFS_INODE_BYTES;
        if (plan->tmpfs_inodes < 64)
                plan->tmpfs_inodes = 64;
}

int cj_mount_plan_build(const cj_profile *p, char *const *extra_ro, char *const *extra_rw, const cj_fs_probe *probe,
                        cj_mount_plan *out, cj_error *err) {
        cj_mount_plan plan = { 0 };
        _cleanup_strv_ cj_strv deny = NULL, except = NULL, protect = NULL;
        char *const *const extras[] = { extra_ro, extra_rw };
        if (reanchor(p->fs_deny, p->fs_rw, extras, 2, &deny) < 0 ||
            reanchor(p->fs_deny_except, p->fs_rw, extras, 2, &except) < 0 ||
            reanchor(p->fs_protect, p->fs_rw, extras, 2, &protect) < 0)
                return cj_error_set(err, ENOMEM, "out of memory");
        char *const *const all[] = { p->fs_ro, extra_ro, p->fs_rw, extra_rw };
        const char *home = cj_profile_env_get(p, "HOME");
        _cleanup_strv_ cj_strv absent = NULL;
        int r = add_roots(&plan, p->fs_ro, false, all, 4, home, &absent, probe, err);
        if (r >= 0) /* the operator's roots are never optional */
                r = add_roots(&plan, extra_ro, false, all, 4, NULL, NULL, probe, err);
        if (r >= 0)
                r = add_roots(&plan, p->fs_rw, true, all, 4, home, &absent, probe, err);
        if (r >= 0)
                r = add_roots(&plan, extra_rw, true, all, 4, NULL, NULL, probe, err);
        if (r >= 0 && note_absent(&plan, absent) < 0)
                r = cj_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; r >= 0 && p->fs_tmpfs && p->fs_tmpfs[i]; i++)
                r = add_op(&plan, CJ_MNT_TMPFS, NULL, strdup(p->fs_tmpfs[i]), err);
        if (r >= 0)
                r = add_op(&plan, CJ_MNT_PROC, NULL, strdup("/proc"), err);
        if (r >= 0)
                r = add_op(&plan, CJ_MNT_DEV, NULL, strdup("/dev"), err);
        /* Both lists in one walk of each "**" prefix they share (the workspace). */
        _cleanup_strv_ cj_strv protected = NULL, denied = NULL;
        char *const *const lists[] = { protect, deny };
        cj_strv *const found[] = { &protected, &denied };
        if (r >= 0)
                r = cj_scan_expand(lists, found, 2, probe, err);
        if (r >= 0)
                r = add_overlays(&plan, protected, NULL, false, probe, err);
        if (r >= 0)
                r = add_overlays(&plan, denied, except, true, probe, err);
        if (r >= 0 && cj_maskwalk_plan(&plan, deny, except, probe) < 0)
                r = cj_error_set(err, ENOMEM, "out of memory");
        if (r >= 0) {
                qsort(plan.ops, plan.n, sizeof *plan.ops, op_cmp);
                r = check_roots_not_masked(&plan, err);
        }
        if (r >= 0)
                size_tmpfs(&plan, p->limits.memory_mb);
        if (r < 0) {
                cj_mount_plan_clear(&plan);
                return r;
        }
        *out = plan;
        return 0;
}

bool cj_mount_plan_covers(const cj_mount_plan *plan, const char *path) {
        for (size_t i = 0; i < plan->n; i++) {
                cj_mount_kind k = plan->ops[i].kind;
                if ((k == CJ_MNT_BIND_RO || k == CJ_MNT_BIND_RW || k == CJ_MNT_TMPFS) &&
                    cj_path_is_under(path, plan->ops[i].dst))
                        return true;
        }
        return false;
}

bool cj_mount_plan_writable(const cj_mount_plan *plan, const char *path) {
        const cj_mount_op *best = NULL;
        for (size_t i = 0; i < plan->n; i++) /* sorted: the last match is the innermost */
                if (plan->ops[i].kind != CJ_MNT_SYMLINK && cj_path_is_under(path, plan->ops[i].dst))
                        best = &plan->ops[i];
        return best && (best->kind == CJ_MNT_BIND_RW || best->kind == CJ_MNT_TMPFS || best->kind == CJ_MNT_PIN);
}

void cj_mount_plan_print(const cj_mount_plan *plan, FILE *f) {
        for (size_t i = 0; i < plan->n; i++) {
                const cj_mount_op *op = &plan->ops[i];
                if (op->src)
                        fprintf(f, "%-9s %s <- %s\n", cj_mount_kind_name(op->kind), op->dst, op->src);
                else if ((op->kind == CJ_MNT_TMPFS || op->kind == CJ_MNT_DEV) && plan->tmpfs_bytes)
                        fprintf(f, "%-9s %s%s size=%" PRIu64 "k nr_inodes=%" PRIu64 "\n", cj_mount_kind_name(op->kind),
                                op->dst, op->kind == CJ_MNT_DEV ? " (shm)" : "", plan->tmpfs_bytes >> 10,
                                plan->tmpfs_inodes);
                else
                        fprintf(f, "%-9s %s\n", cj_mount_kind_name(op->kind), op->dst);
        }
}

int cj_mount_plan_scratch(cj_mount_plan *plan, const char *home, const char *home_src, const char *tmp_src,
                          cj_error *err) {
        bool changed = false, bound = false;
        /* A HOME inside a bind (the workspace) is real host content: leave it.
         * Inside a tmpfs (/tmp), it is mounted there like anywhere else. */
        for (size_t i = 0; home && i < plan->n; i++)
                if ((plan->ops[i].kind == CJ_MNT_BIND_RO || plan->ops[i].kind == CJ_MNT_BIND_RW) &&
                    cj_path_is_under(home, plan->ops[i].dst))
                        bound = true;
        for (size_t i = 0; tmp_src && i < plan->n; i++) {
                cj_mount_op *op = &plan->ops[i];
                if (op->kind != CJ_MNT_TMPFS || strcmp(op->dst, "/tmp") != 0)
                        continue;
                if (!(op->src = strdup(tmp_src)))
                        return cj_error_set(err, ENOMEM, "out of memory");
                op->kind = CJ_MNT_BIND_RW;
        }
        if (home && home[0] == '/' && strcmp(home, "/") != 0 && !bound) {
                _cleanup_free_ char *norm = cj_path_normalize(home);
                if (!norm)
                        return cj_error_set(err, ENOMEM, "out of memory");
                char *src = NULL;
                if (home_src && !(src = strdup(home_src)))
                        return cj_error_set(err, ENOMEM, "out of memory");
                int r = add_op(plan, src ? CJ_MNT_BIND_RW : CJ_MNT_TMPFS, src, TAKE_PTR(norm), err);
                if (r < 0)
                        return r;
                changed = true;
        }
        if (changed)
                qsort(plan->ops, plan->n, sizeof *plan->ops, op_cmp);
        return 0;
}
