/* SPDX-License-Identifier: MIT */
/* clawjail checkpoint save|load|list TASK */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_tracker.h"
#include "tracker/tracker.h"
#include "util/fileio.h"
#include "util/json.h"

static const char checkpoint_usage[] =
        "Usage: clawjail checkpoint COMMAND [OPTIONS] TASK [N]\n"
        "\n"
        "Checkpoints let an agent restarted from scratch continue from a known\n"
        "point.  Each holds the agent's own JSON payload plus clawjail's counters\n"
        "and the journal head hash at the time it was taken, is written atomically\n"
        "to STATE/tasks/TASK/checkpoints/N.json and is recorded in the journal.\n"
        "\n"
        "Commands:\n"
        "  save TASK [--label L]   read a JSON payload (any JSON value, at most 1 MiB)\n"
        "                          from stdin and store it as the next checkpoint;\n"
        "                          prints its number\n"
        "  load TASK [N]           print checkpoint N (default: the latest) as JSON\n"
        "  list TASK               list the checkpoints (table, or --json)\n"
        "\n"
        "Options:\n"
        "  --label L         a short label for the checkpoint (save)\n"
        "  --state-dir DIR   where tasks live (see 'clawjail task --help')\n"
        "  --json            print JSON (list)\n"
        "  -h, --help        show this help\n"
        "\n"
        "'clawjail task status TASK --json' names the latest checkpoint and the calls\n"
        "made since it.\n"
        "\n"
        "Exit status: 0 success; 125 usage error, unknown task or checkpoint, bad\n"
        "payload, or failure.\n";

enum { OPT_STATE_DIR = 0x100, OPT_JSON, OPT_LABEL };

static const struct option options[] = {
        { "state-dir", required_argument, NULL, OPT_STATE_DIR },
        { "json", no_argument, NULL, OPT_JSON },
        { "label", required_argument, NULL, OPT_LABEL },
        { "help", no_argument, NULL, 'h' },
        {},
};

static int do_save(cj_task *t, const char *label) {
        cj_error e = { 0 };
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r = cj_read_fd(STDIN_FILENO, CJ_CHECKPOINT_PAYLOAD_MAX, &buf, &len, &e);
        if (r < 0)
                return cj_cli_fail("checkpoint save: stdin: %s", cj_error_message(&e, r));
        json_error_t je;
        _cleanup_json_ json_t *payload = json_loadb(buf, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
        if (!payload)
                return cj_cli_fail("checkpoint save: stdin is not JSON: line %d column %d: %s", je.line, je.column,
                                   je.text);
        uint64_t n = 0;
        r = cj_task_checkpoint_save(t, payload, label, &n, &e);
        if (r < 0)
                return cj_cli_fail("checkpoint save: %s", cj_error_message(&e, r));
        printf("%llu\n", (unsigned long long) n);
        return 0;
}

static int do_list(cj_task *t, bool json) {
        cj_error e = { 0 };
        _cleanup_json_ json_t *arr = NULL;
        int r = cj_task_checkpoint_list(t, &arr, &e);
        if (r < 0)
                return cj_cli_fail("checkpoint list: %s", cj_error_message(&e, r));
        if (json)
                return cj_cli_print_json(arr);
        printf("%5s  %-24s %8s %8s  %s\n", "N", "TIME", "SEQ", "CALLS", "LABEL");
        size_t i;
        json_t *c;
        json_array_foreach(arr, i, c) {
                json_t *label = json_object_get(c, "label");
                printf("%5lld  %-24s %8lld %8lld  %s\n", (long long) json_integer_value(json_object_get(c, "n")),
                       json_is_string(json_object_get(c, "time")) ? json_string_value(json_object_get(c, "time")) : "?",
                       (long long) json_integer_value(json_object_get(c, "journal_seq")),
                       (long long) json_integer_value(json_object_get(c, "calls")),
                       json_is_string(label) ? json_string_value(label) : "");
        }
        return 0;
}

int cmd_checkpoint(int argc, char **argv) {
        static const char *const known[] = { "save", "load", "list", NULL };
        const char *sub = NULL;
        int rc;
        if (!cj_cli_subcommand(argc, argv, "checkpoint", checkpoint_usage, known, &sub, &rc))
                return rc;
        cj_tracker_opts o = { 0 };
        const char *label = NULL, *pos[2] = { NULL, NULL };
        size_t npos = 0;
        argc--;
        argv++;
        optind = 1;
        opterr = 0;
        for (;;) {
                int c = getopt_long(argc, argv, "+h", options, NULL);
                if (c == -1) {
                        if (optind >= argc)
                                break;
                        if (npos >= 2)
                                return cj_cli_fail("checkpoint %s: unexpected argument '%s'", sub, argv[optind]);
                        pos[npos++] = argv[optind++];
                        continue;
                }
                switch (c) {
                case 'h': fputs(checkpoint_usage, stdout); return 0;
                case OPT_STATE_DIR: o.state_dir = optarg; break;
                case OPT_JSON: o.json = true; break;
                case OPT_LABEL: label = optarg; break;
                default:
                        return cj_cli_fail("checkpoint %s: unknown option or missing value '%s'", sub, argv[optind - 1]);
                }
        }
        if (!pos[0])
                return cj_cli_fail("checkpoint %s: missing TASK", sub);
        if (pos[1] && strcmp(sub, "load") != 0)
                return cj_cli_fail("checkpoint %s: unexpected argument '%s'", sub, pos[1]);
        if (label && strcmp(sub, "save") != 0)
                return cj_cli_fail("checkpoint %s: --label only applies to save", sub);
        uint64_t n = 0;
        if (pos[1]) {
                char *end = NULL;
                errno = 0;
                unsigned long long v = strtoull(pos[1], &end, 10);
                if (errno || !*pos[1] || *end || v == 0 || pos[1][0] == '-')
                        return cj_cli_fail("checkpoint load: N must be a positive number, not '%s'", pos[1]);
                n = v;
        }
        _cleanup_free_ char *state_dir = cj_cli_state_dir(&o);
        if (!state_dir)
                return CJ_EXIT_FAILURE;
        cj_error e = { 0 };
        _cleanup_task_ cj_task *t = NULL;
        int r = strcmp(sub, "save") == 0 ? cj_task_open(state_dir, pos[0], NULL, &t, &e)
                                        : cj_task_open_existing(state_dir, pos[0], &t, &e);
        if (r < 0)
                return cj_cli_fail("checkpoint %s: %s", sub, cj_error_message(&e, r));
        if (strcmp(sub, "save") == 0)
                return do_save(t, label);
        if (strcmp(sub, "list") == 0)
                return do_list(t, o.json);
        _cleanup_json_ json_t *c = NULL;
        r = cj_task_checkpoint_load(t, n, &c, &e);
        if (r < 0)
                return cj_cli_fail("checkpoint load: %s", cj_error_message(&e, r));
        return cj_cli_print_json(c);
}
