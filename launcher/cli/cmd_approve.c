/* SPDX-License-Identifier: MIT */
/* clawjail approve|deny TASK REQUEST, clawjail approvals TASK: the operator's
 * side of an `ask` verdict, outside the sandbox and outside the tool protocol. */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_tracker.h"
#include "tracker/tracker.h"
#include "util/json.h"

static const char approve_usage[] =
        "Usage: clawjail approve TASK REQUEST [--once | --for-task] [--ttl SEC] [--state-dir DIR]\n"
        "       clawjail deny TASK REQUEST [--reason TEXT] [--state-dir DIR]\n"
        "       clawjail approvals TASK [--all] [--json] [--state-dir DIR]\n"
        "\n"
        "An exec or run call whose verdict is ask (exit 121) names a REQUEST: a 16-digit\n"
        "id of exactly that call -- profile, working directory, command, request env,\n"
        "stdin and the operator's --ro/--rw/--net.  Nothing the agent sends approves it:\n"
        "the operator does, here, and the agent's identical retry then runs.\n"
        "\n"
        "  approve     let the call run: --once (default) for exactly one run, even\n"
        "              under concurrent retries; --for-task for every identical call\n"
        "              of the task.  --ttl SEC: the approval expires after SEC seconds.\n"
        "  deny        refuse it: the retry is denied (exit 120) with the reason.\n"
        "  approvals   list the requests waiting for a decision (--all: every\n"
        "              approval the task remembers, with its state and expiry).\n"
        "\n"
        "Each decision is journaled (\"approved\" / \"refused\") with the operator's uid\n"
        "and user name, the scope and the expiry.\n"
        "\n"
        "Exit status: 0 success; 125 usage error, unknown task or request.\n";

enum { OPT_STATE_DIR = 0x100, OPT_JSON, OPT_ONCE, OPT_FOR_TASK, OPT_TTL, OPT_REASON, OPT_ALL };

typedef struct approve_args {
        cj_tracker_opts o;
        const char *pos[2];
        size_t n_pos;
        bool once, for_task, all;
        int64_t ttl_s;
        const char *reason;
} approve_args;

static int parse(int argc, char **argv, const char *cmd, approve_args *a) {
        static const struct option longopts[] = {
                { "state-dir", required_argument, NULL, OPT_STATE_DIR },
                { "json", no_argument, NULL, OPT_JSON },
                { "once", no_argument, NULL, OPT_ONCE },
                { "for-task", no_argument, NULL, OPT_FOR_TASK },
                { "ttl", required_argument, NULL, OPT_TTL },
                { "reason", required_argument, NULL, OPT_REASON },
                { "all", no_argument, NULL, OPT_ALL },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        optind = 1;
        opterr = 0;
        for (;;) {
                int c = getopt_long(argc, argv, "+h", longopts, NULL);
                if (c == -1) {
                        if (optind >= argc)
                                break;
                        if (a->n_pos >= 2)
                                return cj_cli_fail("%s: unexpected argument '%s'", cmd, argv[optind]);
                        a->pos[a->n_pos++] = argv[optind++];
                        continue;
                }
                char *end = NULL;
                switch (c) {
                case 'h':
                        fputs(approve_usage, stdout);
                        return -1;
                case OPT_STATE_DIR: a->o.state_dir = optarg; break;
                case OPT_JSON: a->o.json = true; break;
                case OPT_ONCE: a->once = true; break;
                case OPT_FOR_TASK: a->for_task = true; break;
                case OPT_ALL: a->all = true; break;
                case OPT_REASON: a->reason = optarg; break;
                case OPT_TTL:
                        errno = 0;
                        a->ttl_s = strtoll(optarg, &end, 10);
                        if (errno || end == optarg || *end || a->ttl_s < 1 || a->ttl_s > CJ_APPROVAL_TTL_MAX)
                                return cj_cli_fail("%s: --ttl %s: expected whole seconds, 1 to %ld", cmd, optarg,
                                                   CJ_APPROVAL_TTL_MAX);
                        break;
                default:
                        return cj_cli_fail("%s: unknown option '%s' (see 'clawjail %s --help')", cmd,
                                           argv[optind - 1], cmd);
                }
        }
        bool is_approve = strcmp(cmd, "approve") == 0, is_deny = strcmp(cmd, "deny") == 0;
        size_t want = is_approve || is_deny ? 2 : 1;
        if (a->n_pos != want)
                return cj_cli_fail("%s: expected %s (see 'clawjail %s --help')", cmd,
                                   want == 2 ? "TASK REQUEST" : "TASK", cmd);
        if (a->once && a->for_task)
                return cj_cli_fail("%s: --once and --for-task exclude each other", cmd);
        if (!is_approve && (a->once || a->for_task || a->ttl_s))
                return cj_cli_fail("%s: --once, --for-task and --ttl only apply to approve", cmd);
        if (!is_deny && a->reason)
                return cj_cli_fail("%s: --reason only applies to deny", cmd);
        if (want == 2 && a->all)
                return cj_cli_fail("%s: --all only applies to approvals", cmd);
        if (!cj_task_id_valid(a->pos[0]))
                return cj_cli_fail("%s: invalid task id '%s'", cmd, a->pos[0]);
        return 0;
}

static void print_table(const json_t *list) {
        size_t i;
        json_t *e;
        if (json_array_size(list) == 0)
                puts("(no requests)");
        json_array_foreach(list, i, e) {
                const char *exp = json_string_value(json_object_get(e, "expires"));
                printf("%-16s %-8s %s  cwd %s  profile %s%s%s\n", json_string_value(json_object_get(e, "request")),
                       json_string_value(json_object_get(e, "state")), json_string_value(json_object_get(e, "asked")),
                       json_string_value(json_object_get(e, "cwd")) ?: "-",
                       json_string_value(json_object_get(e, "profile")) ?: "-", exp ? "  expires " : "",
                       exp ? exp : "");
                printf("    %s\n", json_string_value(json_object_get(e, "command")) ?: "");
        }
}

static int run(int argc, char **argv, const char *cmd) {
        approve_args a = { 0 };
        int r = parse(argc, argv, cmd, &a);
        if (r != 0)
                return r < 0 ? 0 : r;
        _cleanup_free_ char *sd = cj_cli_state_dir(&a.o);
        if (!sd)
                return CJ_EXIT_FAILURE;
        cj_error e = { 0 };
        cj_task *t = NULL;
        r = cj_task_open_existing(sd, a.pos[0], &t, &e);
        if (r < 0)
                return cj_cli_fail("%s: %s", cmd, cj_error_message(&e, r));
        _cleanup_task_ cj_task *task = t;
        if (strcmp(cmd, "approvals") == 0) {
                _cleanup_json_ json_t *list = cj_task_approvals_json(t, !a.all);
                if (!list)
                        return cj_cli_fail("%s: out of memory", cmd);
                if (a.o.json)
                        return cj_cli_print_json(list);
                print_table(list);
                return 0;
        }
        struct passwd *pw = getpwuid(geteuid());
        cj_operator by = { .uid = (unsigned) geteuid(), .user = pw ? pw->pw_name : NULL };
        if (strcmp(cmd, "approve") == 0)
                r = cj_task_approve(t, a.pos[1], a.for_task, a.ttl_s, &by, &e);
        else
                r = cj_task_deny(t, a.pos[1], a.reason, &by, &e);
        if (r < 0)
                return cj_cli_fail("%s: %s", cmd, cj_error_message(&e, r));
        if (a.o.json)
                return 0;
        if (strcmp(cmd, "approve") == 0)
                printf("approved %s in task %s (%s%s)\n", a.pos[1], a.pos[0], a.for_task ? "every identical call" : "one run",
                       a.ttl_s ? ", with an expiry" : "");
        else
                printf("refused %s in task %s\n", a.pos[1], a.pos[0]);
        return 0;
}

int cmd_approve(int argc, char **argv) {
        return run(argc, argv, "approve");
}

int cmd_deny(int argc, char **argv) {
        return run(argc, argv, "deny");
}

int cmd_approvals(int argc, char **argv) {
        return run(argc, argv, "approvals");
}
