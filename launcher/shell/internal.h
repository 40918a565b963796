/* SPDX-License-Identifier: MIT */
#pragma once

/* Private to launcher/shell: the parser state shared by the lexer
 * (lexer.c, words.c, heredoc.c) and the grammar (parser.c, cond.c). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "shell.h"

typedef enum sh_tok_type {
        T_EOF,
        T_WORD,
        T_NL,
        T_SEMI,      /* ;   */
        T_AMP,       /* &   */
        T_AND,       /* &&  */
        T_OR,        /* ||  */
        T_PIPE,      /* |   */
        T_PIPEAMP,   /* |&  */
        T_DSEMI,     /* ;;  */
        T_SEMIAMP,   /* ;&  */
        T_DSEMIAMP,  /* ;;& */
        T_LP,        /* (   */
        T_RP,        /* )   */
        T_REDIR,     /* any redirection operator, with its fd / {var} prefix */
        T_DLP,       /* (( ... )) arithmetic command, already lexed into word */
} sh_tok_type;

/* Lexer modes (bits). */
#define LX_CMD    (1u << 0) /* command position: `((` is arithmetic, `NAME=` an assignment */
#define LX_ASSIGN (1u << 1) /* NAME=( ... ) compound assignment allowed (prefix, declare args) */
#define LX_COND   (1u << 2) /* inside [[ ]]: extglob patterns, no redirections */
#define LX_REGEX  (1u << 3) /* right of =~: ( ) | are part of the word */

typedef struct sh_tok {
        sh_tok_type type;
        size_t start, end;   /* local positions */
        sh_word *word;       /* T_WORD, T_DLP */
        bool assign;         /* T_WORD looks like an assignment (NAME=, NAME+=, NAME[..]=) */
        uint32_t nelems;     /* compound assignment elements */
        sh_word *elems;
        sh_redir_op rop;     /* T_REDIR */
        int fd;
        const char *fd_var;
} sh_tok;

typedef struct sh_parser {
        const char *s;       /* text being lexed: the source, or an unescaped backtick body */
        size_t len, pos;
        sh_arena *ar;
        sh_ast *ast;
        sh_limits lim;
        size_t mem_max;      /* arena budget: SH_MEM_PER_BYTE * input + SH_MEM_SLACK */
        unsigned depth;
        /* Map local positions to spans of the original source. */
        uint32_t base;
        bool collapse;       /* every span becomes cspan (text is not a copy of the source) */
        sh_span cspan;
        /* Here-documents whose body starts after the next newline token. */
        sh_redir **hd;
        size_t nhd, hdcap;
        /* One token of lookahead. */
        bool have;
        unsigned have_mode;
        size_t prev_end;     /* end of the last consumed token */
        sh_tok tok;
        /* First error wins. */
        int err;
        sh_syntax_error *serr;
} sh_parser;

/* ---- lexer.c ---- */
sh_span sh_mkspan(const sh_parser *p, size_t start, size_t end);
/* Peek / consume a token lexed in mode. */
const sh_tok *sh_peek(sh_parser *p, unsigned mode);
void sh_consume(sh_parser *p);
/* Report a syntax error at local position pos (token text tok, NULL = EOF). */
void sh_syntax(sh_parser *p, size_t pos, size_t len, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void sh_syntax_tok(sh_parser *p, const sh_tok *t);
int sh_limit(sh_parser *p, size_t pos, const char *what, size_t max);
int sh_nomem(sh_parser *p);
/* Count an AST object against max_nodes; <0 when over. */
int sh_count(sh_parser *p, size_t pos);
int sh_enter(sh_parser *p, size_t pos); /* depth++ with limit check */
void sh_leave(sh_parser *p);
/* Skip backslash-newline pairs at p->pos. */
void sh_skip_cont(sh_parser *p);
bool sh_word_is(const sh_word *w, const char *lit);
bool sh_tok_is(const sh_tok *t, const char *lit);
/* A copy of a word token's source text in the arena; NULL (with the parser's
 * out-of-memory error set) if the arena is exhausted. */
char *sh_tok_text(sh_parser *p, const sh_tok *t);

/* ---- words.c ---- */
/* Lex one word at p->pos (caller checked it starts a word). */
sh_word *sh_lex_word(sh_parser *p, unsigned mode, bool *is_assign, sh_word **elems, uint32_t *nelems);
/* Lex s[start..end) as a double-quote-like body (here-doc: heredoc=true). */
sh_word *sh_lex_dq_body(sh_parser *p, size_t start, size_t end, bool heredoc);
/* Lex an arithmetic expression s[start..end). */
sh_word *sh_lex_arith(sh_parser *p, size_t start, size_t end);
/* Find the ')' matching the '(' at s[open]; returns its position or (size_t)-1. */
size_t sh_scan_parens(const sh_parser *p, size_t open);

/* ---- subst.c ---- */
/* Parse s[start..end) (or an unescaped copy) as a command list in a child
 * parser.  Returns the list, or NULL with *unparsed set when it does not parse
 * (a bash-deferred body), or NULL with p->err set for limits / ENOMEM. */
sh_node *sh_parse_sub(sh_parser *p, const char *text, size_t len, size_t start, size_t end, bool exact,
                      bool *unparsed);

/* ---- parser.c ---- */
sh_node *sh_parse_list(sh_parser *p);
sh_node *sh_new_node(sh_parser *p, sh_node_kind kind, size_t start);
void sh_end_node(sh_parser *p, sh_node *n, size_t end);

/* ---- heredoc.c ---- */
int sh_heredoc_register(sh_parser *p, sh_redir *r);
int sh_heredoc_read_pending(sh_parser *p);

/* ---- cond.c ---- */
sh_node *sh_parse_cond(sh_parser *p, size_t start);

/* ---- ansi.c ---- */
/* Decode the body of $'...' (between the quotes) into buf (capacity >= len+1
 * bytes suffices: escapes never grow).  Returns decoded length. */
size_t sh_ansi_decode(const char *s, size_t len, char *buf);

#define SH_NPOS ((size_t) -1)

/* The AST may take at most this much arena memory per input byte (plus a
 * fixed slack for small inputs), so peak memory stays under 64x the input
 * even for pathological token soup like "a;a;a;...". */
#define SH_MEM_PER_BYTE 40u
#define SH_MEM_SLACK (2u << 20)

/* ---- parse.c ---- */
/* Parse a runner's command string with spans mapped into the outer source:
 * offset base + i, or every span = *collapse when collapse is not NULL. */
int sh_parse_mapped(const char *src, size_t len, const sh_limits *lim, uint32_t base, const sh_span *collapse,
                    sh_ast **out, cj_error *err);
