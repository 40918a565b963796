/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The Model Context Protocol front end, as data: one JSON-RPC message in, at
 * most one reply out.  It speaks both protocol eras a client may use on stdio:
 *
 *   legacy  (2025-11-25 and older): initialize / notifications/initialized,
 *           then tools/list and tools/call; approvals by elicitation/create,
 *           a request from server to client (the backend's elicit()).
 *   modern  (2026-07-28): no handshake; every request carries its protocol
 *           version and client capabilities in _meta; server/discover; results
 *           carry resultType; approvals by an input_required result that the
 *           client answers on its retry (multi round-trip requests).
 *
 * Running a call is the backend's job (clawjail's own pipeline in
 * cli/cmd_mcp.c), so this module prints nothing, runs nothing, and is
 * unit-tested with a recording backend.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define CJ_MCP_MESSAGE_MAX (8u << 20) /* bytes in one JSON-RPC line (a write's content fits) */
#define CJ_MCP_VERSION_MODERN "2026-07-28"
#define CJ_MCP_VERSION_LEGACY "2025-11-25" /* the newest handshake revision */
#define CJ_MCP_APPROVAL_KEY "clawjail_approval" /* inputRequests key of the approval question */

enum {
        CJ_JSONRPC_PARSE_ERROR = -32700,
        CJ_JSONRPC_INVALID_REQUEST = -32600,
        CJ_JSONRPC_METHOD_NOT_FOUND = -32601,
        CJ_JSONRPC_INVALID_PARAMS = -32602,
        CJ_JSONRPC_INTERNAL_ERROR = -32603,
        CJ_MCP_UNSUPPORTED_VERSION = -32022,
};

typedef struct cj_mcp_backend {
        void *ctx;
        /* Run one clawjail protocol request object (docs/protocol.md).  Returns
         * a new result object; never NULL. */
        json_t *(*call)(void *ctx, const json_t *request);
        /* Validation only (tool "check"): a new verdict object; never NULL. */
        json_t *(*check)(void *ctx, const char *command, const char *cwd);
        /* The person behind the client answered an approval question.
         * approve != 0: approve pending request `request` for one run; else
         * refuse it.  0, or -errno with a message in msg. */
        int (*decide)(void *ctx, const char *request, bool approve, const char *client, char *msg, size_t msgsz);
        /* Legacy era only: send elicitation/create with params to the client
         * and wait for its answer.  0 with *result (new reference) or -errno
         * (the client went away, or answered with an error). */
        int (*elicit)(void *ctx, const json_t *params, json_t **result);
} cj_mcp_backend;

typedef struct cj_mcp_session {
        /* Set by the caller. */
        const char *server_version;
        const char *task;        /* the task every call of this session is charged to */
        bool allow_elicitation;  /* the operator lets the client's user answer approvals */
        /* Kept by the module. */
        bool initialized;        /* legacy: initialize answered */
        bool elicitation;        /* legacy: the client declared the elicitation capability */
        char version[16];        /* legacy: the negotiated revision */
        char client[128];        /* "name version" of the client, for the journal */
} cj_mcp_session;

/* Handle one parsed JSON-RPC message.  Returns the reply (a new reference),
 * or NULL when none is due (a notification, or a response to the server). */
json_t *cj_mcp_handle(cj_mcp_session *s, const cj_mcp_backend *b, const json_t *msg);

/* A JSON-RPC error response (id may be NULL: JSON null). */
json_t *cj_mcp_error(const json_t *id, int code, const char *message, json_t *data);

/* The tools this server offers, with their input schemas (tools/list). */
json_t *cj_mcp_tools(void);

/* The CallToolResult for a clawjail result object of tool `tool` (exposed
 * for tests): text content a model reads, the whole result as
 * structuredContent, isError for every status but ok. */
json_t *cj_mcp_tool_result(const char *tool, const json_t *result, const char *task);
