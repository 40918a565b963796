/* SPDX-License-Identifier: MIT */
/* JSON-RPC dispatch for `clawjail mcp`: both protocol eras, the tools, and
 * approvals through the client's own confirmation mechanism. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mcp.h"
#include "util/json.h"

/* Revisions whose initialize handshake we answer as asked; anything else
 * gets the newest one (the client then decides whether it can go on). */
static const char *const legacy_versions[] = { "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05" };

#define META_VERSION "io.modelcontextprotocol/protocolVersion"
#define META_CAPS "io.modelcontextprotocol/clientCapabilities"
#define META_CLIENT "io.modelcontextprotocol/clientInfo"
#define META_SERVER "io.modelcontextprotocol/serverInfo"

static const char instructions[] =
        "Every exec, read, write and edit runs inside the clawjail sandbox under the operator's profile. "
        "A refused call (deny) will be refused again: change the approach. A call that needs approval did not "
        "run; a person decides, then the same call can be retried unchanged. Use check to ask whether a "
        "command would be allowed without running it.";

json_t *cj_mcp_error(const json_t *id, int code, const char *message, json_t *data) {
        json_t *err = json_pack("{s:i, s:s}", "code", code, "message", message);
        if (data)
                json_object_set_new(err, "data", data);
        return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id ? (json_t *) id : json_null(), "error", err);
}

static json_t *reply(const json_t *id, json_t *result) {
        return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id, "result", result);
}

static json_t *supported_versions(void) {
        json_t *a = json_pack("[s]", CJ_MCP_VERSION_MODERN);
        for (size_t i = 0; i < CJ_ARRAY_SIZE(legacy_versions); i++)
                json_array_append_new(a, json_string(legacy_versions[i]));
        return a;
}

static json_t *server_info(const cj_mcp_session *s) {
        return json_pack("{s:s, s:s, s:s}", "name", "clawjail", "title", "clawjail sandbox", "version",
                         s->server_version ? s->server_version : "0");
}

/* A modern result: resultType, and who answered in _meta. */
static json_t *modern(const cj_mcp_session *s, json_t *result) {
        if (!json_object_get(result, "resultType"))
                json_object_set_new(result, "resultType", json_string("complete"));
        json_object_set_new(result, "_meta", json_pack("{s:o}", META_SERVER, server_info(s)));
        return result;
}

static json_t *handle_initialize(cj_mcp_session *s, const json_t *id, const json_t *params) {
        const char *asked = json_string_value(json_object_get(params, "protocolVersion"));
        if (!json_is_object(params) || !asked)
                return cj_mcp_error(id, CJ_JSONRPC_INVALID_PARAMS, "initialize needs params.protocolVersion", NULL);
        const char *v = CJ_MCP_VERSION_LEGACY;
        for (size_t i = 0; i < CJ_ARRAY_SIZE(legacy_versions); i++)
                if (strcmp(asked, legacy_versions[i]) == 0)
                        v = legacy_versions[i];
        snprintf(s->version, sizeof s->version, "%s", v);
        s->elicitation = json_is_object(json_object_get(json_object_get(params, "capabilities"), "elicitation"));
        const json_t *ci = json_object_get(params, "clientInfo");
        snprintf(s->client, sizeof s->client, "%s %s",
                 json_string_value(json_object_get(ci, "name")) ? json_string_value(json_object_get(ci, "name"))
                                                                 : "unknown",
                 json_string_value(json_object_get(ci, "version")) ? json_string_value(json_object_get(ci, "version"))
                                                                    : "");
        s->initialized = true;
        return reply(id, json_pack("{s:s, s:{s:{s:b}}, s:o, s:s}", "protocolVersion", v, "capabilities", "tools",
                                   "listChanged", 0, "serverInfo", server_info(s), "instructions", instructions));
}

/* The clawjail request for a tools/call; NULL with msg set when the
 * arguments do not fit the tool (the caller answers -32602). */
static json_t *tool_request(const json_t *id, const char *name, const json_t *args, char *msg, size_t msgsz) {
        static const char *const names[] = { "exec", "read", "write", "edit" };
        bool known = false;
        for (size_t i = 0; i < CJ_ARRAY_SIZE(names); i++)
                known |= strcmp(name, names[i]) == 0;
        if (!known) {
                snprintf(msg, msgsz, "unknown tool '%s' (exec, read, write, edit, check)", name);
                return NULL;
        }
        if (args && !json_is_object(args)) {
                snprintf(msg, msgsz, "arguments must be an object");
                return NULL;
        }
        /* Only the keys of the tool's own schema: task, profile, approvals
         * and anything else that could widen policy are never arguments a
         * model can pass. */
        _cleanup_json_ json_t *tools = cj_mcp_tools();
        const json_t *props = NULL;
        size_t i;
        const json_t *t;
        json_array_foreach (tools, i, t)
                if (strcmp(json_string_value(json_object_get(t, "name")), name) == 0)
                        props = json_object_get(json_object_get(t, "inputSchema"), "properties");
        const char *key;
        const json_t *v;
        json_object_foreach ((json_t *) args, key, v)
                if (!json_object_get(props, key)) {
                        snprintf(msg, msgsz, "tool %s has no argument '%.64s'", name, key);
                        return NULL;
                }
        json_t *req = args ? json_deep_copy(args) : json_object();
        char idbuf[64];
        if (json_is_integer(id))
                snprintf(idbuf, sizeof idbuf, "mcp-%" JSON_INTEGER_FORMAT, json_integer_value(id));
        json_object_set_new(req, "id", json_string(json_is_string(id) ? json_string_value(id) : idbuf));
        json_object_set_new(req, "tool", json_string(name));
        return req;
}

static json_t *approval_question(const json_t *result) {
        const json_t *a = json_object_get(result, "approval");
        const json_t *v = json_object_get(result, "verdict");
        char msg[2048];
        int n = snprintf(msg, sizeof msg, "clawjail: the agent wants to run\n\n    %s\n\nin %s (profile %s).",
                         json_string_value(json_object_get(a, "command")) ? json_string_value(json_object_get(a, "command"))
                                                                          : "(a file operation)",
                         json_string_value(json_object_get(a, "cwd")) ? json_string_value(json_object_get(a, "cwd"))
                                                                      : "the workspace",
                         json_string_value(json_object_get(a, "profile")) ? json_string_value(json_object_get(a, "profile"))
                                                                          : "?");
        size_t i;
        const json_t *f;
        json_array_foreach (json_object_get(v, "findings"), i, f) {
                if (n < 0 || (size_t) n >= sizeof msg)
                        break;
                n += snprintf(msg + n, sizeof msg - (size_t) n, "\n- %s",
                              json_string_value(json_object_get(f, "message")) ? json_string_value(json_object_get(f, "message"))
                                                                               : "");
        }
        return json_pack("{s:s, s:{s:s, s:{s:{s:s, s:s, s:s}}, s:[s]}}", "message", msg, "requestedSchema", "type",
                         "object", "properties", "approve", "type", "boolean", "title", "Run this command once?",
                         "description", "Approve only if you expect this exact command.", "required", "approve");
}

/* True when an ElicitResult says yes. */
static bool accepted(const json_t *answer) {
        const char *action = json_string_value(json_object_get(answer, "action"));
        return action && strcmp(action, "accept") == 0 &&
               json_is_true(json_object_get(json_object_get(answer, "content"), "approve"));
}

static const char *approval_request(const json_t *result) {
        return json_string_value(json_object_get(json_object_get(result, "approval"), "request"));
}

/* Legacy era: ask the client's user now, then retry once if approved. */
static json_t *elicit_and_retry(cj_mcp_session *s, const cj_mcp_backend *b, const json_t *req, json_t *result) {
        const char *rid = approval_request(result);
        if (!rid || !b->elicit || !b->decide)
                return result;
        _cleanup_json_ json_t *params = approval_question(result);
        _cleanup_json_ json_t *answer = NULL;
        if (b->elicit(b->ctx, params, &answer) < 0)
                return result; /* no answer: the pending approval stays for the operator */
        char msg[256] = "";
        if (b->decide(b->ctx, rid, accepted(answer), s->client, msg, sizeof msg) < 0)
                return result;
        /* Approved, it runs; refused, the call's answer is that refusal (as
         * in the modern era's retry), never "an operator may approve it". */
        json_decref(result);
        return b->call(b->ctx, req);
}

static json_t *handle_tools_call(cj_mcp_session *s, const cj_mcp_backend *b, const json_t *id,
                                 const json_t *params, bool is_modern, const json_t *caps) {
        const char *name = json_string_value(json_object_get(params, "name"));
        const json_t *args = json_object_get(params, "arguments");
        if (!name)
                return cj_mcp_error(id, CJ_JSONRPC_INVALID_PARAMS, "tools/call needs params.name", NULL);
        if (strcmp(name, "check") == 0) {
                const char *cmd = json_string_value(json_object_get(args, "command"));
                if (!cmd)
                        return cj_mcp_error(id, CJ_JSONRPC_INVALID_PARAMS, "check needs arguments.command (a string)",
                                            NULL);
                _cleanup_json_ json_t *v = b->check(b->ctx, cmd, json_string_value(json_object_get(args, "cwd")));
                _cleanup_free_ char *text = cj_json_line(v);
                json_t *r = json_pack("{s:[{s:s, s:s}], s:O, s:b}", "content", "type", "text", "text",
                                      text ? text : "", "structuredContent", v, "isError", 0);
                return reply(id, is_modern ? modern(s, r) : r);
        }
        char msg[256];
        _cleanup_json_ json_t *req = tool_request(id, name, args, msg, sizeof msg);
        if (!req)
                return cj_mcp_error(id, CJ_JSONRPC_INVALID_PARAMS, msg, NULL);

        /* Modern era: the retry of an approval question carries the answer. */
        const json_t *answers = json_object_get(params, "inputResponses");
        const char *state = json_string_value(json_object_get(params, "requestState"));
        if (is_modern && state && answers && b->decide) {
                const json_t *answer = json_object_get(answers, CJ_MCP_APPROVAL_KEY);
                char why[256] = "";
                if (answer)
                        b->decide(b->ctx, state, accepted(answer), s->client, why, sizeof why);
        }

        json_t *result = b->call(b->ctx, req);
        const char *status = json_string_value(json_object_get(result, "status"));
        bool ask = status && strcmp(status, "approval_required") == 0 && approval_request(result);
        if (ask && s->allow_elicitation) {
                if (!is_modern && s->elicitation)
                        result = elicit_and_retry(s, b, req, result);
                else if (is_modern && json_is_object(json_object_get(caps, "elicitation")) &&
                         !(state && answers)) {
                        json_t *q = json_pack("{s:s, s:{s:{s:s, s:o}}, s:s}", "resultType", "input_required",
                                              "inputRequests", CJ_MCP_APPROVAL_KEY, "method", "elicitation/create",
                                              "params", approval_question(result), "requestState",
                                              approval_request(result));
                        json_decref(result);
                        return reply(id, modern(s, q));
                }
        }
        json_t *r = cj_mcp_tool_result(name, result, s->task);
        json_decref(result);
        return reply(id, is_modern ? modern(s, r) : r);
}

json_t *cj_mcp_handle(cj_mcp_session *s, const cj_mcp_backend *b, const json_t *msg) {
        if (!json_is_object(msg))
                return cj_mcp_error(NULL, CJ_JSONRPC_INVALID_REQUEST,
                                    json_is_array(msg) ? "batches are not supported: one message per line"
                                                       : "a JSON-RPC message is an object",
                                    NULL);
        const json_t *id = json_object_get(msg, "id");
        const char *method = json_string_value(json_object_get(msg, "method"));
        const char *rpc = json_string_value(json_object_get(msg, "jsonrpc"));
        bool has_id = id && (json_is_string(id) || json_is_integer(id));
        if (id && !has_id)
                return cj_mcp_error(NULL, CJ_JSONRPC_INVALID_REQUEST, "id must be a string or an integer", NULL);
        if (!method) {
                /* A response to the server outside an elicitation wait: nothing to do. */
                if (json_object_get(msg, "result") || json_object_get(msg, "error"))
                        return NULL;
                return cj_mcp_error(id, CJ_JSONRPC_INVALID_REQUEST, "missing method", NULL);
        }
        if (!rpc || strcmp(rpc, "2.0") != 0)
                return has_id ? cj_mcp_error(id, CJ_JSONRPC_INVALID_REQUEST, "jsonrpc must be \"2.0\"", NULL) : NULL;
        if (!has_id)
                return NULL; /* notifications: initialized, cancelled (calls run one at a time), ... */

        const json_t *params = json_object_get(msg, "params");
        if (params && !json_is_object(params))
                return cj_mcp_error(id, CJ_JSONRPC_INVALID_PARAMS, "params must be an object", NULL);
        const json_t *meta = json_object_get(params, "_meta");
        const char *claimed = json_string_value(json_object_get(meta, META_VERSION));

        if (strcmp(method, "initialize") == 0)
                return handle_initialize(s, id, params);
        if (strcmp(method, "ping") == 0)
                return reply(id, json_object());

        /* Modern era: the request says its version and capabilities. */
        bool is_modern = claimed != NULL;
        const json_t *caps = json_object_get(meta, META_CAPS);
        if (is_modern) {
                if (strcmp(claimed, CJ_MCP_VERSION_MODERN) != 0) {
                        char m[160];
                        snprintf(m, sizeof m, "unsupported protocol version %.32s: this server speaks %s per request "
                                              "and %s through initialize", claimed, CJ_MCP_VERSION_MODERN,
                                 CJ_MCP_VERSION_LEGACY);
                        return cj_mcp_error(id, CJ_MCP_UNSUPPORTED_VERSION, m,
                                            json_pack("{s:o, s:s}", "supported", supported_versions(), "requested",
                                                      claimed));
                }
                if (!json_is_object(caps))
                        return cj_mcp_error(id, CJ_JSONRPC_INVALID_PARAMS,
                                            "_meta needs " META_CAPS " (an object) with " META_VERSION, NULL);
                const json_t *ci = json_object_get(meta, META_CLIENT);
                if (ci)
                        snprintf(s->client, sizeof s->client, "%s %s",
                                 json_string_value(json_object_get(ci, "name")) ? json_string_value(json_object_get(ci, "name")) : "unknown",
                                 json_string_value(json_object_get(ci, "version")) ? json_string_value(json_object_get(ci, "version")) : "");
        } else if (strcmp(method, "server/discover") == 0) {
                return cj_mcp_error(id, CJ_JSONRPC_INVALID_PARAMS,
                                    "server/discover needs _meta with " META_VERSION " and " META_CAPS, NULL);
        } else if (!s->initialized) {
                return cj_mcp_error(id, CJ_JSONRPC_INVALID_REQUEST,
                                    "not initialized: send initialize first, or name the protocol version in "
                                    "params._meta (" CJ_MCP_VERSION_MODERN ")",
                                    NULL);
        }

        if (strcmp(method, "server/discover") == 0)
                return reply(id, modern(s, json_pack("{s:o, s:{s:{s:b}}, s:s, s:i, s:s}", "supportedVersions",
                                                     supported_versions(), "capabilities", "tools", "listChanged", 0,
                                                     "instructions", instructions, "ttlMs", 0, "cacheScope",
                                                     "private")));
        if (strcmp(method, "tools/list") == 0) {
                json_t *r = json_pack("{s:o}", "tools", cj_mcp_tools());
                if (is_modern) {
                        json_object_set_new(r, "ttlMs", json_integer(0));
                        json_object_set_new(r, "cacheScope", json_string("private"));
                        modern(s, r);
                }
                return reply(id, r);
        }
        if (strcmp(method, "tools/call") == 0) {
                if (!params)
                        return cj_mcp_error(id, CJ_JSONRPC_INVALID_PARAMS, "tools/call needs params", NULL);
                return handle_tools_call(s, b, id, params, is_modern, caps);
        }
        char m[160];
        snprintf(m, sizeof m, "method not found: %.64s (this server offers tools only)", method);
        return cj_mcp_error(id, CJ_JSONRPC_METHOD_NOT_FOUND, m, NULL);
}
