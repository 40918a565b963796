/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The plan's directory listings, kept for the protect rescan after the call.
 *
 * A call's plan lists every directory below the workspace's "**" patterns,
 * and after the call the protect patterns walk the same directories again,
 * looking for what the call created: in a 16,000-file workspace about 10 ms
 * here, most of it getdents64 over entries that did not change.  A directory
 * whose entry set changes gets a new ctime (every entry made, removed or
 * renamed in it, every chmod of it; utimensat sets mtime, never ctime, and
 * the call cannot change the clock).  So a probe built on this cache records
 * each listing with its directory's device, inode, ctime and mtime, read
 * from the fd it lists, and answers a later listing of the same directory
 * from the record while those four are unchanged.  The rescan's answers are
 * then exactly what a fresh listing would give, and the rescan the same.
 * pid 1's mask walk, which lists the same directories again between the
 * plan and the call, asks the cache too (cj_list_cache_find), and a process
 * that makes call after call (serve, mcp) keeps it for the next call's plan
 * (run.c).
 *
 * Only a listing that can be trusted is recorded:
 *   - a file system known to keep ctime locally (ext4, xfs, btrfs, tmpfs,
 *     overlayfs): not NFS or FUSE, whose attributes may be cached or made up;
 *   - a directory whose ctime is older than CJ_LIST_CACHE_SETTLE_NS: without
 *     fine-grained timestamps (before Linux 6.13) a change within the same
 *     clock tick as the last one can keep the same ctime; a change after the
 *     listing gets one at least a tick newer than the moment of the listing.
 */

#include <sys/stat.h>

#include "plan.h"

#define CJ_LIST_CACHE_SETTLE_NS (50 * 1000 * 1000LL) /* a directory changed more recently is listed again */
#define CJ_LIST_CACHE_BYTES_MAX (16u << 20)          /* listing bytes kept; past it nothing more, until renewed */

typedef struct cj_list_cache cj_list_cache;

/* A new, empty cache (NULL: out of memory) for walks that ask only about
 * the path patterns of lists[0..n) (the profile's deny, deny_except and
 * protect lists) and ".git": a record keeps every entry but a regular file
 * whose name none of them can end in (no pattern's last name, nor a name a
 * trailing '*' can make of it).  In a workspace that is most of its files. */
cj_list_cache *cj_list_cache_new(char *const *const lists[], size_t n);
void cj_list_cache_free(cj_list_cache *c);

/* The host probe (cj_fs_probe_host), listing through c: records what it
 * lists, answers from a record while the directory is unchanged.  c must
 * outlive the probe's use. */
cj_fs_probe cj_fs_probe_cached(cj_list_cache *c);

/* What a directory's statx must hold for cj_list_cache_find. */
#define CJ_LIST_CACHE_STATX_MASK (STATX_TYPE | STATX_INO | STATX_CTIME | STATX_MTIME | STATX_MNT_ID)

/* pid 1's mask walk (maskwalk.h), in its copy of the launcher's memory: the
 * record of path, as a borrowed listing in *view, if the directory stx
 * describes (CJ_LIST_CACHE_STATX_MASK) is the one recorded, unchanged.  The
 * walk reads stx after its inotify watch on the directory is in place:
 * whatever changes from there on is reported, and whatever changed before
 * shows here. */
bool cj_list_cache_find(const cj_list_cache *c, const char *path, const struct statx *stx, cj_dir_list *view);

/* Between calls (no listing lent by c is in use): if a record did not fit
 * in the budget since, drop every record and start again (a long-lived
 * process's records of a changing tree). */
void cj_list_cache_renew(cj_list_cache *c);

/* Tests: keep at most bytes of records (CJ_LIST_CACHE_BYTES_MAX). */
void cj_list_cache_set_budget(cj_list_cache *c, size_t bytes);

/* Listings answered from c / made fresh since it was created, and the
 * bytes its records hold (tests, the phase log). */
void cj_list_cache_stats(const cj_list_cache *c, size_t *hits, size_t *misses, size_t *bytes);
