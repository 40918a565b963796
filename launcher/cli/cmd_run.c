/* SPDX-License-Identifier: MIT */
/* clawjail run [OPTS] -- PROGRAM [ARG...]: an argv, straight into the sandbox. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "opts.h"
#include "result.h"
#include "sandbox/plan.h"
#include "sandbox/sandbox.h"
#include "util/cleanup.h"
#include "util/json.h"

enum { OPT_PRINT_PLAN = 2000 };

static void run_usage(FILE *f) {
        fprintf(f,
                "Usage: clawjail run [OPTIONS] -- PROGRAM [ARG...]\n"
                "\n"
                "Run PROGRAM in a sandbox built from a profile: new user, mount, pid, ipc, uts\n"
                "and cgroup namespaces (and network, unless the profile says host), a fresh root\n"
                "of the profile's read-only and writable binds with credentials masked, no\n"
                "capabilities, no_new_privs, the profile's seccomp filter, a scrubbed environment,\n"
                "resource limits, and a wall-clock timeout that kills every process it started.\n"
                "The program's stdin/stdout/stderr are passed through unless --json is given.\n"
                "\n"
                "Options:\n%s"
                "  --print-plan          print the sandbox's mount plan and exit without running\n"
                "\n"
                "Exit status: the program's own; 124 timeout; 125 clawjail failed (bad option,\n"
                "bad profile, sandbox setup); 126 not executable; 127 not found; 128+N killed by\n"
                "signal N (137: also an OOM kill). With --json the result object is authoritative.\n"
                "\n"
                "Examples:\n"
                "  clawjail run -- make test\n"
                "  clawjail run --profile readonly --json -- cat README.md\n"
                "  clawjail run --timeout 30 --net none -- ./configure\n",
                cj_common_options_help);
}

static int print_plan(const cj_profile *p, const cj_common_opts *o) {
        cj_mount_plan plan = { 0 };
        cj_error err = { 0 };
        int r = cj_mount_plan_build(p, o->ro, o->rw, &cj_fs_probe_host, &plan, &err);
        if (r < 0)
                return cj_cli_fail("run: %s", cj_error_message(&err, r));
        printf("# profile %s (%s)\n# network %s, seccomp %s, run_as %u:%u (when started by root)\n", p->name, p->path,
               cj_net_mode_name(o->net >= 0 ? (cj_net_mode) o->net : p->network), p->seccomp,
               (unsigned) p->run_as_uid, (unsigned) p->run_as_gid);
        cj_mount_plan_print(&plan, stdout);
        cj_mount_plan_clear(&plan);
        return 0;
}

/* Run argv under profile p; the shared tail of `run` and `exec`. */
int cj_cli_run_sandboxed(const cj_profile *p, const cj_common_opts *o, char *const *argv, const char *cmd,
                         const char *display);

int cj_cli_run_sandboxed(const cj_profile *p, const cj_common_opts *o, char *const *argv, const char *cmd,
                         const char *display) {
        cj_sandbox_config cfg;
        cj_sandbox_config_init(&cfg);
        cfg.profile = p;
        cfg.argv = argv;
        cfg.cwd = o->cwd ? o->cwd : o->workspace;
        cfg.extra_ro = o->ro;
        cfg.extra_rw = o->rw;
        cfg.network = o->net;
        cfg.timeout_ms = o->timeout_ms;
        cfg.verbosity = cj_cli_verbosity;
        _cleanup_close_ int out_fd = -1, err_fd = -1, null_fd = -1;
        bool capture = o->json;
        if (capture) {
                out_fd = cj_capture_open();
                err_fd = cj_capture_open();
                if (out_fd < 0 || err_fd < 0)
                        return cj_cli_fail("%s: cannot create capture files: %s", cmd,
                                           strerror(-(out_fd < 0 ? out_fd : err_fd)));
                cfg.stdout_fd = out_fd;
                cfg.stderr_fd = err_fd;
        }
        cj_sandbox_result res;
        cj_error err = { 0 };
        int r = cj_sandbox_run(&cfg, &res, &err);
        if (r < 0) {
                if (o->json || o->status_fd >= 0) {
                        _cleanup_json_ json_t *j = json_pack("{s:s, s:i, s:{s:s, s:s}}", "status", "error",
                                                             "exit_code", CJ_EXIT_FAILURE, "error", "code", "sandbox",
                                                             "message", cj_error_message(&err, r));
                        if (o->json)
                                cj_result_emit(j, STDOUT_FILENO);
                        if (o->status_fd >= 0)
                                cj_result_emit(j, o->status_fd);
                }
                return cj_cli_fail("%s: %s", cmd, cj_error_message(&err, r));
        }
        int64_t timeout = o->timeout_ms > 0 ? o->timeout_ms : p->limits.wall_s * 1000;
        if (!o->json)
                cj_result_explain(&res, cmd, display, timeout);
        if (o->json || o->status_fd >= 0) {
                _cleanup_json_ json_t *j = cj_result_from_sandbox(&res, display);
                if (capture) {
                        static const char *const names[] = { "stdout", "stderr" };
                        int fds[] = { out_fd, err_fd };
                        json_t *trunc = json_object();
                        bool any = false;
                        for (int i = 0; i < 2; i++) {
                                bool t = false;
                                int64_t total = 0;
                                _cleanup_free_ char *s = cj_capture_read(fds[i], p->limits.output_bytes, &t, &total);
                                json_object_set_new(j, names[i], json_stringn(s ? s : "", s ? strlen(s) : 0));
                                json_object_set_new(trunc, names[i], json_boolean(t));
                                any |= t;
                        }
                        if (any)
                                json_object_set_new(j, "truncated", trunc);
                        else
                                json_decref(trunc);
                }
                if (o->json)
                        cj_result_emit(j, STDOUT_FILENO);
                if (o->status_fd >= 0 && cj_result_emit(j, o->status_fd) < 0)
                        fprintf(stderr, "clawjail: %s: cannot write to --status-fd %d: %s\n", cmd, o->status_fd,
                                strerror(errno));
        }
        return cj_sandbox_exit_code(&res);
}

int cmd_run(int argc, char **argv) {
        static const struct option longopts[] = {
                CJ_COMMON_LONG_OPTIONS,
                { "print-plan", no_argument, NULL, OPT_PRINT_PLAN },
                { 0 },
        };
        cj_common_opts o;
        cj_common_opts_init(&o);
        bool plan_only = false;
        int c, ret = CJ_EXIT_FAILURE;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+vqh", longopts, NULL)) != -1) {
                if (c == OPT_PRINT_PLAN) {
                        plan_only = true;
                        continue;
                }
                if (c == 'h') {
                        o.help = true;
                        continue;
                }
                int h = cj_common_opts_handle(&o, c, optarg, "run");
                if (h == 1)
                        continue;
                if (h == 0)
                        cj_cli_fail("run: unknown option '%s' (see 'clawjail run --help')", argv[optind - 1]);
                goto out;
        }
        if (o.help) {
                run_usage(stdout);
                ret = 0;
                goto out;
        }
        if (o.approve) {
                cj_cli_fail("run: --approve applies to 'exec' and 'call' (run has no shell verdict to approve)");
                goto out;
        }
        if (!plan_only && optind >= argc) {
                cj_cli_fail("run: no program given (usage: clawjail run [OPTIONS] -- PROGRAM [ARG...])");
                goto out;
        }
        _cleanup_profile_ cj_profile *p = NULL;
        if (cj_common_opts_load_profile(&o, &p, "run") != 0)
                goto out;
        if (plan_only) {
                ret = print_plan(p, &o);
                goto out;
        }
        ret = cj_cli_run_sandboxed(p, &o, argv + optind, "run", argv[optind]);
out:
        cj_common_opts_clear(&o);
        return ret;
}
