/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Lexical path checks for read / write / edit requests (pure).  They refuse
 * early, with a clear error, what the sandbox view would refuse anyway; the
 * sandbox enforces it again, and symlinks are resolved inside the sandbox by
 * the tool implementation, never here.
 */

#include <stdbool.h>

#include "profile/profile.h"
#include "request.h"

/* Resolve path against cwd (absolute; needed only when path is relative),
 * normalize it lexically ("..", ".", "//") and require it to lie under one of
 * roots (NULL-terminated).  *out is malloc'd.  Errors are bad_path, naming a
 * ".." that climbs out of the roots. */
int cj_proto_resolve_path(const char *path, const char *cwd, char *const *roots, char **out, cj_proto_error *perr);

/* cwd (absolute, or relative to base: the workspace) must lie under one of
 * roots; *out is its absolute normal form. */
int cj_proto_check_cwd(const char *cwd, const char *base, char *const *roots, char **out, cj_proto_error *perr);

/* Does path (absolute, normalized) match one of patterns (util/pathpat.h,
 * the definition the validation chain and the mount plan share). */
bool cj_proto_path_matches(const char *path, char *const *patterns);

/* Is path (absolute, normalized, inside the sandbox) on a persistent writable
 * root: below an "rw" root (the profile's or --rw; a task's scratch dirs are
 * rw roots too) and not below a tmpfs mounted over it?  Bytes written
 * anywhere else are read-only or vanish with the call's private tmpfs. */
bool cj_proto_persistent(const cj_profile *p, const char *path);

/* The policy on one absolute normalized path: deny refuses every tool;
 * write/edit also need a persistent writable root (not_writable) and no
 * "protect" match.  The file tools ask it again inside the sandbox about the
 * path a symlink really leads to. */
int cj_proto_check_target(const cj_profile *p, cj_tool tool, const char *path, cj_proto_error *perr);

/* The whole check for a file tool under a profile: read may reach ro, rw and
 * tmpfs roots (bad_path outside all of them); write and edit only persistent
 * writable roots (not_writable for a read-only root or the call's tmpfs, where
 * the bytes would be lost); both refuse "deny"
 * paths, and write/edit refuse "protect" paths.  cwd defaults to the first rw
 * root.  *out is the absolute normalized path. */
int cj_proto_file_path(const cj_profile *p, cj_tool tool, const char *path, const char *cwd, char **out,
                       cj_proto_error *perr);
