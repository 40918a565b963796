/* SPDX-License-Identifier: MIT */
#include "paths.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fileio.h"

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

int cj_proto_check_cwd(const char *cwd, char *const *roots, char **out, cj_proto_error *perr) {
        if (!cwd || cwd[0] != '/')
                return bad_path(perr, "cwd '%.256s' must be an absolute path", cwd ? cwd : "");
        int r = cj_proto_resolve_path(cwd, NULL, roots, out, perr);
        if (r < 0)
                snprintf(perr->message, sizeof perr->message, "cwd '%.256s' is outside the profile's roots", cwd);
        return r;
}

static bool pattern_matches(const char *path, const char *pat) {
        const char *stars = strstr(pat, "/**/");
        if (!stars)
                return cj_path_is_under(path, pat);
        size_t plen = (size_t) (stars - pat);
        _cleanup_free_ char *prefix = strndup(pat, plen ? plen : 1);
        if (!prefix)
                return true; /* fail closed */
        if (plen == 0)
                prefix[0] = '/';
        if (!cj_path_is_under(path, prefix))
                return false;
        const char *name = stars + 3; /* "/NAME" */
        size_t nlen = strlen(name);
        for (const char *s = path + plen; (s = strstr(s, name)); s++)
                if (s[nlen] == '\0' || s[nlen] == '/')
                        return true;
        return false;
}

bool cj_proto_path_matches(const char *path, char *const *patterns) {
        for (size_t i = 0; patterns && patterns[i]; i++)
                if (pattern_matches(path, patterns[i]))
                        return true;
        return false;
}

int cj_proto_file_path(const cj_profile *p, cj_tool tool, const char *path, const char *cwd, char **out,
                       cj_proto_error *perr) {
        bool writing = tool == CJ_TOOL_WRITE || tool == CJ_TOOL_EDIT;
        _cleanup_(cj_strv_freep) cj_strv roots = NULL;
        char *const *lists[] = { writing ? NULL : p->fs_ro, p->fs_rw, p->fs_tmpfs };
        for (size_t l = 0; l < CJ_ARRAY_SIZE(lists); l++)
                for (size_t i = 0; lists[l] && lists[l][i]; i++)
                        if (cj_strv_push(&roots, lists[l][i]) < 0)
                                return bad_path(perr, "out of memory");
        if (!cwd)
                cwd = p->fs_rw && p->fs_rw[0] ? p->fs_rw[0] : NULL;
        _cleanup_free_ char *resolved = NULL;
        int r = cj_proto_resolve_path(path, cwd, roots, &resolved, perr);
        if (r < 0) {
                _cleanup_free_ char *ro = NULL;
                cj_proto_error ignored = { 0 };
                if (writing && p->fs_ro && cj_proto_resolve_path(path, cwd, p->fs_ro, &ro, &ignored) >= 0)
                        return bad_path(perr, "'%.256s' is read-only under this profile", ro);
                return r;
        }
        if (cj_proto_path_matches(resolved, p->fs_deny))
                return bad_path(perr, "'%.256s' is denied by the profile", resolved);
        if (writing && cj_proto_path_matches(resolved, p->fs_protect))
                return bad_path(perr, "'%.256s' is protected by the profile (read-only)", resolved);
        *out = TAKE_PTR(resolved);
        return 0;
}
