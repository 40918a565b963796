/* SPDX-License-Identifier: MIT */
#include "fstools.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/paths.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/json.h"

static int report(const cj_fstool_job *j, json_t *obj) {
        _cleanup_free_ char *s = json_dumps(obj, JSON_COMPACT);
        json_decref(obj);
        if (s)
                cj_write_all(j->report_fd, s, strlen(s));
        return 0;
}

static const char *errno_code(int e) {
        switch (e) {
        case ENOENT:
        case ENOTDIR:
                return "not_found";
        case EACCES:
        case EPERM:
                return "permission_denied";
        case EROFS:
        case EBUSY:
                return "read_only";
        case EISDIR:
                return "is_directory";
        case EFBIG:
        case ENOSPC:
        case EDQUOT:
                return "too_large";
        default:
                return "io_error";
        }
}

static int fail(const cj_fstool_job *j, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(const cj_fstool_job *j, const char *code, const char *fmt, ...) {
        char msg[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        report(j, json_pack("{s:b, s:s, s:s}", "ok", 0, "code", code, "message", msg));
        return 1;
}

static int fail_errno(const cj_fstool_job *j, int e, const char *what) {
        if (e == EROFS || e == EBUSY)
                return fail(j, "read_only", "%s: %s is read-only in this sandbox (outside the writable roots, "
                                            "protected, or masked)", what, j->path);
        return fail(j, errno_code(e), "%s %s: %s", what, j->path, strerror(e));
}

/* The lexical check saw the requested path; this is where it really leads,
 * inside the sandbox's view, and it must pass the same policy (a symlink into
 * /tmp, .git/hooks or a masked file). */
static int check_real(const cj_fstool_job *j, const char *real) {
        cj_tool t = j->kind == CJ_CALL_READ ? CJ_TOOL_READ : j->kind == CJ_CALL_WRITE ? CJ_TOOL_WRITE : CJ_TOOL_EDIT;
        cj_proto_error perr = { 0 };
        if (!j->profile || cj_proto_check_target(j->profile, t, real, &perr) == 0)
                return 0;
        if (strcmp(real, j->path) != 0)
                return fail(j, cj_proto_code_name(perr.code), "%s (%s leads there)", perr.message, j->path);
        return fail(j, cj_proto_code_name(perr.code), "%s", perr.message);
}

size_t cj_count_occurrences(const char *hay, size_t hlen, const char *needle, size_t nlen) {
        size_t n = 0;
        if (nlen == 0 || nlen > hlen)
                return 0;
        for (const char *p = hay; (p = memmem(p, hlen - (size_t) (p - hay), needle, nlen)); p++)
                n++;
        return n;
}

static int do_read(const cj_fstool_job *j) {
        _cleanup_close_ int fd = open(j->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return fail_errno(j, errno, "read");
        _cleanup_free_ char *real = realpath(j->path, NULL);
        if (real && check_real(j, real) != 0)
                return 1;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return fail_errno(j, errno, "read");
        if (S_ISDIR(st.st_mode))
                return fail(j, "is_directory", "read %s: is a directory", j->path);
        if (!S_ISREG(st.st_mode))
                return fail(j, "not_regular", "read %s: not a regular file", j->path);
        int64_t size = st.st_size, off = j->offset, want = j->limit;
        int64_t got = 0;
        char buf[65536];
        while (off < size && got < want) {
                size_t n = (size_t) (want - got < (int64_t) sizeof buf ? want - got : (int64_t) sizeof buf);
                ssize_t r = pread(fd, buf, n, off);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return fail_errno(j, errno, "read");
                if (r == 0)
                        break;
                if (cj_write_all(j->data_fd, buf, (size_t) r) < 0)
                        return fail(j, "io_error", "read %s: cannot pass the data on", j->path);
                off += r;
                got += r;
        }
        return report(j, json_pack("{s:b, s:I, s:b, s:I}", "ok", 1, "size", (json_int_t) size, "eof", off >= size,
                                   "bytes", (json_int_t) got));
}

/* Where a write really lands: a symlink is followed inside the sandbox's view
 * (a target outside it does not exist here); a missing parent is created. */
static int resolve_target(const cj_fstool_job *j, char **out, mode_t *mode) {
        struct stat st;
        *mode = 0644;
        if (lstat(j->path, &st) == 0) {
                char *real = realpath(j->path, NULL);
                if (!real)
                        return fail(j, "bad_path", "write %s: a symlink whose target is outside the sandbox's roots",
                                    j->path);
                if (check_real(j, real) != 0) {
                        free(real);
                        return 1;
                }
                if (stat(real, &st) == 0) {
                        if (!S_ISREG(st.st_mode)) {
                                free(real);
                                return fail(j, "not_regular", "write %s: not a regular file", j->path);
                        }
                        *mode = st.st_mode & 07777;
                }
                *out = real;
                return 0;
        }
        _cleanup_free_ char *dcopy = strdup(j->path), *bcopy = strdup(j->path);
        if (!dcopy || !bcopy)
                return fail(j, "io_error", "out of memory");
        const char *dir = dirname(dcopy), *base = basename(bcopy);
        /* Where the missing directories would be made: the nearest existing one. */
        _cleanup_free_ char *near = strdup(dir);
        if (!near)
                return fail(j, "io_error", "out of memory");
        for (;;) {
                struct stat dst;
                if (stat(near, &dst) == 0 || strcmp(near, "/") == 0)
                        break;
                *strrchr(near, '/') = '\0';
                if (!*near)
                        strcpy(near, "/");
        }
        _cleanup_free_ char *rnear = realpath(near, NULL);
        _cleanup_free_ char *would = rnear ? cj_path_join(rnear, j->path + strlen(near)) : NULL;
        if (!would)
                return fail_errno(j, errno ? errno : ENOMEM, "write");
        if (check_real(j, would) != 0)
                return 1;
        int r = cj_mkdir_p(dir, 0755);
        if (r < 0)
                return fail_errno(j, -r, "create the directory of");
        _cleanup_free_ char *rdir = realpath(dir, NULL);
        if (!rdir)
                return fail_errno(j, errno, "write");
        *out = cj_path_join(rdir, base);
        if (!*out)
                return fail(j, "io_error", "out of memory");
        return check_real(j, *out);
}

/* Temp file in the target's directory, fsync, rename, fsync the directory.
 * changed (reported for loop governance): the content differs from before. */
static int replace_file(const cj_fstool_job *j, const char *target, mode_t mode, const char *data, size_t len,
                        bool changed) {
        _cleanup_free_ char *dcopy = strdup(target);
        if (!dcopy)
                return fail(j, "io_error", "out of memory");
        char tmp[PATH_MAX];
        if (snprintf(tmp, sizeof tmp, "%s/.clawjail-write.XXXXXX", dirname(dcopy)) >= (int) sizeof tmp)
                return fail(j, "bad_path", "write %s: path too long", j->path);
        _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return fail_errno(j, errno, "write");
        int r = cj_write_all(fd, data, len);
        if (r >= 0 && fchmod(fd, mode) < 0)
                r = -errno;
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && rename(tmp, target) < 0)
                r = -errno;
        if (r < 0) {
                unlink(tmp);
                return fail_errno(j, -r, "write");
        }
        cj_fsync_parent_dir(target);
        return report(j, json_pack("{s:b, s:I, s:b}", "ok", 1, "bytes_written", (json_int_t) len, "changed", changed));
}

static int do_write(const cj_fstool_job *j) {
        _cleanup_free_ char *target = NULL;
        mode_t mode;
        if (resolve_target(j, &target, &mode) != 0)
                return 1;
        /* Same bytes as before: not a change (an agent rewriting one file
         * with the same content over and over is going round in circles). */
        bool changed = true;
        struct stat st;
        _cleanup_free_ char *old = NULL;
        size_t olen = 0;
        if (stat(target, &st) == 0 && S_ISREG(st.st_mode) && (size_t) st.st_size == j->content_len &&
            cj_read_file(target, CJ_EDIT_FILE_MAX, &old, &olen, NULL) >= 0 && olen == j->content_len &&
            memcmp(old, j->content ? j->content : "", olen) == 0)
                changed = false;
        return replace_file(j, target, mode, j->content, j->content_len, changed);
}

static int do_edit(const cj_fstool_job *j) {
        _cleanup_free_ char *target = realpath(j->path, NULL);
        if (!target)
                return fail_errno(j, errno, "edit");
        if (check_real(j, target) != 0)
                return 1;
        struct stat st;
        if (stat(target, &st) < 0)
                return fail_errno(j, errno, "edit");
        if (!S_ISREG(st.st_mode))
                return fail(j, "not_regular", "edit %s: not a regular file", j->path);
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        if (cj_read_file(target, CJ_EDIT_FILE_MAX, &text, &len, NULL) < 0)
                return fail(j, st.st_size > (off_t) CJ_EDIT_FILE_MAX ? "too_large" : "io_error",
                            "edit %s: cannot read it (files up to %u bytes)", j->path, CJ_EDIT_FILE_MAX);
        size_t olen = strlen(j->old_text), nlen = strlen(j->new_text);
        size_t n = cj_count_occurrences(text, len, j->old_text, olen);
        if (n != 1)
                return fail(j, "edit_mismatch", "edit %s: old_text occurs %zu times; it must occur exactly once", j->path,
                            n);
        const char *at = memmem(text, len, j->old_text, olen);
        size_t pre = (size_t) (at - text), outlen = len - olen + nlen;
        _cleanup_free_ char *out = malloc(outlen + 1);
        if (!out)
                return fail(j, "io_error", "out of memory");
        memcpy(out, text, pre);
        memcpy(out + pre, j->new_text, nlen);
        memcpy(out + pre + nlen, at + olen, len - pre - olen);
        return replace_file(j, target, st.st_mode & 07777, out, outlen, strcmp(j->old_text, j->new_text) != 0);
}

int cj_fstool_main(void *arg) {
        const cj_fstool_job *j = arg;
        switch (j->kind) {
        case CJ_CALL_READ:
                return do_read(j);
        case CJ_CALL_WRITE:
                return do_write(j);
        case CJ_CALL_EDIT:
                return do_edit(j);
        default:
                return fail(j, "bad_tool", "not a file tool");
        }
}
