/* SPDX-License-Identifier: MIT */
#include "result.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "proto/result.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/json.h"

char *cj_result_line(const json_t *obj, size_t *len) {
        /* Budgets are seconds and dollars: 9 significant digits, not binary noise. */
        char *s = obj ? json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9)) : NULL;
        if (!s)
                return NULL;
        *len = strlen(s) + 1;
        s[*len - 1] = '\n'; /* replaces the NUL */
        return s;
}

int cj_result_emit(const json_t *obj, int fd) {
        size_t n;
        _cleanup_free_ char *s = cj_result_line(obj, &n);
        return s ? cj_write_all(fd, s, n) : -ENOMEM;
}

json_t *cj_result_failure(const char *id, const char *code, const char *message) {
        json_t *r = cj_proto_error_result(id, code, message);
        if (r)
                json_object_set_new(r, "exit_code", json_integer(CJ_EXIT_FAILURE));
        return cj_proto_result_order(r);
}

static const char *str(const json_t *o, const char *k) {
        const char *s = json_string_value(json_object_get(o, k));
        return s ? s : "";
}

static void print_findings(const json_t *result, const char *cmd) {
        size_t i;
        const json_t *f;
        json_array_foreach(json_object_get(json_object_get(result, "verdict"), "findings"), i, f) {
                fprintf(stderr, "clawjail: %s:   %s (%s, byte %lld): %s\n", cmd, str(f, "decision"), str(f, "validator"),
                        (long long) json_integer_value(json_object_get(f, "offset")), str(f, "message"));
        }
}

static void explain(const json_t *r, const char *cmd) {
        const char *status = str(r, "status");
        const json_t *err = json_object_get(r, "error");
        if (strcmp(status, "denied") == 0) {
                fprintf(stderr, "clawjail: %s: denied by the validation chain or a deny rule:\n", cmd);
                print_findings(r, cmd);
        } else if (strcmp(status, "approval_required") == 0) {
                if (err)
                        fprintf(stderr, "clawjail: %s: %s\n", cmd, str(err, "message"));
                fprintf(stderr, "clawjail: %s: approval required:\n", cmd);
                print_findings(r, cmd);
                const json_t *hints = json_object_get(r, "hints");
                size_t i;
                const json_t *h;
                json_array_foreach(hints, i, h) fprintf(stderr, "clawjail: %s: %s\n", cmd, json_string_value(h));
        } else if (strcmp(status, "budget_exhausted") == 0)
                fprintf(stderr, "clawjail: %s: %s\n", cmd, str(err, "message"));
        else if (strcmp(status, "timeout") == 0)
                fprintf(stderr, "clawjail: %s: timed out; every process of the sandbox was killed\n", cmd);
        else if (json_is_true(json_object_get(r, "oom_killed")))
                fprintf(stderr, "clawjail: %s: killed by the OOM killer (the profile's memory limit)\n", cmd);
        else if (err)
                fprintf(stderr, "clawjail: %s: %s\n", cmd, str(err, "message"));
}

static void refused(const json_t *r, const char *cmd) {
        const json_t *rs = json_object_get(r, "refused_syscalls"), *c;
        if (!rs)
                return;
        if (json_is_false(json_object_get(rs, "recorded"))) {
                fprintf(stderr, "clawjail: %s: refused syscalls are not recorded here: %s\n", cmd, str(rs, "reason"));
                return;
        }
        size_t i;
        json_array_foreach(json_object_get(rs, "calls"), i, c)
                fprintf(stderr, "clawjail: %s: the sandbox refused %s(%s) -> %s, %lld time(s), in %s\n", cmd,
                        str(c, "syscall"), str(c, "args"), str(c, "errno"),
                        (long long) json_integer_value(json_object_get(c, "count")), str(c, "program"));
        if (json_integer_value(json_object_get(rs, "unrecorded")) > 0)
                fprintf(stderr, "clawjail: %s: and %lld refused call(s) of other kinds\n", cmd,
                        (long long) json_integer_value(json_object_get(rs, "unrecorded")));
}

int cj_result_present(const json_t *result, int exit_code, const cj_common_opts *o, const char *cmd) {
        if (o->status_fd >= 0 && cj_result_emit(result, o->status_fd) < 0)
                fprintf(stderr, "clawjail: %s: cannot write to --status-fd %d: %s\n", cmd, o->status_fd,
                        strerror(errno));
        if (o->json) {
                cj_result_emit(result, STDOUT_FILENO);
                return exit_code;
        }
        /* Tracked calls were captured (to be hashed and kept): replay them now. */
        const json_t *out = json_object_get(result, "stdout"), *errs = json_object_get(result, "stderr");
        if (out)
                cj_write_all(STDOUT_FILENO, json_string_value(out), json_string_length(out));
        if (errs)
                cj_write_all(STDERR_FILENO, json_string_value(errs), json_string_length(errs));
        if (cj_cli_verbosity >= 0)
                explain(result, cmd);
        size_t i;
        const json_t *q;
        if (cj_cli_verbosity > 0) /* -v: what the seccomp filter refused (the journal has it anyway) */
                refused(result, cmd);
        json_array_foreach(json_object_get(result, "quarantined"), i, q)
                fprintf(stderr,
                        "clawjail: %s: warning: the call created %s, which git would obey; moved aside to "
                        "%s.clawjail-quarantine\n",
                        cmd, json_string_value(q), json_string_value(q));
        return exit_code;
}
