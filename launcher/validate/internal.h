/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Private to validate/: the context a validator reports into, the chain
 * table's entry type, and small helpers the validators share (paths.c,
 * opts.c).  A validator is a set of callbacks; the chain (chain.c) calls each
 * enabled validator's callbacks in table order during one walk of the AST.
 */

#include <stdbool.h>
#include <stddef.h>

#include "profile/profile.h"
#include "shell/shell.h"
#include "validate.h"

typedef struct cj_vctx cj_vctx;

/* Facts gathered during the walk that some validators judge only at the end
 * (spans of fetchers inside substitutions, code-taking arguments, ...). */
typedef struct cj_vspan {
        size_t off, len;
        const char *what; /* static string */
} cj_vspan;

typedef struct cj_vspans {
        cj_vspan *v;
        size_t n, cap;
} cj_vspans;

/* A profile path list (filesystem.deny / protect) split once per validation:
 * "PREFIX/" + "**" + "/SUFFIX" entries match SUFFIX at any depth below PREFIX. */
typedef struct cj_pentry {
        const char *path;     /* the entry */
        size_t plen;          /* prefix length, or SIZE_MAX when the entry has no "/" + "**" + "/" */
        const char *suffix;   /* after it, or NULL */
        /* relative to the workspace (cwd), for plain names without '/': */
        bool covers_cwd;      /* the entry (or a glob entry's prefix) is cwd or above it */
        const char *cwd_name; /* the entry is exactly cwd/NAME: NAME, else NULL */
} cj_pentry;

typedef struct cj_plist {
        cj_pentry *v;
        size_t n;
} cj_plist;

/* Owned strings with spans (file names a command downloads / runs). */
typedef struct cj_vstrs {
        char **v;
        sh_span *spans;
        size_t n, cap;
} cj_vstrs;

struct cj_vctx {
        const char *cmd; /* the command as given (not NUL-terminated: use len) */
        size_t len;
        const cj_profile *profile; /* never NULL inside the chain */
        const char *cwd;           /* may be NULL */
        const sh_ast *ast;         /* NULL before parsing / when parsing failed */

        const char *current; /* name of the validator running now */
        cj_finding *findings;
        size_t n_findings, cap_findings;
        size_t dropped; /* findings beyond CJ_VALIDATE_FINDINGS_MAX */
        int oom;        /* -ENOMEM once an allocation failed */

        /* Cross-command facts (see download_exec, comment_desync). */
        cj_vstrs fetch_in_subst;   /* fetcher commands inside $( ) <( ): name + span */
        cj_vstrs code_sinks;       /* words whose value becomes code (sh -c ARG, eval ARG, source <(..)) */
        cj_vspans hash_mid_words;  /* words with an unquoted mid-word '#' */
        cj_vspans cmd_starts;      /* every simple command's span */
        unsigned char *covered;    /* len bytes: 1 where a word / here-doc body lies */
        const bool *enabled;       /* per chain entry (chain.c), for cj_chain_recheck */
        cj_plist deny, protect;    /* the profile's lists, split (paths.c) */
        unsigned recheck_depth;    /* runner-in-runner nesting of cj_chain_recheck */
        cj_vstrs downloaded;       /* files written by curl -o / wget -O / curl > f */
        cj_vstrs executed;         /* files run as programs or scripts */
        bool request_env;          /* checking the request's env, not the command text */
        /* arithmetic: "NAME=VALUE" assigned statically, NAMEs assigned at
         * runtime, NAMEs evaluated as arithmetic (with where) */
        cj_vstrs arith_static, arith_runtime, arith_uses;
        /* cd following (cdtrack.c): the directory the current command runs
         * in relative to the start (NULL = the start, or unknown), and every
         * cd seen: where, its scope, where it went (NULL = unknown) */
        const char *cd_dir;
        cj_vspans cd_bounds;
        size_t *cd_at;
        sh_span *cd_scope;
        char **cd_to;
        size_t cd_n, cd_cap;
};

/* Strictness follows the profile (docs/validators.md): under an allowlist
 * profile (validation.default ask or deny) execution the rules cannot see --
 * inline program text, runtime arithmetic, find -exec, runtime redirection
 * targets -- asks; under a default-allow profile the sandbox contains it and
 * it is ordinary development. */
static inline bool cj_allowlist(const cj_vctx *c) {
        return c->profile->validation_default != CJ_VERDICT_ALLOW;
}

/* Record a finding of the running validator at [off, off+len).  Identical
 * findings (validator, span, message) are kept once. */
void cj_report(cj_vctx *c, cj_verdict v, size_t off, size_t len, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
static inline void cj_report_span(cj_vctx *c, cj_verdict v, sh_span s, const char *msg) {
        cj_report(c, v, s.off, s.len, "%s", msg);
}

int cj_vspans_add(cj_vspans *s, size_t off, size_t len, const char *what);
int cj_vstrs_add(cj_vstrs *s, const char *str, sh_span span);
void cj_vstrs_free(cj_vstrs *s);
void cj_vspans_free(cj_vspans *s);

typedef struct cj_validator {
        const char *name;
        const char *owns; /* one line: the risk category (docs, --help) */
        bool always_on;   /* cannot be switched off by validators_off */
        void (*raw)(cj_vctx *c);
        void (*cmd)(cj_vctx *c, const sh_cmd *cmd);
        void (*node)(cj_vctx *c, const sh_node *n, const sh_cmd_ctx *where);
        void (*word)(cj_vctx *c, const sh_word *w, const sh_cmd_ctx *where);
        void (*part)(cj_vctx *c, const sh_part *p, const sh_word *w, const sh_cmd_ctx *where);
        void (*heredoc)(cj_vctx *c, const sh_redir *r, const sh_cmd_ctx *where);
        void (*unresolved)(cj_vctx *c, const sh_cmd *cmd, const char *why);
        void (*finish)(cj_vctx *c);
} cj_validator;

/* One extern per validator file (v_NAME.c defines cj_v_NAME). */
extern const cj_validator cj_v_hygiene, cj_v_limits, cj_v_syntax, cj_v_smuggling, cj_v_comment_desync,
        cj_v_substitution, cj_v_eval_source, cj_v_dynamic_command, cj_v_obfuscation, cj_v_ifs,
        cj_v_dangerous_vars, cj_v_prompt_expansion, cj_v_arithmetic, cj_v_redirection, cj_v_heredoc,
        cj_v_brace_command, cj_v_zsh, cj_v_credentials, cj_v_exfiltration, cj_v_download_exec,
        cj_v_destructive, cj_v_persistence, cj_v_privilege, cj_v_hidden_exec;


#define CJ_RECHECK_DEPTH_MAX 4u
/* Run every enabled validator's cmd callback and the profile rules on a
 * synthetic command (the inner argv of a runner the parser does not unwrap).
 * Beyond CJ_RECHECK_DEPTH_MAX nested runners this reports ask instead. */
void cj_chain_recheck(cj_vctx *c, const sh_cmd *sub);

/* ---- helpers over resolved commands (cmdutil.c) ------------------------- */

/* Basename of argv[0] ("" when argc == 0). */
const char *cj_cmd_name(const sh_cmd *cmd);
/* Basename of a path string. */
const char *cj_basename(const char *s);
/* Is name one of the NULL-terminated list? */
bool cj_name_in(const char *name, const char *const *list);
/* Whole-command span for a finding that has no better place. */
sh_span cj_cmd_span(const sh_cmd *cmd);
/* "-", /dev/stdin, /dev/fd/0, /proc/self/fd/0 (any spelling): a file operand that is stdin. */
bool cj_path_is_stdin(const char *v);
/* A shell that would read its program from stdin (no -c, no script operand,
 * or a script operand that is stdin). */
bool cj_cmd_is_shell_reading_stdin(const sh_cmd *cmd);
/* bash sh dash zsh ksh mksh busybox-sh ... */
bool cj_is_shell_name(const char *name);
/* python perl ruby node php lua tclsh ... */
bool cj_is_interpreter_name(const char *name);
/* curl wget fetch nc ... : programs that produce network data on stdout */
bool cj_is_fetcher_name(const char *name);
/* A static relative path inside the workspace (no .., not absolute, not dynamic). */
bool cj_arg_is_workspace_file(const sh_arg *a);
/* The same, a glob allowed (names in the workspace, not one file). */
bool cj_arg_is_workspace_path(const sh_arg *a);
/* Does argv[i] become program text (sh -c STRING, eval ARGS, source FILE, python -c CODE, script operand)? */
bool cj_arg_is_code(const sh_cmd *cmd, size_t i);
/* Can any argument of this command be program text (eval, source, shells, interpreters)? */
bool cj_cmd_takes_code(const sh_cmd *cmd);
/* Variables a builtin assigns by name (read NAME..., read -a NAME, printf -v
 * NAME, mapfile/readarray NAME, getopts OPTSTRING NAME, wait -p NAME): the
 * names as written (a subscript stays attached) and their argv indexes.  At
 * most CJ_ASSIGNED_MAX; a dynamic name is skipped (dynamic_command owns it). */
#define CJ_ASSIGNED_MAX 16u
typedef struct cj_assigned_names {
        size_t n;
        const char *name[CJ_ASSIGNED_MAX];
        size_t argi[CJ_ASSIGNED_MAX];
} cj_assigned_names;
void cj_cmd_assigned_names(const sh_cmd *cmd, cj_assigned_names *out);
/* Does a find command select files by a test (-name, -type, -newer ...)
 * rather than act on everything below its start points? */
bool cj_find_has_test(const sh_cmd *cmd);
/* Resolve argv[0] of a SIMPLE node (the pipe neighbour) to a malloc'd basename, NULL if dynamic. */
char *cj_node_command_name(const sh_node *n, bool *decodes);

/* ---- cd following (cdtrack.c) --------------------------------------------- */

/* Walk hooks: process boundaries (subshells, pipeline elements, coprocs,
 * substitutions), the directory a command runs in (sets c->cd_dir before its
 * validators run), and the cd it makes (after them). */
void cj_cd_node(cj_vctx *c, const sh_node *n);
void cj_cd_part(cj_vctx *c, const sh_part *p);
void cj_cd_before(cj_vctx *c, const sh_cmd *cmd);
void cj_cd_after(cj_vctx *c, const sh_cmd *cmd);
void cj_cd_free(cj_vctx *c);

/* ---- path classification (paths.c) --------------------------------------- */

enum {
        CJ_PATH_ROOT = 1u << 0,        /* "/" or "/" + "*" */
        CJ_PATH_HOME = 1u << 1,        /* "~", "$HOME", everything in it */
        CJ_PATH_WORKSPACE = 1u << 2,   /* ".", "./", "*", cwd itself */
        CJ_PATH_SYSTEM = 1u << 3,      /* /etc /usr /bin /boot /lib* /var /opt /root /sys /proc /srv */
        CJ_PATH_SYSTEM_TOP = 1u << 4,  /* a system directory itself (/usr, /etc/), not a file below */
        CJ_PATH_DEVICE_BLOCK = 1u << 5,/* /dev/sd* nvme* mem kmem port ... */
        CJ_PATH_DEVICE = 1u << 6,      /* any other /dev/x except the harmless ones */
        CJ_PATH_CREDENTIAL = 1u << 7,  /* ~/.ssh, ~/.aws/credentials, .env, /etc/shadow ... */
        CJ_PATH_SECRET_KEY = 1u << 8,  /* private keys, /etc/shadow: deny-worthy */
        CJ_PATH_PROC_SECRET = 1u << 9, /* /proc/PID/environ|mem: deny-worthy */
        CJ_PATH_PROC_INFO = 1u << 10,  /* /proc/PID/maps|cmdline|auxv|... */
        CJ_PATH_RC_FILE = 1u << 11,    /* ~/.bashrc ~/.profile /etc/profile ... */
        CJ_PATH_PERSIST = 1u << 12,    /* cron, systemd units, autostart, launchd, git hooks, authorized_keys */
        CJ_PATH_PROTECTED = 1u << 13,  /* profile filesystem.protect */
        CJ_PATH_DENIED = 1u << 14,     /* profile filesystem.deny */
        CJ_PATH_HARMLESS_DEV = 1u << 15, /* /dev/null /dev/stdout /dev/fd/N ... */
};

/* Classify a resolved path-like string (may be relative, may start with ~ or
 * $HOME / ${HOME} when it was dynamic) against built-in lists and the
 * profile's deny/protect lists.  A relative path after a `cd` (c->cd_dir) is
 * classified in both directories.  Returns CJ_PATH_* bits. */
unsigned cj_path_classify(const char *value, const cj_vctx *c);

/* Split the profile's deny / protect lists into c->deny / c->protect (once per
 * validation); cj_paths_release frees them. */
int cj_paths_prepare(cj_vctx *c);
void cj_paths_release(cj_vctx *c);

/* ---- option scanning (opts.c) -------------------------------------------- */

typedef struct cj_opt {
        const char *lname; /* long name without "--", NULL if none */
        char sname;        /* short letter, 0 if none */
        int arg;           /* CJ_OPT_NOARG / CJ_OPT_ARG / CJ_OPT_OPTARG (value only when attached) */
        int tag;           /* 0 = just known (so its value is skipped); > 0 caller's meaning */
} cj_opt;

enum { CJ_OPT_NOARG = 0, CJ_OPT_ARG = 1, CJ_OPT_OPTARG = 2 };

/* One occurrence found by cj_opts_scan.  For a positional, opt == NULL. */
typedef struct cj_optval {
        const cj_opt *opt;
        const char *value;   /* option value or positional, NULL if none */
        size_t argi;         /* argv index of the option (or positional) */
        bool abbreviated;    /* long name was a prefix, resolved GNU-style */
        bool dynamic_value;  /* value came from a dynamic word */
} cj_optval;

/* Scan argv[first..] GNU-style: "--name[=v]" (unique prefixes resolve; a
 * prefix of a tagged option that is not exactly another option counts as the
 * tagged one), "-abc" clusters, "-ovalue", "--" ends options.  Options after
 * positionals are still options unless posix_stop.  Calls fn for each option
 * with tag != 0 and for each positional; stops early when fn returns false.
 * Returns the argv index where scanning stopped. */
size_t cj_opts_scan(const sh_cmd *cmd, size_t first, const cj_opt *opts, bool posix_stop,
                    bool (*fn)(const cj_optval *o, void *ud), void *ud);
