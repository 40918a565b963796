/* SPDX-License-Identifier: MIT */
#include "privs.h"

#include <errno.h>
#include <grp.h>
#include <linux/securebits.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

int cj_privs_drop(bool switch_ids, uid_t uid, gid_t gid, cj_error *err) {
        /* Bounding set first: it needs CAP_SETPCAP, which the id switch may take away. */
        for (cap_value_t c = 0; c <= CAP_LAST_CAP || cap_valid(c); c++)
                if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
                        return cj_error_seterrno(err, errno, "drop capability %d from the bounding set", c);
        if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                                             SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
                                             SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
                  0, 0, 0) < 0)
                return cj_error_seterrno(err, errno, "set securebits");
        if (switch_ids) {
                if (setgroups(0, NULL) < 0)
                        return cj_error_seterrno(err, errno, "drop supplementary groups");
                if (setresgid(gid, gid, gid) < 0)
                        return cj_error_seterrno(err, errno, "setresgid %u", (unsigned) gid);
                if (setresuid(uid, uid, uid) < 0)
                        return cj_error_seterrno(err, errno, "setresuid %u", (unsigned) uid);
        }
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return cj_error_seterrno(err, errno, "clear ambient capabilities");
        cap_t empty = cap_init(); /* every flag of every set clear */
        if (!empty)
                return cj_error_seterrno(err, errno, "cap_init");
        int r = cap_set_proc(empty);
        cap_free(empty);
        if (r < 0)
                return cj_error_seterrno(err, errno, "clear capability sets");
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return cj_error_seterrno(err, errno, "set no_new_privs");
        return 0;
}

/* In a namespace clawjail just created, lo is always ifindex 1: one
 * RTM_NEWLINK request brings it up, without first fetching and parsing the
 * link from the kernel (which cost as much as the rest of the setup). */
#define LOOPBACK_IFINDEX 1

int cj_net_loopback_up(cj_error *err) {
        struct nl_sock *sk = nl_socket_alloc();
        if (!sk)
                return cj_error_set(err, ENOMEM, "netlink socket");
        struct rtnl_link *link = rtnl_link_alloc(), *change = rtnl_link_alloc();
        int r = link && change ? nl_connect(sk, NETLINK_ROUTE) : -NLE_NOMEM;
        if (r < 0) {
                r = cj_error_set(err, EIO, "netlink connect: %s", nl_geterror(r));
                goto out;
        }
        rtnl_link_set_ifindex(link, LOOPBACK_IFINDEX);
        rtnl_link_set_flags(change, IFF_UP);
        r = rtnl_link_change(sk, link, change, 0);
        if (r < 0)
                r = cj_error_set(err, EIO, "netlink: bring lo up: %s", nl_geterror(r));
out:
        rtnl_link_put(change);
        rtnl_link_put(link);
        nl_socket_free(sk);
        return r < 0 ? r : 0;
}
