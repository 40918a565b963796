/* SPDX-License-Identifier: MIT */
/* The resolved-profile cache (see cache.h): the key, the entry format, the
 * checks before an entry is believed, and storing one. */
#include "cache.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/srcdir.h"

#define MAGIC "clawjail-profile-cache 3\n"
#define TMP_SUFFIX ".tmp"
#define BUILD_ID_MAX 64u
#define STRING_MAX (1u << 20) /* bytes of one string in an entry */

/* A field added to cj_profile must be written and read below (and compared
 * in test_profile_cache.c); then update this size. */
_Static_assert(sizeof(cj_profile) == 608, "cj_profile changed: update the profile cache's put_profile/get_profile");

/* ---- sources -------------------------------------------------------------- */

/* The signature of path (or of dirfd itself, path ""), *regular when it is a
 * regular file.  AT_STATX_FORCE_SYNC: a network file system asks its server
 * (one round trip, no data) rather than answer from attributes it cached,
 * which could hide another host's edit for up to a minute; local file
 * systems ignore it. */
static int sig_at(int dirfd, const char *path, cj_profile_file_sig *sig, bool *regular) {
        struct statx sx;
        if (statx(dirfd, path, (path[0] ? 0 : AT_EMPTY_PATH) | AT_STATX_FORCE_SYNC,
                  STATX_TYPE | STATX_INO | STATX_SIZE | STATX_MTIME | STATX_CTIME, &sx) < 0)
                return -errno;
        *sig = (cj_profile_file_sig){ .dev = makedev(sx.stx_dev_major, sx.stx_dev_minor), .ino = sx.stx_ino,
                                      .size = sx.stx_size, .mtime_s = sx.stx_mtime.tv_sec,
                                      .mtime_ns = sx.stx_mtime.tv_nsec, .ctime_s = sx.stx_ctime.tv_sec,
                                      .ctime_ns = sx.stx_ctime.tv_nsec };
        *regular = S_ISREG(sx.stx_mode);
        return 0;
}

static bool sig_equal(const cj_profile_file_sig *a, const cj_profile_file_sig *b) {
        return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime_s == b->mtime_s &&
               a->mtime_ns == b->mtime_ns && a->ctime_s == b->ctime_s && a->ctime_ns == b->ctime_ns;
}

int cj_profile_read_source(const char *path, char **text, size_t *len, cj_profile_file_sig *sig, bool *settled,
                           cj_error *err) {
        /* The clock before the open: a write after it gives the file a ctime
         * no earlier than about this (the file system's clock is the kernel's
         * coarse one, behind by at most a jiffy). */
        struct timespec t0;
        if (clock_gettime(CLOCK_REALTIME, &t0) < 0)
                return cj_error_seterrno(err, errno, "clock_gettime");
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return cj_error_seterrno(err, errno, "%s", path);
        int r = cj_read_fd(fd, CJ_PROFILE_FILE_MAX, text, len, err);
        if (r < 0)
                return cj_error_prefix(err, "%s: ", path);
        /* After the read: a write during it shows as a recent ctime. */
        bool regular;
        if ((r = sig_at(fd, "", sig, &regular)) < 0) {
                free(*text);
                *text = NULL;
                return cj_error_seterrno(err, -r, "%s", path);
        }
        int64_t ctime_ns = sig->ctime_s * 1000000000LL + sig->ctime_ns,
                read_ns = (int64_t) t0.tv_sec * 1000000000LL + t0.tv_nsec;
        *settled = regular && ctime_ns < read_ns - CJ_PROFILE_CACHE_SETTLE_NS;
        return 0;
}

int cj_profile_sources_add(cj_profile_sources *s, bool ruleset, const char *name, const char *from, const char *path,
                           const char *text, size_t len, const cj_profile_file_sig *sig, bool settled) {
        if (s->n >= CJ_PROFILE_SOURCES_MAX)
                return -E2BIG;
        cj_profile_source *v = realloc(s->v, (s->n + 1) * sizeof *v);
        if (!v)
                return -ENOMEM;
        s->v = v;
        cj_profile_source *e = &s->v[s->n];
        *e = (cj_profile_source){ .ruleset = ruleset, .settled = settled, .sig = *sig };
        if (!(e->name = strdup(name)) || !(e->path = strdup(path)) || (from && !(e->from = strdup(from)))) {
                free(e->name);
                free(e->path);
                return -ENOMEM;
        }
        cj_sha256_raw(text, len, e->sha256);
        s->n++;
        return 0;
}

void cj_profile_sources_clear(cj_profile_sources *s) {
        for (size_t i = 0; i < s->n; i++) {
                free(s->v[i].name);
                free(s->v[i].from);
                free(s->v[i].path);
        }
        free(s->v);
        s->v = NULL;
        s->n = 0;
}

/* Each file found again where it was, with the same bytes: its settled
 * signature unchanged (a stat), else its bytes read and digested again.  A
 * file whose bytes are the same and whose new signature has settled gets
 * that signature recorded (*renewed: the entry is to be written again), so
 * only the calls within CJ_PROFILE_CACHE_SETTLE_NS of an edit (or a touch)
 * read the files. */
static bool sources_unchanged(cj_profile_sources *s, bool *renewed) {
        for (size_t i = 0; i < s->n; i++) {
                cj_profile_source *e = &s->v[i];
                _cleanup_free_ char *path = NULL, *text = NULL;
                size_t len = 0;
                int r = e->ruleset ? cj_profile_find_ruleset(e->name, e->from, &path, NULL)
                                   : cj_profile_find(e->name, &path, NULL);
                if (r < 0 || strcmp(path, e->path) != 0)
                        return false;
                cj_profile_file_sig now;
                bool regular;
                if (e->settled && sig_at(AT_FDCWD, path, &now, &regular) == 0 && regular && sig_equal(&now, &e->sig))
                        continue;
                cj_profile_file_sig sig;
                bool settled = false;
                if (cj_profile_read_source(path, &text, &len, &sig, &settled, NULL) < 0)
                        return false;
                uint8_t d[CJ_SHA256_LEN];
                cj_sha256_raw(text, len, d);
                if (memcmp(d, e->sha256, sizeof d) != 0)
                        return false;
                if (settled && (!e->settled || !sig_equal(&sig, &e->sig))) {
                        e->sig = sig;
                        e->settled = true;
                        *renewed = true;
                }
        }
        return true;
}

/* ---- the key ---------------------------------------------------------------- */

typedef struct build_id {
        uint8_t v[BUILD_ID_MAX];
        size_t n;
} build_id;

static int find_build_id(struct dl_phdr_info *info, size_t size, void *data) {
        build_id *id = data;
        for (int i = 0; i < info->dlpi_phnum; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                if (ph->p_type != PT_NOTE)
                        continue;
                const char *p = (const char *) (info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
                while ((size_t) (end - p) >= sizeof(ElfW(Nhdr))) {
                        const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *) p;
                        size_t name_sz = (nh->n_namesz + 3u) & ~3u, desc_sz = (nh->n_descsz + 3u) & ~3u;
                        const char *name = p + sizeof *nh, *desc = name + name_sz;
                        if ((size_t) (end - name) < name_sz + desc_sz)
                                break;
                        if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && memcmp(name, "GNU", 4) == 0 &&
                            nh->n_descsz > 0 && nh->n_descsz <= BUILD_ID_MAX) {
                                memcpy(id->v, desc, nh->n_descsz);
                                id->n = nh->n_descsz;
                                return 1;
                        }
                        p = desc + desc_sz;
                }
        }
        return 1; /* only the first object: the executable */
}

static void put_key_str(cj_sha256 *h, const char *s) {
        /* NULL and "" differ: a tag byte, then the string and its NUL. */
        cj_sha256_update(h, s ? "s" : "n", 1);
        if (s)
                cj_sha256_update(h, s, strlen(s) + 1);
}

/* The entry's file name for this load, or -ENOENT when the executable has
 * no build-id (nothing would tell two builds' entries apart: no cache). */
static int cache_key(const char *name, const cj_profile_vars *vars, char hex[CJ_SHA256_HEX_LEN + 1]) {
        build_id id = { .n = 0 };
        dl_iterate_phdr(find_build_id, &id);
        if (id.n == 0)
                return -ENOENT;
        cj_sha256 *h = cj_sha256_new();
        if (!h)
                return -ENOMEM;
        uid_t uid = geteuid();
        cj_sha256_update(h, MAGIC, strlen(MAGIC));
        cj_sha256_update(h, id.v, id.n);
        cj_sha256_update(h, &uid, sizeof uid);
        put_key_str(h, name);
        put_key_str(h, vars ? vars->cwd : NULL);
        put_key_str(h, vars ? vars->home : NULL);
        put_key_str(h, vars ? vars->task_dir : NULL);
        put_key_str(h, vars ? vars->home_also : NULL);
        put_key_str(h, getenv("CLAWJAIL_PROFILE_PATH"));
        put_key_str(h, cj_source_tree());
        cj_sha256_final(h, hex);
        cj_sha256_free(h);
        return 0;
}

/* ---- writing an entry --------------------------------------------------------- */

typedef struct wbuf {
        char *p;
        size_t len, cap;
        bool failed;
} wbuf;

static void put(wbuf *b, const void *v, size_t n) {
        if (b->failed)
                return;
        if (b->len + n > b->cap) {
                size_t cap = b->cap ? b->cap : 16384;
                while (cap < b->len + n)
                        cap *= 2;
                char *np = realloc(b->p, cap);
                if (!np) {
                        b->failed = true;
                        return;
                }
                b->p = np;
                b->cap = cap;
        }
        memcpy(b->p + b->len, v, n);
        b->len += n;
}

static void put_u32(wbuf *b, uint32_t v) {
        put(b, &v, sizeof v);
}

static void put_str(wbuf *b, const char *s) {
        if (!s) {
                put_u32(b, UINT32_MAX);
                return;
        }
        size_t n = strlen(s);
        if (n >= STRING_MAX) {
                b->failed = true;
                return;
        }
        put_u32(b, (uint32_t) n);
        put(b, s, n + 1); /* with its NUL: a hit uses it in place */
}

static void put_strv(wbuf *b, char *const *v) {
        size_t n = cj_strv_len(v);
        put_u32(b, (uint32_t) n);
        for (size_t i = 0; i < n; i++)
                put_str(b, v[i]);
}

/* Pointers a list's vector takes (an empty list has none: NULL). */
static size_t strv_slots(char *const *v) {
        size_t n = cj_strv_len(v);
        return n ? n + 1 : 0;
}

static void put_profile(wbuf *b, const cj_profile *p, const json_t *run_as) {
        char *const *lists[] = { p->fs_ro, p->fs_rw, p->fs_tmpfs, p->fs_deny, p->fs_deny_except, p->fs_protect,
                                 p->egress.allow, p->egress.deny, p->egress.resolve, p->validators_off,
                                 p->env_keep, p->env_set };
        /* First the pointers all vectors take together: a hit allocates them
         * as one block (cj_profile.cached_slots). */
        size_t slots = 0;
        for (size_t i = 0; i < CJ_ARRAY_SIZE(lists); i++)
                slots += strv_slots(lists[i]);
        for (size_t i = 0; i < p->n_rules; i++)
                slots += strv_slots(p->rules[i].match);
        if (slots >= UINT32_MAX) {
                b->failed = true;
                return;
        }
        put_u32(b, (uint32_t) slots);
        put_str(b, p->name);
        put_str(b, p->path);
        put_str(b, p->description);
        put_str(b, p->sha256);
        for (size_t i = 0; i < CJ_ARRAY_SIZE(lists); i++)
                put_strv(b, lists[i]);
        put_u32(b, (uint32_t) p->network);
        put_u32(b, p->network_widen);
        put_u32(b, (uint32_t) p->egress.n_ports);
        put(b, p->egress.ports, sizeof p->egress.ports);
        put_u32(b, (uint32_t) p->n_loopback_ports);
        put(b, p->loopback_ports, sizeof p->loopback_ports);
        put_str(b, p->seccomp);
        put(b, &p->limits, sizeof p->limits);
        put(b, &p->budget, sizeof p->budget);
        put_u32(b, (uint32_t) p->validation_default);
        put_u32(b, (uint32_t) p->n_rules);
        for (size_t i = 0; i < p->n_rules; i++) {
                put_u32(b, (uint32_t) p->rules[i].verdict);
                put_strv(b, p->rules[i].match);
        }
        /* run_as as written: resolved against passwd at every load. */
        if (json_is_integer(run_as)) {
                put_u32(b, 1);
                json_int_t v = json_integer_value(run_as);
                put(b, &v, sizeof v);
        } else if (json_is_string(run_as)) {
                put_u32(b, 2);
                put_str(b, json_string_value(run_as));
        } else
                put_u32(b, 0);
}

/* Keep the directory bounded: an entry per workspace (${CWD} is part of the
 * key) would otherwise grow without end.  At CJ_PROFILE_CACHE_ENTRIES_MAX
 * names (entries and temporary files a crash left), empty it; every write
 * gets here (a miss's, or a hit's recording settled signatures), and the
 * next calls store what they use again. */
static void bound_entries(const char *dir) {
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d)
                return;
        size_t n = 0;
        for (struct dirent *de; (de = readdir(d));)
                n += de->d_name[0] != '.';
        if (n < CJ_PROFILE_CACHE_ENTRIES_MAX)
                return;
        rewinddir(d);
        for (struct dirent *de; (de = readdir(d));)
                if (de->d_name[0] != '.')
                        (void) unlinkat(dirfd(d), de->d_name, 0); /* (a directory stays: EISDIR) */
}

_Static_assert(sizeof(cj_profile_file_sig) == 56, "cj_profile_file_sig has padding: it is written as bytes");

/* Write the entry (its sources, then the profile part as put_profile wrote
 * it) under a temporary name and rename it into place: a reader sees the old
 * entry, the new one or none, never a torn one (the digest at its end
 * catches what a crash could leave).  No fsync: it is a cache. */
static void store(const char *state_dir, const char *key, const cj_profile_sources *src, const char *profile,
                  size_t profile_len) {
        wbuf b = { 0 };
        put(&b, MAGIC, strlen(MAGIC));
        put(&b, key, CJ_SHA256_HEX_LEN);
        put_u32(&b, (uint32_t) src->n);
        for (size_t i = 0; i < src->n; i++) {
                put_u32(&b, src->v[i].ruleset);
                put_str(&b, src->v[i].name);
                put_str(&b, src->v[i].from);
                put_str(&b, src->v[i].path);
                put(&b, src->v[i].sha256, CJ_SHA256_LEN);
                put_u32(&b, src->v[i].settled);
                put(&b, &src->v[i].sig, sizeof src->v[i].sig);
        }
        put(&b, profile, profile_len);
        uint8_t d[CJ_SHA256_LEN];
        if (!b.failed) {
                cj_sha256_raw(b.p, b.len, d);
                put(&b, d, sizeof d);
        }
        _cleanup_free_ char *dir = cj_path_join(state_dir, CJ_PROFILE_CACHE_DIR);
        _cleanup_free_ char *path = NULL, *tmp = NULL;
        if (b.failed || b.len > CJ_PROFILE_CACHE_FILE_MAX || !dir || asprintf(&path, "%s/%s", dir, key) < 0 ||
            asprintf(&tmp, "%s.%ld" TMP_SUFFIX, path, (long) getpid()) < 0) {
                free(b.p);
                return;
        }
        (void) cj_mkdir_p(dir, 0700);
        bound_entries(dir);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0) {
                bool ok = cj_write_all(fd, b.p, b.len) == 0;
                ok = close(fd) == 0 && ok;
                if (!ok || rename(tmp, path) < 0)
                        (void) unlink(tmp);
        }
        free(b.p);
}

/* ---- reading an entry ------------------------------------------------------------ */

typedef struct rbuf {
        char *p; /* into the entry's bytes, which a hit's profile keeps */
        size_t left;
        bool bad;
        char **slots; /* the profile part's vectors: what is left of the block */
        size_t slots_left;
} rbuf;

static void get(rbuf *b, void *v, size_t n) {
        if (b->bad || b->left < n) {
                b->bad = true;
                memset(v, 0, n);
                return;
        }
        memcpy(v, b->p, n);
        b->p += n;
        b->left -= n;
}

static uint32_t get_u32(rbuf *b) {
        uint32_t v;
        get(b, &v, sizeof v);
        return v;
}

/* The string in place in the entry (NUL-terminated there); NULL for an
 * absent string (and *bad when malformed). */
static char *get_str_in_place(rbuf *b) {
        uint32_t n = get_u32(b);
        if (b->bad || n == UINT32_MAX)
                return NULL;
        if (n >= STRING_MAX || n >= b->left || memchr(b->p, '\0', n) || b->p[n] != '\0') {
                b->bad = true;
                return NULL;
        }
        char *s = b->p;
        b->p += n + 1;
        b->left -= n + 1;
        return s;
}

/* A malloc'd copy; NULL for an absent string (and *bad when malformed). */
static char *get_str(rbuf *b) {
        const char *s = get_str_in_place(b);
        char *copy = s ? strdup(s) : NULL;
        if (s && !copy)
                b->bad = true;
        return copy;
}

/* A vector from the slots block, its strings in place. */
static void get_strv(rbuf *b, cj_strv *out) {
        uint32_t n = get_u32(b);
        if (b->bad || n == 0)
                return;
        if (n > CJ_PROFILE_LIST_MAX * 4u || (size_t) n + 1 > b->slots_left) {
                /* a list, or env.set/egress.resolve: bounded by the schema */
                b->bad = true;
                return;
        }
        char **v = b->slots;
        b->slots += n + 1;
        b->slots_left -= n + 1;
        *out = v;
        for (uint32_t i = 0; i < n && !b->bad; i++)
                if (!(v[i] = get_str_in_place(b)))
                        b->bad = true;
        v[n] = NULL; /* (the block is calloc'd; said for the reader) */
}

/* The profile part of an entry, its strings left in place in the entry
 * (which p->cached owns); run_as is resolved again here. */
static int get_profile(rbuf *b, cj_profile *p, cj_error *err) {
        /* Each pointer stands for a string (>= 5 bytes of the entry) or ends
         * a list (>= 4 bytes): more than left / 4 is a corrupt entry. */
        uint32_t slots = get_u32(b);
        if (b->bad || slots > b->left / 4)
                return -EINVAL;
        if (slots && !(p->cached_slots = calloc(slots, sizeof *p->cached_slots)))
                return -ENOMEM;
        b->slots = p->cached_slots;
        b->slots_left = slots;
        p->name = get_str_in_place(b);
        p->path = get_str_in_place(b);
        p->description = get_str_in_place(b);
        p->sha256 = get_str_in_place(b);
        cj_strv *lists[] = { &p->fs_ro, &p->fs_rw, &p->fs_tmpfs, &p->fs_deny, &p->fs_deny_except, &p->fs_protect,
                             &p->egress.allow, &p->egress.deny, &p->egress.resolve, &p->validators_off,
                             &p->env_keep, &p->env_set };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(lists); i++)
                get_strv(b, lists[i]);
        p->network = (cj_net_mode) get_u32(b);
        p->network_widen = get_u32(b) != 0;
        p->egress.n_ports = get_u32(b);
        get(b, p->egress.ports, sizeof p->egress.ports);
        p->n_loopback_ports = get_u32(b);
        get(b, p->loopback_ports, sizeof p->loopback_ports);
        p->seccomp = get_str_in_place(b);
        get(b, &p->limits, sizeof p->limits);
        get(b, &p->budget, sizeof p->budget);
        p->validation_default = (cj_verdict) get_u32(b);
        uint32_t n = get_u32(b);
        if (b->bad || !p->name || !p->path || !p->sha256 || !p->seccomp || n > CJ_PROFILE_RULES_MAX * 4u ||
            p->egress.n_ports > CJ_NET_PORTS_MAX || p->n_loopback_ports > CJ_NET_PORTS_MAX ||
            p->network > CJ_NET_PROXY || p->validation_default > CJ_VERDICT_DENY)
                return -EINVAL;
        if (n && !(p->rules = calloc(n, sizeof *p->rules)))
                return -ENOMEM;
        p->n_rules = n;
        for (size_t i = 0; i < n && !b->bad; i++) {
                p->rules[i].verdict = (cj_verdict) get_u32(b);
                get_strv(b, &p->rules[i].match);
                if (p->rules[i].verdict > CJ_VERDICT_DENY || !p->rules[i].match)
                        b->bad = true;
        }
        _cleanup_json_ json_t *run_as = NULL;
        uint32_t kind = get_u32(b);
        if (kind == 1) {
                json_int_t v;
                get(b, &v, sizeof v);
                run_as = json_integer(v);
        } else if (kind == 2) {
                _cleanup_free_ char *s = get_str(b);
                run_as = s ? json_string(s) : NULL;
        } else if (kind != 0)
                b->bad = true;
        if (b->bad || b->left != 0 || b->slots_left != 0 || (kind != 0 && !run_as))
                return -EINVAL;
        return run_as ? cj_profile_resolve_run_as(run_as, p, p->path, err) : 0;
}

/* The entry's bytes, when it is ours alone: a regular file owned by us and
 * writable by nobody else, in a directory of the same kind.  Read in one
 * go (its size is known: it is only ever renamed into place whole). */
static int read_entry(const char *state_dir, const char *key, char **buf, size_t *len) {
        _cleanup_free_ char *dir = cj_path_join(state_dir, CJ_PROFILE_CACHE_DIR);
        if (!dir)
                return -ENOMEM;
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        struct stat st;
        if (dfd < 0 || fstat(dfd, &st) < 0)
                return -errno;
        uid_t uid = geteuid();
        if (st.st_uid != uid || (st.st_mode & 022))
                return -EPERM;
        _cleanup_close_ int fd = openat(dfd, key, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
        if (fd < 0 || fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) || st.st_uid != uid || (st.st_mode & 022))
                return -EPERM;
        if (st.st_size <= 0 || st.st_size > CJ_PROFILE_CACHE_FILE_MAX)
                return -EFBIG;
        size_t size = (size_t) st.st_size, got = 0;
        _cleanup_free_ char *b = malloc(size);
        if (!b)
                return -ENOMEM;
        while (got < size) {
                ssize_t n = read(fd, b + got, size - got);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : -EIO; /* shorter than fstat said */
                got += (size_t) n;
        }
        *buf = TAKE_PTR(b);
        *len = size;
        return 0;
}

/* 1 with *out from a valid entry whose sources are unchanged, 0 on a miss,
 * <0 when run_as no longer resolves (reported, as a load would). */
static int load_entry(const char *state_dir, const char *key, cj_profile **out, cj_error *err) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        if (read_entry(state_dir, key, &buf, &len) < 0)
                return 0;
        size_t ml = strlen(MAGIC);
        if (len < ml + CJ_SHA256_HEX_LEN + CJ_SHA256_LEN || memcmp(buf, MAGIC, ml) != 0 ||
            memcmp(buf + ml, key, CJ_SHA256_HEX_LEN) != 0)
                return 0;
        uint8_t d[CJ_SHA256_LEN];
        cj_sha256_raw(buf, len - CJ_SHA256_LEN, d);
        if (memcmp(d, buf + len - CJ_SHA256_LEN, sizeof d) != 0)
                return 0;
        rbuf b = { buf + ml + CJ_SHA256_HEX_LEN, len - ml - CJ_SHA256_HEX_LEN - CJ_SHA256_LEN, false };
        cj_profile_sources src = { .n = 0 };
        uint32_t n = get_u32(&b);
        bool ok = n > 0 && n <= CJ_PROFILE_SOURCES_MAX && (src.v = calloc(n, sizeof *src.v));
        for (uint32_t i = 0; ok && i < n; i++) {
                cj_profile_source *e = &src.v[src.n++];
                *e = (cj_profile_source){ .ruleset = get_u32(&b) != 0 };
                e->name = get_str(&b);
                e->from = get_str(&b);
                e->path = get_str(&b);
                get(&b, e->sha256, sizeof e->sha256);
                uint32_t settled = get_u32(&b);
                get(&b, &e->sig, sizeof e->sig);
                e->settled = settled == 1;
                ok = !b.bad && e->name && e->path && (!e->ruleset || e->from) && settled <= 1;
        }
        bool renewed = false;
        ok = ok && sources_unchanged(&src, &renewed);
        if (ok && renewed) /* the same entry with the new signatures */
                store(state_dir, key, &src, b.p, b.left);
        cj_profile_sources_clear(&src);
        if (!ok)
                return 0;
        cj_profile *p = calloc(1, sizeof *p);
        if (!p)
                return 0;
        p->cached = TAKE_PTR(buf); /* the profile's strings stay in it */
        int r = get_profile(&b, p, err);
        if (r < 0) {
                cj_profile_free(p);
                return r == -EINVAL || r == -ENOMEM ? 0 : r;
        }
        *out = p;
        return 1;
}

int cj_profile_cache_get(const char *name_or_path, const cj_profile_vars *vars, const char *state_dir,
                         cj_profile **out, cj_error *err) {
        char key[CJ_SHA256_HEX_LEN + 1];
        if (!state_dir || cache_key(name_or_path, vars, key) < 0)
                return 0;
        return load_entry(state_dir, key, out, err);
}

int cj_profile_load_cached(const char *name_or_path, const cj_profile_vars *vars, const char *state_dir,
                           cj_profile **out, cj_error *err) {
        char key[CJ_SHA256_HEX_LEN + 1];
        bool keyed = state_dir && cache_key(name_or_path, vars, key) == 0;
        int r = keyed ? load_entry(state_dir, key, out, err) : 0;
        if (r != 0)
                return r < 0 ? r : 0;
        cj_profile_sources src = { .n = 0 };
        r = cj_profile_load_recorded(name_or_path, vars, keyed ? &src : NULL, out, err);
        if (r >= 0) {
                if (keyed) {
                        wbuf pb = { 0 };
                        put_profile(&pb, *out, json_object_get((*out)->resolved, "run_as"));
                        if (!pb.failed)
                                store(state_dir, key, &src, pb.p, pb.len);
                        free(pb.p);
                }
                cj_profile_drop_resolved(*out);
        }
        cj_profile_sources_clear(&src);
        return r;
}
