/* SPDX-License-Identifier: MIT */
/* clawjail mcp: a stdio MCP server.  One JSON-RPC message per line on stdin,
 * one per line on stdout, diagnostics on stderr, exit 0 on EOF.  The protocol
 * is launcher/mcp/; every tool call goes through cj_server_handle, the same
 * admission, pipeline and journal as `serve`. */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "mcp/mcp.h"
#include "opts.h"
#include "result.h"
#include "server.h"
#include "tracker/tracker.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/json.h"
#include "validate/validate.h"

#define CJ_MCP_DEFERRED_MAX 64 /* messages held while the client answers an approval question */

enum { OPT_NO_ELICITATION = 3100 };

typedef struct mcp_io {
        cj_server srv;
        FILE *in;
        char *line;
        size_t cap;
        json_t *deferred; /* array of messages read during an elicitation wait */
        unsigned long elicit_seq;
} mcp_io;

static void mcp_usage(FILE *f) {
        fprintf(f,
                "Usage: clawjail mcp [OPTIONS]\n"
                "\n"
                "Serve the Model Context Protocol on stdin/stdout: tools exec, read, write, edit\n"
                "and check, each running through clawjail's whole pipeline in the current\n"
                "directory (the workspace).  Speaks the 2025-11-25 handshake and the stateless\n"
                "2026-07-28 revision.  The session is one task: --task, else a new id printed on\n"
                "stderr.  A call that needs approval is put to the person behind the client\n"
                "(elicitation) when the client offers it, else it fails naming the pending\n"
                "request for `clawjail approve TASK ID`.\n"
                "\n"
                "Register it with an agent (see README \"Use it from your agent\"):\n"
                "  claude mcp add clawjail -- clawjail mcp --profile default\n"
                "\nOptions:\n%s"
                "  --no-elicitation      never ask the client's user; approvals only by\n"
                "                        `clawjail approve` (an operator outside the session)\n",
                cj_common_options_help);
}

static int emit(json_t *msg) {
        if (!msg)
                return 0;
        int r = cj_result_emit(msg, STDOUT_FILENO);
        json_decref(msg);
        return r;
}

/* Next message: a deferred one first, then stdin.  Returns 1 with *msg (new
 * reference; NULL when the line was answered with an error already), 0 at
 * EOF, -errno on failure. */
static int next_message(mcp_io *io, json_t **msg) {
        *msg = NULL;
        if (json_array_size(io->deferred) > 0) {
                *msg = json_incref(json_array_get(io->deferred, 0));
                json_array_remove(io->deferred, 0);
                return 1;
        }
        for (;;) {
                bool too_long;
                ssize_t n = cj_read_line(io->in, CJ_MCP_MESSAGE_MAX, &io->line, &io->cap, &too_long);
                if (n == -ENOMEM)
                        return -ENOMEM;
                if (n < 0)
                        return 0;
                if (too_long) {
                        char m[96];
                        snprintf(m, sizeof m, "message longer than %u bytes", CJ_MCP_MESSAGE_MAX);
                        if (emit(cj_mcp_error(NULL, CJ_JSONRPC_INVALID_REQUEST, m, NULL)) < 0)
                                return -EPIPE;
                        continue;
                }
                if (n == 0)
                        continue;
                json_error_t e;
                *msg = json_loadb(io->line, (size_t) n, JSON_REJECT_DUPLICATES, &e);
                if (!*msg) {
                        char m[256];
                        snprintf(m, sizeof m, "parse error at byte %d: %s", e.position, e.text);
                        if (emit(cj_mcp_error(NULL, CJ_JSONRPC_PARSE_ERROR, m, NULL)) < 0)
                                return -EPIPE;
                        continue;
                }
                return 1;
        }
}

static json_t *backend_call(void *ctx, const json_t *request) {
        mcp_io *io = ctx;
        _cleanup_free_ char *text = cj_json_line(request);
        int code;
        if (!text)
                return cj_result_failure(NULL, "clawjail", "out of memory");
        return cj_server_handle(&io->srv, text, strlen(text), &code);
}

static json_t *backend_check(void *ctx, const char *command, const char *cwd) {
        mcp_io *io = ctx;
        const cj_profile *p = NULL;
        cj_error err = { 0 };
        int r = cj_server_profile(&io->srv, io->srv.o.profile, &p, &err);
        if (r < 0)
                return cj_result_failure(NULL, "bad_profile", cj_error_message(&err, r));
        cj_validation v = { 0 };
        r = cj_validate_command(command, strlen(command), p, cwd ? cwd : io->srv.o.workspace, &v, &err);
        if (r < 0)
                return cj_result_failure(NULL, "clawjail", cj_error_message(&err, r));
        json_t *o = cj_validation_to_json(&v);
        if (o)
                json_object_set_new(o, "parse", json_string(v.parse_ok ? "ok" : "syntax_error"));
        cj_validation_clear(&v);
        return o ? o : cj_result_failure(NULL, "clawjail", "out of memory");
}

static int backend_decide(void *ctx, const char *request, bool approve, const char *client, char *msg,
                          size_t msgsz) {
        mcp_io *io = ctx;
        _cleanup_free_ char *state_dir = NULL;
        cj_error err = { 0 };
        int r = cj_state_dir_resolve(io->srv.o.state_dir, &state_dir, &err);
        if (r < 0) {
                snprintf(msg, msgsz, "%s", cj_error_message(&err, r));
                return r;
        }
        char via[192];
        snprintf(via, sizeof via, "MCP client %s", client && *client ? client : "(unnamed)");
        r = cj_cli_decide(state_dir, io->srv.o.task, request, approve, via, &err);
        if (r < 0)
                snprintf(msg, msgsz, "%s", cj_error_message(&err, r));
        return r;
}

/* Send elicitation/create and wait for the answer with our id; other
 * messages that arrive meanwhile are kept for later, in order. */
static int backend_elicit(void *ctx, const json_t *params, json_t **result) {
        mcp_io *io = ctx;
        char id[48];
        snprintf(id, sizeof id, "clawjail-elicit-%lu", ++io->elicit_seq);
        if (emit(json_pack("{s:s, s:s, s:s, s:O}", "jsonrpc", "2.0", "id", id, "method", "elicitation/create",
                           "params", params)) < 0)
                return -EPIPE;
        /* Read stdin directly: deferred messages are not answers. */
        _cleanup_json_ json_t *held = io->deferred;
        io->deferred = json_array();
        int ret = -EPIPE;
        for (;;) {
                json_t *m = NULL;
                int r = next_message(io, &m);
                if (r <= 0) {
                        ret = r < 0 ? r : -EPIPE;
                        break;
                }
                const char *mid = json_string_value(json_object_get(m, "id"));
                if (!json_object_get(m, "method") && mid && strcmp(mid, id) == 0) {
                        json_t *res = json_object_get(m, "result");
                        ret = res ? 0 : -EPROTO;
                        if (res)
                                *result = json_incref(res);
                        json_decref(m);
                        break;
                }
                if (json_array_size(io->deferred) >= CJ_MCP_DEFERRED_MAX) {
                        const json_t *rid = json_object_get(m, "id");
                        if (rid && json_object_get(m, "method"))
                                emit(cj_mcp_error(rid, CJ_JSONRPC_INTERNAL_ERROR,
                                                  "server busy: waiting for an approval answer", NULL));
                        json_decref(m);
                        continue;
                }
                json_array_append_new(io->deferred, m);
        }
        /* Earlier deferred messages stay ahead of the new ones. */
        json_array_extend(held, io->deferred);
        json_decref(io->deferred);
        io->deferred = TAKE_PTR(held);
        return ret;
}

static int parse_opts(mcp_io *io, int argc, char **argv, bool *elicitation) {
        static const struct option longopts[] = {
                CJ_COMMON_LONG_OPTIONS,
                { "no-elicitation", no_argument, NULL, OPT_NO_ELICITATION },
                { 0 },
        };
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+vqh", longopts, NULL)) != -1) {
                if (c == 'h')
                        io->srv.o.help = true;
                else if (c == OPT_NO_ELICITATION)
                        *elicitation = false;
                else {
                        int h = cj_common_opts_handle(&io->srv.o, c, optarg, "mcp");
                        if (h == 0)
                                return cj_cli_fail("mcp: unknown option '%s' (see 'clawjail mcp --help')",
                                                   argv[optind - 1]);
                        if (h != 1)
                                return h;
                }
        }
        if (optind < argc)
                return cj_cli_fail("mcp: unexpected argument '%s'", argv[optind]);
        if (io->srv.o.json)
                return cj_cli_fail("mcp: --json does not apply to an MCP server");
        return 0;
}

int cmd_mcp(int argc, char **argv) {
        mcp_io io = { .in = stdin, .deferred = json_array() };
        cj_common_opts_init(&io.srv.o);
        bool elicitation = true;
        int ret = parse_opts(&io, argc, argv, &elicitation);
        char task[64];
        if (ret == 0 && io.srv.o.help)
                mcp_usage(stdout);
        else if (ret == 0 && (ret = cj_server_preload(&io.srv, "mcp")) == 0) {
                if (!io.srv.o.task) {
                        /* Each session is a task, so budgets, loops and the journal apply. */
                        time_t now = time(NULL);
                        struct tm tm;
                        gmtime_r(&now, &tm);
                        snprintf(task, sizeof task, "mcp-%04d%02d%02d-%02d%02d%02d-%ld", tm.tm_year + 1900,
                                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long) getpid());
                        io.srv.o.task = task;
                }
                if (cj_cli_verbosity >= 0)
                        fprintf(stderr, "clawjail mcp: task %s, profile %s, workspace %s\n", io.srv.o.task,
                                io.srv.o.profile, io.srv.o.workspace ? io.srv.o.workspace : ".");
                cj_mcp_session session = { .server_version = CJ_VERSION, .task = io.srv.o.task,
                                           .allow_elicitation = elicitation };
                cj_mcp_backend b = { .ctx = &io, .call = backend_call, .check = backend_check,
                                     .decide = backend_decide, .elicit = backend_elicit };
                json_t *m;
                int r;
                while ((r = next_message(&io, &m)) > 0) {
                        json_t *reply = cj_mcp_handle(&session, &b, m);
                        json_decref(m);
                        if (emit(reply) < 0)
                                break; /* the client went away */
                }
                if (r < 0 && r != -EPIPE)
                        ret = cj_cli_fail("mcp: %s", strerror(-r));
        }
        free(io.line);
        json_decref(io.deferred);
        cj_server_clear(&io.srv);
        return ret;
}
