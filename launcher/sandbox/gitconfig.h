/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * A strict parser for the subset of git's config syntax that git itself
 * writes (`git config`, `git init`, `git remote add` ...), and the list of keys
 * that make the host's git run a program or load code (docs/security.md).
 * Pure functions over bytes: the sandbox uses them to let a call change
 * .git/config and to revert, after it, every change to such a key.
 *
 * Accepted: blank lines; `#`/`;` comments; `[section]`, `[section "sub"]`
 * (with \" and \\ escapes), `[section.sub]`; `name = value` or a bare `name`,
 * one per line, also after a header on the same line; values with "quoted"
 * parts, \\ \" \n \t \b escapes and trailing comments.  Anything else (a line
 * continuation, a NUL, a stray character) makes the whole text unparseable.
 */

#include <stdbool.h>
#include <stddef.h>

#define CJ_GITCONFIG_MAX (1u << 20)       /* bytes of a config clawjail parses; larger = unparseable */
#define CJ_GITCONFIG_ENTRIES_MAX 100000   /* entries in one file */

typedef struct cj_gitconfig_entry {
        char *key;         /* canonical: section (lowercase) [. subsection (as written)] . name (lowercase) */
        char *value;       /* unescaped; NULL for a bare `name` (boolean true) */
        size_t line_off;   /* the byte range of its line (through the newline) */
        size_t line_len;
        bool own_line;     /* the line holds only this entry (not also a section header) */
        char *section_hdr; /* "[section \"sub\"]" to write it back under */
        char *raw;         /* the entry's text as written: `name = value` */
} cj_gitconfig_entry;

typedef struct cj_gitconfig {
        cj_gitconfig_entry *e;
        size_t n;
} cj_gitconfig;

/* Parse text.  Returns 0, -EINVAL (unparseable: *line_no, may be NULL, gets
 * the 1-based line) or -ENOMEM / -E2BIG. */
int cj_gitconfig_parse(const char *text, size_t len, cj_gitconfig *out, size_t *line_no);

void cj_gitconfig_clear(cj_gitconfig *c);

/* True if the host's git would run a program or load code because of this
 * entry: core.hooksPath, core.fsmonitor, alias.X = "!...", filter.X.smudge ...
 * (the full list and why: docs/security.md). */
bool cj_gitconfig_key_dangerous(const char *key, const char *value);

/* Given the config before a call (old) and after it (new, both parsed), build
 * the text to write back: new with every dangerous entry it has removed, and
 * old's dangerous entries added back under their sections, so benign changes
 * (user.email, remotes, branches) stay.  Returns 0 with *out NULL when the
 * dangerous entries of both are the same (nothing to revert), 1 with *out
 * (malloc'd, *out_len bytes) and *changed (malloc'd, NULL-terminated list of
 * the keys reverted) otherwise, or -ENOMEM. */
int cj_gitconfig_revert(const char *new_text, size_t new_len, const cj_gitconfig *old, const cj_gitconfig *new,
                        char **out, size_t *out_len, char ***changed);
