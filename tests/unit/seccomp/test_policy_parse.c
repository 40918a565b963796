/* SPDX-License-Identifier: MIT */
/* The policy language: every directive, every error with its FILE:LINE,
 * @include resolution and its limits, and the shipped policies. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cj_check.h"
#include "config.h"
#include "seccomp/policy.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/srcdir.h"

CJ_DEFINE_TRIVIAL_CLEANUP_FUNC(cj_seccomp_policy *, cj_seccomp_policy_free);
#define _cleanup_policy_ _cleanup_(cj_seccomp_policy_freep)

static const char *const no_dirs[] = { NULL };

static bool native_x86_64(void) {
        return seccomp_arch_native() == SCMP_ARCH_X86_64;
}

static char *source_seccomp_dir(void) {
        const char *src = getenv("CLAWJAIL_SOURCE_DIR");
        return cj_path_join(src ? src : cj_source_tree(), "seccomp");
}

/* Parse text as t.policy and return its canonical rules (no origins). */
static char *canon(const char *text) {
        _cleanup_policy_ cj_seccomp_policy *p = NULL;
        cj_error e = { 0 };
        int r = cj_seccomp_policy_parse_string(text, "t.policy", no_dirs, &p, &e);
        ck_assert_msg(r == 0, "parse failed: %s", e.msg);
        return cj_seccomp_policy_to_string(p, false);
}

/* Parse text as t.policy, expect failure, return the message. */
static void expect_error(const char *text, const char *msg) {
        cj_seccomp_policy *p = NULL;
        cj_error e = { 0 };
        int r = cj_seccomp_policy_parse_string(text, "t.policy", no_dirs, &p, &e);
        ck_assert_msg(r < 0, "accepted: %s", text);
        ck_assert_ptr_null(p);
        ck_assert_str_eq(e.msg, msg);
}

static void write_file(const char *dir, const char *name, const char *text) {
        _cleanup_free_ char *path = cj_path_join(dir, name);
        ck_assert_int_eq(cj_write_file_atomic(path, text, strlen(text), 0644, NULL), 0);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static void rm_rf(const char *dir) {
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *make_tmpdir(void) {
        char *d = strdup("/tmp/cj-seccomp-test.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(d));
        return d;
}

START_TEST(actions_and_defaults) {
        _cleanup_free_ char *a = canon("# comment only\n\n   \ndefault errno EACCES\nallow read write\n"
                                       "kill kexec_load\nlog acct\ntrap reboot\nerrno 0 sync\nerrno ENOTSUP bpf\r\n"
                                       "default kill   # the last default wins\n");
        ck_assert_str_eq(a, "default kill\n"
                            "allow read\nallow write\nkill kexec_load\nlog acct\ntrap reboot\nerrno 0 sync\n"
                            "errno 95 bpf\n");
}
END_TEST

START_TEST(conditions) {
        _cleanup_free_ char *a = canon("default allow\n"
                                       "errno EPERM ioctl if arg1 & 0xffffffff == TIOCSTI\n"
                                       "errno EPERM socket if arg0==17&&arg1 != 3 && arg2 < 010 && arg3 <= 4 && "
                                       "arg4 > 5 && arg5 >= 6\n"
                                       "errno EPERM unshare if arg0 & CLONE_NEWUSER|CLONE_NEWNET\n"
                                       "errno EPERM ptrace if arg0 in PTRACE_ATTACH 0x4206\n"
                                       "errno EPERM kill if arg1 & 0xff in 9 15 && arg0 == 1\n");
        ck_assert_str_eq(a, "default allow\n"
                            "errno 1 ioctl if arg1 & 0xffffffff == 0x5412\n"
                            "errno 1 socket if arg0 == 0x11 && arg1 != 0x3 && arg2 < 0x8 && arg3 <= 0x4 && "
                            "arg4 > 0x5 && arg5 >= 0x6\n"
                            "errno 1 unshare if arg0 & 0x10000000 == 0x10000000\n"
                            "errno 1 unshare if arg0 & 0x40000000 == 0x40000000\n"
                            "errno 1 ptrace if arg0 == 0x10\n"
                            "errno 1 ptrace if arg0 == 0x4206\n"
                            "errno 1 kill if arg0 == 0x1 && arg1 & 0xff == 0x9\n"
                            "errno 1 kill if arg0 == 0x1 && arg1 & 0xff == 0xf\n");
}
END_TEST

START_TEST(override_and_non_native) {
        /* A later unconditional rule replaces earlier ones for that syscall. */
        _cleanup_free_ char *a = canon("default allow\nerrno EPERM ptrace if arg0 == 16\nerrno EPERM bpf\n"
                                       "kill ptrace\nerrno EACCES bpf\n");
        ck_assert_str_eq(a, "default allow\nkill ptrace\nerrno 13 bpf\n");
        expect_error("default allow\nerrno EPERM ptrace\nerrno EPERM ptrace if arg0 == 16\n",
                     "t.policy:3: ptrace: conditional rule after the unconditional rule at t.policy:2");

        /* Syscalls of other architectures are skipped, not fatal. */
        if (native_x86_64()) {
                _cleanup_free_ char *b = canon("default allow\nerrno EPERM vm86 stime vm86old umount socketcall bpf\n");
                ck_assert_str_eq(b, "default allow\nerrno 1 bpf\n");
        }
}
END_TEST

START_TEST(syscall_declarations) {
        _cleanup_free_ char *a = canon("@syscall cj_future_call 999\ndefault allow\nerrno EPERM cj_future_call\n"
                                       "@syscall cj_future_call 999\n@syscall read 500\n");
        ck_assert_str_eq(a, "@syscall cj_future_call 999\ndefault allow\nerrno 1 cj_future_call\n");
        expect_error("@syscall x 100\n", "t.policy:1: @syscall number must be 424..1023 (the table shared by all "
                                         "architectures), got '100'");
        expect_error("@syscall x 500\n@syscall x 501\n", "t.policy:2: @syscall x redeclared with another number");
        expect_error("@syscall x\n", "t.policy:1: usage: @syscall NAME NUMBER");
        expect_error("default allow\nerrno EPERM cj_future_call\n@syscall cj_future_call 999\n",
                     "t.policy:2: unknown syscall 'cj_future_call'");
}
END_TEST

START_TEST(errors_name_file_and_line) {
        static const char *const cases[][2] = {
                { "default allow\nerrno EPERM bpf nosuchcall\n", "t.policy:2: unknown syscall 'nosuchcall'" },
                { "default allow\n\ndeny bpf\n", "t.policy:3: unknown action or directive 'deny'" },
                { "default deny\n", "t.policy:1: unknown action or directive 'deny'" },
                { "default allow\nerrno EWHAT bpf\n", "t.policy:2: unknown errno name 'EWHAT'" },
                { "default errno 4096\n", "t.policy:1: errno '4096' is not a number in 0..4095" },
                { "default errno\n", "t.policy:1: errno needs a name or number" },
                { "default\n", "t.policy:1: expected an action (allow, errno NAME, kill, log, trap)" },
                { "default allow bpf\n", "t.policy:1: unexpected 'bpf' after the default action" },
                { "default allow\nerrno EPERM\n", "t.policy:2: rule names no syscall" },
                { "default allow\nerrno EPERM if arg0 == 1\n", "t.policy:2: rule names no syscall" },
                { "default allow\nerrno EPERM ioctl if arg1 == TIOCNOPE\n", "t.policy:2: unknown constant 'TIOCNOPE'" },
                { "default allow\nerrno EPERM ioctl if arg1 == 0x\n", "t.policy:2: bad number '0x'" },
                { "default allow\nerrno EPERM ioctl if arg1 == 08\n", "t.policy:2: bad number '08'" },
                { "default allow\nerrno EPERM ioctl if arg1 == 99999999999999999999\n",
                  "t.policy:2: number '99999999999999999999' does not fit in 64 bits" },
                { "default allow\nerrno EPERM ioctl if arg6 == 1\n", "t.policy:2: expected arg0..arg5, got 'arg6'" },
                { "default allow\nerrno EPERM ioctl if\n", "t.policy:2: expected arg0..arg5, got 'end of line'" },
                { "default allow\nerrno EPERM ioctl if arg1\n",
                  "t.policy:2: expected ==, !=, <, <=, >, >=, & or 'in' after arg1" },
                { "default allow\nerrno EPERM ioctl if arg1 ==\n", "t.policy:2: expected a value at the end of the line" },
                { "default allow\nerrno EPERM ioctl if arg1 == 1 |\n",
                  "t.policy:2: expected a value at the end of the line" },
                { "default allow\nerrno EPERM ioctl if arg1 == 1 arg2 == 2\n",
                  "t.policy:2: expected '&&' or the end of the line, got 'arg2'" },
                { "default allow\nerrno EPERM ioctl if arg1 == 1 && arg1 == 2\n",
                  "t.policy:2: arg1 appears in two conditions of one rule; write two rules" },
                { "default allow\nerrno EPERM ioctl if arg1 in 1 && arg2 & 4\n",
                  "t.policy:2: only one 'in' or 'argN & MASK' condition per rule" },
                { "default allow\nerrno EPERM ioctl if arg1 in\n", "t.policy:2: expected values after 'in'" },
                { "default allow\nerrno EPERM ioctl if arg1 & 0xff == 0x100\n",
                  "t.policy:2: value 0x100 has bits outside the mask 0xff and never matches" },
                { "default allow\nerrno EPERM ioctl if arg1 & 0\n", "t.policy:2: mask is 0" },
                { "default allow\nerrno EPERM ioctl if arg1 == &&\n", "t.policy:2: expected a value, got '&&'" },
                { "default allow\nerrno EPERM 9p\n", "t.policy:2: expected a syscall name, got '9p'" },
                { "default allow\nerrno EPERM ioctl $x\n", "t.policy:2: unexpected character '$'" },
                { "default allow\nerrno EPERM \x01\n", "t.policy:2: unexpected byte 0x01" },
                { "default allow\nerrno EPERM ioctl if arg1 = 1\n", "t.policy:2: unexpected character '='" },
                { "@frobnicate x\n", "t.policy:1: unknown directive '@frobnicate'" },
                { "@include\n", "t.policy:1: usage: @include NAME|PATH" },
                { "@include a b\n", "t.policy:1: usage: @include NAME|PATH" },
                { "@include ../x\n", "t.policy:1: @include ../x: No such file or directory" },
                { "@include .hidden\n", "t.policy:1: bad policy name '.hidden'" },
                { "@include nope  # comment\n",
                  "t.policy:1: @include nope: no nope.policy next to this file or in the search path" },
                { "errno EPERM bpf\n", "t.policy: no 'default' action (e.g. 'default allow')" },
                { "", "t.policy: no 'default' action (e.g. 'default allow')" },
        };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(cases); i++) {
                if (strstr(cases[i][0], "../x") && access("../x", F_OK) == 0)
                        continue;
                expect_error(cases[i][0], cases[i][1]);
        }
}
END_TEST

START_TEST(size_limits) {
        /* Oversized line. */
        size_t n = CJ_SECCOMP_LINE_MAX + 1;
        _cleanup_free_ char *text = malloc(n + 64);
        strcpy(text, "default allow\n");
        memset(text + strlen(text), '#', n);
        strcpy(text + strlen("default allow\n") + n, "\n");
        expect_error(text, "t.policy:2: line longer than 1024 bytes");
        /* Exactly the limit is fine. */
        text[strlen("default allow\n") + CJ_SECCOMP_LINE_MAX] = '\n';
        _cleanup_free_ char *ok = canon(text);
        ck_assert_str_eq(ok, "default allow\n");

        /* Oversized text. */
        _cleanup_free_ char *big = malloc(CJ_SECCOMP_FILE_MAX + 2);
        memset(big, '\n', CJ_SECCOMP_FILE_MAX + 1);
        big[CJ_SECCOMP_FILE_MAX + 1] = '\0';
        cj_seccomp_policy *p = NULL;
        cj_error e = { 0 };
        ck_assert_int_eq(cj_seccomp_policy_parse_string(big, "big.policy", no_dirs, &p, &e), -EFBIG);
        ck_assert_str_eq(e.msg, "big.policy: larger than 262144 bytes");

        /* Too many rules: 64 bits x 65 lines of expansion. */
        _cleanup_free_ char *many = malloc(65 * 64 + 32);
        strcpy(many, "default allow\n");
        for (int i = 0; i < 65; i++)
                strcat(many, "log ioctl if arg1 & 0xffffffffffffffff\n");
        expect_error(many, "t.policy:66: more than 4096 rules");

        /* Too many values after `in`. */
        _cleanup_free_ char *in = malloc(512);
        strcpy(in, "default allow\nlog ioctl if arg1 in");
        for (int i = 0; i < 65; i++)
                sprintf(in + strlen(in), " %d", i);
        strcat(in, "\n");
        expect_error(in, "t.policy:2: more than 64 values after 'in'");
}
END_TEST

START_TEST(include_by_name_path_and_search_dirs) {
        _cleanup_free_ char *d = make_tmpdir();
        _cleanup_free_ char *sub = cj_path_join(d, "sub");
        _cleanup_free_ char *other = cj_path_join(d, "other");
        ck_assert_int_eq(mkdir(sub, 0755), 0);
        ck_assert_int_eq(mkdir(other, 0755), 0);
        write_file(d, "top.policy", "default allow\n@include sub/mid.policy\nerrno EPERM bpf\n");
        write_file(sub, "mid.policy", "@include leaf   # found next to mid.policy\n@include far\n");
        write_file(sub, "leaf.policy", "kill kexec_load\n");
        write_file(other, "far.policy", "log acct\n");
        write_file(other, "leaf.policy", "kill reboot\n"); /* shadowed by sub/leaf.policy */

        const char *dirs[] = { other, NULL };
        _cleanup_free_ char *top = cj_path_join(d, "top.policy");
        _cleanup_policy_ cj_seccomp_policy *p = NULL;
        cj_error e = { 0 };
        ck_assert_msg(cj_seccomp_policy_load(top, dirs, &p, &e) == 0, "%s", e.msg);
        ck_assert_str_eq(cj_seccomp_policy_path(p), top);
        ck_assert_uint_eq(cj_seccomp_policy_n_rules(p), 3);
        _cleanup_free_ char *s = cj_seccomp_policy_to_string(p, true);
        _cleanup_free_ char *want = NULL;
        ck_assert_int_ge(asprintf(&want,
                                  "default allow\nkill kexec_load # %s/leaf.policy:1\nlog acct # %s/far.policy:1\n"
                                  "errno 1 bpf # %s:3\n",
                                  sub, other, top),
                         0);
        ck_assert_str_eq(s, want);

        /* By name through the search dirs, suffix optional. */
        const char *dirs2[] = { "/nonexistent", sub, NULL };
        _cleanup_policy_ cj_seccomp_policy *q = NULL;
        ck_assert_msg(cj_seccomp_policy_load("leaf", dirs2, &q, &e) != 0, "leaf has no default");
        ck_assert(strstr(e.msg, "leaf.policy: no 'default' action"));
        cj_error_clear(&e);
        write_file(sub, "named.policy", "default allow\n@include leaf.policy\n");
        ck_assert_msg(cj_seccomp_policy_load("named", dirs2, &q, &e) == 0, "%s", e.msg);
        ck_assert_uint_eq(cj_seccomp_policy_n_rules(q), 1);

        cj_error_clear(&e);
        ck_assert_int_eq(cj_seccomp_policy_load("missing", dirs2, &q, &e), -ENOENT);
        _cleanup_free_ char *miss = NULL;
        ck_assert_int_ge(asprintf(&miss, "seccomp policy 'missing' not found (searched /nonexistent:%s)", sub), 0);
        ck_assert_str_eq(e.msg, miss);
        cj_error_clear(&e);
        ck_assert_int_eq(cj_seccomp_policy_load("bad name", dirs2, &q, &e), -EINVAL);
        ck_assert_str_eq(e.msg, "bad seccomp policy name 'bad name'");
        rm_rf(d);
}
END_TEST

START_TEST(include_cycles_depth_and_file_count) {
        _cleanup_free_ char *d = make_tmpdir();
        cj_error e = { 0 };
        cj_seccomp_policy *p = NULL;

        write_file(d, "a.policy", "default allow\n@include b\n");
        write_file(d, "b.policy", "\n@include a\n");
        _cleanup_free_ char *a = cj_path_join(d, "a.policy");
        ck_assert_int_eq(cj_seccomp_policy_load(a, NULL, &p, &e), -EINVAL);
        _cleanup_free_ char *want = NULL;
        ck_assert_int_ge(asprintf(&want, "%s/b.policy:2: @include cycle: %s/a.policy -> %s/b.policy -> %s/a.policy", d,
                                  d, d, d),
                         0);
        ck_assert_str_eq(e.msg, want);

        write_file(d, "self.policy", "default allow\n@include ./self.policy\n");
        _cleanup_free_ char *self = cj_path_join(d, "self.policy");
        cj_error_clear(&e);
        ck_assert_int_eq(cj_seccomp_policy_load(self, NULL, &p, &e), -EINVAL);
        ck_assert(strstr(e.msg, "self.policy:2: @include cycle: "));

        /* A diamond is not a cycle. */
        write_file(d, "dia.policy", "default allow\n@include left\n@include right\n");
        write_file(d, "left.policy", "@include base\n");
        write_file(d, "right.policy", "@include base\n");
        write_file(d, "base.policy", "errno EPERM bpf\n");
        _cleanup_free_ char *dia = cj_path_join(d, "dia.policy");
        _cleanup_policy_ cj_seccomp_policy *ok = NULL;
        ck_assert_msg(cj_seccomp_policy_load(dia, NULL, &ok, &e) == 0, "%s", e.msg);

        /* Depth: l0 .. l8 nest 8 levels deep and load; l9 is one too many. */
        for (int i = 0; i <= 9; i++) {
                char name[32], text[64];
                snprintf(name, sizeof name, "l%d.policy", i);
                snprintf(text, sizeof text, "%s\n@include l%d\n", i == 0 ? "default allow" : "", i + 1);
                write_file(d, name, i == 9 ? "log acct\n" : text);
        }
        write_file(d, "l9.policy", "log acct\n");
        _cleanup_free_ char *l8 = cj_path_join(d, "l8.policy");
        _cleanup_free_ char *l0 = cj_path_join(d, "l0.policy");
        write_file(d, "l8.policy", "log acct\n");
        _cleanup_policy_ cj_seccomp_policy *deep = NULL;
        ck_assert_msg(cj_seccomp_policy_load(l0, NULL, &deep, &e) == 0, "%s", e.msg);
        write_file(d, "l8.policy", "\n@include l9\n");
        cj_error_clear(&e);
        ck_assert_int_eq(cj_seccomp_policy_load(l0, NULL, &p, &e), -EINVAL);
        free(want);
        ck_assert_int_ge(asprintf(&want, "%s:2: @include nested more than 8 levels deep", l8), 0);
        ck_assert_str_eq(e.msg, want);

        /* File count: one file including an empty one 70 times. */
        _cleanup_free_ char *fan = malloc(70 * 20 + 32);
        strcpy(fan, "default allow\n");
        for (int i = 0; i < 70; i++)
                strcat(fan, "@include empty\n");
        write_file(d, "empty.policy", "# nothing\n");
        write_file(d, "fan.policy", fan);
        _cleanup_free_ char *fanp = cj_path_join(d, "fan.policy");
        cj_error_clear(&e);
        ck_assert_int_eq(cj_seccomp_policy_load(fanp, NULL, &p, &e), -EINVAL);
        free(want);
        ck_assert_int_ge(asprintf(&want, "%s:65: more than 64 policy files", fanp), 0);
        ck_assert_str_eq(e.msg, want);
        rm_rf(d);
}
END_TEST

START_TEST(odd_files) {
        _cleanup_free_ char *d = make_tmpdir();
        cj_error e = { 0 };
        cj_seccomp_policy *p = NULL;
        /* A directory, a FIFO (must not block), a NUL byte. */
        ck_assert_int_eq(cj_seccomp_policy_load(d, NULL, &p, &e), -EINVAL);
        ck_assert(strstr(e.msg, ": not a regular file"));
        _cleanup_free_ char *fifo = cj_path_join(d, "fifo.policy");
        ck_assert_int_eq(mkfifo(fifo, 0600), 0);
        write_file(d, "inc.policy", "default allow\n@include fifo\n");
        _cleanup_free_ char *inc = cj_path_join(d, "inc.policy");
        cj_error_clear(&e);
        ck_assert_int_eq(cj_seccomp_policy_load(inc, NULL, &p, &e), -EINVAL);
        ck_assert(strstr(e.msg, "inc.policy:2: @include fifo: no fifo.policy next to this file"));
        write_file(d, "inc.policy", "default allow\n@include ./fifo.policy\n");
        cj_error_clear(&e);
        ck_assert_int_eq(cj_seccomp_policy_load(inc, NULL, &p, &e), -EINVAL);
        ck_assert_msg(strstr(e.msg, "fifo.policy: not a regular file"), "%s", e.msg);
        _cleanup_free_ char *nul = cj_path_join(d, "nul.policy");
        ck_assert_int_eq(cj_write_file_atomic(nul, "default allow\nlog\0acct\n", 23, 0644, NULL), 0);
        cj_error_clear(&e);
        ck_assert_int_eq(cj_seccomp_policy_load(nul, NULL, &p, &e), -EINVAL);
        _cleanup_free_ char *want = NULL;
        ck_assert_int_ge(asprintf(&want, "%s:2: NUL byte in policy text", nul), 0);
        ck_assert_str_eq(e.msg, want);
        rm_rf(d);
}
END_TEST

START_TEST(canonical_text_round_trips) {
        _cleanup_free_ char *dir = source_seccomp_dir();
        const char *dirs[] = { dir, NULL };
        static const char *const names[] = { "default", "strict" };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(names); i++) {
                _cleanup_policy_ cj_seccomp_policy *p = NULL, *q = NULL;
                cj_error e = { 0 };
                ck_assert_msg(cj_seccomp_policy_load(names[i], dirs, &p, &e) == 0, "%s", e.msg);
                _cleanup_free_ char *s = cj_seccomp_policy_to_string(p, false);
                ck_assert_msg(cj_seccomp_policy_parse_string(s, "canon.policy", no_dirs, &q, &e) == 0, "%s", e.msg);
                _cleanup_free_ char *s2 = cj_seccomp_policy_to_string(q, false);
                ck_assert_str_eq(s, s2);
                ck_assert_uint_eq(cj_seccomp_policy_n_rules(p), cj_seccomp_policy_n_rules(q));
        }
}
END_TEST

/* A rule line for name in the canonical text: "ACTION... NAME" at a line end
 * or before " if". */
static bool has_rule(const char *canon_text, const char *name, const char *action) {
        char pat[128];
        snprintf(pat, sizeof pat, "\n%s %s\n", action, name);
        if (strstr(canon_text, pat))
                return true;
        snprintf(pat, sizeof pat, "\n%s %s if ", action, name);
        return strstr(canon_text, pat) != NULL;
}

START_TEST(shipped_default_blocks_docker_list_and_more) {
        _cleanup_free_ char *dir = source_seccomp_dir();
        const char *dirs[] = { dir, NULL };
        _cleanup_policy_ cj_seccomp_policy *p = NULL;
        cj_error e = { 0 };
        ck_assert_msg(cj_seccomp_policy_load("default", dirs, &p, &e) == 0, "%s", e.msg);
        _cleanup_free_ char *s = cj_seccomp_policy_to_string(p, false);
        ck_assert_msg(strstr(s, "@syscall open_tree_attr 467\n") && strstr(s, "@syscall statmount 457\n") &&
                              strstr(s, "@syscall listmount 458\n") && strstr(s, "\ndefault allow\n"),
                      "%s", s);

        static const char *const eperm[] = {
                "acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "get_mempolicy", "ioperm", "iopl",
                "kcmp", "keyctl", "lookup_dcookie", "mbind", "mount", "move_pages", "name_to_handle_at",
                "nfsservctl", "open_by_handle_at", "perf_event_open", "pivot_root", "process_vm_readv",
                "process_vm_writev", "quotactl", "quotactl_fd", "reboot", "request_key", "set_mempolicy", "setns",
                "settimeofday", "stime", "swapon", "swapoff", "sysfs", "_sysctl", "umount", "umount2", "uselib",
                "userfaultfd", "ustat", "vm86", "vm86old", "syslog", "personality", "unshare", "clone",
                "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "open_tree_attr",
                "mount_setattr", "io_uring_setup", "io_uring_enter", "io_uring_register", "ptrace", "ioctl",
                "pidfd_getfd", "process_madvise",
                /* Docker refuses these too (issue 7 §2). */
                "sethostname", "setdomainname", "chroot", "vhangup", "fanotify_init", "migrate_pages",
                "set_mempolicy_home_node", "afs_syscall", "getpmsg", "putpmsg", "security", "tuxcall", "vserver",
        };
        static const char *const killed[] = {
                "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "create_module",
                "query_module", "get_kernel_syms",
        };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(eperm); i++) {
                if (seccomp_syscall_resolve_name(eperm[i]) < 0 && strcmp(eperm[i], "open_tree_attr") != 0)
                        continue; /* not on this architecture */
                ck_assert_msg(has_rule(s, eperm[i], "errno 1"), "no EPERM rule for %s", eperm[i]);
        }
        for (size_t i = 0; i < CJ_ARRAY_SIZE(killed); i++)
                if (seccomp_syscall_resolve_name(killed[i]) >= 0)
                        ck_assert_msg(has_rule(s, killed[i], "kill"), "no kill rule for %s", killed[i]);
        ck_assert(has_rule(s, "clone3", "errno 38"));
        /* Terminal injection on the low 32 bits; namespace flags bit by bit. */
        ck_assert(strstr(s, "\nerrno 1 ioctl if arg1 & 0xffffffff == 0x5412\n"));
        ck_assert(strstr(s, "\nerrno 1 ioctl if arg1 & 0xffffffff == 0x541c\n"));
        ck_assert(strstr(s, "\nerrno 1 unshare if arg0 & 0x10000000 == 0x10000000\n"));
        ck_assert(strstr(s, "\nerrno 1 clone if arg0 & 0x80 == 0x80\n"));
        ck_assert(strstr(s, "\nerrno 1 ptrace if arg0 & 0xffffffff == 0x10\n"));
        ck_assert(strstr(s, "\nerrno 1 ptrace if arg0 & 0xffffffff == 0x4206\n"));
        ck_assert(!strstr(s, "landlock"));
        /* Address families for every profile; netlink only ROUTE and SOCK_DIAG. */
        ck_assert(strstr(s, "\nerrno 97 socket if arg0 & 0xffffffff == 0x11\n"));
        ck_assert(strstr(s, "\nerrno 97 socketpair if arg0 & 0x20 == 0x20\n"));
        ck_assert(strstr(s, "\nerrno 93 socket if arg0 & 0xffffffff == 0x10 && arg2 > 0x4\n"));
        ck_assert(!strstr(s, "socket if arg0 & 0xffffffff == 0x1\n"));
        ck_assert(!strstr(s, "socket if arg0 & 0xffffffff == 0xa\n"));
        ck_assert(has_rule(s, "statmount", "errno 38") && has_rule(s, "listmount", "errno 38") &&
                  has_rule(s, "memfd_secret", "errno 38"));

        /* strict: ptrace and personality replaced by unconditional rules. */
        _cleanup_policy_ cj_seccomp_policy *st = NULL;
        ck_assert_msg(cj_seccomp_policy_load("strict", dirs, &st, &e) == 0, "%s", e.msg);
        _cleanup_free_ char *t = cj_seccomp_policy_to_string(st, false);
        ck_assert(strstr(t, "\nerrno 1 ptrace\n"));
        ck_assert(!strstr(t, "ptrace if"));
        ck_assert(strstr(t, "\nerrno 1 personality\n"));
        ck_assert(strstr(t, "\nerrno 97 socket if arg0 & 0xffffffff == 0x11\n"));
        ck_assert(!strstr(t, "socket if arg0 & 0xffffffff == 0x1\n"));
        ck_assert(!strstr(t, "socket if arg0 & 0xffffffff == 0x2\n"));
        ck_assert(!strstr(t, "socket if arg0 & 0xffffffff == 0xa\n"));
        ck_assert(!strstr(t, "socket if arg0 & 0xffffffff == 0x10\n"));
}
END_TEST

START_TEST(export_bpf_and_pfc) {
        _cleanup_free_ char *dir = source_seccomp_dir();
        const char *dirs[] = { dir, NULL };
        _cleanup_policy_ cj_seccomp_policy *p = NULL;
        cj_error e = { 0 };
        ck_assert_msg(cj_seccomp_policy_load("default", dirs, &p, &e) == 0, "%s", e.msg);

        _cleanup_free_ struct sock_filter *prog = NULL;
        size_t n = 0;
        ck_assert_msg(cj_seccomp_policy_compile_bpf(p, &prog, &n, &e) == 0, "%s", e.msg);
        ck_assert_uint_gt(n, 10);
        ck_assert_uint_le(n, CJ_SECCOMP_BPF_MAX);

        char path[] = "/tmp/cj-seccomp-export.XXXXXX";
        _cleanup_close_ int fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        unlink(path);
        ck_assert_int_eq(cj_seccomp_policy_export(p, fd, true, &e), 0);
        ck_assert_int_eq(lseek(fd, 0, SEEK_CUR), (off_t) (n * sizeof(struct sock_filter)));
        _cleanup_free_ char *raw = NULL;
        size_t rl = 0;
        ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
        ck_assert_int_eq(cj_read_fd(fd, 1 << 20, &raw, &rl, NULL), 0);
        ck_assert_mem_eq(raw, prog, rl);

        ck_assert_int_eq(ftruncate(fd, 0), 0);
        ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
        ck_assert_int_eq(cj_seccomp_policy_export(p, fd, false, &e), 0);
        ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
        _cleanup_free_ char *pfc = NULL;
        ck_assert_int_eq(cj_read_fd(fd, 1 << 20, &pfc, NULL, NULL), 0);
        /* TIOCSTI (21522) compared on the low word only, under any high word. */
        ck_assert_msg(strstr(pfc, "$a1.lo32 & 0xffffffff == 21522"), "%s", pfc);
        ck_assert(strstr(pfc, "$a1.hi32 & 0x00000000 == 0"));
        ck_assert(strstr(pfc, "action KILL_PROCESS;"));
        ck_assert(strstr(pfc, "action ERRNO(38);"));
}
END_TEST

START_TEST(compile_errors_name_the_rule) {
        /* Same syscall, same condition, two actions: libseccomp refuses. */
        _cleanup_policy_ cj_seccomp_policy *p = NULL;
        cj_error e = { 0 };
        ck_assert_int_eq(cj_seccomp_policy_parse_string("default allow\nerrno EPERM ioctl if arg1 == 1\n"
                                                        "kill ioctl if arg1 == 1\n",
                                                        "c.policy", no_dirs, &p, &e),
                         0);
        _cleanup_free_ struct sock_filter *prog = NULL;
        size_t n = 0;
        ck_assert_int_lt(cj_seccomp_policy_compile_bpf(p, &prog, &n, &e), 0);
        ck_assert_str_eq(e.msg, "c.policy:3: ioctl: libseccomp rejected the rule: it conflicts with an earlier rule");

        /* A rule with the default action is a no-op, not an error. */
        _cleanup_policy_ cj_seccomp_policy *q = NULL;
        cj_error_clear(&e);
        ck_assert_int_eq(cj_seccomp_policy_parse_string("default errno EPERM\nerrno EPERM bpf\nallow read\n", "d.policy",
                                                        no_dirs, &q, &e),
                         0);
        _cleanup_free_ struct sock_filter *prog2 = NULL;
        ck_assert_msg(cj_seccomp_policy_compile_bpf(q, &prog2, &n, &e) == 0, "%s", e.msg);
}
END_TEST

START_TEST(default_search_dirs_from_env) {
        /* check forks per test, so the cache is fresh here. */
        setenv("CLAWJAIL_SECCOMP_PATH", "/one::/two", 1);
        const char *const *d = cj_seccomp_default_search_dirs();
        ck_assert_str_eq(d[0], "/one");
        ck_assert_str_eq(d[1], "/two");
        ck_assert_str_eq(d[2], CJ_SYSCONFDIR "/seccomp");
        ck_assert_str_eq(d[3], CJ_DATADIR "/seccomp");
        /* Run from the build tree: its source tree, found from /proc/self/exe. */
        _cleanup_free_ char *src = cj_path_join(cj_source_tree(), "seccomp");
        ck_assert_str_eq(d[4], src);
        ck_assert_ptr_null(d[5]);
        ck_assert_ptr_eq(cj_seccomp_default_search_dirs(), d);
        /* And the source tree makes "default" loadable uninstalled. */
        _cleanup_policy_ cj_seccomp_policy *p = NULL;
        cj_error e = { 0 };
        ck_assert_msg(cj_seccomp_policy_load("default", d, &p, &e) == 0, "%s", e.msg);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("seccomp-policy-parse");
        TCase *tc = tcase_create("parse");
        tcase_add_test(tc, actions_and_defaults);
        tcase_add_test(tc, conditions);
        tcase_add_test(tc, override_and_non_native);
        tcase_add_test(tc, syscall_declarations);
        tcase_add_test(tc, errors_name_file_and_line);
        tcase_add_test(tc, size_limits);
        tcase_add_test(tc, include_by_name_path_and_search_dirs);
        tcase_add_test(tc, include_cycles_depth_and_file_count);
        tcase_add_test(tc, odd_files);
        tcase_add_test(tc, canonical_text_round_trips);
        tcase_add_test(tc, shipped_default_blocks_docker_list_and_more);
        tcase_add_test(tc, export_bpf_and_pfc);
        tcase_add_test(tc, compile_errors_name_the_rule);
        tcase_add_test(tc, default_search_dirs_from_env);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
