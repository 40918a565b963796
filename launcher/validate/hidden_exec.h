/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The hidden-execution table (hidden_exec_table.c) and the script analyzers
 * it uses (exec_scripts.c): which options of which ordinary programs run
 * other programs, load code, or write files a checker does not see.
 */

#include "internal.h"

enum {
        HX_EXEC = 1,   /* option's value (or the option) runs a command */
        HX_CODE,       /* option's value is program text for an interpreter */
        HX_FILE_CODE,  /* option names a file of program text / commands */
        HX_WRITE,      /* option writes a file named by its value */
        HX_LOAD,       /* option loads a shared object / plugin */
        HX_SED_SCRIPT, /* value is a sed script: analyze */
        HX_AWK_PROG,   /* value is an awk program: analyze */
        HX_SSH_OPT,    /* ssh -o: dangerous only for some keys */
        HX_GIT_CFG,    /* git -c key=value: dangerous only for some keys */
        HX_GIT_CFGENV, /* git --config-env=key=ENV */
        HX_PIPE_OUT,   /* value starting with | or ! pipes to a command */
        HX_SAFE,       /* option that makes the program safe (sed --sandbox) */
        HX_SQL_SHELL,  /* SQL client command text: dangerous if it holds a shell escape */
        HX_FILE_STDIN, /* option names a file of commands: dangerous when it is stdin ("-") */
        HX_AWK_W,      /* awk -W OPT[=VAL] (mawk; gawk's spelling of its long options) */
};

typedef struct cj_hx_prog {
        const char *const *names;   /* basenames of argv[0] */
        const cj_opt *opts;         /* option table: tag = HX_* for dangerous ones, 0 for known */
        bool posix_stop;            /* options end at the first operand (runners) */
        /* extra program-specific judgement after the option scan; may be NULL */
        void (*check)(cj_vctx *c, const sh_cmd *cmd, size_t first);
        const char *always;         /* non-NULL: the program itself asks, with this reason */
} cj_hx_prog;

/* The table, terminated by an entry with names == NULL. */
extern const cj_hx_prog cj_hx_table[];

/* Custom checks referenced by the table (v_hidden_exec.c). */
void cj_hx_find(cj_vctx *c, const sh_cmd *cmd, size_t first);
void cj_hx_git(cj_vctx *c, const sh_cmd *cmd, size_t first);
void cj_hx_zip(cj_vctx *c, const sh_cmd *cmd, size_t first);
void cj_hx_xargs(cj_vctx *c, const sh_cmd *cmd, size_t first);
void cj_hx_tar_oldstyle(cj_vctx *c, const sh_cmd *cmd, size_t first);
void cj_hx_sed(cj_vctx *c, const sh_cmd *cmd, size_t first);
void cj_hx_awk(cj_vctx *c, const sh_cmd *cmd, size_t first);
void cj_hx_interp(cj_vctx *c, const sh_cmd *cmd, size_t first);
void cj_hx_sqlite(cj_vctx *c, const sh_cmd *cmd, size_t first);
void cj_hx_socat(cj_vctx *c, const sh_cmd *cmd, size_t first);
void cj_hx_runner(cj_vctx *c, const sh_cmd *cmd, size_t first);
void cj_hx_openssl(cj_vctx *c, const sh_cmd *cmd, size_t first);
void cj_hx_cc(cj_vctx *c, const sh_cmd *cmd, size_t first);
void cj_hx_npm(cj_vctx *c, const sh_cmd *cmd, size_t first);

/* General mechanisms under allowlist profiles (hx_general.c): arguments naming
 * a shell or interpreter, command-string arguments, `X exec|run PROG`, shells
 * and REPLs with nothing to run.  report() records one finding. */
void cj_hx_general(cj_vctx *c, const sh_cmd *cmd, void (*report)(cj_vctx *, const sh_cmd *, size_t, const char *));

/* Analyzers (exec_scripts.c): return a static reason when the script can run
 * commands, write or read files, or cannot be analyzed; NULL when it is plain. */
const char *cj_sed_script_danger(const char *script);
const char *cj_awk_program_danger(const char *prog);
/* git config key (any case) whose value is run, loaded or used as a hook path. */
bool cj_git_key_executes(const char *key, const char *value);
