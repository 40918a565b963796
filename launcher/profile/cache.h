/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * A resolved profile cached in clawjail's state dir, so a call does not parse
 * the profile and its rule sets as JSON trees again (~3 ms and ~110 page
 * faults per call on the development host, docs/performance.md).
 *
 * An entry is used only when it provably is what loading now would give:
 *   - its file name is a digest of every other input of a load: this
 *     executable (its GNU build-id), the effective uid, the name asked for,
 *     the ${...} variables and the profile search path's inputs;
 *   - each file the load read (the profile, its extends chain, its rule sets)
 *     is found again by the same lookup at the same path and has the same
 *     bytes: the same stat signature (device, inode, size, mtime and ctime,
 *     which no user can set back) when the entry holds a settled one (below),
 *     else the same SHA-256 of its bytes;
 *   - the entry is a regular file owned by the effective uid, writable by
 *     nobody else, in a directory of the same kind, and its own digest checks.
 * Anything else is a miss and the profile loads from its files as before,
 * which also reports any error in them.  run_as is resolved from the
 * passwd database again at every load.  The state dir is masked in every
 * sandbox (pipeline.c), so a call can neither read nor plant entries.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"
#include "util/sha256.h"

#define CJ_PROFILE_CACHE_DIR "cache"              /* below the state dir */
#define CJ_PROFILE_CACHE_FILE_MAX (4u << 20)      /* bytes of one cache entry */
#define CJ_PROFILE_SOURCES_MAX 64                 /* files one profile load may read */
#define CJ_PROFILE_CACHE_ENTRIES_MAX 256          /* entries (one per profile and workspace); then emptied */
/* A file's stat signature stands for its bytes only once its ctime is more
 * than this older than the moment its bytes were read: a write within the
 * file system's timestamp granularity (a jiffy; 2 s on FAT) after the read
 * could otherwise leave size, mtime and ctime as they were.  3 s: the
 * coarsest granularity, plus the jiffy the coarse clock may lag, with room. */
#define CJ_PROFILE_CACHE_SETTLE_NS (3 * 1000000000LL)

/* What stat says about one file: while all of it is unchanged, so are the
 * bytes (a write moves the ctime, which only the clock sets). */
typedef struct cj_profile_file_sig {
        uint64_t dev, ino, size;
        int64_t mtime_s, mtime_ns, ctime_s, ctime_ns;
} cj_profile_file_sig;

/* One file a load read. */
typedef struct cj_profile_source {
        bool ruleset;               /* found by cj_profile_find_ruleset, else by cj_profile_find */
        char *name;                 /* the name or path as the profile wrote it */
        char *from;                 /* a rule set's including file; NULL otherwise */
        char *path;                 /* where the lookup found it */
        uint8_t sha256[CJ_SHA256_LEN];
        bool settled;               /* sig stands for the bytes (CJ_PROFILE_CACHE_SETTLE_NS) */
        cj_profile_file_sig sig;
} cj_profile_source;

/* On the heap, not inline: 64 inline entries were 8 KB of stack, each 4 KB
 * of stack a page fault of its own on every call. */
typedef struct cj_profile_sources {
        cj_profile_source *v;
        size_t n;
} cj_profile_sources;

/* Read a profile or rule-set file (at most CJ_PROFILE_FILE_MAX bytes, errors
 * as cj_read_file's) and what stat said about it once the bytes were read;
 * *settled when that signature may stand for them. */
int cj_profile_read_source(const char *path, char **text, size_t *len, cj_profile_file_sig *sig, bool *settled,
                           cj_error *err);

/* Record a file (copies the strings, digests text).  -ENOMEM, -E2BIG (more
 * than CJ_PROFILE_SOURCES_MAX). */
int cj_profile_sources_add(cj_profile_sources *s, bool ruleset, const char *name, const char *from, const char *path,
                           const char *text, size_t len, const cj_profile_file_sig *sig, bool settled);
/* Free what s holds; s is then empty. */
void cj_profile_sources_clear(cj_profile_sources *s);

/* cj_profile_load that also records every file it read (src may be NULL). */
int cj_profile_load_recorded(const char *name_or_path, const cj_profile_vars *vars, cj_profile_sources *src,
                             cj_profile **out, cj_error *err);

/* A rule set named by validation.include in file (profile.c's lookup). */
int cj_profile_find_ruleset(const char *name, const char *file, char **out, cj_error *err);

/* Resolve a profile's run_as value (string or uid) into p->run_as_uid/gid. */
int cj_profile_resolve_run_as(const json_t *v, cj_profile *p, const char *file, cj_error *err);

/* The cached profile alone: 1 and *out on a hit, 0 on a miss (or no cache:
 * state_dir NULL, an executable without a build-id), <0 when the entry is
 * good but run_as no longer resolves. */
int cj_profile_cache_get(const char *name_or_path, const cj_profile_vars *vars, const char *state_dir,
                         cj_profile **out, cj_error *err);

/* cj_profile_load through the cache in state_dir (see above): the result has
 * no `resolved` JSON.  A miss loads from the files and stores an entry (a
 * failure to store is not an error: the next call loads again).  state_dir
 * NULL: no cache. */
int cj_profile_load_cached(const char *name_or_path, const cj_profile_vars *vars, const char *state_dir,
                           cj_profile **out, cj_error *err);
