/* SPDX-License-Identifier: MIT */
/* clawjail audit TASK...: what an agent did, for a reviewer with five minutes.
 * Loads each task's journal, verifies it, folds it (tracker/audit.c) and
 * writes Markdown, one self-contained HTML page, or JSON. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "tracker/audit.h"
#include "tracker/journal.h"
#include "tracker/tracker.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/json.h"

#define CJ_AUDIT_TASKS_MAX 64 /* tasks in one report */

enum { OPT_SINCE = 4100, OPT_FORMAT, OPT_STATE_DIR };

static const char audit_usage[] =
        "Usage: clawjail audit TASK... [--since TIME] [--format md|html|json] [-o FILE] [--state-dir DIR]\n"
        "\n"
        "Report what an agent did, from each task's hash-chained journal: integrity first\n"
        "(verified, or the first line where it breaks), then profiles with their hashes,\n"
        "counts by verdict and outcome, every denied, asked and rejected call with its\n"
        "findings, the operator's approvals and refusals (who, scope, expiry),\n"
        "quarantined files, network connections, refused system calls, budget use\n"
        "against limits, stops (budget, loops, operator), interrupted calls, output\n"
        "kept in full, and the timeline.\n"
        "\n"
        "  --since TIME     only events at or after TIME (RFC 3339, e.g. 2026-12-05T18:00:00Z,\n"
        "                   or a date 2026-12-05)\n"
        "  --format F       md (default), html (one self-contained page: no external\n"
        "                   assets), or json (the summary objects)\n"
        "  -o FILE          write there instead of stdout\n"
        "  --state-dir DIR  where tasks live (see 'clawjail task --help')\n"
        "\n"
        "Exit status: 0 every journal verified; 1 a journal is damaged (the report says\n"
        "where); 125 usage error or unknown task.\n";

static int parse_since(const char *s, int64_t *ms) {
        struct tm tm = { 0 };
        const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
        if (!end) {
                memset(&tm, 0, sizeof tm);
                end = strptime(s, "%Y-%m-%d", &tm);
        }
        if (!end || (*end && strcmp(end, "Z") != 0 && strncmp(end, ".", 1) != 0))
                return -EINVAL;
        *ms = (int64_t) timegm(&tm) * 1000;
        return 0;
}

/* One task's summary, and whether its journal verified. */
static json_t *task_summary(const char *state_dir, const char *id, int64_t since, bool *intact) {
        cj_task *t = NULL;
        cj_error e = { 0 };
        int r = cj_task_open_existing(state_dir, id, &t, &e);
        if (r == -ENOENT) {
                cj_cli_fail("audit: no task '%s' in %s", id, state_dir);
                return NULL;
        }
        if (r < 0 && cj_task_open_raw(state_dir, id, &t, &e) < 0) {
                cj_cli_fail("audit: task %s: %s", id, cj_error_message(&e, r));
                return NULL;
        }
        cj_journal_report rep = { 0 };
        r = cj_task_verify(t, NULL, &rep, &e);
        *intact = r == 0;
        _cleanup_json_ json_t *verify = json_pack("{s:b, s:I, s:s}", "ok", r == 0, "lines", (json_int_t) rep.lines,
                                                  "head", rep.head);
        if (r != 0) {
                json_object_set_new(verify, "bad_line", json_integer((json_int_t) rep.bad_line));
                json_object_set_new(verify, "why", json_string(r < 0 ? cj_error_message(&e, r) : rep.why));
        }
        _cleanup_json_ json_t *events = NULL;
        if (cj_task_journal_load(t, &events, &e) < 0)
                events = json_array();
        _cleanup_json_ json_t *status = cj_task_status_json(t);
        json_t *s = cj_audit_summarize(id, events, verify, status, since);
        cj_task_free(t);
        return s;
}

int cmd_audit(int argc, char **argv) {
        static const struct option longopts[] = {
                { "since", required_argument, NULL, OPT_SINCE },
                { "format", required_argument, NULL, OPT_FORMAT },
                { "state-dir", required_argument, NULL, OPT_STATE_DIR },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        const char *format = "md", *outpath = NULL, *state_opt = NULL;
        int64_t since = 0;
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
                if (c == 'h') {
                        fputs(audit_usage, stdout);
                        return 0;
                } else if (c == 'o')
                        outpath = optarg;
                else if (c == OPT_FORMAT) {
                        if (strcmp(optarg, "md") && strcmp(optarg, "html") && strcmp(optarg, "json"))
                                return cj_cli_fail("audit: --format is md, html or json, not '%s'", optarg);
                        format = optarg;
                } else if (c == OPT_SINCE) {
                        if (parse_since(optarg, &since) < 0)
                                return cj_cli_fail("audit: --since: '%s' is not an RFC 3339 time or a date", optarg);
                } else if (c == OPT_STATE_DIR)
                        state_opt = optarg;
                else
                        return cj_cli_fail("audit: unknown option '%s' (see 'clawjail audit --help')",
                                           argv[optind - 1]);
        }
        if (optind >= argc)
                return cj_cli_fail("audit: name at least one TASK (see 'clawjail task list')");
        if (argc - optind > CJ_AUDIT_TASKS_MAX)
                return cj_cli_fail("audit: at most %d tasks in one report", CJ_AUDIT_TASKS_MAX);
        _cleanup_free_ char *state_dir = NULL;
        cj_error e = { 0 };
        int r = cj_state_dir_resolve(state_opt, &state_dir, &e);
        if (r < 0)
                return cj_cli_fail("audit: %s", cj_error_message(&e, r));

        _cleanup_json_ json_t *all = json_array();
        bool every_intact = true;
        for (int i = optind; i < argc; i++) {
                if (!cj_task_id_valid(argv[i]))
                        return cj_cli_fail("audit: invalid task id '%s'", argv[i]);
                bool intact = false;
                json_t *s = task_summary(state_dir, argv[i], since, &intact);
                if (!s)
                        return CJ_EXIT_FAILURE;
                every_intact &= intact;
                json_array_append_new(all, s);
        }
        _cleanup_free_ char *text = strcmp(format, "html") == 0 ? cj_audit_html(all)
                                  : strcmp(format, "md") == 0   ? cj_audit_markdown(all)
                                                                : json_dumps(all, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
        if (!text)
                return cj_cli_fail("audit: out of memory");
        size_t len = strlen(text);
        if (outpath) {
                r = cj_write_file_atomic(outpath, text, len, 0644, &e);
                if (r < 0)
                        return cj_cli_fail("audit: %s", cj_error_message(&e, r));
        } else if (cj_write_all(STDOUT_FILENO, text, len) < 0 ||
                   (text[len ? len - 1 : 0] != '\n' && cj_write_all(STDOUT_FILENO, "\n", 1) < 0))
                return cj_cli_fail("audit: writing the report: %s", strerror(errno));
        return every_intact ? 0 : 1;
}
