/* SPDX-License-Identifier: MIT */
/* The "**" scan of the host for profile patterns (scan.h). */
#include "scan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/longpath.h"
#include "util/pathpat.h"

/* ---- failing closed ----------------------------------------------------- */

/* A path the scan could not examine: the call must not start, since a mask
 * or protection below it could be missing.  The message names the path and
 * the fix.  clawjail never restores a mode itself, even on a directory its
 * own uid owns: `chmod 000` may be the user's way to keep the agent out of
 * a directory, and undoing it would hand the sandbox what it was denied. */
#define MSG_PATH_MAX 260 /* a path in a message: longer ones keep head and tail */

static const char *msg_path(const char *path, char buf[MSG_PATH_MAX]) {
        size_t l = strlen(path);
        if (l < MSG_PATH_MAX)
                return path;
        snprintf(buf, MSG_PATH_MAX, "%.100s...%s", path, path + l - 150);
        return buf;
}

/* The outermost directory on the way to path (or path itself) that denies
 * the launcher search or listing: what `chmod u+rwx` must be given. */
static char *denying_dir(const char *path) {
        _cleanup_free_ char *c = strdup(path);
        if (!c)
                return NULL;
        for (char *slash = strchr(c + 1, '/');; slash = strchr(slash + 1, '/')) {
                if (slash)
                        *slash = '\0';
                cj_at at;
                bool denied = false;
                int r = cj_at_open(c, false, &at);
                if (r == -EACCES)
                        denied = true;
                else if (r == 0) {
                        denied = faccessat(at.dfd, at.rel, R_OK | X_OK, AT_EACCESS) < 0 && errno == EACCES;
                        cj_at_close(&at);
                }
                if (denied || !slash)
                        return TAKE_PTR(c);
                *slash = '/';
        }
}

int cj_scan_unexaminable(cj_error *err, int e, const char *path) {
        if (e == 0)
                e = EIO;
        char buf[MSG_PATH_MAX], dbuf[MSG_PATH_MAX];
        const char *p = msg_path(path, buf);
        if (e == EACCES || e == EPERM) {
                _cleanup_free_ char *deny = denying_dir(path);
                return cj_error_set(err, e,
                                    "cannot examine %s for masked and protected paths (%s): refusing to run rather "
                                    "than leave a secret unmasked or a git config writable; if a call took its "
                                    "owner's access away, give it back on the host: chmod u+rwx '%s'",
                                    p, strerror(e), deny ? msg_path(deny, dbuf) : p);
        }
        return cj_error_set(err, e,
                            "cannot examine %s for masked and protected paths (%s): refusing to run rather than "
                            "leave a secret unmasked or a git config writable; %s",
                            p, strerror(e),
                            e == ENAMETOOLONG ? "shorten or remove that path on the host"
                                              : "fix or remove that path on the host");
}

int cj_scan_examine(const cj_fs_probe *probe, const char *path, cj_file_type *t, cj_error *err) {
        errno = 0;
        *t = probe->lstat_type(probe->ctx, path);
        return *t == CJ_FT_ERROR ? cj_scan_unexaminable(err, errno, path) : 0;
}

/* ---- one path ------------------------------------------------------------ */

static int push_join(cj_strv *found, const char *dir, const char *name, size_t len, bool create) {
        _cleanup_free_ char *n = strndup(name, len);
        _cleanup_free_ char *c = n ? cj_path_join(dir, n) : NULL;
        if (!c)
                return -ENOMEM;
        if (create) {
                char *cs = NULL;
                if (asprintf(&cs, "%s/", c) < 0)
                        return -ENOMEM;
                free(c);
                c = cs;
        }
        return cj_strv_push(found, c) < 0 ? -ENOMEM : 0;
}

/* Does dir/tail exist?  A tail ending in '/' that is missing but whose parent
 * is a directory matches too, recorded with the trailing '/' (create it).  A
 * tail ending in '*' matches every name in its directory with that prefix.
 * Path by path: the walk below decides what it can from a listing first. */
static int match_candidate(const cj_fs_probe *probe, const char *dir, const char *tail, cj_strv *found,
                           cj_error *err) {
        size_t tl = strlen(tail);
        bool create = tl > 1 && tail[tl - 1] == '/';
        _cleanup_free_ char *c = cj_path_join(dir, tail);
        if (!c)
                return -ENOMEM;
        size_t cl = strlen(c);
        if (create && c[cl - 1] == '/')
                c[--cl] = '\0';
        cj_file_type t;
        if (tl > 1 && tail[tl - 1] == '*') {
                char *slash = strrchr(c, '/');
                *slash = '\0';
                const char *prefix = slash + 1;
                size_t pl = strlen(prefix) - 1; /* without the '*' */
                int r = cj_scan_examine(probe, c, &t, err);
                if (r < 0 || t != CJ_FT_DIR)
                        return r;
                _cleanup_(cj_dir_list_free) cj_dir_list l = { 0 };
                if ((r = probe->list(probe->ctx, c, &l)) < 0)
                        return r == -ENOENT ? 0 : cj_scan_unexaminable(err, -r, c);
                size_t off = 0, nl;
                for (const char *name; (name = cj_dir_list_next(&l, &off, &t, &nl));)
                        if (strncmp(name, prefix, pl) == 0 && (r = push_join(found, c, name, nl, false)) < 0)
                                return r;
                return 0;
        }
        int r = cj_scan_examine(probe, c, &t, err);
        if (r < 0)
                return r;
        if (t != CJ_FT_MISSING)
                return cj_strv_push(found, c);
        if (!create)
                return 0;
        _cleanup_free_ char *parent = strdup(c);
        if (!parent)
                return -ENOMEM;
        *strrchr(parent, '/') = '\0';
        if ((r = cj_scan_examine(probe, parent, &t, err)) < 0 || t != CJ_FT_DIR)
                return r;
        c[cl] = '/';
        return cj_strv_push(found, c);
}

/* ---- the walk ------------------------------------------------------------- */

/* What follows "prefix/" + "**" + "/" in one pattern, parsed once for the walk. */
typedef struct scan_tail {
        const char *tail;
        cj_strv *found; /* its list's */
        size_t first;   /* length of its first component */
        bool single;    /* one component (a trailing '/' aside): decided from the listing alone */
        bool star;      /* single, ending in '*' */
        bool create;    /* single, ending in '/' */
        bool plain;     /* its first component is a name a listing shows (not "", ".", "..") */
        bool git;       /* ".git/...": applies in submodule git dirs too */
        cj_file_type seen; /* its first component in the listing at hand (match_listing) */
} scan_tail;

/* Every pattern of every list sharing one prefix, matched in one walk. */
typedef struct scan {
        const char *prefix;
        scan_tail *tails;
        size_t n;
        bool git;           /* some tail is ".git/..." */
        unsigned char firsts[32]; /* bitmap of the first bytes of the tails a listing decides */
        const cj_fs_probe *probe;
        size_t dirs;
} scan;

static void tail_parse(scan_tail *t, const char *tail, cj_strv *found) {
        size_t tl = strlen(tail), first = strcspn(tail, "/");
        *t = (scan_tail){ .tail = tail, .found = found, .first = first, .git = strncmp(tail, ".git/", 5) == 0 };
        /* A first component the listing cannot show ("", ".", "..") is left
         * to the path-by-path match; "a//" too (a path with a trailing '/'). */
        t->plain = first > 0 && !(tail[0] == '.' && (first == 1 || (first == 2 && tail[1] == '.')));
        t->single = t->plain && (first == tl || (first == tl - 1 && tl > 1));
        t->star = t->single && first == tl && tl > 1 && tail[tl - 1] == '*';
        t->create = t->single && first == tl - 1;
}

/* Submodules keep their git dirs in .git/modules/NAME (nested: .../modules/NAME/
 * modules/...), each with its own config and hooks that git obeys: every
 * ".git/..." tail applies inside each of them too. */
static int scan_modules(scan *s, const char *gitdir, unsigned depth, cj_error *err) {
        _cleanup_free_ char *mods = cj_path_join(gitdir, "modules");
        if (!mods)
                return -ENOMEM;
        cj_file_type mt;
        int r0 = cj_scan_examine(s->probe, mods, &mt, err);
        if (r0 < 0 || mt != CJ_FT_DIR)
                return r0;
        if (depth >= CJ_MOUNT_SCAN_DEPTH)
                return cj_error_set(err, EFBIG, "scanning %s: submodules nested more than %d levels deep", mods,
                                    CJ_MOUNT_SCAN_DEPTH);
        _cleanup_(cj_dir_list_free) cj_dir_list l = { 0 };
        if ((r0 = s->probe->list(s->probe->ctx, mods, &l)) < 0)
                return r0 == -ENOENT ? 0 : cj_scan_unexaminable(err, -r0, mods);
        size_t off = 0, nl;
        cj_file_type et;
        for (const char *name; (name = cj_dir_list_next(&l, &off, &et, &nl));) {
                if (et != CJ_FT_DIR)
                        continue;
                if (++s->dirs > CJ_MOUNT_SCAN_DIRS_MAX)
                        return cj_error_set(err, EFBIG, "scanning %s visited more than %d directories", s->prefix,
                                            CJ_MOUNT_SCAN_DIRS_MAX);
                _cleanup_free_ char *d = cj_path_join(mods, name);
                _cleanup_free_ char *head = d ? cj_path_join(d, "HEAD") : NULL;
                if (!head)
                        return -ENOMEM;
                cj_file_type ht;
                int r = cj_scan_examine(s->probe, head, &ht, err);
                if (r < 0)
                        return r;
                if (ht == CJ_FT_FILE) /* a git dir */
                        for (size_t t = 0; t < s->n; t++)
                                if (s->tails[t].git &&
                                    (r = match_candidate(s->probe, d, s->tails[t].tail + 5, s->tails[t].found, err)) < 0)
                                        return r;
                if ((r = scan_modules(s, d, depth + 1, err)) < 0) /* nested, or grouped names (a/b) */
                        return r;
        }
        return 0;
}

/* dir's .git, as its listing shows it (type gt). */
static int scan_submodules(scan *s, const char *dir, cj_file_type gt, cj_error *err) {
        if (gt != CJ_FT_FILE && gt != CJ_FT_DIR)
                return 0;
        _cleanup_free_ char *gitdir = cj_path_join(dir, ".git");
        if (!gitdir)
                return -ENOMEM;
        if (gt == CJ_FT_DIR)
                return scan_modules(s, gitdir, 0, err);
        /* A submodule or worktree checkout has a .git *file* ("gitdir: PATH"):
         * rewritten, it would point host git at a git dir the agent made.
         * Found once for each list with a ".git/" pattern. */
        for (size_t t = 0; t < s->n; t++) {
                bool first = s->tails[t].git;
                for (size_t u = 0; first && u < t; u++)
                        first = !(s->tails[u].git && s->tails[u].found == s->tails[t].found);
                if (first && cj_strv_push(s->tails[t].found, gitdir) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* Match every tail at dir against its listing l, in one pass over it: a
 * tail whose first component is not listed names nothing (but a directory to
 * create, "NAME/": dir is its parent), one whose first component is a file or
 * something else leads nowhere deeper (ENOTDIR), and only one whose first
 * component is a directory or a symlink is looked up path by path (a symlink
 * followed, as before the listing decided anything).  *git: how the listing
 * shows ".git". */
static int match_listing(scan *s, const char *dir, const cj_dir_list *l, cj_file_type *git, cj_error *err) {
        *git = CJ_FT_MISSING;
        for (size_t i = 0; i < s->n; i++)
                s->tails[i].seen = CJ_FT_MISSING;
        size_t off = 0, nl;
        cj_file_type et;
        int r = 0;
        for (const char *name; (name = cj_dir_list_next(l, &off, &et, &nl));) {
                unsigned char c0 = (unsigned char) name[0];
                if (!(s->firsts[c0 / 8] & (1u << (c0 % 8))))
                        continue; /* most names: no tail starts with their first byte */
                if (nl == 4 && memcmp(name, ".git", 4) == 0)
                        *git = et;
                for (size_t i = 0; i < s->n; i++) {
                        scan_tail *t = &s->tails[i];
                        if (t->star && nl >= t->first - 1 && memcmp(name, t->tail, t->first - 1) == 0 &&
                            (r = push_join(t->found, dir, name, nl, false)) < 0)
                                return r;
                        if (!t->star && t->plain && nl == t->first && memcmp(name, t->tail, nl) == 0)
                                t->seen = et;
                }
        }
        for (size_t i = 0; i < s->n; i++) {
                const scan_tail *t = &s->tails[i];
                if (t->star)
                        continue;
                if (t->single) {
                        if (t->seen != CJ_FT_MISSING || t->create)
                                r = push_join(t->found, dir, t->tail, t->first, t->seen == CJ_FT_MISSING);
                } else if (!t->plain || t->seen == CJ_FT_DIR || t->seen == CJ_FT_SYMLINK)
                        r = match_candidate(s->probe, dir, t->tail, t->found, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int scan_dir(scan *s, const char *dir, unsigned depth, cj_error *err) {
        if (++s->dirs > CJ_MOUNT_SCAN_DIRS_MAX)
                return cj_error_set(err, EFBIG,
                                    "scanning %s for protected and masked paths visited more than %d directories; "
                                    "narrow the profile's \"**\" patterns or the workspace",
                                    s->prefix, CJ_MOUNT_SCAN_DIRS_MAX);
        /* One listing decides every tail and gives the subdirectories.
         * Unreadable here is not unreadable inside: rootless, the call owns the
         * directory and can chmod it back (chmod 000 .git hid .git/config). */
        _cleanup_(cj_dir_list_free) cj_dir_list l = { 0 };
        int r = s->probe->list(s->probe->ctx, dir, &l);
        if (r < 0)
                return r == -ENOENT ? 0 : cj_scan_unexaminable(err, -r, dir);
        cj_file_type git;
        if ((r = match_listing(s, dir, &l, &git, err)) < 0)
                return r;
        if (s->git && (r = scan_submodules(s, dir, git, err)) < 0)
                return r;
        size_t off = 0, nl;
        cj_file_type et;
        for (const char *name; (name = cj_dir_list_next(&l, &off, &et, &nl));) {
                if (et != CJ_FT_DIR)
                        continue;
                if (depth >= CJ_MOUNT_SCAN_DEPTH) { /* never stop silently: a deeper .env would stay visible */
                        char buf[MSG_PATH_MAX];
                        const char *p = msg_path(dir, buf);
                        return cj_error_set(err, EFBIG,
                                            "scanning %s for protected and masked paths: %s has directories more "
                                            "than %d levels deep (CJ_MOUNT_SCAN_DEPTH); remove them on the host (rm "
                                            "-rf '%s/%s'), or narrow the profile's \"**\" patterns",
                                            s->prefix, p, CJ_MOUNT_SCAN_DEPTH, p, name);
                }
                if (nl == 4 && memcmp(name, ".git", 4) == 0)
                        continue; /* matched above as ".git/..."; its object store is not worth walking */
                _cleanup_free_ char *sub = cj_path_join(dir, name);
                if (!sub)
                        return -ENOMEM;
                if ((r = scan_dir(s, sub, depth + 1, err)) < 0)
                        return r;
        }
        return 0;
}

/* The prefix of a "**" pattern ("/" for the whole tree), or NULL for a plain one. */
static char *star_prefix(const char *pat, cj_pathpat *pp) {
        cj_pathpat_split(pat, pp);
        if (!pp->tail)
                return NULL;
        return pp->prefix_len ? strndup(pat, pp->prefix_len) : strdup("/");
}

int cj_scan_expand(char *const *const lists[], cj_strv *const found[], size_t n, const cj_fs_probe *probe,
                   cj_error *err) {
        _cleanup_strv_ cj_strv prefixes = NULL;
        size_t ntails = 0;
        for (size_t l = 0; l < n; l++)
                for (size_t i = 0; lists[l] && lists[l][i]; i++) {
                        cj_pathpat pp;
                        cj_pathpat_split(lists[l][i], &pp);
                        if (!pp.tail) {
                                int r = match_candidate(probe, "/", lists[l][i], found[l], err);
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        ntails++;
                        _cleanup_free_ char *prefix = star_prefix(lists[l][i], &pp);
                        if (!prefix)
                                return -ENOMEM;
                        if (!cj_strv_contains(prefixes, prefix) && cj_strv_push(&prefixes, prefix) < 0)
                                return -ENOMEM;
                }
        _cleanup_free_ scan_tail *tails = ntails ? calloc(ntails, sizeof *tails) : NULL;
        if (ntails && !tails)
                return -ENOMEM;
        for (size_t p = 0; prefixes && prefixes[p]; p++) {
                scan s = { .prefix = prefixes[p], .tails = tails, .probe = probe };
                for (size_t l = 0; l < n; l++)
                        for (size_t i = 0; lists[l] && lists[l][i]; i++) {
                                cj_pathpat pp;
                                _cleanup_free_ char *prefix = star_prefix(lists[l][i], &pp);
                                if (pp.tail && !prefix)
                                        return -ENOMEM;
                                if (!prefix || strcmp(prefix, prefixes[p]) != 0)
                                        continue;
                                scan_tail *t = &tails[s.n++];
                                tail_parse(t, pp.tail, found[l]);
                                s.git |= t->git;
                                unsigned char c0 = (unsigned char) t->tail[0];
                                if (t->plain)
                                        s.firsts[c0 / 8] |= (unsigned char) (1u << (c0 % 8));
                        }
                if (s.git) /* ".git" is looked at in every listing */
                        s.firsts['.' / 8] |= 1u << ('.' % 8);
                cj_file_type pt;
                int r = cj_scan_examine(probe, prefixes[p], &pt, err);
                if (r < 0)
                        return r;
                /* A prefix that is a symlink (`--rw /tmp/link`, link -> a
                 * repository: the root is bound from where it leads) is
                 * walked where it leads; the paths found are real ones, as
                 * every other root's are after the plan's realpath.  Skipped,
                 * it left that repository's .git/hooks writable. */
                _cleanup_free_ char *real = NULL;
                if (pt == CJ_FT_SYMLINK) {
                        errno = 0;
                        real = probe->realpath(probe->ctx, prefixes[p]);
                        if (!real && errno != ENOENT) /* dangling: nothing is bound there either */
                                return cj_scan_unexaminable(err, errno, prefixes[p]);
                        if (real && (r = cj_scan_examine(probe, real, &pt, err)) < 0)
                                return r;
                }
                if (pt == CJ_FT_DIR && (r = scan_dir(&s, real ? real : prefixes[p], 0, err)) < 0)
                        return r;
        }
        return 0;
}
