/* SPDX-License-Identifier: MIT */
/* The "**" scan (sandbox/scan.h) over a real tree, cross-checked against the
 * one definition of the patterns (util/pathpat.h): for every path in the
 * tree, the scan finds it exactly when a pattern names it.  The scan decides
 * most tails from a directory's listing alone; this is what fails if that
 * shortcut misses a match. */
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
#include "profile/profile.h"
#include "sandbox/listcache.h"
#include "sandbox/plan.h"
#include "sandbox/scan.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/pathpat.h"

static char ws[64];

/* Tails as the default profile has them (profiles/default.json), plus a
 * tail through a directory that also exists as a file elsewhere. */
static const char *const deny_tails[] = { ".env*", "id_rsa*", "credentials.json", NULL };
static const char *const except_tails[] = { ".env.example", ".env.sample", NULL };
static const char *const protect_tails[] = {
        ".git/hooks/", ".git/config", ".vscode/settings.json", ".vscode/tasks.json", ".claude/settings.json",
        ".mcp.json", ".cursor", ".idea/runConfigurations", ".devcontainer", ".envrc", ".gemini/", NULL,
};

/* The tree: directories end in '/', "L name target" is a symlink, "P" a fifo. */
static const char *const tree[] = {
        ".env", ".env.example", ".env.local", ".envrc", "README", "src/", "src/main.c", "src/.env", "src/.env.sample",
        "src/deep/", "src/deep/er/", "src/deep/er/.env.prod", "src/deep/er/.mcp.json", "src/deep/id_rsa", "src/deep/id_rsa.pub", "credentials.json/", "credentials.json/x",
        ".env.d/", ".env.d/.env", ".env.d/x", /* a directory matched by .env*, and a .env inside it */
        "tpl/", "tpl/.env.example/", "tpl/.env.example/.env", /* an exception is a directory holding a secret */
        "secret.txt", "L linked/.env ../secret.txt", "linked/", /* a symlink named .env */
        "L dirlink src",                                          /* a symlinked directory: not walked */
        ".git/", ".git/config", ".git/hooks/", ".git/hooks/pre-commit", ".git/modules/", ".git/modules/lib/",
        ".git/modules/lib/HEAD", ".git/modules/lib/config", ".git/modules/lib/modules/", ".git/modules/lib/modules/in/",
        ".git/modules/lib/modules/in/HEAD", ".git/modules/lib/modules/in/hooks/",
        "nohooks/", "nohooks/.git/", "nohooks/.git/config", /* hooks/ missing: to create */
        "lib/", "lib/.git", "lib/x.c",                      /* a submodule checkout: .git is a file */
        "e/", "e/.vscode/", "e/.vscode/settings.json", "e/.vscode/other.json",
        "f/", "f/.vscode", /* a file named .vscode: nothing below it */
        "g/", "g/.claude/", "g/.cursor/", "g/.cursor/rules", "g/.idea/", "g/.idea/runConfigurations/",
        "h/", "h/.devcontainer", "h/.claude", /* files where directories are expected */
        "P p/.envpipe", "p/", "build/", "build/a/", "build/a/b/", "build/a/b/c/", "build/a/b/c/.env",
        NULL,
};

static void make_tree(void) {
        snprintf(ws, sizeof ws, "/tmp/cj-scan-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(ws));
        /* directories first, so files and links have their parents */
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; tree[i]; i++) {
                        const char *e = tree[i];
                        char path[512];
                        size_t l = strlen(e);
                        bool dir = e[l - 1] == '/';
                        if (pass == 0 && dir) {
                                snprintf(path, sizeof path, "%s/%.*s", ws, (int) (l - 1), e);
                                ck_assert_msg(mkdir(path, 0755) == 0, "mkdir %s: %m", path);
                        } else if (pass == 1 && !dir) {
                                if (strncmp(e, "L ", 2) == 0) {
                                        char name[256], target[256];
                                        ck_assert_int_eq(sscanf(e + 2, "%255s %255s", name, target), 2);
                                        snprintf(path, sizeof path, "%s/%s", ws, name);
                                        ck_assert_msg(symlink(target, path) == 0, "symlink %s: %m", path);
                                } else if (strncmp(e, "P ", 2) == 0) {
                                        snprintf(path, sizeof path, "%s/%s", ws, e + 2);
                                        ck_assert_msg(mkfifo(path, 0600) == 0, "mkfifo %s: %m", path);
                                } else {
                                        snprintf(path, sizeof path, "%s/%s", ws, e);
                                        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
                                        ck_assert_msg(fd >= 0, "create %s: %m", path);
                                        close(fd);
                                }
                        }
                }
}

static void remove_tree(void) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", ws);
        ck_assert_int_eq(system(cmd), 0);
}

static cj_strv paths_in_tree;
static int collect(const char *path, const struct stat *st, int flag, struct FTW *f) {
        return cj_strv_push(&paths_in_tree, path) < 0 ? -1 : 0;
}

static cj_strv patterns(const char *const *tails) {
        cj_strv v = NULL;
        for (size_t i = 0; tails[i]; i++) {
                char *p = NULL;
                ck_assert_int_ge(asprintf(&p, "%s/**/%s", ws, tails[i]), 0);
                ck_assert_int_eq(cj_strv_push_take(&v, p), 0);
        }
        return v;
}

static size_t components(const char *s, size_t len) {
        size_t n = 1;
        for (size_t i = 0; i < len; i++)
                n += s[i] == '/';
        return n;
}

/* path minus its last k components, or NULL (to free). */
static char *strip(const char *path, size_t k) {
        char *c = strdup(path);
        for (size_t i = 0; c && i < k; i++) {
                char *slash = strrchr(c, '/');
                if (!slash || slash == c) {
                        free(c);
                        return NULL;
                }
                *slash = '\0';
        }
        return c;
}

/* Does pat (a "**" pattern) name path itself, its tail's last component
 * ending at path's last?  cj_pathpat_match must agree that path is covered,
 * and where the tail starts must be at or below the prefix; a ".git/REST"
 * tail may start in a submodule git dir (.git/modules/NAME[/modules/NAME...]). */
static bool named(const char *pat, const char *path) {
        if (!cj_pathpat_match(pat, path))
                return false;
        cj_pathpat pp;
        cj_pathpat_split(pat, &pp);
        size_t tl = strlen(pp.tail);
        while (tl > 1 && pp.tail[tl - 1] == '/')
                tl--;
        size_t k = components(pp.tail, tl);
        _cleanup_free_ char *prefix = strndup(pat, pp.prefix_len);
        _cleanup_free_ char *d = strip(path, k);
        if (d && cj_path_is_under(d, prefix)) {
                _cleanup_free_ char *rel = strdup(path + strlen(d) + 1);
                if (cj_pathpat_tail_at(pp.tail, rel) && !strchr(rel + (tl - (pp.tail[tl - 1] == '*')), '/'))
                        return true;
        }
        if (strncmp(pp.tail, ".git/", 5) != 0)
                return false;
        /* REST ending at path, below .git/modules/NAME(/modules/NAME)* below the prefix */
        _cleanup_free_ char *q = strip(path, k - 1);
        size_t pops = 0;
        for (;;) {
                char *last = q ? strrchr(q, '/') : NULL;
                if (!last || last == q)
                        return false;
                *last = '\0';
                char *before = strrchr(q, '/');
                if (!before || strcmp(before + 1, "modules") != 0) {
                        *last = '/';
                        break;
                }
                *before = '\0';
                pops++;
        }
        size_t ql = strlen(q);
        if (!pops || ql < 5 || strcmp(q + ql - 5, "/.git") != 0)
                return false;
        q[ql - 5] = '\0';
        _cleanup_free_ char *rel = strdup(path + strlen(path) - (tl - 5));
        return cj_path_is_under(q, prefix) && cj_pathpat_tail_at(pp.tail + 5, rel);
}

/* What the scan must find for pats in the tree: every path a pattern names;
 * a missing directory a pattern ending in '/' names, below an existing
 * directory (with its '/'); and, for a list with a ".git/" pattern, every
 * .git that is a file (a submodule's pointer to its git dir). */
static cj_strv expected(char *const *pats) {
        cj_strv want = NULL;
        for (size_t i = 0; paths_in_tree[i]; i++) {
                const char *path = paths_in_tree[i];
                struct stat st;
                ck_assert_int_eq(lstat(path, &st), 0);
                bool hit = false;
                /* A git dir is walked for ".git/" patterns only (its objects are not worth walking). */
                const char *rel = path + strlen(ws);
                size_t rl = strlen(rel);
                bool in_git = strstr(rel, "/.git/") || (rl >= 5 && strcmp(rel + rl - 5, "/.git") == 0);
                for (size_t j = 0; pats[j]; j++) {
                        cj_pathpat pp;
                        cj_pathpat_split(pats[j], &pp);
                        if (in_git && strncmp(pp.tail, ".git/", 5) != 0)
                                continue;
                        const char *base = strrchr(path, '/') + 1;
                        hit |= named(pats[j], path) ||
                              (strncmp(pp.tail, ".git/", 5) == 0 && strcmp(base, ".git") == 0 && S_ISREG(st.st_mode) &&
                               cj_path_is_under(path, ws));
                        size_t tl = strlen(pp.tail);
                        if (S_ISDIR(st.st_mode) && pp.tail[tl - 1] == '/') {
                                const char *lastc = pp.tail + tl - 1;
                                while (lastc > pp.tail && lastc[-1] != '/')
                                        lastc--;
                                char cand[1024];
                                snprintf(cand, sizeof cand, "%s/%.*s", path, (int) (pp.tail + tl - 1 - lastc), lastc);
                                if (lstat(cand, &st) < 0 && errno == ENOENT && named(pats[j], cand)) {
                                        strcat(cand, "/");
                                        if (!cj_strv_contains(want, cand))
                                                ck_assert_int_eq(cj_strv_push(&want, cand), 0);
                                }
                                ck_assert_int_eq(lstat(path, &st), 0);
                        }
                }
                if (hit && !cj_strv_contains(want, path))
                        ck_assert_int_eq(cj_strv_push(&want, path), 0);
        }
        return want;
}

static void assert_same(const char *what, cj_strv got, cj_strv want) {
        for (size_t i = 0; got && got[i]; i++)
                ck_assert_msg(cj_strv_contains(want, got[i]), "%s: the scan found %s, which no pattern names", what,
                              got[i]);
        for (size_t i = 0; want && want[i]; i++)
                ck_assert_msg(cj_strv_contains(got, want[i]), "%s: the scan missed %s", what, want[i]);
}

START_TEST(scan_matches_pathpat_on_a_real_tree) {
        make_tree();
        paths_in_tree = NULL;
        ck_assert_int_eq(nftw(ws, collect, 16, FTW_PHYS), 0);
        _cleanup_strv_ cj_strv deny = patterns(deny_tails), protect = patterns(protect_tails),
                               except = patterns(except_tails);
        _cleanup_strv_ cj_strv want_deny = expected(deny), want_protect = expected(protect);
        /* The tree has every case it is meant to have. */
        static const struct {
                bool protect;
                const char *rel;
        } cases[] = {
                { true, "nohooks/.git/hooks/" },        { true, ".git/modules/lib/hooks/" },
                { true, ".git/modules/lib/modules/in/hooks" }, { true, "lib/.git" },
                { false, ".env.d/.env" },               { true, "src/deep/.gemini/" },
                { false, "src/deep/id_rsa.pub" },       { false, "p/.envpipe" },
        };
        char p[256];
        for (size_t i = 0; i < CJ_ARRAY_SIZE(cases); i++) {
                snprintf(p, sizeof p, "%s/%s", ws, cases[i].rel);
                ck_assert_msg(cj_strv_contains(cases[i].protect ? want_protect : want_deny, p), "expected: %s", p);
        }

        /* Both lists in one walk, as the plan expands them. */
        _cleanup_strv_ cj_strv got_deny = NULL, got_protect = NULL;
        char *const *const lists[] = { protect, deny };
        cj_strv *const found[] = { &got_protect, &got_deny };
        cj_error err = { 0 };
        ck_assert_msg(cj_scan_expand(lists, found, 2, &cj_fs_probe_host, &err) == 0, "%s",
                      err.msg);
        assert_same("deny", got_deny, want_deny);
        assert_same("protect", got_protect, want_protect);

        /* The rescan after a call sees the same. */
        cj_profile prof = { 0 };
        ck_assert_int_eq(cj_strv_push(&prof.fs_rw, ws), 0);
        prof.fs_deny = deny;
        prof.fs_deny_except = except;
        prof.fs_protect = protect;
        _cleanup_strv_ cj_strv rescan = NULL;
        ck_assert_msg(cj_mount_plan_protect_scan(&prof, NULL, NULL, NULL, NULL, NULL, &cj_fs_probe_host, &rescan, &err) == 0, "%s",
                      err.msg);
        assert_same("protect rescan", rescan, want_protect);

        /* The git guard's ".git" search rides along only below a prefix the
         * rescan walks anyway: another root is left to the guard's own walk
         * (its failures must not fail the rescan). */
        _cleanup_strv_ cj_strv also = NULL, also_found = NULL, also_walked = NULL, again = NULL;
        char *a1 = NULL, *a2 = NULL;
        ck_assert_int_ge(asprintf(&a1, "%s/**/.git", ws), 0);
        ck_assert_int_ge(asprintf(&a2, "%s/src/**/.git", ws), 0);
        ck_assert_int_eq(cj_strv_push_take(&also, a1), 0);
        ck_assert_int_eq(cj_strv_push_take(&also, a2), 0);
        ck_assert_msg(cj_mount_plan_protect_scan(&prof, NULL, NULL, also, &also_found, &also_walked,
                                                 &cj_fs_probe_host, &again, &err) == 0,
                      "%s", err.msg);
        assert_same("protect rescan with the guard's patterns", again, want_protect);
        ck_assert_int_eq(cj_strv_len(also_walked), 1);
        ck_assert_str_eq(also_walked[0], also[0]);
        static const char *const dotgits[] = { ".git", "nohooks/.git", "lib/.git", NULL };
        ck_assert_int_eq(cj_strv_len(also_found), 3);
        for (size_t i = 0; dotgits[i]; i++) {
                snprintf(p, sizeof p, "%s/%s", ws, dotgits[i]);
                ck_assert_msg(cj_strv_contains(also_found, p), "the guard's walk missed %s", p);
        }

        /* The plan: its protect set, and a mask on every named path no
         * exception reopens (a symlink's target instead of the link). */
        cj_mount_plan plan = { 0 };
        ck_assert_msg(cj_mount_plan_build(&prof, NULL, NULL, &cj_fs_probe_host, &plan, &err) == 0, "%s", err.msg);
        assert_same("plan protect_found", plan.protect_found, want_protect);
        for (size_t i = 0; paths_in_tree[i]; i++) {
                const char *path = paths_in_tree[i];
                struct stat st;
                ck_assert_int_eq(lstat(path, &st), 0);
                bool masked = false;
                for (size_t j = 0; j < plan.n; j++)
                        masked |= strcmp(plan.ops[j].dst, path) == 0 &&
                                  (plan.ops[j].kind == CJ_MNT_MASK_DIR || plan.ops[j].kind == CJ_MNT_MASK_FILE);
                bool want = cj_strv_contains(want_deny, path) && !cj_pathpat_excepted(except, path) &&
                            !S_ISLNK(st.st_mode);
                snprintf(p, sizeof p, "%s/secret.txt", ws);
                want |= strcmp(path, p) == 0; /* linked/.env's target */
                ck_assert_msg(masked == want, "%s: masked %d, the patterns say %d", path, masked, want);
        }
        cj_mount_plan_clear(&plan);
        prof.fs_deny = prof.fs_deny_except = prof.fs_protect = NULL;
        cj_strv_free(prof.fs_rw);
        cj_strv_free(paths_in_tree);
        remove_tree();
}
END_TEST

static void touch(const char *rel, bool dir) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", ws, rel);
        if (dir)
                ck_assert_msg(mkdir(path, 0755) == 0, "mkdir %s: %m", path);
        else {
                int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
                ck_assert_msg(fd >= 0, "create %s: %m", path);
                close(fd);
        }
}

static int64_t now_ns(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (int64_t) t.tv_sec * 1000000000 + t.tv_nsec;
}

static cj_strv rescan_with(const cj_profile *prof, const cj_fs_probe *probe) {
        cj_strv v = NULL;
        cj_error err = { 0 };
        ck_assert_msg(cj_mount_plan_protect_scan(prof, NULL, NULL, NULL, NULL, NULL, probe, &v, &err) == 0, "%s",
                      err.msg);
        return v;
}

/* The tree, settled (its directories' listings are recorded), with the
 * test's patterns as a profile and a listing cache for them. */
typedef struct fixture {
        cj_profile prof;
        cj_list_cache *c;
        cj_fs_probe probe;
} fixture;

static void fixture_open(fixture *f) {
        make_tree();
        usleep((useconds_t) (CJ_LIST_CACHE_SETTLE_NS / 1000) + 20000);
        *f = (fixture){ .prof = { .fs_deny = patterns(deny_tails), .fs_deny_except = patterns(except_tails),
                                  .fs_protect = patterns(protect_tails) } };
        ck_assert_int_eq(cj_strv_push(&f->prof.fs_rw, ws), 0);
        char *const *const named[] = { f->prof.fs_deny, f->prof.fs_deny_except, f->prof.fs_protect };
        f->c = cj_list_cache_new(named, CJ_ARRAY_SIZE(named));
        ck_assert_ptr_nonnull(f->c);
        f->probe = cj_fs_probe_cached(f->c);
}

static void fixture_close(fixture *f) {
        cj_list_cache_free(f->c);
        cj_strv_free(f->prof.fs_deny);
        cj_strv_free(f->prof.fs_deny_except);
        cj_strv_free(f->prof.fs_protect);
        cj_strv_free(f->prof.fs_rw);
        remove_tree();
}

/* sandbox/listcache.h: the rescan after a call answers a directory from the
 * plan's listing only while it is unchanged, so it finds exactly what a
 * fresh walk finds: after a call made protected paths in directories that
 * existed (and in new ones), and for a directory changed just before the
 * plan listed it (not recorded: within the clock tick of its ctime). */
START_TEST(cached_listings_answer_only_unchanged_directories) {
        fixture f;
        fixture_open(&f);
        int64_t t0 = now_ns();
        touch("fresh", true); /* the root and fresh/ are changed now: listed, not recorded */
        const cj_profile prof = f.prof;
        char *const *deny = prof.fs_deny, *const *except = prof.fs_deny_except;
        cj_list_cache *c = f.c;
        const cj_fs_probe probe = f.probe;
        cj_mount_plan plan = { 0 }, host = { 0 };
        cj_error err = { 0 };
        ck_assert_msg(cj_mount_plan_build(&prof, NULL, NULL, &probe, &plan, &err) == 0, "%s", err.msg);
        bool recent = now_ns() - t0 < CJ_LIST_CACHE_SETTLE_NS;
        ck_assert_msg(cj_mount_plan_build(&prof, NULL, NULL, &cj_fs_probe_host, &host, &err) == 0, "%s", err.msg);
        assert_same("plan through the cache", plan.protect_found, host.protect_found);
        size_t hits, misses, hits0, misses0, bytes;
        cj_list_cache_stats(c, &hits0, &misses0, &bytes);
        ck_assert_int_eq(hits0, 0);

        /* Nothing changed: every recorded directory is answered from its record. */
        _cleanup_strv_ cj_strv same = rescan_with(&prof, &probe);
        assert_same("rescan, nothing changed", same, plan.protect_found);
        cj_list_cache_stats(c, &hits, &misses, &bytes);
        ck_assert_uint_gt(hits, 10);
        if (recent) /* else the machine stalled past the settle time: they were recorded */
                ck_assert_msg(misses - misses0 >= 2, "the root and fresh/ were recorded within their clock tick");

        /* pid 1's walk reads the records: each keeps every entry of an
         * unmasked directory a deny pattern names (the files no pattern can
         * name are left out). */
        paths_in_tree = NULL;
        ck_assert_int_eq(nftw(ws, collect, 16, FTW_PHYS), 0);
        size_t checked = 0;
        for (size_t i = 0; paths_in_tree[i]; i++) {
                const char *path = paths_in_tree[i];
                _cleanup_free_ char *parent = strdup(path);
                char *slash = strrchr(parent, '/');
                *slash = '\0';
                /* Named itself: below a masked directory the walk never looks. */
                if (!cj_pathpat_masked(deny, except, path) || cj_pathpat_masked(deny, except, parent))
                        continue;
                struct statx stx;
                ck_assert_int_eq(statx(AT_FDCWD, parent, AT_SYMLINK_NOFOLLOW, CJ_LIST_CACHE_STATX_MASK, &stx), 0);
                cj_dir_list view;
                bool found = false;
                if (cj_list_cache_find(c, parent, &stx, &view)) {
                        size_t off = 0, nl;
                        cj_file_type t;
                        for (const char *name; !found && (name = cj_dir_list_next(&view, &off, &t, &nl));)
                                found = strcmp(name, slash + 1) == 0;
                        ck_assert_msg(found, "the record of %s lacks %s, which a deny pattern names", parent, slash + 1);
                        checked++;
                        cj_dir_list_free(&view); /* borrowed: leaves the bytes */
                }
        }
        ck_assert_uint_gt(checked, 5);
        cj_strv_free(paths_in_tree);
        paths_in_tree = NULL;

        /* What a call makes: in directories that existed, in a new one, in one
         * replaced by a renamed one (another inode, under the old name). */
        touch("e/.vscode/tasks.json", false);
        touch("src/deep/er/.cursor", true);
        touch("g/.claude/settings.json", false);
        touch("fresh/.mcp.json", false);
        touch("new", true);
        touch("new/.git", true);
        touch("new/.git/config", false);
        touch("moved", true);
        touch("moved/.envrc", false);
        char a[512], b[512];
        snprintf(a, sizeof a, "%s/h", ws);
        snprintf(b, sizeof b, "%s/h.old", ws);
        ck_assert_int_eq(rename(a, b), 0);
        snprintf(a, sizeof a, "%s/moved", ws);
        snprintf(b, sizeof b, "%s/h", ws);
        ck_assert_int_eq(rename(a, b), 0);
        _cleanup_strv_ cj_strv got = rescan_with(&prof, &probe), want = rescan_with(&prof, &cj_fs_probe_host);
        assert_same("rescan after changes", got, want);
        static const char *const made[] = { "e/.vscode/tasks.json", "src/deep/er/.cursor", "g/.claude/settings.json",
                                            "fresh/.mcp.json", "new/.git/hooks/", "h/.envrc" };
        char p[512];
        for (size_t i = 0; i < CJ_ARRAY_SIZE(made); i++) {
                snprintf(p, sizeof p, "%s/%s", ws, made[i]);
                ck_assert_msg(cj_strv_contains(got, p), "the cached rescan missed %s", p);
        }
        cj_mount_plan_clear(&plan);
        cj_mount_plan_clear(&host);
        fixture_close(&f);
}
END_TEST

/* A cache that fills up (a long-lived serve process's records of a changing
 * tree) keeps nothing more and starts again only when renewed between calls:
 * a start in the middle of a walk would free the records the walk is still
 * reading (a parent's, lent, while a changed child is listed again). */
START_TEST(a_full_cache_starts_again) {
        fixture f;
        fixture_open(&f);
        const cj_profile prof = f.prof;
        cj_list_cache *c = f.c;
        const cj_fs_probe probe = f.probe;
        _cleanup_strv_ cj_strv first = rescan_with(&prof, &probe);
        size_t hits, misses, bytes, misses1, bytes1;
        cj_list_cache_stats(c, &hits, &misses1, &bytes1);
        cj_list_cache_set_budget(c, bytes1); /* full: a deep directory's new record does not fit */
        touch("src/deep/er/.cursor-new", false);
        usleep((useconds_t) (CJ_LIST_CACHE_SETTLE_NS / 1000) + 20000);
        _cleanup_strv_ cj_strv second = rescan_with(&prof, &probe), want = rescan_with(&prof, &cj_fs_probe_host);
        assert_same("a walk past the budget", second, want);
        cj_list_cache_stats(c, &hits, &misses, &bytes);
        ck_assert_uint_gt(hits, 5);                 /* its parents came from records */
        ck_assert_uint_eq(bytes, bytes1);           /* and stayed: nothing was dropped or added */
        cj_list_cache_renew(c);                     /* between calls: starts again */
        cj_list_cache_stats(c, &hits, &misses, &bytes);
        ck_assert_uint_eq(bytes, 0);
        cj_list_cache_set_budget(c, CJ_LIST_CACHE_BYTES_MAX);
        _cleanup_strv_ cj_strv third = rescan_with(&prof, &probe), fourth = rescan_with(&prof, &probe);
        assert_same("a walk after the renewal", third, want);
        assert_same("and one from its records", fourth, want);
        size_t hits4;
        cj_list_cache_stats(c, &hits4, &misses, &bytes);
        ck_assert_uint_gt(hits4, hits + 5);
        ck_assert_uint_gt(bytes, 0);
        fixture_close(&f);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("scan");
        TCase *tc = tcase_create("real tree");
        tcase_add_test(tc, scan_matches_pathpat_on_a_real_tree);
        tcase_add_test(tc, cached_listings_answer_only_unchanged_directories);
        tcase_add_test(tc, a_full_cache_starts_again);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
