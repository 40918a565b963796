/* SPDX-License-Identifier: MIT */
#pragma once

/* Privilege shedding in the sandbox child, in the order the kernel needs:
 * bounding set, uid/gid switch, every capability set, securebits, then
 * no_new_privs.  After cj_privs_drop the process holds nothing. */

#include <stdbool.h>
#include <sys/types.h>

#include "util/err.h"

/* switch_ids: become uid/gid (root launcher, profile run_as) and drop
 * supplementary groups; otherwise keep the (already mapped) ids. */
int cj_privs_drop(bool switch_ids, uid_t uid, gid_t gid, cj_error *err);

/* Bring the loopback interface of the current network namespace up (netlink). */
int cj_net_loopback_up(cj_error *err);
