/* SPDX-License-Identifier: MIT */
/*
 * hidden_exec's general mechanisms (issue 8 §4), for allowlist profiles:
 * with a program allowed by rule, catch the ways it starts another one
 * without a per-program table entry --
 *   - an argument that names a shell or an interpreter (`choom -n 0 /bin/sh`,
 *     `-o APT::Update::Pre-Invoke::=/bin/sh`, `hg --config alias.x='!/bin/sh'`);
 *   - an argument that is itself a command string (`system(`, `exec(`,
 *     `execute(`, `!cmd`, `:!cmd`, `\write18`, backquotes);
 *   - a subcommand that runs a program (`bundle exec`, `cabal exec`, `poetry
 *     run`, `npm exec`...): the inner argv is re-checked, rules included;
 *   - a shell or a REPL named as the program with nothing to run: it reads
 *     commands from the agent's stdin (`csh`, `fish`, `irb`, `jjs`).
 * Under a default-allow profile running code is what the sandbox contains,
 * so none of this asks there (docs/validators.md).
 */
#include <string.h>

#include "hidden_exec.h"

/* Programs whose arguments are text or names to look up, never run. */
static const char *const texty[] = { "which", "type", "command", "whereis", "man", "info", "help", "apropos",
                                     "whatis", "hash", "echo", "printf", "grep", "egrep", "fgrep", "rg", "test", "[",
                                     "sed", "awk", "cat", "ls", "file", "stat", "readlink", "realpath", NULL };
/* ... and package managers, where a shell's name is a package. */
static const char *const packagers[] = { "dpkg", "dpkg-query", "rpm", "apt", "apt-get", "apt-cache", "brew", "dnf",
                                         "yum", "pacman", "apk", "snap", "zypper", "port", "nix-env", NULL };

/* Programs that start a pager (or are a full-screen program) with shell
 * escapes, unless their output goes to a pipe or a file or --no-pager says
 * otherwise; NULL subcommand = any call. */
static bool starts_pager(const sh_cmd *cmd) {
        static const struct {
                const char *prog, *sub;
        } pagers[] = {
                { "man", NULL },        { "journalctl", NULL }, { "systemctl", NULL }, { "loginctl", NULL },
                { "dpkg", "-l" },        { "apt-get", "changelog" }, { "apt", "changelog" }, { "git", "help" },
                { "git", "--help" },     { "top", NULL },        { "htop", NULL },      { "iftop", NULL },
                { "minicom", NULL },     { "crash", NULL },      { "nmap", "--interactive" }, { "eb", NULL },
                { "perlbug", NULL },     { "pic", "-U" },        { "ginsh", NULL },
        };
        const char *n = cj_cmd_name(cmd);
        bool hit = false;
        for (size_t p = 0; p < sizeof pagers / sizeof pagers[0] && !hit; p++) {
                if (strcmp(n, pagers[p].prog) != 0)
                        continue;
                if (!pagers[p].sub)
                        hit = true;
                for (size_t i = 1; i < cmd->argc && !hit; i++)
                        hit = strcmp(cmd->argv[i].value, pagers[p].sub) == 0;
        }
        if (!hit || cmd->ctx.pipe_to)
                return false;
        for (size_t i = 1; i < cmd->argc; i++)
                if (strcmp(cmd->argv[i].value, "--no-pager") == 0 || strcmp(cmd->argv[i].value, "-P") == 0 ||
                    strcmp(cmd->argv[i].value, "--version") == 0 || strcmp(cmd->argv[i].value, "-b") == 0)
                        return false;
        for (size_t i = 0; i < cmd->nassigns; i++)
                if (strstr(cmd->assigns[i].name, "PAGER"))
                        return false; /* dangerous_vars judges the value */
        for (size_t i = 0; i < cmd->nredirs; i++)
                if (cmd->redirs[i].redir && (cmd->redirs[i].redir->op == SH_REDIR_OUT ||
                                             cmd->redirs[i].redir->op == SH_REDIR_APPEND) &&
                    (cmd->redirs[i].redir->fd < 0 || cmd->redirs[i].redir->fd == 1))
                        return false;
        return true;
}

/* An option whose name says its value is run or loaded: --use-askpass=F,
 * -Xlua_script:F, --eval F, --exec=..., --on-*-hook, --plugin. */
static bool option_runs_value(const sh_cmd *cmd, size_t i) {
        static const char *const words[] = { "script", "askpass", "exec", "eval", "command", "hook", "invoke",
                                             "plugin", "interactive", "shell", NULL };
        const char *v = cmd->argv[i].value;
        if (v[0] != '-' || v[1] == '\0')
                return false;
        size_t l = strcspn(v, "=:");
        bool has_value = v[l] != '\0' || (i + 1 < cmd->argc && cmd->argv[i + 1].value[0] != '-');
        for (const char *const *w = words; *w; w++) {
                const char *p = strstr(v, *w);
                if (p && (size_t) (p - v) < l && (has_value || strcmp(*w, "interactive") == 0))
                        return true;
        }
        return false;
}

static bool shell_or_interp(const char *name) {
        return (cj_is_shell_name(name) && strcmp(name, "busybox") != 0 && strcmp(name, "toybox") != 0) ||
               (cj_is_interpreter_name(name) && strcmp(name, "busybox") != 0);
}

/* "/bin/sh", "/usr/bin/python3", "./bash" -- a path whose last component is a
 * shell or interpreter; or a longer string holding such a path. */
static bool names_shell_path(const char *v) {
        static const char *const dirs[] = { "/bin/", "/sbin/", "/usr/bin/", "/usr/local/bin/", NULL };
        if (strchr(v, '/') && shell_or_interp(cj_basename(v)))
                return true;
        for (const char *const *d = dirs; *d; d++)
                for (const char *p = strstr(v, *d); p; p = strstr(p + 1, *d)) {
                        const char *n = p + strlen(*d);
                        size_t l = strcspn(n, " \t\n\"'`;,)(|&<>}{]");
                        char name[32];
                        if (l == 0 || l >= sizeof name)
                                continue;
                        memcpy(name, n, l);
                        name[l] = '\0';
                        if (shell_or_interp(name))
                                return true;
                }
        return false;
}

/* An argument that is program text for something that runs commands. */
static const char *command_string(const char *v) {
        static const char *const calls[] = { "system(", "system (", "exec(", "execl(", "execv", "execute(", "popen(",
                                             "spawn(", "os.system", "os.exec", "pcntl_exec", "proc_open",
                                             "shell_exec", "callCommand", "run-program", "ext:shell", "\\write18",
                                             "%{lua:", "Runtime.getRuntime", "child_process", "subprocess",
                                             "io.popen", "os.execute", "run(`", NULL };
        for (const char *const *c = calls; *c; c++)
                if (strstr(v, *c))
                        return *c;
        /* `!cmd`, `:!cmd`, `'!/bin/sh'` -- the shell-escape prefix of many tools */
        const char *b = strchr(v, '!');
        if (b && (b == v || b[-1] == ':' || b[-1] == '=' || b[-1] == '\'') &&
            (b[1] == '/' || (b[1] >= 'a' && b[1] <= 'z')))
                return "!command";
        if (strchr(v, '`') && strchr(strchr(v, '`') + 1, '`'))
                return "`command`";
        return NULL;
}

/* Subcommands that run the program named after them. */
static size_t runs_subcommand(const sh_cmd *cmd) {
        static const struct {
                const char *prog, *sub;
        } runners[] = {
                { "bundle", "exec" }, { "bundler", "exec" }, { "cabal", "exec" }, { "stack", "exec" },
                { "poetry", "run" },  { "pipenv", "run" },   { "uv", "run" },     { "pdm", "run" },
                { "hatch", "run" },   { "conda", "run" },    { "mamba", "run" },  { "rye", "run" },
                { "npm", "exec" },    { "pnpm", "exec" },    { "yarn", "exec" },  { "xdotool", "exec" },
                { "dotnet", "exec" }, { "opam", "exec" },    { "nix", "shell" },  { "pixi", "run" },
        };
        if (cmd->argc < 3)
                return 0;
        const char *n = cj_cmd_name(cmd);
        for (size_t r = 0; r < sizeof runners / sizeof runners[0]; r++)
                if (strcmp(n, runners[r].prog) == 0 && strcmp(cmd->argv[1].value, runners[r].sub) == 0) {
                        size_t i = 2;
                        while (i < cmd->argc && cmd->argv[i].value[0] == '-')
                                i++;
                        return i < cmd->argc ? i : 0;
                }
        return 0;
}

/* Programs that are an interactive prompt when given nothing to run. */
static bool repl_without_program(const sh_cmd *cmd) {
        static const struct {
                const char *prog, *sub;
        } repl_subs[] = { { "bundle", "console" }, { "rails", "console" }, { "rails", "c" }, { "dotnet", "fsi" },
                          { "php", "-a" },         { "python3", "-i" },    { "python", "-i" }, { "node", "-i" } };
        for (size_t r = 0; r < sizeof repl_subs / sizeof repl_subs[0]; r++)
                if (cmd->argc >= 2 && strcmp(cj_cmd_name(cmd), repl_subs[r].prog) == 0 &&
                    strcmp(cmd->argv[1].value, repl_subs[r].sub) == 0)
                        return true;
        static const char *const repls[] = { "irb", "pry", "jjs", "jshell", "ghci", "ginsh", "msfconsole", "sbcl",
                                             "clisp", "ocaml", "racket", "scala", "kotlinc", "bc", "ed", "ftp",
                                             "tftp", "telnet", "ex", "rc", "es", "sqlite3", "mysql", "psql",
                                             "redis-cli", NULL };
        const char *n = cj_cmd_name(cmd);
        bool shell = cj_is_shell_name(n) && strcmp(n, "busybox") != 0 && strcmp(n, "toybox") != 0;
        if (!shell && !cj_name_in(n, repls))
                return false;
        if (cmd->ctx.pipe_from)
                return false; /* fed by a pipe: download_exec / the table judge that */
        for (size_t i = 0; i < cmd->nredirs; i++)
                if (cmd->redirs[i].redir && (cmd->redirs[i].redir->op == SH_REDIR_IN))
                        return false;
        for (size_t i = 1; i < cmd->argc; i++) {
                const char *v = cmd->argv[i].value;
                if (v[0] != '-' && v[0] != '+')
                        return false; /* a script, a database, a host: judged elsewhere */
                if (shell && strcmp(v, "-s") != 0 && strcmp(v, "-i") != 0 && strcmp(v, "-p") != 0 &&
                    strcmp(v, "-l") != 0 && strcmp(v, "--login") != 0 && strcmp(v, "-") != 0)
                        return false; /* -c and other options: the table and the parser judge them */
        }
        return true;
}

void cj_hx_general(cj_vctx *c, const sh_cmd *cmd, void (*report)(cj_vctx *, const sh_cmd *, size_t, const char *)) {
        if (!cj_allowlist(c) || cmd->argc == 0)
                return;
        const char *n = cj_cmd_name(cmd);
        char msg[CJ_VALIDATE_MESSAGE_MAX];
        size_t inner = runs_subcommand(cmd);
        if (inner) {
                /* the rules judge the program it runs */
                sh_cmd sub = *cmd;
                sub.argv = cmd->argv + inner;
                sub.argc = cmd->argc - inner;
                sub.nredirs = 0;
                sub.nassigns = 0;
                sub.unwrap_flags = 0;
                sub.span = (sh_span) { cmd->argv[inner].span.off,
                                       cmd->argv[cmd->argc - 1].span.off + cmd->argv[cmd->argc - 1].span.len -
                                               cmd->argv[inner].span.off };
                cj_chain_recheck(c, &sub);
        }
        if (repl_without_program(cmd)) {
                snprintf(msg, sizeof msg, "`%s` with nothing to run reads commands from stdin", n);
                report(c, cmd, 0, msg);
                return;
        }
        if (starts_pager(cmd)) {
                snprintf(msg, sizeof msg, "`%s` starts a pager or a full-screen program with shell escapes", n);
                report(c, cmd, 0, msg);
                return;
        }
        if (strcmp(n, "script") == 0) { /* without -c it starts $SHELL */
                bool command = false;
                for (size_t i = 1; i < cmd->argc; i++)
                        command |= strcmp(cmd->argv[i].value, "-c") == 0 ||
                                   strncmp(cmd->argv[i].value, "--command", 9) == 0;
                if (!command) {
                        report(c, cmd, 0, "`script` without -c starts an interactive shell");
                        return;
                }
        }
        bool text = cj_name_in(n, texty), lookup = text || cj_name_in(n, packagers);
        for (size_t i = 1; i < cmd->argc; i++) {
                const sh_arg *a = &cmd->argv[i];
                if (a->flags & SH_ARG_DYNAMIC)
                        continue;
                const char *v = a->value, *why;
                if (!text && names_shell_path(v)) {
                        snprintf(msg, sizeof msg, "argument `%s` names a shell or interpreter for `%s` to start", v,
                                 n);
                        report(c, cmd, i, msg);
                        return;
                }
                if (!lookup && !inner && ((i == 1 && shell_or_interp(v)) || (cj_is_shell_name(v) &&
                                                                           strcmp(v, "busybox") != 0))) {
                        snprintf(msg, sizeof msg, "`%s` is given the program `%s` to run", n, v);
                        report(c, cmd, i, msg);
                        return;
                }
                if (!text && option_runs_value(cmd, i)) {
                        snprintf(msg, sizeof msg, "option `%s` of `%s` runs or loads what it names", v, n);
                        report(c, cmd, i, msg);
                        return;
                }
                if ((why = command_string(v))) {
                        snprintf(msg, sizeof msg, "argument `%s` is a command string (%s) for `%s`", v, why, n);
                        report(c, cmd, i, msg);
                        return;
                }
        }
}
