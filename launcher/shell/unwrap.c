/* SPDX-License-Identifier: MIT */
/* Command runners: programs whose arguments are themselves a command
 * (`sudo cmd`, `env A=1 cmd`, `bash -c 'cmd'`, `xargs cmd`, ...).  Each
 * runner's option syntax is modelled closely enough to find where the inner
 * command starts; an option we do not know makes the result UNRESOLVED rather
 * than a guess. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shell.h"

typedef struct opt {
        char name;          /* short option letter, 0 if long only */
        const char *lng;    /* long name without "--", NULL if none */
        bool arg;           /* takes an argument */
} opt;

static const char *base_name(const char *s) {
        const char *b = strrchr(s, '/');
        return b ? b + 1 : s;
}

static bool is_static(const sh_arg *a) {
        return !(a->flags & (SH_ARG_DYNAMIC | SH_ARG_GLOB | SH_ARG_BRACE));
}

static const opt *find_short(const opt *o, char c) {
        for (; o->name || o->lng; o++)
                if (o->name == c)
                        return o;
        return NULL;
}

static const opt *find_long(const opt *o, const char *s, size_t n) {
        for (; o->name || o->lng; o++)
                if (o->lng && strlen(o->lng) == n && strncmp(o->lng, s, n) == 0)
                        return o;
        return NULL;
}

/* Generic getopt-style scan.  Calls on_opt for every option (with its
 * argument or NULL).  Returns the index of the first operand, or -1 with
 * u->why set on an unknown option / missing argument / dynamic option. */
typedef int (*opt_fn)(sh_unwrap *u, char name, const char *lng, const char *arg);

/* An option's argument: given inline (--opt=VAL, -oVAL), else the next word
 * (*i advances).  NULL with u->why set when there is none. */
static const char *option_value(const char *inline_val, const sh_arg *argv, size_t argc, size_t *i, sh_unwrap *u) {
        if (inline_val)
                return inline_val;
        if (*i + 1 < argc)
                return argv[++*i].value;
        u->why = "runner option without its argument";
        return NULL;
}

static long scan_opts(const sh_arg *argv, size_t argc, size_t i, const opt *opts, sh_unwrap *u, opt_fn fn,
                      bool stop_at_assign) {
        for (; i < argc; i++) {
                const sh_arg *a = &argv[i];
                const char *s = a->value;
                if (!is_static(a) && s[0] == '-') {
                        u->why = "dynamic runner option";
                        return -1;
                }
                if (strcmp(s, "--") == 0)
                        return (long) i + 1;
                if (s[0] != '-' || s[1] == '\0')
                        return (long) i;
                if (stop_at_assign && strchr(s, '=') && s[0] != '-')
                        return (long) i;
                if (s[1] == '-') {
                        const char *eq = strchr(s + 2, '=');
                        size_t n = eq ? (size_t) (eq - s - 2) : strlen(s + 2);
                        const opt *o = find_long(opts, s + 2, n);
                        if (!o) {
                                u->why = "unknown runner option";
                                return -1;
                        }
                        const char *arg = NULL;
                        if (o->arg && !(arg = option_value(eq ? eq + 1 : NULL, argv, argc, &i, u)))
                                return -1;
                        if (fn && fn(u, o->name, o->lng, arg) < 0)
                                return -1;
                        continue;
                }
                for (const char *c = s + 1; *c; c++) {
                        const opt *o = find_short(opts, *c);
                        if (!o) {
                                u->why = "unknown runner option";
                                return -1;
                        }
                        const char *arg = NULL;
                        if (o->arg) {
                                if (!(arg = option_value(c[1] ? c + 1 : NULL, argv, argc, &i, u)))
                                        return -1;
                                if (fn && fn(u, o->name, o->lng, arg) < 0)
                                        return -1;
                                break;
                        }
                        if (fn && fn(u, o->name, o->lng, NULL) < 0)
                                return -1;
                }
        }
        return (long) argc;
}

static int unresolved(sh_unwrap *u, const char *why) {
        u->flags |= SH_UNWRAP_UNRESOLVED;
        if (!u->why)
                u->why = why;
        return 0;
}

static int set_inner(sh_unwrap *u, size_t argc, long i) {
        if (i < 0)
                return unresolved(u, "unknown runner option");
        if ((size_t) i >= argc && u->nextra == 0) {
                u->flags |= SH_UNWRAP_NONE;
                return 0;
        }
        u->flags |= SH_UNWRAP_ARGV;
        u->inner = (size_t) i;
        return 0;
}

/* ---- shells ---- */

static const opt shell_opts[] = {
        { 'c', NULL, false }, { 'e', NULL, false }, { 'x', NULL, false }, { 'u', NULL, false },
        { 'v', NULL, false }, { 'n', NULL, false }, { 'f', NULL, false }, { 'h', NULL, false },
        { 'i', NULL, false }, { 'l', NULL, false }, { 'r', NULL, false }, { 's', NULL, false },
        { 'a', NULL, false }, { 'b', NULL, false }, { 'k', NULL, false }, { 'm', NULL, false },
        { 'p', NULL, false }, { 't', NULL, false }, { 'B', NULL, false }, { 'C', NULL, false },
        { 'E', NULL, false }, { 'H', NULL, false }, { 'P', NULL, false }, { 'T', NULL, false },
        { 'o', NULL, true },  { 'O', NULL, true },  { 'D', NULL, false },
        { 0, "login", false }, { 0, "noprofile", false }, { 0, "norc", false }, { 0, "posix", false },
        { 0, "rcfile", true }, { 0, "init-file", true }, { 0, "restricted", false }, { 0, "verbose", false },
        { 0, "noediting", false }, { 0, "debugger", false }, { 0, "dump-strings", false },
        { 0, "dump-po-strings", false }, { 0, "pretty-print", false }, { 0, "help", false },
        { 0, "version", false }, { 0 },
};

static int shell_opt(sh_unwrap *u, char name, const char *lng, const char *arg) {
        if (name == 'c')
                u->via_flags |= SH_VIA_SHELL_STRING;
        if (name == 's')
                u->via_flags |= SH_VIA_APPENDS_ARGS; /* marker: reads stdin */
        return 0;
}

static int unwrap_shell(const sh_arg *argv, size_t argc, sh_unwrap *u) {
        /* +o / +O behave like -o / -O. */
        size_t i = 1;
        for (; i < argc; i++) {
                const char *s = argv[i].value;
                if (s[0] == '+' && s[1]) {
                        if ((s[1] == 'o' || s[1] == 'O') && !s[2])
                                i++;
                        continue;
                }
                break;
        }
        u->via_flags = 0;
        long k = scan_opts(argv, argc, i, shell_opts, u, shell_opt, false);
        if (k < 0)
                return unresolved(u, "unknown shell option");
        bool c = u->via_flags & SH_VIA_SHELL_STRING;
        u->via_flags &= ~SH_VIA_APPENDS_ARGS;
        if (!c) {
                if ((size_t) k < argc)
                        return unresolved(u, "shell runs a script file the parser cannot see");
                return unresolved(u, "shell reads its commands from stdin");
        }
        if ((size_t) k >= argc)
                return unresolved(u, "shell -c without a command string");
        const sh_arg *a = &argv[k];
        u->script_arg = a;
        if (!is_static(a))
                return unresolved(u, "shell -c with a dynamic command string");
        u->flags |= SH_UNWRAP_STRING;
        u->script = a->value;
        u->script_exact = true;
        return 0;
}

/* ---- env ---- */

static const opt env_opts[] = {
        { 'i', "ignore-environment", false }, { 'u', "unset", true }, { 'C', "chdir", true },
        { 'S', "split-string", true }, { '0', "null", false }, { 'v', "debug", false },
        { 0, "block-signal", false }, { 0, "default-signal", false }, { 0, "ignore-signal", false },
        { 0, "list-signal-handling", false }, { 0 },
};

/* env -S's argument is parked in u->script until the options are done. */
static int env_opt(sh_unwrap *u, char name, const char *lng, const char *arg) {
        if (name == 'i')
                u->via_flags |= SH_VIA_CLEAR_ENV;
        else if (name == 'C')
                u->via_flags |= SH_VIA_CHDIR;
        else if (name == 'S')
                u->script = arg;
        return 0;
}

static int push_extra(sh_unwrap *u, const char *s, size_t n, uint32_t flags, sh_span span) {
        sh_arg *v = realloc(u->extra, (u->nextra + 1) * sizeof *v);
        if (!v)
                return -ENOMEM;
        u->extra = v;
        char *str = strndup(s, n);
        if (!str)
                return -ENOMEM;
        v[u->nextra++] = (sh_arg){ .value = str, .span = span, .flags = flags | SH_ARG_SYNTHETIC };
        return 0;
}

/* env -S: split like GNU env (quotes, backslash escapes, ${VAR} is dynamic). */
static int env_split_string(sh_unwrap *u, const char *s, sh_span span) {
        size_t n = strlen(s);
        char *buf = malloc(n + 1);
        if (!buf)
                return -ENOMEM;
        size_t i = 0;
        int r = 0;
        while (i < n && r >= 0) {
                while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
                        i++;
                if (i >= n || s[i] == '#')
                        break;
                size_t k = 0;
                uint32_t flags = 0;
                char q = 0;
                for (; i < n; i++) {
                        char c = s[i];
                        if (!q && (c == ' ' || c == '\t' || c == '\n'))
                                break;
                        if (!q && (c == '\'' || c == '"')) {
                                q = c;
                                continue;
                        }
                        if (q && c == q) {
                                q = 0;
                                continue;
                        }
                        if (c == '$' && q != '\'' && i + 1 < n && s[i + 1] == '{')
                                flags |= SH_ARG_DYNAMIC;
                        if (c == '\\' && q != '\'' && i + 1 < n) {
                                char e = s[++i];
                                switch (e) {
                                case 'n': c = '\n'; break;
                                case 't': c = '\t'; break;
                                case 'r': c = '\r'; break;
                                case 'f': c = '\f'; break;
                                case 'v': c = '\v'; break;
                                case '_': c = ' '; break;
                                case 'c': i = n; continue;
                                default: c = e; break;
                                }
                        }
                        buf[k++] = c;
                }
                if (q)
                        flags |= SH_ARG_DYNAMIC; /* env itself rejects it */
                r = push_extra(u, buf, k, flags, span);
        }
        free(buf);
        return r;
}

static int unwrap_env(const sh_arg *argv, size_t argc, sh_unwrap *u) {
        size_t i = 1;
        /* A lone "-" means -i. */
        long k;
        for (;;) {
                if (i < argc && strcmp(argv[i].value, "-") == 0) {
                        u->via_flags |= SH_VIA_CLEAR_ENV;
                        i++;
                        continue;
                }
                k = scan_opts(argv, argc, i, env_opts, u, env_opt, false);
                if (k >= 0 && (size_t) k < argc && strcmp(argv[k].value, "-") == 0 && strcmp(argv[k - 1].value, "--")) {
                        i = (size_t) k;
                        continue;
                }
                break;
        }
        if (k < 0)
                return unresolved(u, "unknown env option");
        if (u->script) {
                /* -S's argument belongs to the arg before the operands. */
                sh_span sp = (size_t) k > 0 ? argv[k - 1].span : argv[0].span;
                int r = env_split_string(u, u->script, sp);
                u->script = NULL;
                if (r < 0)
                        return r;
        }
        /* NAME=value operands. */
        for (; (size_t) k < argc; k++) {
                const char *s = argv[k].value;
                const char *eq = strchr(s, '=');
                if (!eq || eq == s)
                        break;
                sh_cmd_assign *v = realloc(u->assigns, (u->nassigns + 1) * sizeof *v);
                if (!v)
                        return -ENOMEM;
                u->assigns = v;
                char *name = strndup(s, (size_t) (eq - s));
                if (!name)
                        return -ENOMEM;
                v[u->nassigns++] = (sh_cmd_assign){ .name = name, .value = eq + 1, .span = argv[k].span,
                                                    .flags = argv[k].flags };
        }
        if (u->nextra > 0) {
                u->flags |= SH_UNWRAP_ARGV;
                u->inner = (size_t) k;
                return 0;
        }
        return set_inner(u, argc, k);
}

/* ---- the simple ones ---- */

static const opt timeout_opts[] = { { 's', "signal", true }, { 'k', "kill-after", true },
                                    { 0, "preserve-status", false }, { 0, "foreground", false },
                                    { 'v', "verbose", false }, { 0 } };
static const opt nice_opts[] = { { 'n', "adjustment", true }, { 0 } };
static const opt setsid_opts[] = { { 'c', "ctty", false }, { 'f', "fork", false }, { 'w', "wait", false }, { 0 } };
static const opt stdbuf_opts[] = { { 'i', "input", true }, { 'o', "output", true }, { 'e', "error", true }, { 0 } };
static const opt xargs_opts[] = {
        { '0', "null", false }, { 'a', "arg-file", true }, { 'd', "delimiter", true }, { 'E', "eof", true },
        { 'I', "replace", true }, { 'L', "max-lines", true }, { 'n', "max-args", true }, { 'P', "max-procs", true },
        { 'p', "interactive", false }, { 'r', "no-run-if-empty", false }, { 's', "max-chars", true },
        { 't', "verbose", false }, { 'x', "exit", false }, { 'o', "open-tty", false },
        { 0, "process-slot-var", true }, { 0, "show-limits", false }, { 0 },
};
static const opt sudo_opts[] = {
        { 'A', "askpass", false }, { 'b', "background", false }, { 'C', "close-from", true },
        { 'D', "chdir", true }, { 'E', "preserve-env", false }, { 'g', "group", true }, { 'H', "set-home", false },
        { 'h', "host", true }, { 'i', "login", false }, { 'K', "remove-timestamp", false },
        { 'k', "reset-timestamp", false }, { 'l', "list", false }, { 'n', "non-interactive", false },
        { 'P', "preserve-groups", false }, { 'p', "prompt", true }, { 'R', "chroot", true }, { 'r', "role", true },
        { 'S', "stdin", false }, { 's', "shell", false }, { 't', "type", true }, { 'T', "command-timeout", true },
        { 'U', "other-user", true }, { 'u', "user", true }, { 'V', "version", false }, { 'v', "validate", false },
        { 'e', "edit", false }, { 'B', "bell", false }, { 0 },
};
static const opt doas_opts[] = { { 'u', NULL, true }, { 'C', NULL, true }, { 'L', NULL, false },
                                 { 'n', NULL, false }, { 's', NULL, false }, { 0 } };
static const opt watch_opts[] = {
        { 'n', "interval", true }, { 'd', "differences", false }, { 'g', "chgexit", false },
        { 't', "no-title", false }, { 'b', "beep", false }, { 'e', "errexit", false }, { 'p', "precise", false },
        { 'c', "color", false }, { 'C', "no-color", false }, { 'x', "exec", false }, { 'w', "no-wrap", false },
        { 'q', "equexit", true }, { 'r', "no-rerun", false }, { 0 },
};
static const opt exec_opts[] = { { 'c', NULL, false }, { 'l', NULL, false }, { 'a', NULL, true }, { 0 } };
static const opt command_opts[] = { { 'p', NULL, false }, { 'v', NULL, false }, { 'V', NULL, false }, { 0 } };
static const opt time_opts[] = { { 'p', "portability", false }, { 'f', "format", true }, { 'o', "output", true },
                                 { 'a', "append", false }, { 'v', "verbose", false }, { 'q', "quiet", false }, { 0 } };

/* Scheduling and I/O runners that exec their argv after options and a fixed
 * number of leading operands (chrt's priority, taskset's mask, setarch's
 * architecture).  An option not listed here leaves the command unresolved:
 * guessing where the inner command starts is how `ionice -c 3 find . -name
 * "*.o"` used to be read as running `*.o`. */
static const opt ionice_opts[] = { { 'c', "class", true }, { 'n', "classdata", true }, { 't', "ignore", false },
                                   { 'p', "pid", true }, { 'P', "pgid", true }, { 'u', "uid", true }, { 0 } };
static const opt chrt_opts[] = {
        { 'b', "batch", false }, { 'd', "deadline", false }, { 'f', "fifo", false }, { 'i', "idle", false },
        { 'o', "other", false }, { 'r', "rr", false }, { 'R', "reset-on-fork", false }, { 'v', "verbose", false },
        { 'a', "all-tasks", false }, { 'm', "max", false }, { 'p', "pid", false }, { 'T', "sched-runtime", true }, { 'P', "sched-period", true }, { 'D', "sched-deadline", true }, { 0 },
};
static const opt taskset_opts[] = { { 'a', "all-tasks", false }, { 'c', "cpu-list", false }, { 'p', "pid", false },
                                    { 0 } };
static const opt chronic_opts[] = { { 'e', NULL, false }, { 'v', NULL, false }, { 0 } };
static const opt nocache_opts[] = { { 'n', NULL, true }, { 0 } };
static const opt setarch_opts[] = {
        { 'v', "verbose", false }, { 'R', "addr-no-randomize", false }, { 'F', "fdpic-funcptrs", false },
        { 'Z', "mmap-page-zero", false }, { 'L', "addr-compat-layout", false }, { 'X', "read-implies-exec", false },
        { 'B', "32bit", false }, { 'I', "short-inode", false }, { 'S', "whole-seconds", false },
        { 'T', "sticky-timeouts", false }, { '3', "3gb", false }, { 0, "4gb", false }, { 0, "uname-2.6", false },
        { 0 },
};
static const opt no_opts[] = { { 0 } };

typedef struct plain_runner {
        const char *name;
        const opt *opts;
        unsigned lead_before; /* operands before the options (setarch ARCH) */
        unsigned lead_after;  /* operands between the options and the command */
        const char *no_exec;  /* options after which no command follows: -p PID, chrt -m */
} plain_runner;

static const plain_runner plain_runners[] = {
        { "ionice", ionice_opts, 0, 0, "p" },   { "chrt", chrt_opts, 0, 1, "pm" },
        { "taskset", taskset_opts, 0, 1, "p" }, { "eatmydata", no_opts, 0, 0, "" },
        { "chronic", chronic_opts, 0, 0, "" },  { "nocache", nocache_opts, 0, 0, "" },
        { "catchsegv", no_opts, 0, 0, "" },     { "setarch", setarch_opts, 1, 0, "" },
        { "linux32", setarch_opts, 0, 0, "" },  { "linux64", setarch_opts, 0, 0, "" },
};

static const plain_runner *find_plain_runner(const char *name) {
        for (size_t i = 0; i < sizeof plain_runners / sizeof *plain_runners; i++)
                if (!strcmp(plain_runners[i].name, name))
                        return &plain_runners[i];
        return NULL;
}

static int plain_opt(sh_unwrap *u, char name, const char *lng, const char *arg) {
        (void) lng;
        (void) arg;
        const plain_runner *p = find_plain_runner(u->runner);
        /* -p acts on a running process (ionice, chrt, taskset); chrt -m prints ranges */
        if (p && name && strchr(p->no_exec, name))
                u->via_flags |= SH_VIA_NO_EXEC;
        return 0;
}

static int unwrap_plain(const plain_runner *p, const sh_arg *argv, size_t argc, sh_unwrap *u) {
        size_t i = 1 + p->lead_before;
        for (size_t j = 1; j < i; j++)
                if (j >= argc || !is_static(&argv[j]) || argv[j].value[0] == '-')
                        return unresolved(u, "runner operand missing or known only at runtime");
        long k = scan_opts(argv, argc, i, p->opts, u, plain_opt, false);
        if (k < 0)
                return unresolved(u, "unknown runner option"); /* keeps scan_opts' reason */
        if (u->via_flags & SH_VIA_NO_EXEC) {
                u->flags |= SH_UNWRAP_NONE;
                return 0;
        }
        for (unsigned n = 0; n < p->lead_after; n++, k++)
                if ((size_t) k >= argc || !is_static(&argv[k]))
                        return unresolved(u, "runner operand missing or known only at runtime");
        return set_inner(u, argc, k);
}

static int misc_opt(sh_unwrap *u, char name, const char *lng, const char *arg) {
        const char *r = u->runner;
        if (!strcmp(r, "xargs") && name == 'I')
                u->via_flags |= SH_VIA_SUBSTITUTES;
        if ((!strcmp(r, "sudo") || !strcmp(r, "doas")) && name == 'u')
                u->user = arg;
        if (!strcmp(r, "sudo") && (name == 'l' || name == 'v' || name == 'V' || name == 'K' || name == 'k'))
                u->via_flags |= SH_VIA_NO_EXEC;
        if (!strcmp(r, "sudo") && name == 'e')
                u->why = "sudo -e edits files as root";
        if (!strcmp(r, "sudo") && name == 'D')
                u->via_flags |= SH_VIA_CHDIR;
        if (!strcmp(r, "command") && (name == 'v' || name == 'V'))
                u->via_flags |= SH_VIA_NO_EXEC;
        if (!strcmp(r, "watch") && name == 'x')
                u->via_flags |= SH_VIA_REPLACES; /* marker: exec, not sh -c */
        return 0;
}

/* argv[k..] joined with spaces is a shell string (watch, eval). */
static int join_script(const sh_arg *argv, size_t argc, long k, sh_unwrap *u) {
        if ((size_t) k >= argc) {
                u->flags |= SH_UNWRAP_NONE;
                return 0;
        }
        size_t total = 0;
        for (size_t i = (size_t) k; i < argc; i++) {
                if (!is_static(&argv[i]))
                        return unresolved(u, "dynamic command string");
                total += strlen(argv[i].value) + 1;
        }
        u->script_arg = &argv[k];
        if ((size_t) k + 1 == argc) {
                u->script = argv[k].value;
                u->script_exact = true;
        } else {
                u->owned_script = malloc(total);
                if (!u->owned_script)
                        return -ENOMEM;
                char *o = u->owned_script;
                for (size_t i = (size_t) k; i < argc; i++) {
                        size_t n = strlen(argv[i].value);
                        memcpy(o, argv[i].value, n);
                        o += n;
                        *o++ = i + 1 < argc ? ' ' : '\0';
                }
                u->script = u->owned_script;
        }
        u->via_flags |= SH_VIA_SHELL_STRING;
        u->flags |= SH_UNWRAP_STRING;
        return 0;
}

static int unwrap_watch(const sh_arg *argv, size_t argc, sh_unwrap *u) {
        long k = scan_opts(argv, argc, 1, watch_opts, u, misc_opt, false);
        if (k < 0)
                return unresolved(u, "unknown watch option");
        bool exec = u->via_flags & SH_VIA_REPLACES;
        u->via_flags = SH_VIA_REPEATS;
        if (exec)
                return set_inner(u, argc, k);
        return join_script(argv, argc, k, u);
}

int sh_unwrap_argv(const sh_arg *argv, size_t argc, sh_unwrap *u) {
        memset(u, 0, sizeof *u);
        if (argc == 0 || !is_static(&argv[0]))
                return 0;
        const char *name = base_name(argv[0].value);
        static const char *const shells[] = { "bash", "sh", "dash", "zsh", "ksh", "mksh", "rbash", "ash", "busybox" };
        static const char *const simple[] = { "env", "timeout", "nice", "nohup", "setsid", "stdbuf", "xargs",
                                              "sudo", "doas", "watch", "exec", "command", "builtin", "time",
                                              "eval" };
        const char *runner = NULL;
        bool is_shell = false;
        for (size_t i = 0; i < sizeof shells / sizeof *shells && !runner; i++)
                if (!strcmp(name, shells[i])) {
                        runner = shells[i];
                        is_shell = true;
                }
        for (size_t i = 0; i < sizeof simple / sizeof *simple && !runner; i++)
                if (!strcmp(name, simple[i]))
                        runner = simple[i];
        const plain_runner *plain = runner ? NULL : find_plain_runner(name);
        if (plain)
                runner = plain->name;
        if (!runner)
                return 0;
        u->runner = runner;
        u->flags = SH_UNWRAP_RUNNER;
        int r = 0;
        long k;
        if (plain) {
                r = unwrap_plain(plain, argv, argc, u);
        } else if (!strcmp(runner, "busybox")) {
                /* busybox sh -c ...: shift by one */
                if (argc > 1 && (!strcmp(argv[1].value, "sh") || !strcmp(argv[1].value, "ash")))
                        r = unwrap_shell(argv + 1, argc - 1, u);
                else
                        r = set_inner(u, argc, 1);
                if (u->flags & SH_UNWRAP_ARGV)
                        u->inner++;
        } else if (is_shell) {
                r = unwrap_shell(argv, argc, u);
        } else if (!strcmp(runner, "env")) {
                r = unwrap_env(argv, argc, u);
        } else if (!strcmp(runner, "timeout")) {
                k = scan_opts(argv, argc, 1, timeout_opts, u, NULL, false);
                r = set_inner(u, argc, k < 0 ? k : (size_t) k < argc ? k + 1 : k); /* skip DURATION */
        } else if (!strcmp(runner, "nice")) {
                size_t i = 1;
                if (i < argc && argv[i].value[0] == '-' && argv[i].value[1] >= '0' && argv[i].value[1] <= '9')
                        i++; /* old style -N */
                r = set_inner(u, argc, scan_opts(argv, argc, i, nice_opts, u, NULL, false));
        } else if (!strcmp(runner, "nohup") || !strcmp(runner, "builtin")) {
                r = set_inner(u, argc, argc > 1 && !strcmp(argv[1].value, "--") ? 2 : 1);
        } else if (!strcmp(runner, "setsid")) {
                r = set_inner(u, argc, scan_opts(argv, argc, 1, setsid_opts, u, NULL, false));
        } else if (!strcmp(runner, "stdbuf")) {
                r = set_inner(u, argc, scan_opts(argv, argc, 1, stdbuf_opts, u, NULL, false));
        } else if (!strcmp(runner, "xargs")) {
                k = scan_opts(argv, argc, 1, xargs_opts, u, misc_opt, false);
                u->via_flags |= SH_VIA_APPENDS_ARGS;
                r = set_inner(u, argc, k);
                if (u->flags & SH_UNWRAP_NONE) {
                        /* xargs with no command runs echo */
                        u->flags &= ~SH_UNWRAP_NONE;
                        r = push_extra(u, "echo", 4, 0, argv[0].span);
                        u->flags |= SH_UNWRAP_ARGV;
                        u->inner = argc;
                }
        } else if (!strcmp(runner, "sudo") || !strcmp(runner, "doas")) {
                u->via_flags |= SH_VIA_PRIVILEGED;
                k = scan_opts(argv, argc, 1, runner[0] == 's' ? sudo_opts : doas_opts, u, misc_opt, false);
                if (k >= 0 && u->why && runner[0] == 's')
                        return unresolved(u, u->why);
                /* sudo VAR=value cmd */
                for (; k >= 0 && (size_t) k < argc; k++) {
                        const char *s = argv[k].value, *eq = strchr(s, '=');
                        const char *slash = strchr(s, '/');
                        if (!eq || eq == s || (slash && slash < eq))
                                break;
                        bool name_ok = true;
                        for (const char *c = s; c < eq; c++)
                                name_ok &= (*c == '_' || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                                            (c > s && *c >= '0' && *c <= '9'));
                        if (!name_ok)
                                break;
                        sh_cmd_assign *v = realloc(u->assigns, (u->nassigns + 1) * sizeof *v);
                        char *nm = strndup(s, (size_t) (eq - s));
                        if (!v || !nm) {
                                free(v == u->assigns ? NULL : v);
                                free(nm);
                                return -ENOMEM;
                        }
                        u->assigns = v;
                        v[u->nassigns++] = (sh_cmd_assign){ .name = nm, .value = eq + 1, .span = argv[k].span,
                                                            .flags = argv[k].flags };
                }
                r = set_inner(u, argc, k);
        } else if (!strcmp(runner, "watch")) {
                r = unwrap_watch(argv, argc, u);
        } else if (!strcmp(runner, "eval")) {
                r = join_script(argv, argc, argc > 1 && !strcmp(argv[1].value, "--") ? 2 : 1, u);
        } else if (!strcmp(runner, "exec")) {
                u->via_flags |= SH_VIA_REPLACES;
                r = set_inner(u, argc, scan_opts(argv, argc, 1, exec_opts, u, NULL, false));
        } else if (!strcmp(runner, "command")) {
                r = set_inner(u, argc, scan_opts(argv, argc, 1, command_opts, u, misc_opt, false));
        } else if (!strcmp(runner, "time")) {
                r = set_inner(u, argc, scan_opts(argv, argc, 1, time_opts, u, NULL, false));
        }
        return r < 0 ? r : 0;
}

void sh_unwrap_done(sh_unwrap *u) {
        if (!u)
                return;
        for (size_t i = 0; i < u->nextra; i++)
                free((char *) u->extra[i].value);
        free(u->extra);
        for (size_t i = 0; i < u->nassigns; i++)
                free((char *) u->assigns[i].name);
        free(u->assigns);
        free(u->owned_script);
        memset(u, 0, sizeof *u);
}
