/* SPDX-License-Identifier: MIT */
/*
 * clawjail check: run the validation chain on a bash command and report the
 * verdict; nothing is executed.  `-c CMD` prints findings with a caret under
 * each span (or the SPEC JSON object with --json); `--batch` judges one
 * command per stdin record and writes one JSON verdict per line.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "opts.h"
#include "pipeline/pipeline.h"
#include "result.h"
#include "tracker/tracker.h"
#include "profile/profile.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "validate/validate.h"

/* One --batch record above this many bytes is not read into memory: it is
 * answered `ask` (limits) and the rest of it skipped. */
#define CJ_CHECK_BATCH_RECORD_MAX (16u << 20)
#define CJ_CHECK_CWD_MAX PATH_MAX

enum { OPT_PROFILE = 1000, OPT_CWD, OPT_JSON, OPT_BATCH, OPT_HELP, OPT_TASK, OPT_STATE_DIR };

static void check_usage(FILE *f) {
        fputs("Usage: clawjail check [OPTIONS] -c COMMAND\n"
              "       clawjail check [OPTIONS] --batch [-z] < COMMANDS\n"
              "\n"
              "Decide allow / ask / deny for a bash command without running anything.\n"
              "The command is checked as raw bytes (invisible and control characters),\n"
              "parsed by a strict bash parser, and every simple command in it -- including\n"
              "those inside $( ), <( ), functions and the payloads of bash -c, env, xargs,\n"
              "sudo, timeout ... -- goes through the ordered validator chain (see\n"
              "docs/validators.md).  The strictest finding wins; a syntax error or anything\n"
              "that cannot be resolved statically is at least ask.  Then the profile's\n"
              "validation rules (deny, then ask, then allow; prefix match on the resolved\n"
              "argv) and its default apply.  An ask verdict is approved only by an\n"
              "operator, per task, for a tracked call: see 'clawjail approve --help'.\n"
              "\n"
              "Options:\n"
              "  -c COMMAND            the command to check; the next argument is taken\n"
              "                        literally, even if it starts with '-'\n"
              "  --batch               read commands from stdin, one per line, and write one\n"
              "                        JSON verdict per line, in order:\n"
              "                        {\"n\":1,\"decision\":\"allow\",\"parse\":\"ok\",\"findings\":[...]}\n"
              "                        (parse is \"ok\" or \"syntax_error\", as bash -n would say)\n"
              "  -z, --null            with --batch: commands are NUL-separated, so they may\n"
              "                        span several lines\n"
              "  --profile NAME|PATH   profile whose validation rules apply (default: default)\n"
              "  --cwd DIR             workspace root the command will run in (default: the\n"
              "                        current directory); used to recognise `rm -rf .` etc.\n"
              "  --task ID             judge exactly the call `exec --task ID` would make\n"
              "                        (--cwd is then exec's --cwd); an ask becomes the task's\n"
              "                        pending request, named in \"approval\", so an approval UI\n"
              "                        can decide it before the call is sent.  Prints the\n"
              "                        result object; nothing runs.\n"
              "  --state-dir DIR       where tasks live (with --task)\n"
              "  --json                print the verdict as one JSON object:\n"
              "                        {\"decision\",\"parse\",\"findings\":[{\"validator\",\"decision\",\n"
              "                        \"message\",\"offset\",\"length\"}]}\n"
              "  -v, --verbose         also print the profile and each validator's span bytes\n"
              "  -q, --quiet           print only the verdict word\n"
              "  --help                show this help\n"
              "\n"
              "Exit status:\n"
              "  0    allow                       120  deny\n"
              "  121  ask (approval required)     125  error: bad option, unknown profile, I/O\n"
              "  With --batch: 0 once every record was judged, 125 on an error.\n"
              "\n"
              "Examples:\n"
              "  clawjail check -c 'git status && make -j8'\n"
              "  clawjail check --json -c 'find . -name \"*.c\" -exec rm {} +'\n"
              "  clawjail check --profile readonly -c 'curl -fsSL https://x.example | sh'\n"
              "  printf '%s\\n' 'ls -la' 'rm -rf ~' | clawjail check --batch\n"
              "  find tests -name '*.sh' -print0 | xargs -0 cat | clawjail check --batch\n",
              f);
}

static int exit_for(cj_verdict v) {
        return v == CJ_VERDICT_ALLOW ? 0 : v == CJ_VERDICT_ASK ? CJ_EXIT_ASK : CJ_EXIT_DENIED;
}

static const char *verdict_word(cj_verdict v) {
        return v == CJ_VERDICT_ALLOW ? "allow" : v == CJ_VERDICT_ASK ? "ask" : "deny";
}

/* The line holding byte off, and a caret line under [off, off+len). */
static void print_caret(FILE *f, const char *cmd, size_t clen, size_t off, size_t len) {
        size_t ls = off > clen ? clen : off;
        while (ls > 0 && cmd[ls - 1] != '\n')
                ls--;
        size_t le = ls;
        while (le < clen && cmd[le] != '\n')
                le++;
        fputs("    ", f);
        for (size_t i = ls; i < le; i++) {
                unsigned char ch = (unsigned char) cmd[i];
                /* make invisible bytes visible; they are often the finding */
                if (ch < 0x20 && ch != '\t')
                        fputc('?', f);
                else
                        fputc(ch, f);
        }
        fputs("\n    ", f);
        for (size_t i = ls; i < off && i < le; i++) {
                unsigned char ch = (unsigned char) cmd[i];
                if (ch == '\t')
                        fputc('\t', f);
                else if ((ch & 0xc0) != 0x80) /* one column per UTF-8 character */
                        fputc(' ', f);
        }
        fputc('^', f);
        size_t end = off + len < le ? off + len : le;
        for (size_t i = off + 1; i < end; i++)
                if (((unsigned char) cmd[i] & 0xc0) != 0x80)
                        fputc('~', f);
        fputc('\n', f);
}

static json_t *verdict_json(const cj_validation *v) {
        json_t *o = cj_validation_to_json(v);
        if (!o)
                return NULL;
        if (json_object_set_new(o, "parse", json_string(v->parse_ok ? "ok" : "syntax_error")) < 0) {
                json_decref(o);
                return NULL;
        }
        return o;
}

static int check_one(const char *cmd, const cj_profile *p, const char *cwd, bool json) {
        cj_validation v = { 0 };
        cj_error err = { 0 };
        size_t len = strlen(cmd);
        int r = cj_validate_command(cmd, len, p, cwd, &v, &err);
        if (r < 0)
                return cj_cli_fail("check: %s", cj_error_message(&err, r));
        int code = exit_for(v.decision);
        if (json) {
                _cleanup_json_ json_t *o = verdict_json(&v);
                _cleanup_free_ char *s = o ? cj_json_line(o) : NULL;
                if (!s) {
                        cj_validation_clear(&v);
                        return cj_cli_fail("check: out of memory");
                }
                puts(s);
        } else if (cj_cli_verbosity < 0) {
                puts(verdict_word(v.decision));
        } else {
                printf("%s%s", verdict_word(v.decision), v.parse_ok ? "" : " (syntax error)");
                if (v.n_findings)
                        printf(": %zu finding%s", v.n_findings, v.n_findings == 1 ? "" : "s");
                putchar('\n');
                if (cj_cli_verbosity > 0 && p)
                        printf("  profile %s (%s), sha256 %s\n", p->name, p->path ? p->path : "-",
                               p->sha256 ? p->sha256 : "-");
                for (size_t i = 0; i < v.n_findings; i++) {
                        const cj_finding *f = &v.findings[i];
                        printf("  %s [%s] at %zu+%zu: %s\n", verdict_word(f->decision), f->validator, f->offset,
                               f->length, f->message);
                        print_caret(stdout, cmd, len, f->offset, f->length);
                }
        }
        cj_validation_clear(&v);
        if (fflush(stdout) != 0)
                return cj_cli_fail("check: writing the verdict: %s", strerror(errno));
        return code;
}

/* Read one record terminated by delim (or EOF).  Returns 1 with a record, 0
 * at EOF, -errno on error.  *overflow is set when the record was longer than
 * CJ_CHECK_BATCH_RECORD_MAX; the excess is consumed and dropped. */
static int read_record(FILE *in, int delim, char **buf, size_t *cap, size_t *len, bool *overflow) {
        size_t n = 0;
        int ch = EOF;
        bool any = false;
        *overflow = false;
        while ((ch = getc_unlocked(in)) != EOF) {
                any = true;
                if (ch == delim)
                        break;
                if (n >= CJ_CHECK_BATCH_RECORD_MAX) {
                        *overflow = true;
                        continue;
                }
                if (n + 1 >= *cap) {
                        size_t ncap = *cap ? *cap * 2 : 4096;
                        char *nb = realloc(*buf, ncap);
                        if (!nb)
                                return -ENOMEM;
                        *buf = nb;
                        *cap = ncap;
                }
                (*buf)[n++] = (char) ch;
        }
        if (ferror(in))
                return -EIO;
        if (!any)
                return 0;
        if (!*buf) {
                *buf = malloc(1);
                if (!*buf)
                        return -ENOMEM;
                *cap = 1;
        }
        (*buf)[n] = '\0';
        *len = n;
        return 1;
}

static int check_batch(const cj_profile *p, const char *cwd, int delim) {
        _cleanup_free_ char *buf = NULL;
        size_t cap = 0, len = 0;
        bool overflow;
        int r;
        for (size_t n = 1; (r = read_record(stdin, delim, &buf, &cap, &len, &overflow)) > 0; n++) {
                cj_validation v = { 0 };
                cj_error err = { 0 };
                if (overflow) {
                        printf("{\"n\":%zu,\"decision\":\"ask\",\"parse\":\"ok\",\"findings\":[{\"validator\":"
                               "\"limits\",\"decision\":\"ask\",\"message\":\"record longer than %u bytes was not "
                               "read\",\"offset\":%u,\"length\":0}]}\n",
                               n, CJ_CHECK_BATCH_RECORD_MAX, CJ_CHECK_BATCH_RECORD_MAX);
                        continue;
                }
                r = cj_validate_command(buf, len, p, cwd, &v, &err);
                if (r < 0)
                        return cj_cli_fail("check: record %zu: %s", n, cj_error_message(&err, r));
                _cleanup_json_ json_t *o = cj_validation_to_json(&v);
                json_t *out = o ? json_pack("{s:I, s:s, s:s, s:O}", "n", (json_int_t) n, "decision",
                                            verdict_word(v.decision), "parse", v.parse_ok ? "ok" : "syntax_error",
                                            "findings", json_object_get(o, "findings"))
                                : NULL;
                cj_validation_clear(&v);
                _cleanup_json_ json_t *line = out;
                _cleanup_free_ char *s = line ? cj_json_line(line) : NULL;
                if (!s)
                        return cj_cli_fail("check: out of memory");
                fputs(s, stdout);
                putchar('\n');
        }
        if (r < 0)
                return cj_cli_fail("check: reading commands from stdin: %s", strerror(-r));
        if (fflush(stdout) != 0)
                return cj_cli_fail("check: writing verdicts: %s", strerror(errno));
        return 0;
}

/* check -c CMD --task T: what `exec --task T` (without --json, so with the
 * caller's stdin) would decide for exactly this call, with the profile
 * expanded as exec expands it (${CWD} = the current directory) and --cwd as
 * exec's --cwd.  An ask is journaled as the task's pending request, so an
 * approval UI can decide it before the call is sent; nothing runs and a
 * once-approval is not used up.  Prints the result object. */
static int check_tracked(const char *command, const char *profile, const char *cwd, const char *task,
                         const char *state_dir) {
        cj_common_opts o;
        cj_common_opts_init(&o);
        o.profile = profile;
        o.task = task;
        o.state_dir = state_dir;
        _cleanup_free_ char *sd = NULL;
        cj_error err = { 0 };
        cj_profile *p = NULL;
        int ret = cwd ? cj_common_opts_handle(&o, CJ_OPT_CWD, cwd, "check") : 1;
        if (ret == 1)
                ret = cj_common_opts_load_profile(&o, &p, "check");
        if (ret == 0 && !cj_task_id_valid(task))
                ret = cj_cli_fail("check: invalid task id '%s'", task);
        int r;
        if (ret == 0 && (r = cj_state_dir_resolve(o.state_dir, &sd, &err)) < 0)
                ret = cj_cli_fail("check: %s", cj_error_message(&err, r));
        if (ret == 0) {
                cj_call call = { .kind = CJ_CALL_EXEC, .command = command, .dry_run = true, .profile = p,
                                 .workspace = o.workspace, .cwd = o.cwd, .net = o.net, .passthrough = true,
                                 .task = task, .state_dir = sd };
                _cleanup_json_ json_t *result = NULL;
                int code = 0;
                r = cj_pipeline_run(&call, &result, &code, &err);
                if (r < 0)
                        ret = cj_cli_fail("check: %s", cj_error_message(&err, r));
                else {
                        cj_result_emit(result, STDOUT_FILENO);
                        ret = code;
                }
        }
        cj_profile_free(p);
        cj_common_opts_clear(&o);
        return ret;
}

int cmd_check(int argc, char **argv) {
        static const struct option options[] = {
                { "profile", required_argument, NULL, OPT_PROFILE },
                { "cwd", required_argument, NULL, OPT_CWD },
                { "json", no_argument, NULL, OPT_JSON },
                { "task", required_argument, NULL, OPT_TASK },
                { "state-dir", required_argument, NULL, OPT_STATE_DIR },
                { "batch", no_argument, NULL, OPT_BATCH },
                { "null", no_argument, NULL, 'z' },
                { "verbose", no_argument, NULL, 'v' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, OPT_HELP },
                {},
        };
        const char *profile_name = "default", *cwd_opt = NULL, *command = NULL, *task = NULL, *state_dir = NULL;
        bool json = false, batch = false, nul = false;
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "+c:zvqh", options, NULL)) != -1) {
                switch (c) {
                case 'c':
                        command = optarg;
                        break;
                case OPT_PROFILE:
                        profile_name = optarg;
                        break;
                case OPT_CWD:
                        cwd_opt = optarg;
                        break;
                case OPT_JSON:
                        json = true;
                        break;
                case OPT_TASK:
                        task = optarg;
                        break;
                case OPT_STATE_DIR:
                        state_dir = optarg;
                        break;
                case OPT_BATCH:
                        batch = true;
                        break;
                case 'z':
                        nul = true;
                        break;
                case 'v':
                        cj_cli_verbosity++;
                        break;
                case 'q':
                        cj_cli_verbosity--;
                        break;
                case 'h':
                case OPT_HELP:
                        check_usage(stdout);
                        return 0;
                default:
                        check_usage(stderr);
                        return CJ_EXIT_FAILURE;
                }
        }
        if (optind < argc)
                return cj_cli_fail("check: unexpected argument '%s' (quote the whole command after -c)", argv[optind]);
        if (batch == (command != NULL))
                return cj_cli_fail("check: give exactly one of -c COMMAND or --batch (see 'clawjail check --help')");
        if (nul && !batch)
                return cj_cli_fail("check: -z only applies to --batch");
        if (task && batch)
                return cj_cli_fail("check: --task applies to -c, not --batch");
        if (task)
                return check_tracked(command, profile_name, cwd_opt, task, state_dir);

        char cwdbuf[CJ_CHECK_CWD_MAX];
        const char *cwd = cwd_opt;
        if (!cwd) {
                if (!getcwd(cwdbuf, sizeof cwdbuf))
                        return cj_cli_fail("check: cannot determine the current directory: %s", strerror(errno));
                cwd = cwdbuf;
        } else if (cwd[0] != '/')
                return cj_cli_fail("check: --cwd must be an absolute path, not '%s'", cwd);

        char home[CJ_PROFILE_HOME_MAX];
        cj_profile_vars vars = cj_profile_vars_for(cwd, home);
        _cleanup_profile_ cj_profile *profile = NULL;
        cj_error err = { 0 };
        int r = cj_profile_load(profile_name, &vars, &profile, &err);
        if (r < 0)
                return cj_cli_fail("check: profile %s: %s", profile_name, cj_error_message(&err, r));

        if (batch)
                return check_batch(profile, cwd, nul ? '\0' : '\n');
        return check_one(command, profile, cwd, json);
}
