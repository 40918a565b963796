/* SPDX-License-Identifier: MIT */
#pragma once

/* Privilege shedding in the sandbox child, in the order the kernel needs:
 * bounding set, uid/gid switch, every capability set, securebits, then
 * no_new_privs.  After cj_privs_drop_bounding and cj_privs_drop (in this
 * process or, for the bounding set, an ancestor: fork keeps it) the
 * process holds nothing. */

#include <stdbool.h>
#include <sys/types.h>

#include "util/err.h"

/* Empty the capability bounding set.  It needs CAP_SETPCAP and leaves the
 * effective set alone: pid 1 does it first, while it waits for the launcher,
 * so that neither it nor the call (which inherits the set) repeats the 41
 * prctl calls later. */
int cj_privs_drop_bounding(cj_error *err);

/* The rest, once the bounding set is empty.  switch_ids: become uid/gid
 * (root launcher, profile run_as) and drop supplementary groups; otherwise
 * keep the (already mapped) ids. */
int cj_privs_drop(bool switch_ids, uid_t uid, gid_t gid, cj_error *err);

/* Bring the loopback interface of the current network namespace up (netlink). */
int cj_net_loopback_up(cj_error *err);
