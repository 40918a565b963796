/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Refused syscalls, recorded (docs/seccomp.md, "What the sandbox refused").
 *
 * pid 2 installs the profile's filter with every errno action turned into a
 * user notification (SECCOMP_RET_USER_NOTIF: the same program, so allowed
 * syscalls run exactly as before) and hands the listener to the launcher
 * over the sandbox's channel before it execs: the call never holds it.  The
 * launcher answers each notification with the errno the original filter
 * names for that syscall and those arguments (running the filter on the
 * notification's seccomp_data), so the call sees what it saw before, and
 * adds it to the call's records.  If the launcher dies, the kernel answers
 * ENOSYS to a call waiting on the listener, and the sandbox dies with it.
 *
 * Where that cannot be done (no user notification in the kernel or the
 * headers, another listener already in the process's filter chain, a filter
 * that refuses the hand-over itself), pid 2 installs the errno filter as
 * before and tells the launcher why.
 */

#include <linux/filter.h>
#include <stdint.h>

#include "sandbox.h"

/* pid 2, after no_new_privs and right before exec: install prog (the errno
 * filter) as described above and send the launcher one CJ_CHAN_NOTIFY
 * message on chan, which is then closed.  audit_arch is the native
 * AUDIT_ARCH_* (seccomp_arch_native(), taken before the clone).  Returns 0
 * when a filter is installed, or -errno when none could be (the call must
 * not run). */
int cj_notify_child_install(const struct sock_fprog *prog, uint32_t audit_arch, int chan);

/* The launcher's side of one call. */
typedef struct cj_notify {
        int chan;                      /* the launcher's end of the channel until pid 2's message; else -1 */
        int listener;                  /* -1 until received, and after POLLHUP */
        struct sock_fprog prog;        /* the errno filter (not owned) */
        void *req, *resp;              /* sized by SECCOMP_GET_NOTIF_SIZES */
        size_t req_size, resp_size;
        cj_sandbox_refused *rec;       /* owned until cj_notify_take */
} cj_notify;

/* Start with the launcher's end of the channel (taken) and the errno
 * filter the call was given. */
int cj_notify_init(cj_notify *n, int chan, const struct sock_fprog *prog);

/* chan is readable: take pid 2's message (the listener, or why there is
 * none).  At EOF without a message the records say the call never got that
 * far.  Closes chan. */
void cj_notify_on_chan(cj_notify *n);

/* The listener is readable: answer one notification and record it.  A
 * notification whose process died or was interrupted is not recorded (a
 * restarted call notifies again).  Returns -errno only when the listener is
 * unusable (it is then closed). */
int cj_notify_on_listener(cj_notify *n);

/* Hand the records to the result (NULL if none were set up). */
cj_sandbox_refused *cj_notify_take(cj_notify *n);

/* Close what is still open and free what was not taken. */
void cj_notify_clear(cj_notify *n);

/* Pure: count one refused call in rec (aggregated; see sandbox.h). */
void cj_refused_add(cj_sandbox_refused *rec, const char *syscall, const char *args, int errnum, int pid,
                    const char *program);
