/* SPDX-License-Identifier: MIT */
/* The strict git config parser and the revert of keys that run programs
 * (sandbox/gitconfig.h): what git writes parses, anything else does not, and
 * a revert keeps benign changes while restoring every dangerous key. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../cj_check.h"
#include "sandbox/gitconfig.h"

static const char *get(const cj_gitconfig *c, const char *key) {
        for (size_t i = 0; i < c->n; i++)
                if (strcmp(c->e[i].key, key) == 0)
                        return c->e[i].value ? c->e[i].value : "(bare)";
        return NULL;
}

START_TEST(parses_what_git_writes) {
        const char *t = "[core]\n\trepositoryformatversion = 0\n\tbare = false\n"
                        "[remote \"origin\"]\n\turl = https://x/y.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n"
                        "[branch \"Feat/A\"]\n\tremote = origin\n"
                        "[user]\n\tname = \"Ann \\\"A\\\" B\" # comment\n\temail = a@b ; c\n"
                        "[Sub.Sec]\n\tKey\n[x \"q\\\\\\\"z\"] k = v\n";
        cj_gitconfig c;
        ck_assert_int_eq(cj_gitconfig_parse(t, strlen(t), &c, NULL), 0);
        ck_assert_str_eq(get(&c, "core.bare"), "false");
        ck_assert_str_eq(get(&c, "remote.origin.url"), "https://x/y.git");
        ck_assert_str_eq(get(&c, "branch.Feat/A.remote"), "origin");
        ck_assert_str_eq(get(&c, "user.name"), "Ann \"A\" B");
        ck_assert_str_eq(get(&c, "user.email"), "a@b");
        ck_assert_str_eq(get(&c, "sub.sec.key"), "(bare)");
        ck_assert_str_eq(get(&c, "x.q\\\"z.k"), "v");
        cj_gitconfig_clear(&c);
}
END_TEST

START_TEST(rejects_what_it_cannot_read) {
        static const char *const bad[] = {
                "k = v\n",                         /* no section */
                "[core\n",                         /* unterminated header */
                "[core]\n\tpager = \"less\n",      /* unterminated quote */
                "[core]\n\tpager = a\\\n b\n",     /* continuation */
                "[core]\n\tpager = a\\q\n",        /* unknown escape */
                "[core]\n\t1pager = x\n",          /* bad name */
                "[core]\n\tpager x\n",             /* stray text */
                "[remote \"o]\n",                  /* unterminated subsection */
        };
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
                cj_gitconfig c;
                size_t line = 0;
                ck_assert_msg(cj_gitconfig_parse(bad[i], strlen(bad[i]), &c, &line) == -EINVAL, "accepted: %s", bad[i]);
                ck_assert_uint_ge(line, 1);
        }
        const char nul[] = "[core]\n\tbare = f\0alse\n";
        cj_gitconfig c;
        ck_assert_int_eq(cj_gitconfig_parse(nul, sizeof nul - 1, &c, NULL), -EINVAL);
}
END_TEST

START_TEST(dangerous_keys) {
        static const char *const yes[][2] = {
                { "core.hookspath", "x" },      { "core.fsmonitor", "x" },        { "core.sshcommand", "x" },
                { "core.pager", "less" },       { "core.editor", "vi" },          { "core.askpass", "x" },
                { "core.gitproxy", "x" },       { "sequence.editor", "x" },       { "diff.external", "x" },
                { "diff.a.textconv", "x" },     { "diff.a.command", "x" },        { "filter.lfs.clean", "x" },
                { "filter.lfs.smudge", "x" },   { "filter.lfs.process", "x" },    { "merge.m.driver", "x" },
                { "credential.helper", "x" },   { "credential.https://h.helper", "x" },
                { "alias.x", "!id" },           { "alias.y", "  !id" },           { "include.path", "x" },
                { "includeif.gitdir:/x/.path", "x" },                              { "remote.o.uploadpack", "x" },
                { "remote.o.receivepack", "x" }, { "gpg.program", "x" },          { "gpg.ssh.program", "x" },
                { "protocol.ext.allow", "always" }, { "protocol.allow", "always" }, { "pager.log", "x" },
                { "submodule.s.update", "!x" }, { "tar.tgz.command", "x" },       { "core.worktree", "/" },
        };
        for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
                ck_assert_msg(cj_gitconfig_key_dangerous(yes[i][0], yes[i][1]), "not dangerous: %s", yes[i][0]);
        static const char *const no[][2] = {
                { "user.email", "x" },  { "alias.st", "status" }, { "remote.o.url", "x" }, { "branch.b.merge", "x" },
                { "core.bare", "false" }, { "diff.renames", "true" }, { "submodule.s.update", "rebase" },
                { "core.autocrlf", "x" }, { "pull.rebase", "true" },
        };
        for (size_t i = 0; i < sizeof no / sizeof *no; i++)
                ck_assert_msg(!cj_gitconfig_key_dangerous(no[i][0], no[i][1]), "dangerous: %s", no[i][0]);
}
END_TEST

static char *revert(const char *old, const char *new, char ***keys) {
        cj_gitconfig o, n;
        ck_assert_int_eq(cj_gitconfig_parse(old, strlen(old), &o, NULL), 0);
        ck_assert_int_eq(cj_gitconfig_parse(new, strlen(new), &n, NULL), 0);
        char *out = NULL;
        size_t len = 0;
        int r = cj_gitconfig_revert(new, strlen(new), &o, &n, &out, &len, keys);
        ck_assert_int_ge(r, 0);
        cj_gitconfig_clear(&o);
        cj_gitconfig_clear(&n);
        return out;
}

START_TEST(revert_keeps_benign_changes) {
        const char *old = "[core]\n\tbare = false\n\tpager = less\n";
        const char *new = "[core]\n\tbare = false\n\tpager = sh -c id\n\tfsmonitor = ./x\n[user]\n\temail = a@b\n"
                          "[alias] evil = !id\n\tst = status\n";
        char **keys = NULL;
        char *out = revert(old, new, &keys);
        ck_assert_ptr_nonnull(out);
        cj_gitconfig c;
        ck_assert_int_eq(cj_gitconfig_parse(out, strlen(out), &c, NULL), 0);
        ck_assert_str_eq(get(&c, "core.pager"), "less");
        ck_assert_ptr_null(get(&c, "core.fsmonitor"));
        ck_assert_ptr_null(get(&c, "alias.evil"));
        ck_assert_str_eq(get(&c, "alias.st"), "status");
        ck_assert_str_eq(get(&c, "user.email"), "a@b");
        size_t nk = 0;
        while (keys[nk])
                free(keys[nk++]);
        ck_assert_uint_eq(nk, 3); /* core.pager, core.fsmonitor, alias.evil */
        free(keys);
        cj_gitconfig_clear(&c);
        free(out);

        keys = NULL;
        out = revert(old, "[core]\n\tpager = less\n\tbare = false\n[user]\n\tname = x\n", &keys);
        ck_assert_ptr_null(out); /* the same dangerous entries: nothing to revert */
        ck_assert_ptr_null(keys);

        out = revert(old, "[core]\n\tbare = false\n", &keys); /* removing one counts too */
        ck_assert_ptr_nonnull(out);
        ck_assert_ptr_nonnull(strstr(out, "pager = less"));
        free(keys[0]);
        free(keys);
        free(out);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("gitconfig");
        TCase *tc = tcase_create("pure");
        tcase_add_test(tc, parses_what_git_writes);
        tcase_add_test(tc, rejects_what_it_cannot_read);
        tcase_add_test(tc, dangerous_keys);
        tcase_add_test(tc, revert_keeps_benign_changes);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
