/* SPDX-License-Identifier: MIT */
/* Refused syscalls delivered to the launcher and answered with the policy's
 * errno (see notify.h). */
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "channel.h"
#include "config.h"
#include "seccomp/bpf.h"
#include "util/cleanup.h"

#if CJ_HAVE_SECCOMP_NOTIFY && !defined(SECCOMP_IOCTL_NOTIF_SET_FLAGS)
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

/* Why pid 2 installed the plain errno filter: an errno from seccomp(2), or one of these. */
enum {
        WHY_RECORDED = 0,
        WHY_NOT_BUILT = -1,      /* built without user-notification headers */
        WHY_RET_A = -2,          /* the filter computes its action: cannot be rewritten */
        WHY_HANDOVER = -3,       /* the filter refuses the sendmsg/close that hand the listener over */
        WHY_NOTHING = -4,        /* the filter refuses nothing with an errno */
};

typedef struct notify_msg {
        int32_t why;
} notify_msg;

/* ---- pid 2 ---------------------------------------------------------------- */

static int install_errno(const struct sock_fprog *prog) {
        return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog) < 0 ? -errno : 0;
}

static int tell(int chan, int32_t why, int fd) {
        notify_msg m = { why };
        return cj_chan_send(chan, CJ_CHAN_NOTIFY, &m, sizeof m, fd >= 0 ? &fd : NULL, fd >= 0 ? 1 : 0);
}

#if CJ_HAVE_SECCOMP_NOTIFY
/* Would the errno filter allow this call?  Used before installing the
 * notifying filter for the calls that hand its listener over: one the
 * filter refused would wait on a listener nobody holds yet.  Pointer and
 * unused arguments are 0: a policy conditioning sendmsg or close on those
 * is not one we can honour. */
static bool filter_allows(const struct sock_fprog *prog, uint32_t arch, int nr, uint64_t a0, uint64_t a2) {
        struct seccomp_data d = { .nr = nr, .arch = arch, .args = { a0, 0, a2, 0, 0, 0 } };
        uint32_t act;
        return cj_seccomp_bpf_run(prog->filter, prog->len, &d, &act) == 0 &&
               (act & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ALLOW;
}
#endif

int cj_notify_child_install(const struct sock_fprog *prog, uint32_t audit_arch, int chan) {
        int32_t why = WHY_NOT_BUILT;
#if CJ_HAVE_SECCOMP_NOTIFY
        /* pid 2 is a copy of the launcher: static storage, no allocation after the fork. */
        static struct sock_filter notif[BPF_MAXINSNS];
        /* glibc tries clone3 for every thread and posix_spawn and falls back
         * to clone on ENOSYS (docs/seccomp.md): not worth a round trip each. */
        static const int quiet[] = { __NR_clone3 };
        size_t notif_len = 0;
        int n = cj_seccomp_bpf_to_notify(prog->filter, prog->len, audit_arch, quiet, 1, notif, BPF_MAXINSNS,
                                         &notif_len);
        int next_fd = fcntl(0, F_DUPFD_CLOEXEC, 0); /* the listener will take the lowest free number */
        if (next_fd >= 0)
                close(next_fd);
        if (n == 0)
                why = WHY_NOTHING;
        else if (n == -E2BIG)
                why = E2BIG;
        else if (n < 0)
                why = WHY_RET_A;
        else if (!filter_allows(prog, audit_arch, __NR_sendmsg, (uint64_t) chan, MSG_NOSIGNAL) ||
                 !filter_allows(prog, audit_arch, __NR_close, (uint64_t) chan, 0) ||
                 !filter_allows(prog, audit_arch, __NR_close, (uint64_t) next_fd, 0))
                why = WHY_HANDOVER;
        else {
                struct sock_fprog np = { .len = (unsigned short) notif_len, .filter = notif };
                int listener = (int) syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
                                             &np);
                if (listener >= 0) {
                        /* The launcher holds it from here; this copy goes before exec. */
                        int r = tell(chan, WHY_RECORDED, listener);
                        close(listener);
                        close(chan);
                        /* Unsent, refused calls would get ENOSYS instead of their errno: never run so. */
                        return r;
                }
                why = errno; /* EBUSY: a listener higher up the chain; EINVAL/ENOSYS: an older kernel */
        }
#else
        (void) audit_arch;
#endif
        int r = install_errno(prog);
        if (r < 0)
                return r;
        (void) tell(chan, why, -1); /* at worst the launcher reports "unknown" */
        close(chan);
        return 0;
}

/* ---- the launcher ------------------------------------------------------- */

/* The record a call counts in, or NULL for a new kind. */
static cj_refused_syscall *find(cj_sandbox_refused *rec, const char *syscall, const char *args, int errnum,
                                const char *program) {
        for (size_t i = 0; i < rec->n_calls; i++) {
                cj_refused_syscall *c = &rec->calls[i];
                if (c->errnum == errnum && strcmp(c->syscall, syscall) == 0 && strcmp(c->args, args) == 0 &&
                    strcmp(c->program, program) == 0)
                        return c;
        }
        return NULL;
}

void cj_refused_add(cj_sandbox_refused *rec, const char *syscall, const char *args, int errnum, int pid,
                    const char *program) {
        rec->total++;
        cj_refused_syscall *c = find(rec, syscall, args, errnum, program);
        if (c) {
                c->count++;
                return;
        }
        if (rec->n_calls >= CJ_SANDBOX_REFUSED_MAX) {
                rec->unrecorded++;
                return;
        }
        c = &rec->calls[rec->n_calls++];
        *c = (cj_refused_syscall){ .errnum = errnum, .pid = pid, .count = 1 };
        snprintf(c->syscall, sizeof c->syscall, "%s", syscall);
        snprintf(c->args, sizeof c->args, "%s", args);
        snprintf(c->program, sizeof c->program, "%s", program);
}

int cj_notify_init(cj_notify *n, int chan, const struct sock_fprog *prog) {
        *n = (cj_notify){ .chan = chan, .listener = -1, .prog = *prog };
        n->rec = calloc(1, sizeof *n->rec);
        if (!n->rec)
                return -ENOMEM;
        snprintf(n->rec->why_not, sizeof n->rec->why_not, "the call ended before its seccomp filter was installed");
        return 0;
}

static void why_text(cj_sandbox_refused *rec, int32_t why) {
        const char *t;
        char buf[64];
        switch (why) {
        case WHY_NOT_BUILT:
                t = "clawjail was built without seccomp user-notification support (linux/seccomp.h < 5.0)";
                break;
        case WHY_RET_A:
                t = "the seccomp filter computes its actions, so they cannot be delivered";
                break;
        case WHY_HANDOVER:
                t = "the seccomp policy refuses the sendmsg/close that hand the listener to clawjail";
                break;
        case WHY_NOTHING:
                t = "the seccomp policy refuses nothing with an errno";
                break;
        case EBUSY:
                t = "another seccomp listener already watches clawjail (a container manager's?): only one is allowed";
                break;
        case EINVAL:
        case ENOSYS:
        case EOPNOTSUPP:
                t = "the kernel has no seccomp user notification (Linux >= 5.0)";
                break;
        default:
                snprintf(buf, sizeof buf, "seccomp user notification failed: %s", strerror(why > 0 ? why : EIO));
                t = buf;
        }
        snprintf(rec->why_not, sizeof rec->why_not, "%s", t);
}

void cj_notify_on_chan(cj_notify *n) {
        if (n->chan < 0)
                return;
        notify_msg m = { 0 };
        size_t len = 0, n_fds = 0;
        int fds[CJ_SANDBOX_PASS_FDS_MAX];
        int r = cj_chan_recv(n->chan, CJ_CHAN_NOTIFY, &m, sizeof m, &len, fds, &n_fds);
        close(TAKE_FD(n->chan));
        if (r < 0 || len != sizeof m) {
                for (size_t i = 0; r >= 0 && i < n_fds; i++)
                        close(fds[i]);
                return; /* EOF: pid 2 never got to its filter; the text set at init says so */
        }
        if (m.why == WHY_NOTHING) { /* nothing can be refused with an errno: nothing to record */
                n->rec->recorded = true;
                n->rec->why_not[0] = '\0';
        }
        if (m.why == WHY_RECORDED && n_fds == 1) {
                n->listener = fds[0];
#if CJ_HAVE_SECCOMP_NOTIFY
                /* Linux >= 6.6: wake the waiting caller on this CPU, as the
                 * round trip is synchronous anyway.  Older kernels: EINVAL, fine. */
                (void) ioctl(n->listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
#endif
                n->rec->recorded = true;
                n->rec->why_not[0] = '\0';
                return;
        }
        for (size_t i = 0; i < n_fds; i++)
                close(fds[i]);
        if (m.why != WHY_NOTHING)
                why_text(n->rec, m.why);
}

/* The listener failed: later refusals get ENOSYS from the kernel instead of
 * their errno, which the result must say. */
static int listener_failed(cj_notify *n, int e) {
        close(TAKE_FD(n->listener));
        n->rec->recorded = false;
        snprintf(n->rec->why_not, sizeof n->rec->why_not,
                 "the seccomp listener failed mid-call (%s): refusals after %llu recorded ones got ENOSYS", strerror(e),
                 (unsigned long long) n->rec->total);
        return -e;
}

#if CJ_HAVE_SECCOMP_NOTIFY
/* The caller's comm (a record only: the pid may be gone or reused by now,
 * which NOTIF_ID_VALID checks afterwards; no decision depends on it). */
static void caller_comm(pid_t pid, char *comm, size_t size) {
        char path[64], buf[CJ_SANDBOX_REFUSED_PROGRAM_MAX + 1];
        snprintf(comm, size, "?");
        snprintf(path, sizeof path, "/proc/%d/comm", (int) pid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t got = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
        if (got <= 0)
                return;
        buf[got] = '\0';
        snprintf(comm, size, "%.*s", (int) strcspn(buf, "\n"), buf);
}

/* Its pid in the sandbox's pid namespace (the last NSpid), 0 if unknown.
 * Read only for a new record: /proc/PID/status costs more than comm. */
static int caller_ns_pid(pid_t pid) {
        char path[64], buf[4096];
        snprintf(path, sizeof path, "/proc/%d/status", (int) pid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t got = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
        if (got <= 0)
                return 0;
        buf[got] = '\0';
        int ns_pid = 0;
        const char *ns = strstr(buf, "\nNSpid:");
        if (ns) { /* the last number is the pid in the innermost namespace: the sandbox's */
                const char *end = ns + 7 + strcspn(ns + 7, "\n");
                const char *p = end;
                while (p > ns + 7 && p[-1] >= '0' && p[-1] <= '9')
                        p--;
                ns_pid = atoi(p);
        }
        return ns_pid;
}

int cj_notify_on_listener(cj_notify *n) {
        if (n->listener < 0)
                return 0;
        if (!n->req) {
                struct seccomp_notif_sizes sz = { 0 };
                if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0)
                        sz = (struct seccomp_notif_sizes){ sizeof(struct seccomp_notif),
                                                           sizeof(struct seccomp_notif_resp), 0 };
                n->req_size = sz.seccomp_notif > sizeof(struct seccomp_notif) ? sz.seccomp_notif
                                                                               : sizeof(struct seccomp_notif);
                n->resp_size = sz.seccomp_notif_resp > sizeof(struct seccomp_notif_resp)
                                       ? sz.seccomp_notif_resp
                                       : sizeof(struct seccomp_notif_resp);
                n->req = calloc(1, n->req_size);
                n->resp = calloc(1, n->resp_size);
                if (!n->req || !n->resp)
                        return listener_failed(n, ENOMEM);
        }
        struct seccomp_notif *q = n->req;
        memset(q, 0, n->req_size);
        if (ioctl(n->listener, SECCOMP_IOCTL_NOTIF_RECV, q) < 0) {
                int e = errno;
                if (e == EINTR || e == ENOENT) /* ENOENT: the caller was interrupted or died meanwhile */
                        return 0;
                return listener_failed(n, e);
        }
        /* The decision: the errno filter run on exactly what the kernel saw.
         * It returns SECCOMP_RET_ERRNO wherever the notifying copy returned
         * USER_NOTIF, so anything else is a bug here: refuse, never allow. */
        uint32_t act = 0;
        int errnum = EPERM;
        bool explained = cj_seccomp_bpf_run(n->prog.filter, n->prog.len, &q->data, &act) == 0 &&
                         (act & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO;
        if (explained)
                errnum = (int) (act & SECCOMP_RET_DATA);
        char comm[CJ_SANDBOX_REFUSED_PROGRAM_MAX];
        caller_comm(q->pid, comm, sizeof comm);
        char name[CJ_SANDBOX_REFUSED_NAME_MAX], args[CJ_SANDBOX_REFUSED_ARGS_MAX];
        cj_seccomp_syscall_name(q->data.nr, name, sizeof name);
        if (explained)
                cj_seccomp_describe_args(&q->data, args, sizeof args);
        else
                snprintf(args, sizeof args, "(the filter could not be evaluated: answered EPERM)");
        int ns_pid = find(n->rec, name, args, errnum, comm) ? 0 : caller_ns_pid(q->pid);
        __u64 id = q->id;
        if (ioctl(n->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0) {
                snprintf(comm, sizeof comm, "?"); /* the pid may name another process now */
                ns_pid = 0;
        }
        struct seccomp_notif_resp *resp = n->resp;
        memset(resp, 0, n->resp_size);
        resp->id = q->id;
        resp->error = -errnum;
        resp->val = 0;
        if (ioctl(n->listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0) {
                int e = errno;
                if (e == ENOENT || e == EINTR) /* gone or interrupted: a restarted call notifies again */
                        return 0;
                return listener_failed(n, e);
        }
        cj_refused_add(n->rec, name, args, errnum, ns_pid, comm);
        return 0;
}
#else
int cj_notify_on_listener(cj_notify *n) {
        (void) n;
        return 0;
}
#endif

cj_sandbox_refused *cj_notify_take(cj_notify *n) {
        return TAKE_PTR(n->rec);
}

void cj_notify_clear(cj_notify *n) {
        if (n->chan >= 0)
                close(TAKE_FD(n->chan));
        if (n->listener >= 0)
                close(TAKE_FD(n->listener));
        free(n->req);
        free(n->resp);
        n->req = n->resp = NULL;
        free(TAKE_PTR(n->rec));
}
