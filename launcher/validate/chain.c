/* SPDX-License-Identifier: MIT */
/*
 * The chain: ONE table listing the validators in order, and the driver that
 * runs them over a command.  Raw-byte validators run first; then the command
 * is parsed once and a single walk dispatches every simple command (including
 * the inner commands of runners), node, word, part and here-doc to each
 * enabled validator; then end-of-walk checks; then the profile's rules.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rules.h"
#include "util/cleanup.h"

static const cj_validator *const chain[] = {
        &cj_v_hygiene,          /* raw bytes: NUL, CR, controls, odd whitespace, zero-width, bidi */
        &cj_v_limits,           /* command length, parser depth / node limits */
        &cj_v_syntax,           /* what bash -n rejects */
        &cj_v_smuggling,        /* newline and line-continuation smuggling */
        &cj_v_comment_desync,   /* mid-word '#', quotes inside comments */
        &cj_v_substitution,     /* $( ) ` ` <( ) >( ) where their output decides what runs */
        &cj_v_eval_source,      /* eval, source, ., trap, fc, enable -f ... */
        &cj_v_dynamic_command,  /* command name or runner payload known only at runtime */
        &cj_v_obfuscation,      /* $'..', '', \ inside command names and option names */
        &cj_v_ifs,              /* IFS assignment and $IFS word-splitting tricks */
        &cj_v_dangerous_vars,   /* LD_PRELOAD, BASH_ENV, PATH, PAGER, GIT_SSH_COMMAND ... */
        &cj_v_prompt_expansion, /* ${x@P} */
        &cj_v_arithmetic,       /* arithmetic evaluation of runtime strings */
        &cj_v_redirection,      /* redirections to system paths, devices, protected paths */
        &cj_v_heredoc,          /* unquoted here-doc bodies that expand, unterminated here-docs */
        &cj_v_brace_command,    /* brace expansion in command position */
        &cj_v_zsh,              /* zsh-only constructs and zsh itself */
        &cj_v_credentials,      /* credential files, /proc/PID/environ|mem */
        &cj_v_exfiltration,     /* uploading local files */
        &cj_v_download_exec,    /* curl | sh, bash <(curl ..), python -c "$(curl ..)" */
        &cj_v_destructive,      /* rm -rf / ~ workspace, mkfs, dd of=/dev, chmod -R /, ... */
        &cj_v_persistence,      /* crontab, systemd, rc files, git hooks, history -a ... */
        &cj_v_privilege,        /* sudo su doas pkexec, setuid bits, setcap, mount ... */
        &cj_v_hidden_exec,      /* execution hidden in ordinary programs' arguments (table) */
};

const char *const *cj_validator_names(void) {
        static const char *names[CJ_ARRAY_SIZE(chain) + 1];
        for (size_t i = 0; i < CJ_ARRAY_SIZE(chain); i++)
                names[i] = chain[i]->name;
        return names;
}

bool cj_validator_exists(const char *name) {
        for (size_t i = 0; i < CJ_ARRAY_SIZE(chain); i++)
                if (strcmp(chain[i]->name, name) == 0)
                        return true;
        return false;
}

/* ---- findings ------------------------------------------------------------ */

int cj_vspans_add(cj_vspans *s, size_t off, size_t len, const char *what) {
        if (s->n == s->cap) {
                size_t ncap = s->cap ? s->cap * 2 : 16;
                cj_vspan *nv = reallocarray(s->v, ncap, sizeof *nv);
                if (!nv)
                        return -ENOMEM;
                s->v = nv;
                s->cap = ncap;
        }
        s->v[s->n++] = (cj_vspan) { off, len, what };
        return 0;
}

int cj_vstrs_add(cj_vstrs *s, const char *str, sh_span span) {
        if (s->n == s->cap) {
                size_t ncap = s->cap ? s->cap * 2 : 8;
                char **nv = reallocarray(s->v, ncap, sizeof *nv);
                if (!nv)
                        return -ENOMEM;
                s->v = nv;
                sh_span *ns = reallocarray(s->spans, ncap, sizeof *ns);
                if (!ns)
                        return -ENOMEM;
                s->spans = ns;
                s->cap = ncap;
        }
        char *d = strdup(str);
        if (!d)
                return -ENOMEM;
        s->v[s->n] = d;
        s->spans[s->n++] = span;
        return 0;
}

void cj_vstrs_free(cj_vstrs *s) {
        for (size_t i = 0; i < s->n; i++)
                free(s->v[i]);
        free(s->v);
        free(s->spans);
        *s = (cj_vstrs) { 0 };
}

void cj_vspans_free(cj_vspans *s) {
        free(s->v);
        *s = (cj_vspans) { 0 };
}

/* Messages quote the command; keep them one line of valid UTF-8 (JSON needs
 * it, terminals deserve it): control bytes and invalid sequences become '?'. */
static void sanitize(char *m) {
        unsigned char *p = (unsigned char *) m;
        while (*p) {
                size_t l = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
                bool ok = l > 0 && (l > 1 || *p >= 0x20) && *p != 0x7f && (l != 2 || *p >= 0xc2);
                for (size_t i = 1; ok && i < l; i++)
                        ok = (p[i] & 0xc0) == 0x80;
                if (!ok) {
                        *p++ = '?';
                        continue;
                }
                p += l;
        }
}

void cj_report(cj_vctx *c, cj_verdict v, size_t off, size_t len, const char *fmt, ...) {
        char msg[CJ_VALIDATE_MESSAGE_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        sanitize(msg);
        /* Spans are clamped to the command so a caret can always be drawn. */
        if (off > c->len)
                off = c->len;
        if (len > c->len - off)
                len = c->len - off;

        for (size_t i = 0; i < c->n_findings; i++) {
                cj_finding *f = &c->findings[i];
                if (f->offset == off && f->length == len && f->decision == v && strcmp(f->validator, c->current) == 0 &&
                    strcmp(f->message, msg) == 0)
                        return;
        }
        if (c->n_findings >= CJ_VALIDATE_FINDINGS_MAX) {
                /* Keep the verdict honest even when the list is cut. */
                c->dropped++;
                if (v > c->findings[c->n_findings - 1].decision)
                        c->findings[c->n_findings - 1].decision = v;
                return;
        }
        if (c->n_findings == c->cap_findings) {
                size_t ncap = c->cap_findings ? c->cap_findings * 2 : 8;
                cj_finding *nf = reallocarray(c->findings, ncap, sizeof *nf);
                if (!nf) {
                        c->oom = -ENOMEM;
                        return;
                }
                c->findings = nf;
                c->cap_findings = ncap;
        }
        char *name = strdup(c->current), *m = strdup(msg);
        if (!name || !m) {
                free(name);
                free(m);
                c->oom = -ENOMEM;
                return;
        }
        c->findings[c->n_findings++] = (cj_finding) {
                .validator = name, .decision = v, .message = m, .offset = off, .length = len
        };
}

/* ---- the walk ------------------------------------------------------------ */

typedef struct run {
        cj_vctx *c;
        bool enabled[CJ_ARRAY_SIZE(chain)];
} run;

static bool enabled_for(const cj_profile *p, const cj_validator *v) {
        return v->always_on || !p->validators_off || !cj_strv_contains(p->validators_off, v->name);
}

#define DISPATCH(R, FIELD, ...)                                                                                        \
        do {                                                                                                           \
                for (size_t _i = 0; _i < CJ_ARRAY_SIZE(chain); _i++)                                                   \
                        if ((R)->enabled[_i] && chain[_i]->FIELD) {                                                    \
                                (R)->c->current = chain[_i]->name;                                                     \
                                chain[_i]->FIELD((R)->c, ##__VA_ARGS__);                                                 \
                        }                                                                                              \
        } while (0)

static int on_simple(const sh_cmd *cmd, void *ud) {
        run *r = ud;
        if (cj_vspans_add(&r->c->cmd_starts, cmd->span.off, cmd->span.len, NULL) < 0)
                return -ENOMEM;
        cj_cd_before(r->c, cmd);
        DISPATCH(r, cmd, cmd);
        r->c->current = "rule";
        cj_rules_apply(r->c, cmd);
        cj_cd_after(r->c, cmd);
        return r->c->oom;
}

void cj_chain_recheck(cj_vctx *c, const sh_cmd *sub) {
        if (!c->enabled)
                return;
        if (c->recheck_depth >= CJ_RECHECK_DEPTH_MAX) {
                sh_span s = cj_cmd_span(sub);
                cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "runners nested too deep to check");
                return;
        }
        const char *saved = c->current;
        c->recheck_depth++;
        for (size_t i = 0; i < CJ_ARRAY_SIZE(chain); i++)
                if (c->enabled[i] && chain[i]->cmd) {
                        c->current = chain[i]->name;
                        chain[i]->cmd(c, sub);
                }
        c->current = "rule";
        cj_rules_apply(c, sub);
        c->recheck_depth--;
        c->current = saved;
}

static int on_node(const sh_node *n, const sh_cmd_ctx *where, void *ud) {
        run *r = ud;
        cj_cd_node(r->c, n);
        DISPATCH(r, node, n, where);
        return r->c->oom;
}

static void cover(cj_vctx *c, size_t off, size_t len) {
        if (!c->covered || off >= c->len)
                return;
        if (len > c->len - off)
                len = c->len - off;
        memset(c->covered + off, 1, len);
}

static int on_word(const sh_word *w, const sh_cmd_ctx *where, void *ud) {
        run *r = ud;
        cover(r->c, w->span.off, w->span.len);
        DISPATCH(r, word, w, where);
        return r->c->oom;
}

static int on_part(const sh_part *p, const sh_word *w, const sh_cmd_ctx *where, void *ud) {
        run *r = ud;
        cj_cd_part(r->c, p);
        DISPATCH(r, part, p, w, where);
        return r->c->oom;
}

static int on_heredoc(const sh_redir *rd, const sh_cmd_ctx *where, void *ud) {
        run *r = ud;
        if (rd->heredoc)
                cover(r->c, rd->heredoc->body_span.off, rd->heredoc->body_span.len);
        DISPATCH(r, heredoc, rd, where);
        return r->c->oom;
}

static int on_unresolved(const sh_cmd *cmd, const char *why, void *ud) {
        run *r = ud;
        DISPATCH(r, unresolved, cmd, why);
        return r->c->oom;
}

/* ---- entry points -------------------------------------------------------- */

static const cj_profile builtin_profile = { .name = (char *) "builtin", .validation_default = CJ_VERDICT_ALLOW };

static void ctx_free(cj_vctx *c) {
        cj_vstrs_free(&c->fetch_in_subst);
        cj_vstrs_free(&c->code_sinks);
        cj_vspans_free(&c->hash_mid_words);
        cj_vspans_free(&c->cmd_starts);
        free(c->covered);
        cj_paths_release(c);
        cj_vstrs_free(&c->downloaded);
        cj_vstrs_free(&c->executed);
        cj_vstrs_free(&c->arith_static);
        cj_vstrs_free(&c->arith_runtime);
        cj_vstrs_free(&c->arith_uses);
        cj_cd_free(c);
}

static int finish(cj_vctx *c, bool parse_ok, cj_validation *out, cj_error *err) {
        if (c->oom) {
                for (size_t i = 0; i < c->n_findings; i++) {
                        free(c->findings[i].validator);
                        free(c->findings[i].message);
                }
                free(c->findings);
                return cj_error_set(err, ENOMEM, "validation: out of memory");
        }
        *out = (cj_validation) { .decision = CJ_VERDICT_ALLOW, .parse_ok = parse_ok };
        out->findings = c->findings;
        out->n_findings = c->n_findings;
        for (size_t i = 0; i < c->n_findings; i++)
                if (c->findings[i].decision > out->decision)
                        out->decision = c->findings[i].decision;
        return 0;
}

/* The request's env as assignments the command's first simple command makes
 * (bash imports them as shell variables before the command runs): one
 * synthetic assignment-only command through every validator and the rules.
 * Spans are empty at offset 0: the text is not in the command. */
static void check_request_env(cj_vctx *c, char *const *env) {
        size_t n = 0;
        while (env[n])
                n++;
        sh_cmd_assign *as = calloc(n, sizeof *as);
        char **names = calloc(n, sizeof *names);
        if (!as || !names) {
                free(as);
                free(names);
                c->oom = -ENOMEM;
                return;
        }
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                const char *eq = strchr(env[i], '=');
                size_t l = eq ? (size_t) (eq - env[i]) : strlen(env[i]);
                if (!(names[k] = strndup(env[i], l))) {
                        c->oom = -ENOMEM;
                        break;
                }
                c->current = "dangerous_vars";
                if (cj_var_request_refused(names[k])) {
                        cj_report(c, CJ_VERDICT_DENY, 0, 0, "the request's env may not set %s (%s variable); "
                                  "write it in the command, where it is reviewed", names[k],
                                  cj_var_class_name(cj_var_classify(names[k])));
                        free(names[k]);
                        continue;
                }
                as[k] = (sh_cmd_assign) { .name = names[k], .value = eq ? eq + 1 : "" };
                k++;
        }
        if (k && !c->oom) {
                sh_cmd sub = { .nassigns = k, .assigns = as, .ctx = { .pipe_len = 1 } };
                c->request_env = true;
                cj_chain_recheck(c, &sub);
                c->request_env = false;
        }
        for (size_t i = 0; i < k; i++)
                free(names[i]);
        free(names);
        free(as);
}

int cj_validate_command(const char *cmd, size_t len, const cj_profile *profile, const char *cwd, cj_validation *out,
                        cj_error *err) {
        return cj_validate_exec(cmd, len, NULL, profile, cwd, out, err);
}

int cj_validate_exec(const char *cmd, size_t len, char *const *env, const cj_profile *profile, const char *cwd,
                     cj_validation *out, cj_error *err) {
        cj_vctx c = { .cmd = cmd, .len = len, .profile = profile ? profile : &builtin_profile, .cwd = cwd };
        run r = { .c = &c };
        _cleanup_(sh_ast_freep) sh_ast *ast = NULL;
        bool parse_ok = true;

        *out = (cj_validation) { 0 };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(chain); i++)
                r.enabled[i] = enabled_for(c.profile, chain[i]);
        c.enabled = r.enabled;
        c.covered = calloc(len ? len : 1, 1);
        if (!c.covered || cj_paths_prepare(&c) < 0) {
                ctx_free(&c);
                return cj_error_set(err, ENOMEM, "validation: out of memory");
        }

        DISPATCH(&r, raw);

        sh_syntax_error serr = { 0 };
        cj_error perr = { 0 };
        int k = sh_parse_ex(cmd, len, NULL, &ast, &serr, &perr);
        if (k == -ENOMEM) {
                ctx_free(&c);
                cj_validation tmp = { .findings = c.findings, .n_findings = c.n_findings };
                cj_validation_clear(&tmp);
                return cj_error_set(err, ENOMEM, "validation: out of memory while parsing");
        }
        if (env && env[0])
                check_request_env(&c, env);
        c.current = k == -E2BIG ? "limits" : "syntax";
        if (k == -EINVAL) {
                parse_ok = false;
                cj_report(&c, CJ_VERDICT_ASK, serr.offset, serr.length ? serr.length : 1,
                          "bash would reject this: %s", serr.message[0] ? serr.message : cj_error_message(&perr, k));
        } else if (k < 0) {
                cj_report(&c, CJ_VERDICT_ASK, serr.offset, serr.length, "too complex to review: %s",
                          serr.message[0] ? serr.message : cj_error_message(&perr, k));
        } else {
                c.ast = ast;
                sh_visitor v = {
                        .simple = on_simple, .node = on_node, .word = on_word, .part = on_part,
                        .heredoc = on_heredoc, .unresolved = on_unresolved,
                };
                k = sh_walk(ast, &v, &r);
                if (k < 0 && !c.oom)
                        c.oom = k;
                DISPATCH(&r, finish);
                c.current = "rule";
                cj_rules_finish(&c);
        }
        ctx_free(&c);
        return finish(&c, parse_ok, out, err);
}

/* argv mode: check one command, then what a runner in it runs (sudo, env,
 * timeout, bash -c ...), as the walker does for parsed commands. */
static void argv_check(cj_vctx *c, const sh_cmd *cmd, unsigned depth) {
        cj_chain_recheck(c, cmd);
        if (depth >= SH_MAX_UNWRAP_DEPTH) {
                c->current = "dynamic_command";
                cj_report(c, CJ_VERDICT_ASK, cmd->span.off, cmd->span.len, "runners nested too deep to check");
                return;
        }
        sh_unwrap u = { 0 };
        if (sh_unwrap_argv(cmd->argv, cmd->argc, &u) < 0) {
                c->oom = -ENOMEM;
                return;
        }
        if (u.flags & SH_UNWRAP_UNRESOLVED) {
                c->current = "dynamic_command";
                cj_report(c, CJ_VERDICT_ASK, cmd->span.off, cmd->span.len, "cannot tell what `%s` runs: %s",
                          cj_cmd_name(cmd), u.why ? u.why : "unresolved");
        } else if ((u.flags & SH_UNWRAP_ARGV) && u.inner < cmd->argc) {
                size_t n = u.nextra + (cmd->argc - u.inner);
                sh_arg *args = calloc(n, sizeof *args);
                if (!args) {
                        c->oom = -ENOMEM;
                } else {
                        if (u.nextra)
                                memcpy(args, u.extra, u.nextra * sizeof *args);
                        memcpy(args + u.nextra, cmd->argv + u.inner, (cmd->argc - u.inner) * sizeof *args);
                        sh_cmd inner = { .argc = n, .argv = args, .nassigns = u.nassigns, .assigns = u.assigns,
                                         .ctx = cmd->ctx };
                        uint32_t off = args[0].span.off;
                        inner.span = (sh_span) { off, cmd->span.off + cmd->span.len - off };
                        argv_check(c, &inner, depth + 1);
                        free(args);
                }
        } else if ((u.flags & SH_UNWRAP_STRING) && u.script) {
                /* the script is shell text: the whole chain, findings shifted to the argument */
                cj_validation in = { 0 };
                size_t base = u.script_arg ? u.script_arg->span.off : cmd->span.off;
                if (cj_validate_command(u.script, strlen(u.script), c->profile, NULL, &in, NULL) < 0) {
                        c->oom = -ENOMEM;
                } else {
                        for (size_t i = 0; i < in.n_findings; i++) {
                                c->current = in.findings[i].validator;
                                cj_report(c, in.findings[i].decision, base + in.findings[i].offset,
                                          in.findings[i].length, "%s", in.findings[i].message);
                        }
                        cj_validation_clear(&in);
                        c->current = "dynamic_command"; /* not the freed name */
                }
        }
        sh_unwrap_done(&u);
}

static int validate_argv(char *const *argv, const cj_profile *profile, bool rules_only, cj_validation *out,
                         cj_error *err) {
        size_t argc = 0, total = 0;
        *out = (cj_validation) { 0 };
        if (!argv || !argv[0])
                return cj_error_set(err, EINVAL, "validation: empty argv");
        for (; argv[argc]; argc++)
                total += strlen(argv[argc]) + 1;

        /* Spans point into the argv joined with single spaces. */
        _cleanup_free_ char *joined = malloc(total);
        _cleanup_free_ sh_arg *args = calloc(argc, sizeof *args);
        if (!joined || !args)
                return cj_error_set(err, ENOMEM, "validation: out of memory");
        size_t off = 0;
        for (size_t i = 0; i < argc; i++) {
                size_t l = strlen(argv[i]);
                memcpy(joined + off, argv[i], l);
                joined[off + l] = i + 1 < argc ? ' ' : '\0';
                args[i] = (sh_arg) { .value = argv[i], .span = { (uint32_t) off, (uint32_t) l } };
                off += l + 1;
        }
        size_t len = total - 1;
        cj_vctx c = { .cmd = joined, .len = len, .profile = profile ? profile : &builtin_profile };
        run r = { .c = &c };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(chain); i++)
                r.enabled[i] = enabled_for(c.profile, chain[i]) && chain[i]->cmd;
        c.enabled = r.enabled;
        sh_cmd cmd = { .span = { 0, (uint32_t) len }, .argc = argc, .argv = args, .ctx = { .pipe_len = 1 } };
        if (cj_paths_prepare(&c) < 0) {
                ctx_free(&c);
                return cj_error_set(err, ENOMEM, "validation: out of memory");
        }

        if (rules_only) {
                c.current = "rule";
                cj_rules_apply(&c, &cmd);
        } else
                argv_check(&c, &cmd, 0);
        c.current = "rule";
        cj_rules_finish(&c);
        ctx_free(&c);
        return finish(&c, true, out, err);
}

int cj_validate_argv(char *const *argv, const cj_profile *profile, cj_validation *out, cj_error *err) {
        return validate_argv(argv, profile, false, out, err);
}

int cj_validate_argv_rules(char *const *argv, const cj_profile *profile, cj_validation *out, cj_error *err) {
        return validate_argv(argv, profile, true, out, err);
}
