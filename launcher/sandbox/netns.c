/* SPDX-License-Identifier: MIT */
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdalign.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/sockios.h>

#include "util/cleanup.h"

#ifndef SIOCGSKNS
#define SIOCGSKNS 0x894C
#endif

/* What the helper answers: the step that failed (0: none, the namespace
 * comes with the message) and its errno. */
typedef struct netns_answer {
        int step;
        int errnum;
} netns_answer;

enum { STEP_NONE, STEP_CLOSE, STEP_UNSHARE, STEP_SOCKET, STEP_LO, STEP_NSFD };

static const char *const step_text[] = {
        [STEP_CLOSE] = "close the launcher's descriptors in the network namespace's helper",
        [STEP_UNSHARE] = "new network namespace",
        [STEP_SOCKET] = "socket for bringing lo up",
        [STEP_LO] = "bring lo up",
        [STEP_NSFD] = "take hold of the new network namespace (SIOCGSKNS)",
};

/* The helper runs on a stack AddressSanitizer does not know and shares pid
 * 1's thread-local state (ASan's included): not instrumented. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_ASAN __attribute__((no_sanitize("address")))
#endif
#endif
#if !defined(NO_ASAN) && defined(__SANITIZE_ADDRESS__)
#define NO_ASAN __attribute__((no_sanitize_address))
#endif
#ifndef NO_ASAN
#define NO_ASAN
#endif

NO_ASAN static int answer(int sock, int step, int errnum, int nsfd) {
        netns_answer a = { step, errnum };
        struct iovec iov = { &a, sizeof a };
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } u = { { 0 } }; /* initializers, not memset/memcpy: no library call reaches ASan's interceptors */
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
        if (nsfd >= 0) {
                m.msg_control = u.buf;
                m.msg_controllen = sizeof u.buf;
                struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
                cm->cmsg_level = SOL_SOCKET;
                cm->cmsg_type = SCM_RIGHTS;
                cm->cmsg_len = CMSG_LEN(sizeof(int));
                *(int *) (void *) CMSG_DATA(cm) = nsfd;
        }
        (void) sendmsg(sock, &m, MSG_NOSIGNAL); /* if it fails, pid 1 reads EOF and fails the call */
        return 0; /* the helper's exit status: its answer is the message */
}

/* The helper, on its own stack in pid 1's memory.  It shares pid 1's
 * thread-local storage too, so it calls no allocator and nothing that keeps
 * state; errno is written only when a step fails, and then the call fails.
 * It returns (clone's trampoline exits with the value) rather than calling
 * a noreturn _exit. */
NO_ASAN static int helper(void *arg) {
        int sock = (int) (intptr_t) arg;
        /* Only its copy of pid 1's table, stdio included (under `mcp`, fd 1
         * is the protocol stream): everything but the socket goes first. */
        if ((sock > 0 && syscall(SYS_close_range, 0u, (unsigned) sock - 1, 0) < 0) ||
            syscall(SYS_close_range, (unsigned) sock + 1, ~0u, 0) < 0)
                return answer(sock, STEP_CLOSE, errno, -1);
        if (unshare(CLONE_NEWNET) < 0)
                return answer(sock, STEP_UNSHARE, errno, -1);
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return answer(sock, STEP_SOCKET, errno, -1);
        /* lo is the only interface of the new namespace: one SIOCSIFFLAGS
         * brings it up.  (libnl did the same through an RTM_NEWLINK request,
         * but linking it cost every call its constructors, relocations and
         * the pages its allocations touched.) */
        struct ifreq ifr = { .ifr_name = { 'l', 'o', '\0' } };
        if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0 || (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) < 0))
                return answer(sock, STEP_LO, errno, -1);
        int ns = ioctl(s, SIOCGSKNS);
        if (ns < 0)
                return answer(sock, STEP_NSFD, errno, -1);
        return answer(sock, STEP_NONE, 0, ns);
}

int cj_netns_start(cj_netns_maker *m) {
        *m = (cj_netns_maker){ .pid = -1, .sock = -1 };
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        alignas(16) static char stack[16384]; /* one helper per pid 1 */
        pid_t pid = clone(helper, stack + sizeof stack, CLONE_VM | SIGCHLD, (void *) (intptr_t) sv[1]);
        int e = errno;
        close(sv[1]);
        if (pid < 0) {
                close(sv[0]);
                return -e;
        }
        *m = (cj_netns_maker){ .pid = pid, .sock = sv[0] };
        return 0;
}

/* The helper, pid 2 of the call's pid namespace, is gone: the call takes its
 * number, as if no helper had run (pid 1 holds CAP_SYS_ADMIN in the user
 * namespace owning the pid namespace, and its /proc, mounted by now, is that
 * namespace's).  Cosmetic, so best effort: a kernel without
 * CONFIG_CHECKPOINT_RESTORE has no ns_last_pid, and the call is then pid 3. */
static void give_back_pid(void) {
        _cleanup_close_ int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
        if (fd >= 0)
                (void) !write(fd, "1", 1);
}

int cj_netns_enter(cj_netns_maker *m, cj_error *err) {
        netns_answer a = { 0 };
        struct iovec iov = { &a, sizeof a };
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } u;
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
        ssize_t n;
        while ((n = recvmsg(m->sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
                ;
        int e = errno, ns = -1;
        for (struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL; cm; cm = CMSG_NXTHDR(&msg, cm))
                if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS && cm->cmsg_len == CMSG_LEN(sizeof(int)))
                        memcpy(&ns, CMSG_DATA(cm), sizeof ns);
        close(TAKE_FD(m->sock));
        while (waitpid(m->pid, NULL, 0) < 0 && errno == EINTR)
                ;
        m->pid = -1;
        int r;
        if (n < 0)
                r = cj_error_seterrno(err, e, "the network namespace's helper");
        else if (n != (ssize_t) sizeof a || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
                r = cj_error_set(err, EPROTO, "the network namespace's helper gave no answer");
        else if (a.step != STEP_NONE)
                r = cj_error_seterrno(err, a.errnum ? a.errnum : EIO, "%s",
                                      a.step > 0 && a.step < (int) (sizeof step_text / sizeof *step_text)
                                              ? step_text[a.step]
                                              : "the network namespace's helper");
        else if (ns < 0)
                r = cj_error_set(err, EPROTO, "the network namespace's helper sent no namespace");
        else if (setns(ns, CLONE_NEWNET) < 0)
                r = cj_error_seterrno(err, errno, "enter the call's network namespace");
        else {
                give_back_pid();
                r = 0;
        }
        if (ns >= 0)
                close(ns);
        return r;
}
