/* SPDX-License-Identifier: MIT */
#include "pathpat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define GLOBSTAR "/**/"

static size_t strip_slashes(const char *s, size_t n) {
        while (n > 1 && s[n - 1] == '/')
                n--;
        return n;
}

void cj_pathpat_split(const char *pat, cj_pathpat *out) {
        const char *g = strstr(pat, GLOBSTAR);
        if (!g) {
                *out = (cj_pathpat){ pat, strip_slashes(pat, strlen(pat)), NULL };
                return;
        }
        *out = (cj_pathpat){ pat, (size_t) (g - pat), g + strlen(GLOBSTAR) };
}

/* path is prefix[0..len) or below it; len 0 or "/" is the whole tree. */
static bool under(const char *path, const char *prefix, size_t len) {
        if (len == 0 || (len == 1 && prefix[0] == '/'))
                return path[0] == '/';
        return strncmp(path, prefix, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

bool cj_pathpat_tail_at(const char *tail, const char *rel) {
        size_t tl = strip_slashes(tail, strlen(tail));
        if (tl == 0 || (tl == 1 && tail[0] == '/'))
                return false;
        bool glob = tail[tl - 1] == '*';
        size_t lit = glob ? tl - 1 : tl;
        if (strncmp(rel, tail, lit) != 0)
                return false;
        if (glob) /* '*' takes the rest of that component, whatever follows is below it */
                return true;
        return rel[lit] == '\0' || rel[lit] == '/';
}

/* A ".git/REST" tail inside a submodule's git dir: rel starts with
 * ".git/modules/" and REST appears after at least one more component. */
static bool tail_in_modules(const char *tail, const char *rel) {
        static const char mods[] = ".git/modules/";
        if (strncmp(tail, ".git/", 5) != 0 || strncmp(rel, mods, sizeof mods - 1) != 0)
                return false;
        for (const char *s = strchr(rel + sizeof mods - 1, '/'); s; s = strchr(s + 1, '/'))
                if (cj_pathpat_tail_at(tail + 5, s + 1))
                        return true;
        return false;
}

bool cj_pathpat_match(const char *pat, const char *path) {
        cj_pathpat pp;
        cj_pathpat_split(pat, &pp);
        if (!under(path, pp.prefix, pp.prefix_len))
                return false;
        if (!pp.tail)
                return true;
        size_t start = pp.prefix_len == 1 && pp.prefix[0] == '/' ? 0 : pp.prefix_len;
        for (const char *s = path + start; s && *s == '/'; s = strchr(s + 1, '/'))
                if (cj_pathpat_tail_at(pp.tail, s + 1) || tail_in_modules(pp.tail, s + 1))
                        return true;
        return false;
}

bool cj_pathpat_match_any(char *const *pats, const char *path) {
        for (size_t i = 0; pats && pats[i]; i++)
                if (cj_pathpat_match(pats[i], path))
                        return true;
        return false;
}

/* Does tail spell rel exactly (nothing below it)? */
static bool tail_is(const char *tail, const char *rel) {
        if (!cj_pathpat_tail_at(tail, rel))
                return false;
        size_t tl = strip_slashes(tail, strlen(tail));
        bool glob = tail[tl - 1] == '*';
        size_t lit = glob ? tl - 1 : tl;
        return glob ? !strchr(rel + lit, '/') : rel[lit] == '\0';
}

/* Does pat name path itself (not only something above it)?  A ".git/" tail
 * in a submodule git dir counts as naming whatever it covers (conservative:
 * such a path stays masked). */
static bool names(const char *pat, const char *path) {
        cj_pathpat pp;
        cj_pathpat_split(pat, &pp);
        if (!under(path, pp.prefix, pp.prefix_len))
                return false;
        if (!pp.tail)
                return strlen(path) == pp.prefix_len;
        size_t start = pp.prefix_len == 1 && pp.prefix[0] == '/' ? 0 : pp.prefix_len;
        for (const char *s = path + start; s && *s == '/'; s = strchr(s + 1, '/'))
                if (tail_is(pp.tail, s + 1) || tail_in_modules(pp.tail, s + 1))
                        return true;
        return false;
}

static bool names_any(char *const *pats, const char *path) {
        for (size_t i = 0; pats && pats[i]; i++)
                if (names(pats[i], path))
                        return true;
        return false;
}

bool cj_pathpat_excepted(char *const *except, const char *path) {
        if (!cj_pathpat_match_any(except, path))
                return false;
        const char *slash = strrchr(path, '/');
        if (!slash || slash == path)
                return true;
        char *parent = strndup(path, (size_t) (slash - path));
        bool above = !parent || cj_pathpat_match_any(except, parent);
        free(parent);
        return !above;
}

bool cj_pathpat_masked(char *const *deny, char *const *except, const char *path) {
        if (!cj_pathpat_match_any(deny, path))
                return false;
        if (!except || !except[0])
                return true;
        /* Masked when some prefix of path (path included) is named by a deny
         * pattern and not reopened by an exception: what the plan's scan finds
         * and masks, one mask per named path. */
        size_t n = strlen(path);
        char *buf = malloc(n + 1);
        if (!buf)
                return true; /* out of memory: stay masked */
        bool masked = false;
        for (size_t i = 1; i <= n && !masked; i++) {
                if (i < n && path[i] != '/')
                        continue;
                memcpy(buf, path, i);
                buf[i] = '\0';
                masked = names_any(deny, buf) && !cj_pathpat_excepted(except, buf);
        }
        free(buf);
        return masked;
}

/* ---- a walk below one root ------------------------------------------------ */

/* Split pat for entries strictly below root (rlen bytes, 0 for the whole
 * tree).  false: it can name nothing there. */
static bool wpat_prepare(const char *pat, const char *root, size_t rlen, cj_pathpat_wpat *out) {
        cj_pathpat pp;
        cj_pathpat_split(pat, &pp);
        /* pp.prefix strictly below root: an entry must be under it (plain: be it). */
        bool below = pp.prefix_len > rlen && strncmp(pp.prefix, root, rlen) == 0 && pp.prefix[rlen] == '/';
        if (!pp.tail) {
                if (!below)
                        return false;
                *out = (cj_pathpat_wpat){.pat = pat, .text = pp.prefix, .len = pp.prefix_len, .plain = true};
                return true;
        }
        size_t tl = strip_slashes(pp.tail, strlen(pp.tail));
        if (tl == 0 || (tl == 1 && pp.tail[0] == '/'))
                return false; /* cj_pathpat_tail_at: such a tail names nothing */
        bool whole = pp.prefix_len == 0 || (pp.prefix_len == 1 && pp.prefix[0] == '/');
        /* Every entry below root is under the prefix when root is under it. */
        bool above = whole || (rlen > 0 && under(root, pp.prefix, pp.prefix_len));
        if (!above && !below)
                return false;
        bool glob = pp.tail[tl - 1] == '*';
        size_t lit = glob ? tl - 1 : tl, slashes = 0;
        for (size_t i = 0; i < lit; i++)
                slashes += pp.tail[i] == '/';
        *out = (cj_pathpat_wpat){
                .pat = pat,
                .text = pp.tail,
                .len = lit,
                .start = whole ? 0 : pp.prefix_len,
                .slashes = slashes,
                .glob = glob,
                .modules = strncmp(pp.tail, ".git/", 5) == 0,
                .check_under = !above,
                .prefix_len = pp.prefix_len,
        };
        return true;
}

/* names(p->pat, path) for a path below the walk's root. */
static bool wpat_names(const cj_pathpat_wpat *p, const char *path, size_t len) {
        if (p->plain)
                return len == p->len && memcmp(path, p->text, len) == 0;
        if (p->check_under && !(len > p->prefix_len && path[p->prefix_len] == '/' &&
                                memcmp(path, p->pat, p->prefix_len) == 0))
                return false;
        /* tail_in_modules only ever matches at a "/.git/modules/" of the path. */
        if (p->modules && len > p->start && memmem(path + p->start, len - p->start, "/.git/modules/", 14))
                return names(p->pat, path);
        /* tail_is holds at one '/' at most: the one slashes+1 from the end. */
        size_t s = len;
        for (size_t i = 0; i <= p->slashes; i++) {
                const char *slash = memrchr(path, '/', s);
                if (!slash)
                        return false;
                s = (size_t) (slash - path);
        }
        if (s < p->start)
                return false;
        size_t n = len - s - 1;
        return (p->glob ? n >= p->len : n == p->len) && memcmp(path + s + 1, p->text, p->len) == 0;
}

/* A plain "/" or "" names no path but covers all: outside what the walk's
 * rule assumes (match = some prefix named), so such a list asks the full
 * definition. */
static bool degenerate(char *const *pats) {
        for (size_t i = 0; pats && pats[i]; i++) {
                cj_pathpat pp;
                cj_pathpat_split(pats[i], &pp);
                if (!pp.tail && (pp.prefix_len == 0 || (pp.prefix_len == 1 && pp.prefix[0] == '/')))
                        return true;
        }
        return false;
}

int cj_pathpat_walk_init(cj_pathpat_walk *w, char *const *deny, char *const *except, const char *root) {
        *w = (cj_pathpat_walk){.deny = deny, .except = except};
        size_t rlen = strcmp(root, "/") == 0 ? 0 : strlen(root);
        if (rlen > 0) {
                w->root_masked = cj_pathpat_masked(deny, except, root);
                w->root_except = cj_pathpat_match_any(except, root);
        }
        if (degenerate(deny) || degenerate(except)) {
                w->exact = true;
                return 0;
        }
        /* Sized to the patterns that apply (a few): pid 1 is a copy-on-write
         * clone of the launcher, where a malloc of 1 KiB or more makes glibc
         * consolidate free chunks across the launcher's heap, a page fault
         * each (sandbox/maskwalk.c, LIST_BUF). */
        size_t n = 0;
        cj_pathpat_wpat scratch;
        for (size_t i = 0; deny && deny[i]; i++)
                n += wpat_prepare(deny[i], root, rlen, &scratch);
        for (size_t i = 0; except && except[i]; i++)
                n += wpat_prepare(except[i], root, rlen, &scratch);
        if (n == 0)
                return 0;
        w->pats = calloc(n, sizeof *w->pats);
        if (!w->pats)
                return -ENOMEM;
        for (size_t i = 0; deny && deny[i]; i++)
                w->ndeny += wpat_prepare(deny[i], root, rlen, &w->pats[w->ndeny]);
        for (size_t i = 0; except && except[i]; i++)
                w->nexcept += wpat_prepare(except[i], root, rlen, &w->pats[w->ndeny + w->nexcept]);
        return 0;
}

void cj_pathpat_walk_free(cj_pathpat_walk *w) {
        free(w->pats);
        w->pats = NULL;
        w->ndeny = w->nexcept = 0;
}

bool cj_pathpat_walk_masked(const cj_pathpat_walk *w, const char *path, size_t len, bool parent_except,
                            bool *covers_except) {
        if (w->exact) {
                if (covers_except)
                        *covers_except = cj_pathpat_match_any(w->except, path);
                return cj_pathpat_masked(w->deny, w->except, path);
        }
        bool named = w->root_masked;
        for (size_t i = 0; i < w->ndeny && !named; i++)
                named = wpat_names(&w->pats[i], path, len);
        /* An exception reopens path when it names it and covers nothing
         * above (cj_pathpat_excepted): with the parent covered, it cannot. */
        bool reopened = false;
        if (!parent_except && ((named && !w->root_masked) || covers_except))
                for (size_t i = 0; i < w->nexcept && !reopened; i++)
                        reopened = wpat_names(&w->pats[w->ndeny + i], path, len);
        if (covers_except)
                *covers_except = parent_except || reopened;
        return w->root_masked || (named && !reopened);
}
