/* SPDX-License-Identifier: MIT */
/* clawjail journal show|verify TASK */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_tracker.h"
#include "tracker/audit.h"
#include "tracker/tracker.h"
#include "util/fileio.h"
#include "util/json.h"

#define SUMMARY_WIDTH 80

static const char journal_usage[] =
        "Usage: clawjail journal show|verify|head [OPTIONS] TASK\n"
        "\n"
        "Every task has an append-only audit journal, STATE/tasks/TASK/journal.jsonl:\n"
        "one JSON object per line with \"seq\", \"time\" (RFC 3339 UTC, ms), \"event\",\n"
        "\"task\" and \"prev\", the HMAC-SHA-256 under the host key (STATE/host.key) of\n"
        "the previous line (64 zeros for the first; journals created before the\n"
        "key: its SHA-256), followed by the event's fields.  Events: created, profile, start,\n"
        "end, interrupted, denied, approval_required, approved, rejected, refused,\n"
        "loop_detected, loop_refused,\n"
        "budget_exhausted, budget_set, charge, stopped, resumed, checkpoint, net,\n"
        "repaired.  See docs/tracker.md.\n"
        "\n"
        "Commands:\n"
        "  show TASK     print the journal as a table (seq, time, event, summary),\n"
        "                or with --json as one JSON array of the lines\n"
        "  verify TASK   check the hash chain and the sequence, then that\n"
        "                state.json agrees with the journal; names the first bad\n"
        "                line and why.  Detects any edit, removal, insertion or\n"
        "                reordering of lines, and the removal or edit of the last\n"
        "                line as far as state.json and the MAC'd head record\n"
        "                (STATE/tasks/TASK/head) recorded it.  Without the host\n"
        "                key nobody can rewrite the chain so that it verifies.\n"
        "  head TASK     print the journal's head (seq and hash): an anchor to ship\n"
        "                off the host; 'verify --anchor' later proves the journal\n"
        "                still holds that line unchanged\n"
        "\n"
        "Options:\n"
        "  --no-repair       verify the journal as it is on disk.  By default verify\n"
        "                    is an access like any other: a torn last line left by\n"
        "                    a crash is cut first (and journaled as \"repaired\") and\n"
        "                    calls whose process died are closed as \"interrupted\".\n"
        "  --state-dir DIR   where tasks live (see 'clawjail task --help')\n"
        "  --anchor SEQ:HASH  verify: the journal must hold line SEQ with this hash\n"
        "  --anchor-file F   verify: the same from a file 'journal head --json' wrote\n"
        "  --legacy          verify: accept an unkeyed SHA-256 chain (journals from\n"
        "                    before the host key; a rewrite of them cannot be seen)\n"
        "  --json            JSON output (show, head)\n"
        "  -h, --help        show this help\n"
        "\n"
        "Exit status (verify): 0 intact; 1 damaged (the first bad line and the reason\n"
        "are printed on stdout); 125 usage error, unknown task or failure.\n"
        "Exit status (show): 0 success; 125 usage error, unknown task or failure.\n";

enum { OPT_STATE_DIR = 0x100, OPT_JSON, OPT_NO_REPAIR, OPT_ANCHOR, OPT_ANCHOR_FILE, OPT_LEGACY };

static const struct option options[] = {
        { "state-dir", required_argument, NULL, OPT_STATE_DIR },
        { "json", no_argument, NULL, OPT_JSON },
        { "no-repair", no_argument, NULL, OPT_NO_REPAIR },
        { "anchor", required_argument, NULL, OPT_ANCHOR },
        { "anchor-file", required_argument, NULL, OPT_ANCHOR_FILE },
        { "legacy", no_argument, NULL, OPT_LEGACY },
        { "help", no_argument, NULL, 'h' },
        {},
};

static const char *str(const json_t *o, const char *k) {
        const char *s = json_string_value(json_object_get(o, k));
        return s ? s : "";
}

static long long num(const json_t *o, const char *k) {
        return (long long) json_integer_value(json_object_get(o, k));
}

/* The audit report's text of an event, cut to the table's width, one line. */
static void summarize(const json_t *ev, char *out, size_t n) {
        _cleanup_free_ char *text = cj_audit_event_text(ev, NULL);
        snprintf(out, n, "%s", text ? text : "(out of memory)");
        for (char *p = out; *p; p++)
                if (*p == '\n' || *p == '\t' || *p == '\r')
                        *p = ' ';
}

static int do_show(cj_task *t, bool json) {
        cj_error e = { 0 };
        _cleanup_json_ json_t *arr = NULL;
        int r = cj_task_journal_load(t, &arr, &e);
        if (r < 0)
                return cj_cli_fail("journal show: %s", cj_error_message(&e, r));
        if (json)
                return cj_cli_print_json(arr);
        printf("%6s  %-24s  %-17s  %s\n", "SEQ", "TIME", "EVENT", "SUMMARY");
        size_t i;
        json_t *ev;
        json_array_foreach(arr, i, ev) {
                char summary[SUMMARY_WIDTH + 1];
                summarize(ev, summary, sizeof summary);
                printf("%6lld  %-24s  %-17s  %s\n", num(ev, "seq"), str(ev, "time"), str(ev, "event"), summary);
        }
        return 0;
}

/* "SEQ:HASH" */
static int parse_anchor(const char *s, cj_journal_anchor *a) {
        char *end = NULL;
        errno = 0;
        unsigned long long seq = strtoull(s, &end, 10);
        if (errno || end == s || *end != ':' || seq < 1 || !cj_hash_hex_valid(end + 1))
                return cj_cli_fail("journal verify: --anchor %s: expected SEQ:HASH (64 hex digits)", s);
        a->seq = seq;
        memcpy(a->hash, end + 1, sizeof a->hash);
        return 0;
}

/* The anchor 'journal head --json' wrote (checked against this task). */
static int read_anchor_file(const char *path, const char *task, cj_journal_anchor *a) {
        cj_error e = { 0 };
        _cleanup_free_ char *text = NULL;
        int r = cj_read_file(path, 1 << 16, &text, NULL, &e);
        if (r < 0)
                return cj_cli_fail("journal verify: %s", cj_error_message(&e, r));
        _cleanup_json_ json_t *j = json_loads(text, 0, NULL);
        json_int_t seq = 0;
        const char *hash = NULL, *t = NULL;
        if (!j || json_unpack(j, "{s:s,s:I,s:s}", "task", &t, "seq", &seq, "hash", &hash) < 0 || seq < 1 ||
            !cj_hash_hex_valid(hash))
                return cj_cli_fail("journal verify: %s: not an anchor from 'clawjail journal head --json'", path);
        if (strcmp(t, task) != 0)
                return cj_cli_fail("journal verify: %s is the anchor of task '%s', not '%s'", path, t, task);
        a->seq = (uint64_t) seq;
        memcpy(a->hash, hash, sizeof a->hash);
        return 0;
}

static int do_head(cj_task *t, bool json) {
        _cleanup_json_ json_t *h = cj_task_head_json(t);
        if (!h)
                return cj_cli_fail("journal head: out of memory");
        if (json)
                return cj_cli_print_json(h);
        printf("%s %lld %s %s\n", cj_task_id(t), num(h, "seq"), str(h, "hash"), str(h, "chain"));
        return 0;
}

static int do_verify(cj_task *t, const cj_verify_opts *opts) {
        cj_error e = { 0 };
        cj_journal_report rep;
        int r = cj_task_verify(t, opts, &rep, &e);
        if (r < 0)
                return cj_cli_fail("journal verify: %s", cj_error_message(&e, r));
        if (r == 0) {
                printf("journal of task %s: %llu lines intact, head %s (%s chain)%s\n", cj_task_id(t),
                       (unsigned long long) rep.lines, rep.head, rep.keyed ? "keyed" : "unkeyed legacy",
                       opts->anchor ? ", the anchor matches" : "");
                return 0;
        }
        if (rep.bad_line)
                printf("journal of task %s: line %llu: %s\n", cj_task_id(t), (unsigned long long) rep.bad_line, rep.why);
        else
                printf("journal of task %s: %s\n", cj_task_id(t), rep.why);
        return 1;
}

int cmd_journal(int argc, char **argv) {
        static const char *const known[] = { "show", "verify", "head", NULL };
        const char *sub = NULL;
        int rc;
        if (!cj_cli_subcommand(argc, argv, "journal", journal_usage, known, &sub, &rc))
                return rc;
        cj_tracker_opts o = { 0 };
        bool no_repair = false;
        const char *anchor_arg = NULL, *anchor_file = NULL;
        cj_journal_anchor anchor = { 0 };
        cj_verify_opts vo = { 0 };
        const char *task = NULL;
        argc--;
        argv++;
        optind = 1;
        opterr = 0;
        for (;;) {
                int c = getopt_long(argc, argv, "+h", options, NULL);
                if (c == -1) {
                        if (optind >= argc)
                                break;
                        if (task)
                                return cj_cli_fail("journal %s: unexpected argument '%s'", sub, argv[optind]);
                        task = argv[optind++];
                        continue;
                }
                switch (c) {
                case 'h': fputs(journal_usage, stdout); return 0;
                case OPT_STATE_DIR: o.state_dir = optarg; break;
                case OPT_JSON: o.json = true; break;
                case OPT_NO_REPAIR: no_repair = true; break;
                case OPT_ANCHOR: anchor_arg = optarg; break;
                case OPT_ANCHOR_FILE: anchor_file = optarg; break;
                case OPT_LEGACY: vo.legacy_ok = true; break;
                default: return cj_cli_fail("journal %s: unknown option or missing value '%s'", sub, argv[optind - 1]);
                }
        }
        if (!task)
                return cj_cli_fail("journal %s: missing TASK", sub);
        if ((anchor_arg || anchor_file || vo.legacy_ok) && strcmp(sub, "verify") != 0)
                return cj_cli_fail("journal %s: --anchor, --anchor-file and --legacy only apply to verify", sub);
        if (anchor_arg && anchor_file)
                return cj_cli_fail("journal verify: --anchor and --anchor-file exclude each other");
        if ((anchor_arg && parse_anchor(anchor_arg, &anchor) != 0) ||
            (anchor_file && read_anchor_file(anchor_file, task, &anchor) != 0))
                return CJ_EXIT_FAILURE;
        if (anchor_arg || anchor_file)
                vo.anchor = &anchor;
        _cleanup_free_ char *state_dir = cj_cli_state_dir(&o);
        if (!state_dir)
                return CJ_EXIT_FAILURE;
        cj_error e = { 0 };
        _cleanup_task_ cj_task *t = NULL;
        int r = -1;
        /* A journal damaged in the middle cannot be recovered; show and verify
         * must still work on it, so fall back to opening it as it is. */
        if (!no_repair)
                r = cj_task_open_existing(state_dir, task, &t, &e);
        if (r < 0 && e.code != ENOENT) {
                cj_error_clear(&e);
                r = cj_task_open_raw(state_dir, task, &t, &e);
        }
        if (r < 0)
                return cj_cli_fail("journal %s: %s", sub, cj_error_message(&e, r));
        if (strcmp(sub, "head") == 0)
                return do_head(t, o.json);
        return strcmp(sub, "show") == 0 ? do_show(t, o.json) : do_verify(t, &vo);
}
