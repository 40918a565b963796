/* SPDX-License-Identifier: MIT */
/*
 * dangerous_vars: environment variables that make an ordinary program load or
 * run something else (LD_PRELOAD, BASH_ENV, GIT_SSH_COMMAND, PAGER ...),
 * whether set as a prefix (`VAR=x cmd`), through `env`, or by
 * export/declare/local/readonly/typeset.
 */
#include <string.h>

#include "internal.h"

static const char *const names[] = {
        "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "BASH_ENV", "ENV", "PROMPT_COMMAND", "PS0", "PS1", "PS2", "PS3",
        "PS4", "PATH", "SHELLOPTS", "BASHOPTS", "BASH_XTRACEFD", "BASH_LOADABLES_PATH", "INPUTRC", "HISTFILE",
        "HISTCONTROL", "PAGER", "GIT_PAGER", "MANPAGER", "MANOPT", "SYSTEMD_PAGER", "LESSOPEN", "LESSCLOSE",
        "LESSKEY", "EDITOR", "VISUAL", "GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "SUDO_EDITOR", "BROWSER", "GIT_SSH",
        "GIT_SSH_COMMAND", "GIT_EXTERNAL_DIFF", "GIT_ASKPASS", "SSH_ASKPASS", "SUDO_ASKPASS", "GIT_EXEC_PATH",
        "GIT_TEMPLATE_DIR", "GIT_CONFIG", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT", "GIT_PROXY_COMMAND", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "NODE_OPTIONS",
        "PERL5OPT", "PERL5DB", "PERLLIB", "PERL5LIB", "RUBYOPT", "PYTHONSTARTUP", "PYTHONINSPECT",
        "PYTHONBREAKPOINT", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "GCONV_PATH", "HOSTALIASES",
        "RESOLV_HOST_CONF", "LOCALDOMAIN", "NLSPATH", "TMPDIR_EXEC", "MAKEFLAGS", "MFLAGS", "GNUMAKEFLAGS",
        "CDPATH", "GLOBIGNORE", "BASH_COMPAT", "EXECIGNORE", "FIGNORE", "TZDIR", "LOCPATH", "MALLOC_CHECK_",
        "GDK_PIXBUF_MODULEDIR", "GIO_EXTRA_MODULES", "GTK_MODULES", "QT_PLUGIN_PATH", "OPENSSL_CONF",
        "OPENSSL_ENGINES", "SSLKEYLOGFILE", "CURL_HOME", "WGETRC", "NPM_CONFIG_USERCONFIG", "npm_config_script_shell",
        "NPM_CONFIG_SCRIPT_SHELL", "PIP_CONFIG_FILE", "CARGO_HOME", "RUSTC_WRAPPER", "RUSTC", "CARGO_BUILD_RUSTC_WRAPPER",
        "GOFLAGS", "CC_WRAPPER", "GIT_TRACE", "FCEDIT", "MAIL", "MAILPATH", "TERMINFO", NULL
};
static const char *const prefixes[] = { "LD_", "DYLD_", "GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_", "BASH_FUNC_", NULL };

static bool dangerous(const char *name) {
        if (cj_name_in(name, names))
                return true;
        for (const char *const *p = prefixes; *p; p++)
                if (strncmp(name, *p, strlen(*p)) == 0)
                        return true;
        return false;
}

static const char *const decl_builtins[] = { "export", "declare", "typeset", "local", "readonly", NULL };

static void vars_cmd(cj_vctx *c, const sh_cmd *cmd) {
        for (size_t i = 0; i < cmd->nassigns; i++) {
                const sh_cmd_assign *a = &cmd->assigns[i];
                if (dangerous(a->name))
                        cj_report(c, CJ_VERDICT_ASK, a->span.off, a->span.len,
                                  "%s changes what programs load or run", a->name);
        }
        if (cmd->argc < 2 || !cj_name_in(cj_cmd_name(cmd), decl_builtins))
                return;
        for (size_t i = 1; i < cmd->argc; i++) {
                const char *v = cmd->argv[i].value, *eq = strchr(v, '=');
                char name[128];
                if (v[0] == '-' || !eq)
                        continue;
                size_t l = eq ? (size_t) (eq - v) : strlen(v);
                if (l == 0 || l >= sizeof name)
                        continue;
                memcpy(name, v, l);
                name[l] = '\0';
                char *br = strchr(name, '[');
                if (br)
                        *br = '\0';
                if (name[l - 1] == '+') /* NAME+=value */
                        name[l - 1] = '\0';
                if (dangerous(name))
                        cj_report(c, CJ_VERDICT_ASK, cmd->argv[i].span.off, cmd->argv[i].span.len,
                                  "`%s %s` changes what later programs load or run", cj_cmd_name(cmd), name);
        }
}

const cj_validator cj_v_dangerous_vars = {
        .name = "dangerous_vars",
        .owns = "LD_*, BASH_ENV, ENV, PROMPT_COMMAND, PS4, PATH, PAGER/EDITOR, GIT_SSH_COMMAND, GIT_CONFIG_* ...",
        .cmd = vars_cmd,
};
