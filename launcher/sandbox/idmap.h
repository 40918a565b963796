/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Idmapped writable binds for a sandbox started by root.
 *
 * The call runs as run_as (an unprivileged host uid, never 0), but the
 * workspace belongs to someone else (root, uid 1000...).  Rather than chown
 * it, the launcher, which has CAP_SYS_ADMIN in the initial user namespace,
 * clones each writable bind (open_tree(OPEN_TREE_CLONE)) and idmaps the
 * detached copy (mount_setattr(MOUNT_ATTR_IDMAP)) with a user namespace whose
 * one-line maps send the bind's on-disk owner to run_as: through that mount
 * the owner's files are run_as's, and what run_as creates is the owner's on
 * disk.  Every other on-disk id is unmapped there (shown as the overflow id,
 * never matching anyone).  pid 1 inherits the detached trees (their fds sit
 * in the plan: cj_mount_op.tree_fd) and attaches them in its own mount
 * namespace with move_mount; pins and protections inside such a bind are
 * then made from the idmapped copy (mounts.c).
 *
 * A filesystem that cannot be idmapped (the kernel answers EINVAL, EPERM or
 * EOPNOTSUPP) keeps the old behaviour: pid 1 binds the path as run_as, and
 * one note says what failed, why, and the two fixes.
 */

#include <stdint.h>
#include <sys/types.h>

#include "plan.h"
#include "util/err.h"

#define CJ_IDMAP_TREES_MAX 32   /* writable binds one call idmaps; the rest fall back, with a note */
#define CJ_IDMAP_USERNS_CACHE 8 /* (owner, run_as) user namespaces kept for later calls (serve, mcp) */

/* Give every writable bind root of plan (CJ_MNT_BIND_RW) whose source is not
 * owned by uid:gid an idmapped detached tree (tree_fd, close-on-exec, with
 * nosuid and nodev set), and likewise each read-only bind below home (not
 * home itself) that uid:gid cannot reach (a toolchain in a 0700 home; it
 * stays read-only).  A writable bind that cannot be idmapped stays as it is
 * and gets one note on *notes; a read-only one is left to
 * cj_mount_plan_drop_unreachable.  Only for a launcher running as root.  0,
 * or -errno with err set for a failure that is not the filesystem's (ENOMEM,
 * EMFILE...). */
int cj_idmap_plan(cj_mount_plan *plan, const char *home, uid_t uid, gid_t gid, cj_strv *notes, cj_error *err);

/* Can path's mount be idmapped here (as root)?  0, or -errno from the step
 * that failed; *step names it ("open_tree", "mount_setattr", ...). */
int cj_idmap_probe(const char *path, const char **step);

/* True for the errno values by which the kernel says a mount cannot be
 * idmapped (rather than a resource or programming error). */
bool cj_idmap_unsupported(int errnum);

/* "ext4", "tmpfs", ... for path's filesystem (for messages). */
const char *cj_idmap_fs_name(const char *path);
