/* SPDX-License-Identifier: MIT */
#include "listcache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"

#ifndef OVERLAYFS_SUPER_MAGIC
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#endif
#ifndef XFS_SUPER_MAGIC
#define XFS_SUPER_MAGIC 0x58465342
#endif

#define KEY_MASK CJ_LIST_CACHE_STATX_MASK
#define MOUNTS_KNOWN 16 /* mounts whose file system type is remembered; past them, asked each time */
#define CHUNK_BYTES (64u << 10) /* the records' bytes are packed into chunks this big (a larger listing: its own) */

typedef struct entry {
        char *path; /* NULL: a free slot */
        uint32_t dev_major, dev_minor;
        uint64_t ino;
        struct statx_timestamp ctime, mtime;
        const char *bytes; /* the listing, in a chunk */
        size_t len;
} entry;

/* The records' listings back to back, in chunks: a listing's buffer is
 * reused by the next one, and each page of a chunk is touched once (a page
 * fault each, ~11 us here: a buffer of its own per directory cost 134 of
 * them in a 425-directory workspace). */
typedef struct chunk {
        struct chunk *next;
        size_t used, cap;
        char bytes[];
} chunk;

/* A name a pattern can end in: exactly, or as a prefix (a trailing '*'). */
typedef struct name_rule {
        char *name;
        size_t len;
        bool prefix;
} name_rule;

struct cj_list_cache {
        name_rule *rules;
        size_t nrules;
        unsigned char firsts[32]; /* bitmap: the first bytes of the rules' names (a prefix "": every byte) */
        entry *v;
        size_t cap, n, bytes;
        chunk *chunks; /* the newest first */
        size_t budget;  /* bytes of records kept at most (CJ_LIST_CACHE_BYTES_MAX) */
        bool full;      /* a record did not fit: cj_list_cache_renew starts again */
        size_t hits, misses;
        struct {
                uint64_t id;
                bool trusted;
        } mounts[MOUNTS_KNOWN];
        size_t nmounts;
};

static int add_rule(cj_list_cache *c, const char *name, size_t len, bool prefix) {
        char *copy = strndup(name, len);
        if (!copy)
                return -ENOMEM;
        c->rules[c->nrules++] = (name_rule){ .name = copy, .len = len, .prefix = prefix };
        if (len == 0)
                memset(c->firsts, 0xff, sizeof c->firsts);
        else
                c->firsts[(unsigned char) name[0] / 8] |= (unsigned char) (1u << ((unsigned char) name[0] % 8));
        return 0;
}

cj_list_cache *cj_list_cache_new(char *const *const lists[], size_t n) {
        cj_list_cache *c = calloc(1, sizeof *c);
        size_t max = 1;
        for (size_t l = 0; l < n; l++)
                max += cj_strv_len(lists[l]);
        if (!c || !(c->rules = calloc(max, sizeof *c->rules))) {
                free(c);
                return NULL;
        }
        c->budget = CJ_LIST_CACHE_BYTES_MAX;
        int r = add_rule(c, ".git", 4, false);
        for (size_t l = 0; r == 0 && l < n; l++)
                for (size_t i = 0; r == 0 && lists[l] && lists[l][i]; i++) {
                        const char *p = lists[l][i];
                        size_t end = strlen(p);
                        while (end > 1 && p[end - 1] == '/') /* "NAME/": NAME */
                                end--;
                        size_t start = end;
                        while (start > 0 && p[start - 1] != '/')
                                start--;
                        bool prefix = end > start && p[end - 1] == '*';
                        r = add_rule(c, p + start, end - start - prefix, prefix);
                }
        if (r < 0) {
                cj_list_cache_free(c);
                return NULL;
        }
        return c;
}

/* Can a pattern end in name (a regular file's)?  Else a walk has no use for it. */
static bool wanted(const cj_list_cache *c, const char *name, size_t len) {
        if (!(c->firsts[(unsigned char) name[0] / 8] & (1u << ((unsigned char) name[0] % 8))))
                return false;
        for (size_t i = 0; i < c->nrules; i++) {
                const name_rule *r = &c->rules[i];
                if ((r->prefix ? len >= r->len : len == r->len) && memcmp(name, r->name, r->len) == 0)
                        return true;
        }
        return false;
}

/* Every record goes; the rules stay. */
static void forget(cj_list_cache *c) {
        for (size_t i = 0; i < c->cap; i++)
                free(c->v[i].path);
        free(c->v);
        c->v = NULL;
        c->cap = c->n = c->bytes = 0;
        while (c->chunks) {
                chunk *next = c->chunks->next;
                free(c->chunks);
                c->chunks = next;
        }
}

void cj_list_cache_free(cj_list_cache *c) {
        if (!c)
                return;
        forget(c);
        for (size_t i = 0; i < c->nrules; i++)
                free(c->rules[i].name);
        free(c->rules);
        free(c);
}

void cj_list_cache_renew(cj_list_cache *c) {
        if (c->full)
                forget(c);
        c->full = false;
}

void cj_list_cache_set_budget(cj_list_cache *c, size_t bytes) {
        c->budget = bytes;
}

void cj_list_cache_stats(const cj_list_cache *c, size_t *hits, size_t *misses, size_t *bytes) {
        *hits = c->hits;
        *misses = c->misses;
        *bytes = c->bytes;
}

static size_t hash(const char *s) {
        uint64_t h = 1469598103934665603ULL; /* FNV-1a */
        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 1099511628211ULL;
        return (size_t) h;
}

/* path's slot: its entry, or the free slot it would take. */
static entry *slot(const cj_list_cache *c, const char *path) {
        for (size_t i = hash(path) & (c->cap - 1);; i = (i + 1) & (c->cap - 1))
                if (!c->v[i].path || strcmp(c->v[i].path, path) == 0)
                        return &c->v[i];
}

static int grow(cj_list_cache *c) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        entry *v = calloc(cap, sizeof *v), *old = c->v;
        if (!v)
                return -ENOMEM;
        size_t ocap = c->cap;
        c->v = v;
        c->cap = cap;
        for (size_t i = 0; i < ocap; i++)
                if (old[i].path)
                        *slot(c, old[i].path) = old[i];
        free(old);
        return 0;
}

static bool same_time(const struct statx_timestamp *a, const struct statx_timestamp *b) {
        return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static bool unchanged(const entry *e, const struct statx *stx) {
        return e->dev_major == stx->stx_dev_major && e->dev_minor == stx->stx_dev_minor && e->ino == stx->stx_ino &&
               same_time(&e->ctime, &stx->stx_ctime) && same_time(&e->mtime, &stx->stx_mtime);
}

/* Does the file system fd lies on keep ctime itself (listcache.h)? */
static bool trusted_fs(cj_list_cache *c, int fd, uint64_t mnt_id) {
        for (size_t i = 0; i < c->nmounts; i++)
                if (c->mounts[i].id == mnt_id)
                        return c->mounts[i].trusted;
        struct statfs sf;
        if (fstatfs(fd, &sf) < 0)
                return false;
        bool t = sf.f_type == EXT4_SUPER_MAGIC || sf.f_type == XFS_SUPER_MAGIC || sf.f_type == BTRFS_SUPER_MAGIC ||
                 sf.f_type == TMPFS_MAGIC || sf.f_type == OVERLAYFS_SUPER_MAGIC;
        if (c->nmounts < MOUNTS_KNOWN) {
                c->mounts[c->nmounts].id = mnt_id;
                c->mounts[c->nmounts++].trusted = t;
        }
        return t;
}

static bool settled(const struct statx *stx) {
        struct timespec now;
        if (clock_gettime(CLOCK_REALTIME, &now) < 0)
                return false;
        int64_t age = ((int64_t) now.tv_sec - stx->stx_ctime.tv_sec) * 1000000000LL +
                      ((int64_t) now.tv_nsec - (int64_t) stx->stx_ctime.tv_nsec);
        return age > CJ_LIST_CACHE_SETTLE_NS;
}

/* out: a borrowed view of e's listing (plan.h). */
static void lend(const entry *e, cj_dir_list *out) {
        *out = (cj_dir_list){ .buf = (char *) e->bytes, .len = e->len, .cap = 0 };
}

/* Room for len bytes in the chunks, or NULL. */
static char *take(cj_list_cache *c, size_t len) {
        chunk *k = c->chunks;
        if (!k || k->cap - k->used < len) {
                size_t cap = len > CHUNK_BYTES ? len : CHUNK_BYTES;
                if (!(k = malloc(sizeof *k + cap)))
                        return NULL;
                *k = (chunk){ .next = c->chunks, .cap = cap };
                c->chunks = k;
        }
        char *p = k->bytes + k->used;
        k->used += len;
        return p;
}

/* Keep listing l of path, keyed by stx, without the files no pattern can
 * name; nothing kept without memory or room (the next listing is made
 * fresh, as without a cache).  A directory listed again replaces its record
 * (the old bytes stay in their chunk until the cache starts again). */
static void record(cj_list_cache *c, const char *path, const struct statx *stx, const cj_dir_list *l) {
        size_t len = 0, off = 0, nl;
        cj_file_type t;
        for (const char *name; (name = cj_dir_list_next(l, &off, &t, &nl));)
                if (t != CJ_FT_FILE || wanted(c, name, nl))
                        len += nl + 3;
        /* Full: nothing more is kept (borrowed listings may point into every
         * chunk while a walk goes on); cj_list_cache_renew starts again. */
        if (c->bytes + len > c->budget) {
                c->full = true;
                return;
        }
        if ((c->n + 1) * 2 > c->cap && grow(c) < 0)
                return;
        entry *e = slot(c, path);
        char *bytes = take(c, len);
        if (!bytes || (!e->path && !(e->path = strdup(path))))
                return;
        size_t at = 0;
        off = 0;
        for (const char *name; (name = cj_dir_list_next(l, &off, &t, &nl));)
                if (t != CJ_FT_FILE || wanted(c, name, nl)) { /* as plan.h's cj_dir_list has it */
                        bytes[at] = (char) t;
                        bytes[at + 1] = (char) (unsigned char) nl;
                        memcpy(bytes + at + 2, name, nl + 1);
                        at += nl + 3;
                }
        c->n += e->bytes == NULL;
        *e = (entry){ .path = e->path, .dev_major = stx->stx_dev_major, .dev_minor = stx->stx_dev_minor,
                      .ino = stx->stx_ino, .ctime = stx->stx_ctime, .mtime = stx->stx_mtime, .bytes = bytes,
                      .len = len };
        c->bytes += len;
}

/* The record of path if the directory there is the one recorded, unchanged:
 * one statx by path, no open. */
static const entry *unchanged_record(const cj_list_cache *c, const char *path) {
        if (!c->n || strlen(path) >= PATH_MAX) /* a longer one: looked at through its fd below */
                return NULL;
        const entry *e = slot(c, path);
        struct statx stx;
        if (!e->bytes || statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, KEY_MASK, &stx) < 0 ||
            (stx.stx_mask & KEY_MASK) != KEY_MASK || !S_ISDIR(stx.stx_mode))
                return NULL;
        return unchanged(e, &stx) ? e : NULL;
}

bool cj_list_cache_find(const cj_list_cache *c, const char *path, const struct statx *stx, cj_dir_list *view) {
        if (!c || !c->n || (stx->stx_mask & KEY_MASK) != KEY_MASK)
                return false;
        const entry *e = slot(c, path);
        if (!e->bytes || !unchanged(e, stx))
                return false;
        lend(e, view);
        return true;
}

static int cached_list(void *ctx, const char *path, cj_dir_list *out) {
        cj_list_cache *c = ctx;
        const entry *e = out->len ? NULL : unchanged_record(c, path);
        if (e) {
                c->hits++;
                lend(e, out);
                return 0;
        }
        _cleanup_close_ int fd = cj_fs_open_dir(path);
        if (fd < 0)
                return fd;
        c->misses++;
        /* Read from the fd that is listed, before the listing: a change after
         * this read shows in the next one. */
        struct statx stx;
        bool keyed = statx(fd, "", AT_EMPTY_PATH, KEY_MASK, &stx) == 0 && (stx.stx_mask & KEY_MASK) == KEY_MASK;
        bool fresh = out->len == 0;
        int r = cj_fs_list_fd(fd, out);
        if (r < 0 || !keyed || !fresh || !trusted_fs(c, fd, stx.stx_mnt_id) || !settled(&stx))
                return r;
        record(c, path, &stx, out);
        return 0;
}

static cj_file_type cached_lstat(void *ctx, const char *path) {
        return cj_fs_probe_host.lstat_type(cj_fs_probe_host.ctx, path);
}

static char *cached_realpath(void *ctx, const char *path) {
        return cj_fs_probe_host.realpath(cj_fs_probe_host.ctx, path);
}

static char *cached_readlink(void *ctx, const char *path) {
        return cj_fs_probe_host.readlink(cj_fs_probe_host.ctx, path);
}

cj_fs_probe cj_fs_probe_cached(cj_list_cache *c) {
        return (cj_fs_probe){ .lstat_type = cached_lstat,
                              .realpath = cached_realpath,
                              .readlink = cached_readlink,
                              .list = cached_list,
                              .ctx = c };
}
