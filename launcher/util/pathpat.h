/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Profile path patterns (filesystem.deny / deny_except / protect), the one
 * definition every stage asks: the request's path check (proto/paths.c), the
 * validation chain (validate/paths.c) and the mount plan (sandbox/plan.c).
 * Pure text; nothing is stat'ed.
 *
 *   /A/B          covers /A/B and everything below it.
 *   /A/ ** /T     (without the spaces) covers, at any depth below /A (depth 0
 *                 included), a component run spelling T, and everything below
 *                 it.  T is one or more components; a trailing '/' says "a
 *                 directory" (the plan creates it when missing) and is
 *                 otherwise ignored; a '*' ending T's last component matches
 *                 the rest of that component (".env*").  A T starting with
 *                 ".git/" also covers the git dirs of submodules:
 *                 .git/modules/NAME[/modules/NAME...]/REST for REST = T minus ".git/".
 *   A trailing '/' on a plain pattern is ignored too.
 */

#include <stdbool.h>
#include <stddef.h>

typedef struct cj_pathpat {
        const char *prefix; /* the pattern itself for a plain one */
        size_t prefix_len;  /* 0 for "/" + "**" + "/T" (the whole tree); trailing '/' excluded */
        const char *tail;   /* T, or NULL for a plain pattern */
} cj_pathpat;

/* Split pat (no allocation: the fields point into pat). */
void cj_pathpat_split(const char *pat, cj_pathpat *out);

/* Does path (absolute, normalized) fall under pattern pat? */
bool cj_pathpat_match(const char *pat, const char *path);

/* Under one of pats (NULL-terminated; NULL = none)? */
bool cj_pathpat_match_any(char *const *pats, const char *path);

/* Does an exception (filesystem.deny_except) reopen path itself: the
 * topmost path a pattern covers (".../.env.example", not a file below it)? */
bool cj_pathpat_excepted(char *const *except, const char *path);

/* Is path masked by a deny list with its exceptions (filesystem.deny and
 * filesystem.deny_except)?  The plan masks each path a deny pattern names
 * (".env*" names ".env.local" and a ".env" inside ".env.d"), except those an
 * exception reopens: path is masked when a prefix of it, or itself, is named
 * and not reopened.  So an exception reopens ".env.example", never a
 * ".env" inside it. */
bool cj_pathpat_masked(char *const *deny, char *const *except, const char *path);

/* Does rel (a relative path, no leading '/') start with a component run
 * spelling tail, i.e. is dir/rel covered by a "dir/ ** /tail" pattern matched at
 * dir itself?  The building block of cj_pathpat_match, and what a directory
 * scan asks about each entry. */
bool cj_pathpat_tail_at(const char *tail, const char *rel);
