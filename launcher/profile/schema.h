/* SPDX-License-Identifier: MIT */
#pragma once

/* Internal to the profile stage: key/type checking of one profile file and
 * the narrowing merge of a child onto its resolved parent. */

#include <jansson.h>

#include "profile.h"

/* Check every key and type of a raw profile document against the schema.
 * Errors name file and key path ("p.json: limits.memory_mb: expected an integer >= 0"). */
int cj_profile_schema_check(const json_t *doc, const char *file, cj_error *err);

/* Check a rule-set file (validation.include): {"description", "rules"}. */
int cj_profile_ruleset_check(const json_t *doc, const char *file, cj_error *err);

/* Expand ${CWD} ${HOME} ${TASK_DIR} in every path and env value of doc, in
 * place; paths are normalized, entries using an unset variable are dropped. */
int cj_profile_expand(json_t *doc, const cj_profile_vars *vars, const char *file, cj_error *err);

/* Merge child onto parent (both expanded).  Narrowing is enforced unless the
 * child lists the section in "widen".  Returns a new reference in *out. */
int cj_profile_merge(const json_t *parent, const json_t *child, const char *file, json_t **out, cj_error *err);

/* Fill defaults into a root profile (one without extends). */
int cj_profile_fill_defaults(json_t *doc);
