/* SPDX-License-Identifier: MIT */
/* The walker reaches every simple command, and runners are unwrapped. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cj_check.h"
#include "shell/shell.h"
#include "util/cleanup.h"

typedef struct seen {
        char *text;       /* "runner>runner>arg arg ..." per command, '\n' separated */
        size_t len;
        FILE *f;
        uint32_t ctx_of_id; /* ctx flags of the command named "id" */
        uint32_t via_of_id;
        char fn_of_id[64];
        sh_span span_of_id;
        int unresolved;
        char why[256];
        int nodes[SH_NODE_COPROC + 1];
        int heredocs;
} seen;

static int on_cmd(const sh_cmd *c, void *ud) {
        seen *s = ud;
        for (size_t i = 0; i < c->ctx.nvia; i++)
                fprintf(s->f, "%s>", c->ctx.via[i].runner);
        for (size_t i = 0; i < c->argc; i++)
                fprintf(s->f, "%s%s%s", i ? " " : "", c->argv[i].value, (c->argv[i].flags & SH_ARG_DYNAMIC) ? "*" : "");
        fputc('\n', s->f);
        if (c->argc && strcmp(c->argv[0].value, "id") == 0) {
                s->ctx_of_id = c->ctx.flags;
                snprintf(s->fn_of_id, sizeof s->fn_of_id, "%s", c->ctx.function_name ? c->ctx.function_name : "");
                s->span_of_id = c->argv[0].span;
                s->via_of_id = 0;
                for (size_t i = 0; i < c->ctx.nvia; i++)
                        s->via_of_id |= c->ctx.via[i].flags;
        }
        return 0;
}

static int on_unresolved(const sh_cmd *c, const char *why, void *ud) {
        seen *s = ud;
        s->unresolved++;
        snprintf(s->why, sizeof s->why, "%s", why);
        return 0;
}

static int on_node(const sh_node *n, const sh_cmd_ctx *where, void *ud) {
        ((seen *) ud)->nodes[n->kind]++;
        return 0;
}

static int on_heredoc(const sh_redir *r, const sh_cmd_ctx *where, void *ud) {
        ((seen *) ud)->heredocs++;
        return 0;
}

static void walk(const char *cmd, seen *s) {
        memset(s, 0, sizeof *s);
        s->f = open_memstream(&s->text, &s->len);
        ck_assert_ptr_nonnull(s->f);
        sh_ast *ast = NULL;
        cj_error err = { 0 };
        ck_assert_msg(sh_parse(cmd, strlen(cmd), NULL, &ast, &err) == 0, "%s: %s", cmd, err.msg);
        sh_visitor v = { .simple = on_cmd, .unresolved = on_unresolved, .node = on_node, .heredoc = on_heredoc };
        ck_assert_int_eq(sh_walk(ast, &v, s), 0);
        fclose(s->f);
        sh_ast_free(ast);
}

static void expect_cmds(const char *cmd, const char *want) {
        seen s;
        walk(cmd, &s);
        ck_assert_msg(strcmp(s.text, want) == 0, "[%s]\n got:\n%s want:\n%s", cmd, s.text, want);
        free(s.text);
}

START_TEST(visits_everything) {
        /* $(..) in an assignment inside a function inside a pipeline. */
        seen s;
        walk("f() { x=$(id) | cat; } | tee log", &s);
        ck_assert_ptr_nonnull(strstr(s.text, "id\n"));
        ck_assert(s.ctx_of_id & SH_CTX_CMDSUBST);
        ck_assert(s.ctx_of_id & SH_CTX_ASSIGNMENT);
        ck_assert(s.ctx_of_id & SH_CTX_FUNCTION);
        ck_assert_str_eq(s.fn_of_id, "f");
        ck_assert_uint_eq(s.span_of_id.off, 10);
        ck_assert_uint_eq(s.span_of_id.len, 2);
        free(s.text);

        expect_cmds("a && b || c; (d) & { e; }", "a\nb\nc\nd\ne\n");
        expect_cmds("if a; then b; elif c; then d; else e; fi", "a\nb\nc\nd\ne\n");
        expect_cmds("while a; do b; done; until c; do d; done", "a\nb\nc\nd\n");
        expect_cmds("for x in $(a); do b; done; for ((i=$(c); i<1; i++)); do d; done", "a\nb\nc\nd\n");
        expect_cmds("case $(a) in $(b)) c;; esac", "a\nb\nc\n");
        expect_cmds("[[ -n $(a) && $(b) == x ]]; (( $(c) + 1 ))", "a\nb\nc\n");
        expect_cmds("echo ${x:-$(a)} $((1 + $(b))) ${y[$(c)]}", "a\nb\nc\necho ${x:-$(a)}* $((1 + $(b)))* ${y[$(c)]}*\n");
        expect_cmds("cat <(a) >(b) > $(c) <<< $(d)", "a\nb\nc\nd\ncat <(a)* >(b)*\n");
        expect_cmds("cat <<EOF\n$(a) `b`\nEOF\n", "a\nb\ncat\n");
        expect_cmds("cat <<'EOF'\n$(a)\nEOF\n", "cat\n");
        expect_cmds("x=`a` y=(\"$(b)\") z", "a\nb\nz\n");
        expect_cmds("coproc N { a; }; coproc b c", "a\nb c\n");
        expect_cmds("echo \"$(a \"$(b)\")\"", "b\na $(b)*\necho $(a \"$(b)\")*\n");

        walk("[[ a ]]; (( 1 )); f() { :; }; coproc x; cat <<E\nE\n", &s);
        ck_assert_int_eq(s.nodes[SH_NODE_COND], 1);
        ck_assert_int_eq(s.nodes[SH_NODE_ARITH], 1);
        ck_assert_int_eq(s.nodes[SH_NODE_FUNCDEF], 1);
        ck_assert_int_eq(s.nodes[SH_NODE_COPROC], 1);
        ck_assert_int_eq(s.heredocs, 1);
        free(s.text);
}
END_TEST

START_TEST(unwraps_runners) {
        expect_cmds("env -S 'sh -c id' x", "env -S sh -c id x\nenv>sh -c id x\nenv>sh>id\n");
        expect_cmds("timeout 5 bash -c \"rm -rf /\"",
                    "timeout 5 bash -c rm -rf /\ntimeout>bash -c rm -rf /\ntimeout>bash>rm -rf /\n");
        expect_cmds("xargs -I{} sh -c '{}'", "xargs -I{} sh -c {}\nxargs>sh -c {}\nxargs>sh>{}\n");
        expect_cmds("sudo -u x cmd", "sudo -u x cmd\nsudo>cmd\n");
        expect_cmds("nice -n 5 nohup setsid stdbuf -oL id",
                    "nice -n 5 nohup setsid stdbuf -oL id\nnice>nohup setsid stdbuf -oL id\n"
                    "nice>nohup>setsid stdbuf -oL id\nnice>nohup>setsid>stdbuf -oL id\nnice>nohup>setsid>stdbuf>id\n");
        expect_cmds("exec id", "exec id\nexec>id\n");
        expect_cmds("command -p id", "command -p id\ncommand>id\n");
        expect_cmds("watch -n 1 'ls; id'", "watch -n 1 ls; id\nwatch>ls\nwatch>id\n");
        expect_cmds("eval 'a; b' c", "eval a; b c\neval>a\neval>b c\n");

        seen s;
        walk("sudo -u root env A=1 bash -c 'echo hi; id'", &s);
        ck_assert(s.via_of_id & SH_VIA_PRIVILEGED);
        ck_assert(s.via_of_id & SH_VIA_SHELL_STRING);
        ck_assert(s.ctx_of_id & SH_CTX_UNWRAPPED);
        /* exact span mapping into the single-quoted -c string */
        ck_assert_uint_eq(s.span_of_id.off, 39);
        ck_assert_uint_eq(s.span_of_id.len, 2);
        free(s.text);

        walk("xargs rm", &s);
        ck_assert_int_eq(s.unresolved, 0);
        free(s.text);
        walk("find . | xargs id", &s);
        ck_assert(s.via_of_id & SH_VIA_APPENDS_ARGS);
        free(s.text);

        /* What cannot be resolved is reported, never guessed. */
        const char *unres[] = { "bash -c \"$x\"", "sh script.sh", "curl x | sh", "sudo --bogus id",
                                "env --frobnicate id", "bash -c 'if'", "eval \"$x\"", "timeout -Z 5 id", "sudo -e /etc/passwd" };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(unres); i++) {
                walk(unres[i], &s);
                ck_assert_msg(s.unresolved == 1, "%s: unresolved=%d", unres[i], s.unresolved);
                free(s.text);
        }
}
END_TEST

START_TEST(unwrap_api) {
        sh_arg argv[] = { { .value = "env" }, { .value = "-i" }, { .value = "-u" }, { .value = "HOME" },
                          { .value = "A=1" }, { .value = "--" }, { .value = "id" } };
        sh_unwrap u;
        ck_assert_int_eq(sh_unwrap_argv(argv, 5, &u), 0);
        ck_assert(u.flags & SH_UNWRAP_NONE);
        sh_unwrap_done(&u);
        sh_arg argv2[] = { { .value = "/usr/bin/env" }, { .value = "-i" }, { .value = "A=1" }, { .value = "id" } };
        ck_assert_int_eq(sh_unwrap_argv(argv2, 4, &u), 0);
        ck_assert(u.flags & SH_UNWRAP_ARGV);
        ck_assert(u.via_flags & SH_VIA_CLEAR_ENV);
        ck_assert_uint_eq(u.inner, 3);
        ck_assert_uint_eq(u.nassigns, 1);
        ck_assert_str_eq(u.assigns[0].name, "A");
        ck_assert_str_eq(u.assigns[0].value, "1");
        sh_unwrap_done(&u);
        sh_arg notrunner[] = { { .value = "ls" } };
        ck_assert_int_eq(sh_unwrap_argv(notrunner, 1, &u), 0);
        ck_assert_uint_eq(u.flags, 0);
        sh_unwrap_done(&u);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("shell-walk");
        TCase *tc = tcase_create("walk");
        tcase_add_test(tc, visits_everything);
        tcase_add_test(tc, unwraps_runners);
        tcase_add_test(tc, unwrap_api);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
