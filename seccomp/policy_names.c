/* SPDX-License-Identifier: MIT */
/* The symbolic names a policy may use: constants for argument values and
 * errno names.  Values come from the system headers of the build host, i.e.
 * the native architecture the filter is compiled for. */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>

#include "policy_internal.h"
#include "util/cleanup.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef PTRACE_SEIZE
#define PTRACE_SEIZE 0x4206
#endif

#define C(name) { #name, (uint64_t) (name) }

static const struct {
        const char *name;
        uint64_t value;
} constants[] = {
        /* ioctl requests on terminals (CVE-2019-10063, CVE-2023-1523 class). */
        C(TIOCSTI), C(TIOCLINUX),
        /* Namespace flags of clone(2) and unshare(2). */
        C(CLONE_NEWNS), C(CLONE_NEWCGROUP), C(CLONE_NEWUTS), C(CLONE_NEWIPC), C(CLONE_NEWUSER),
        C(CLONE_NEWPID), C(CLONE_NEWNET), C(CLONE_NEWTIME),
        /* ptrace(2) requests. */
        C(PTRACE_TRACEME), C(PTRACE_ATTACH), C(PTRACE_SEIZE), C(PTRACE_DETACH), C(PTRACE_INTERRUPT),
        C(PTRACE_PEEKDATA), C(PTRACE_POKEDATA), C(PTRACE_CONT), C(PTRACE_KILL),
        /* personality(2) values. */
        C(PER_LINUX), C(PER_LINUX32), C(UNAME26), C(ADDR_NO_RANDOMIZE), C(READ_IMPLIES_EXEC),
        C(ADDR_COMPAT_LAYOUT), C(MMAP_PAGE_ZERO), C(ADDR_LIMIT_32BIT), C(ADDR_LIMIT_3GB),
        /* Address families of socket(2), every one glibc names. */
        C(AF_UNSPEC), C(AF_UNIX), C(AF_INET), C(AF_AX25), C(AF_IPX), C(AF_APPLETALK), C(AF_NETROM),
        C(AF_BRIDGE), C(AF_ATMPVC), C(AF_X25), C(AF_INET6), C(AF_ROSE), C(AF_DECnet), C(AF_NETBEUI),
        C(AF_SECURITY), C(AF_KEY), C(AF_NETLINK), C(AF_PACKET), C(AF_ASH), C(AF_ECONET), C(AF_ATMSVC),
        C(AF_RDS), C(AF_SNA), C(AF_IRDA), C(AF_PPPOX), C(AF_WANPIPE), C(AF_LLC), C(AF_IB), C(AF_MPLS),
        C(AF_CAN), C(AF_TIPC), C(AF_BLUETOOTH), C(AF_IUCV), C(AF_RXRPC), C(AF_ISDN), C(AF_PHONET),
        C(AF_IEEE802154), C(AF_CAIF), C(AF_ALG), C(AF_NFC), C(AF_VSOCK), C(AF_KCM), C(AF_QIPCRTR),
        C(AF_SMC), C(AF_XDP), C(AF_MCTP),
};

bool cj_seccomp_constant(const char *name, uint64_t *value) {
        for (size_t i = 0; i < CJ_ARRAY_SIZE(constants); i++)
                if (strcmp(constants[i].name, name) == 0) {
                        *value = constants[i].value;
                        return true;
                }
        return false;
}

const char *cj_seccomp_constant_name(const char *prefix, uint64_t value) {
        size_t pl = strlen(prefix);
        for (size_t i = 0; i < CJ_ARRAY_SIZE(constants); i++)
                if (constants[i].value == value && strncmp(constants[i].name, prefix, pl) == 0)
                        return constants[i].name;
        return NULL;
}

/* strerrorname_np only knows the canonical spelling of aliased errnos. */
static const struct {
        const char *name;
        int value;
} errno_aliases[] = {
        { "ENOTSUP", ENOTSUP },
        { "EWOULDBLOCK", EWOULDBLOCK },
        { "EDEADLOCK", EDEADLOCK },
};

/* errno values glibc names all lie far below this. */
#define ERRNO_NAMED_MAX 256

int cj_seccomp_errno_from_name(const char *name) {
        for (size_t i = 0; i < CJ_ARRAY_SIZE(errno_aliases); i++)
                if (strcmp(errno_aliases[i].name, name) == 0)
                        return errno_aliases[i].value;
        for (int e = 1; e < ERRNO_NAMED_MAX; e++) {
                const char *n = strerrorname_np(e);
                if (n && strcmp(n, name) == 0)
                        return e;
        }
        return -1;
}

int cj_seccomp_native_nr_offset(void) {
        switch (seccomp_arch_native()) {
        case SCMP_ARCH_MIPS:
        case SCMP_ARCH_MIPSEL:
                return 4000;
        case SCMP_ARCH_MIPS64:
        case SCMP_ARCH_MIPSEL64:
                return 5000;
        case SCMP_ARCH_MIPS64N32:
        case SCMP_ARCH_MIPSEL64N32:
                return 6000;
        default:
                return 0;
        }
}
