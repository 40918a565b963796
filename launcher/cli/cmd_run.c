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
#include "pipeline/pipeline.h"
#include "sandbox/plan.h"
#include "sandbox/sandbox.h"
#include "util/cleanup.h"
#include "util/phase.h"

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
                "The profile's validation rules and default verdict apply to the argv (it is not\n"
                "shell text, so the bash validation chain does not: use 'exec' for commands an\n"
                "agent wrote; a rule that says ask needs 'clawjail approve'); with --task the call is\n"
                "admitted against the task's budget and journaled (its output is then captured\n"
                "and replayed after the call, and kept whole in the task's outputs/).\n"
                "\n"
                "Options:\n%s"
                "  --print-plan          print the sandbox's mount plan and exit without running\n"
                "\n"
                "Exit status: the program's own; 120 denied; 121 approval required; 122 task\n"
                "budget exhausted or task stopped; 124 timeout; 125 clawjail failed (bad option,\n"
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
        if (r >= 0) /* an untracked call's HOME: a fresh tmpfs */
                r = cj_mount_plan_scratch(&plan, cj_profile_env_get(p, "HOME"), NULL, NULL, &err);
        if (r < 0) {
                cj_mount_plan_clear(&plan);
                return cj_cli_fail("run: %s", cj_error_message(&err, r));
        }
        printf("# profile %s (%s)\n# network %s, seccomp %s, run_as %u:%u (when started by root)\n", p->name, p->path,
               cj_net_mode_name(o->net >= 0 ? (cj_net_mode) o->net : p->network), p->seccomp,
               (unsigned) p->run_as_uid, (unsigned) p->run_as_gid);
        cj_mount_plan_print(&plan, stdout);
        cj_mount_plan_clear(&plan);
        return 0;
}

int cmd_run(int argc, char **argv) {
        static const struct option longopts[] = {
                CJ_COMMON_LONG_OPTIONS,
                { "print-plan", no_argument, NULL, OPT_PRINT_PLAN },
                { 0 },
        };
        /* Declared before any goto: cleanup runs at the end of the function. */
        _cleanup_profile_ cj_profile *p = NULL;
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
        if (!plan_only && optind >= argc) {
                cj_cli_fail("run: no program given (usage: clawjail run [OPTIONS] -- PROGRAM [ARG...])");
                goto out;
        }
        if (cj_common_opts_load_profile(&o, &p, "run") != 0)
                goto out;
        cj_phase("profile-load");
        if (plan_only) {
                ret = print_plan(p, &o);
                goto out;
        }
        cj_call call = { .kind = CJ_CALL_RUN, .argv = argv + optind };
        ret = cj_cli_invoke(&o, p, &call, "run");
out:
        cj_common_opts_clear(&o);
        cj_cli_keep_profile(&p);
        return ret;
}
