/* SPDX-License-Identifier: MIT */
/* clawjail task list|status|create|set-budget|charge|stop|resume|clean|delete|prune */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_tracker.h"
#include "tracker/manage.h"
#include "tracker/tracker.h"
#include "util/json.h"

static const char task_usage[] =
        "Usage: clawjail task COMMAND [OPTIONS] [TASK]\n"
        "\n"
        "Inspect and govern tasks: the unit a budget, a journal and checkpoints\n"
        "belong to.  Calls join a task with --task ID (or $CLAWJAIL_TASK).\n"
        "\n"
        "Commands:\n"
        "  list                     list the tasks in the state dir\n"
        "  status TASK              budgets used/limit, state, and what an agent\n"
        "                           restarted from scratch needs to continue\n"
        "                           (last checkpoint, calls since, interrupted calls)\n"
        "  create TASK [LIMITS]     create a task with operator budget overrides\n"
        "  set-budget TASK LIMITS   change the operator's budget overrides\n"
        "  charge TASK [--tokens N] [--cost-usd X]\n"
        "                           charge model usage reported by the harness\n"
        "  stop TASK --reason TEXT  stop the task: further calls are refused (exit 122)\n"
        "  resume TASK              lift a stop (by the operator or by loop governance)\n"
        "  clean TASK               empty the task's HOME and /tmp (its scratch)\n"
        "  delete TASK              remove the task: journal, state, checkpoints,\n"
        "                           outputs and scratch\n"
        "  prune --older-than DURATION [--dry-run]\n"
        "                           delete every task idle longer than DURATION\n"
        "                           (90s, 30m, 12h, 7d, 2w); prints what it removes\n"
        "clean, delete and prune refuse (or, prune, skip) a task with a call running.\n"
        "\n"
        "LIMITS override the profile's \"budget\" section for this task; each takes\n"
        "a non-negative number, 'unlimited', or 'inherit' (use the profile's):\n"
        "  --calls N  --wall-s SEC  --cpu-s SEC  --output-bytes N  --tokens N\n"
        "  --cost-usd USD  --repeat-limit N  --stall-limit N\n"
        "A call that would start once any budget is used up is refused, nothing\n"
        "runs, and the caller exits 122.\n"
        "\n"
        "Options:\n"
        "  --state-dir DIR   where tasks live (default $CLAWJAIL_STATE_DIR, else\n"
        "                    /var/lib/clawjail for root, else\n"
        "                    ${XDG_STATE_HOME:-~/.local/state}/clawjail)\n"
        "  --json            print JSON instead of a table (list, status)\n"
        "  -h, --help        show this help\n"
        "\n"
        "Every command records what it does in the task's audit journal\n"
        "(see 'clawjail journal --help').\n"
        "\n"
        "Exit status: 0 success; 125 usage error, unknown task or failure.\n";

char *cj_cli_state_dir(const cj_tracker_opts *o) {
        cj_error e = { 0 };
        char *dir = NULL;
        int r = cj_state_dir_resolve(o->state_dir, &dir, &e);
        if (r < 0) {
                cj_cli_fail("%s", cj_error_message(&e, r));
                return NULL;
        }
        return dir;
}

bool cj_cli_subcommand(int argc, char **argv, const char *family, const char *usage, const char *const *known,
                       const char **sub, int *exit_code) {
        *exit_code = CJ_EXIT_FAILURE;
        if (argc < 2) {
                cj_cli_fail("%s: missing command (see 'clawjail %s --help')", family, family);
                return false;
        }
        const char *w = argv[1];
        if (strcmp(w, "--help") == 0 || strcmp(w, "-h") == 0 || strcmp(w, "help") == 0) {
                fputs(usage, stdout);
                *exit_code = 0;
                return false;
        }
        for (size_t i = 0; known[i]; i++)
                if (strcmp(w, known[i]) == 0) {
                        *sub = w;
                        return true;
                }
        cj_cli_fail("%s: unknown command '%s' (see 'clawjail %s --help')", family, w, family);
        return false;
}

int cj_cli_print_json(const json_t *j) {
        _cleanup_free_ char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
        if (!s)
                return cj_cli_fail("out of memory");
        puts(s);
        return fflush(stdout) == 0 ? 0 : CJ_EXIT_FAILURE;
}

enum {
        OPT_STATE_DIR = 0x100,
        OPT_JSON,
        OPT_REASON,
        OPT_CALLS,
        OPT_WALL_S,
        OPT_CPU_S,
        OPT_OUTPUT_BYTES,
        OPT_TOKENS,
        OPT_COST_USD,
        OPT_REPEAT_LIMIT,
        OPT_STALL_LIMIT,
        OPT_OLDER_THAN,
        OPT_DRY_RUN,
};

static const struct option task_options[] = {
        { "state-dir", required_argument, NULL, OPT_STATE_DIR },
        { "json", no_argument, NULL, OPT_JSON },
        { "reason", required_argument, NULL, OPT_REASON },
        { "calls", required_argument, NULL, OPT_CALLS },
        { "wall-s", required_argument, NULL, OPT_WALL_S },
        { "cpu-s", required_argument, NULL, OPT_CPU_S },
        { "output-bytes", required_argument, NULL, OPT_OUTPUT_BYTES },
        { "tokens", required_argument, NULL, OPT_TOKENS },
        { "cost-usd", required_argument, NULL, OPT_COST_USD },
        { "repeat-limit", required_argument, NULL, OPT_REPEAT_LIMIT },
        { "stall-limit", required_argument, NULL, OPT_STALL_LIMIT },
        { "older-than", required_argument, NULL, OPT_OLDER_THAN },
        { "dry-run", no_argument, NULL, OPT_DRY_RUN },
        { "help", no_argument, NULL, 'h' },
        {},
};

typedef struct task_args {
        cj_tracker_opts o;
        const char *reason;
        cj_budget limits; /* CJ_BUDGET_INHERIT where not given */
        bool any_limit;
        const char *tokens, *cost; /* charge */
        const char *older_than;    /* prune */
        bool dry_run;
        const char *task;
} task_args;

static int set_limit(task_args *a, int opt, const char *arg) {
        static const struct {
                int opt;
                size_t off;
                bool is_double;
        } map[] = {
                { OPT_CALLS, offsetof(cj_budget, calls), false },
                { OPT_WALL_S, offsetof(cj_budget, wall_s), true },
                { OPT_CPU_S, offsetof(cj_budget, cpu_s), true },
                { OPT_OUTPUT_BYTES, offsetof(cj_budget, output_bytes), false },
                { OPT_TOKENS, offsetof(cj_budget, tokens), false },
                { OPT_COST_USD, offsetof(cj_budget, cost_usd), true },
                { OPT_REPEAT_LIMIT, offsetof(cj_budget, repeat_limit), false },
                { OPT_STALL_LIMIT, offsetof(cj_budget, stall_limit), false },
        };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(map); i++) {
                if (map[i].opt != opt)
                        continue;
                cj_error e = { 0 };
                double v;
                int r = cj_budget_value_parse(arg, map[i].is_double, &v, &e);
                if (r < 0)
                        return cj_cli_fail("task: %s", cj_error_message(&e, r));
                char *p = (char *) &a->limits + map[i].off;
                if (map[i].is_double)
                        *(double *) p = v;
                else
                        *(int64_t *) p = (int64_t) v;
                a->any_limit = true;
                return 0;
        }
        return cj_cli_fail("task: internal error: unknown limit option");
}

/* Parse argv (argv[0] = the subcommand).  Returns -1 to go on, else an exit code. */
static int parse_task_args(int argc, char **argv, const char *sub, task_args *a) {
        cj_budget_inherit_all(&a->limits);
        bool is_charge = strcmp(sub, "charge") == 0;
        optind = 1;
        opterr = 0;
        for (;;) {
                int c = getopt_long(argc, argv, "+h", task_options, NULL);
                if (c == -1) {
                        /* "+": getopt stops at TASK; take it and go on with the options after it. */
                        if (optind >= argc)
                                break;
                        if (a->task)
                                return cj_cli_fail("task %s: unexpected argument '%s'", sub, argv[optind]);
                        a->task = argv[optind++];
                        continue;
                }
                switch (c) {
                case 'h': fputs(task_usage, stdout); return 0;
                case OPT_STATE_DIR: a->o.state_dir = optarg; break;
                case OPT_JSON: a->o.json = true; break;
                case OPT_REASON: a->reason = optarg; break;
                case OPT_OLDER_THAN: a->older_than = optarg; break;
                case OPT_DRY_RUN: a->dry_run = true; break;
                case OPT_TOKENS:
                        if (is_charge) {
                                a->tokens = optarg;
                                break;
                        }
                        if (set_limit(a, c, optarg) != 0)
                                return CJ_EXIT_FAILURE;
                        break;
                case OPT_COST_USD:
                        if (is_charge) {
                                a->cost = optarg;
                                break;
                        }
                        if (set_limit(a, c, optarg) != 0)
                                return CJ_EXIT_FAILURE;
                        break;
                case OPT_CALLS: case OPT_WALL_S: case OPT_CPU_S: case OPT_OUTPUT_BYTES:
                case OPT_REPEAT_LIMIT: case OPT_STALL_LIMIT:
                        if (set_limit(a, c, optarg) != 0)
                                return CJ_EXIT_FAILURE;
                        break;
                default:
                        return cj_cli_fail("task %s: unknown option or missing value '%s' (see 'clawjail task --help')",
                                           sub, argv[optind - 1]);
                }
        }
        return -1;
}

static void print_budget_table(const json_t *budget) {
        printf("%-14s %16s %16s\n", "BUDGET", "USED", "LIMIT");
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) budget, k, v) {
                json_t *u = json_object_get(v, "used"), *l = json_object_get(v, "limit");
                char used[32], limit[32];
                if (json_is_integer(u))
                        snprintf(used, sizeof used, "%lld", (long long) json_integer_value(u));
                else
                        snprintf(used, sizeof used, "%.3f", json_number_value(u));
                if (json_is_null(l))
                        snprintf(limit, sizeof limit, "unlimited");
                else if (json_is_integer(l))
                        snprintf(limit, sizeof limit, "%lld", (long long) json_integer_value(l));
                else
                        snprintf(limit, sizeof limit, "%.3f", json_number_value(l));
                printf("%-14s %16s %16s\n", k, used, limit);
        }
}

static int do_status(cj_task *t, bool json) {
        _cleanup_json_ json_t *s = cj_task_status_json(t);
        json_t *disk = s ? cj_task_disk_json(t) : NULL;
        if (!s || !disk)
                return cj_cli_fail("out of memory");
        json_object_update(s, disk);
        json_decref(disk);
        if (json)
                return cj_cli_print_json(s);
        json_t *reason = json_object_get(s, "reason"), *resume = json_object_get(s, "resume");
        printf("task:    %s\nstate:   %s%s%s\n\n", cj_task_id(t), json_string_value(json_object_get(s, "state")),
               json_is_string(reason) ? ": " : "", json_is_string(reason) ? json_string_value(reason) : "");
        print_budget_table(json_object_get(s, "budget"));
        json_t *ck = json_object_get(resume, "checkpoint");
        printf("\n");
        if (json_is_object(ck))
                printf("checkpoint: #%lld%s%s at %s (journal seq %lld)\n",
                       (long long) json_integer_value(json_object_get(ck, "n")),
                       json_is_string(json_object_get(ck, "label")) ? " " : "",
                       json_is_string(json_object_get(ck, "label")) ? json_string_value(json_object_get(ck, "label")) : "",
                       json_string_value(json_object_get(ck, "time")),
                       (long long) json_integer_value(json_object_get(ck, "journal_seq")));
        else
                printf("checkpoint: none\n");
        printf("calls since checkpoint: %lld\n",
               (long long) json_integer_value(json_object_get(resume, "calls_since_checkpoint")));
        size_t i;
        json_t *e;
        json_t *intr = json_object_get(resume, "interrupted");
        printf("interrupted calls: %zu\n", json_array_size(intr));
        json_array_foreach(intr, i, e)
                printf("  seq %lld at %s: %s\n", (long long) json_integer_value(json_object_get(e, "seq")),
                       json_string_value(json_object_get(e, "time")), json_string_value(json_object_get(e, "command")));
        json_t *sc = json_object_get(s, "scratch");
        printf("scratch (HOME and /tmp): %.1f MiB in %s\noutputs kept: %.1f MiB\n",
               (double) json_integer_value(json_object_get(sc, "bytes")) / (1 << 20),
               json_string_value(json_object_get(sc, "home")),
               (double) json_integer_value(json_object_get(json_object_get(s, "outputs"), "bytes")) / (1 << 20));
        return 0;
}

/* Every task idle longer than --older-than goes (one line each); a task with
 * a call running is skipped with a note.  Exit 0 unless a removal failed. */
static int do_prune(const char *state_dir, const task_args *a) {
        int64_t limit = 0;
        if (!a->older_than || cj_duration_parse(a->older_than, &limit) < 0)
                return cj_cli_fail("task prune: --older-than DURATION is required (e.g. 90s, 30m, 12h, 7d, 2w)");
        cj_error e = { 0 };
        _cleanup_json_ json_t *ids = NULL;
        int r = cj_task_list(state_dir, &ids, &e);
        if (r < 0)
                return cj_cli_fail("task prune: %s", cj_error_message(&e, r));
        int rc = 0;
        size_t i;
        json_t *id;
        json_array_foreach(ids, i, id) {
                _cleanup_task_ cj_task *t = NULL;
                cj_error te = { 0 };
                int64_t idle = 0;
                if (cj_task_open_existing(state_dir, json_string_value(id), &t, &te) < 0 ||
                    cj_task_idle_seconds(t, &idle) < 0 || idle < limit)
                        continue;
                if (a->dry_run) {
                        printf("would delete %s (idle %llds)\n", cj_task_id(t), (long long) idle);
                        continue;
                }
                r = cj_task_delete(t, &te);
                if (r == -EBUSY)
                        fprintf(stderr, "clawjail: task prune: %s\n", cj_error_message(&te, r));
                else if (r < 0)
                        rc = cj_cli_fail("task prune: %s: %s", cj_task_id(t), cj_error_message(&te, r));
                else
                        printf("deleted %s (idle %llds)\n", cj_task_id(t), (long long) idle);
        }
        return rc;
}

static int do_list(const char *state_dir, bool json) {
        cj_error e = { 0 };
        _cleanup_json_ json_t *ids = NULL;
        int r = cj_task_list(state_dir, &ids, &e);
        if (r < 0)
                return cj_cli_fail("task list: %s", cj_error_message(&e, r));
        _cleanup_json_ json_t *rows = json_array();
        if (!rows)
                return cj_cli_fail("out of memory");
        if (!json)
                printf("%-32s %-8s %8s %8s %s\n", "TASK", "STATE", "CALLS", "JOURNAL", "REASON");
        size_t i;
        json_t *id;
        json_array_foreach(ids, i, id) {
                _cleanup_task_ cj_task *t = NULL;
                cj_error te = { 0 };
                r = cj_task_open_existing(state_dir, json_string_value(id), &t, &te);
                if (r < 0) {
                        fprintf(stderr, "clawjail: task %s: %s\n", json_string_value(id), cj_error_message(&te, r));
                        continue;
                }
                const cj_state *st = cj_task_state(t);
                if (json)
                        json_array_append_new(rows, json_pack("{s:s,s:s,s:s?,s:I,s:I}", "task", cj_task_id(t), "state",
                                                              st->stopped ? "stopped" : "active", "reason", st->reason,
                                                              "calls", (json_int_t) st->used.calls, "journal_seq",
                                                              (json_int_t) st->seq));
                else
                        printf("%-32s %-8s %8lld %8llu %s\n", cj_task_id(t), st->stopped ? "stopped" : "active",
                               (long long) st->used.calls, (unsigned long long) st->seq, st->reason ? st->reason : "");
        }
        return json ? cj_cli_print_json(rows) : 0;
}

int cmd_task(int argc, char **argv) {
        static const char *const known[] = { "list",   "status", "create", "set-budget", "charge", "stop",
                                             "resume", "clean",  "delete", "prune",      NULL };
        const char *sub = NULL;
        int rc;
        if (!cj_cli_subcommand(argc, argv, "task", task_usage, known, &sub, &rc))
                return rc;
        task_args a = { 0 };
        rc = parse_task_args(argc - 1, argv + 1, sub, &a);
        if (rc >= 0)
                return rc;
        _cleanup_free_ char *state_dir = cj_cli_state_dir(&a.o);
        if (!state_dir)
                return CJ_EXIT_FAILURE;

        if (strcmp(sub, "list") == 0) {
                if (a.task)
                        return cj_cli_fail("task list: unexpected argument '%s'", a.task);
                return do_list(state_dir, a.o.json);
        }
        if ((a.older_than || a.dry_run) && strcmp(sub, "prune") != 0)
                return cj_cli_fail("task %s: --older-than and --dry-run only apply to prune", sub);
        if (strcmp(sub, "prune") == 0) {
                if (a.task)
                        return cj_cli_fail("task prune: unexpected argument '%s'", a.task);
                return do_prune(state_dir, &a);
        }
        if (!a.task)
                return cj_cli_fail("task %s: missing TASK", sub);
        if (a.any_limit && strcmp(sub, "create") != 0 && strcmp(sub, "set-budget") != 0)
                return cj_cli_fail("task %s: budget options only apply to create and set-budget", sub);
        if (a.reason && strcmp(sub, "stop") != 0)
                return cj_cli_fail("task %s: --reason only applies to stop", sub);

        cj_error e = { 0 };
        _cleanup_task_ cj_task *t = NULL;
        int r;
        if (strcmp(sub, "create") == 0)
                r = cj_task_create(state_dir, a.task, &a.limits, &t, &e);
        else if (strcmp(sub, "charge") == 0)
                r = cj_task_open(state_dir, a.task, NULL, &t, &e); /* the harness may charge first */
        else
                r = cj_task_open_existing(state_dir, a.task, &t, &e);
        if (r < 0)
                return cj_cli_fail("task %s: %s", sub, cj_error_message(&e, r));

        if (strcmp(sub, "status") == 0)
                return do_status(t, a.o.json);
        if (strcmp(sub, "clean") == 0 || strcmp(sub, "delete") == 0) {
                r = sub[0] == 'c' ? cj_task_clean(t, &e) : cj_task_delete(t, &e);
                return r < 0 ? cj_cli_fail("task %s: %s", sub, cj_error_message(&e, r)) : 0;
        }
        if (strcmp(sub, "create") == 0)
                return 0;
        if (strcmp(sub, "set-budget") == 0) {
                if (!a.any_limit)
                        return cj_cli_fail("task set-budget: give at least one limit (see 'clawjail task --help')");
                r = cj_task_set_budget(t, &a.limits, &e);
        } else if (strcmp(sub, "charge") == 0) {
                int64_t tokens = 0, micro = 0;
                if (!a.tokens && !a.cost)
                        return cj_cli_fail("task charge: give --tokens and/or --cost-usd");
                if (a.tokens) {
                        double v;
                        r = cj_budget_value_parse(a.tokens, false, &v, &e);
                        if (r < 0 || v < 0)
                                return cj_cli_fail("task charge: --tokens: %s", r < 0 ? cj_error_message(&e, r)
                                                                                     : "must be a number");
                        tokens = (int64_t) v;
                }
                if (a.cost && (r = cj_cost_parse(a.cost, &micro, &e)) < 0)
                        return cj_cli_fail("task charge: --cost-usd: %s", cj_error_message(&e, r));
                r = cj_task_charge(t, tokens, micro, &e);
        } else if (strcmp(sub, "stop") == 0) {
                if (!a.reason || !*a.reason)
                        return cj_cli_fail("task stop: --reason TEXT is required");
                r = cj_task_stop(t, a.reason, "operator", &e);
        } else {
                r = cj_task_resume(t, &e);
                if (r == 1) {
                        fprintf(stderr, "clawjail: task %s is not stopped\n", a.task);
                        return 0;
                }
        }
        if (r < 0)
                return cj_cli_fail("task %s: %s", sub, cj_error_message(&e, r));
        return 0;
}
