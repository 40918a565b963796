/* SPDX-License-Identifier: MIT */
#pragma once

/* The read, write and edit tools.  They run as the sandbox's call (pid 2,
 * through cj_sandbox_config.fn), after the mounts, the capability drop and
 * seccomp, so they see exactly the filesystem exec sees: a symlink resolves
 * inside the sandbox's view, and protected or masked paths are read-only
 * mounts the kernel refuses to change. */

#include <stddef.h>
#include <stdint.h>

#include "pipeline.h"

typedef struct cj_fstool_job {
        cj_call_kind kind;        /* READ, WRITE or EDIT */
        const cj_profile *profile; /* the effective profile (operator --ro/--rw included): its policy is
                                    * checked again on the path a symlink really leads to */
        const char *path;         /* absolute, normalized, checked against the profile */
        int64_t offset, limit;    /* read */
        const char *content;      /* write */
        size_t content_len;
        const char *old_text, *new_text; /* edit */
        int report_fd;            /* one JSON object: {"ok":true,...} or {"ok":false,"code","message"} */
        int data_fd;              /* read: the bytes read */
} cj_fstool_job;

/* Entry point for cj_sandbox_config.fn; arg is a cj_fstool_job.  Returns the
 * call's exit status (0 done, 1 refused or failed: see the report). */
int cj_fstool_main(void *arg);

/* Occurrences of needle in hay (overlapping ones count: "aa" occurs twice in "aaa"). */
size_t cj_count_occurrences(const char *hay, size_t hlen, const char *needle, size_t nlen);
