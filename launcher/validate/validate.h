/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The validation chain (docs/validators.md): decide allow / ask / deny for an
 * agent's bash command before anything runs.  The command is checked as raw
 * bytes (input hygiene), then parsed by shell/ and every simple command
 * anywhere in the tree -- including the inner commands of runners such as
 * `bash -c`, `env`, `xargs`, `sudo` -- goes through an ordered table of
 * validators (chain.c), each owning one risk category.  The strictest verdict
 * wins; a parse failure or anything that cannot be resolved statically is at
 * least `ask`.  The profile's validation rules and default apply last.
 *
 * Everything here is a pure function over data: nothing is executed, nothing
 * is printed.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "profile/profile.h"
#include "util/err.h"

#define CJ_VALIDATE_CMD_MAX 10000u      /* bytes; a longer command is `ask` unread */
#define CJ_VALIDATE_FINDINGS_MAX 256u   /* findings kept per command; more are summarized */
#define CJ_VALIDATE_MESSAGE_MAX 512u    /* bytes of one finding's message */

/* One reason for a verdict: which validator, what it decided, why, and the
 * byte span [offset, offset+length) in the command as given. */
typedef struct cj_finding {
        char *validator;
        cj_verdict decision;
        char *message;
        size_t offset, length;
} cj_finding;

typedef struct cj_validation {
        cj_verdict decision; /* final: strictest of findings, rules, default */
        bool parse_ok;       /* false = syntax_error (what bash -n would say) */
        cj_finding *findings;
        size_t n_findings;
} cj_validation;

/* Validate cmd[0..len) under profile (NULL = built-in: default allow, no
 * rules) with cwd as the workspace root (NULL = unknown; the destructive
 * validator then cannot recognise "the workspace root" by path).  Fills *out,
 * which the caller releases with cj_validation_clear().  Returns 0, or -errno
 * only for internal failures (ENOMEM); a hostile command never fails, it is
 * a verdict. */
int cj_validate_command(const char *cmd, size_t len, const cj_profile *profile, const char *cwd, cj_validation *out,
                        cj_error *err);

/* cj_validate_command for an exec request that also carries an environment
 * (env: "NAME=value" strings, NULL-terminated, or NULL).  The variables are
 * judged by the chain as assignments made before the command runs (the same
 * list and classes as `NAME=value` written in it, see cj_var_*), their values
 * are known to the validators that follow values (arithmetic), a variable the
 * sandbox refuses from a request (cj_var_request_refused) is `deny`.  (What an
 * operator approves covers the env too: pipeline/ask.c cj_ask_identity.) */
int cj_validate_exec(const char *cmd, size_t len, char *const *env, const cj_profile *profile, const char *cwd,
                     cj_validation *out, cj_error *err);

/* Validate an argv that will be executed without a shell (`clawjail run`):
 * profile rules plus the validators that apply to a single resolved command
 * (hidden execution, privilege, credentials, destructive ...).  Spans are
 * offsets into the argv joined with single spaces. */
int cj_validate_argv(char *const *argv, const cj_profile *profile, cj_validation *out, cj_error *err);

/* Only the profile's rules and default applied to an argv (what `clawjail run`
 * uses: the argv is not shell text, and the sandbox is the boundary). */
int cj_validate_argv_rules(char *const *argv, const cj_profile *profile, cj_validation *out, cj_error *err);

/* Release what cj_validate_* stored in v and reset it; NULL-safe. */
void cj_validation_clear(cj_validation *v);

/* {"decision":"ask","findings":[{"validator","decision","message","offset","length"}]}
 * New reference, NULL on ENOMEM. */
json_t *cj_validation_to_json(const cj_validation *v);

/* Names of the validators in chain order, NULL-terminated (for docs, `profile
 * lint` checking validators_off, and tests). */
const char *const *cj_validator_names(void);

/* Is name a validator of the chain? */
bool cj_validator_exists(const char *name);

/* ---- the one list of dangerous environment variables (v_dangerous_vars.c) --
 * What setting a variable does to the programs of a call.  The validator, the
 * request-env check and the sandbox's environment builder all read this list. */
typedef enum cj_var_class {
        CJ_VAR_PLAIN = 0, /* not on the list */
        CJ_VAR_LOADER,    /* the dynamic loader / libc load code: LD_*, GCONV_PATH, GLIBC_TUNABLES */
        CJ_VAR_SHELL,     /* the shell runs or parses differently: BASH_ENV, PS4, SHELLOPTS, IFS */
        CJ_VAR_LOOKUP,    /* which program a name runs: PATH, BASH_CMDS, GIT_EXEC_PATH */
        CJ_VAR_RUNS,      /* a program runs the value: GIT_EXTERNAL_DIFF, GIT_SSH_COMMAND, PAGER */
        CJ_VAR_INTERP,    /* an interpreter loads code: NODE_OPTIONS, PERL5OPT, PYTHONPATH */
        CJ_VAR_CONFIG,    /* configuration read from elsewhere: GIT_DIR, GIT_CONFIG_*, HOME, TAR_OPTIONS */
        CJ_VAR_LEAK,      /* data written or leaked: SSLKEYLOGFILE, GIT_TRACE */
        CJ_VAR_INTERNAL,  /* the launcher's own: CLAWJAIL_* */
} cj_var_class;

/* The class of a variable name (a bare name, no subscript). */
cj_var_class cj_var_classify(const char *name);
/* "loader", "shell", ... for messages and docs. */
const char *cj_var_class_name(cj_var_class cls);
/* The verdict for setting name (to value; NULL = unknown) under profile
 * (NULL = built-in allow-by-default). */
cj_verdict cj_var_verdict(const char *name, const char *value, const cj_profile *profile);
/* A request's env may never set it (loader, shell, internal classes: they act
 * on the wrapper shell or on every program before any reviewed command). */
bool cj_var_request_refused(const char *name);
