/* SPDX-License-Identifier: MIT */
#pragma once

/* The profile's validation rules and default, applied to each resolved simple
 * command after the validators (rules.c). */

#include "internal.h"

/* Judge one simple command: deny rules, then ask, then allow, by prefix match
 * on the resolved argv (argv[0] also by basename); the profile default when no
 * rule names it.  Reports under the validator names "rule" / "default". */
void cj_rules_apply(cj_vctx *c, const sh_cmd *cmd);

/* After the walk: a command text with no simple command at all still gets the
 * profile default if it is stricter than allow (e.g. `(( x++ ))`). */
void cj_rules_finish(cj_vctx *c);
