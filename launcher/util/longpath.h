/* SPDX-License-Identifier: MIT */
#pragma once

/* Absolute paths of any length.  A workspace can hold paths longer than
 * PATH_MAX (`mkdir` relative to a deep directory never sees the whole path),
 * and a scan that gave up on them would either brick every later call or,
 * worse, take what it cannot see for absent.  These resolve a long path
 * through directory fds, PATH_MAX-sized chunk by chunk, so the kernel never
 * sees a string longer than PATH_MAX; short paths go straight to the syscall. */

#include <stdbool.h>

/* A path as a (dfd, rel) pair for the *at() syscalls. */
typedef struct cj_at {
        int dfd;         /* AT_FDCWD, or fd below */
        const char *rel; /* points into the caller's path: keep it alive */
        int fd;          /* owned O_PATH directory fd, or -1 */
} cj_at;

/* Split absolute path so that dfd + rel name it and rel is shorter than
 * PATH_MAX.  Every directory above rel resolves as in a plain path walk
 * (symlinks followed), or, with no_symlinks, fails with ELOOP at a symlink
 * (openat2 RESOLVE_NO_SYMLINKS).  0 or -errno (nothing to close then). */
int cj_at_open(const char *path, bool no_symlinks, cj_at *at);
void cj_at_close(cj_at *at);

/* open(2) of a path of any length; no_symlinks as above, applied to every
 * component including the last.  fd or -errno. */
int cj_open_long(const char *path, int flags, bool no_symlinks);

/* realpath(3) without PATH_MAX: resolves component by component through
 * fds, following at most CJ_LONGPATH_LINKS_MAX symlinks (then ELOOP).
 * NULL with errno set on failure. */
#define CJ_LONGPATH_LINKS_MAX 40
char *cj_realpath_long(const char *path);
