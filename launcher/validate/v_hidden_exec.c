/* SPDX-License-Identifier: MIT */
/*
 * hidden_exec: execution hidden in the arguments of ordinary programs --
 * `find -exec`, `git -c core.pager=..`, `sed 1e`, `awk system()`, `rg --pre`,
 * `tar --to-command`, `ssh -o ProxyCommand`, `python -c`, editors and pagers
 * with shell escapes, runners the parser does not unwrap.  The knowledge is in
 * hidden_exec_table.c; this file is the engine and the program-specific
 * checks.  A profile `allow` rule never lowers these findings (strictest
 * verdict wins).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hidden_exec.h"
#include "util/cleanup.h"

static void hx_report(cj_vctx *c, const sh_cmd *cmd, size_t argi, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void hx_report(cj_vctx *c, const sh_cmd *cmd, size_t argi, const char *fmt, ...) {
        char msg[CJ_VALIDATE_MESSAGE_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        sh_span s = argi < cmd->argc ? cmd->argv[argi].span : cj_cmd_span(cmd);
        cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "%s", msg);
}

/* Execution the rules cannot see but a reader can (inline program text, a
 * debugger's commands, find -exec of a plain program): asks under an
 * allowlist profile only (cj_allowlist). */
static void hx_note(cj_vctx *c, const sh_cmd *cmd, size_t argi, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void hx_note(cj_vctx *c, const sh_cmd *cmd, size_t argi, const char *fmt, ...) {
        if (!cj_allowlist(c))
                return;
        char msg[CJ_VALIDATE_MESSAGE_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        hx_report(c, cmd, argi, "%s (the profile allowlists programs)", msg);
}

typedef struct scan {
        cj_vctx *c;
        const sh_cmd *cmd;
        bool safe;           /* --sandbox seen */
        bool have_script;    /* sed -e / awk -f / -e given: no positional program */
        size_t script_argi;  /* positional program text, if any */
        bool first_positional_seen;
} scan;

static const char *name_of(const cj_optval *o, char *buf, size_t size) {
        if (o->opt->lname)
                snprintf(buf, size, "--%s%s", o->opt->lname, o->abbreviated ? " (abbreviated)" : "");
        else
                snprintf(buf, size, "-%c", o->opt->sname);
        return buf;
}

static bool ssh_key_bad(const char *v) {
        static const char *const keys[] = { "proxycommand", "localcommand", "permitlocalcommand", "knownhostscommand",
                                            "match", "include", "remotecommand", "pkcs11provider",
                                            "securitykeyprovider", "proxyusefdpass", "controlpath", NULL };
        char k[64];
        size_t i = 0;
        while (v[i] && v[i] != '=' && v[i] != ' ' && v[i] != '\t' && i + 1 < sizeof k) {
                k[i] = (char) tolower((unsigned char) v[i]);
                i++;
        }
        k[i] = '\0';
        return cj_name_in(k, keys);
}

static bool table_cb(const cj_optval *o, void *ud) {
        scan *s = ud;
        char nb[96];
        if (!o->opt) {
                if (!s->first_positional_seen) {
                        s->first_positional_seen = true;
                        s->script_argi = o->argi;
                }
                return true;
        }
        const char *v = o->value ? o->value : "";
        switch (o->opt->tag) {
        case HX_SAFE:
                s->safe = true;
                break;
        case HX_EXEC:
                hx_report(s->c, s->cmd, o->argi, "%s runs a command: `%s`", name_of(o, nb, sizeof nb), v);
                break;
        case HX_CODE:
                hx_note(s->c, s->cmd, o->argi, "%s runs program text: `%s`", name_of(o, nb, sizeof nb), v);
                break;
        case HX_FILE_CODE:
                s->have_script = true;
                hx_note(s->c, s->cmd, o->argi, "%s takes commands from the file `%s`, which is not checked",
                        name_of(o, nb, sizeof nb), v);
                break;
        case HX_WRITE:
                hx_report(s->c, s->cmd, o->argi, "%s writes the file `%s`", name_of(o, nb, sizeof nb), v);
                break;
        case HX_LOAD:
                hx_report(s->c, s->cmd, o->argi, "%s loads code from `%s`", name_of(o, nb, sizeof nb), v);
                break;
        case HX_FILE_STDIN:
                if (strcmp(v, "-") == 0 || strcmp(v, "/dev/stdin") == 0 || strncmp(v, "/proc/self/fd/", 14) == 0 ||
                    strncmp(v, "/dev/fd/", 8) == 0 || o->dynamic_value)
                        hx_report(s->c, s->cmd, o->argi, "%s reads its rules from `%s`, which is not checked",
                                  name_of(o, nb, sizeof nb), v);
                break;
        case HX_PIPE_OUT:
                if (v[0] == '|' || v[0] == '!')
                        hx_report(s->c, s->cmd, o->argi, "%s pipes into the command `%s`", name_of(o, nb, sizeof nb),
                                  v + 1);
                break;
        case HX_SSH_OPT:
                if (ssh_key_bad(v) || o->dynamic_value)
                        hx_report(s->c, s->cmd, o->argi, "-o %s runs a local command", v);
                break;
        case HX_SQL_SHELL:
                if (strstr(v, "\\!") || strstr(v, "system") || strstr(v, "\\o |") || strstr(v, "\\o|") ||
                    strstr(v, "COPY") || strstr(v, "copy "))
                        hx_report(s->c, s->cmd, o->argi, "SQL client command `%s` reaches the shell or files", v);
                break;
        case HX_AWK_W: {
                /* -W takes a word (so `-W interactive PROG` still has PROG
                 * as its program); mawk accepts any unique prefix */
                size_t kl = strcspn(v, "=");
                const char *val = v[kl] == '=' ? v + kl + 1 : NULL;
#define W_IS(word) (kl > 0 && kl <= strlen(word) && strncmp(v, word, kl) == 0)
                if (W_IS("exec") || W_IS("file") || W_IS("include")) {
                        s->have_script = true;
                        const char *f = val ? val : o->argi + 1 < s->cmd->argc ? s->cmd->argv[o->argi + 1].value : "";
                        hx_report(s->c, s->cmd, o->argi, "awk -W %.*s runs the program in `%s`, which is not checked",
                                  (int) kl, v, f);
                } else if (W_IS("source") && val) {
                        s->have_script = true;
                        const char *why = o->dynamic_value ? "program text known only at runtime"
                                                           : cj_awk_program_danger(val);
                        if (why && !s->safe)
                                hx_report(s->c, s->cmd, o->argi, "%s: `%s`", why, val);
                } else if (W_IS("load")) {
                        hx_report(s->c, s->cmd, o->argi, "awk -W %s loads code", v);
                } else if (W_IS("dump") && val) {
                        hx_report(s->c, s->cmd, o->argi, "awk -W %s writes a file", v);
                } else if (o->dynamic_value) {
                        hx_report(s->c, s->cmd, o->argi, "awk -W option known only at runtime");
                }
#undef W_IS
                break;
        }
        case HX_SED_SCRIPT:
        case HX_AWK_PROG: {
                s->have_script = true;
                const char *why = o->dynamic_value ? "program text known only at runtime"
                                  : o->opt->tag == HX_SED_SCRIPT ? cj_sed_script_danger(v)
                                                                 : cj_awk_program_danger(v);
                if (why && !s->safe)
                        hx_report(s->c, s->cmd, o->argi, "%s: `%s`", why, v);
                break;
        }
        }
        return true;
}

static scan run_table(cj_vctx *c, const sh_cmd *cmd, const cj_hx_prog *p, size_t first) {
        scan s = { .c = c, .cmd = cmd, .script_argi = (size_t) -1 };
        /* --sandbox anywhere makes sed/gawk refuse e/w/r and system() */
        for (size_t i = first; i < cmd->argc; i++)
                if (strcmp(cmd->argv[i].value, "--sandbox") == 0)
                        s.safe = true;
        cj_opts_scan(cmd, first, p->opts, p->posix_stop, table_cb, &s);
        return s;
}

/* ---- program-specific checks --------------------------------------------- */

/* find -exec CMD ... ; / + : the inner argv, or 0 words when it cannot be cut out. */
static size_t find_exec_argc(const sh_cmd *cmd, size_t at) {
        for (size_t j = at; j < cmd->argc; j++) {
                const char *v = cmd->argv[j].value;
                if ((strcmp(v, ";") == 0 || strcmp(v, "+") == 0) && !(cmd->argv[j].flags & SH_ARG_DYNAMIC))
                        return j - at;
        }
        return 0;
}

/* Under a default-allow profile, find -exec of a plain program is that
 * program run on the matches: its argv is re-checked by the whole chain
 * (rules included) instead of asking.  A shell, interpreter or runner as the
 * inner program, or one named at runtime, still asks; so does a deleting
 * program (rm, shred, unlink) when find selects everything below its start. */
static bool find_exec_rechecked(cj_vctx *c, const sh_cmd *cmd, size_t i) {
        size_t n = find_exec_argc(cmd, i + 1);
        if (cj_allowlist(c) || n == 0)
                return false;
        const sh_arg *a = &cmd->argv[i + 1];
        const char *inner = cj_basename(a->value);
        if ((a->flags & (SH_ARG_DYNAMIC | SH_ARG_GLOB)) || cj_is_shell_name(inner) || cj_is_interpreter_name(inner) ||
            cj_name_in(inner, (const char *const[]) { "eval", "env", "xargs", "busybox", "sudo", "find", NULL }))
                return false;
        if (cj_name_in(inner, (const char *const[]) { "rm", "shred", "unlink", "rmdir", "truncate", NULL }) &&
            !cj_find_has_test(cmd))
                return false;
        sh_cmd sub = *cmd;
        sub.argv = a;
        sub.argc = n;
        sub.span = (sh_span) { a->span.off, cmd->argv[i + n].span.off + cmd->argv[i + n].span.len - a->span.off };
        sub.nredirs = 0;
        sub.nassigns = 0;
        sub.unwrap_flags = 0;
        cj_chain_recheck(c, &sub);
        return true;
}

void cj_hx_find(cj_vctx *c, const sh_cmd *cmd, size_t first) {
        static const char *const exec_primaries[] = { "-exec", "-execdir", "-ok", "-okdir", NULL };
        static const char *const write_primaries[] = { "-fprintf", "-fprint", "-fprint0", "-fls", NULL };
        for (size_t i = first; i < cmd->argc; i++) {
                const char *v = cmd->argv[i].value;
                if (cj_name_in(v, exec_primaries)) {
                        if (!find_exec_rechecked(c, cmd, i))
                                hx_report(c, cmd, i, "find %s runs `%s` for each file", v,
                                          i + 1 < cmd->argc ? cmd->argv[i + 1].value : "");
                } else if (cj_name_in(v, write_primaries))
                        hx_report(c, cmd, i, "find %s writes the file `%s`", v,
                                  i + 1 < cmd->argc ? cmd->argv[i + 1].value : "");
                else if (strcmp(v, "-delete") == 0) /* what it deletes is destructive's to judge */
                        hx_note(c, cmd, i, "find %s deletes every match", v);
                else if ((cmd->argv[i].flags & SH_ARG_DYNAMIC) && !(cmd->argv[i].word_flags & SH_WORD_DQUOTE))
                        hx_report(c, cmd, i, "find argument `%s` is computed at runtime and may be a primary", v);
        }
}

void cj_hx_sed(cj_vctx *c, const sh_cmd *cmd, size_t first) {
        const cj_hx_prog *p = NULL;
        for (p = cj_hx_table; p->names && !cj_name_in("sed", p->names); p++)
                ;
        scan s = run_table(c, cmd, p, first);
        if (!s.have_script && s.script_argi < cmd->argc && !s.safe) {
                const sh_arg *a = &cmd->argv[s.script_argi];
                const char *why = (a->flags & SH_ARG_DYNAMIC) ? "sed script known only at runtime"
                                                              : cj_sed_script_danger(a->value);
                if (why)
                        hx_report(c, cmd, s.script_argi, "%s: `%s`", why, a->value);
        }
}

void cj_hx_awk(cj_vctx *c, const sh_cmd *cmd, size_t first) {
        const cj_hx_prog *p = NULL;
        for (p = cj_hx_table; p->names && !cj_name_in("awk", p->names); p++)
                ;
        scan s = run_table(c, cmd, p, first);
        if (!s.have_script && s.script_argi < cmd->argc && !s.safe) {
                const sh_arg *a = &cmd->argv[s.script_argi];
                const char *why = (a->flags & SH_ARG_DYNAMIC) ? "awk program known only at runtime"
                                                              : cj_awk_program_danger(a->value);
                if (why)
                        hx_report(c, cmd, s.script_argi, "%s: `%s`", why, a->value);
        }
}

void cj_hx_zip(cj_vctx *c, const sh_cmd *cmd, size_t first) {
        for (size_t i = first; i < cmd->argc; i++) {
                const char *v = cmd->argv[i].value;
                if (strncmp(v, "-TT", 3) == 0)
                        hx_report(c, cmd, i, "zip %s runs a command to test the archive: `%s`", v,
                                  v[3] ? v + 3 + (v[3] == '=') : (i + 1 < cmd->argc ? cmd->argv[i + 1].value : ""));
        }
}

void cj_hx_tar_oldstyle(cj_vctx *c, const sh_cmd *cmd, size_t first) {
        /* `tar xIf prog a.tar`: the first word without '-' is a cluster of options */
        if (cmd->argc > first && cmd->argv[first].value[0] != '-') {
                const char *v = cmd->argv[first].value;
                if (strspn(v, "AcdrtuxCfgGhiIjJkKlLmMnNoOpPRsSTUvVwWXzZ") == strlen(v) && strpbrk(v, "IF"))
                        hx_report(c, cmd, first, "old-style tar options `%s` include -I/-F, which run a program", v);
        }
}

void cj_hx_xargs(cj_vctx *c, const sh_cmd *cmd, size_t first) {
        /* options taking a separate value */
        static const char *const argopts[] = { "-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--arg-file",
                                               "--delimiter", "--max-lines", "--max-args", "--max-procs",
                                               "--max-chars", "--process-slot-var", NULL };
        size_t i = first;
        bool replace = false;
        for (; i < cmd->argc; i++) {
                const char *v = cmd->argv[i].value;
                if (v[0] != '-')
                        break;
                if (strncmp(v, "-I", 2) == 0 || strncmp(v, "-i", 2) == 0 || strncmp(v, "--replace", 9) == 0)
                        replace = true;
                if (cj_name_in(v, argopts))
                        i++;
        }
        if (i >= cmd->argc)
                return;
        const char *inner = cj_basename(cmd->argv[i].value);
        if (cj_is_shell_name(inner) || cj_is_interpreter_name(inner) || strcmp(inner, "eval") == 0 ||
            strcmp(inner, "env") == 0 || strcmp(inner, "xargs") == 0)
                hx_report(c, cmd, i, "xargs hands runtime input to `%s`%s", inner,
                          replace ? " with a substituted string" : "");
}

void cj_hx_interp(cj_vctx *c, const sh_cmd *cmd, size_t first) {
        const char *n = cj_cmd_name(cmd);
        /* code-taking options per interpreter family; the rest take no code */
        const char *flags = "c";
        if (strncmp(n, "perl", 4) == 0)
                flags = "eE";
        else if (strncmp(n, "ruby", 4) == 0 || strncmp(n, "lua", 3) == 0 || strcmp(n, "Rscript") == 0 ||
                 strcmp(n, "R") == 0 || strcmp(n, "osascript") == 0 || strcmp(n, "groovy") == 0 ||
                 strcmp(n, "scala") == 0 || strcmp(n, "racket") == 0 || strcmp(n, "ghc") == 0 ||
                 strcmp(n, "julia") == 0)
                flags = "eE";
        else if (strcmp(n, "node") == 0 || strcmp(n, "nodejs") == 0 || strcmp(n, "bun") == 0 ||
                 strcmp(n, "deno") == 0)
                flags = "ep";
        else if (strncmp(n, "php", 3) == 0)
                flags = "rBRE";
        else if (strcmp(n, "pwsh") == 0 || strcmp(n, "powershell") == 0 || strcmp(n, "guile") == 0 ||
                 strcmp(n, "expect") == 0)
                flags = "cC";
        bool script = false;
        for (size_t i = first; i < cmd->argc; i++)
                if (cj_name_in(cmd->argv[i].value, (const char *const[]) { "--version", "-v", "-V", "--help", "-h",
                                                                           "-version", "-help", NULL }))
                        return;
        for (size_t i = first; i < cmd->argc; i++) {
                const char *v = cmd->argv[i].value;
                if (v[0] == '-' && v[1] == '-') {
                        if (strcmp(v, "--eval") == 0 || strncmp(v, "--eval=", 7) == 0 || strcmp(v, "--print") == 0 ||
                            strcmp(v, "--command") == 0 || strcmp(v, "--exec") == 0 || strcmp(v, "--execute") == 0) {
                                hx_note(c, cmd, i, "`%s %s` runs inline program text", n, v);
                                return;
                        }
                        if (strcmp(v, "--") == 0)
                                break;
                        /* node --test / --run: test files or a package script, not stdin */
                        if (strcmp(v, "--test") == 0 || strncmp(v, "--test=", 7) == 0 || strcmp(v, "--run") == 0)
                                script = true;
                        continue;
                }
                if (v[0] == '-' && v[1]) {
                        if (strpbrk(v + 1, flags)) {
                                hx_note(c, cmd, i, "`%s %s` runs inline program text", n, v);
                                return;
                        }
                        /* python -m MOD, -W arg, -X opt; perl -I dir, -M mod: skip their value */
                        if (strchr("mWXIMQ", v[1]) && !v[2])
                                i++;
                        if (v[1] == 'm' || v[1] == 'M')
                                script = true; /* a module is like a script */
                        continue;
                }
                script = true;
                break;
        }
        if (!script && !(strcmp(n, "deno") == 0 || strcmp(n, "bun") == 0)) {
                bool redirected = false;
                for (size_t i = 0; i < cmd->nredirs; i++)
                        if (cmd->redirs[i].redir && cmd->redirs[i].redir->op == SH_REDIR_IN)
                                redirected = true;
                if (!redirected && !cmd->ctx.pipe_from)
                        hx_note(c, cmd, 0, "`%s` with no script reads program text from stdin", n);
        }
        if (strcmp(n, "deno") == 0 || strcmp(n, "bun") == 0)
                for (size_t i = first; i < cmd->argc; i++)
                        if (strcmp(cmd->argv[i].value, "eval") == 0)
                                hx_note(c, cmd, i, "`%s eval` runs inline program text", n);
}

void cj_hx_sqlite(cj_vctx *c, const sh_cmd *cmd, size_t first) {
        for (size_t i = first; i < cmd->argc; i++) {
                const char *v = cmd->argv[i].value;
                while (*v == ' ')
                        v++;
                if (strstr(v, ".shell") || strstr(v, ".system") || strstr(v, ".output |") ||
                    strstr(v, ".once |") || strstr(v, ".load") || strstr(v, "load_extension"))
                        hx_report(c, cmd, i, "sqlite dot-command `%s` reaches the shell or loads code", v);
        }
}

/* openssl's options are single-dash words: -engine, -provider, -provider-path load code. */
void cj_hx_openssl(cj_vctx *c, const sh_cmd *cmd, size_t first) {
        for (size_t i = first; i < cmd->argc; i++) {
                const char *v = cmd->argv[i].value;
                if (strcmp(v, "-engine") == 0 || strcmp(v, "-provider") == 0 || strcmp(v, "-provider-path") == 0)
                        hx_report(c, cmd, i, "openssl %s loads a shared object", v);
        }
}

void cj_hx_cc(cj_vctx *c, const sh_cmd *cmd, size_t first) {
        for (size_t i = first; i < cmd->argc; i++) {
                const char *v = cmd->argv[i].value;
                if (strcmp(v, "-wrapper") == 0 || strncmp(v, "-fplugin=", 9) == 0 || strcmp(v, "-fplugin") == 0 ||
                    strncmp(v, "-specs=", 7) == 0)
                        hx_report(c, cmd, i, "compiler option `%s` runs or loads another program", v);
        }
}

/* npm config set script-shell / shell / editor ...: later `npm run` runs it. */
void cj_hx_npm(cj_vctx *c, const sh_cmd *cmd, size_t first) {
        static const char *const keys[] = { "script-shell", "shell", "editor", "git", "browser", "viewer",
                                            "node-options", "onload-script", NULL };
        for (size_t i = first; i + 1 < cmd->argc; i++) {
                if (strcmp(cmd->argv[i].value, "config") != 0 && strcmp(cmd->argv[i].value, "set") != 0)
                        continue;
                for (size_t k = i + 1; k < cmd->argc; k++) {
                        char key[64];
                        snprintf(key, sizeof key, "%.*s", (int) strcspn(cmd->argv[k].value, "="),
                                 cmd->argv[k].value);
                        if (cj_name_in(key, keys)) {
                                hx_report(c, cmd, k, "`%s config` sets `%s`, a program it runs later", cj_cmd_name(cmd),
                                          key);
                                return;
                        }
                }
        }
}

void cj_hx_socat(cj_vctx *c, const sh_cmd *cmd, size_t first) {
        for (size_t i = first; i < cmd->argc; i++) {
                const char *v = cmd->argv[i].value;
                if (strncasecmp(v, "exec:", 5) == 0 || strncasecmp(v, "system:", 7) == 0)
                        hx_report(c, cmd, i, "socat address `%s` runs a program", v);
        }
}

/* Runners the parser does not unwrap: namespace/privilege tools ask outright;
 * plain argv runners get their inner command re-checked. */
void cj_hx_runner(cj_vctx *c, const sh_cmd *cmd, size_t first) {
        static const char *const confining[] = { "nsenter", "unshare", "chroot", "setpriv", "runuser", "capsh",
                                                 "firejail", "bwrap", "proot", "systemd-nspawn", "lxc-attach",
                                                 "chcon", "runcon", "sandbox", NULL };
        const char *n = cj_cmd_name(cmd);
        if (cj_name_in(n, confining)) {
                hx_report(c, cmd, 0, "`%s` runs a command in other namespaces, root or credentials", n);
                return;
        }
        if (strcmp(n, "ip") == 0) {
                for (size_t i = first; i < cmd->argc; i++)
                        if (strcmp(cmd->argv[i].value, "exec") == 0)
                                hx_report(c, cmd, i, "`ip ... exec` runs a command in another namespace");
                return;
        }
        /* Re-check each of the first positional words as a possible inner
         * command: option values cannot hide a command this way. */
        unsigned tried = 0;
        for (size_t i = first; i < cmd->argc && tried < 3; i++) {
                const sh_arg *a = &cmd->argv[i];
                if (a->value[0] == '-')
                        continue;
                /* `.` and `..` are directories: a runner that execs its argv cannot
                 * run them (`source` is a shell builtin), so in `ionice -c3 find .`
                 * the `.` is find's argument, not a script being sourced. */
                if (!(a->flags & SH_ARG_DYNAMIC) && (strcmp(a->value, ".") == 0 || strcmp(a->value, "..") == 0))
                        continue;
                tried++;
                const char *inner = cj_basename(a->value);
                if (strcmp(n, "flock") == 0 && tried == 1)
                        continue; /* the lock file */
                if (cj_is_shell_name(inner) || strcmp(inner, "eval") == 0 || (a->flags & SH_ARG_DYNAMIC)) {
                        hx_report(c, cmd, i, "`%s` runs `%s`, whose payload is not unwrapped", n, a->value);
                        return;
                }
                sh_cmd sub = *cmd;
                sub.argv = cmd->argv + i;
                sub.argc = cmd->argc - i;
                sub.span = (sh_span) { a->span.off, cmd->span.off + cmd->span.len > a->span.off
                                                            ? cmd->span.off + cmd->span.len - a->span.off
                                                            : a->span.len };
                sub.nredirs = 0;
                sub.nassigns = 0;
                sub.unwrap_flags = 0;
                cj_chain_recheck(c, &sub);
        }
}

/* ---- git ----------------------------------------------------------------- */

#define GEND { NULL, 0, 0, 0 }

/* Per-subcommand option tables: tagged entries run or write, the others are
 * listed so that abbreviations and option values resolve as git does. */
static const cj_opt git_clone_opts[] = {
        { "upload-pack", 'u', CJ_OPT_ARG, HX_EXEC }, { "config", 'c', CJ_OPT_ARG, HX_GIT_CFG },
        { "template", 0, CJ_OPT_ARG, HX_FILE_CODE }, { "origin", 'o', CJ_OPT_ARG, 0 },
        { "branch", 'b', CJ_OPT_ARG, 0 }, { "depth", 0, CJ_OPT_ARG, 0 }, { "reference", 0, CJ_OPT_ARG, 0 },
        { "separate-git-dir", 0, CJ_OPT_ARG, 0 }, { "jobs", 'j', CJ_OPT_ARG, 0 }, { "filter", 0, CJ_OPT_ARG, 0 },
        { "server-option", 0, CJ_OPT_ARG, 0 }, { "shallow-since", 0, CJ_OPT_ARG, 0 },
        { "shallow-exclude", 0, CJ_OPT_ARG, 0 }, { "bundle-uri", 0, CJ_OPT_ARG, 0 }, GEND,
};
static const cj_opt git_fetch_opts[] = {
        { "upload-pack", 0, CJ_OPT_ARG, HX_EXEC }, { "exec", 0, CJ_OPT_ARG, HX_EXEC },
        { "depth", 0, CJ_OPT_ARG, 0 }, { "jobs", 'j', CJ_OPT_ARG, 0 }, { "server-option", 'o', CJ_OPT_ARG, 0 },
        { "refmap", 0, CJ_OPT_ARG, 0 }, { "deepen", 0, CJ_OPT_ARG, 0 }, { "shallow-since", 0, CJ_OPT_ARG, 0 },
        { "shallow-exclude", 0, CJ_OPT_ARG, 0 }, { "negotiation-tip", 0, CJ_OPT_ARG, 0 },
        { "strategy", 's', CJ_OPT_ARG, 0 }, { "strategy-option", 'X', CJ_OPT_ARG, 0 }, GEND,
};
static const cj_opt git_push_opts[] = {
        { "receive-pack", 0, CJ_OPT_ARG, HX_EXEC }, { "exec", 0, CJ_OPT_ARG, HX_EXEC },
        { "repo", 0, CJ_OPT_ARG, 0 }, { "push-option", 'o', CJ_OPT_ARG, 0 }, { "recurse-submodules", 0, CJ_OPT_ARG, 0 },
        { "force-with-lease", 0, CJ_OPT_OPTARG, 0 }, GEND,
};
static const cj_opt git_archive_opts[] = {
        { "exec", 0, CJ_OPT_ARG, HX_EXEC }, { "remote", 0, CJ_OPT_ARG, 0 }, { "output", 'o', CJ_OPT_ARG, 0 },
        { "format", 0, CJ_OPT_ARG, 0 }, { "prefix", 0, CJ_OPT_ARG, 0 }, GEND,
};
static const cj_opt git_log_opts[] = {
        { "output", 0, CJ_OPT_ARG, HX_WRITE }, { "ext-diff", 0, CJ_OPT_NOARG, HX_EXEC },
        { "open-files-in-pager", 'O', CJ_OPT_OPTARG, HX_EXEC }, { "output-directory", 0, CJ_OPT_ARG, 0 },
        { "format", 0, CJ_OPT_ARG, 0 }, { "pretty", 0, CJ_OPT_OPTARG, 0 }, { "author", 0, CJ_OPT_ARG, 0 },
        { "since", 0, CJ_OPT_ARG, 0 }, { "until", 0, CJ_OPT_ARG, 0 }, { "grep", 0, CJ_OPT_ARG, 0 },
        { "max-count", 'n', CJ_OPT_ARG, 0 }, { "regexp", 'e', CJ_OPT_ARG, 0 }, { "file", 'f', CJ_OPT_ARG, 0 },
        { "context", 'C', CJ_OPT_ARG, 0 }, { "after-context", 'A', CJ_OPT_ARG, 0 },
        { "before-context", 'B', CJ_OPT_ARG, 0 }, { "max-depth", 0, CJ_OPT_ARG, 0 }, { "L", 'L', CJ_OPT_ARG, 0 },
        { "output-indicator-new", 0, CJ_OPT_ARG, 0 }, GEND,
};
static const cj_opt git_rebase_opts[] = {
        { "exec", 'x', CJ_OPT_ARG, HX_EXEC }, { "onto", 0, CJ_OPT_ARG, 0 }, { "strategy", 's', CJ_OPT_ARG, 0 },
        { "strategy-option", 'X', CJ_OPT_ARG, 0 }, { "empty", 0, CJ_OPT_ARG, 0 }, GEND,
};
static const cj_opt git_difftool_opts[] = {
        { "extcmd", 'x', CJ_OPT_ARG, HX_EXEC }, { "tool", 't', CJ_OPT_ARG, 0 }, GEND,
};

static const struct {
        const char *const *subs;
        const cj_opt *opts;
} git_subs[] = {
        { (const char *const[]) { "clone", NULL }, git_clone_opts },
        { (const char *const[]) { "fetch", "pull", "ls-remote", "fetch-pack", "remote", "submodule", NULL }, git_fetch_opts },
        { (const char *const[]) { "push", "send-pack", NULL }, git_push_opts },
        { (const char *const[]) { "archive", NULL }, git_archive_opts },
        { (const char *const[]) { "log", "show", "diff", "whatchanged", "grep", "format-patch", "range-diff",
                                  "diff-tree", "diff-files", "diff-index", "shortlog", "blame", NULL }, git_log_opts },
        { (const char *const[]) { "rebase", NULL }, git_rebase_opts },
        { (const char *const[]) { "difftool", "mergetool", NULL }, git_difftool_opts },
};

static bool git_cb(const cj_optval *o, void *ud) {
        scan *s = ud;
        if (!o->opt)
                return true;
        if (o->opt->tag == HX_GIT_CFG) {
                const char *kv = o->value ? o->value : "";
                char key[256];
                const char *eq = strchr(kv, '=');
                size_t kl = eq ? (size_t) (eq - kv) : strlen(kv);
                snprintf(key, sizeof key, "%.*s", (int) (kl < sizeof key ? kl : sizeof key - 1), kv);
                if (cj_git_key_executes(key, eq ? eq + 1 : NULL) || o->dynamic_value)
                        hx_report(s->c, s->cmd, o->argi, "git config `%s` makes git run a command", kv);
                return true;
        }
        return table_cb(o, ud);
}

static bool prefix_of(const char *v, const char *full, size_t min) {
        size_t l = strcspn(v, "=");
        return l >= min && l <= strlen(full) && strncmp(v, full, l) == 0;
}

static void git_config_cmd(cj_vctx *c, const sh_cmd *cmd, size_t sub) {
        size_t pos[3], npos = 0;
        for (size_t i = sub + 1; i < cmd->argc; i++) {
                const char *v = cmd->argv[i].value;
                if (strcmp(v, "-e") == 0 || strcmp(v, "--edit") == 0 || strcmp(v, "edit") == 0) {
                        hx_report(c, cmd, i, "git config %s opens an editor", v);
                        return;
                }
                if (strcmp(v, "-f") == 0 || strcmp(v, "--file") == 0 || strcmp(v, "--blob") == 0 ||
                    strcmp(v, "--type") == 0 || strcmp(v, "--default") == 0 || strcmp(v, "--comment") == 0 ||
                    strcmp(v, "--value") == 0) {
                        i++;
                        continue;
                }
                if (v[0] == '-')
                        continue;
                if (npos < 3)
                        pos[npos++] = i;
        }
        size_t k = 0;
        if (npos > 0 && cj_name_in(cmd->argv[pos[0]].value, (const char *const[]) { "set", "unset", "get", "list",
                                                                                    "rename-section",
                                                                                    "remove-section", NULL }))
                k = 1; /* git config set KEY VALUE */
        if (npos >= k + 2) {
                const char *key = cmd->argv[pos[k]].value, *val = cmd->argv[pos[k + 1]].value;
                if (cj_git_key_executes(key, val))
                        hx_report(c, cmd, pos[k], "git config sets `%s`, which git runs: `%s`", key, val);
        }
}

void cj_hx_git(cj_vctx *c, const sh_cmd *cmd, size_t first) {
        scan s = { .c = c, .cmd = cmd };
        size_t i = first;
        for (; i < cmd->argc; i++) {
                const char *v = cmd->argv[i].value;
                if (v[0] != '-')
                        break;
                if (strcmp(v, "-c") == 0 || strncmp(v, "-c", 2) == 0) {
                        const char *kv = v[2] ? v + 2 : (i + 1 < cmd->argc ? cmd->argv[++i].value : "");
                        cj_optval o = { .opt = &(cj_opt) { "config", 'c', CJ_OPT_ARG, HX_GIT_CFG }, .value = kv,
                                        .argi = i, .dynamic_value = cmd->argv[i].flags & SH_ARG_DYNAMIC };
                        git_cb(&o, &s);
                } else if (prefix_of(v, "--config-env", 10)) {
                        const char *kv = strchr(v, '=') ? strchr(v, '=') + 1
                                                        : (i + 1 < cmd->argc ? cmd->argv[++i].value : "");
                        char key[256];
                        snprintf(key, sizeof key, "%.*s", (int) strcspn(kv, "="), kv);
                        if (cj_git_key_executes(key, NULL))
                                hx_report(c, cmd, i, "git --config-env `%s` makes git run a command from the "
                                          "environment", kv);
                } else if (prefix_of(v, "--exec-path", 7) && strchr(v, '=')) {
                        hx_report(c, cmd, i, "git %s runs git's helpers from another directory", v);
                } else if (strcmp(v, "-p") == 0 || prefix_of(v, "--paginate", 5)) {
                        hx_report(c, cmd, i, "git %s pipes output through the configured pager", v);
                } else if (prefix_of(v, "--git-dir", 9)) {
                        /* a git directory whose config the profile does not protect can define aliases,
                         * a pager, hooks, core.fsmonitor */
                        const char *d = strchr(v, '=') ? strchr(v, '=') + 1
                                                       : (i + 1 < cmd->argc ? cmd->argv[++i].value : "");
                        if (strcmp(cj_basename(d), ".git") != 0 || (cmd->argv[i].flags & SH_ARG_DYNAMIC))
                                hx_report(c, cmd, i, "git --git-dir `%s` reads config (aliases, pager, hooks) from a "
                                          "directory the command chooses", d);
                } else if (strcmp(v, "-C") == 0 || strcmp(v, "--work-tree") == 0 ||
                           strcmp(v, "--namespace") == 0 || strcmp(v, "--super-prefix") == 0 ||
                           strcmp(v, "--attr-source") == 0) {
                        i++;
                }
        }
        for (size_t k = first; k < cmd->argc; k++)
                if (strncmp(cmd->argv[k].value, "ext::", 5) == 0 || strncmp(cmd->argv[k].value, "fd::", 4) == 0)
                        hx_report(c, cmd, k, "git remote `%s` runs a command as transport", cmd->argv[k].value);
        if (i >= cmd->argc)
                return;
        const char *sub = cmd->argv[i].value;
        if (strcmp(sub, "config") == 0) {
                git_config_cmd(c, cmd, i);
                return;
        }
        static const char *const always[] = { "filter-branch", "instaweb", "web--browse", "send-email", "credential",
                                              "hook", "daemon", "upload-pack", "receive-pack", NULL };
        if (cj_name_in(sub, always)) {
                hx_report(c, cmd, i, "git %s runs configured commands or exposes credentials", sub);
                return;
        }
        if ((strcmp(sub, "submodule") == 0 || strcmp(sub, "bisect") == 0) && i + 1 < cmd->argc) {
                const char *verb = cmd->argv[i + 1].value;
                size_t vi = i + 1;
                while (vi < cmd->argc && cmd->argv[vi].value[0] == '-')
                        vi++;
                if (vi < cmd->argc)
                        verb = cmd->argv[vi].value;
                if (strcmp(verb, "foreach") == 0 || strcmp(verb, "run") == 0)
                        hx_report(c, cmd, vi, "git %s %s runs a shell command", sub, verb);
        }
        for (size_t k = 0; k < CJ_ARRAY_SIZE(git_subs); k++)
                if (cj_name_in(sub, git_subs[k].subs))
                        cj_opts_scan(cmd, i + 1, git_subs[k].opts, false, git_cb, &s);
}

/* ---- the validator ------------------------------------------------------- */

static bool reads_program_from_doc(const sh_cmd *cmd) {
        for (size_t i = 0; i < cmd->nredirs; i++) {
                const sh_redir *r = cmd->redirs[i].redir;
                if (r && (r->op == SH_REDIR_HEREDOC || r->op == SH_REDIR_HEREDOC_STRIP || r->op == SH_REDIR_HERESTRING) &&
                    (r->fd < 0 || r->fd == 0))
                        return true;
        }
        return false;
}

/* Wildcard injection: bash expands a glob into file names, and a file named
 * `-exec` or `--checkpoint-action=exec=sh x` becomes an option or primary
 * of a program whose options run commands.  A glob that itself spells an
 * option (`-[e]xec`) is always reported; one that can expand to a name
 * starting with '-' (`*`, `?x`, `[a-]*`) before `--` (find has no `--` for
 * its expression) only under an allowlist profile, where the program is
 * trusted and the sandbox is not the only line. */
static void glob_options(cj_vctx *c, const sh_cmd *cmd, bool find) {
        bool allowlist = c->profile->validation_default != CJ_VERDICT_ALLOW;
        for (size_t i = 1; i < cmd->argc; i++) {
                const sh_arg *a = &cmd->argv[i];
                if (!find && strcmp(a->value, "--") == 0 && !(a->flags & SH_ARG_GLOB))
                        return;
                if (!(a->flags & SH_ARG_GLOB))
                        continue;
                if (a->value[0] == '-')
                        hx_report(c, cmd, i, "`%s` is a glob that spells an option of `%s`", a->value,
                                  cj_cmd_name(cmd));
                else if (allowlist && strchr("*?[", a->value[0]))
                        hx_report(c, cmd, i, "the glob `%s` can expand to a file named like an option of `%s` "
                                  "(`-exec`, `--checkpoint-action=exec=...`); use ./%s or --", a->value,
                                  cj_cmd_name(cmd), a->value);
        }
}

static void hx_report_msg(cj_vctx *c, const sh_cmd *cmd, size_t argi, const char *msg) {
        hx_report(c, cmd, argi, "%s (the profile allowlists programs)", msg);
}

static void hx_cmd(cj_vctx *c, const sh_cmd *cmd) {
        if (cmd->argc == 0)
                return;
        cj_hx_general(c, cmd, hx_report_msg);
        const char *n = cj_cmd_name(cmd);
        if (cj_cmd_is_shell_reading_stdin(cmd) && reads_program_from_doc(cmd)) {
                /* bash text the checker could read but does not: asks under every profile */
                hx_report(c, cmd, 0, "`%s` reads its program from a here-document or here-string, which is not "
                          "checked", n);
        }
        /* versioned interpreters (python3.12, perl5.36) use the interpreter entry */
        bool interp = cj_is_interpreter_name(n) &&
                      !cj_name_in(n, (const char *const[]) { "awk", "gawk", "mawk", "nawk", "busybox", NULL });
        for (const cj_hx_prog *p = cj_hx_table; p->names; p++) {
                if (!cj_name_in(n, p->names) && !(interp && p->check == cj_hx_interp))
                        continue;
                if (p->always) {
                        hx_report(c, cmd, 0, "`%s`: %s", n, p->always);
                        return;
                }
                glob_options(c, cmd, p->check == cj_hx_find);
                if (p->check == cj_hx_sed || p->check == cj_hx_awk) {
                        p->check(c, cmd, 1);
                        return;
                }
                if (p->opts && p->opts[0].lname == NULL && p->opts[0].sname == 0) {
                        if (p->check)
                                p->check(c, cmd, 1);
                        return;
                }
                run_table(c, cmd, p, 1);
                if (p->check)
                        p->check(c, cmd, 1);
                return;
        }
}

const cj_validator cj_v_hidden_exec = {
        .name = "hidden_exec",
        .owns = "execution hidden in arguments: find -exec, git -c/--upload-pack, sed e/w, awk system(), rg --pre, "
                "tar --to-command, ssh -o ProxyCommand, interpreters' -c/-e, editors/pagers, unwrapped runners",
        .cmd = hx_cmd,
};
