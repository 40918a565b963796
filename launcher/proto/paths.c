/* SPDX-License-Identifier: MIT */
#include "paths.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/pathpat.h"

__attribute__((format(printf, 2, 3))) static int bad_path(cj_proto_error *perr, const char *fmt, ...) {
        perr->code = CJ_PROTO_BAD_PATH;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(perr->message, sizeof perr->message, fmt, ap);
        va_end(ap);
        return -EACCES;
}

static bool under_any(const char *path, char *const *roots) {
        for (size_t i = 0; roots && roots[i]; i++)
                if (cj_path_is_under(path, roots[i]))
                        return true;
        return false;
}

static bool has_dotdot(const char *p) {
        for (const char *s = p; (s = strstr(s, "..")); s += 2)
                if ((s == p || s[-1] == '/') && (s[2] == '\0' || s[2] == '/'))
                        return true;
        return false;
}

int cj_proto_resolve_path(const char *path, const char *cwd, char *const *roots, char **out, cj_proto_error *perr) {
        if (!path || !*path)
                return bad_path(perr, "empty path");
        _cleanup_free_ char *joined = NULL;
        if (path[0] != '/') {
                if (!cwd || cwd[0] != '/')
                        return bad_path(perr, "relative path '%.256s' needs an absolute cwd", path);
                joined = cj_path_join(cwd, path);
        } else
                joined = strdup(path);
        if (!joined)
                return bad_path(perr, "out of memory");
        _cleanup_free_ char *norm = cj_path_normalize(joined);
        if (!norm)
                return bad_path(perr, "out of memory");
        if (!under_any(norm, roots)) {
                if (has_dotdot(path))
                        return bad_path(perr, "'%.256s' climbs out of the profile's roots with '..' (to %.256s)", path,
                                        norm);
                return bad_path(perr, "'%.256s' is outside the profile's roots", norm);
        }
        *out = TAKE_PTR(norm);
        return 0;
}

int cj_proto_check_cwd(const char *cwd, const char *base, char *const *roots, char **out, cj_proto_error *perr) {
        /* A relative cwd means what it means on the command line: under the workspace. */
        if (!cwd || (cwd[0] != '/' && (!base || base[0] != '/')))
                return bad_path(perr, "cwd '%.256s' must be an absolute path", cwd ? cwd : "");
        int r = cj_proto_resolve_path(cwd, cwd[0] == '/' ? NULL : base, roots, out, perr);
        if (r < 0)
                snprintf(perr->message, sizeof perr->message, "cwd '%.256s' is outside the profile's roots", cwd);
        return r;
}

bool cj_proto_path_matches(const char *path, char *const *patterns) {
        return cj_pathpat_match_any(patterns, path);
}

/* Length of the longest entry of list that holds path; 0 if none does. */
static size_t longest_under(const char *path, char *const *list) {
        size_t best = 0;
        for (size_t i = 0; list && list[i]; i++)
                if (cj_path_is_under(path, list[i]) && strlen(list[i]) > best)
                        best = strlen(list[i]);
        return best;
}

bool cj_proto_persistent(const cj_profile *p, const char *path) {
        size_t rw = longest_under(path, p->fs_rw);
        /* A tmpfs at the very path of an rw root replaces it in the mount plan. */
        return rw > 0 && rw > longest_under(path, p->fs_tmpfs);
}

int cj_proto_check_target(const cj_profile *p, cj_tool tool, const char *path, cj_proto_error *perr) {
        bool writing = tool == CJ_TOOL_WRITE || tool == CJ_TOOL_EDIT;
        if (cj_pathpat_masked(p->fs_deny, p->fs_deny_except, path))
                return bad_path(perr, "'%.256s' is denied by the profile", path);
        if (!writing)
                return 0;
        if (cj_proto_path_matches(path, p->fs_protect))
                return bad_path(perr, "'%.256s' is protected by the profile (read-only)", path);
        if (!cj_proto_persistent(p, path)) {
                bad_path(perr,
                         "'%.256s' is not on a persistent writable root (the profile's \"rw\" roots and --rw): "
                         "it is read-only or on the call's private tmpfs, where the bytes would be lost when the "
                         "call ends",
                         path);
                perr->code = CJ_PROTO_NOT_WRITABLE;
                return -EROFS;
        }
        return 0;
}

int cj_proto_file_path(const cj_profile *p, cj_tool tool, const char *path, const char *cwd, char **out,
                       cj_proto_error *perr) {
        _cleanup_(cj_strv_freep) cj_strv roots = NULL;
        char *const *lists[] = { p->fs_ro, p->fs_rw, p->fs_tmpfs };
        for (size_t l = 0; l < CJ_ARRAY_SIZE(lists); l++)
                for (size_t i = 0; lists[l] && lists[l][i]; i++)
                        if (cj_strv_push(&roots, lists[l][i]) < 0)
                                return bad_path(perr, "out of memory");
        if (!cwd)
                cwd = p->fs_rw && p->fs_rw[0] ? p->fs_rw[0] : NULL;
        _cleanup_free_ char *resolved = NULL;
        int r = cj_proto_resolve_path(path, cwd, roots, &resolved, perr);
        if (r < 0)
                return r; /* outside every root: bad_path, as for a read */
        if ((r = cj_proto_check_target(p, tool, resolved, perr)) < 0)
                return r;
        *out = TAKE_PTR(resolved);
        return 0;
}
