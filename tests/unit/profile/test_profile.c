/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cj_check.h"
#include "profile/profile.h"
#include "util/cleanup.h"

static const cj_profile_vars vars = { .cwd = "/work/ws", .home = "/home/u", .task_dir = NULL };

static cj_profile *load_ok(const char *text) {
        cj_profile *p = NULL;
        cj_error err = { 0 };
        int r = cj_profile_load_string(text, "t.json", &vars, &p, &err);
        ck_assert_msg(r == 0, "load failed: %s", err.msg);
        return p;
}

static void load_fails(const char *text, int code, const char *needle) {
        cj_profile *p = NULL;
        cj_error err = { 0 };
        int r = cj_profile_load_string(text, "t.json", &vars, &p, &err);
        ck_assert_int_eq(r, -code);
        ck_assert_ptr_null(p);
        ck_assert_msg(strstr(err.msg, needle), "message '%s' lacks '%s'", err.msg, needle);
}

START_TEST(defaults_and_expansion) {
        cj_profile *p = load_ok("{\"filesystem\":{\"rw\":[\"${CWD}\"],\"deny\":[\"${HOME}/.ssh\",\"${TASK_DIR}/x\","
                                "\"${CWD}/**/.env\"],\"ro\":[\"/usr//lib/../bin/\"]},"
                                "\"env\":{\"set\":{\"HOME\":\"${HOME}\",\"T\":\"${TASK_DIR}\"}}}");
        ck_assert_str_eq(p->fs_rw[0], "/work/ws");
        ck_assert_str_eq(p->fs_ro[0], "/usr/bin");
        ck_assert_str_eq(p->fs_deny[0], "/home/u/.ssh");
        ck_assert_str_eq(p->fs_deny[1], "/work/ws/**/.env"); /* ${TASK_DIR} entry dropped */
        ck_assert_ptr_null(p->fs_deny[2]);
        ck_assert_str_eq(p->env_set[0], "HOME=/home/u");
        ck_assert_ptr_null(p->env_set[1]);
        ck_assert_int_eq(p->network, CJ_NET_NONE);
        ck_assert_int_eq(p->validation_default, CJ_VERDICT_ASK); /* the safe default */
        ck_assert_str_eq(p->seccomp, "default");
        ck_assert_int_eq(p->limits.memory_mb, CJ_PROFILE_UNLIMITED);
        ck_assert_int_eq(p->run_as_uid, 65534);
        ck_assert_int_eq(strlen(p->sha256), 64);
        cj_profile_free(p);
}
END_TEST

START_TEST(unknown_keys_and_types_named) {
        load_fails("{\"filesytem\":{}}", EINVAL, "t.json: filesytem: unknown key");
        load_fails("{\"limits\":{\"memory_mb\":\"lots\"}}", EINVAL, "t.json: limits.memory_mb: expected an integer");
        load_fails("{\"limits\":{\"pids\":-1}}", EINVAL, "limits.pids");
        load_fails("{\"filesystem\":{\"ro\":[\"/a\", 3]}}", EINVAL, "filesystem.ro[1]");
        load_fails("{\"filesystem\":{\"ro\":[\"relative\"]}}", EINVAL, "not an absolute path");
        load_fails("{\"network\":\"internet\"}", EINVAL, "network: unknown value 'internet'");
        load_fails("{\"validation\":{\"rules\":[{\"match\":[\"git\"]}]}}", EINVAL, "needs both");
        load_fails("{\"validation\":{\"rules\":[{\"match\":[],\"verdict\":\"allow\"}]}}", EINVAL, "at least");
        load_fails("{\"run_as\":0}", EINVAL, "never root");
        load_fails("{\"run_as\":\"root\"}", EINVAL, "never runs as root");
        load_fails("{\"env\":{\"set\":{\"A\":1}}}", EINVAL, "env.set.A");
        load_fails("{\"filesystem\":{\"rw\":[\"${NOPE}/x\"]}}", EINVAL, "unknown variable ${NOPE}");
        load_fails("{\"a\":1,\"a\":2}", EINVAL, "t.json:1:");
        load_fails("{\"description\": ", EINVAL, "invalid JSON");
        load_fails("[]", EINVAL, "a profile is a JSON object");
}
END_TEST

/* A '*' or "**" the matcher would take for a literal name (the entry would
 * mask or protect nothing) is refused, naming the list, the entry and why;
 * the forms util/pathpat.h gives a meaning to load. */
START_TEST(patterns_without_a_meaning_refused) {
        static const struct {
                const char *list, *pat, *why;
        } bad[] = {
                { "protect", "${CWD}/**/foo*/", "ends in \"*/\"" },
                { "deny", "${CWD}/**/*", "has a '*' that does not end its last name" },
                { "deny", "${CWD}/**/a*b", "has a '*' that does not end its last name" },
                { "deny", "${CWD}/**/sec*/prod.key", "has a '*' that does not end its last name" },
                { "deny", "${CWD}/secrets/**", "ends in \"/**\"" },
                { "deny", "${CWD}/.env*", "has a '*' outside a \"**\" pattern" },
                { "deny_except", "${CWD}/**/a/**/b", "has a '*' before its \"**\" or a second \"**\"" },
                { "protect", "${CWD}/x*/**/.env", "has a '*' before its \"**\"" },
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                char text[256], want[160];
                snprintf(text, sizeof text, "{\"filesystem\":{\"%s\":[\"/a\",\"%s\"]}}", bad[i].list, bad[i].pat);
                snprintf(want, sizeof want, "filesystem.%s[1]: '%s' %s", bad[i].list, bad[i].pat, bad[i].why);
                load_fails(text, EINVAL, want);
        }
        cj_profile *p = load_ok("{\"filesystem\":{\"deny\":[\"${CWD}/**/.env*\",\"${CWD}/**/secrets/prod.key\"],"
                                "\"ro\":[\"/usr/x*\"],\"protect\":[\"${CWD}/**/.git/hooks/\"]}}");
        ck_assert_str_eq(p->fs_deny[0], "/work/ws/**/.env*");
        ck_assert_str_eq(p->fs_ro[0], "/usr/x*"); /* a root's name is a name */
        cj_profile_free(p);
}
END_TEST

/* Issue 7 §2: every limit and budget key has a maximum, refused with file and
 * key named; the maxima themselves load, and every product formed from them
 * fits in 64 bits.  Before: fsize_mb = 2^44 + 1 loaded and became 1 MiB. */
START_TEST(limit_maxima_named) {
        static const struct {
                const char *section, *key;
                double max;
        } keys[] = {
                { "limits", "memory_mb", (double) CJ_LIMIT_MEMORY_MB_MAX },
                { "limits", "pids", (double) CJ_LIMIT_PIDS_MAX },
                { "limits", "cpu_s", (double) CJ_LIMIT_SECONDS_MAX },
                { "limits", "wall_s", (double) CJ_LIMIT_SECONDS_MAX },
                { "limits", "fsize_mb", (double) CJ_LIMIT_FSIZE_MB_MAX },
                { "limits", "nofile", (double) CJ_LIMIT_NOFILE_MAX },
                { "limits", "output_bytes", (double) CJ_LIMIT_OUTPUT_BYTES_MAX },
                { "budget", "calls", (double) CJ_BUDGET_CALLS_MAX },
                { "budget", "wall_s", CJ_BUDGET_SECONDS_MAX },
                { "budget", "cpu_s", CJ_BUDGET_SECONDS_MAX },
                { "budget", "output_bytes", (double) CJ_BUDGET_OUTPUT_BYTES_MAX },
                { "budget", "tokens", (double) CJ_BUDGET_TOKENS_MAX },
                { "budget", "cost_usd", CJ_BUDGET_COST_USD_MAX },
                { "budget", "repeat_limit", (double) CJ_BUDGET_REPEAT_MAX },
                { "budget", "stall_limit", (double) CJ_BUDGET_REPEAT_MAX },
        };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(keys); i++) {
                char text[200], needle[100];
                snprintf(text, sizeof text, "{\"%s\":{\"%s\":%.0f}}", keys[i].section, keys[i].key, keys[i].max);
                cj_profile_free(load_ok(text));
                snprintf(text, sizeof text, "{\"%s\":{\"%s\":%.0f}}", keys[i].section, keys[i].key,
                         keys[i].max + 1);
                snprintf(needle, sizeof needle, "t.json: %s.%s: ", keys[i].section, keys[i].key);
                load_fails(text, ERANGE, needle);
                load_fails(text, ERANGE, "above the maximum");
                snprintf(text, sizeof text, "{\"%s\":{\"%s\":9223372036854775807}}", keys[i].section,
                         keys[i].key);
                load_fails(text, ERANGE, needle);
        }
        load_fails("{\"limits\":{\"fsize_mb\":17592186044417}}", ERANGE, "limits.fsize_mb: 17592186044417");
        load_fails("{\"budget\":{\"cost_usd\":1e300}}", ERANGE, "budget.cost_usd");

        /* At the maxima, the sandbox's products fit. */
        cj_profile *p = load_ok("{\"limits\":{\"memory_mb\":16777216,\"fsize_mb\":1073741824,\"wall_s\":31622400}}");
        ck_assert_int_eq(p->limits.fsize_mb, CJ_LIMIT_FSIZE_MB_MAX);
        int64_t v = 0;
        ck_assert_int_eq(cj_limit_scale(p->limits.fsize_mb, 1 << 20, &v), 0);
        ck_assert_int_eq(v, INT64_C(1) << 50);
        ck_assert_int_eq(cj_limit_scale(p->limits.memory_mb, 1 << 20, &v), 0);
        ck_assert_int_eq(v, INT64_C(1) << 44);
        ck_assert_int_eq(cj_limit_ms(p->limits.wall_s), INT64_C(31622400000));
        cj_profile_free(p);
        /* Checked arithmetic itself. */
        /* 2^44 + 1 MiB: the value that used to wrap to 1 MiB. */
        ck_assert_int_eq(cj_limit_scale(INT64_C(17592186044417), INT64_C(1) << 20, &v), -EOVERFLOW);
        ck_assert_int_eq(cj_limit_scale(INT64_MAX / 2 + 1, 2, &v), -EOVERFLOW);
        ck_assert_int_eq(cj_limit_scale(-1, 2, &v), -EOVERFLOW);
        ck_assert_int_eq(cj_limit_ms(INT64_MAX / 10), INT64_MAX);
}
END_TEST

START_TEST(list_limit) {
        size_t n = CJ_PROFILE_LIST_MAX + 1;
        char *text = malloc(n * 8 + 64);
        char *w = text + sprintf(text, "{\"filesystem\":{\"ro\":[");
        for (size_t i = 0; i < n; i++)
                w += sprintf(w, "%s\"/a\"", i ? "," : "");
        strcpy(w, "]}}");
        load_fails(text, E2BIG, "more than 256 entries");
        free(text);
}
END_TEST

/* extends resolves by name through $CLAWJAIL_PROFILE_PATH. */
static char profdir[] = "/tmp/cjprof.XXXXXX";

/* The suite leaves nothing in /tmp. */
static void remove_profdir(void) {
        char path[256];
        static const char *const files[] = { "base.json", "loop.json" };
        for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
                snprintf(path, sizeof path, "%s/%s", profdir, files[i]);
                unlink(path);
        }
        rmdir(profdir);
}

static void write_parent(void) {
        ck_assert_ptr_nonnull(mkdtemp(profdir));
        atexit(remove_profdir);
        char path[256];
        snprintf(path, sizeof path, "%s/base.json", profdir);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs("{\"filesystem\":{\"ro\":[\"/usr\",\"/etc\"],\"rw\":[\"${CWD}\"],\"deny\":[\"${HOME}/.ssh\",\"${CWD}/**/.env*\"],"
              "\"deny_except\":[\"${CWD}/**/.env.example\"]},\"network\":\"loopback\",\"limits\":{\"memory_mb\":1024,\"pids\":100},"
              "\"validation\":{\"default\":\"ask\",\"rules\":[{\"match\":[\"git\",\"push\"],\"verdict\":\"deny\"}]},"
              "\"env\":{\"keep\":[\"TERM\",\"LANG\"],\"set\":{\"A\":\"1\"}}}",
              f);
        fclose(f);
        snprintf(path, sizeof path, "%s/loop.json", profdir);
        f = fopen(path, "w");
        fputs("{\"extends\":\"loop\"}", f);
        fclose(f);
        setenv("CLAWJAIL_PROFILE_PATH", profdir, 1);
}

START_TEST(extends_narrows) {
        write_parent();
        cj_profile *p = load_ok("{\"extends\":\"base\",\"filesystem\":{\"rw\":[],\"ro\":[\"/usr\",\"${CWD}/src\"],"
                                "\"deny\":[\"/etc/shadow\"]},\"network\":\"none\",\"limits\":{\"memory_mb\":512},"
                                "\"validation\":{\"rules\":[{\"match\":[\"rm\"],\"verdict\":\"deny\"}]},"
                                "\"env\":{\"keep\":[\"TERM\"],\"set\":{\"B\":\"2\"}}}");
        ck_assert_int_eq(cj_strv_len(p->fs_rw), 0);
        ck_assert_str_eq(p->fs_ro[1], "/work/ws/src");
        ck_assert_str_eq(p->fs_deny[0], "/home/u/.ssh"); /* deny is a union: a child cannot unmask */
        ck_assert_str_eq(p->fs_deny[2], "/etc/shadow");
        ck_assert_str_eq(p->fs_deny_except[0], "/work/ws/**/.env.example"); /* inherited */
        ck_assert_int_eq(p->network, CJ_NET_NONE);
        ck_assert_int_eq(p->limits.memory_mb, 512);
        ck_assert_int_eq(p->limits.pids, 100); /* inherited */
        ck_assert_int_eq(p->n_rules, 2);
        ck_assert_int_eq(cj_strv_len(p->env_keep), 1);
        ck_assert_int_eq(cj_strv_len(p->env_set), 2);
        cj_profile_free(p);

        load_fails("{\"extends\":\"base\",\"filesystem\":{\"rw\":[\"/etc\"]}}", EPERM, "filesystem.rw: /etc");
        load_fails("{\"extends\":\"base\",\"filesystem\":{\"ro\":[\"/home\"]}}", EPERM, "filesystem.ro: /home");
        load_fails("{\"extends\":\"base\",\"network\":\"host\"}", EPERM, "network: host");
        load_fails("{\"extends\":\"base\",\"limits\":{\"memory_mb\":2048}}", EPERM, "limits.memory_mb: 2048");
        load_fails("{\"extends\":\"base\",\"validation\":{\"default\":\"allow\"}}", EPERM, "validation.default");
        load_fails("{\"extends\":\"base\",\"validation\":{\"rules\":[{\"match\":[\"x\"],\"verdict\":\"allow\"}]}}",
                   EPERM, "allow rule");
        load_fails("{\"extends\":\"base\",\"validation\":{\"off\":[\"eval\"]}}", EPERM, "validation.off");
        load_fails("{\"extends\":\"base\",\"env\":{\"keep\":[\"AWS_SECRET_ACCESS_KEY\"]}}", EPERM, "env.keep");
        load_fails("{\"extends\":\"base\",\"seccomp\":\"strict\"}", EPERM, "seccomp");
        /* an exception the parent does not make reopens a masked path: widening */
        load_fails("{\"extends\":\"base\",\"filesystem\":{\"deny_except\":[\"${CWD}/**/.env.local\"]}}", EPERM,
                   "filesystem.deny_except: /work/ws/**/.env.local");
        load_fails("{\"extends\":\"missing-profile\"}", ENOENT, "no profile named 'missing-profile'");
        load_fails("{\"extends\":\"loop\"}", ELOOP, "cycle");

        /* Widening is possible, but only when said. */
        p = load_ok("{\"extends\":\"base\",\"widen\":[\"network\",\"filesystem\"],\"network\":\"host\","
                    "\"filesystem\":{\"rw\":[\"/var/cache\"]}}");
        ck_assert_int_eq(p->network, CJ_NET_HOST);
        ck_assert_str_eq(p->fs_rw[0], "/var/cache");
        ck_assert_ptr_null(json_object_get(p->resolved, "widen")); /* not inherited */
        cj_profile_free(p);

        /* Dropping an exception masks more: narrowing, no widen needed. */
        p = load_ok("{\"extends\":\"base\",\"filesystem\":{\"deny_except\":[]}}");
        ck_assert_int_eq(cj_strv_len(p->fs_deny_except), 0);
        cj_profile_free(p);
}
END_TEST

START_TEST(shipped_profiles_load) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/profiles", getenv("CLAWJAIL_SOURCE_DIR"));
        setenv("CLAWJAIL_PROFILE_PATH", dir, 1);
        static const char *const names[] = { "default", "readonly", "build", "net" };
        char *hashes[4];
        for (size_t i = 0; i < 4; i++) {
                cj_profile *p = NULL;
                cj_error err = { 0 };
                ck_assert_msg(cj_profile_load(names[i], &vars, &p, &err) == 0, "%s: %s", names[i], err.msg);
                hashes[i] = strdup(p->sha256);
                if (strcmp(names[i], "default") == 0) {
                        ck_assert(cj_strv_contains(p->fs_deny, "/home/u/.ssh"));
                        ck_assert(cj_strv_contains(p->fs_deny, "/home/u/.aws"));
                        ck_assert(cj_strv_contains(p->fs_deny, "/home/u/.openclaw"));
                        ck_assert(cj_strv_contains(p->fs_deny, "/work/ws/**/.env*"));
                        ck_assert(cj_strv_contains(p->fs_protect, "/work/ws/**/.git/hooks/"));
                        /* .git/config is writable; dangerous keys are reverted after a call (gitguard.h) */
                        ck_assert(!cj_strv_contains(p->fs_protect, "/work/ws/**/.git/config"));
                        ck_assert_int_eq(p->network, CJ_NET_NONE);
                }
                if (strcmp(names[i], "readonly") == 0)
                        ck_assert_int_eq(cj_strv_len(p->fs_rw), 0);
                if (strcmp(names[i], "net") == 0)
                        ck_assert_int_eq(p->network, CJ_NET_HOST);
                cj_profile_free(p);
        }
        for (size_t i = 0; i < 4; i++)
                for (size_t j = i + 1; j < 4; j++)
                        ck_assert_str_ne(hashes[i], hashes[j]);
        for (size_t i = 0; i < 4; i++)
                free(hashes[i]);
        cj_profile *a = NULL, *b = NULL;
        ck_assert_int_eq(cj_profile_load("default", &vars, &a, NULL), 0);
        ck_assert_int_eq(cj_profile_load("default", &vars, &b, NULL), 0);
        ck_assert_str_eq(a->sha256, b->sha256); /* stable: approval tokens depend on it */
        cj_profile_free(a);
        cj_profile_free(b);
        ck_assert_int_eq(cj_profile_load("../etc/passwd", &vars, &a, NULL), -ENOENT);
        ck_assert_int_eq(cj_profile_load("bad name", &vars, &a, NULL), -EINVAL);
}
END_TEST

static bool has_rule(const cj_profile *p, const char *a, const char *b, cj_verdict v) {
        for (size_t i = 0; i < p->n_rules; i++) {
                char **m = p->rules[i].match;
                if (p->rules[i].verdict == v && strcmp(m[0], a) == 0 && (!b || (m[1] && strcmp(m[1], b) == 0)))
                        return true;
        }
        return false;
}

/* validation.include: shipped rule sets by name, an operator's by path; the
 * included rules come first and behave like the profile's own. */
START_TEST(rule_set_includes) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/profiles", getenv("CLAWJAIL_SOURCE_DIR"));
        setenv("CLAWJAIL_PROFILE_PATH", dir, 1);
        cj_profile *p = NULL;
        ck_assert_int_eq(cj_profile_load("default", &vars, &p, NULL), 0);
        ck_assert(has_rule(p, "git", "push", CJ_VERDICT_ASK));      /* publish */
        ck_assert(has_rule(p, "kubectl", "apply", CJ_VERDICT_ASK)); /* deploy */
        ck_assert(has_rule(p, "git", "stash", CJ_VERDICT_ASK));     /* discard: stash clear */
        ck_assert(has_rule(p, "shutdown", NULL, CJ_VERDICT_DENY));  /* the profile's own */
        cj_profile_free(p);

        char tmpl[] = "/tmp/cj-rules-XXXXXX";
        ck_assert_ptr_nonnull(mkdtemp(tmpl));
        char set[128], prof[512];
        snprintf(set, sizeof set, "%s/mine.json", tmpl);
        FILE *f = fopen(set, "w");
        ck_assert_ptr_nonnull(f);
        fputs("{\"description\":\"x\",\"rules\":[{\"match\":[\"make\",\"deploy\"],\"verdict\":\"ask\"}]}", f);
        fclose(f);
        snprintf(prof, sizeof prof, "{\"extends\":\"default\",\"validation\":{\"include\":[\"%s\"],"
                                    "\"rules\":[{\"match\":[\"make\",\"release\"],\"verdict\":\"deny\"}]}}", set);
        p = load_ok(prof);
        ck_assert(has_rule(p, "make", "deploy", CJ_VERDICT_ASK));
        ck_assert(has_rule(p, "make", "release", CJ_VERDICT_DENY));
        ck_assert(has_rule(p, "git", "push", CJ_VERDICT_ASK)); /* the parent's stay */
        cj_profile_free(p);

        load_fails("{\"validation\":{\"include\":[\"no-such-set\"]}}", ENOENT, "no rule set named 'no-such-set'");
        load_fails("{\"validation\":{\"include\":[\"../cj-no-such-dir/x.json\"]}}", ENOENT, "validation.include");
        f = fopen(set, "w");
        fputs("{\"rules\":[{\"match\":[\"x\"],\"verdict\":\"ask\"}],\"extra\":1}", f);
        fclose(f);
        snprintf(prof, sizeof prof, "{\"validation\":{\"include\":[\"%s\"]}}", set);
        load_fails(prof, EINVAL, "extra: unknown key");
        unlink(set);
        rmdir(tmpl);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("profile");
        TCase *tc = tcase_create("load");
        tcase_add_test(tc, defaults_and_expansion);
        tcase_add_test(tc, unknown_keys_and_types_named);
        tcase_add_test(tc, patterns_without_a_meaning_refused);
        tcase_add_test(tc, list_limit);
        tcase_add_test(tc, limit_maxima_named);
        tcase_add_test(tc, extends_narrows);
        tcase_add_test(tc, shipped_profiles_load);
        tcase_add_test(tc, rule_set_includes);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
