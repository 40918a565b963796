/* SPDX-License-Identifier: MIT */
#include "pathpat.h"

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
