/* SPDX-License-Identifier: MIT */
/*
 * smuggling: a second command hidden after a newline (a reviewer, or a UI that
 * shows one line, sees only the first), and backslash-newline inside a word
 * (r\<newline>m reads as two fragments but runs as `rm`).
 */
#include "internal.h"

static void smuggling_node(cj_vctx *c, const sh_node *n, const sh_cmd_ctx *where) {
        if (n->kind != SH_NODE_LIST || !c->ast || n != c->ast->root)
                return;
        for (uint32_t i = 0; i + 1 < n->list.n; i++) {
                if (n->list.items[i].op != SH_OP_NEWLINE)
                        continue;
                const sh_node *next = n->list.items[i + 1].node;
                cj_report(c, CJ_VERDICT_ASK, next->span.off, next->span.len,
                          "a newline starts another top-level command here; only the first line may have been "
                          "reviewed");
                return; /* one is enough to require a look at the whole text */
        }
}

static void smuggling_word(cj_vctx *c, const sh_word *w, const sh_cmd_ctx *where) {
        if (w->flags & SH_WORD_LINE_CONT)
                cj_report(c, CJ_VERDICT_ASK, w->span.off, w->span.len,
                          "backslash-newline inside a word joins text across lines");
}

const cj_validator cj_v_smuggling = {
        .name = "smuggling",
        .owns = "newline-separated second commands and backslash-newline inside words",
        .node = smuggling_node,
        .word = smuggling_word,
};
