/* SPDX-License-Identifier: MIT */
/* The resolved-profile cache: a hit gives exactly what loading the files
 * gives, and every change to an input, a corrupt entry or one another user
 * could have written is a miss.  Each test runs in its own process (check's
 * fork) with its own profile dir and state dir. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../cj_check.h"
#include "profile/cache.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/sha256.h"
#include "util/srcdir.h"

static const cj_profile_vars vars = { .cwd = "/work/ws", .home = "/home/u", .task_dir = NULL };

typedef struct env {
        char root[64];
        char *profiles, *state;
} env;

/* A copy of the shipped profiles (and rule sets) in root/profiles, searched
 * through $CLAWJAIL_PROFILE_PATH, and an empty state dir root/state. */
static void setup(env *e) {
        snprintf(e->root, sizeof e->root, "/tmp/cj-profile-cache.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(e->root));
        e->profiles = cj_path_join(e->root, "profiles");
        e->state = cj_path_join(e->root, "state");
        const char *src = getenv("CLAWJAIL_SOURCE_DIR");
        _cleanup_free_ char *from = cj_path_join(src ? src : cj_source_tree(), "profiles");
        _cleanup_free_ char *cmd = NULL;
        ck_assert_int_ge(asprintf(&cmd, "cp -r '%s' '%s'", from, e->profiles), 0);
        ck_assert_int_eq(system(cmd), 0);
        ck_assert_int_eq(setenv("CLAWJAIL_PROFILE_PATH", e->profiles, 1), 0);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static void teardown(env *e) {
        nftw(e->root, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
        free(e->profiles);
        free(e->state);
}

static void append(const char *dir, const char *name, const char *text) {
        _cleanup_free_ char *path = cj_path_join(dir, name);
        FILE *f = fopen(path, "a");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        ck_assert_int_eq(fclose(f), 0);
}

/* The one entry in state/cache. */
static char *entry_path(const env *e) {
        _cleanup_free_ char *cmd = NULL;
        ck_assert_int_ge(asprintf(&cmd, "ls %s/" CJ_PROFILE_CACHE_DIR, e->state), 0);
        FILE *f = popen(cmd, "r");
        ck_assert_ptr_nonnull(f);
        char name[128] = "";
        ck_assert_ptr_nonnull(fgets(name, sizeof name, f));
        pclose(f);
        name[strcspn(name, "\n")] = '\0';
        char *p = NULL;
        ck_assert_int_ge(asprintf(&p, "%s/" CJ_PROFILE_CACHE_DIR "/%s", e->state, name), 0);
        return p;
}

static void strv_eq(char *const *a, char *const *b) {
        ck_assert_uint_eq(cj_strv_len(a), cj_strv_len(b));
        for (size_t i = 0; a && a[i]; i++)
                ck_assert_str_eq(a[i], b[i]);
}

static void str_eq(const char *a, const char *b) {
        ck_assert((a == NULL) == (b == NULL));
        if (a)
                ck_assert_str_eq(a, b);
}

/* Every field of cj_profile but the resolved JSON and the cache's own
 * blocks (cache.c's size check fails the build when a field is added: add
 * it here too). */
static void profiles_equal(const cj_profile *a, const cj_profile *b) {
        str_eq(a->name, b->name);
        str_eq(a->path, b->path);
        str_eq(a->description, b->description);
        str_eq(a->sha256, b->sha256);
        strv_eq(a->fs_ro, b->fs_ro);
        strv_eq(a->fs_rw, b->fs_rw);
        strv_eq(a->fs_tmpfs, b->fs_tmpfs);
        strv_eq(a->fs_deny, b->fs_deny);
        strv_eq(a->fs_deny_except, b->fs_deny_except);
        strv_eq(a->fs_protect, b->fs_protect);
        ck_assert_int_eq(a->network, b->network);
        ck_assert_int_eq(a->network_widen, b->network_widen);
        strv_eq(a->egress.allow, b->egress.allow);
        strv_eq(a->egress.deny, b->egress.deny);
        strv_eq(a->egress.resolve, b->egress.resolve);
        ck_assert_uint_eq(a->egress.n_ports, b->egress.n_ports);
        ck_assert(memcmp(a->egress.ports, b->egress.ports, sizeof a->egress.ports) == 0);
        ck_assert_uint_eq(a->n_loopback_ports, b->n_loopback_ports);
        ck_assert(memcmp(a->loopback_ports, b->loopback_ports, sizeof a->loopback_ports) == 0);
        str_eq(a->seccomp, b->seccomp);
        ck_assert(memcmp(&a->limits, &b->limits, sizeof a->limits) == 0);
        ck_assert(memcmp(&a->budget, &b->budget, sizeof a->budget) == 0);
        ck_assert_int_eq(a->validation_default, b->validation_default);
        ck_assert_uint_eq(a->n_rules, b->n_rules);
        for (size_t i = 0; i < a->n_rules; i++) {
                ck_assert_int_eq(a->rules[i].verdict, b->rules[i].verdict);
                strv_eq(a->rules[i].match, b->rules[i].match);
        }
        strv_eq(a->validators_off, b->validators_off);
        strv_eq(a->env_keep, b->env_keep);
        strv_eq(a->env_set, b->env_set);
        ck_assert_uint_eq(a->run_as_uid, b->run_as_uid);
        ck_assert_uint_eq(a->run_as_gid, b->run_as_gid);
        ck_assert_ptr_null(b->resolved);
}

/* 1 on a hit (the hit then equals loading the files), 0 on a miss. */
static int hit(const env *e, const char *name, const cj_profile_vars *v) {
        cj_profile *c = NULL;
        cj_error err = { 0 };
        int r = cj_profile_cache_get(name, v, e->state, &c, &err);
        ck_assert_msg(r >= 0, "%s", err.msg);
        if (r == 1) {
                cj_profile *p = NULL;
                ck_assert_msg(cj_profile_load(name, v, &p, &err) == 0, "%s", err.msg);
                profiles_equal(p, c);
                cj_profile_free(p);
                cj_profile_free(c);
        }
        return r;
}

static cj_profile *load_cached(const env *e, const char *name) {
        cj_profile *p = NULL;
        cj_error err = { 0 };
        ck_assert_msg(cj_profile_load_cached(name, &vars, e->state, &p, &err) == 0, "%s", err.msg);
        ck_assert_ptr_null(p->resolved);
        return p;
}

START_TEST(every_shipped_profile_round_trips) {
        env e;
        setup(&e);
        static const char *const names[] = { "default", "build", "build-net", "net", "readonly" };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(names); i++) {
                ck_assert_int_eq(hit(&e, names[i], &vars), 0);
                cj_profile_free(load_cached(&e, names[i])); /* miss: stores */
                ck_assert_msg(hit(&e, names[i], &vars) == 1, "%s not cached", names[i]);
        }
        /* Other variables are another entry. */
        cj_profile_vars other = vars;
        other.cwd = "/work/other";
        ck_assert_int_eq(hit(&e, "default", &other), 0);
        teardown(&e);
}
END_TEST

START_TEST(an_edited_or_shadowed_file_misses) {
        env e;
        setup(&e);
        cj_profile *before = load_cached(&e, "build"); /* build extends default, which includes rule sets */
        cj_profile_free(before);
        ck_assert_int_eq(hit(&e, "build", &vars), 1);
        /* A rule set, edited: miss, and the load has the new rule. */
        _cleanup_free_ char *rules = cj_path_join(e.profiles, "rules");
        _cleanup_free_ char *path = cj_path_join(rules, "discard.json"), *text = NULL;
        size_t len = 0;
        ck_assert_int_eq(cj_read_file(path, CJ_PROFILE_FILE_MAX, &text, &len, NULL), 0);
        char *at = strstr(text, "\"rules\"");
        ck_assert_ptr_nonnull(at);
        at = strchr(at, '[');
        _cleanup_free_ char *edited = NULL;
        ck_assert_int_ge(asprintf(&edited, "%.*s{\"match\":[\"cj-cache-test\"],\"verdict\":\"deny\"},%s",
                                  (int) (at + 1 - text), text, at + 1), 0);
        ck_assert_int_eq(cj_write_file_atomic(path, edited, strlen(edited), 0644, NULL), 0);
        ck_assert_int_eq(hit(&e, "build", &vars), 0);
        cj_profile *p = load_cached(&e, "build");
        bool found = false;
        for (size_t i = 0; i < p->n_rules; i++)
                found |= strcmp(p->rules[i].match[0], "cj-cache-test") == 0;
        ck_assert(found);
        cj_profile_free(p);
        ck_assert_int_eq(hit(&e, "build", &vars), 1);
        /* Whitespace in the parent profile: the bytes changed, so a miss. */
        append(e.profiles, "default.json", "\n");
        ck_assert_int_eq(hit(&e, "build", &vars), 0);
        cj_profile_free(load_cached(&e, "build"));
        ck_assert_int_eq(hit(&e, "build", &vars), 1);
        /* A profile earlier on the search path now shadows default. */
        _cleanup_free_ char *first = cj_path_join(e.root, "first");
        ck_assert_int_eq(mkdir(first, 0755), 0);
        _cleanup_free_ char *spath = NULL;
        ck_assert_int_ge(asprintf(&spath, "%s:%s", first, e.profiles), 0);
        ck_assert_int_eq(setenv("CLAWJAIL_PROFILE_PATH", spath, 1), 0);
        cj_profile_free(load_cached(&e, "build")); /* the search path is part of the key: a new entry */
        ck_assert_int_eq(hit(&e, "build", &vars), 1);
        _cleanup_free_ char *dflt = cj_path_join(e.profiles, "default.json"), *copy = cj_path_join(first, "default.json");
        _cleanup_free_ char *dtext = NULL;
        ck_assert_int_eq(cj_read_file(dflt, CJ_PROFILE_FILE_MAX, &dtext, &len, NULL), 0);
        ck_assert_int_eq(cj_write_file_atomic(copy, dtext, len, 0644, NULL), 0); /* same bytes, another path */
        ck_assert_int_eq(hit(&e, "build", &vars), 0);
        teardown(&e);
}
END_TEST

static ino_t inode_of(const char *path) {
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        return st.st_ino;
}

/* Overwrite path in place (same inode, same size), find replaced by to (as
 * long), then put its mtime back: only the ctime still tells. */
static void edit_keeping_size_and_mtime(const char *path, const char *find, const char *to) {
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        ck_assert_int_eq(cj_read_file(path, CJ_PROFILE_FILE_MAX, &text, &len, NULL), 0);
        char *at = strstr(text, find);
        ck_assert_ptr_nonnull(at);
        ck_assert_uint_eq(strlen(to), strlen(find));
        memcpy(at, to, strlen(to));
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(pwrite(fd, text, len, 0), (ssize_t) len);
        const struct timespec times[2] = { st.st_atim, st.st_mtim };
        ck_assert_int_eq(futimens(fd, times), 0);
        struct stat now;
        ck_assert_int_eq(fstat(fd, &now), 0);
        ck_assert_int_eq(now.st_size, st.st_size);
        ck_assert_int_eq(now.st_ino, st.st_ino);
        ck_assert(now.st_mtim.tv_sec == st.st_mtim.tv_sec && now.st_mtim.tv_nsec == st.st_mtim.tv_nsec);
}

/* A hit checks a file by its stat signature once that has settled; an edit
 * that keeps the inode, the size and (set back) the mtime still moves the
 * ctime, and must miss. */
static int64_t realtime_ns(void) {
        struct timespec t;
        ck_assert_int_eq(clock_gettime(CLOCK_REALTIME, &t), 0);
        return (int64_t) t.tv_sec * 1000000000LL + t.tv_nsec;
}

START_TEST(an_edit_keeping_size_and_mtime_misses) {
        env e;
        int64_t copied = realtime_ns();
        setup(&e);
        cj_profile_free(load_cached(&e, "build")); /* the copies are new: signatures not settled yet */
        _cleanup_free_ char *entry = entry_path(&e);
        ino_t first = inode_of(entry);
        ck_assert_int_eq(hit(&e, "build", &vars), 1); /* by the bytes; nothing to record yet */
        /* On a slow run (a sanitizer, a loaded machine) the copies may have
         * settled already: then there is nothing left to see being recorded. */
        bool early = realtime_ns() - copied < CJ_PROFILE_CACHE_SETTLE_NS;
        if (early)
                ck_assert_int_eq(inode_of(entry), first);

        const struct timespec settle = { CJ_PROFILE_CACHE_SETTLE_NS / 1000000000LL,
                                         CJ_PROFILE_CACHE_SETTLE_NS % 1000000000LL + 100000000L };
        ck_assert_int_eq(nanosleep(&settle, NULL), 0);
        /* The bytes are the same and the signatures have settled: recorded,
         * the entry written again. */
        ck_assert_int_eq(hit(&e, "build", &vars), 1);
        ino_t renewed = inode_of(entry);
        if (early)
                ck_assert(renewed != first);
        ck_assert_int_eq(hit(&e, "build", &vars), 1); /* by the signatures: nothing to record */
        ck_assert_int_eq(inode_of(entry), renewed);

        /* A touch moves mtime and ctime, not the bytes: still a hit. */
        _cleanup_free_ char *dflt = cj_path_join(e.profiles, "default.json");
        ck_assert_int_eq(utimensat(AT_FDCWD, dflt, NULL, 0), 0);
        ck_assert_int_eq(hit(&e, "build", &vars), 1);

        /* A rule set's verdict changed in place, size and mtime kept. */
        _cleanup_free_ char *rules = cj_path_join(e.profiles, "rules");
        _cleanup_free_ char *discard = cj_path_join(rules, "discard.json");
        edit_keeping_size_and_mtime(discard, "\"--hard\"", "\"--hart\"");
        ck_assert_int_eq(hit(&e, "build", &vars), 0);
        cj_profile *p = load_cached(&e, "build"); /* the edit is seen */
        bool edited = false;
        for (size_t i = 0; i < p->n_rules; i++)
                for (size_t j = 0; p->rules[i].match[j]; j++) {
                        ck_assert_str_ne(p->rules[i].match[j], "--hard");
                        edited |= strcmp(p->rules[i].match[j], "--hart") == 0;
                }
        ck_assert(edited);
        cj_profile_free(p);
        teardown(&e);
}
END_TEST

START_TEST(a_corrupt_or_foreign_entry_misses) {
        env e;
        setup(&e);
        cj_profile_free(load_cached(&e, "default"));
        ck_assert_int_eq(hit(&e, "default", &vars), 1);
        _cleanup_free_ char *entry = entry_path(&e);
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        ck_assert_int_eq(cj_read_file(entry, CJ_PROFILE_CACHE_FILE_MAX, &text, &len, NULL), 0);

        /* One byte flipped in the middle; then truncated. */
        text[len / 2] ^= 0x20;
        ck_assert_int_eq(cj_write_file_atomic(entry, text, len, 0600, NULL), 0);
        ck_assert_int_eq(hit(&e, "default", &vars), 0);
        text[len / 2] ^= 0x20;
        ck_assert_int_eq(cj_write_file_atomic(entry, text, len - 40, 0600, NULL), 0);
        ck_assert_int_eq(hit(&e, "default", &vars), 0);
        cj_profile_free(load_cached(&e, "default")); /* rewritten */
        ck_assert_int_eq(hit(&e, "default", &vars), 1);

        /* Writable by others, or in a directory that is. */
        ck_assert_int_eq(chmod(entry, 0622), 0);
        ck_assert_int_eq(hit(&e, "default", &vars), 0);
        ck_assert_int_eq(chmod(entry, 0600), 0);
        _cleanup_free_ char *dir = cj_path_join(e.state, CJ_PROFILE_CACHE_DIR);
        ck_assert_int_eq(chmod(dir, 0770), 0);
        ck_assert_int_eq(hit(&e, "default", &vars), 0);
        ck_assert_int_eq(chmod(dir, 0700), 0);
        ck_assert_int_eq(hit(&e, "default", &vars), 1);

        /* Owned by another user (only root can arrange that here). */
        if (geteuid() == 0) {
                ck_assert_int_eq(chown(entry, 65534, 65534), 0);
                ck_assert_int_eq(hit(&e, "default", &vars), 0);
                ck_assert_int_eq(chown(entry, 0, 0), 0);
                ck_assert_int_eq(chown(dir, 65534, 65534), 0);
                ck_assert_int_eq(hit(&e, "default", &vars), 0);
                ck_assert_int_eq(chown(dir, 0, 0), 0);
        }
        /* A symlink in its place. */
        _cleanup_free_ char *moved = NULL;
        ck_assert_int_ge(asprintf(&moved, "%s.moved", entry), 0);
        ck_assert_int_eq(rename(entry, moved), 0);
        ck_assert_int_eq(symlink(moved, entry), 0);
        ck_assert_int_eq(hit(&e, "default", &vars), 0);
        teardown(&e);
}
END_TEST

/* Bytes of an entry changed in turn (every REWRITE_STRIDE-th: each try is a
 * write and a lookup), its digest made to match again (as only its owner
 * could): a hit never reads outside the entry or frees what it did not
 * allocate (the sanitizer build checks), and whatever it accepts is a whole
 * profile. */
#define REWRITE_STRIDE 23
START_TEST(a_rewritten_entry_is_parsed_within_bounds) {
        env e;
        setup(&e);
        cj_profile_free(load_cached(&e, "default"));
        _cleanup_free_ char *entry = entry_path(&e);
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        ck_assert_int_eq(cj_read_file(entry, CJ_PROFILE_CACHE_FILE_MAX, &text, &len, NULL), 0);
        ck_assert_uint_gt(len, CJ_SHA256_LEN);
        _cleanup_free_ char *copy = malloc(len);
        ck_assert_ptr_nonnull(copy);
        size_t hits = 0, misses = 0;
        for (size_t i = 0; i < len - CJ_SHA256_LEN; i += REWRITE_STRIDE) {
                memcpy(copy, text, len);
                copy[i] ^= (char) (i % 2 ? 0x01 : 0x80);
                cj_sha256_raw(copy, len - CJ_SHA256_LEN, (uint8_t *) copy + len - CJ_SHA256_LEN);
                ck_assert_int_eq(cj_write_file_inplace(entry, copy, len, 0600, NULL), 0);
                cj_profile *p = NULL;
                cj_error err = { 0 };
                int r = cj_profile_cache_get("default", &vars, e.state, &p, &err);
                ck_assert_int_ge(r, 0);
                if (r == 1) {
                        ck_assert(p->name && p->path && p->sha256 && p->seccomp);
                        for (size_t k = 0; k < p->n_rules; k++)
                                ck_assert_ptr_nonnull(p->rules[k].match[0]);
                        hits++;
                } else
                        misses++;
                cj_profile_free(p);
        }
        ck_assert_uint_gt(misses, 0); /* the structure is checked */
        ck_assert_uint_gt(hits, 0);   /* a changed byte in a string is still a profile */
        teardown(&e);
}
END_TEST

START_TEST(the_cache_stays_bounded) {
        env e;
        setup(&e);
        cj_profile_free(load_cached(&e, "default"));
        _cleanup_free_ char *dir = cj_path_join(e.state, CJ_PROFILE_CACHE_DIR);
        for (int i = 0; i < CJ_PROFILE_CACHE_ENTRIES_MAX; i++) {
                char name[32];
                snprintf(name, sizeof name, "stale-%d", i);
                append(dir, name, "x");
        }
        /* A miss with the directory full empties it, then stores its entry. */
        cj_profile_vars other = vars;
        other.cwd = "/work/other";
        cj_profile *p = NULL;
        cj_error err = { 0 };
        ck_assert_msg(cj_profile_load_cached("default", &other, e.state, &p, &err) == 0, "%s", err.msg);
        cj_profile_free(p);
        _cleanup_closedir_ DIR *d = opendir(dir);
        ck_assert_ptr_nonnull(d);
        size_t n = 0;
        for (struct dirent *de; (de = readdir(d));)
                n += de->d_name[0] != '.';
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(hit(&e, "default", &other), 1);
        ck_assert_int_eq(hit(&e, "default", &vars), 0); /* emptied with the rest */
        teardown(&e);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("profile-cache");
        TCase *tc = tcase_create("cache");
        tcase_add_test(tc, every_shipped_profile_round_trips);
        tcase_add_test(tc, an_edited_or_shadowed_file_misses);
        tcase_add_test(tc, a_corrupt_or_foreign_entry_misses);
        tcase_add_test(tc, the_cache_stays_bounded);
        tcase_add_test(tc, an_edit_keeping_size_and_mtime_misses);
        tcase_add_test(tc, a_rewritten_entry_is_parsed_within_bounds);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
