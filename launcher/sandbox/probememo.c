/* SPDX-License-Identifier: MIT */
#include "probememo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/fileio.h"

/* Longer paths (util/longpath.h) go to the inner probe whole. */
#define BY_PARTS_MAX 1024
#define MAX_DEPTH 256 /* components resolved by parts in one ask */

enum { ASK_LSTAT, ASK_REALPATH, ASK_SUBDIRS, ASK_NAMES };

struct cj_probe_memo_ent {
        cj_probe_memo_ent *next;
        int ask;           /* ASK_* */
        cj_file_type type; /* lstat_type's answer */
        char *real;        /* realpath's, or NULL */
        cj_strv names;     /* a listing's */
        int err;           /* errno with it; a listing's return value */
        char path[];
};

static size_t hash(const char *s) {
        size_t h = 2166136261u;
        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 16777619u;
        return h % CJ_PROBE_MEMO_BUCKETS;
}

static cj_probe_memo_ent *lookup(cj_probe_memo *m, const char *path, int ask) {
        for (cj_probe_memo_ent *e = m->bucket[hash(path)]; e; e = e->next)
                if (e->ask == ask && strcmp(e->path, path) == 0)
                        return e;
        return NULL;
}

/* Remembered, or NULL when out of memory (the answer is then just not kept). */
static cj_probe_memo_ent *keep(cj_probe_memo *m, const char *path, int ask) {
        size_t len = strlen(path);
        cj_probe_memo_ent *e = calloc(1, sizeof *e + len + 1);
        if (!e)
                return NULL;
        memcpy(e->path, path, len + 1);
        e->ask = ask;
        size_t b = hash(path);
        e->next = m->bucket[b];
        m->bucket[b] = e;
        return e;
}

static cj_file_type memo_lstat(void *ctx, const char *path) {
        cj_probe_memo *m = ctx;
        cj_probe_memo_ent *e = lookup(m, path, ASK_LSTAT);
        if (!e) {
                errno = 0;
                cj_file_type t = m->inner->lstat_type(m->inner->ctx, path);
                int err = errno;
                if (!(e = keep(m, path, ASK_LSTAT))) {
                        errno = err;
                        return t;
                }
                e->type = t;
                e->err = err;
        }
        errno = e->err;
        return e->type;
}

/* "/a/b" with no empty, "." or ".." component and no trailing '/'. */
static bool canonical(const char *p) {
        if (p[0] != '/' || strlen(p) >= BY_PARTS_MAX)
                return false;
        if (p[1] == '\0')
                return true;
        for (const char *c = p; c; c = strchr(c + 1, '/')) {
                const char *n = c + 1;
                size_t l = strcspn(n, "/");
                if (l == 0 || (l == 1 && n[0] == '.') || (l == 2 && n[0] == '.' && n[1] == '.'))
                        return false;
        }
        return true;
}

static char *resolve(cj_probe_memo *m, const char *path, int depth);

/* What realpath(3) answers for path, worked out from its parent where that is
 * the same: a path that is not a symlink is its resolved parent plus its
 * name (lstat_type follows any symlink in the parent, as realpath does). */
static char *by_parts(cj_probe_memo *m, const char *path, int depth) {
        if (strcmp(path, "/") == 0)
                return strdup("/");
        cj_file_type t = memo_lstat(m, path);
        if (t == CJ_FT_MISSING || t == CJ_FT_ERROR) {
                if (t == CJ_FT_MISSING && errno != ENOTDIR)
                        errno = ENOENT;
                return NULL;
        }
        if (t == CJ_FT_SYMLINK || depth >= MAX_DEPTH)
                return m->inner->realpath(m->inner->ctx, path);
        const char *slash = strrchr(path, '/');
        char *parent = slash == path ? strdup("/") : strndup(path, (size_t) (slash - path));
        if (!parent)
                return NULL;
        char *rp = resolve(m, parent, depth + 1);
        int err = errno;
        free(parent);
        if (!rp) {
                errno = err;
                return NULL;
        }
        char *r = cj_path_join(rp, slash + 1);
        free(rp);
        if (!r)
                errno = ENOMEM;
        return r;
}

static char *resolve(cj_probe_memo *m, const char *path, int depth) {
        cj_probe_memo_ent *e = lookup(m, path, ASK_REALPATH);
        if (!e) {
                errno = 0;
                char *r = m->inner->realpath_by_parts && canonical(path) ? by_parts(m, path, depth)
                                                                          : m->inner->realpath(m->inner->ctx, path);
                int err = errno;
                if (!(e = keep(m, path, ASK_REALPATH))) {
                        errno = err;
                        return r;
                }
                e->real = r;
                e->err = err;
        }
        if (!e->real) {
                errno = e->err;
                return NULL;
        }
        char *r = strdup(e->real);
        if (!r)
                errno = ENOMEM;
        return r;
}

static char *memo_realpath(void *ctx, const char *path) {
        return resolve(ctx, path, 0);
}

static char *memo_readlink(void *ctx, const char *path) {
        const cj_fs_probe *in = ((cj_probe_memo *) ctx)->inner;
        return in->readlink(in->ctx, path);
}

/* A listing, asked of the inner probe once: the protect and the deny scans
 * walk the same tree. */
static int list(cj_probe_memo *m, const char *path, int ask, cj_strv *names) {
        cj_probe_memo_ent *e = lookup(m, path, ask);
        if (!e) {
                const cj_fs_probe *in = m->inner;
                cj_strv got = NULL;
                int r = ask == ASK_SUBDIRS ? in->list_subdirs(in->ctx, path, &got) : in->list_names(in->ctx, path, &got);
                if (r < 0 || !(e = keep(m, path, ask))) {
                        for (size_t i = 0; r >= 0 && got && got[i]; i++)
                                if (cj_strv_push(names, got[i]) < 0)
                                        r = -ENOMEM;
                        cj_strv_free(got);
                        return r;
                }
                e->names = got;
                e->err = r;
        }
        for (size_t i = 0; e->names && e->names[i]; i++)
                if (cj_strv_push(names, e->names[i]) < 0)
                        return -ENOMEM;
        return e->err;
}

static int memo_list_subdirs(void *ctx, const char *path, cj_strv *names) {
        return list(ctx, path, ASK_SUBDIRS, names);
}

static int memo_list_names(void *ctx, const char *path, cj_strv *names) {
        return list(ctx, path, ASK_NAMES, names);
}

void cj_probe_memo_init(cj_probe_memo *m, const cj_fs_probe *inner) {
        *m = (cj_probe_memo){ .inner = inner };
        m->probe = (cj_fs_probe){ .lstat_type = memo_lstat,
                                  .realpath = memo_realpath,
                                  .readlink = memo_readlink,
                                  .list_subdirs = memo_list_subdirs,
                                  .ctx = m,
                                  .list_names = inner->list_names ? memo_list_names : NULL };
}

void cj_probe_memo_clear(cj_probe_memo *m) {
        for (size_t b = 0; b < CJ_PROBE_MEMO_BUCKETS; b++)
                while (m->bucket[b]) {
                        cj_probe_memo_ent *e = m->bucket[b];
                        m->bucket[b] = e->next;
                        free(e->real);
                        cj_strv_free(e->names);
                        free(e);
                }
}
