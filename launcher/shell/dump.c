/* SPDX-License-Identifier: MIT */
/* S-expression dump of an AST: the shape unit tests assert on.  Recursion is
 * bounded by the parse depth limit. */
#include <errno.h>

#include "shell.h"

static void str(FILE *f, const char *s, size_t n) {
        fputc('"', f);
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];
                if (c == '"' || c == '\\')
                        fprintf(f, "\\%c", c);
                else if (c == '\n')
                        fputs("\\n", f);
                else if (c == '\t')
                        fputs("\\t", f);
                else if (c < 0x20 || c == 0x7f)
                        fprintf(f, "\\x%02x", c);
                else
                        fputc(c, f);
        }
        fputc('"', f);
}

static void cstr(FILE *f, const char *s) {
        str(f, s, s ? __builtin_strlen(s) : 0);
}

static void node(FILE *f, const sh_node *n);
static void word(FILE *f, const sh_word *w);

static const char *const param_ops[] = {
        [SH_PARAM_PLAIN] = NULL, [SH_PARAM_DEFAULT] = "-", [SH_PARAM_ASSIGN] = "=", [SH_PARAM_ERROR] = "?",
        [SH_PARAM_ALTERNATE] = "+", [SH_PARAM_TRIM_PREFIX] = "#", [SH_PARAM_TRIM_PREFIX_LONG] = "##",
        [SH_PARAM_TRIM_SUFFIX] = "%", [SH_PARAM_TRIM_SUFFIX_LONG] = "%%", [SH_PARAM_REPLACE] = "/",
        [SH_PARAM_REPLACE_ALL] = "//", [SH_PARAM_REPLACE_PREFIX] = "/#", [SH_PARAM_REPLACE_SUFFIX] = "/%",
        [SH_PARAM_UPPER_FIRST] = "^", [SH_PARAM_UPPER_ALL] = "^^", [SH_PARAM_LOWER_FIRST] = ",",
        [SH_PARAM_LOWER_ALL] = ",,", [SH_PARAM_SUBSTRING] = ":", [SH_PARAM_TRANSFORM] = "@",
        [SH_PARAM_LENGTH] = "length", [SH_PARAM_NAMES] = "names", [SH_PARAM_KEYS] = "keys",
        [SH_PARAM_INVALID] = "invalid",
};

static void parts(FILE *f, const sh_part *v, uint32_t n);

static void sub(FILE *f, const char *tag, const sh_node *s) {
        fprintf(f, "(%s ", tag);
        if (s)
                node(f, s);
        else
                fputs("unparsed", f);
        fputc(')', f);
}

static void part(FILE *f, const sh_part *p) {
        switch (p->kind) {
        case SH_PART_LITERAL: str(f, p->text, p->text_len); break;
        case SH_PART_SQUOTE: fputs("(sq ", f); str(f, p->text, p->text_len); fputc(')', f); break;
        case SH_PART_DQUOTE: fputs("(dq", f); parts(f, p->parts, p->nparts); fputc(')', f); break;
        case SH_PART_ANSI_C: fputs("(ansi ", f); str(f, p->text, p->text_len); fputc(')', f); break;
        case SH_PART_LOCALE: fputs("(locale", f); parts(f, p->parts, p->nparts); fputc(')', f); break;
        case SH_PART_ESCAPE: fputs("(esc ", f); str(f, p->text, p->text_len); fputc(')', f); break;
        case SH_PART_TILDE: fputs("(tilde ", f); str(f, p->text, p->text_len); fputc(')', f); break;
        case SH_PART_EXTGLOB: fputs("(extglob ", f); str(f, p->text, p->text_len); fputc(')', f); break;
        case SH_PART_CMDSUBST: sub(f, "cmdsub", p->sub); break;
        case SH_PART_BACKTICK: sub(f, "bq", p->sub); break;
        case SH_PART_PROCSUBST_IN: sub(f, "psub<", p->sub); break;
        case SH_PART_PROCSUBST_OUT: sub(f, "psub>", p->sub); break;
        case SH_PART_ARITH: fputs("(arith ", f); word(f, p->expr); fputc(')', f); break;
        case SH_PART_PARAM: {
                const sh_param *pa = p->param;
                fputs("(param ", f);
                if (pa->flags & SH_PARAM_INDIRECT)
                        fputs("! ", f);
                cstr(f, pa->name);
                if (pa->subscript) {
                        fputs(" (sub ", f);
                        word(f, pa->subscript);
                        fputc(')', f);
                }
                if (param_ops[pa->op]) {
                        fprintf(f, " %s%s", (pa->flags & SH_PARAM_COLON) ? ":" : "", param_ops[pa->op]);
                        if (pa->op == SH_PARAM_TRANSFORM)
                                fputc(pa->transform, f);
                }
                if (pa->arg) {
                        fputc(' ', f);
                        word(f, pa->arg);
                }
                if (pa->arg2) {
                        fputc(' ', f);
                        word(f, pa->arg2);
                }
                fputc(')', f);
                break;
        }
        }
}

static void parts(FILE *f, const sh_part *v, uint32_t n) {
        for (uint32_t i = 0; i < n; i++) {
                fputc(' ', f);
                part(f, &v[i]);
        }
}

static void word(FILE *f, const sh_word *w) {
        fputs("(w", f);
        if (w)
                parts(f, w->parts, w->nparts);
        fputc(')', f);
}

static const char *const redir_ops[] = {
        [SH_REDIR_IN] = "<", [SH_REDIR_OUT] = ">", [SH_REDIR_APPEND] = ">>", [SH_REDIR_CLOBBER] = ">|",
        [SH_REDIR_RDWR] = "<>", [SH_REDIR_OUT_ERR] = "&>", [SH_REDIR_APPEND_ERR] = "&>>",
        [SH_REDIR_DUP_OUT] = ">&", [SH_REDIR_DUP_IN] = "<&", [SH_REDIR_HEREDOC] = "<<",
        [SH_REDIR_HEREDOC_STRIP] = "<<-", [SH_REDIR_HERESTRING] = "<<<",
};

static void redirs(FILE *f, const sh_node *n) {
        for (uint32_t i = 0; i < n->nredirs; i++) {
                const sh_redir *r = &n->redirs[i];
                fprintf(f, " (redir %s", redir_ops[r->op]);
                if (r->fd >= 0)
                        fprintf(f, " %d", r->fd);
                if (r->fd_var)
                        fprintf(f, " {%s}", r->fd_var);
                fputc(' ', f);
                word(f, r->target);
                if (r->heredoc) {
                        fprintf(f, " (body%s ", r->heredoc->quoted ? " quoted" : "");
                        str(f, r->heredoc->body, r->heredoc->body_len);
                        if (r->heredoc->body_word) {
                                fputc(' ', f);
                                word(f, r->heredoc->body_word);
                        }
                        fputc(')', f);
                }
                fputc(')', f);
        }
}

static void cond(FILE *f, const sh_cond_expr *e) {
        switch (e->kind) {
        case SH_COND_AND: fputs("(and ", f); cond(f, e->left); fputc(' ', f); cond(f, e->right); break;
        case SH_COND_OR: fputs("(or ", f); cond(f, e->left); fputc(' ', f); cond(f, e->right); break;
        case SH_COND_NOT: fputs("(not ", f); cond(f, e->left); break;
        case SH_COND_GROUP: fputs("(paren ", f); cond(f, e->left); break;
        case SH_COND_UNARY: fprintf(f, "(unary %s ", e->op); word(f, e->arg1); break;
        case SH_COND_BINARY:
                fprintf(f, "(binary %s ", e->op);
                word(f, e->arg1);
                fputc(' ', f);
                word(f, e->arg2);
                break;
        case SH_COND_WORD: fputs("(word ", f); word(f, e->arg1); break;
        }
        fputc(')', f);
}

static const char *const list_ops[] = { [SH_OP_END] = NULL, [SH_OP_SEMI] = ";", [SH_OP_AMP] = "&",
                                        [SH_OP_NEWLINE] = "nl", [SH_OP_AND] = "&&", [SH_OP_OR] = "||" };

static void list(FILE *f, const sh_node *n) {
        fputs("(list", f);
        for (uint32_t i = 0; i < n->list.n; i++) {
                fputc(' ', f);
                node(f, n->list.items[i].node);
                if (list_ops[n->list.items[i].op])
                        fprintf(f, " %s", list_ops[n->list.items[i].op]);
        }
}

static void node(FILE *f, const sh_node *n) {
        switch (n->kind) {
        case SH_NODE_LIST: list(f, n); break;
        case SH_NODE_PIPELINE:
                fputs("(pipe", f);
                if (n->pipe.timed)
                        fputs(n->pipe.time_posix ? " time-p" : " time", f);
                if (n->pipe.bang)
                        fputs(" !", f);
                for (uint32_t i = 0; i < n->pipe.n; i++) {
                        fputc(' ', f);
                        node(f, n->pipe.elems[i].node);
                        if (i + 1 < n->pipe.n)
                                fputs(n->pipe.elems[i].pipe_stderr ? " |&" : " |", f);
                }
                break;
        case SH_NODE_SIMPLE:
                fputs("(simple", f);
                for (uint32_t i = 0; i < n->simple.nassigns; i++) {
                        const sh_assign *a = &n->simple.assigns[i];
                        fputs(" (assign ", f);
                        cstr(f, a->name);
                        if (a->subscript) {
                                fputs(" (sub ", f);
                                word(f, a->subscript);
                                fputc(')', f);
                        }
                        fputs(a->append ? " +=" : " =", f);
                        if (a->array) {
                                fputs(" (array", f);
                                for (uint32_t k = 0; k < a->nelems; k++) {
                                        fputc(' ', f);
                                        word(f, &a->elems[k]);
                                }
                                fputc(')', f);
                        } else {
                                fputc(' ', f);
                                word(f, a->value);
                        }
                        fputc(')', f);
                }
                for (uint32_t i = 0; i < n->simple.nwords; i++) {
                        fputc(' ', f);
                        word(f, &n->simple.words[i]);
                }
                break;
        case SH_NODE_SUBSHELL: fputs("(subshell ", f); node(f, n->group.body); break;
        case SH_NODE_GROUP: fputs("(group ", f); node(f, n->group.body); break;
        case SH_NODE_IF:
                fputs(n->if_.is_elif ? "(elif " : "(if ", f);
                node(f, n->if_.cond);
                fputc(' ', f);
                node(f, n->if_.then_);
                if (n->if_.else_) {
                        fputc(' ', f);
                        node(f, n->if_.else_);
                }
                break;
        case SH_NODE_WHILE:
        case SH_NODE_UNTIL:
                fputs(n->kind == SH_NODE_WHILE ? "(while " : "(until ", f);
                node(f, n->loop.cond);
                fputc(' ', f);
                node(f, n->loop.body);
                break;
        case SH_NODE_FOR:
        case SH_NODE_SELECT:
                fputs(n->kind == SH_NODE_FOR ? "(for " : "(select ", f);
                cstr(f, n->for_.var);
                if (n->for_.has_in) {
                        fputs(" (in", f);
                        for (uint32_t i = 0; i < n->for_.nwords; i++) {
                                fputc(' ', f);
                                word(f, &n->for_.words[i]);
                        }
                        fputc(')', f);
                }
                fputc(' ', f);
                node(f, n->for_.body);
                break;
        case SH_NODE_ARITH_FOR:
                fputs("(arith-for ", f);
                word(f, n->arith_for.init);
                fputc(' ', f);
                word(f, n->arith_for.cond);
                fputc(' ', f);
                word(f, n->arith_for.step);
                fputc(' ', f);
                node(f, n->arith_for.body);
                break;
        case SH_NODE_CASE:
                fputs("(case ", f);
                word(f, n->case_.word);
                for (uint32_t i = 0; i < n->case_.nitems; i++) {
                        const sh_case_item *it = &n->case_.items[i];
                        fputs(" (item (", f);
                        for (uint32_t k = 0; k < it->npatterns; k++) {
                                if (k)
                                        fputc(' ', f);
                                word(f, &it->patterns[k]);
                        }
                        fputs(") ", f);
                        node(f, it->body);
                        fputs(it->term == SH_CASE_BREAK ? " ;;)" : it->term == SH_CASE_FALLTHROUGH ? " ;&)" : " ;;&)", f);
                }
                break;
        case SH_NODE_FUNCDEF:
                fputs("(func ", f);
                cstr(f, n->func.name);
                fputc(' ', f);
                node(f, n->func.body);
                break;
        case SH_NODE_COND: fputs("(cond ", f); cond(f, n->cond.expr); break;
        case SH_NODE_ARITH: fputs("(arith ", f); word(f, n->arith.expr); break;
        case SH_NODE_COPROC:
                fputs("(coproc ", f);
                if (n->coproc.name)
                        cstr(f, n->coproc.name);
                else
                        fputc('-', f);
                fputc(' ', f);
                node(f, n->coproc.body);
                break;
        }
        redirs(f, n);
        fputc(')', f);
}

int sh_node_dump(const sh_node *n, FILE *f) {
        if (!n || !f)
                return -EINVAL;
        node(f, n);
        return ferror(f) ? -EIO : 0;
}

int sh_word_dump(const sh_word *w, FILE *f) {
        if (!w || !f)
                return -EINVAL;
        word(f, w);
        return ferror(f) ? -EIO : 0;
}

int sh_ast_dump(const sh_ast *ast, FILE *f) {
        if (!ast || !f)
                return -EINVAL;
        node(f, ast->root);
        fputc('\n', f);
        return ferror(f) ? -EIO : 0;
}
