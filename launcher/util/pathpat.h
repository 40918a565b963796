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

/*
 * The deny list with its exceptions prepared for a walk below one root (the
 * mask walk in pid 1 asks about every entry of a workspace).  It answers
 * cj_pathpat_masked for an entry P/name whose directory P is not masked,
 * without going over P's prefixes again: then P/name is masked exactly when
 * a deny pattern names P/name itself and no exception reopens it, and an
 * exception reopens it only when it names P/name and covers nothing of P.
 * Only the patterns that can name something below the root are kept, each
 * split once; a "** /T" tail of k components can only name the path's last
 * k components (the ".git/" submodule rule asks the full definition, and only
 * on paths holding "/.git/modules/").
 */
typedef struct cj_pathpat_wpat {
        const char *pat;   /* the pattern, for the submodule rule's full check */
        const char *text;  /* plain: the path it names; tail: T */
        size_t len;        /* plain: text's length; tail: T's literal part (without a final '*') */
        size_t start;      /* tail: the first '/' of the path a match may start after */
        size_t slashes;    /* tail: '/' in T's literal part: it names the last slashes+1 components */
        bool plain, glob;  /* glob: T ends in '*' */
        bool modules;      /* tail starts with ".git/": the submodule rule applies */
        bool check_under;  /* the pattern's prefix lies strictly below the root: check path is under it */
        size_t prefix_len; /* with check_under: the prefix's length */
} cj_pathpat_wpat;

typedef struct cj_pathpat_walk {
        char *const *deny, *const *except;
        cj_pathpat_wpat *pats; /* the deny patterns that apply, then the exceptions */
        size_t ndeny, nexcept;
        bool exact;       /* a plain "/" (or empty) pattern: every answer from the full definition */
        bool root_masked; /* the root itself is masked, so is everything below it */
        bool root_except; /* an exception covers the root */
} cj_pathpat_walk;

/* Prepare deny/except (kept by reference) for a walk below root (absolute,
 * normalized; "" or "/" for the whole tree).  0 or -ENOMEM. */
int cj_pathpat_walk_init(cj_pathpat_walk *w, char *const *deny, char *const *except, const char *root);
void cj_pathpat_walk_free(cj_pathpat_walk *w);

/* Is path (len bytes: an unmasked directory's path, '/', one component) masked?
 * parent_except: an exception covers the directory (the root's is
 * w->root_except).  *covers_except (unless NULL): an exception covers path,
 * what its own entries pass as parent_except. */
bool cj_pathpat_walk_masked(const cj_pathpat_walk *w, const char *path, size_t len, bool parent_except,
                            bool *covers_except);
