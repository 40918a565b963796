/* SPDX-License-Identifier: MIT */
/* The parser's verdict must equal bash's on every corpus entry: bash -n is
 * run here on each one.  bash's verdict is "syntax error" when it exits
 * non-zero or prints anything but a warning (bash exits 0 after some
 * [[ ]] errors, see docs/shell-parser.md). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../cj_check.h"
#include "shell/shell.h"
#include "util/cleanup.h"
#include "util/fileio.h"

#define CORPUS_MAX (4u << 20)

static bool have_bash(void) {
        return access("/bin/bash", X_OK) == 0;
}

/* Run bash with args; returns exit status and stdout+stderr (selected) in out. */
static int run_bash(char *const argv[], bool want_stdout, char *out, size_t outsz) {
        int pfd[2];
        if (pipe(pfd) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                close(pfd[0]);
                int devnull = open("/dev/null", O_RDWR);
                dup2(devnull, 0);
                dup2(want_stdout ? pfd[1] : devnull, 1);
                dup2(want_stdout ? devnull : pfd[1], 2);
                execv("/bin/bash", argv);
                _exit(127);
        }
        close(pfd[1]);
        size_t n = 0;
        ssize_t k;
        while ((k = read(pfd[0], out + n, outsz - 1 - n)) > 0 && n + 1 < outsz)
                n += (size_t) k;
        out[n] = '\0';
        close(pfd[0]);
        int st;
        if (waitpid(pid, &st, 0) < 0)
                return -errno;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static bool bash_says_error(const char *cmd) {
        char out[8192];
        char *argv[] = { (char *) "bash", (char *) "-n", (char *) "-c", (char *) cmd, NULL };
        int rc = run_bash(argv, false, out, sizeof out);
        if (rc != 0)
                return true;
        for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
                if (!strstr(line, "warning:"))
                        return true;
        return false;
}

static bool we_say_error(const char *cmd, char *msg, size_t msgsz) {
        sh_ast *ast = NULL;
        cj_error err = { 0 };
        int r = sh_parse(cmd, strlen(cmd), NULL, &ast, &err);
        sh_ast_free(ast);
        snprintf(msg, msgsz, "%s", r < 0 ? cj_error_message(&err, r) : "ok");
        ck_assert_msg(r == 0 || r == -EINVAL, "unexpected error %d on %s: %s", r, cmd, msg);
        return r < 0;
}

/* Compare every entry of a corpus file (separator '\n' or '\0'). */
static size_t compare_file(const char *name, char sep, size_t *count) {
        _cleanup_free_ char *path = NULL, *buf = NULL;
        ck_assert(asprintf(&path, "%s/tests/corpus/syntax/%s", getenv("CLAWJAIL_SOURCE_DIR") ?: ".", name) > 0);
        size_t len;
        cj_error err = { 0 };
        ck_assert_msg(cj_read_file(path, CORPUS_MAX, &buf, &len, &err) == 0, "%s", err.msg);
        size_t mismatches = 0;
        char *p = buf, *end = buf + len;
        while (p < end) {
                char *e = memchr(p, sep, (size_t) (end - p));
                if (!e)
                        e = end;
                *e = '\0';
                if (*p) {
                        char msg[CJ_ERROR_MSG_MAX];
                        bool b = bash_says_error(p), o = we_say_error(p, msg, sizeof msg);
                        (*count)++;
                        if (b != o) {
                                mismatches++;
                                printf("# MISMATCH bash=%s ours=%s [%s]: %s\n", b ? "error" : "ok", o ? "error" : "ok",
                                       msg, p);
                        }
                }
                p = e + 1;
        }
        return mismatches;
}

START_TEST(corpus_matches_bash) {
        if (!have_bash()) {
                printf("# SKIP /bin/bash not available\n");
                return;
        }
        size_t count = 0;
        size_t bad = compare_file("lines.txt", '\n', &count);
        bad += compare_file("multiline.nul", '\0', &count);
        bad += compare_file("closers.nul", '\0', &count); /* reserved words after compounds and `coproc NAME` */
        printf("# %zu corpus entries compared with bash -n\n", count);
        ck_assert_uint_ge(count, 300);
        ck_assert_uint_eq(bad, 0);
}
END_TEST

/* bash -n exits 0 silently on these, yet refuses to run them (nothing after
 * them runs either): the parser calls them syntax errors, and the test
 * proves bash's refusal with a marker command that must not run. */
START_TEST(silent_bash_errors) {
        if (!have_bash()) {
                printf("# SKIP /bin/bash not available\n");
                return;
        }
        _cleanup_free_ char *path = NULL, *buf = NULL;
        ck_assert(asprintf(&path, "%s/tests/corpus/syntax/silent-errors.txt", getenv("CLAWJAIL_SOURCE_DIR") ?: ".") > 0);
        size_t len;
        ck_assert(cj_read_file(path, CORPUS_MAX, &buf, &len, NULL) == 0);
        size_t n = 0;
        for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
                char msg[CJ_ERROR_MSG_MAX], out[4096];
                ck_assert_msg(we_say_error(line, msg, sizeof msg), "parser accepted %s", line);
                _cleanup_free_ char *script = NULL;
                ck_assert(asprintf(&script, "%s\necho __cj_marker__", line) > 0);
                char *argv[] = { (char *) "bash", (char *) "-c", script, NULL };
                run_bash(argv, true, out, sizeof out);
                ck_assert_msg(!strstr(out, "__cj_marker__"), "bash ran past %s", line);
                n++;
        }
        ck_assert_uint_ge(n, 4);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("shell-corpus");
        TCase *tc = tcase_create("corpus");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, corpus_matches_bash);
        tcase_add_test(tc, silent_bash_errors);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
