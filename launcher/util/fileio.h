/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdio.h>

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* Read a whole file (at most max bytes, else -EFBIG with a message) into a
 * NUL-terminated malloc'd buffer.  *len_out (may be NULL) gets the byte count. */
int cj_read_file(const char *path, size_t max, char **out, size_t *len_out, cj_error *err);

/* Read everything from fd up to max bytes (-EFBIG past it). NUL-terminated. */
int cj_read_fd(int fd, size_t max, char **out, size_t *len_out, cj_error *err);

/* Write all of buf to fd, retrying on EINTR and short writes. */
int cj_write_all(int fd, const void *buf, size_t len);

/* Replace path atomically: write a temp file in the same directory, fsync it,
 * rename over path, fsync the directory.  mode applies to a new file. */
int cj_write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode, cj_error *err);

/* Rewrite path in place (create it if missing): write at offset 0, then
 * truncate to len.  No temp file, no rename, no fsync: only for a cache
 * whose torn or garbled copy is detected and rebuilt by its reader. */
int cj_write_file_inplace(const char *path, const void *buf, size_t len, mode_t mode, cj_error *err);

/* fsync the directory that contains path. */
int cj_fsync_parent_dir(const char *path);

/* mkdir -p with mode for each created component. */
int cj_mkdir_p(const char *path, mode_t mode);

/* Join two path parts with exactly one '/'.  Caller frees; NULL on ENOMEM. */
char *cj_path_join(const char *a, const char *b);

/* True if path is `root` itself or lies below it (both absolute, normalized). */
bool cj_path_is_under(const char *path, const char *root);

/* Lexically normalize an absolute path: collapse "//", ".", "..".  Returns a
 * new string, or NULL with errno (EINVAL for a relative path). */
char *cj_path_normalize(const char *path);

/* One line from in without its newline, at most max bytes: a longer line is
 * read to its end and dropped (*too_long).  *buf grows as needed (*cap its
 * size) and is NUL-terminated.  Returns the length, -1 at EOF, -ENOMEM. */
ssize_t cj_read_line(FILE *in, size_t max, char **buf, size_t *cap, bool *too_long);
