/* SPDX-License-Identifier: MIT */
/* clawjail exec [OPTS] -c COMMAND: validate a bash command, then run it in the
 * sandbox with bash --noprofile --norc -c. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opts.h"
#include "pipeline/pipeline.h"
#include "util/cleanup.h"

static void exec_usage(FILE *f) {
        fprintf(f,
                "Usage: clawjail exec [OPTIONS] -c COMMAND\n"
                "\n"
                "Validate COMMAND with the strict bash parser and the validation chain, apply the\n"
                "profile's rules, and only if the verdict is allow (or ask, and an operator\n"
                "approved exactly this call of the --task with 'clawjail approve') run it in\n"
                "the sandbox as: bash --noprofile --norc -c COMMAND.\n"
                "A denied or unapproved command runs nothing. Use 'clawjail check -c COMMAND'\n"
                "to see the verdict and each finding with its byte span without running.\n"
                "\n"
                "Options:\n"
                "  -c COMMAND            the bash command (required; everything after it is an error)\n"
                "  --pty                 run it on a terminal of the sandbox's own (isatty is true;\n"
                "                        stderr is merged into stdout; stdin is typed in, then ^D)\n"
                "  --pty-size COLSxROWS  that terminal's size (default %ux%u, at most %ux%u)\n"
                "%s"
                "\n"
                "Exit status: the command's own; 120 denied; 121 approval required (the\n"
                "result names the request; 'clawjail approve TASK REQUEST', then rerun);\n"
                "122 task budget exhausted or task stopped; 124 timeout; 125 clawjail failed;\n"
                "126/127 not executable / not found; 128+N killed by signal N.\n"
                "\n"
                "Examples:\n"
                "  clawjail exec -c 'make -j2 && make test'\n"
                "  clawjail exec --task T42 --json -c 'git status --short'\n"
                "  clawjail exec --task T42 -c 'git push origin main'   # 121, request 3f1c09a2b7d4e5f6\n"
                "  clawjail approve T42 3f1c09a2b7d4e5f6 --once         # the operator, outside the agent\n"
                "  clawjail exec --task T42 -c 'git push origin main'   # now runs, once\n"
                "  clawjail exec --pty -c 'ls --color=auto'\n",
                CJ_PTY_COLS_DEFAULT, CJ_PTY_ROWS_DEFAULT, CJ_PTY_COLS_MAX, CJ_PTY_ROWS_MAX, cj_common_options_help);
}

enum { OPT_PTY = 3100, OPT_PTY_SIZE };

/* COLSxROWS within the terminal maxima. */
static int parse_pty_size(const char *arg, unsigned *cols, unsigned *rows) {
        char *end;
        unsigned long c = strtoul(arg, &end, 10), r = 0;
        if (end != arg && *arg >= '0' && *arg <= '9' && *end == 'x' && end[1] >= '0' && end[1] <= '9') {
                const char *rs = end + 1;
                r = strtoul(rs, &end, 10);
                if (!*end && c >= 1 && c <= CJ_PTY_COLS_MAX && r >= 1 && r <= CJ_PTY_ROWS_MAX) {
                        *cols = (unsigned) c;
                        *rows = (unsigned) r;
                        return 0;
                }
        }
        return cj_cli_fail("exec: --pty-size takes COLSxROWS, each from 1 to %d (say 120x40)", CJ_PTY_COLS_MAX);
}

int cmd_exec(int argc, char **argv) {
        static const struct option longopts[] = { CJ_COMMON_LONG_OPTIONS, { "command", required_argument, NULL, 'c' },
                                                  { "pty", no_argument, NULL, OPT_PTY },
                                                  { "pty-size", required_argument, NULL, OPT_PTY_SIZE },
                                                  { 0 } };
        bool pty = false;
        unsigned cols = 0, rows = 0;
        /* Declared before any goto: cleanup runs at the end of the function. */
        _cleanup_profile_ cj_profile *p = NULL;
        cj_common_opts o;
        cj_common_opts_init(&o);
        const char *command = NULL;
        int c, ret = CJ_EXIT_FAILURE;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+c:vqh", longopts, NULL)) != -1) {
                if (c == 'c') {
                        command = optarg;
                        continue;
                }
                if (c == 'h') {
                        o.help = true;
                        continue;
                }
                if (c == OPT_PTY) {
                        pty = true;
                        continue;
                }
                if (c == OPT_PTY_SIZE) {
                        if (parse_pty_size(optarg, &cols, &rows) != 0)
                                goto out;
                        continue;
                }
                if (c == '?' && optopt == 'c') {
                        cj_cli_fail("exec: -c needs a COMMAND");
                        goto out;
                }
                int h = cj_common_opts_handle(&o, c, optarg, "exec");
                if (h == 1)
                        continue;
                if (h == 0)
                        cj_cli_fail("exec: unknown option '%s' (see 'clawjail exec --help')", argv[optind - 1]);
                goto out;
        }
        if (o.help) {
                exec_usage(stdout);
                ret = 0;
                goto out;
        }
        if (!command) {
                cj_cli_fail("exec: no command given (usage: clawjail exec [OPTIONS] -c COMMAND)");
                goto out;
        }
        if (optind < argc) {
                cj_cli_fail("exec: unexpected argument '%s' after -c COMMAND (quote the whole command)", argv[optind]);
                goto out;
        }
        if (cj_common_opts_load_profile(&o, &p, "exec") != 0)
                goto out;
        if (cols && !pty) {
                cj_cli_fail("exec: --pty-size sizes the terminal of --pty; give --pty too");
                goto out;
        }
        cj_call call = { .kind = CJ_CALL_EXEC, .command = command, .pty = pty, .pty_cols = cols, .pty_rows = rows };
        ret = cj_cli_invoke(&o, p, &call, "exec");
out:
        cj_common_opts_clear(&o);
        cj_cli_keep_profile(&p);
        return ret;
}
