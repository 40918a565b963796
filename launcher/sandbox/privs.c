/* SPDX-License-Identifier: MIT */
#include "privs.h"

#include <errno.h>
#include <grp.h>
#include <linux/securebits.h>
#include <net/if.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

int cj_privs_drop_bounding(cj_error *err) {
        /* Before the id switch: it needs CAP_SETPCAP, which that may take away. */
        for (cap_value_t c = 0; c <= CAP_LAST_CAP || cap_valid(c); c++)
                if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
                        return cj_error_seterrno(err, errno, "drop capability %d from the bounding set", c);
        return 0;
}

int cj_privs_drop(bool switch_ids, uid_t uid, gid_t gid, cj_error *err) {
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

/* lo is the only interface of a namespace clawjail just created: one
 * SIOCSIFFLAGS brings it up.  (libnl did the same through an RTM_NEWLINK
 * request, but linking it cost every call its constructors, relocations and
 * the pages its allocations touched: more than the rest of pid 1's setup.) */
int cj_net_loopback_up(cj_error *err) {
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return cj_error_seterrno(err, errno, "socket for bringing lo up");
        struct ifreq ifr = { .ifr_name = "lo" };
        int r = ioctl(fd, SIOCGIFFLAGS, &ifr);
        if (r >= 0) {
                ifr.ifr_flags |= IFF_UP;
                r = ioctl(fd, SIOCSIFFLAGS, &ifr);
        }
        int e = errno;
        close(fd);
        return r < 0 ? cj_error_seterrno(err, e, "bring lo up") : 0;
}
