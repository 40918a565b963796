/* SPDX-License-Identifier: MIT */
/*
 * arithmetic: bash evaluates arithmetic recursively, and an array subscript
 * inside a runtime value runs command substitutions: with x='a[$(id)]',
 * `(( x ))`, `$(( $x ))`, `[[ $x -eq 1 ]]`, `declare -i n=$x` and `${a[$x]}`
 * all run `id`.  A literal subscript holding $( ) given to a builtin that
 * takes variable names (`unset 'a[$(id)]'`, `read`, `printf -v`, `[[ -v ]]`)
 * runs it too.
 *
 * A bare name is no safer than `$x`: bash evaluates a variable's VALUE as an
 * expression, recursively, so x='a[$(id)]'; `$((x))`, `((x))`, `$[x]`,
 * `[[ x -eq 0 ]]`, `${a[x]}`, `a[x]=1`, `${s:x}` and `${!x}` all run `id`.
 * The validator gathers every name the command (or the request's env)
 * assigns -- statically, or at runtime (substitutions, read, mapfile, globbed
 * loop words) -- and every name arithmetic evaluates; at the end a name is
 * tainted when one of its values is runtime text, holds a subscript with `$`
 * or a backquote, or names a tainted variable, and each evaluation of a
 * tainted name is `ask`.  Names the command never assigns come from the
 * profile's environment.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util/cleanup.h"

#define RUNTIME (SH_WORD_PARAM | SH_WORD_CMDSUBST | SH_WORD_UNPARSED)

static bool ident_start(char ch) {
        return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool ident_char(char ch) {
        return ident_start(ch) || (ch >= '0' && ch <= '9');
}

/* Record every variable name text[0..len) evaluates as arithmetic at span.
 * Numbers (0x1f, 16#ff) are skipped whole. */
static void note_uses(cj_vctx *c, const char *text, size_t len, sh_span span) {
        for (size_t i = 0; i < len;) {
                if (ident_char(text[i]) && !ident_start(text[i])) {
                        while (i < len && (ident_char(text[i]) || text[i] == '#' || text[i] == '@'))
                                i++;
                        continue;
                }
                if (!ident_start(text[i])) {
                        i++;
                        continue;
                }
                size_t b = i;
                while (i < len && ident_char(text[i]))
                        i++;
                char name[128];
                if (i - b < sizeof name) {
                        memcpy(name, text + b, i - b);
                        name[i - b] = '\0';
                        if (cj_vstrs_add(&c->arith_uses, name, span) < 0)
                                c->oom = -ENOMEM;
                }
        }
}

/* Only $# $? $$ $! ${#x}: always numbers, nothing to inject. */
static bool numeric_specials_only(const sh_word *w) {
        if (!w->raw || (w->flags & (SH_WORD_CMDSUBST | SH_WORD_UNPARSED)))
                return false;
        for (size_t i = 0; i < w->raw_len; i++) {
                if (w->raw[i] == '`')
                        return false;
                if (w->raw[i] != '$')
                        continue;
                char n = i + 1 < w->raw_len ? w->raw[i + 1] : '\0';
                if (n == '#' || n == '?' || n == '$' || n == '!')
                        i++;
                else if (n == '{' && i + 2 < w->raw_len && w->raw[i + 2] == '#')
                        i += 2;
                else
                        return false;
        }
        return true;
}

/* A runtime value evaluated as arithmetic runs the substitutions its
 * subscripts hold -- text the command or the workspace put there: execution
 * the rules cannot see, so an allowlist profile asks and a default-allow one
 * leaves it to the sandbox (docs/validators.md).  A value the command
 * visibly sets to a subscript with a substitution (x='a[$(id)]') asks under
 * every profile (arith_finish): the text reads as data and runs. */
static void flag_expr(cj_vctx *c, const sh_word *w, const char *where) {
        if (!w)
                return;
        if ((w->flags & RUNTIME) && cj_allowlist(c) && !numeric_specials_only(w))
                cj_report(c, CJ_VERDICT_ASK, w->span.off, w->span.len,
                          "%s evaluates a runtime value as arithmetic (array subscripts in it run commands)", where);
        if (w->raw)
                note_uses(c, w->raw, w->raw_len, w->span);
}

/* A value that runs commands when evaluated: a subscript with `$` or a backquote in it. */
static bool risky_value(const char *v) {
        const char *br = strchr(v, '[');
        return br && strpbrk(br, "$`");
}

static void note_assign(cj_vctx *c, const char *name, size_t nlen, const char *value, bool runtime, sh_span span) {
        char n[128];
        if (nlen == 0 || nlen >= sizeof n)
                return;
        memcpy(n, name, nlen);
        n[nlen] = '\0';
        char *br = strchr(n, '[');
        if (br)
                *br = '\0';
        size_t l = strlen(n);
        if (l && n[l - 1] == '+')
                n[l - 1] = '\0';
        int r;
        if (runtime) {
                r = cj_vstrs_add(&c->arith_runtime, n, span);
        } else {
                char *kv = NULL;
                if (asprintf(&kv, "%s=%s", n, value ? value : "") < 0) {
                        c->oom = -ENOMEM;
                        return;
                }
                r = cj_vstrs_add(&c->arith_static, kv, span);
                free(kv);
        }
        if (r < 0)
                c->oom = -ENOMEM;
}

/* Runtime text, not just a number: an arithmetic expansion alone yields digits. */
static bool runtime_text(uint32_t word_flags) {
        return (word_flags & SH_WORD_DYNAMIC) & ~(uint32_t) SH_WORD_ARITH;
}

static bool is_arith_op(const char *op) {
        static const char *const ops[] = { "-eq", "-ne", "-lt", "-le", "-gt", "-ge", NULL };
        return op && cj_name_in(op, ops);
}

static void cond_walk(cj_vctx *c, const sh_cond_expr *e, unsigned depth) {
        if (!e || depth > 256)
                return;
        if (e->kind == SH_COND_BINARY && is_arith_op(e->op)) {
                flag_expr(c, e->arg1, "[[ ... -eq ... ]]");
                flag_expr(c, e->arg2, "[[ ... -eq ... ]]");
        }
        if (e->kind == SH_COND_UNARY && e->op && strcmp(e->op, "-v") == 0 && e->arg1 && e->arg1->raw &&
            memchr(e->arg1->raw, '[', e->arg1->raw_len) && memchr(e->arg1->raw, '$', e->arg1->raw_len))
                cj_report(c, CJ_VERDICT_ASK, e->arg1->span.off, e->arg1->span.len,
                          "[[ -v ]] evaluates the subscript, running substitutions in it");
        cond_walk(c, e->left, depth + 1);
        cond_walk(c, e->right, depth + 1);
}

static void arith_node(cj_vctx *c, const sh_node *n, const sh_cmd_ctx *where) {
        switch (n->kind) {
        case SH_NODE_ARITH:
                flag_expr(c, n->arith.expr, "(( ))");
                break;
        case SH_NODE_ARITH_FOR:
                flag_expr(c, n->arith_for.init, "for (( ))");
                flag_expr(c, n->arith_for.cond, "for (( ))");
                flag_expr(c, n->arith_for.step, "for (( ))");
                break;
        case SH_NODE_COND:
                cond_walk(c, n->cond.expr, 0);
                break;
        case SH_NODE_FOR:
        case SH_NODE_SELECT:
                if (!n->for_.var)
                        break;
                if (!n->for_.has_in) /* "$@": runtime */
                        note_assign(c, n->for_.var, strlen(n->for_.var), NULL, true, n->for_.var_span);
                for (uint32_t i = 0; i < n->for_.nwords; i++) {
                        const sh_word *w = &n->for_.words[i];
                        bool runtime = runtime_text(w->flags) || (w->flags & SH_WORD_GLOB);
                        _cleanup_free_ char *raw = w->raw ? strndup(w->raw, w->raw_len) : NULL;
                        note_assign(c, n->for_.var, strlen(n->for_.var), raw ? raw : "", runtime, w->span);
                }
                break;
        default:
                break;
        }
}

static void arith_part(cj_vctx *c, const sh_part *p, const sh_word *w, const sh_cmd_ctx *where) {
        if (p->kind == SH_PART_ARITH) {
                flag_expr(c, p->expr, "$(( ))");
                return;
        }
        if (p->kind != SH_PART_PARAM || !p->param)
                return;
        const sh_param *pa = p->param;
        if (pa->subscript)
                flag_expr(c, pa->subscript, "an array subscript");
        if (pa->op == SH_PARAM_SUBSTRING) {
                flag_expr(c, pa->arg, "a substring offset");
                flag_expr(c, pa->arg2, "a substring length");
        }
        /* ${!x}: x's value is a parameter name, its subscript evaluated */
        if ((pa->flags & SH_PARAM_INDIRECT) && pa->op != SH_PARAM_NAMES && pa->op != SH_PARAM_KEYS && pa->name &&
            ident_start(pa->name[0]))
                note_uses(c, pa->name, strlen(pa->name), w ? w->span : (sh_span) { 0, 0 });
}

/* Builtins whose operands are variable names: a literal "a[...$(...)...]" runs. */
static const char *const name_taking[] = { "unset", "read", "printf", "declare", "typeset", "local", "export",
                                           "readonly", "let", "mapfile", "readarray", "wait", "test", "[", NULL };

static void note_cmd_assigns(cj_vctx *c, const sh_cmd *cmd) {
        for (size_t i = 0; i < cmd->nassigns; i++) {
                const sh_cmd_assign *ca = &cmd->assigns[i];
                const sh_assign *a = ca->assign;
                bool runtime = (ca->flags & SH_ARG_DYNAMIC) &&
                               (!a || !a->value || a->array || runtime_text(a->value->flags));
                note_assign(c, ca->name, strlen(ca->name), ca->value, runtime, ca->span);
        }
        if (cmd->argc < 2)
                return;
        static const char *const decl[] = { "export", "declare", "typeset", "local", "readonly", NULL };
        if (cj_name_in(cj_cmd_name(cmd), decl)) {
                for (size_t i = 1; i < cmd->argc; i++) {
                        const sh_arg *a = &cmd->argv[i];
                        const char *eq = strchr(a->value, '=');
                        if (a->value[0] != '-' && eq)
                                note_assign(c, a->value, (size_t) (eq - a->value), eq + 1,
                                            (a->flags & SH_ARG_DYNAMIC) && runtime_text(a->word_flags), a->span);
                }
                return;
        }
        cj_assigned_names names;
        cj_cmd_assigned_names(cmd, &names);
        for (size_t i = 0; i < names.n; i++)
                note_assign(c, names.name[i], strlen(names.name[i]), NULL, true, cmd->argv[names.argi[i]].span);
}

static void arith_cmd(cj_vctx *c, const sh_cmd *cmd) {
        const char *n = cj_cmd_name(cmd);
        note_cmd_assigns(c, cmd);
        for (size_t i = 0; i < cmd->nassigns; i++) {
                const sh_assign *a = cmd->assigns[i].assign;
                if (a && a->subscript)
                        flag_expr(c, a->subscript, "an array subscript");
        }
        if (cmd->argc < 2 || !cj_name_in(n, name_taking))
                return;
        bool let = strcmp(n, "let") == 0, integer = false;
        for (size_t i = 1; i < cmd->argc; i++) {
                const sh_arg *a = &cmd->argv[i];
                const char *v = a->value;
                if (v[0] == '-' && strchr(v, 'i') && strcmp(n, "read") != 0 && strcmp(n, "test") != 0)
                        integer = true;
                const char *br = strchr(v, '[');
                if (br && (strstr(br, "$(") || strchr(br, '`')))
                        cj_report(c, CJ_VERDICT_ASK, a->span.off, a->span.len,
                                  "`%s` evaluates the subscript of `%s`: the substitution in it runs", n, v);
                else if ((let || (integer && strchr(v, '='))) && (a->flags & SH_ARG_DYNAMIC))
                        cj_report(c, CJ_VERDICT_ASK, a->span.off, a->span.len,
                                  "`%s` evaluates a runtime value as arithmetic", n);
                if (let)
                        note_uses(c, v, strlen(v), a->span);
                else if (integer && strchr(v, '='))
                        note_uses(c, strchr(v, '=') + 1, strlen(strchr(v, '=') + 1), a->span);
        }
}

/* Is name tainted?  Fixpoint over the recorded values (bounded: each round
 * taints at least one more name or stops). */
static bool *taint(cj_vctx *c) {
        size_t n = c->arith_static.n;
        bool *bad = calloc(n + 1, sizeof *bad);
        if (!bad)
                return NULL;
        for (size_t i = 0; i < n; i++)
                bad[i] = risky_value(strchr(c->arith_static.v[i], '=') + 1);
        for (bool changed = true; changed;) {
                changed = false;
                for (size_t i = 0; i < n; i++) {
                        if (bad[i])
                                continue;
                        const char *v = strchr(c->arith_static.v[i], '=') + 1;
                        /* a value naming a tainted variable evaluates it in turn */
                        for (const char *p = v; *p && !bad[i];) {
                                if (!ident_start(*p) || (p > v && ident_char(p[-1]))) {
                                        p++;
                                        continue;
                                }
                                size_t l = 0;
                                while (ident_char(p[l]))
                                        l++;
                                for (size_t j = 0; j < c->arith_runtime.n && !bad[i]; j++)
                                        bad[i] = strlen(c->arith_runtime.v[j]) == l && !strncmp(p, c->arith_runtime.v[j], l);
                                for (size_t j = 0; j < n && !bad[i]; j++)
                                        bad[i] = bad[j] && !strncmp(p, c->arith_static.v[j], l) &&
                                                 c->arith_static.v[j][l] == '=';
                                p += l;
                        }
                        changed |= bad[i];
                }
        }
        return bad;
}

static void arith_finish(cj_vctx *c) {
        if (c->arith_uses.n == 0 || (c->arith_static.n == 0 && c->arith_runtime.n == 0))
                return;
        _cleanup_free_ bool *bad = taint(c);
        if (!bad) {
                c->oom = -ENOMEM;
                return;
        }
        for (size_t u = 0; u < c->arith_uses.n; u++) {
                const char *name = c->arith_uses.v[u];
                size_t l = strlen(name);
                const char *why = NULL;
                for (size_t j = 0; j < c->arith_runtime.n && !why && cj_allowlist(c); j++)
                        if (strcmp(c->arith_runtime.v[j], name) == 0)
                                why = "is set at runtime";
                for (size_t j = 0; j < c->arith_static.n && !why; j++)
                        if (bad[j] && !strncmp(c->arith_static.v[j], name, l) && c->arith_static.v[j][l] == '=')
                                why = "holds an array subscript with a substitution";
                if (why)
                        cj_report(c, CJ_VERDICT_ASK, c->arith_uses.spans[u].off, c->arith_uses.spans[u].len,
                                  "arithmetic evaluates `%s`, whose value %s (a subscript in it runs commands)", name,
                                  why);
        }
}

const cj_validator cj_v_arithmetic = {
        .name = "arithmetic",
        .owns = "arithmetic evaluation of runtime strings: (( )), $(( )), [[ -eq ]], let, declare -i, subscripts",
        .cmd = arith_cmd,
        .node = arith_node,
        .part = arith_part,
        .finish = arith_finish,
};
