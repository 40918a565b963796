/* SPDX-License-Identifier: MIT */
#pragma once

/* Private helpers shared by words.c, word.c and param.c. */

#include "internal.h"

typedef struct sh_pvec {
        sh_part *v;
        uint32_t n, cap;
} sh_pvec;

/* Append a zeroed part (counted against max_nodes); NULL with p->err set. */
sh_part *sh_pv_push(sh_parser *p, sh_pvec *pv, sh_part_kind kind, size_t start);
void sh_flush_lit(sh_parser *p, sh_pvec *pv, size_t *lit, size_t end, uint32_t pflags, uint32_t *flags);
sh_word *sh_make_word(sh_parser *p, const sh_pvec *pv, size_t start, size_t end, uint32_t flags);
/* p->pos at '$'; false without error when the '$' is literal. */
bool sh_lex_dollar(sh_parser *p, sh_pvec *pv, uint32_t pflags, uint32_t *flags);
/* Body of "..." (term '"') or here-doc (term 0); p->pos ends at the terminator. */
bool sh_lex_dq(sh_parser *p, sh_pvec *pv, char term, uint32_t *flags);
bool sh_lex_backtick(sh_parser *p, sh_pvec *pv, uint32_t pflags, uint32_t *flags);
/* p->pos at '<' or '>' of <( / >( */
bool sh_lex_procsubst(sh_parser *p, sh_pvec *pv, uint32_t *flags);
/* p->pos just after "${"; start = position of '$'. */
bool sh_lex_param_braced(sh_parser *p, sh_pvec *pv, size_t start, uint32_t pflags, uint32_t *flags);
