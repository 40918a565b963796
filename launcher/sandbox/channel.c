/* SPDX-License-Identifier: MIT */
#include "channel.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct chan_hdr {
        uint32_t kind;
        uint32_t len;
} chan_hdr;

int cj_chan_pair(int sv[2]) {
        return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 ? -errno : 0;
}

/* One message of kind: head (may be empty), then payload. */
static int send_parts(int sock, uint32_t kind, const void *head, size_t head_len, const void *payload, size_t len,
                      const int *fds, size_t n_fds) {
        if (n_fds > CJ_SANDBOX_PASS_FDS_MAX || len > CJ_CHAN_PAYLOAD_MAX || head_len > CJ_CHAN_PAYLOAD_MAX - len)
                return -E2BIG;
        chan_hdr h = { kind, (uint32_t) (head_len + len) };
        struct iovec iov[3] = { { &h, sizeof h }, { (void *) head, head_len }, { (void *) payload, len } };
        union {
                char buf[CMSG_SPACE(sizeof(int) * CJ_SANDBOX_PASS_FDS_MAX)];
                struct cmsghdr align;
        } u;
        struct msghdr m = { .msg_iov = iov, .msg_iovlen = 3 };
        if (n_fds) {
                memset(&u, 0, sizeof u);
                m.msg_control = u.buf;
                m.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
                struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
                cm->cmsg_level = SOL_SOCKET;
                cm->cmsg_type = SCM_RIGHTS;
                cm->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
                memcpy(CMSG_DATA(cm), fds, sizeof(int) * n_fds);
        }
        ssize_t n;
        do
                n = sendmsg(sock, &m, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        return (size_t) n == sizeof h + head_len + len ? 0 : -EIO;
}

int cj_chan_send(int sock, uint32_t kind, const void *payload, size_t len, const int *fds, size_t n_fds) {
        return send_parts(sock, kind, NULL, 0, payload, len, fds, n_fds);
}

int cj_chan_send_call(int sock, uint32_t flags, const void *insns, size_t len) {
        const cj_chan_call_hdr h = { .flags = flags };
        return send_parts(sock, CJ_CHAN_CALL, &h, sizeof h, insns, len, NULL, 0);
}

int cj_chan_recv(int sock, uint32_t kind, void *payload, size_t cap, size_t *len, int *fds, size_t *n_fds) {
        chan_hdr h = { 0 };
        struct iovec iov[2] = { { &h, sizeof h }, { payload, cap } };
        union {
                char buf[CMSG_SPACE(sizeof(int) * CJ_SANDBOX_PASS_FDS_MAX)];
                struct cmsghdr align;
        } u;
        struct msghdr m = { .msg_iov = iov, .msg_iovlen = cap ? 2 : 1, .msg_control = u.buf,
                            .msg_controllen = sizeof u.buf };
        ssize_t n;
        do
                n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if (n == 0)
                return -EPIPE;
        size_t got = 0;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm))
                if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
                        size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        for (size_t i = 0; i < k && got < CJ_SANDBOX_PASS_FDS_MAX; i++)
                                memcpy(&fds[got++], CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
                }
        bool bad = (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || (size_t) n < sizeof h || h.kind != kind ||
                   h.len != (size_t) n - sizeof h;
        if (bad) {
                for (size_t i = 0; i < got; i++)
                        close(fds[i]);
                return -EBADMSG;
        }
        if (len)
                *len = h.len;
        if (n_fds)
                *n_fds = got;
        return 0;
}
