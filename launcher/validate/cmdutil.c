/* SPDX-License-Identifier: MIT */
/* Small questions validators ask about a resolved simple command. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *cj_basename(const char *s) {
        const char *b = strrchr(s, '/');
        return b && b[1] ? b + 1 : s;
}

const char *cj_cmd_name(const sh_cmd *cmd) {
        return cmd->argc ? cj_basename(cmd->argv[0].value) : "";
}

bool cj_name_in(const char *name, const char *const *list) {
        /* first byte before strcmp: these lists are checked for every command */
        for (; *list; list++)
                if ((*list)[0] == name[0] && strcmp(name, *list) == 0)
                        return true;
        return false;
}

sh_span cj_cmd_span(const sh_cmd *cmd) {
        if (cmd->span.len > 0 || cmd->argc == 0)
                return cmd->span;
        return cmd->argv[0].span;
}

static const char *const shells[] = { "sh", "bash", "dash", "zsh", "ksh", "mksh", "pdksh", "yash", "ash",
                                      "csh", "tcsh", "fish", "rbash", "busybox", "toybox", NULL };
static const char *const interpreters[] = {
        "python", "python2", "python3", "pypy", "pypy3", "perl", "perl5", "ruby", "irb", "node", "nodejs", "deno",
        "bun", "php", "lua", "luajit", "tclsh", "wish", "expect", "Rscript", "R", "julia", "guile", "racket",
        "scheme", "sbcl", "clisp", "ocaml", "ghci", "runghc", "osascript", "jshell", "groovy", "scala", "kotlin",
        "pwsh", "powershell", "awk", "gawk", "mawk", "nawk", "busybox", NULL
};
static const char *const fetchers[] = { "curl", "wget", "fetch", "aria2c", "http", "https", "xh", "lwp-request",
                                        "GET", "nc", "ncat", "netcat", "socat", "openssl", "ftp", "tftp", "lynx",
                                        "links", "w3m", "gh", "git-remote-http", NULL };

bool cj_is_shell_name(const char *name) {
        return cj_name_in(name, shells);
}

/* python3.11, python3.12 ... */
static bool versioned(const char *name, const char *base) {
        size_t l = strlen(base);
        if (strncmp(name, base, l) != 0)
                return false;
        for (const char *p = name + l; *p; p++)
                if (!(*p == '.' || (*p >= '0' && *p <= '9')))
                        return false;
        return true;
}

bool cj_is_interpreter_name(const char *name) {
        if (cj_name_in(name, interpreters))
                return true;
        if (!strchr("prl", name[0]))
                return false;
        return versioned(name, "python") || versioned(name, "perl") || versioned(name, "ruby") ||
               versioned(name, "php") || versioned(name, "lua");
}

bool cj_is_fetcher_name(const char *name) {
        return cj_name_in(name, fetchers);
}

bool cj_path_is_stdin(const char *v) {
        if (strcmp(v, "-") == 0)
                return true;
        /* normalize: repeated slashes and "/./" do not change the file */
        char n[64];
        size_t o = 0;
        for (const char *p = v; *p; p++) {
                if (o + 1 >= sizeof n)
                        return false;
                if (*p == '/' && o > 0 && n[o - 1] == '/')
                        continue;
                if (*p == '.' && o > 0 && n[o - 1] == '/' && (p[1] == '/' || !p[1])) {
                        p += p[1] ? 1 : 0;
                        continue;
                }
                n[o++] = *p;
        }
        n[o] = '\0';
        static const char *const stdin_paths[] = { "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0",
                                                   "/proc/thread-self/fd/0", NULL };
        if (cj_name_in(n, stdin_paths))
                return true;
        /* /dev/fd/00, /proc/self/fd/000 */
        const char *tail = strncmp(n, "/dev/fd/", 8) == 0 ? n + 8 : strncmp(n, "/proc/self/fd/", 14) == 0 ? n + 14 : NULL;
        return tail && *tail && strspn(tail, "0") == strlen(tail);
}

/* A shell with no -c and no script operand runs what arrives on stdin. */
bool cj_cmd_is_shell_reading_stdin(const sh_cmd *cmd) {
        const char *name = cj_cmd_name(cmd);
        if (!cj_is_shell_name(name) || strcmp(name, "busybox") == 0 || strcmp(name, "toybox") == 0)
                return false;
        for (size_t i = 1; i < cmd->argc; i++) {
                const char *a = cmd->argv[i].value;
                if (strcmp(a, "-s") == 0 || strcmp(a, "-") == 0)
                        return true;
                if (strcmp(a, "--") == 0)
                        return i + 1 >= cmd->argc;
                if (a[0] == '-' || a[0] == '+') {
                        if (a[1] != '-' && strchr(a, 'c'))
                                return false; /* -c: the string is the program */
                        if (strcmp(a, "-o") == 0 || strcmp(a, "+o") == 0 || strcmp(a, "-O") == 0 ||
                            strcmp(a, "+O") == 0 || strcmp(a, "--rcfile") == 0 || strcmp(a, "--init-file") == 0)
                                i++;
                        continue;
                }
                return cj_path_is_stdin(a); /* a script operand: /dev/stdin is stdin too */
        }
        return true;
}

static const char *const decoders[] = { "base64", "base32", "basenc", "xxd", "uudecode", "openssl", "gzip",
                                        "gunzip", "zcat", "bzip2", "xz", "unxz", "rev", "tr", NULL };

char *cj_node_command_name(const sh_node *n, bool *decodes) {
        *decodes = false;
        while (n && n->kind == SH_NODE_PIPELINE && n->pipe.n > 0)
                n = n->pipe.elems[n->pipe.n - 1].node;
        if (!n || n->kind != SH_NODE_SIMPLE || n->simple.nwords == 0)
                return NULL;
        char *v = NULL;
        if (sh_word_resolve1(&n->simple.words[0], &v) != 0) {
                free(v);
                return NULL;
        }
        const char *b = cj_basename(v);
        if (cj_name_in(b, decoders)) {
                for (uint32_t i = 1; i < n->simple.nwords; i++) {
                        char *a = NULL;
                        if (sh_word_resolve1(&n->simple.words[i], &a) >= 0 && a &&
                            (strcmp(a, "-d") == 0 || strcmp(a, "--decode") == 0 || strcmp(a, "-D") == 0 ||
                             strcmp(a, "-r") == 0 || strcmp(a, "enc") == 0))
                                *decodes = true;
                        free(a);
                }
                if (strcmp(b, "uudecode") == 0 || strcmp(b, "gunzip") == 0 || strcmp(b, "zcat") == 0 ||
                    strcmp(b, "unxz") == 0)
                        *decodes = true;
        }
        char *r = strdup(b);
        free(v);
        return r;
}

/* Does argv[i] become program text (shell -c string, eval words, source
 * operand, interpreter -c/-e code or script operand)? */
bool cj_cmd_takes_code(const sh_cmd *cmd) {
        const char *name = cj_cmd_name(cmd);
        return strcmp(name, "eval") == 0 || strcmp(name, "source") == 0 || strcmp(name, ".") == 0 ||
               cj_is_shell_name(name) || cj_is_interpreter_name(name);
}

bool cj_arg_is_code(const sh_cmd *cmd, size_t i) {
        const char *name = cj_cmd_name(cmd);
        if (i == 0 || i >= cmd->argc)
                return false;
        if (strcmp(name, "eval") == 0)
                return true;
        if (strcmp(name, "source") == 0 || strcmp(name, ".") == 0)
                return i == 1;
        bool shell = cj_is_shell_name(name), interp = cj_is_interpreter_name(name);
        if (!shell && !interp)
                return false;
        for (size_t k = 1; k < cmd->argc && k <= i; k++) {
                const char *a = cmd->argv[k].value;
                if (a[0] == '-' && a[1] != '\0' && a[1] != '-') {
                        /* -c / -e / -E / -r / -p take the code as the next word (or attached for perl -e'..') */
                        const char *codeflags = shell ? "c" : "ceEpr";
                        char last = a[strlen(a) - 1];
                        if (strchr(codeflags, last) && k + 1 == i)
                                return true;
                        if (k == i && !shell && strpbrk(a + 1, "eE") && a[2] != '\0')
                                return true;
                        continue;
                }
                if (a[0] == '-' && a[1] == '-') {
                        if ((strcmp(a, "--eval") == 0 || strcmp(a, "--command") == 0 || strcmp(a, "--print") == 0) &&
                            k + 1 == i)
                                return true;
                        continue;
                }
                /* first operand: the script file */
                return k == i;
        }
        return false;
}

bool cj_arg_is_workspace_path(const sh_arg *a) {
        const char *v = a->value;
        if (a->flags & (SH_ARG_DYNAMIC | SH_ARG_TILDE) || a->word_flags & SH_WORD_PROCSUBST)
                return false;
        if (v[0] == '/' || v[0] == '\0' || v[0] == '-')
                return false;
        return strncmp(v, "../", 3) != 0 && !strstr(v, "/../") && strcmp(v, "..") != 0;
}

/* A static relative path that stays inside the workspace: running or sourcing
 * it is no different from running ./script, which the sandbox confines. */
bool cj_arg_is_workspace_file(const sh_arg *a) {
        return !(a->flags & SH_ARG_GLOB) && cj_arg_is_workspace_path(a);
}

static void assigned_add(cj_assigned_names *out, const sh_cmd *cmd, size_t i) {
        if (out->n < CJ_ASSIGNED_MAX && !(cmd->argv[i].flags & SH_ARG_DYNAMIC) && cmd->argv[i].value[0]) {
                out->name[out->n] = cmd->argv[i].value;
                out->argi[out->n++] = i;
        }
}

void cj_cmd_assigned_names(const sh_cmd *cmd, cj_assigned_names *out) {
        *out = (cj_assigned_names) { 0 };
        const char *n = cj_cmd_name(cmd);
        /* option letters that take an argument, and the one whose argument is a name */
        const char *with_arg, *name_opt = "";
        bool positional_names = false, last_only = false;
        size_t skip = 0; /* leading positionals that are not names */
        if (strcmp(n, "read") == 0)
                with_arg = "adinNptu", name_opt = "a", positional_names = true;
        else if (strcmp(n, "printf") == 0)
                with_arg = "v", name_opt = "v";
        else if (strcmp(n, "mapfile") == 0 || strcmp(n, "readarray") == 0)
                with_arg = "dnOsuCc", positional_names = true, last_only = true;
        else if (strcmp(n, "getopts") == 0)
                with_arg = "", positional_names = true, skip = 1, last_only = true;
        else if (strcmp(n, "wait") == 0)
                with_arg = "p", name_opt = "p";
        else
                return;
        size_t i = 1;
        for (; i < cmd->argc; i++) {
                const char *v = cmd->argv[i].value;
                if (strcmp(v, "--") == 0) {
                        i++;
                        break;
                }
                if (v[0] != '-' || !v[1])
                        break;
                for (const char *o = v + 1; *o; o++) {
                        if (!strchr(with_arg, *o))
                                continue;
                        bool names = strchr(name_opt, *o) != NULL;
                        if (o[1]) { /* -vNAME: the rest of the word */
                                if (names && out->n < CJ_ASSIGNED_MAX && !(cmd->argv[i].flags & SH_ARG_DYNAMIC)) {
                                        out->name[out->n] = o + 1;
                                        out->argi[out->n++] = i;
                                }
                        } else if (i + 1 < cmd->argc) {
                                i++;
                                if (names)
                                        assigned_add(out, cmd, i);
                        }
                        break;
                }
        }
        if (!positional_names || i >= cmd->argc)
                return;
        i += skip;
        if (last_only) {
                /* getopts OPTSTRING NAME [ARGS]: the name; mapfile [opts] [ARRAY]: the last word */
                if (strcmp(n, "getopts") == 0) {
                        if (i < cmd->argc)
                                assigned_add(out, cmd, i);
                } else
                        assigned_add(out, cmd, cmd->argc - 1);
                return;
        }
        for (; i < cmd->argc; i++)
                assigned_add(out, cmd, i);
}

bool cj_find_has_test(const sh_cmd *cmd) {
        static const char *const tests[] = { "-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename",
                                             "-regex", "-iregex", "-type", "-xtype", "-newer", "-anewer", "-cnewer",
                                             "-mtime", "-mmin", "-atime", "-amin", "-ctime", "-cmin", "-size", "-empty",
                                             "-user", "-group", "-uid", "-gid", "-perm", "-links", "-inum", "-samefile",
                                             "-lname", "-ilname", "-nouser", "-nogroup", "-used", NULL };
        for (size_t i = 1; i < cmd->argc; i++)
                if (cj_name_in(cmd->argv[i].value, tests))
                        return true;
        return false;
}
