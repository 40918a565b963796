/* SPDX-License-Identifier: MIT */
/* The MCP front end: both protocol eras, tool schemas, result mapping and
 * approvals through the client, against a backend that records what it was
 * asked and answers from a script (the real pipeline and the real MCP SDK
 * client are exercised in tests/integration/mcp). */
#include <string.h>

#include "../cj_check.h"
#include "mcp/mcp.h"
#include "util/json.h"

typedef struct fake {
        json_t *script[4]; /* results call() returns, in order */
        size_t n_calls;
        json_t *last_request;
        char decided[64];
        int decisions;
        bool decided_yes;
        json_t *elicit_answer; /* what the "client" answers; NULL = it went away */
        json_t *elicit_params;
} fake;

static json_t *fake_call(void *ctx, const json_t *request) {
        fake *f = ctx;
        json_decref(f->last_request);
        f->last_request = json_deep_copy(request);
        json_t *r = f->script[f->n_calls < 4 ? f->n_calls : 3];
        f->n_calls++;
        return json_deep_copy(r);
}

static json_t *fake_check(void *ctx, const char *command, const char *cwd) {
        return json_pack("{s:s, s:s, s:[]}", "decision", "ask", "command", command, "findings");
}

static int fake_decide(void *ctx, const char *request, bool approve, const char *client, char *msg, size_t msgsz) {
        fake *f = ctx;
        snprintf(f->decided, sizeof f->decided, "%s", request);
        f->decided_yes = approve;
        f->decisions++;
        return 0;
}

static int fake_elicit(void *ctx, const json_t *params, json_t **result) {
        fake *f = ctx;
        f->elicit_params = json_deep_copy(params);
        if (!f->elicit_answer)
                return -EPIPE;
        *result = json_incref(f->elicit_answer);
        return 0;
}

static void fake_free(fake *f) {
        for (size_t i = 0; i < 4; i++)
                json_decref(f->script[i]);
        json_decref(f->last_request);
        json_decref(f->elicit_answer);
        json_decref(f->elicit_params);
}

static cj_mcp_backend backend(fake *f) {
        return (cj_mcp_backend){ .ctx = f, .call = fake_call, .check = fake_check, .decide = fake_decide,
                                 .elicit = fake_elicit };
}

static json_t *msg(const char *text) {
        json_error_t e;
        json_t *j = json_loads(text, 0, &e);
        ck_assert_msg(j != NULL, "bad test JSON: %s", e.text);
        return j;
}

/* Send one message; returns the reply (may be NULL). */
static json_t *send(cj_mcp_session *s, fake *f, const char *text) {
        cj_mcp_backend b = backend(f);
        _cleanup_json_ json_t *m = msg(text);
        return cj_mcp_handle(s, &b, m);
}

static int err_code(const json_t *reply) {
        return (int) json_integer_value(json_object_get(json_object_get(reply, "error"), "code"));
}

static void init_legacy(cj_mcp_session *s, fake *f, bool elicitation) {
        _cleanup_json_ json_t *r = send(
                s, f,
                elicitation ? "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                              "\"2025-11-25\",\"capabilities\":{\"elicitation\":{}},\"clientInfo\":{\"name\":\"t\","
                              "\"version\":\"1\"}}}"
                            : "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                              "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "result"), "protocolVersion")),
                         "2025-11-25");
}

#define MODERN_META "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"," \
                    "\"io.modelcontextprotocol/clientCapabilities\":{}}"
#define MODERN_META_ELICIT "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"," \
                           "\"io.modelcontextprotocol/clientCapabilities\":{\"elicitation\":{}}}"

START_TEST(legacy_handshake) {
        cj_mcp_session s = { .server_version = "9.9", .task = "T1" };
        fake f = { 0 };
        _cleanup_json_ json_t *early = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
        ck_assert_int_eq(err_code(early), -32600);

        _cleanup_json_ json_t *r = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"initialize\","
                                              "\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{}}}");
        json_t *res = json_object_get(r, "result");
        ck_assert_str_eq(json_string_value(json_object_get(r, "id")), "a");
        ck_assert_str_eq(json_string_value(json_object_get(res, "protocolVersion")), "2025-06-18");
        ck_assert_ptr_nonnull(json_object_get(json_object_get(res, "capabilities"), "tools"));
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(res, "serverInfo"), "version")), "9.9");
        ck_assert(!s.elicitation);

        /* A version we do not know gets the newest legacy one back. */
        cj_mcp_session s2 = { 0 };
        _cleanup_json_ json_t *r2 = send(&s2, &f, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"initialize\","
                                                "\"params\":{\"protocolVersion\":\"1999-01-01\"}}");
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r2, "result"), "protocolVersion")),
                         CJ_MCP_VERSION_LEGACY);

        _cleanup_json_ json_t *n = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        ck_assert_ptr_null(n);
        _cleanup_json_ json_t *ping = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}");
        ck_assert(json_is_object(json_object_get(ping, "result")));
        fake_free(&f);
}
END_TEST

START_TEST(tools_listed_with_honest_hints) {
        cj_mcp_session s = { 0 };
        fake f = { 0 };
        init_legacy(&s, &f, false);
        _cleanup_json_ json_t *r = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
        json_t *tools = json_object_get(json_object_get(r, "result"), "tools");
        ck_assert_uint_eq(json_array_size(tools), 5);
        const char *ro[] = { "read", "check" }, *rw[] = { "exec", "write", "edit" };
        size_t i;
        json_t *t;
        int seen = 0;
        json_array_foreach (tools, i, t) {
                const char *name = json_string_value(json_object_get(t, "name"));
                json_t *ann = json_object_get(t, "annotations");
                json_t *schema = json_object_get(t, "inputSchema");
                ck_assert_str_eq(json_string_value(json_object_get(schema, "type")), "object");
                ck_assert(json_is_false(json_object_get(schema, "additionalProperties")));
                ck_assert_uint_gt(strlen(json_string_value(json_object_get(t, "description"))), 40);
                for (size_t k = 0; k < 2; k++)
                        if (strcmp(name, ro[k]) == 0) {
                                ck_assert(json_is_true(json_object_get(ann, "readOnlyHint")));
                                ck_assert(json_is_false(json_object_get(ann, "destructiveHint")));
                                seen++;
                        }
                for (size_t k = 0; k < 3; k++)
                        if (strcmp(name, rw[k]) == 0) {
                                ck_assert(json_is_false(json_object_get(ann, "readOnlyHint")));
                                ck_assert(json_is_true(json_object_get(ann, "destructiveHint")));
                                seen++;
                        }
        }
        ck_assert_int_eq(seen, 5);
        fake_free(&f);
}
END_TEST

START_TEST(modern_requests_and_version_mismatch) {
        cj_mcp_session s = { .server_version = "1.2" };
        fake f = { 0 };
        /* No handshake needed when the request names its version. */
        _cleanup_json_ json_t *d = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server/discover\","
                                              "\"params\":{" MODERN_META "}}");
        json_t *res = json_object_get(d, "result");
        ck_assert_str_eq(json_string_value(json_object_get(res, "resultType")), "complete");
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(res, "supportedVersions"), 0)),
                         "2026-07-28");
        ck_assert_ptr_nonnull(json_object_get(json_object_get(res, "_meta"), "io.modelcontextprotocol/serverInfo"));
        ck_assert(json_is_integer(json_object_get(res, "ttlMs")));

        _cleanup_json_ json_t *l = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\","
                                              "\"params\":{" MODERN_META "}}");
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(l, "result"), "resultType")), "complete");
        ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(l, "result"), "tools")), 5);

        _cleanup_json_ json_t *bad = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\",\"params\":"
                                                "{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2099-01-01\","
                                                "\"io.modelcontextprotocol/clientCapabilities\":{}}}}");
        ck_assert_int_eq(err_code(bad), -32022);
        json_t *data = json_object_get(json_object_get(bad, "error"), "data");
        ck_assert_str_eq(json_string_value(json_object_get(data, "requested")), "2099-01-01");
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(data, "supported"), 0)), "2026-07-28");

        _cleanup_json_ json_t *nocaps = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\",\"params\":"
                                                   "{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":"
                                                   "\"2026-07-28\"}}}");
        ck_assert_int_eq(err_code(nocaps), -32602);
        _cleanup_json_ json_t *nometa = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"server/discover\"}");
        ck_assert_int_eq(err_code(nometa), -32602);
        fake_free(&f);
}
END_TEST

START_TEST(malformed_messages) {
        cj_mcp_session s = { 0 };
        fake f = { 0 };
        init_legacy(&s, &f, false);
        _cleanup_json_ json_t *a = send(&s, &f, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]");
        ck_assert_int_eq(err_code(a), -32600);
        ck_assert(json_is_null(json_object_get(a, "id")));
        _cleanup_json_ json_t *b = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}");
        ck_assert_int_eq(err_code(b), -32600);
        _cleanup_json_ json_t *c = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"id\":1}");
        ck_assert_int_eq(err_code(c), -32600);
        _cleanup_json_ json_t *d = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/list\"}");
        ck_assert_int_eq(err_code(d), -32601);
        _cleanup_json_ json_t *e = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":[]}");
        ck_assert_int_eq(err_code(e), -32602);
        _cleanup_json_ json_t *g = send(&s, &f, "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}");
        ck_assert_int_eq(err_code(g), -32600);
        _cleanup_json_ json_t *h = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\","
                                              "\"params\":{\"name\":\"rm\",\"arguments\":{}}}");
        ck_assert_int_eq(err_code(h), -32602);
        ck_assert_uint_eq(f.n_calls, 0);
        /* A response from the client outside a wait is not answered. */
        _cleanup_json_ json_t *i = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{}}");
        ck_assert_ptr_null(i);
        fake_free(&f);
}
END_TEST

START_TEST(arguments_never_widen_policy) {
        cj_mcp_session s = { 0 };
        fake f = { 0 };
        init_legacy(&s, &f, false);
        const char *widen[] = { "task", "profile", "approve", "rw", "net" };
        for (size_t i = 0; i < 5; i++) {
                char m[256];
                snprintf(m, sizeof m, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":"
                                      "\"exec\",\"arguments\":{\"command\":\"true\",\"%s\":\"x\"}}}", widen[i]);
                _cleanup_json_ json_t *r = send(&s, &f, m);
                ck_assert_int_eq(err_code(r), -32602);
        }
        ck_assert_uint_eq(f.n_calls, 0);
        fake_free(&f);
}
END_TEST

START_TEST(exec_result_for_a_model) {
        cj_mcp_session s = { .task = "T1" };
        fake f = { .script = { msg("{\"id\":\"x\",\"status\":\"ok\",\"exit_code\":2,\"stdout\":\"hello\\n\","
                                   "\"stderr\":\"warn\\n\"}") } };
        init_legacy(&s, &f, false);
        _cleanup_json_ json_t *r = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":"
                                              "{\"name\":\"exec\",\"arguments\":{\"command\":\"make\",\"cwd\":\"src\"}}}");
        ck_assert_str_eq(json_string_value(json_object_get(f.last_request, "tool")), "exec");
        ck_assert_str_eq(json_string_value(json_object_get(f.last_request, "command")), "make");
        ck_assert_str_eq(json_string_value(json_object_get(f.last_request, "cwd")), "src");
        ck_assert_str_eq(json_string_value(json_object_get(f.last_request, "id")), "mcp-5");
        json_t *res = json_object_get(r, "result");
        ck_assert(json_is_false(json_object_get(res, "isError"))); /* a failing build is a result, not an error */
        json_t *content = json_object_get(res, "content");
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(content, 0), "text")), "hello\n");
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(content, 1), "text")), "[stderr]\nwarn\n");
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(content, 2), "text")), "[exit code 2]");
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(res, "structuredContent"), "exit_code")),
                         2);
        ck_assert_ptr_null(json_object_get(res, "resultType")); /* legacy results carry none */
        fake_free(&f);
}
END_TEST

START_TEST(refusals_are_errors_that_say_why) {
        const char *cases[][2] = {
                { "{\"status\":\"denied\",\"verdict\":{\"decision\":\"deny\",\"findings\":[{\"validator\":"
                  "\"credentials\",\"decision\":\"deny\",\"message\":\"reads .env\"}]}}",
                  "reads .env" },
                { "{\"status\":\"loop_detected\",\"error\":{\"code\":\"loop_detected\",\"message\":\"same call "
                  "6 times\"}}",
                  "Stop repeating" },
                { "{\"status\":\"budget_exhausted\",\"error\":{\"code\":\"budget_exhausted\",\"message\":\"calls "
                  "500/500\"}}",
                  "calls 500/500" },
                { "{\"status\":\"error\",\"error\":{\"code\":\"not_found\",\"message\":\"no such file: x\"}}",
                  "no such file: x" },
                { "{\"status\":\"approval_required\",\"approval\":{\"request\":\"R7\"},\"verdict\":{\"findings\":"
                  "[{\"validator\":\"rules\",\"decision\":\"ask\",\"message\":\"pushes\"}]}}",
                  "clawjail approve T9 R7" },
        };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(cases); i++) {
                _cleanup_json_ json_t *res = msg(cases[i][0]);
                _cleanup_json_ json_t *r = cj_mcp_tool_result("exec", res, "T9");
                ck_assert(json_is_true(json_object_get(r, "isError")));
                const char *text = json_string_value(json_object_get(json_array_get(json_object_get(r, "content"), 0),
                                                                     "text"));
                ck_assert_msg(strstr(text, cases[i][1]), "case %zu: '%s' lacks '%s'", i, text, cases[i][1]);
        }
}
END_TEST

START_TEST(legacy_elicitation_approves_once_and_retries) {
        cj_mcp_session s = { .allow_elicitation = true, .task = "T" };
        fake f = { .script = { msg("{\"status\":\"approval_required\",\"approval\":{\"request\":\"R1\",\"command\":"
                                   "\"git push\"},\"verdict\":{\"findings\":[]}}"),
                               msg("{\"status\":\"ok\",\"exit_code\":0,\"stdout\":\"pushed\"}") },
                   .elicit_answer = msg("{\"action\":\"accept\",\"content\":{\"approve\":true}}") };
        init_legacy(&s, &f, true);
        ck_assert(s.elicitation);
        _cleanup_json_ json_t *r = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
                                              "{\"name\":\"exec\",\"arguments\":{\"command\":\"git push\"}}}");
        ck_assert_uint_eq(f.n_calls, 2);
        ck_assert_int_eq(f.decisions, 1);
        ck_assert_str_eq(f.decided, "R1");
        ck_assert(f.decided_yes);
        ck_assert(strstr(json_string_value(json_object_get(f.elicit_params, "message")), "git push"));
        ck_assert(json_is_false(json_object_get(json_object_get(r, "result"), "isError")));
        fake_free(&f);
}
END_TEST

START_TEST(legacy_elicitation_declined_or_unavailable) {
        /* Declined: the refusal is recorded, and the call's answer is that
         * refusal (the pipeline's, asked again), not "an operator may approve". */
        cj_mcp_session s = { .allow_elicitation = true };
        fake f = { .script = { msg("{\"status\":\"approval_required\",\"approval\":{\"request\":\"R2\"}}"),
                               msg("{\"status\":\"denied\",\"approval\":{\"request\":\"R2\"},\"error\":"
                                   "{\"code\":\"approval_refused\",\"message\":\"refused by test-client\"}}") },
                   .elicit_answer = msg("{\"action\":\"decline\"}") };
        init_legacy(&s, &f, true);
        _cleanup_json_ json_t *r = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
                                              "{\"name\":\"exec\",\"arguments\":{\"command\":\"git push\"}}}");
        ck_assert_uint_eq(f.n_calls, 2);
        ck_assert_int_eq(f.decisions, 1);
        ck_assert(!f.decided_yes);
        ck_assert(json_is_true(json_object_get(json_object_get(r, "result"), "isError")));
        const char *text = json_string_value(
                json_object_get(json_array_get(json_object_get(json_object_get(r, "result"), "content"), 0), "text"));
        ck_assert_msg(text && strstr(text, "A person refused this call (request R2: refused by test-client)") &&
                              !strstr(text, "clawjail approve"),
                      "%s", text ? text : "(no text)");
        fake_free(&f);

        /* The operator turned client approvals off: never asked. */
        cj_mcp_session s2 = { .allow_elicitation = false };
        fake f2 = { .script = { msg("{\"status\":\"approval_required\",\"approval\":{\"request\":\"R3\"}}") },
                    .elicit_answer = msg("{\"action\":\"accept\",\"content\":{\"approve\":true}}") };
        init_legacy(&s2, &f2, true);
        _cleanup_json_ json_t *r2 = send(&s2, &f2, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
                                                 "{\"name\":\"exec\",\"arguments\":{\"command\":\"git push\"}}}");
        ck_assert_ptr_null(f2.elicit_params);
        ck_assert_int_eq(f2.decisions, 0);
        ck_assert(json_is_true(json_object_get(json_object_get(r2, "result"), "isError")));
        fake_free(&f2);
}
END_TEST

START_TEST(modern_input_required_round_trip) {
        cj_mcp_session s = { .allow_elicitation = true };
        fake f = { .script = { msg("{\"status\":\"approval_required\",\"approval\":{\"request\":\"R4\"}}"),
                               msg("{\"status\":\"ok\",\"exit_code\":0,\"stdout\":\"done\"}") } };
        _cleanup_json_ json_t *q = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
                                              "{" MODERN_META_ELICIT ",\"name\":\"exec\",\"arguments\":{\"command\":"
                                              "\"git push\"}}}");
        json_t *res = json_object_get(q, "result");
        ck_assert_str_eq(json_string_value(json_object_get(res, "resultType")), "input_required");
        ck_assert_str_eq(json_string_value(json_object_get(res, "requestState")), "R4");
        json_t *ir = json_object_get(json_object_get(res, "inputRequests"), CJ_MCP_APPROVAL_KEY);
        ck_assert_str_eq(json_string_value(json_object_get(ir, "method")), "elicitation/create");
        ck_assert_int_eq(f.decisions, 0);

        _cleanup_json_ json_t *r = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
                                              "{" MODERN_META_ELICIT ",\"name\":\"exec\",\"arguments\":{\"command\":"
                                              "\"git push\"},\"requestState\":\"R4\",\"inputResponses\":{"
                                              "\"clawjail_approval\":{\"action\":\"accept\",\"content\":{\"approve\":"
                                              "true}}}}}");
        ck_assert_int_eq(f.decisions, 1);
        ck_assert_str_eq(f.decided, "R4");
        ck_assert(f.decided_yes);
        res = json_object_get(r, "result");
        ck_assert_str_eq(json_string_value(json_object_get(res, "resultType")), "complete");
        ck_assert(json_is_false(json_object_get(res, "isError")));
        fake_free(&f);

        /* Without the elicitation capability: an error naming the pending approval. */
        cj_mcp_session s2 = { .allow_elicitation = true, .task = "T2" };
        fake f2 = { .script = { msg("{\"status\":\"approval_required\",\"approval\":{\"request\":\"R5\"}}") } };
        _cleanup_json_ json_t *e = send(&s2, &f2, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
                                                "{" MODERN_META ",\"name\":\"exec\",\"arguments\":{\"command\":"
                                                "\"git push\"}}}");
        res = json_object_get(e, "result");
        ck_assert_str_eq(json_string_value(json_object_get(res, "resultType")), "complete");
        ck_assert(json_is_true(json_object_get(res, "isError")));
        fake_free(&f2);
}
END_TEST

START_TEST(check_tool_runs_nothing) {
        cj_mcp_session s = { 0 };
        fake f = { 0 };
        init_legacy(&s, &f, false);
        _cleanup_json_ json_t *r = send(&s, &f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
                                              "{\"name\":\"check\",\"arguments\":{\"command\":\"git push\"}}}");
        ck_assert_uint_eq(f.n_calls, 0);
        json_t *sc = json_object_get(json_object_get(r, "result"), "structuredContent");
        ck_assert_str_eq(json_string_value(json_object_get(sc, "decision")), "ask");
        fake_free(&f);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("mcp-protocol");
        TCase *tc = tcase_create("protocol");
        tcase_add_test(tc, legacy_handshake);
        tcase_add_test(tc, tools_listed_with_honest_hints);
        tcase_add_test(tc, modern_requests_and_version_mismatch);
        tcase_add_test(tc, malformed_messages);
        tcase_add_test(tc, arguments_never_widen_policy);
        tcase_add_test(tc, exec_result_for_a_model);
        tcase_add_test(tc, refusals_are_errors_that_say_why);
        tcase_add_test(tc, legacy_elicitation_approves_once_and_retries);
        tcase_add_test(tc, legacy_elicitation_declined_or_unavailable);
        tcase_add_test(tc, modern_input_required_round_trip);
        tcase_add_test(tc, check_tool_runs_nothing);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
