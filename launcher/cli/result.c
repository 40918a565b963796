/* SPDX-License-Identifier: MIT */
#include "result.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/json.h"

#define CJ_TRUNCATION_MARKER "\n[... clawjail: output truncated ...]\n"

int cj_capture_open(void) {
        const char *dir = getenv("TMPDIR");
        int fd = open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0)
                fd = memfd_create("clawjail-capture", MFD_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

static ssize_t pread_all(int fd, char *buf, size_t n, off_t off) {
        size_t got = 0;
        while (got < n) {
                ssize_t r = pread(fd, buf + got, n - got, off + (off_t) got);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return r < 0 ? -1 : (ssize_t) got;
                got += (size_t) r;
        }
        return (ssize_t) got;
}

char *cj_capture_read(int fd, int64_t cap, bool *truncated, int64_t *total) {
        struct stat st;
        *truncated = false;
        if (fstat(fd, &st) < 0)
                return NULL;
        *total = st.st_size;
        if (cap < 0)
                cap = CJ_CAPTURE_MAX_DEFAULT;
        size_t size = (size_t) st.st_size;
        if ((int64_t) size <= cap) {
                char *buf = malloc(size + 1);
                if (!buf || pread_all(fd, buf, size, 0) != (ssize_t) size) {
                        free(buf);
                        return NULL;
                }
                buf[size] = '\0';
                return buf;
        }
        *truncated = true;
        size_t head = (size_t) cap / 2, tail = (size_t) cap - head, ml = strlen(CJ_TRUNCATION_MARKER);
        char *buf = malloc(head + ml + tail + 1);
        if (!buf || pread_all(fd, buf, head, 0) != (ssize_t) head ||
            pread_all(fd, buf + head + ml, tail, (off_t) (size - tail)) != (ssize_t) tail) {
                free(buf);
                return NULL;
        }
        memcpy(buf + head, CJ_TRUNCATION_MARKER, ml);
        buf[head + ml + tail] = '\0';
        return buf;
}

json_t *cj_result_from_sandbox(const cj_sandbox_result *res, const char *program) {
        json_t *o = json_object();
        bool exec_failed = res->status == CJ_SB_EXEC_FAILED;
        json_object_set_new(o, "status", json_string(res->status == CJ_SB_TIMEOUT ? "timeout"
                                                     : exec_failed                ? "error"
                                                                                  : "ok"));
        json_object_set_new(o, "exit_code", json_integer(cj_sandbox_exit_code(res)));
        json_object_set_new(o, "signal", res->status == CJ_SB_SIGNALED || res->status == CJ_SB_OOM ||
                                                         res->status == CJ_SB_TIMEOUT
                                                 ? json_integer(res->signal)
                                                 : json_null());
        if (res->status == CJ_SB_OOM)
                json_object_set_new(o, "oom_killed", json_true());
        json_object_set_new(o, "duration_ms", json_integer(res->duration_ms));
        json_object_set_new(o, "cpu_ms", json_integer(res->cpu_ms));
        if (res->peak_memory_bytes >= 0)
                json_object_set_new(o, "peak_memory_bytes", json_integer(res->peak_memory_bytes));
        json_object_set_new(o, "cgroup", json_string(res->cgroup));
        if (exec_failed) {
                json_t *e = json_object();
                json_object_set_new(e, "code", json_string(res->exec_errno == ENOENT ? "not_found" : "not_executable"));
                char msg[512];
                snprintf(msg, sizeof msg, "%s: %s", program ? program : "program",
                         res->exec_errno == ENOENT ? "command not found" : strerror(res->exec_errno));
                json_object_set_new(e, "message", json_string(msg));
                json_object_set_new(o, "error", e);
        }
        return o;
}

void cj_result_explain(const cj_sandbox_result *res, const char *cmd, const char *program, int64_t timeout_ms) {
        if (cj_cli_verbosity < 0)
                return;
        switch (res->status) {
        case CJ_SB_TIMEOUT:
                fprintf(stderr, "clawjail: %s: timed out after %.3g s; every process of the sandbox was killed\n", cmd,
                        (double) timeout_ms / 1000.0);
                break;
        case CJ_SB_OOM:
                fprintf(stderr, "clawjail: %s: killed by the OOM killer (the profile's memory limit)\n", cmd);
                break;
        case CJ_SB_EXEC_FAILED:
                fprintf(stderr, "clawjail: %s: %s: %s\n", cmd, program,
                        res->exec_errno == ENOENT ? "command not found in the sandbox"
                                                  : strerror(res->exec_errno));
                break;
        default:
                break;
        }
}

int cj_result_emit(const json_t *obj, int fd) {
        _cleanup_free_ char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!s)
                return -ENOMEM;
        size_t n = strlen(s);
        s[n] = '\n';
        int r = cj_write_all(fd, s, n + 1);
        s[n] = '\0';
        return r;
}
