/* SPDX-License-Identifier: MIT */
/* Child parsers for bodies bash itself defers (backticks, `$((` that is not
 * arithmetic): a failure there is not a syntax error of the whole command,
 * only "unparsed" (the caller flags the word SH_WORD_UNPARSED). */
#include <errno.h>
#include <string.h>

#include "internal.h"

sh_node *sh_parse_sub(sh_parser *p, const char *text, size_t len, size_t start, size_t end, bool exact,
                      bool *unparsed) {
        *unparsed = false;
        if (sh_enter(p, start) < 0)
                return NULL;
        sh_syntax_error serr = { 0 };
        sh_parser c = {
                .ar = p->ar,
                .ast = p->ast,
                .lim = p->lim,
                .mem_max = p->mem_max,
                .depth = p->depth,
                .serr = &serr,
        };
        if (exact) {
                c.s = p->s;
                c.pos = start;
                c.len = end;
                c.base = p->base;
                c.collapse = p->collapse;
                c.cspan = p->cspan;
        } else {
                c.s = text;
                c.pos = 0;
                c.len = len;
                c.collapse = true;
                c.cspan = sh_mkspan(p, start, end);
        }
        sh_node *list = sh_parse_list(&c);
        if (!c.err) {
                const sh_tok *t = sh_peek(&c, 0);
                if (t->type != T_EOF)
                        sh_syntax_tok(&c, t);
        }
        if (!c.err && c.nhd > 0)
                sh_heredoc_read_pending(&c);
        sh_leave(p);
        if (c.err == -EINVAL) {
                *unparsed = true;
                return NULL;
        }
        if (c.err) {
                /* Limits and ENOMEM are fatal for the whole parse. */
                if (c.err == -E2BIG)
                        sh_limit(p, start, serr.message, 0);
                else
                        sh_nomem(p);
                return NULL;
        }
        return list;
}
