/* SPDX-License-Identifier: MIT */
/*
 * arithmetic: bash evaluates arithmetic recursively, and an array subscript
 * inside a runtime value runs command substitutions: with x='a[$(id)]',
 * `(( x ))`, `$(( $x ))`, `[[ $x -eq 1 ]]`, `declare -i n=$x` and `${a[$x]}`
 * all run `id`.  A literal subscript holding $( ) given to a builtin that
 * takes variable names (`unset 'a[$(id)]'`, `read`, `printf -v`, `[[ -v ]]`)
 * runs it too.  Expressions over literals and bare names are fine.
 */
#include <string.h>

#include "internal.h"

#define RUNTIME (SH_WORD_PARAM | SH_WORD_CMDSUBST | SH_WORD_UNPARSED)

static void flag_expr(cj_vctx *c, const sh_word *w, const char *where) {
        if (w && (w->flags & RUNTIME))
                cj_report(c, CJ_VERDICT_ASK, w->span.off, w->span.len,
                          "%s evaluates a runtime value as arithmetic (array subscripts in it run commands)", where);
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
        default:
                break;
        }
}

static void arith_part(cj_vctx *c, const sh_part *p, const sh_word *w, const sh_cmd_ctx *where) {
        if (p->kind == SH_PART_ARITH)
                flag_expr(c, p->expr, "$(( ))");
        else if (p->kind == SH_PART_PARAM && p->param && p->param->subscript)
                flag_expr(c, p->param->subscript, "an array subscript");
}

/* Builtins whose operands are variable names: a literal "a[...$(...)...]" runs. */
static const char *const name_taking[] = { "unset", "read", "printf", "declare", "typeset", "local", "export",
                                           "readonly", "let", "mapfile", "readarray", "wait", "test", "[", NULL };

static void arith_cmd(cj_vctx *c, const sh_cmd *cmd) {
        const char *n = cj_cmd_name(cmd);
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
        }
}

const cj_validator cj_v_arithmetic = {
        .name = "arithmetic",
        .owns = "arithmetic evaluation of runtime strings: (( )), $(( )), [[ -eq ]], let, declare -i, subscripts",
        .cmd = arith_cmd,
        .node = arith_node,
        .part = arith_part,
};
