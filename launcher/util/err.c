/* SPDX-License-Identifier: MIT */
#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int normalize(int errnum) {
        if (errnum < 0)
                errnum = -errnum;
        return errnum == 0 ? EINVAL : errnum;
}

__attribute__((format(printf, 4, 0))) static int vset(cj_error *err, int errnum, int append_errno,
                                                    const char *fmt, va_list ap) {
        errnum = normalize(errnum);
        if (!err || err->code != 0)
                return -errnum;
        err->code = errnum;
        int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        if (append_errno && n >= 0 && (size_t) n < sizeof err->msg)
                snprintf(err->msg + n, sizeof err->msg - (size_t) n, ": %s", strerror(errnum));
        return -errnum;
}

int cj_error_set(cj_error *err, int errnum, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = vset(err, errnum, 0, fmt, ap);
        va_end(ap);
        return r;
}

int cj_error_seterrno(cj_error *err, int errnum, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = vset(err, errnum, 1, fmt, ap);
        va_end(ap);
        return r;
}

int cj_error_prefix(cj_error *err, const char *fmt, ...) {
        if (!err || err->code == 0)
                return err ? 0 : -EINVAL;
        char old[CJ_ERROR_MSG_MAX];
        memcpy(old, err->msg, sizeof old);
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t) n < sizeof err->msg) /* the prefix fits: append what was there */
                memccpy(err->msg + n, old, '\0', sizeof err->msg - (size_t) n);
        err->msg[sizeof err->msg - 1] = '\0';
        return -err->code;
}

void cj_error_clear(cj_error *err) {
        if (!err)
                return;
        err->code = 0;
        err->msg[0] = '\0';
}

const char *cj_error_message(const cj_error *err, int r) {
        if (err && err->code != 0 && err->msg[0])
                return err->msg;
        return strerror(r < 0 ? -r : (r ? r : EINVAL));
}
