/* SPDX-License-Identifier: MIT */
/* clawjail call: one JSON tool call on stdin, one result on stdout.
 * clawjail serve --stdio: JSON lines, one result line per request line. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "opts.h"
#include "pipeline/admit.h"
#include "pipeline/pipeline.h"
#include "profile/cache.h"
#include "proto/request.h"
#include "proto/result.h"
#include "result.h"
#include "server.h"
#include "tracker/tracker.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/json.h"

enum { OPT_STDIO = 3000, OPT_ALLOW_PROFILE, OPT_MAX_CONCURRENT };

typedef cj_server server;

static void call_usage(FILE *f, bool serve) {
        if (serve)
                fputs("Usage: clawjail serve [OPTIONS] --stdio\n"
                      "\n"
                      "Read JSON tool calls, one per line, on stdin; write one JSON result per line on\n"
                      "stdout, flushed after each.  Up to --max-concurrent calls run at once and each\n"
                      "result is written when its call ends, so match results by \"id\".  Each call is\n"
                      "independent: a bad line gets an error result and the server goes on.  A\n"
                      "request may name \"task\" (only when the operator gave no --task, or the same\n"
                      "one) and \"profile\"; a request's profile must be the --profile one or one named\n"
                      "by --allow-profile (a tool call never widens policy on its own).  Control lines:\n"
                      "{\"op\":\"cancel\",\"id\":ID} kills that call and its sandbox;\n"
                      "{\"op\":\"charge\",\"tokens\":N,\"cost_usd\":X} charges the --task.  EOF ends the\n"
                      "server with exit 0 once the calls in flight have finished.\n",
                      f);
        else
                fputs("Usage: clawjail call [OPTIONS] < REQUEST.json\n"
                      "\n"
                      "Read one JSON tool call on stdin, run it through the whole pipeline, and write\n"
                      "one JSON result on stdout.  Tools: exec (validated bash command), read, write,\n"
                      "edit (in the same sandbox view as exec).  See docs/protocol.md.\n",
                      f);
        fprintf(f,
                "\nRequests:\n"
                "  {\"id\":\"c1\",\"tool\":\"exec\",\"command\":\"make test\",\"cwd\":\"/work/repo\",\"timeout_s\":60,\n"
                "   \"env\":{\"CI\":\"1\"},\"stdin\":\"\"}\n"
                "  {\"id\":\"c2\",\"tool\":\"read\",\"path\":\"src/main.c\",\"offset\":0,\"limit\":65536}\n"
                "  {\"id\":\"c3\",\"tool\":\"write\",\"path\":\"src/new.c\",\"content\":\"...\",\"encoding\":\"utf-8\"}\n"
                "  {\"id\":\"c4\",\"tool\":\"edit\",\"path\":\"src/main.c\",\"old_text\":\"foo\",\"new_text\":\"bar\"}\n"
                "  exec also takes \"pty\":true: a terminal (\"cols\", \"rows\"); stderr is merged into stdout\n%s"
                "\nOptions:\n%s%s"
                "\nExit status (call): as for exec: the command's own, 120 denied, 121 approval\n"
                "required, 122 budget, 124 timeout, 125 error (the result says which); the JSON\n"
                "result is authoritative.\n",
                serve ? "  and \"stream\":true: {\"id\",\"event\":\"stdout\"|\"stderr\",\"data\"} lines while it runs,\n"
                        "  then its result line (docs/protocol.md)\n"
                      : "",
                cj_common_options_help,
                serve ? "  --stdio               speak JSON lines on stdin/stdout (required)\n"
                        "  --allow-profile NAME  a profile requests may select (repeatable)\n"
                        "  --max-concurrent N    calls in flight at once (default 1: results in request\n"
                        "                        order); above 1 results come back as calls finish,\n"
                        "                        matched by \"id\"\n"
                      : "");
}

/* Journal a request that could not be parsed, when its task is known.  A
 * journal that cannot take the event is said in the result's error message
 * (the request fails anyway; the audit trail must not lose it silently). */
static void journal_rejected_as(const char *state_dir, const char *task, const char *code, const char *message,
                                json_t *result) {
        if (!task || !state_dir || !cj_task_id_valid(task))
                return;
        cj_task *t = NULL;
        cj_error e = { 0 };
        _cleanup_json_ json_t *f = json_pack("{s:s, s:s}", "code", code, "message", message);
        int r = cj_task_open(state_dir, task, NULL, &t, &e);
        if (r >= 0)
                r = f ? cj_task_record(t, "rejected", f, NULL, &e) : cj_error_set(&e, ENOMEM, "out of memory");
        cj_task_free(t);
        if (r >= 0)
                return;
        json_t *eo = result ? json_object_get(result, "error") : NULL;
        const char *m = eo ? json_string_value(json_object_get(eo, "message")) : NULL;
        _cleanup_free_ char *joined = NULL;
        if (eo && asprintf(&joined, "%s; and journaling the rejection in task '%s' failed: %s", m ? m : "", task,
                           cj_error_message(&e, r)) >= 0)
                json_object_set_new(eo, "message", json_string(joined));
        else
                fprintf(stderr, "clawjail: journaling a rejected request in task '%s' failed: %s\n", task,
                        cj_error_message(&e, r));
}

static void journal_rejected(const char *state_dir, const char *task, const cj_proto_error *perr, json_t *result) {
        journal_rejected_as(state_dir, task, cj_proto_code_name(perr->code), perr->message, result);
}

/* The profile named name (already allowed), loaded on first use. */
int cj_server_profile(server *s, const char *name, const cj_profile **out, cj_error *err) {
        for (size_t i = 0; i < s->n_loaded; i++)
                if (strcmp(s->loaded_name[i], name) == 0) {
                        *out = s->loaded[i];
                        return 0;
                }
        cj_profile *p = NULL;
        int r = cj_cli_load_profile(&s->o, name, &p, err);
        if (r < 0)
                return r;
        if (s->n_loaded < CJ_ARRAY_SIZE(s->loaded)) { /* always true: only allowed names get here */
                s->loaded_name[s->n_loaded] = name;
                s->loaded[s->n_loaded++] = p;
        }
        *out = p;
        return 0;
}

/* A server loads its default profile before it reads a request: a profile
 * that does not load is the operator's mistake, said once at startup (an
 * agent harness then reports the server as failed) rather than in the result
 * of every call. */
int cj_server_preload(server *s, const char *front) {
        const cj_profile *p = NULL;
        cj_error err = { 0 };
        int r = cj_server_profile(s, s->o.profile, &p, &err);
        return r < 0 ? cj_cli_fail("%s: %s", front, cj_error_message(&err, r)) : 0;
}

void cj_server_clear(server *s) {
        for (size_t i = 0; i < s->n_loaded; i++)
                cj_profile_free(s->loaded[i]);
        s->n_loaded = 0;
        cj_common_opts_clear(&s->o);
}

/* A request too large to read: journal it under the operator's --task. */
void cj_server_reject_unread(const server *s, const cj_proto_error *perr) {
        _cleanup_free_ char *state_dir = NULL;
        if (s->o.task && cj_state_dir_resolve(s->o.state_dir, &state_dir, NULL) >= 0)
                journal_rejected(state_dir, s->o.task, perr, NULL);
}

/* One request line -> one result object and exit code. */
json_t *cj_server_handle(server *s, const char *buf, size_t len, int *code) {
        cj_proto_error perr = { 0 };
        _cleanup_request_ cj_request *req = NULL;
        _cleanup_free_ char *state_dir = NULL;
        cj_error err = { 0 };
        *code = CJ_EXIT_FAILURE;
        const char *task = s->o.task;
        if (cj_state_dir_resolve(s->o.state_dir, &state_dir, &err) < 0)
                return cj_result_failure(NULL, "state_dir", cj_error_message(&err, -EINVAL));
        if (cj_request_parse(buf, len, s->serve ? CJ_REQUEST_SERVE : 0, &req, &perr) < 0) {
                json_t *res = cj_proto_error_result_from(&perr);
                journal_rejected(state_dir, task, &perr, res);
                return res;
        }
        cj_admit_policy pol = { .profile = s->o.profile, .allowed = s->allowed, .task = s->o.task,
                                .request_may_choose = s->serve };
        cj_admission adm;
        if (cj_admit_request(&pol, req->profile, req->task, &adm) < 0) {
                json_t *res = cj_result_failure(req->id, adm.code, adm.message);
                if (strcmp(adm.code, "task_not_allowed") == 0)
                        journal_rejected_as(state_dir, task, adm.code, adm.message, res);
                return res;
        }
        task = adm.task;
        const char *pname = adm.profile; /* lives as long as the server */
        cj_common_opts o = s->o;
        o.profile = pname;
        const cj_profile *p = NULL;
        int r = cj_server_profile(s, pname, &p, &err);
        if (r < 0)
                return cj_result_failure(req->id, "bad_profile", cj_error_message(&err, r));

        static const cj_call_kind kinds[] = { [CJ_TOOL_EXEC] = CJ_CALL_EXEC, [CJ_TOOL_READ] = CJ_CALL_READ,
                                              [CJ_TOOL_WRITE] = CJ_CALL_WRITE, [CJ_TOOL_EDIT] = CJ_CALL_EDIT };
        int64_t timeout = cj_admit_timeout(o.timeout_ms, p, req->has_timeout, req->timeout_s);
        cj_call call = {
                .kind = kinds[req->tool],
                .id = req->id,
                .command = req->command,
                .req = req,
                .profile = p,
                .workspace = o.workspace,
                .cwd = req->cwd ? req->cwd : o.cwd,
                .extra_ro = o.ro,
                .extra_rw = o.rw,
                .net = o.net,
                .allow_hosts = o.allow_hosts,
                .timeout_ms = timeout,
                .env = req->env,
                .stdin_data = req->has_stdin ? req->stdin_data.data : NULL,
                .stdin_len = req->has_stdin ? req->stdin_data.len : 0,
                .pty = req->pty,
                .pty_cols = req->pty_cols,
                .pty_rows = req->pty_rows,
                .state_dir = state_dir,
                .task = task,
        };
        cj_stream_sink sink;
        bool streaming = req->stream && s->serve && s->stream_fd >= 0;
        if (streaming) {
                cj_stream_sink_init(&sink, s->stream_fd, req->id);
                call.output = &sink.out;
        }
        json_t *result = NULL;
        r = cj_pipeline_run(&call, &result, code, &err);
        /* Every event line before the result line (the harness may be gone: the result says the rest). */
        if (streaming)
                (void) cj_stream_sink_finish(&sink);
        if (r < 0) {
                *code = CJ_EXIT_FAILURE;
                return cj_result_failure(req->id, "clawjail", cj_error_message(&err, r));
        }
        return result;
}

static int parse_opts(server *s, int argc, char **argv, const char *cmd, bool *stdio) {
        static const struct option longopts[] = {
                CJ_COMMON_LONG_OPTIONS,
                { "stdio", no_argument, NULL, OPT_STDIO },
                { "allow-profile", required_argument, NULL, OPT_ALLOW_PROFILE },
                { "max-concurrent", required_argument, NULL, OPT_MAX_CONCURRENT },
                { 0 },
        };
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+vqh", longopts, NULL)) != -1) {
                if (c == 'h')
                        s->o.help = true;
                else if (c == OPT_STDIO && s->serve)
                        *stdio = true;
                else if (c == OPT_ALLOW_PROFILE && s->serve) {
                        if (s->n_allowed >= CJ_SERVE_PROFILES_MAX)
                                return cj_cli_fail("%s: more than %d --allow-profile", cmd, CJ_SERVE_PROFILES_MAX);
                        s->allowed[s->n_allowed++] = optarg;
                } else if (c == OPT_MAX_CONCURRENT && s->serve) {
                        char *end;
                        unsigned long v = strtoul(optarg, &end, 10);
                        if (*optarg < '0' || *optarg > '9' || *end || v < 1 || v > CJ_SERVE_CONCURRENCY_MAX)
                                return cj_cli_fail("%s: --max-concurrent takes a number from 1 to %d", cmd,
                                                   CJ_SERVE_CONCURRENCY_MAX);
                        s->max_concurrent = (unsigned) v;
                } else {
                        int h = cj_common_opts_handle(&s->o, c, optarg, cmd);
                        if (h == 0)
                                return cj_cli_fail("%s: unknown option '%s' (see 'clawjail %s --help')", cmd,
                                                   argv[optind - 1], cmd);
                        if (h != 1)
                                return h;
                }
        }
        if (optind < argc)
                return cj_cli_fail("%s: unexpected argument '%s'", cmd, argv[optind]);
        if (s->o.json)
                return cj_cli_fail("%s: results are always JSON; --json is not needed", cmd);
        return 0;
}

static int call_once(server *s) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        cj_error err = { 0 };
        int ret;
        int r = cj_read_fd(STDIN_FILENO, CJ_REQUEST_MAX, &buf, &len, &err);
        _cleanup_json_ json_t *result = NULL;
        if (r < 0) {
                cj_proto_error perr = { .code = r == -EFBIG ? CJ_PROTO_TOO_LARGE : CJ_PROTO_BAD_JSON };
                snprintf(perr.message, sizeof perr.message, "request: %s", cj_error_message(&err, r));
                cj_server_reject_unread(s, &perr);
                result = cj_proto_error_result_from(&perr);
                ret = CJ_EXIT_FAILURE;
        } else
                result = cj_server_handle(s, buf, len, &ret);
        if (s->o.status_fd >= 0)
                cj_result_emit(result, s->o.status_fd);
        cj_result_emit(result, STDOUT_FILENO);
        return ret;
}

int cmd_call(int argc, char **argv) {
        server s = { .serve = false };
        cj_common_opts_init(&s.o);
        bool stdio = false;
        int ret = parse_opts(&s, argc, argv, "call", &stdio);
        if (ret == 0 && s.o.help)
                call_usage(stdout, false);
        else if (ret == 0)
                ret = call_once(&s);
        cj_server_clear(&s);
        return ret;
}

static int serve_loop(server *s) {
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        bool too_long;
        ssize_t n;
        while ((n = cj_read_line(stdin, CJ_REQUEST_MAX, &line, &cap, &too_long)) >= 0) {
                if (!too_long && n == 0)
                        continue; /* blank lines are not calls */
                int code;
                _cleanup_json_ json_t *result = NULL;
                if (too_long) {
                        cj_proto_error perr = { .code = CJ_PROTO_TOO_LARGE };
                        snprintf(perr.message, sizeof perr.message, "request line longer than %u bytes",
                                 CJ_REQUEST_MAX);
                        cj_server_reject_unread(s, &perr);
                        result = cj_proto_error_result_from(&perr);
                } else
                        result = cj_server_handle(s, line ? line : "", (size_t) n, &code);
                if (cj_result_emit(result, STDOUT_FILENO) < 0)
                        break; /* the harness went away */
        }
        if (n == -ENOMEM) {
                fprintf(stderr, "clawjail serve: out of memory reading a request line (%u bytes allowed); "
                                "stopping\n", CJ_REQUEST_MAX);
                return 125;
        }
        return 0;
}

int cmd_serve(int argc, char **argv) {
        server s = { .serve = true, .max_concurrent = CJ_SERVE_CONCURRENCY_DEFAULT, .stream_fd = STDOUT_FILENO };
        cj_common_opts_init(&s.o);
        bool stdio = false;
        int ret = parse_opts(&s, argc, argv, "serve", &stdio);
        if (ret == 0 && s.o.help)
                call_usage(stdout, true);
        else if (ret == 0 && !stdio)
                ret = cj_cli_fail("serve: --stdio is required (the only transport)");
        else if (ret == 0 && (ret = cj_server_preload(&s, "serve")) == 0)
                ret = s.max_concurrent > 1 ? cj_serve_concurrent(&s, s.max_concurrent) : serve_loop(&s);
        cj_server_clear(&s);
        return ret;
}
