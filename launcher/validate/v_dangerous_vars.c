/* SPDX-License-Identifier: MIT */
/*
 * dangerous_vars: environment variables that make an ordinary program load or
 * run something else (LD_PRELOAD, BASH_ENV, GIT_SSH_COMMAND, PAGER ...),
 * whether set as a prefix (`VAR=x cmd`), through `env`, by
 * export/declare/local/readonly/typeset, as a loop variable (`for PATH in`),
 * by read/printf -v/mapfile/getopts, or by the request's own `env`.
 *
 * This file holds THE list of such variables (validate.h: cj_var_*): the
 * sandbox's request-env refusal (sandbox/env.c) and this validator both read
 * it, so the two can never disagree again.  Each entry carries a class (what
 * setting it does) and whether it matters only under an allowlist profile
 * (validation.default other than allow), where a program the rules allow
 * must not be turned into another one.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "util/cleanup.h"

typedef struct var_entry {
        const char *name;
        cj_var_class cls;
        bool prefix;         /* name is a prefix: LD_ matches LD_ANYTHING */
        bool allowlist_only; /* ask only when the profile's default is not allow */
} var_entry;

#define V(n, c) { n, CJ_VAR_##c, false, false }
#define P(n, c) { n, CJ_VAR_##c, true, false }
#define A(n, c) { n, CJ_VAR_##c, false, true }
#define PA(n, c) { n, CJ_VAR_##c, true, true }

static const var_entry vars[] = {
        /* the dynamic loader and libc: every program of the call.  Under a
         * default-allow profile the sandbox holds what they load
         * (LD_LIBRARY_PATH=build ./build/app); under an allowlist they turn
         * an allowed program into other code. */
        PA("LD_", LOADER), PA("DYLD_", LOADER), A("GCONV_PATH", LOADER), A("GLIBC_TUNABLES", LOADER),
        PA("MALLOC_", LOADER), A("LOCPATH", LOADER), A("NLSPATH", LOADER), A("GDK_PIXBUF_MODULEDIR", LOADER),
        A("GIO_EXTRA_MODULES", LOADER), A("GTK_MODULES", LOADER), A("QT_PLUGIN_PATH", LOADER),
        A("OPENSSL_CONF", LOADER), A("OPENSSL_ENGINES", LOADER),
        /* the shell itself: startup files, prompts, options, parsing */
        V("BASH_ENV", SHELL), V("ENV", SHELL), P("BASH_FUNC_", SHELL), V("PROMPT_COMMAND", SHELL), V("PS0", SHELL),
        V("PS1", SHELL), V("PS2", SHELL), V("PS3", SHELL), V("PS4", SHELL), V("SHELLOPTS", SHELL),
        V("BASHOPTS", SHELL), V("BASH_XTRACEFD", SHELL), V("BASH_LOADABLES_PATH", SHELL), V("INPUTRC", SHELL),
        V("IFS", SHELL), V("CDPATH", SHELL), V("GLOBIGNORE", SHELL), V("BASH_COMPAT", SHELL),
        V("EXECIGNORE", SHELL), V("FIGNORE", SHELL), V("HISTCONTROL", SHELL), V("MAIL", SHELL),
        V("MAILPATH", SHELL), V("FCEDIT", SHELL), V("ZDOTDIR", SHELL),
        /* which program a name runs */
        A("PATH", LOOKUP), V("BASH_CMDS", LOOKUP), V("BASH_ALIASES", LOOKUP), V("GIT_EXEC_PATH", LOOKUP),
        /* an ordinary program runs the value as a command */
        V("PAGER", RUNS), V("GIT_PAGER", RUNS), V("MANPAGER", RUNS), V("MANOPT", RUNS), V("SYSTEMD_PAGER", RUNS),
        V("LESSOPEN", RUNS), V("LESSCLOSE", RUNS), V("LESSKEY", RUNS), V("EDITOR", RUNS), V("VISUAL", RUNS),
        V("GIT_EDITOR", RUNS), V("GIT_SEQUENCE_EDITOR", RUNS), V("SUDO_EDITOR", RUNS), V("BROWSER", RUNS),
        V("GIT_SSH", RUNS), V("GIT_SSH_COMMAND", RUNS), V("GIT_EXTERNAL_DIFF", RUNS), V("GIT_ASKPASS", RUNS),
        V("SSH_ASKPASS", RUNS), V("SUDO_ASKPASS", RUNS), V("GIT_PROXY_COMMAND", RUNS), V("RUSTC_WRAPPER", RUNS),
        V("RUSTC", RUNS), V("CARGO_BUILD_RUSTC_WRAPPER", RUNS), V("CC_WRAPPER", RUNS), V("TMPDIR_EXEC", RUNS),
        V("npm_config_script_shell", RUNS), V("NPM_CONFIG_SCRIPT_SHELL", RUNS), V("PYTHONBREAKPOINT", RUNS),
        V("PERL5DB", RUNS),
        /* an interpreter loads code or options from the value */
        A("NODE_OPTIONS", INTERP), A("PERL5OPT", INTERP), A("PERLLIB", INTERP), A("PERL5LIB", INTERP),
        A("RUBYOPT", INTERP), A("PYTHONSTARTUP", INTERP), A("PYTHONINSPECT", INTERP),
        A("JAVA_TOOL_OPTIONS", INTERP), A("_JAVA_OPTIONS", INTERP), A("JDK_JAVA_OPTIONS", INTERP),
        A("PYTHONPATH", INTERP), A("PYTHONHOME", INTERP), A("PYTHONUSERBASE", INTERP), A("NODE_PATH", INTERP),
        A("RUBYLIB", INTERP), A("CLASSPATH", INTERP),
        /* a program reads configuration (which can define commands) from elsewhere */
        V("GIT_TEMPLATE_DIR", CONFIG), V("GIT_CONFIG", CONFIG), V("GIT_CONFIG_GLOBAL", CONFIG),
        V("GIT_CONFIG_SYSTEM", CONFIG), V("GIT_CONFIG_PARAMETERS", CONFIG), V("GIT_CONFIG_COUNT", CONFIG),
        P("GIT_CONFIG_KEY_", CONFIG), P("GIT_CONFIG_VALUE_", CONFIG), V("GIT_DIR", CONFIG),
        V("GIT_WORK_TREE", CONFIG), V("GIT_INDEX_FILE", CONFIG), V("TAR_OPTIONS", CONFIG), A("MAKEFLAGS", CONFIG),
        A("MFLAGS", CONFIG), A("GNUMAKEFLAGS", CONFIG), V("HOSTALIASES", CONFIG), V("RESOLV_HOST_CONF", CONFIG),
        V("LOCALDOMAIN", CONFIG), V("TZDIR", CONFIG), V("TERMINFO", CONFIG), V("CURL_HOME", CONFIG),
        V("WGETRC", CONFIG), V("NPM_CONFIG_USERCONFIG", CONFIG), V("PIP_CONFIG_FILE", CONFIG),
        A("CARGO_HOME", CONFIG), A("GOFLAGS", CONFIG), A("HOME", CONFIG), A("XDG_CONFIG_HOME", CONFIG),
        /* files written or data leaked */
        V("SSLKEYLOGFILE", LEAK), V("GIT_TRACE", LEAK), V("HISTFILE", LEAK),
        /* the launcher's own: nothing in a call sets them */
        P("CLAWJAIL_", INTERNAL),
};

static const var_entry *lookup(const char *name) {
        for (size_t i = 0; i < CJ_ARRAY_SIZE(vars); i++)
                if (vars[i].prefix ? strncmp(name, vars[i].name, strlen(vars[i].name)) == 0
                                   : strcmp(name, vars[i].name) == 0)
                        return &vars[i];
        return NULL;
}

cj_var_class cj_var_classify(const char *name) {
        const var_entry *e = name ? lookup(name) : NULL;
        return e ? e->cls : CJ_VAR_PLAIN;
}

const char *cj_var_class_name(cj_var_class cls) {
        static const char *const names[] = {
                [CJ_VAR_PLAIN] = "plain",   [CJ_VAR_LOADER] = "loader", [CJ_VAR_SHELL] = "shell",
                [CJ_VAR_LOOKUP] = "lookup", [CJ_VAR_RUNS] = "runs",     [CJ_VAR_INTERP] = "interpreter",
                [CJ_VAR_CONFIG] = "config", [CJ_VAR_LEAK] = "leak",     [CJ_VAR_INTERNAL] = "internal",
        };
        return (unsigned) cls < CJ_ARRAY_SIZE(names) ? names[cls] : "?";
}

/* Editors and pagers run their value as a program; these values return at
 * once and run nothing else (the shipped profiles' non-interactive defaults:
 * `git commit` without -m fails fast instead of starting vim). */
static bool benign_value(const char *name, const char *value) {
        static const char *const names[] = { "GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "EDITOR", "VISUAL",
                                             "PAGER",      "GIT_PAGER",           "MANPAGER", NULL };
        static const char *const values[] = { "true", ":", "false", "cat", "", NULL };
        return value && cj_name_in(name, names) && cj_name_in(value, values);
}

cj_verdict cj_var_verdict(const char *name, const char *value, const cj_profile *profile) {
        const var_entry *e = name ? lookup(name) : NULL;
        if (!e || e->cls == CJ_VAR_INTERNAL || benign_value(name, value))
                return CJ_VERDICT_ALLOW;
        /* GIT_PAGER=cat, EDITOR=true: a command that runs nothing else */
        if (e->cls == CJ_VAR_RUNS && value &&
            cj_name_in(value, (const char *const[]) { "", "cat", "true", ":", "/bin/cat", "/usr/bin/cat", NULL }))
                return CJ_VERDICT_ALLOW;
        if (e->allowlist_only && (!profile || profile->validation_default == CJ_VERDICT_ALLOW))
                return CJ_VERDICT_ALLOW;
        return CJ_VERDICT_ASK;
}

bool cj_var_request_refused(const char *name) {
        cj_var_class c = cj_var_classify(name);
        return c == CJ_VAR_LOADER || c == CJ_VAR_SHELL || c == CJ_VAR_INTERNAL;
}

static const char *const what[] = {
        [CJ_VAR_LOADER] = "makes every program load other code",
        [CJ_VAR_SHELL] = "changes what the shell runs or how it parses",
        [CJ_VAR_LOOKUP] = "changes which program a command name runs",
        [CJ_VAR_RUNS] = "makes a program run its value as a command",
        [CJ_VAR_INTERP] = "makes an interpreter load other code",
        [CJ_VAR_CONFIG] = "points programs at other configuration (which can define commands)",
        [CJ_VAR_LEAK] = "makes programs write or leak data",
};

/* Report setting name (at span) when the list says so.  IFS is the ifs
 * validator's to judge. */
static void judge(cj_vctx *c, const char *name, const char *value, size_t off, size_t len, const char *how) {
        if (strcmp(name, "IFS") == 0)
                return;
        cj_verdict v = cj_var_verdict(name, value, c->profile);
        if (v == CJ_VERDICT_ALLOW)
                return;
        cj_var_class cls = cj_var_classify(name);
        const char *w = (unsigned) cls < CJ_ARRAY_SIZE(what) && what[cls] ? what[cls] : "changes what programs run";
        if (c->request_env)
                cj_report(c, v, off, len, "the request's env sets %s, which %s", name, w);
        else
                cj_report(c, v, off, len, "%s%s%s %s", how ? how : "", how ? " sets " : "", name, w);
}

/* "NAME", "NAME[sub]", "NAME+" from the start of s up to stop: the bare name. */
static bool base_name(const char *s, size_t l, char name[static 128]) {
        if (l == 0 || l >= 128)
                return false;
        memcpy(name, s, l);
        name[l] = '\0';
        char *br = strchr(name, '[');
        if (br)
                *br = '\0';
        size_t n = strlen(name);
        if (n && name[n - 1] == '+') /* NAME+=value */
                name[n - 1] = '\0';
        return name[0] != '\0';
}

static const char *const decl_builtins[] = { "export", "declare", "typeset", "local", "readonly", NULL };

static void vars_cmd(cj_vctx *c, const sh_cmd *cmd) {
        char name[128];
        for (size_t i = 0; i < cmd->nassigns; i++) {
                const sh_cmd_assign *a = &cmd->assigns[i];
                if (base_name(a->name, strlen(a->name), name))
                        judge(c, name, a->value, a->span.off, a->span.len, NULL);
        }
        if (cmd->argc < 2)
                return;
        const char *n = cj_cmd_name(cmd);
        if (cj_name_in(n, decl_builtins)) {
                for (size_t i = 1; i < cmd->argc; i++) {
                        const char *v = cmd->argv[i].value, *eq = strchr(v, '=');
                        if (v[0] == '-' || !eq || !base_name(v, (size_t) (eq - v), name))
                                continue;
                        char how[32];
                        snprintf(how, sizeof how, "`%s`", n);
                        judge(c, name, eq + 1, cmd->argv[i].span.off, cmd->argv[i].span.len, how);
                }
                return;
        }
        /* `hash -p PATH NAME` writes BASH_CMDS[NAME]: the name runs PATH */
        if (strcmp(n, "hash") == 0) {
                for (size_t i = 1; i < cmd->argc; i++)
                        if (cmd->argv[i].value[0] == '-' && strchr(cmd->argv[i].value, 'p')) {
                                judge(c, "BASH_CMDS", NULL, cmd->argv[i].span.off, cmd->argv[i].span.len, "`hash -p`");
                                break;
                        }
                return;
        }
        /* builtins that assign the variables they name: read, printf -v, mapfile, getopts */
        cj_assigned_names names = { 0 };
        cj_cmd_assigned_names(cmd, &names);
        for (size_t i = 0; i < names.n; i++) {
                const sh_arg *a = &cmd->argv[names.argi[i]];
                if (base_name(names.name[i], strlen(names.name[i]), name)) {
                        char how[32];
                        snprintf(how, sizeof how, "`%s`", n);
                        judge(c, name, NULL, a->span.off, a->span.len, how);
                }
        }
}

/* for NAME in ...; select NAME in ...: the loop assigns NAME before the body runs. */
static void vars_node(cj_vctx *c, const sh_node *n, const sh_cmd_ctx *where) {
        if ((n->kind == SH_NODE_FOR || n->kind == SH_NODE_SELECT) && n->for_.var)
                judge(c, n->for_.var, NULL, n->for_.var_span.off, n->for_.var_span.len,
                      n->kind == SH_NODE_FOR ? "the `for` loop" : "the `select` loop");
}

const cj_validator cj_v_dangerous_vars = {
        .name = "dangerous_vars",
        .owns = "LD_*, BASH_ENV, ENV, PROMPT_COMMAND, PS4, PATH, PAGER/EDITOR, GIT_SSH_COMMAND, GIT_CONFIG_*, "
                "request env ...",
        .cmd = vars_cmd,
        .node = vars_node,
};
