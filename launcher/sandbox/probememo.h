/* SPDX-License-Identifier: MIT */
#pragma once

/* A cj_fs_probe that remembers, for one plan, what another probe answered:
 * the planner examines the same paths several times (a deny match is found
 * by one lstat and examined again before it is masked; a state directory two
 * patterns name; realpath of /etc/shadow, /etc/gshadow and /etc/ssh walking
 * /etc each time; the protect and the deny patterns' scans list the same
 * workspace tree).  Each lstat, realpath and listing is asked of the host
 * once per plan, as if every later ask had come right after the first.  Where the
 * inner probe allows it (realpath_by_parts), a path that is not a symlink
 * resolves to its parent's (remembered) resolution plus its name. */

#include "plan.h"

#define CJ_PROBE_MEMO_BUCKETS 128

typedef struct cj_probe_memo_ent cj_probe_memo_ent;

typedef struct cj_probe_memo {
        cj_fs_probe probe; /* pass &memo.probe to the planner */
        const cj_fs_probe *inner;
        cj_probe_memo_ent *bucket[CJ_PROBE_MEMO_BUCKETS];
} cj_probe_memo;

/* Wrap inner (which must outlive m). */
void cj_probe_memo_init(cj_probe_memo *m, const cj_fs_probe *inner);

/* Forget every answer and free them. */
void cj_probe_memo_clear(cj_probe_memo *m);
