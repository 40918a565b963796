/* SPDX-License-Identifier: MIT */
/* AST shapes (via sh_ast_dump), static resolution, limits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "../cj_check.h"
#include "shell/shell.h"
#include "util/cleanup.h"

static char *dump(const char *cmd) {
        sh_ast *ast = NULL;
        cj_error err = { 0 };
        int r = sh_parse(cmd, strlen(cmd), NULL, &ast, &err);
        ck_assert_msg(r == 0, "parse of [%s] failed: %s", cmd, err.msg);
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(sh_ast_dump(ast, f), 0);
        fclose(f);
        sh_ast_free(ast);
        if (len && buf[len - 1] == '\n')
                buf[len - 1] = '\0';
        return buf;
}

static const struct {
        const char *cmd, *ast;
} shapes[] = {
        { "a && b || c; d &",
          "(list (simple (w \"a\")) && (simple (w \"b\")) || (simple (w \"c\")) ; (simple (w \"d\")) &)" },
        { "! time -p a | b |& c",
          "(list (pipe time-p ! (simple (w \"a\")) | (simple (w \"b\")) |& (simple (w \"c\"))))" },
        { "a=1 b+=2 c=(x y) d[i+1]=v cmd",
          "(list (simple (assign \"a\" = (w \"1\")) (assign \"b\" += (w \"2\")) (assign \"c\" = (array (w \"x\") (w \"y\"))) (assign \"d\" (sub (w \"i+1\")) = (w \"v\")) (w \"cmd\")))" },
        { "cmd <in >out 2>>err &>all &>>all2 3<>rw >|clob 2>&1 <&0 >&- {fd}>f",
          "(list (simple (w \"cmd\") (redir < (w \"in\")) (redir > (w \"out\")) (redir >> 2 (w \"err\")) (redir &> (w \"all\")) (redir &>> (w \"all2\")) (redir <> 3 (w \"rw\")) (redir >| (w \"clob\")) (redir >& 2 (w \"1\")) (redir <& (w \"0\")) (redir >& (w \"-\")) (redir > {fd} (w \"f\"))))" },
        { "cat <<EOF <<-'Q' <<<\"s $x\"",
          "(list (simple (w \"cat\") (redir << (w \"EOF\") (body \"\" (w))) (redir <<- (w (sq \"Q\")) (body quoted \"\")) (redir <<< (w (dq \"s \" (param \"x\"))))))" },
        { "( a ) >o",
          "(list (subshell (list (simple (w \"a\"))) (redir > (w \"o\"))))" },
        { "{ a; b; }",
          "(list (group (list (simple (w \"a\")) ; (simple (w \"b\")) ;)))" },
        { "if a; then b; elif c; then d; else e; fi",
          "(list (if (list (simple (w \"a\")) ;) (list (simple (w \"b\")) ;) (elif (list (simple (w \"c\")) ;) (list (simple (w \"d\")) ;) (list (simple (w \"e\")) ;))))" },
        { "while a; do b; done",
          "(list (while (list (simple (w \"a\")) ;) (list (simple (w \"b\")) ;)))" },
        { "until a; do b; done",
          "(list (until (list (simple (w \"a\")) ;) (list (simple (w \"b\")) ;)))" },
        { "for x in a \"$b\"; do c; done",
          "(list (for \"x\" (in (w \"a\") (w (dq (param \"b\")))) (list (simple (w \"c\")) ;)))" },
        { "for x; do c; done",
          "(list (for \"x\" (list (simple (w \"c\")) ;)))" },
        { "for ((i=0; i<3; i++)); do a; done",
          "(list (arith-for (w \"i=0\") (w \" i<3\") (w \" i++\") (list (simple (w \"a\")) ;)))" },
        { "select x in a b; do c; done",
          "(list (select \"x\" (in (w \"a\") (w \"b\")) (list (simple (w \"c\")) ;)))" },
        { "case $x in a|b) c;; (d) e;& *) ;;& esac",
          "(list (case (w (param \"x\")) (item ((w \"a\") (w \"b\")) (list (simple (w \"c\"))) ;;) (item ((w \"d\")) (list (simple (w \"e\"))) ;&) (item ((w \"*\")) (list) ;;&)))" },
        { "f() { a; }",
          "(list (func \"f\" (group (list (simple (w \"a\")) ;))))" },
        { "function g { a; }",
          "(list (func \"g\" (group (list (simple (w \"a\")) ;))))" },
        { "function h() ( a )",
          "(list (func \"h\" (subshell (list (simple (w \"a\"))))))" },
        { "[[ -f x && ( $a == @(b|c) || ! $d =~ ^e(f|g)$ ) ]]",
          "(list (cond (and (unary -f (w \"x\")) (paren (or (binary == (w (param \"a\")) (w (extglob \"@(b|c)\"))) (not (binary =~ (w (param \"d\")) (w \"^e(f|g)\" \"$\"))))))))" },
        { "(( i += 2 ))",
          "(list (arith (w \" i += 2 \")))" },
        { "coproc a b",
          "(list (coproc - (simple (w \"a\") (w \"b\"))))" },
        { "coproc N { a; }",
          "(list (coproc \"N\" (group (list (simple (w \"a\")) ;))))" },
        { "echo \"a$(b \"c\")d\" 'e' $'\\x41' $\"loc\" \\z `f`",
          "(list (simple (w \"echo\") (w (dq \"a\" (cmdsub (list (simple (w \"b\") (w (dq \"c\"))))) \"d\")) (w (sq \"e\")) (w (ansi \"A\")) (w (locale \"loc\")) (w (esc \"z\")) (w (bq (list (simple (w \"f\")))))))" },
        { "echo ${x:-a} ${x#p} ${x//a/b} ${x:1:2} ${!p*} ${!a[@]} ${#x} ${x@Q} ${x^^} ${a[$i]} $1 $@",
          "(list (simple (w \"echo\") (w (param \"x\" :- (w \"a\"))) (w (param \"x\" # (w \"p\"))) (w (param \"x\" // (w \"a\") (w \"b\"))) (w (param \"x\" : (w \"1\") (w \"2\"))) (w (param ! \"p\" names)) (w (param ! \"a\" (sub (w \"@\")) keys)) (w (param \"x\" length)) (w (param \"x\" @Q)) (w (param \"x\" ^^)) (w (param \"a\" (sub (w (param \"i\"))))) (w (param \"1\")) (w (param \"@\"))))" },
        { "echo $((1+$x)) $[2] <(a) >(b) ~u/x *.c",
          "(list (simple (w \"echo\") (w (arith (w \"1+\" (param \"x\")))) (w (arith (w \"2\"))) (w (psub< (list (simple (w \"a\"))))) (w (psub> (list (simple (w \"b\"))))) (w (tilde \"~u\") \"/x\") (w \"*.c\")))" },
        { "echo $((a) (b))",
          "(list (simple (w \"echo\") (w (cmdsub unparsed))))" },
        { "cat <<EOF <<-Q\nbody $x\nEOF\n\tq\n\tQ\n",
          "(list (simple (w \"cat\") (redir << (w \"EOF\") (body \"body $x\\n\" (w \"body \" (param \"x\") \"\\n\"))) (redir <<- (w \"Q\") (body \"q\\n\" (w \"\\tq\\n\")))) nl)" },
        { "echo a#b #c",
          "(list (simple (w \"echo\") (w \"a#b\")))" },
        { "a=1 if",
          "(list (simple (assign \"a\" = (w \"1\")) (w \"if\")))" },
        { "echo a\\\nb",
          "(list (simple (w \"echo\") (w \"a\" \"b\")))" },
        { "x=$(cat <<'E'\n)\nE\n)",
          "(list (simple (assign \"x\" = (w (cmdsub (list (simple (w \"cat\") (redir << (w (sq \"E\")) (body quoted \")\\n\"))) nl))))))" },
        { "echo $(case a in a) b;; esac)",
          "(list (simple (w \"echo\") (w (cmdsub (list (case (w \"a\") (item ((w \"a\")) (list (simple (w \"b\"))) ;;)))))))" },
        { "a | time b",
          "(list (pipe (simple (w \"a\")) | (simple (w \"time\") (w \"b\"))))" },
        { "f() if a; then b; fi",
          "(list (func \"f\" (if (list (simple (w \"a\")) ;) (list (simple (w \"b\")) ;))))" },
        { "echo ${x/\\}/y}",
          "(list (simple (w \"echo\") (w (param \"x\" / (w (esc \"}\")) (w \"y\")))))" },
};

START_TEST(ast_shapes) {
        for (size_t i = 0; i < CJ_ARRAY_SIZE(shapes); i++) {
                _cleanup_free_ char *d = dump(shapes[i].cmd);
                ck_assert_msg(strcmp(d, shapes[i].ast) == 0, "[%s]\n got  %s\n want %s", shapes[i].cmd, d,
                              shapes[i].ast);
        }
}
END_TEST

START_TEST(syntax_error_position) {
        sh_ast *ast = NULL;
        sh_syntax_error se;
        cj_error err = { 0 };
        const char *cmd = "echo a; fi";
        ck_assert_int_eq(sh_parse_ex(cmd, strlen(cmd), NULL, &ast, &se, &err), -EINVAL);
        ck_assert_ptr_null(ast);
        ck_assert_uint_eq(se.offset, 8);
        ck_assert_str_eq(se.token, "fi");
        ck_assert_str_eq(se.message, "syntax error near unexpected token `fi'");
        ck_assert_ptr_nonnull(strstr(err.msg, "offset 8"));
        cmd = "echo 'abc";
        ck_assert_int_eq(sh_parse_ex(cmd, strlen(cmd), NULL, &ast, &se, NULL), -EINVAL);
        ck_assert_uint_eq(se.offset, 5);
        ck_assert_ptr_nonnull(strstr(se.message, "matching `''"));
        ck_assert_int_eq(sh_parse("a\0b", 3, NULL, &ast, NULL), -EINVAL);
}
END_TEST

/* Resolve a word parsed from "echo WORD" (the second word). */
static int resolve(const char *word, sh_strv *v, uint32_t *wflags) {
        _cleanup_free_ char *cmd = NULL;
        ck_assert(asprintf(&cmd, "echo %s", word) > 0);
        sh_ast *ast = NULL;
        ck_assert_int_eq(sh_parse(cmd, strlen(cmd), NULL, &ast, NULL), 0);
        const sh_node *n = ast->root->list.items[0].node;
        ck_assert_int_eq(n->kind, SH_NODE_SIMPLE);
        ck_assert_uint_eq(n->simple.nwords, 2);
        const sh_word *w = &n->simple.words[1];
        if (wflags)
                *wflags = w->flags;
        int r = sh_word_resolve(w, v);
        sh_ast_free(ast);
        return r;
}

static void expect(const char *word, int res, uint32_t must_flags, const char *a, const char *b) {
        sh_strv v;
        uint32_t wf = 0;
        int r = resolve(word, &v, &wf);
        ck_assert_msg(r == res, "%s: resolve returned %d, want %d", word, r, res);
        ck_assert_msg((wf & must_flags) == must_flags, "%s: word flags %#x lack %#x", word, wf, must_flags);
        ck_assert_uint_eq(v.n, b ? 2 : 1);
        ck_assert_str_eq(v.v[0], a);
        if (b)
                ck_assert_str_eq(v.v[1], b);
        sh_strv_free(&v);
}

START_TEST(resolver) {
        expect("$'\\x41'", 0, SH_WORD_ANSI_C, "A", NULL);
        expect("$'a\\tb\\u00e9\\101\\cA'", 0, SH_WORD_ANSI_C | SH_WORD_CTRL, "a\tb\xc3\xa9" "A\x01", NULL);
        expect("\"a\"'b'c", 0, SH_WORD_DQUOTE | SH_WORD_SQUOTE, "abc", NULL);
        expect("{a,b}c", SH_RES_BRACE, SH_WORD_BRACE, "ac", "bc");
        expect("e''val", 0, SH_WORD_EMPTY_QUOTES, "eval", NULL);
        expect("\"\"", 0, SH_WORD_EMPTY_QUOTES, "", NULL);
        expect("$HOME", SH_RES_DYNAMIC, SH_WORD_PARAM, "$HOME", NULL);
        expect("a$(id)b", SH_RES_DYNAMIC, SH_WORD_CMDSUBST, "a$(id)b", NULL);
        expect("\\l\\s", 0, SH_WORD_BACKSLASH, "ls", NULL);
        expect("*.c", SH_RES_GLOB, SH_WORD_GLOB, "*.c", NULL);
        expect("'*.c'", 0, SH_WORD_SQUOTE, "*.c", NULL);
        expect("~/x", SH_RES_TILDE, SH_WORD_TILDE, "~/x", NULL);
        expect("'{a,b}'", 0, 0, "{a,b}", NULL);
        expect("x{1..2}", SH_RES_BRACE, SH_WORD_BRACE, "x1", "x2");
        expect("${x}{a,b}", SH_RES_DYNAMIC | SH_RES_BRACE, SH_WORD_PARAM, "${x}a", "${x}b");
        expect("a#b", 0, SH_WORD_HASH_MID, "a#b", NULL);
        expect("$\"hi\"", SH_RES_LOCALE, SH_WORD_LOCALE, "hi", NULL);
        sh_strv v;
        ck_assert_int_eq(resolve("{1..3}{a,b}{x,y}", &v, NULL), SH_RES_BRACE);
        ck_assert_uint_eq(v.n, 12);
        ck_assert_str_eq(v.v[0], "1ax");
        ck_assert_str_eq(v.v[11], "3by");
        sh_strv_free(&v);
        ck_assert_int_eq(resolve("{a,{b,c}d}e", &v, NULL), SH_RES_BRACE);
        ck_assert_uint_eq(v.n, 3);
        ck_assert_str_eq(v.v[2], "cde");
        sh_strv_free(&v);
        /* Fan-out bomb: a clean error, never a crash. */
        ck_assert_int_eq(resolve("{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}", &v, NULL),
                         -E2BIG);
        ck_assert_int_eq(resolve("{1..100000000}", &v, NULL), -E2BIG);
        ck_assert_uint_eq(v.n, 0);
}
END_TEST

START_TEST(limits) {
        /* 100000 nested '(' must be a limit error, not a stack overflow. */
        size_t n = 100000;
        char *deep = malloc(2 * n + 2);
        ck_assert_ptr_nonnull(deep);
        sh_ast *ast = NULL;
        cj_error err = { 0 };
        /* ((((a)))) is one arithmetic command (no recursion); "( ( ( a ) ) )" nests. */
        memset(deep, '(', n);
        deep[n] = 'a';
        memset(deep + n + 1, ')', n);
        deep[2 * n + 1] = '\0';
        ck_assert_int_eq(sh_parse(deep, 2 * n + 1, NULL, &ast, &err), 0);
        ck_assert_int_eq(ast->root->list.items[0].node->kind, SH_NODE_ARITH);
        sh_ast_free(ast);
        for (size_t i = 0; i < n; i++)
                deep[i] = i % 2 ? ' ' : '(';
        for (size_t i = n + 1; i < 2 * n + 1; i++)
                deep[i] = i % 2 ? ' ' : ')';
        ck_assert_int_eq(sh_parse(deep, 2 * n + 1, NULL, &ast, &err), -E2BIG);
        ck_assert_ptr_nonnull(strstr(err.msg, "nesting"));
        /* $( $( $( ... and "${x:-"${x:-... nest through words. */
        for (size_t i = 0; i < n; i++)
                deep[i] = i % 2 ? '(' : '$';
        memset(deep + n + 1, ')', n);
        ck_assert_int_eq(sh_parse(deep, 2 * n + 1, NULL, &ast, NULL), -E2BIG);
        size_t k = 0;
        for (; k + 7 < n; k += 7)
                memcpy(deep + k, "\"${x:-", 6), deep[k + 6] = ' ';
        deep[k] = '\0';
        ck_assert_int_eq(sh_parse(deep, k, NULL, &ast, NULL), -E2BIG);
        free(deep);
        deep = NULL;
        sh_limits lim = { .max_input = 16 };
        ck_assert_int_eq(sh_parse("echo aaaaaaaaaaaaaaaaaaaa", 25, &lim, &ast, &err), -E2BIG);
        lim = (sh_limits){ .max_nodes = 10 };
        const char *many = "a;a;a;a;a;a;a;a;a;a;a;a;a";
        ck_assert_int_eq(sh_parse(many, strlen(many), &lim, &ast, NULL), -E2BIG);
        lim = (sh_limits){ .max_heredocs = 2 };
        const char *hd = "cat <<a <<b <<c\na\nb\nc\n";
        ck_assert_int_eq(sh_parse(hd, strlen(hd), &lim, &ast, NULL), -E2BIG);
        ck_assert_int_eq(sh_parse(hd, strlen(hd), NULL, &ast, NULL), 0);
        sh_ast_free(ast);

        /* 10 MB: over the default input limit, a clean error. */
        size_t big = 10u << 20;
        char *b = malloc(big);
        ck_assert_ptr_nonnull(b);
        memset(b, 'a', big);
        ck_assert_int_eq(sh_parse(b, big, NULL, &ast, &err), -E2BIG);
        free(b);
}
END_TEST

/* 1 MB of realistic commands parses in well under a second, with bounded memory. */
/* Sanitizer builds run several times slower: the absolute bound scales. */
#if defined(__SANITIZE_ADDRESS__)
#define PARSE_SLOWDOWN 6.0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PARSE_SLOWDOWN 6.0
#endif
#endif
#ifndef PARSE_SLOWDOWN
#define PARSE_SLOWDOWN 1.0
#endif

/* CPU seconds to parse buf[0..len) (CPU, not wall: a loaded machine must
 * not make a linear parser look slow). */
static double parse_cpu_s(const char *buf, size_t len, size_t want_cmds) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
        sh_ast *ast = NULL;
        cj_error err = { 0 };
        ck_assert_msg(sh_parse(buf, len, NULL, &ast, &err) == 0, "%s", err.msg);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
        ck_assert_uint_eq(ast->root->list.n, want_cmds);
        sh_ast_free(ast);
        return (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
}

START_TEST(large_input) {
        const char *line = "cd /src && make -j4 CFLAGS=\"-O2 $X\" | tee log.txt; echo ${a:-b} $(date) >> out\n";
        size_t ll = strlen(line), n = (1u << 20) / ll;
        char *buf = malloc(n * ll + 1);
        ck_assert_ptr_nonnull(buf);
        for (size_t i = 0; i < n; i++)
                memcpy(buf + i * ll, line, ll);
        buf[n * ll] = '\0';
        /* An eighth of the input, best of three, then the whole: linear
         * time gives a ratio near 8, quadratic near 64. */
        double small = 1e9;
        for (int k = 0; k < 3; k++) {
                double t = parse_cpu_s(buf, n / 8 * ll, n / 8 * 3);
                small = t < small ? t : small;
        }
        double s = parse_cpu_s(buf, n * ll, n * 3);
        printf("# parsed %zu bytes in %.3f s of CPU (an eighth in %.3f s)\n", n * ll, s, small);
        ck_assert_msg(s < 24 * small + 0.05, "parse time grows faster than the input: %.3f s vs %.3f s", s, small);
        ck_assert(s < 2.0 * PARSE_SLOWDOWN);
        free(buf);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("shell-ast");
        TCase *tc = tcase_create("ast");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, ast_shapes);
        tcase_add_test(tc, syntax_error_position);
        tcase_add_test(tc, resolver);
        tcase_add_test(tc, limits);
        tcase_add_test(tc, large_input);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
