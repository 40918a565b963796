/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The strict bash parser: first stage of the validation chain.
 *
 * sh_parse() turns a command string into an AST without executing or
 * expanding anything.  Its verdict (ok / syntax error) is meant to equal what
 * `bash -n` (bash 5.2, extglob off, no aliases) says of the same text; whatever
 * it cannot understand statically is *marked* (word flags, SH_RES_DYNAMIC,
 * SH_UNWRAP_UNRESOLVED), never guessed.  See docs/shell-parser.md.
 *
 * Memory: everything reachable from an sh_ast lives in the ast's arena and is
 * released by sh_ast_free().  All pointers handed to visitors are borrowed and
 * valid only during the callback.
 *
 * Spans: every node, word, part, redirection and assignment carries a byte span
 * (offset, length) into the ORIGINAL string given to sh_parse().  Commands
 * reached through a runner's shell string (`bash -c '...'`) carry spans into
 * the outer string too: exact where the string argument was a plain quoted or
 * unquoted literal, otherwise the span of the whole argument.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/err.h"

/* ---- limits ------------------------------------------------------------ */

#define SH_DEFAULT_MAX_INPUT (8u << 20)     /* bytes of command text */
#define SH_DEFAULT_MAX_DEPTH 200u           /* nesting of compounds, substitutions, quotes */
#define SH_DEFAULT_MAX_NODES (1u << 20)     /* nodes + words + parts + redirections */
#define SH_DEFAULT_MAX_HEREDOCS 1024u       /* here-documents in one input */
#define SH_MAX_UNWRAP_DEPTH 8u              /* runner inside runner (`sudo env bash -c ...`) */
#define SH_MAX_BRACE_WORDS 4096u            /* words one brace expansion may produce */
#define SH_MAX_RESOLVED_LEN (1u << 20)      /* bytes one resolved word may have */

/* Zero in any field means "use the default above". */
typedef struct sh_limits {
        size_t max_input;
        unsigned max_depth;
        size_t max_nodes;
        unsigned max_heredocs;
} sh_limits;

/* ---- spans, forward declarations -------------------------------------- */

typedef struct sh_span {
        uint32_t off; /* byte offset into the original source */
        uint32_t len; /* byte length */
} sh_span;

typedef struct sh_node sh_node;
typedef struct sh_word sh_word;
typedef struct sh_part sh_part;
typedef struct sh_param sh_param;
typedef struct sh_redir sh_redir;
typedef struct sh_heredoc sh_heredoc;
typedef struct sh_cond_expr sh_cond_expr;
typedef struct sh_ast sh_ast;

/* ---- words ------------------------------------------------------------- */

typedef enum sh_part_kind {
        SH_PART_LITERAL,   /* unquoted text, raw source bytes (may hold glob/brace chars) */
        SH_PART_SQUOTE,    /* '...': text = contents */
        SH_PART_DQUOTE,    /* "...": parts = contents (LITERAL/ESCAPE/PARAM/CMDSUBST/BACKTICK/ARITH) */
        SH_PART_ANSI_C,    /* $'...': text = DECODED value (\n \x41 \u20ac \cA \101 ...) */
        SH_PART_LOCALE,    /* $"...": parts as for DQUOTE (translation is runtime state) */
        SH_PART_ESCAPE,    /* backslash escape: text = the escaped byte(s), backslash removed */
        SH_PART_PARAM,     /* $x ${...}: param */
        SH_PART_CMDSUBST,  /* $(...): sub = parsed body */
        SH_PART_BACKTICK,  /* `...`: sub = parsed body, NULL when bash itself defers it (SH_WORD_UNPARSED) */
        SH_PART_ARITH,     /* $((...)) or $[...]: expr = the expression as a word */
        SH_PART_PROCSUBST_IN,  /* <(...): sub = parsed body */
        SH_PART_PROCSUBST_OUT, /* >(...): sub = parsed body */
        SH_PART_TILDE,     /* ~ or ~user at word start (or after = / : in assignments): text = "~user" */
        SH_PART_EXTGLOB,   /* ?(..) *(..) +(..) @(..) !(..) -- only inside [[ ]] (bash -n rejects them elsewhere);
                            * text = the whole pattern, raw */
} sh_part_kind;

/* sh_part.flags */
#define SH_PART_IN_DQUOTE (1u << 0) /* part is inside "..." or $"..." */

struct sh_part {
        sh_part_kind kind;
        uint32_t flags;
        sh_span span;        /* whole part in source, including quotes/$/braces */
        const char *text;    /* see kinds; NOT NUL-terminated, use text_len (may contain NUL for ANSI_C) */
        uint32_t text_len;
        uint32_t nparts;     /* DQUOTE, LOCALE: nested parts */
        sh_part *parts;
        union {
                sh_node *sub;     /* CMDSUBST, BACKTICK, PROCSUBST_*: an SH_NODE_LIST */
                sh_param *param;  /* PARAM */
                sh_word *expr;    /* ARITH: expression (parts: LITERAL, PARAM, CMDSUBST, ...) */
        };
};

/* sh_word.flags: what a validator needs to know without walking the parts. */
#define SH_WORD_CMDSUBST       (1u << 0)  /* $(...) or `...` anywhere (also nested in ${..}, "..") */
#define SH_WORD_PROCSUBST      (1u << 1)  /* <(...) or >(...) */
#define SH_WORD_PARAM          (1u << 2)  /* $x, ${...}, $1, $@ ... */
#define SH_WORD_ARITH          (1u << 3)  /* $((...)) or $[...] */
#define SH_WORD_ANSI_C         (1u << 4)  /* $'...' */
#define SH_WORD_LOCALE         (1u << 5)  /* $"..." */
#define SH_WORD_EMPTY_QUOTES   (1u << 6)  /* '' or "" somewhere (e''val, "") */
#define SH_WORD_BACKSLASH      (1u << 7)  /* a backslash escape (\l\s), outside or inside quotes */
#define SH_WORD_GLOB           (1u << 8)  /* unquoted * ? or [..] */
#define SH_WORD_BRACE          (1u << 9)  /* unquoted brace expansion {a,b} {1..5} */
#define SH_WORD_TILDE          (1u << 10) /* tilde prefix */
#define SH_WORD_HASH_MID       (1u << 11) /* unquoted # not at word start (not a comment) */
#define SH_WORD_SQUOTE         (1u << 12) /* '...' */
#define SH_WORD_DQUOTE         (1u << 13) /* "..." */
#define SH_WORD_BACKTICK       (1u << 14) /* `...` (also sets SH_WORD_CMDSUBST) */
#define SH_WORD_UNPARSED       (1u << 15) /* a substitution body the parser could not build an AST for */
#define SH_WORD_EXTGLOB        (1u << 16) /* extglob pattern (only inside [[ ]]) */
#define SH_WORD_LINE_CONT      (1u << 17) /* backslash-newline inside the word */
#define SH_WORD_NEWLINE        (1u << 18) /* a literal newline inside quotes */
#define SH_WORD_CTRL           (1u << 19) /* a control byte (< 0x20 except \t \n, or 0x7f) in the value */
#define SH_WORD_ASSIGN_LIKE    (1u << 20) /* looks like NAME=... (only meaningful after the command name) */
/* Anything whose value is only known at runtime. */
#define SH_WORD_DYNAMIC (SH_WORD_CMDSUBST | SH_WORD_PROCSUBST | SH_WORD_PARAM | SH_WORD_ARITH | SH_WORD_UNPARSED)
#define SH_WORD_QUOTED (SH_WORD_SQUOTE | SH_WORD_DQUOTE | SH_WORD_ANSI_C | SH_WORD_LOCALE | SH_WORD_BACKSLASH)

struct sh_word {
        sh_span span;
        uint32_t flags;      /* SH_WORD_* */
        uint32_t nparts;
        sh_part *parts;
        const char *raw;     /* source text of the word, NOT NUL-terminated */
        uint32_t raw_len;
};

/* Parameter expansion.  `${#x}` is op LENGTH, `${!x}` has SH_PARAM_INDIRECT. */
typedef enum sh_param_op {
        SH_PARAM_PLAIN,            /* $x ${x} */
        SH_PARAM_DEFAULT,          /* ${x-w} ${x:-w} */
        SH_PARAM_ASSIGN,           /* ${x=w} ${x:=w}  (assigns!) */
        SH_PARAM_ERROR,            /* ${x?w} ${x:?w} */
        SH_PARAM_ALTERNATE,        /* ${x+w} ${x:+w} */
        SH_PARAM_TRIM_PREFIX,      /* ${x#p} */
        SH_PARAM_TRIM_PREFIX_LONG, /* ${x##p} */
        SH_PARAM_TRIM_SUFFIX,      /* ${x%p} */
        SH_PARAM_TRIM_SUFFIX_LONG, /* ${x%%p} */
        SH_PARAM_REPLACE,          /* ${x/p/r} */
        SH_PARAM_REPLACE_ALL,      /* ${x//p/r} */
        SH_PARAM_REPLACE_PREFIX,   /* ${x/#p/r} */
        SH_PARAM_REPLACE_SUFFIX,   /* ${x/%p/r} */
        SH_PARAM_UPPER_FIRST,      /* ${x^p} */
        SH_PARAM_UPPER_ALL,        /* ${x^^p} */
        SH_PARAM_LOWER_FIRST,      /* ${x,p} */
        SH_PARAM_LOWER_ALL,        /* ${x,,p} */
        SH_PARAM_SUBSTRING,        /* ${x:off} ${x:off:len}: arg = off, arg2 = len */
        SH_PARAM_TRANSFORM,        /* ${x@Q}: transform = 'Q' (Q E P A a U u L K k) */
        SH_PARAM_LENGTH,           /* ${#x} */
        SH_PARAM_NAMES,            /* ${!prefix*} ${!prefix@}: name = prefix */
        SH_PARAM_KEYS,             /* ${!a[@]} ${!a[*]} */
        SH_PARAM_INVALID,          /* ${...} bash would reject at expansion time ("bad substitution") */
} sh_param_op;

#define SH_PARAM_BRACED   (1u << 0) /* ${...} form */
#define SH_PARAM_COLON    (1u << 1) /* :- := :? :+ (test for empty too) */
#define SH_PARAM_INDIRECT (1u << 2) /* ${!x...} */
#define SH_PARAM_SPECIAL  (1u << 3) /* name is a special or positional parameter: @ * # ? - $ ! 0 1.. */

struct sh_param {
        const char *name;  /* NUL-terminated: "HOME", "1", "@", "?" ...; "" for SH_PARAM_INVALID */
        uint32_t flags;    /* SH_PARAM_* */
        sh_param_op op;
        char transform;    /* SH_PARAM_TRANSFORM letter */
        sh_word *subscript; /* x[...]: the subscript (e.g. "@", "*", "i+1"), else NULL */
        sh_word *arg;       /* word / pattern / offset, or NULL */
        sh_word *arg2;      /* replacement / length, or NULL */
};

/* ---- redirections and here-documents ----------------------------------- */

typedef enum sh_redir_op {
        SH_REDIR_IN,          /* <    */
        SH_REDIR_OUT,         /* >    */
        SH_REDIR_APPEND,      /* >>   */
        SH_REDIR_CLOBBER,     /* >|   */
        SH_REDIR_RDWR,        /* <>   */
        SH_REDIR_OUT_ERR,     /* &>   */
        SH_REDIR_APPEND_ERR,  /* &>>  */
        SH_REDIR_DUP_OUT,     /* >&word: N, N- (move), - (close); any other word = like &> */
        SH_REDIR_DUP_IN,      /* <&word: N, N-, - */
        SH_REDIR_HEREDOC,     /* <<   */
        SH_REDIR_HEREDOC_STRIP, /* <<- */
        SH_REDIR_HERESTRING,  /* <<<  */
} sh_redir_op;

struct sh_heredoc {
        const char *delim;   /* delimiter after quote removal, NUL-terminated */
        bool quoted;         /* delimiter had quoting: body is literal, no expansion */
        bool strip_tabs;     /* <<- */
        bool terminated;     /* delimiter line found (bash only warns at EOF) */
        sh_span body_span;   /* body lines in source, delimiter line excluded */
        const char *body;    /* body text as the command will read it (tabs stripped for <<-), NUL-terminated */
        uint32_t body_len;
        sh_word *body_word;  /* unquoted delimiter: the body parsed for $ ` \ expansions; NULL if quoted */
};

struct sh_redir {
        sh_span span;        /* whole redirection incl. fd/{var} prefix and target */
        sh_redir_op op;
        int fd;              /* explicit fd number before the operator, -1 if none (default applies) */
        const char *fd_var;  /* {var}>file: "var", NUL-terminated, else NULL */
        sh_word *target;     /* file / dup word / here-string word / here-doc delimiter word */
        sh_heredoc *heredoc; /* HEREDOC, HEREDOC_STRIP only */
};

/* ---- commands ---------------------------------------------------------- */

typedef enum sh_node_kind {
        SH_NODE_LIST,      /* list: items joined by ; & newline && || */
        SH_NODE_PIPELINE,  /* pipe: only when >1 element, or ! / time present */
        SH_NODE_SIMPLE,    /* simple */
        SH_NODE_SUBSHELL,  /* group: ( body ) */
        SH_NODE_GROUP,     /* group: { body; } */
        SH_NODE_IF,        /* if_ */
        SH_NODE_WHILE,     /* loop */
        SH_NODE_UNTIL,     /* loop */
        SH_NODE_FOR,       /* for_: for NAME [in WORDS]; do ...; done */
        SH_NODE_SELECT,    /* for_: select NAME [in WORDS]; do ...; done */
        SH_NODE_ARITH_FOR, /* arith_for: for ((init; cond; step)) */
        SH_NODE_CASE,      /* case_ */
        SH_NODE_FUNCDEF,   /* func */
        SH_NODE_COND,      /* cond: [[ ... ]] */
        SH_NODE_ARITH,     /* arith: (( ... )) */
        SH_NODE_COPROC,    /* coproc */
} sh_node_kind;

typedef enum sh_list_op {
        SH_OP_END,     /* last item, nothing after it */
        SH_OP_SEMI,    /* ;  */
        SH_OP_AMP,     /* &  (item runs in the background) */
        SH_OP_NEWLINE, /* \n */
        SH_OP_AND,     /* && (next item runs only if this one succeeds) */
        SH_OP_OR,      /* || */
} sh_list_op;

typedef struct sh_list_item {
        sh_node *node;
        sh_list_op op;    /* operator FOLLOWING node */
        sh_span op_span;  /* its position ({0,0} for SH_OP_END) */
} sh_list_item;

typedef struct sh_list {
        uint32_t n;
        sh_list_item *items;
} sh_list;

typedef struct sh_pipe_elem {
        sh_node *node;
        bool pipe_stderr; /* joined to the NEXT element with |& */
} sh_pipe_elem;

typedef struct sh_pipeline {
        uint32_t n;
        sh_pipe_elem *elems;
        bool bang;        /* ! (odd number of them) */
        bool timed;       /* time keyword */
        bool time_posix;  /* time -p */
} sh_pipeline;

/* NAME=value, NAME+=value, NAME[sub]=value, NAME=(elems...). */
typedef struct sh_assign {
        sh_span span;
        const char *name;    /* NUL-terminated */
        sh_span name_span;
        sh_word *subscript;  /* NAME[sub]=: sub (NULL if none) */
        bool append;         /* += */
        bool array;          /* NAME=( ... ): elems; else value */
        sh_word *value;      /* scalar value (an empty word for NAME=) */
        uint32_t nelems;
        sh_word *elems;      /* array elements as written (`[k]=v` stays one word) */
} sh_assign;

typedef struct sh_simple {
        uint32_t nassigns, nwords;
        sh_assign *assigns;  /* leading assignments */
        sh_word *words;      /* command name and arguments, before expansion */
} sh_simple;                 /* redirections are in sh_node.redirs (any position) */

typedef struct sh_group {
        sh_node *body;       /* SH_NODE_LIST */
} sh_group;

typedef struct sh_if {
        sh_node *cond, *then_; /* SH_NODE_LIST each */
        sh_node *else_;      /* NULL, an SH_NODE_LIST, or an SH_NODE_IF with is_elif */
        bool is_elif;
} sh_if;

typedef struct sh_loop {
        sh_node *cond, *body; /* SH_NODE_LIST each */
} sh_loop;

typedef struct sh_for {
        const char *var;     /* NUL-terminated */
        sh_span var_span;
        bool has_in;         /* false: iterates over "$@" */
        uint32_t nwords;
        sh_word *words;
        sh_node *body;       /* SH_NODE_LIST */
} sh_for;

typedef struct sh_arith_for {
        sh_word *init, *cond, *step; /* expressions (may be empty words) */
        sh_node *body;
} sh_arith_for;

typedef enum sh_case_term {
        SH_CASE_BREAK,       /* ;; (or none before esac) */
        SH_CASE_FALLTHROUGH, /* ;& */
        SH_CASE_CONTINUE,    /* ;;& */
} sh_case_term;

typedef struct sh_case_item {
        sh_span span;
        uint32_t npatterns;
        sh_word *patterns;
        sh_node *body;       /* SH_NODE_LIST (may have 0 items) */
        sh_case_term term;
} sh_case_item;

typedef struct sh_case {
        sh_word *word;
        uint32_t nitems;
        sh_case_item *items;
} sh_case;

typedef struct sh_funcdef {
        const char *name;    /* NUL-terminated, as written (may hold odd chars: a.b, a-b, a:b) */
        sh_span name_span;
        bool keyword;        /* `function` keyword used */
        sh_node *body;       /* any compound command (with its own redirs) */
} sh_funcdef;

/* [[ ]] expression tree. */
typedef enum sh_cond_kind {
        SH_COND_AND,   /* left && right */
        SH_COND_OR,    /* left || right */
        SH_COND_NOT,   /* ! left */
        SH_COND_GROUP, /* ( left ) */
        SH_COND_UNARY, /* op arg1:  -f file, -n str, -v name ... */
        SH_COND_BINARY,/* arg1 op arg2: == != = < > =~ -eq -nt ... (arg2 of =~ is the regex, of ==/!= a pattern) */
        SH_COND_WORD,  /* arg1 alone (non-empty test) */
} sh_cond_kind;

struct sh_cond_expr {
        sh_cond_kind kind;
        sh_span span;
        const char *op;      /* NUL-terminated operator for UNARY/BINARY, else NULL */
        sh_cond_expr *left, *right;
        sh_word *arg1, *arg2;
};

typedef struct sh_cond {
        sh_cond_expr *expr;
} sh_cond;

typedef struct sh_arith_cmd {
        sh_word *expr;       /* the text between (( and )) */
} sh_arith_cmd;

typedef struct sh_coproc {
        const char *name;    /* NULL: default name COPROC */
        sh_node *body;       /* a simple or compound command */
} sh_coproc;

struct sh_node {
        sh_node_kind kind;
        sh_span span;
        uint32_t nredirs;
        sh_redir *redirs;    /* SIMPLE: all its redirections; compound: the trailing ones */
        union {
                sh_list list;
                sh_pipeline pipe;
                sh_simple simple;
                sh_group group;
                sh_if if_;
                sh_loop loop;
                sh_for for_;
                sh_arith_for arith_for;
                sh_case case_;
                sh_funcdef func;
                sh_cond cond;
                sh_arith_cmd arith;
                sh_coproc coproc;
        };
};

struct sh_ast {
        sh_node *root;       /* always an SH_NODE_LIST (0 items for empty input) */
        const char *src;     /* private copy of the source, NUL-terminated */
        size_t len;
        size_t nnodes;       /* counted against sh_limits.max_nodes */
        unsigned nheredocs;
        void *arena;         /* private */
};

/* ---- parsing ----------------------------------------------------------- */

/* Where and why parsing failed. */
typedef struct sh_syntax_error {
        int code;            /* EINVAL syntax, E2BIG limit, ENOMEM */
        size_t offset;       /* byte offset of the offending token (or of the limit breach) */
        size_t length;
        char token[64];      /* offending token text, "" for end of input */
        char message[256];   /* e.g. "syntax error near unexpected token `)'" */
} sh_syntax_error;

/* Parse src[0..len) (NUL bytes are a syntax error).  lim NULL = defaults.
 * Returns 0 and *out (free with sh_ast_free), or:
 *   -EINVAL  syntax error (bash -n would reject it); err: "offset N: syntax error near unexpected token `X'"
 *   -E2BIG   a limit was exceeded (input, depth, nodes, here-docs); err names the limit
 *   -ENOMEM
 * Never recurses deeper than lim->max_depth levels; time is linear in len. */
int sh_parse(const char *src, size_t len, const sh_limits *lim, sh_ast **out, cj_error *err);

/* sh_parse with the failure position as data (serr may be NULL). */
int sh_parse_ex(const char *src, size_t len, const sh_limits *lim, sh_ast **out, sh_syntax_error *serr,
                cj_error *err);

/* NULL-safe. */
void sh_ast_free(sh_ast *ast);
static inline void sh_ast_freep(sh_ast **p) {
        if (*p)
                sh_ast_free(*p);
}
#define _cleanup_sh_ast_ __attribute__((cleanup(sh_ast_freep)))

/* S-expression dump of the tree, one line per top-level list item, e.g.
 *   (list (simple (w "echo") (w (dq (lit "a") (param "x")))) ;)
 * Stable: unit tests assert on it.  Returns 0 or -errno. */
int sh_ast_dump(const sh_ast *ast, FILE *f);
/* Same for a single node / word (no trailing newline). */
int sh_node_dump(const sh_node *node, FILE *f);
int sh_word_dump(const sh_word *word, FILE *f);

/* ---- static resolution -------------------------------------------------- */

typedef struct sh_strv {
        size_t n;
        char **v;            /* n NUL-terminated strings (malloc'd), v[n] == NULL */
} sh_strv;

void sh_strv_free(sh_strv *v); /* frees the strings and resets to {0, NULL} */

/* sh_word_resolve() result bits (>= 0). 0 = fully static: out holds exactly
 * what bash would pass as argv entries. */
#define SH_RES_DYNAMIC (1 << 0) /* depends on runtime state (parameter, command, arithmetic,
                                 * process substitution, unparsed body): out holds ONE string
                                 * with each dynamic part replaced by its raw source text */
#define SH_RES_GLOB    (1 << 1) /* unquoted glob chars: out holds the pattern itself (quotes removed);
                                 * at runtime it may become zero or many file names */
#define SH_RES_TILDE   (1 << 2) /* tilde prefix left as written ("~", "~user"): its value is $HOME etc. */
#define SH_RES_BRACE   (1 << 3) /* brace expansion applied: out may hold several words */
#define SH_RES_LOCALE  (1 << 4) /* $"..." taken as its untranslated text */

/* Resolve a word statically: quote removal, $'..' decoding, brace expansion,
 * backslash escapes.  out is cleared first and filled with >= 1 strings (a
 * static word like "" yields one empty string).  Returns SH_RES_* bits, or
 * -E2BIG (brace fan-out above SH_MAX_BRACE_WORDS / result longer than
 * SH_MAX_RESOLVED_LEN) or -ENOMEM; out is empty on error. */
int sh_word_resolve(const sh_word *w, sh_strv *out);

/* Convenience: resolve to exactly one string (brace expansion not applied; a
 * word with SH_WORD_BRACE is returned as written minus quotes, with SH_RES_BRACE).
 * *out is malloc'd.  Same return values. */
int sh_word_resolve1(const sh_word *w, char **out);

/* ---- the walker --------------------------------------------------------- */

/* sh_cmd_ctx.flags: where a command sits. */
#define SH_CTX_CMDSUBST   (1u << 0)  /* inside $(...) or `...` */
#define SH_CTX_PROCSUBST  (1u << 1)  /* inside <(...) or >(...) */
#define SH_CTX_SUBSHELL   (1u << 2)  /* inside ( ... ) */
#define SH_CTX_FUNCTION   (1u << 3)  /* inside a function body (function_name says which) */
#define SH_CTX_BACKGROUND (1u << 4)  /* its list item ends with & (or an enclosing one does) */
#define SH_CTX_CONDITION  (1u << 5)  /* in an if/elif/while/until condition */
#define SH_CTX_LOOP       (1u << 6)  /* in a loop body */
#define SH_CTX_NEGATED    (1u << 7)  /* pipeline with ! */
#define SH_CTX_COPROC     (1u << 8)  /* coproc body */
#define SH_CTX_HEREDOC    (1u << 9)  /* reached through an unquoted here-doc body */
#define SH_CTX_ASSIGNMENT (1u << 10) /* reached through an assignment's value/subscript */
#define SH_CTX_REDIRECT   (1u << 11) /* reached through a redirection target */
#define SH_CTX_WORD       (1u << 12) /* reached through an argument word of another command */
#define SH_CTX_COND_EXPR  (1u << 13) /* reached through a [[ ]] operand */
#define SH_CTX_ARITH      (1u << 14) /* reached through an arithmetic expression */
#define SH_CTX_CASE       (1u << 15) /* in a case item body (or through the case word/patterns) */
#define SH_CTX_PARAM_OP   (1u << 16) /* reached through a ${x:-...} style operand */
#define SH_CTX_UNWRAPPED  (1u << 17) /* reached through a runner (via[] says which) */
#define SH_CTX_AND_OR     (1u << 18) /* part of an && / || chain (conditional execution) */
#define SH_CTX_FOR_WORDS  (1u << 19) /* reached through for/select word list */
#define SH_CTX_TIMED      (1u << 20) /* pipeline with time */

/* One runner on the way to a command: `sudo -u x env A=1 bash -c 'id'` gives
 * via = [sudo, env, bash] for `id`. */
#define SH_VIA_PRIVILEGED   (1u << 0) /* sudo / doas: privilege escalation requested */
#define SH_VIA_SHELL_STRING (1u << 1) /* inner command parsed from a string (-c, watch, env -S) */
#define SH_VIA_APPENDS_ARGS (1u << 2) /* runner appends runtime arguments (xargs) */
#define SH_VIA_NO_EXEC      (1u << 3) /* runner only looks the command up (command -v/-V) */
#define SH_VIA_REPLACES     (1u << 4) /* exec: replaces the shell */
#define SH_VIA_CLEAR_ENV    (1u << 5) /* env -i */
#define SH_VIA_CHDIR        (1u << 6) /* env -C / sudo -D: runs elsewhere */
#define SH_VIA_REPEATS      (1u << 7) /* watch: runs repeatedly */
#define SH_VIA_SUBSTITUTES  (1u << 8) /* xargs -I: replace string substituted at runtime */

typedef struct sh_via {
        const char *runner;  /* "sudo", "env", "bash", ... (basename of argv[0]) */
        sh_span span;        /* the runner's argv[0] */
        uint32_t flags;      /* SH_VIA_* */
        const char *user;    /* sudo -u / doas -u target, else NULL */
} sh_via;

/* One argv entry as resolved by sh_word_resolve (brace expansion may turn one
 * word into several args, all with the same span and word). */
#define SH_ARG_DYNAMIC (1u << 0) /* SH_RES_DYNAMIC: value is the raw text, not the runtime value */
#define SH_ARG_GLOB    (1u << 1) /* SH_RES_GLOB */
#define SH_ARG_TILDE   (1u << 2) /* SH_RES_TILDE */
#define SH_ARG_BRACE   (1u << 3) /* SH_RES_BRACE */
#define SH_ARG_LOCALE  (1u << 4) /* SH_RES_LOCALE */
#define SH_ARG_SYNTHETIC (1u << 5) /* produced by a runner (env -S split, xargs marker) not by a word */

typedef struct sh_arg {
        const char *value;     /* NUL-terminated */
        sh_span span;
        uint32_t flags;        /* SH_ARG_* */
        uint32_t word_flags;   /* SH_WORD_* of the source word (0 if synthetic) */
        const sh_word *word;   /* source word, NULL if synthetic */
} sh_arg;

/* An assignment as the command will see it (word-level or from `env A=1`). */
typedef struct sh_cmd_assign {
        const char *name;
        const char *value;     /* resolved (raw text if dynamic; "(...)" raw for arrays) */
        sh_span span;
        uint32_t flags;        /* SH_ARG_* of the value */
        const sh_assign *assign; /* source assignment, NULL if from a runner */
} sh_cmd_assign;

/* A redirection with its target resolved. */
typedef struct sh_cmd_redir {
        const sh_redir *redir;
        const char *target;    /* resolved target (file, fd, delimiter, here-string value) */
        uint32_t flags;        /* SH_ARG_* of target */
} sh_cmd_redir;

typedef struct sh_cmd_ctx {
        uint32_t flags;          /* SH_CTX_* */
        unsigned depth;          /* compound/substitution nesting depth (0 = top level) */
        unsigned subst_depth;    /* enclosing $( ) ` ` <( ) >( ) */
        uint32_t pipe_index;     /* position in its pipeline (0 if none) */
        uint32_t pipe_len;       /* elements in its pipeline (1 if none) */
        const sh_node *pipe_from; /* previous pipeline element feeding its stdin, or NULL */
        const sh_node *pipe_to;   /* next pipeline element reading its stdout, or NULL */
        bool pipe_stderr_in;     /* previous element used |& */
        bool pipe_stderr_out;    /* this element uses |& */
        const char *function_name; /* innermost enclosing function, or NULL */
        const sh_via *via;       /* runners, outermost first */
        size_t nvia;
} sh_cmd_ctx;

/* A simple command as the visitor sees it. */
typedef struct sh_cmd {
        const sh_node *node;     /* the SH_NODE_SIMPLE (for unwrapped commands: the outer one) */
        sh_span span;            /* the command's span (for unwrapped ones: the inner text's) */
        size_t argc;             /* 0 for assignment/redirection-only commands */
        const sh_arg *argv;
        size_t nassigns;
        const sh_cmd_assign *assigns;
        size_t nredirs;
        const sh_cmd_redir *redirs;
        sh_cmd_ctx ctx;
        uint32_t unwrap_flags;   /* SH_UNWRAP_* of the runner this command IS (0 = not a runner) */
} sh_cmd;

/* Return < 0 to stop the walk (the value is returned by sh_walk), else 0. */
typedef int (*sh_visit_fn)(const sh_cmd *cmd, void *userdata);

/* Visitor for everything that is not a simple command. */
typedef struct sh_visitor {
        sh_visit_fn simple;   /* every simple command, incl. unwrapped inner ones */
        /* every node (all kinds, incl. SIMPLE/LIST/PIPELINE, COND, ARITH, FUNCDEF, COPROC...) */
        int (*node)(const sh_node *node, const sh_cmd_ctx *where, void *userdata);
        /* every word anywhere (args, assignments, redirection targets, [[ ]] operands,
         * for/case words, ${..} operands, arithmetic expressions, here-doc bodies) */
        int (*word)(const sh_word *word, const sh_cmd_ctx *where, void *userdata);
        /* every part of every word (PARAM, CMDSUBST, ARITH, PROCSUBST...), nested ones too */
        int (*part)(const sh_part *part, const sh_word *word, const sh_cmd_ctx *where, void *userdata);
        /* every here-document */
        int (*heredoc)(const sh_redir *redir, const sh_cmd_ctx *where, void *userdata);
        /* a runner's inner command could not be determined (dynamic -c string,
         * unknown option, parse error of the string, depth limit); cmd is the runner */
        int (*unresolved)(const sh_cmd *cmd, const char *why, void *userdata);
} sh_visitor;

/* Walk the whole tree in source order, with runner unwrapping.  Returns 0,
 * the first negative visitor return, or -ENOMEM. */
int sh_walk(const sh_ast *ast, const sh_visitor *v, void *userdata);

/* Visit every simple command (incl. those inside substitutions, function
 * bodies and runner payloads).  Same as sh_walk with only .simple set. */
int sh_walk_simple_commands(const sh_ast *ast, sh_visit_fn fn, void *userdata);

/* ---- runner unwrapping (unwrap.c) --------------------------------------- */

#define SH_UNWRAP_RUNNER     (1u << 0) /* argv[0] is a known runner */
#define SH_UNWRAP_ARGV       (1u << 1) /* inner command = argv[inner] .. argv[argc-1] (+ extra) */
#define SH_UNWRAP_STRING     (1u << 2) /* inner command = shell string `script` */
#define SH_UNWRAP_UNRESOLVED (1u << 3) /* could not determine the inner command: `why` says why */
#define SH_UNWRAP_NONE       (1u << 4) /* runner without a command (`env` alone prints env, `sudo -l`) */

typedef struct sh_unwrap {
        uint32_t flags;          /* SH_UNWRAP_* */
        uint32_t via_flags;      /* SH_VIA_* for the inner command */
        const char *runner;      /* basename of argv[0] (borrowed from argv), NULL if not a runner */
        size_t inner;            /* SH_UNWRAP_ARGV: index of the inner command in argv */
        size_t nextra;           /* SH_UNWRAP_ARGV: args to put BEFORE argv[inner..] (env -S split) */
        sh_arg *extra;           /* owned */
        const char *script;      /* SH_UNWRAP_STRING: the shell text (borrowed from argv) */
        const sh_arg *script_arg; /* the argv entry holding it */
        size_t nassigns;         /* env NAME=val */
        sh_cmd_assign *assigns;  /* owned (strings borrowed from argv) */
        const char *user;        /* sudo/doas -u */
        const char *why;         /* SH_UNWRAP_UNRESOLVED: static message */
        char *owned_script;      /* private: joined `watch` arguments (script points here) */
        bool script_exact;       /* script is exactly script_arg's value (spans can map) */
} sh_unwrap;

/* Recognise a command runner in argv and say where its inner command is.
 * Returns 0 (out->flags == 0: not a runner), or -ENOMEM.  Free with
 * sh_unwrap_done().  Recognised: bash sh dash zsh ksh (-c), env, timeout,
 * nice, nohup, setsid, stdbuf, xargs, sudo, doas, watch, exec, command,
 * builtin, time, eval (see docs/shell-parser.md for the options understood). */
int sh_unwrap_argv(const sh_arg *argv, size_t argc, sh_unwrap *out);
void sh_unwrap_done(sh_unwrap *u);
