/* SPDX-License-Identifier: MIT */
/* Profile path patterns: the matcher itself, then the three stages that use
 * it (request paths, the validation chain, the mount plan) asked about the
 * same paths under the same patterns.  They used to disagree: the request
 * check missed .git/hooks/pre-commit under ".../ ** /.git/hooks/" and a plain
 * pattern with a trailing '/', and neither it nor the chain knew the
 * submodule git dirs the plan protects. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cj_check.h"
#include "../cj_shipped.h"
#include "profile/profile.h"
#include "proto/paths.h"
#include "sandbox/plan.h"
#include "util/fileio.h"
#include "util/pathpat.h"
#include "validate/internal.h"

START_TEST(matcher) {
        static const struct {
                const char *pat, *path;
                bool match;
        } cases[] = {
                { "/ws/a", "/ws/a", true },
                { "/ws/a", "/ws/a/b", true },
                { "/ws/a", "/ws/ab", false },
                { "/ws/a/", "/ws/a/b", true }, /* trailing '/' ignored */
                { "/ws/**/.env", "/ws/.env", true },   /* depth 0 */
                { "/ws/**/.env", "/ws/x/y/.env", true },
                { "/ws/**/.env", "/ws/x/.env/inside", true },
                { "/ws/**/.env", "/ws/x/.envrc", false },
                { "/ws/**/.env", "/ws/x.env", false },
                { "/ws/**/.env", "/wsx/.env", false },
                { "/ws/**/.env", "/ws", false },
                { "/ws/**/.env*", "/ws/a/.env.staging", true },
                { "/ws/**/.env*", "/ws/a/.envrc", true },
                { "/ws/**/.env*", "/ws/a/x.env", false },
                { "/ws/**/.git/hooks/", "/ws/.git/hooks", true },
                { "/ws/**/.git/hooks/", "/ws/.git/hooks/pre-commit", true },
                { "/ws/**/.git/hooks/", "/ws/s/.git/hooks/pre-commit", true },
                { "/ws/**/.git/hooks/", "/ws/.git/hooksx", false },
                { "/ws/**/.git/hooks/", "/ws/git/hooks/x", false },
                { "/ws/**/.git/hooks/", "/ws/.git/modules/lib/hooks/post-checkout", true },
                { "/ws/**/.git/hooks/", "/ws/.git/modules/a/modules/b/hooks/x", true },
                { "/ws/**/.git/config", "/ws/.git/modules/lib/config", true },
                { "/ws/**/.git/config", "/ws/.git/modules/config", false }, /* "modules" holds git dirs */
                { "/ws/**/.git/config", "/ws/src/modules/lib/config", false },
                { "/**/.env", "/a/b/.env", true },
                { "/**/.env", "/.env", true },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
                ck_assert_msg(cj_pathpat_match(cases[i].pat, cases[i].path) == cases[i].match, "%s vs %s: want %d",
                              cases[i].pat, cases[i].path, cases[i].match);
        cj_pathpat pp;
        cj_pathpat_split("/ws/**/.git/hooks/", &pp);
        ck_assert_uint_eq(pp.prefix_len, 3);
        ck_assert_str_eq(pp.tail, ".git/hooks/");
        cj_pathpat_split("/**/x", &pp);
        ck_assert_uint_eq(pp.prefix_len, 0);
        cj_pathpat_split("/ws/a/", &pp);
        ck_assert_ptr_null(pp.tail);
        ck_assert_uint_eq(pp.prefix_len, 5);
}
END_TEST

/* The host: what the plan's scan finds.  Every path below is a file or dir here. */
static const struct {
        const char *path;
        cj_file_type type;
} host[] = {
        { "/usr", CJ_FT_DIR },
        { "/ws", CJ_FT_DIR },
        { "/ws/.git", CJ_FT_DIR },
        { "/ws/.git/HEAD", CJ_FT_FILE },
        { "/ws/.git/config", CJ_FT_FILE },
        { "/ws/.git/configx", CJ_FT_FILE },
        { "/ws/.git/hooks", CJ_FT_DIR },
        { "/ws/.git/hooks/pre-commit", CJ_FT_FILE },
        { "/ws/.git/modules", CJ_FT_DIR },
        { "/ws/.git/modules/lib", CJ_FT_DIR },
        { "/ws/.git/modules/lib/HEAD", CJ_FT_FILE },
        { "/ws/.git/modules/lib/config", CJ_FT_FILE },
        { "/ws/.git/modules/lib/hooks", CJ_FT_DIR },
        { "/ws/.git/modules/lib/hooks/post-checkout", CJ_FT_FILE },
        { "/ws/xgit", CJ_FT_DIR },
        { "/ws/xgit/hooks", CJ_FT_DIR },
        { "/ws/xgit/hooks/a", CJ_FT_FILE },
        { "/ws/a", CJ_FT_DIR },
        { "/ws/a/.env", CJ_FT_FILE },
        { "/ws/a/.envrc", CJ_FT_FILE },
        { "/ws/a/.env.example", CJ_FT_FILE },
        { "/ws/a/.env.local", CJ_FT_FILE },
        { "/ws/tpl", CJ_FT_DIR },
        { "/ws/tpl/.env.example", CJ_FT_DIR },
        { "/ws/tpl/.env.example/.env", CJ_FT_FILE },
        { "/ws/build", CJ_FT_DIR },
        { "/ws/build/out.o", CJ_FT_FILE },
        { "/ws/src", CJ_FT_DIR },
        { "/ws/src/main.c", CJ_FT_FILE },
};

static cj_file_type h_lstat(void *ctx, const char *path) {
        for (size_t i = 0; i < sizeof host / sizeof host[0]; i++)
                if (strcmp(host[i].path, path) == 0)
                        return host[i].type;
        return CJ_FT_MISSING;
}
static char *h_realpath(void *ctx, const char *path) {
        if (h_lstat(ctx, path) == CJ_FT_MISSING) {
                errno = ENOENT;
                return NULL;
        }
        return strdup(path);
}
static char *h_readlink(void *ctx, const char *path) {
        return NULL;
}
static int h_list(void *ctx, const char *path, cj_dir_list *out) {
        size_t n = strlen(path);
        for (size_t i = 0; i < sizeof host / sizeof host[0]; i++) {
                const char *p = host[i].path;
                if (strncmp(p, path, n) == 0 && p[n] == '/' && !strchr(p + n + 1, '/') &&
                    cj_dir_list_add(out, p + n + 1, host[i].type) < 0)
                        return -ENOMEM;
        }
        return 0;
}
static const cj_fs_probe probe = { h_lstat, h_realpath, h_readlink, h_list, NULL };

/* Kinds the plan uses to make a path read-only (protect) or unreadable (deny). */
static int plan_says(const cj_mount_plan *plan, const char *path) {
        int r = 0;
        for (size_t i = 0; i < plan->n; i++) {
                const cj_mount_op *op = &plan->ops[i];
                if (!cj_path_is_under(path, op->dst))
                        continue;
                if (op->kind == CJ_MNT_PROTECT || op->kind == CJ_MNT_PROTECT_NEW)
                        r |= 1;
                if (op->kind == CJ_MNT_MASK_DIR || op->kind == CJ_MNT_MASK_FILE)
                        r |= 2;
        }
        return r;
}

/* A profile with /usr ro and /ws rw plus the given lists, its plan over the
 * host above and the chain's view of it, built as every stage builds them. */
typedef struct stages {
        cj_profile p;
        cj_mount_plan plan;
        cj_vctx v;
} stages;

static void stages_build(stages *st) {
        cj_strv_push(&st->p.fs_ro, "/usr");
        cj_strv_push(&st->p.fs_rw, "/ws");
        cj_error err = { 0 };
        ck_assert_msg(cj_mount_plan_build(&st->p, NULL, NULL, &probe, &st->plan, &err) == 0, "%s", err.msg);
        st->v = (cj_vctx){ .profile = &st->p, .cwd = "/ws" };
        ck_assert_int_eq(cj_paths_prepare(&st->v), 0);
}

static void stages_free(stages *st) {
        cj_paths_release(&st->v);
        cj_mount_plan_clear(&st->plan);
        cj_strv_free(st->p.fs_ro);
        cj_strv_free(st->p.fs_rw);
        cj_strv_free(st->p.fs_deny);
        cj_strv_free(st->p.fs_deny_except);
        cj_strv_free(st->p.fs_protect);
}

START_TEST(stages_agree) {
        stages st = { 0 };
        cj_strv_push(&st.p.fs_deny, "/ws/**/.env");
        cj_strv_push(&st.p.fs_protect, "/ws/**/.git/hooks/");
        cj_strv_push(&st.p.fs_protect, "/ws/**/.git/config");
        cj_strv_push(&st.p.fs_protect, "/ws/build/");
        stages_build(&st);

        /* 1 protected, 2 denied */
        static const struct {
                const char *path;
                int want;
        } cases[] = {
                { "/ws/.git/hooks/pre-commit", 1 },
                { "/ws/.git/config", 1 },
                { "/ws/.git/configx", 0 },
                { "/ws/.git/modules/lib/hooks/post-checkout", 1 },
                { "/ws/.git/modules/lib/config", 1 },
                { "/ws/xgit/hooks/a", 0 },
                { "/ws/a/.env", 2 },
                { "/ws/a/.envrc", 0 },
                { "/ws/build/out.o", 1 },
                { "/ws/src/main.c", 0 },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                const char *path = cases[i].path;
                int want = cases[i].want;
                int module = (cj_pathpat_match_any(st.p.fs_protect, path) ? 1 : 0) |
                             (cj_pathpat_match_any(st.p.fs_deny, path) ? 2 : 0);
                int proto = (cj_proto_path_matches(path, st.p.fs_protect) ? 1 : 0) |
                            (cj_proto_path_matches(path, st.p.fs_deny) ? 2 : 0);
                unsigned k = cj_path_classify(path, &st.v);
                int chain = ((k & CJ_PATH_PROTECTED) ? 1 : 0) | ((k & CJ_PATH_DENIED) ? 2 : 0);
                int mounts = plan_says(&st.plan, path);
                ck_assert_msg(module == want && proto == want && chain == want && mounts == want,
                              "%s: want %d, matcher %d, request check %d, chain %d, plan %d", path, want, module,
                              proto, chain, mounts);
        }
        stages_free(&st);
}
END_TEST

/* filesystem.deny_except: every stage reopens exactly the paths the
 * exceptions name, and nothing below a path that stays masked. */
START_TEST(exceptions_agree) {
        stages st = { 0 };
        cj_strv_push(&st.p.fs_deny, "/ws/**/.env*");
        cj_strv_push(&st.p.fs_deny_except, "/ws/**/.env.example");
        stages_build(&st);
        static const struct {
                const char *path;
                bool masked;
        } cases[] = {
                { "/ws/a/.env", true },          { "/ws/a/.env.local", true }, { "/ws/a/.envrc", true },
                { "/ws/a/.env.example", false }, { "/ws/src/main.c", false }, { "/ws/tpl/.env.example", false },
                { "/ws/tpl/.env.example/.env", true }, /* a .env inside the template directory: its own mask */
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                const char *path = cases[i].path;
                bool module = cj_pathpat_masked(st.p.fs_deny, st.p.fs_deny_except, path);
                cj_proto_error perr;
                bool proto = cj_proto_check_target(&st.p, CJ_TOOL_READ, path, &perr) < 0;
                bool chain = (cj_path_classify(path, &st.v) & CJ_PATH_DENIED) != 0;
                bool mounts = (plan_says(&st.plan, path) & 2) != 0;
                ck_assert_msg(module == cases[i].masked && proto == cases[i].masked && chain == cases[i].masked &&
                                      mounts == cases[i].masked,
                              "%s: want %d, matcher %d, request check %d, chain %d, plan %d", path, cases[i].masked,
                              module, proto, chain, mounts);
        }
        /* an exception never reopens a file inside a masked directory */
        char *dd[] = { (char[]){ "/h/.ssh" }, NULL }, *dx[] = { (char[]){ "/h/.ssh/known_hosts" }, NULL };
        ck_assert(cj_pathpat_masked(dd, dx, "/h/.ssh/known_hosts"));
        ck_assert(cj_pathpat_masked(dd, dx, "/h/.ssh"));
        ck_assert(!cj_pathpat_masked(dd, dx, "/h/.sshx"));
        char *dx2[] = { (char[]){ "/h/.ssh" }, NULL };
        ck_assert(!cj_pathpat_masked(dd, dx2, "/h/.ssh/id_rsa")); /* reopening the named path reopens it whole */
        ck_assert(cj_pathpat_masked(dd, NULL, "/h/.ssh/id_rsa"));
        /* the plain-name path of the chain (no '/' in the word) */
        ck_assert((cj_path_classify(".env.example", &st.v) & CJ_PATH_DENIED) == 0);
        ck_assert((cj_path_classify(".env", &st.v) & CJ_PATH_DENIED) != 0);
        stages_free(&st);
}
END_TEST

/* The mask walk's incremental rule (cj_pathpat_walk_masked) against the full
 * definition (cj_pathpat_masked): random paths below several roots, each
 * asked one component at a time as the walk asks, as long as the path so far
 * is unmasked (the walk never descends into a masked directory). */
#define WALK_PATHS 2500
#define WALK_DEPTH 7

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void) {
        rnd_state ^= rnd_state << 13;
        rnd_state ^= rnd_state >> 7;
        rnd_state ^= rnd_state << 17;
        return rnd_state;
}

typedef struct walk_counts {
        size_t asked, masked, reopened, covered;
} walk_counts;

static void walk_agree(char *const *deny, char *const *except, const char *root, const char *const *alphabet,
                       size_t nalpha, walk_counts *c) {
        cj_pathpat_walk w;
        ck_assert_int_eq(cj_pathpat_walk_init(&w, deny, except, root), 0);
        bool whole = strcmp(root, "/") == 0;
        ck_assert(w.root_except == (!whole && cj_pathpat_match_any(except, root)));
        for (size_t n = 0; n < WALK_PATHS; n++) {
                char path[512];
                size_t len = whole ? 0 : (size_t) snprintf(path, sizeof path, "%s", root);
                bool parent_except = w.root_except;
                size_t depth = 1 + rnd() % WALK_DEPTH;
                for (size_t d = 0; d < depth; d++) {
                        len += (size_t) snprintf(path + len, sizeof path - len, "/%s", alphabet[rnd() % nalpha]);
                        bool covers = false;
                        bool got = cj_pathpat_walk_masked(&w, path, len, parent_except, &covers);
                        bool want = cj_pathpat_masked(deny, except, path);
                        ck_assert_msg(got == want, "below %s: %s: incremental %d, full %d", root, path, got, want);
                        bool file_got = cj_pathpat_walk_masked(&w, path, len, parent_except, NULL);
                        ck_assert_msg(file_got == want, "below %s: %s (not asking covers): %d, full %d", root, path,
                                      file_got, want);
                        c->asked++;
                        c->masked += want;
                        c->reopened += !want && cj_pathpat_match_any(deny, path);
                        if (want)
                                break; /* the walk masks it and goes no deeper */
                        bool cov_want = cj_pathpat_match_any(except, path);
                        ck_assert_msg(covers == cov_want, "below %s: %s: covered by an exception %d, full %d", root,
                                      path, covers, cov_want);
                        c->covered += covers;
                        parent_except = covers;
                }
        }
        cj_pathpat_walk_free(&w);
}

static cj_profile *load_default(const char *cwd, const char *home) {
        cj_profile_vars vars = { .cwd = cwd, .home = home };
        cj_profile *p = cj_test_shipped_profile("default", &vars);
        ck_assert_ptr_nonnull(p->fs_deny);
        ck_assert_ptr_nonnull(p->fs_deny_except);
        return p;
}

START_TEST(walk_rule_agrees) {
        static const char *const alphabet[] = {
                ".env", ".env.local", ".env.example", ".envrc", ".git", "modules", "hooks", "a", "b", "x.env",
                ".ssh", "proj", ".config", "gh",
        };
        const size_t na = sizeof alphabet / sizeof alphabet[0];
        walk_counts c = { 0 };
        /* The default profile: workspace and home apart, the same, and the
         * workspace inside home; roots at, above, below and beside the
         * patterns' prefixes (a masked root too). */
        static const struct {
                const char *cwd, *home;
                const char *roots[6];
        } setups[] = {
                { "/ws", "/h", { "/ws", "/", "/ws/a", "/h", "/ws/.env", NULL } },
                { "/h", "/h", { "/h", "/h/.config", "/h/a/.env.example", NULL } },
                { "/h/proj", "/h", { "/h/proj", "/h", "/h/proj/.git/modules", NULL } },
        };
        for (size_t i = 0; i < sizeof setups / sizeof setups[0]; i++) {
                cj_profile *p = load_default(setups[i].cwd, setups[i].home);
                for (size_t r = 0; setups[i].roots[r]; r++)
                        walk_agree(p->fs_deny, p->fs_deny_except, setups[i].roots[r], alphabet, na, &c);
                cj_profile_free(p);
        }
        /* Tails of several components, the submodule rule, a glob after a
         * '/', a tail that must not start inside its prefix ("/ws/hooks/a"),
         * exceptions below a masked name and a plain one below the root. */
        char *deny[] = { (char[]){ "/ws/**/.git/hooks" },   (char[]){ "/ws/**/a/.env*" },
                         (char[]){ "/**/x.env" },           (char[]){ "/ws/**/modules/b/" },
                         (char[]){ "/ws/a/b" },             (char[]){ "/ws/a/**/.git/config*" },
                         (char[]){ "/ws/hooks/**/hooks/a" }, NULL };
        char *except[] = { (char[]){ "/ws/**/.git/hooks/a" }, (char[]){ "/ws/**/a/.env.example" },
                           (char[]){ "/ws/.envrc" }, (char[]){ "/ws/**/hooks" }, (char[]){ "/ws/b/**/b" }, NULL };
        static const char *const roots[] = { "/ws", "/", "/ws/a", "/ws/.git/modules/a" };
        for (size_t r = 0; r < sizeof roots / sizeof roots[0]; r++) {
                walk_agree(deny, except, roots[r], alphabet, na, &c);
                walk_agree(deny, NULL, roots[r], alphabet, na, &c);
        }
        /* A plain "/" names no path but covers all: the full definition answers. */
        char *all[] = { (char[]){ "/" }, NULL };
        walk_agree(all, except, "/ws", alphabet, na, &c);
        walk_agree(deny, all, "/ws", alphabet, na, &c);
        /* The comparisons covered every outcome. */
        ck_assert_uint_gt(c.asked, 100000);
        ck_assert_uint_gt(c.masked, 10000);
        ck_assert_uint_gt(c.asked - c.masked, 10000);
        ck_assert_uint_gt(c.reopened, 1000);
        ck_assert_uint_gt(c.covered, 1000);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("pathpat");
        TCase *tc = tcase_create("pathpat");
        tcase_add_test(tc, matcher);
        tcase_add_test(tc, stages_agree);
        tcase_add_test(tc, exceptions_agree);
        tcase_add_test(tc, walk_rule_agrees);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
