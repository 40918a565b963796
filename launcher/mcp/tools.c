/* SPDX-License-Identifier: MIT */
/* The MCP tools: their schemas (what a model is told) and how a clawjail
 * result becomes a CallToolResult (what a model reads back). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mcp.h"
#include "util/json.h"

/* Text returned to the model for one stream is already capped by the
 * profile's limits.output_bytes; this only bounds what we add around it. */
#define CJ_MCP_NOTE_MAX 1024

static json_t *prop(const char *type, const char *description) {
        return json_pack("{s:s, s:s}", "type", type, "description", description);
}

static json_t *tool(const char *name, const char *title, const char *description, json_t *props,
                    const char *required[], bool read_only) {
        json_t *req = json_array();
        for (size_t i = 0; required[i]; i++)
                json_array_append_new(req, json_string(required[i]));
        json_t *schema = json_pack("{s:s, s:o, s:o, s:b}", "type", "object", "properties", props, "required", req,
                                   "additionalProperties", 0);
        /* Honest hints: read and check change nothing; the others may. */
        json_t *ann = json_pack("{s:s, s:b, s:b, s:b, s:b}", "title", title, "readOnlyHint", read_only,
                                "destructiveHint", !read_only, "idempotentHint", read_only, "openWorldHint", 0);
        return json_pack("{s:s, s:s, s:s, s:o, s:o}", "name", name, "title", title, "description", description,
                         "inputSchema", schema, "annotations", ann);
}

json_t *cj_mcp_tools(void) {
        json_t *tools = json_array();

        json_t *p = json_object();
        json_object_set_new(p, "command", prop("string", "The bash command, exactly as you would type it."));
        json_object_set_new(p, "cwd", prop("string", "Working directory inside the sandbox; relative paths "
                                                     "resolve against the workspace. Default: the workspace."));
        json_object_set_new(p, "timeout_s", prop("number", "Wall-clock limit in seconds; it can only shorten "
                                                           "the operator's limit."));
        json_t *env = prop("object", "Extra environment variables (strings). Variables that make a program "
                                     "run other code are refused.");
        json_object_set_new(env, "additionalProperties", json_pack("{s:s}", "type", "string"));
        json_object_set_new(p, "env", env);
        json_object_set_new(p, "stdin", prop("string", "Text fed to the command's standard input."));
        json_object_set_new(p, "pty", prop("boolean", "Run the command on a terminal (isatty is true: colours, "
                                                      "progress bars, tools that insist on a tty). Its stderr is "
                                                      "then merged into stdout; stdin is typed in, then end-of-file."));
        json_array_append_new(
                tools,
                tool("exec", "Run a shell command",
                     "Run a bash command in the clawjail sandbox (the workspace is writable, the rest of the "
                     "system read-only, credentials hidden, network as the operator's profile allows). The "
                     "command is checked first: it may be refused (deny) or need a person's approval (ask); "
                     "the result says why and what to do. Returns stdout, stderr and the exit code.",
                     p, (const char *[]){ "command", NULL }, false));

        p = json_object();
        json_object_set_new(p, "path", prop("string", "File to read; relative to the workspace."));
        json_object_set_new(p, "offset", prop("integer", "Byte offset to start at (default 0)."));
        json_object_set_new(p, "limit", prop("integer", "Bytes to return at most (default 262144)."));
        json_array_append_new(tools, tool("read", "Read a file",
                                          "Read a file as the sandbox sees it (masked credentials read as "
                                          "empty or refused). Text comes back as is; other bytes as base64.",
                                          p, (const char *[]){ "path", NULL }, true));

        p = json_object();
        json_object_set_new(p, "path", prop("string", "File to create or replace; relative to the workspace."));
        json_object_set_new(p, "content", prop("string", "The whole new content."));
        json_t *enc = prop("string", "Encoding of content: utf-8 (default) or base64.");
        json_object_set_new(enc, "enum", json_pack("[s,s]", "utf-8", "base64"));
        json_object_set_new(p, "encoding", enc);
        json_array_append_new(tools, tool("write", "Write a file",
                                          "Create or atomically replace a file inside a writable root. "
                                          "Protected paths (git hooks and config, agent and IDE settings) "
                                          "are refused.",
                                          p, (const char *[]){ "path", "content", NULL }, false));

        p = json_object();
        json_object_set_new(p, "path", prop("string", "File to edit; relative to the workspace."));
        json_object_set_new(p, "old_text", prop("string", "Text to replace; it must occur exactly once."));
        json_object_set_new(p, "new_text", prop("string", "Replacement text."));
        json_array_append_new(tools, tool("edit", "Edit a file",
                                          "Replace one exact occurrence of old_text with new_text. Fails, "
                                          "saying how many times it occurred, unless old_text occurs once: "
                                          "then include more surrounding lines to make it unique.",
                                          p, (const char *[]){ "path", "old_text", "new_text", NULL }, false));

        p = json_object();
        json_object_set_new(p, "command", prop("string", "The bash command to judge."));
        json_object_set_new(p, "cwd", prop("string", "Working directory it would run in."));
        json_array_append_new(tools, tool("check", "Check a command without running it",
                                          "Say whether exec would allow, ask about or deny a command, with "
                                          "each finding and where in the command it is. Runs nothing.",
                                          p, (const char *[]){ "command", NULL }, true));
        return tools;
}

static const char *str(const json_t *o, const char *key) {
        return json_string_value(json_object_get(o, key));
}

/* Findings as "validator: message" lines. */
static void append_findings(json_t *texts, const json_t *result) {
        const json_t *findings = json_object_get(json_object_get(result, "verdict"), "findings");
        size_t i;
        const json_t *f;
        json_array_foreach (findings, i, f) {
                char line[CJ_MCP_NOTE_MAX];
                snprintf(line, sizeof line, "- %s (%s): %s", str(f, "validator") ? str(f, "validator") : "rule",
                         str(f, "decision") ? str(f, "decision") : "?", str(f, "message") ? str(f, "message") : "");
                json_array_append_new(texts, json_string(line));
        }
}

static void add_text(json_t *content, const char *text) {
        json_array_append_new(content, json_pack("{s:s, s:s}", "type", "text", "text", text));
}

/* Join lines with '\n' into one text item. */
static void add_lines(json_t *content, json_t *lines) {
        size_t total = 1, i;
        json_t *l;
        json_array_foreach (lines, i, l)
                total += json_string_length(l) + 1;
        _cleanup_free_ char *buf = malloc(total);
        if (!buf)
                return;
        size_t n = 0;
        json_array_foreach (lines, i, l) {
                memcpy(buf + n, json_string_value(l), json_string_length(l));
                n += json_string_length(l);
                buf[n++] = '\n';
        }
        buf[n ? n - 1 : 0] = '\0';
        add_text(content, buf);
}

static void exec_text(json_t *content, const json_t *r) {
        const char *out = str(r, "stdout"), *err = str(r, "stderr");
        if (out && *out)
                add_text(content, out);
        if (err && *err) {
                /* A model must tell the streams apart. */
                size_t n = strlen(err) + 16;
                _cleanup_free_ char *buf = malloc(n);
                if (buf) {
                        snprintf(buf, n, "[stderr]\n%s", err);
                        add_text(content, buf);
                }
        }
        char note[CJ_MCP_NOTE_MAX];
        const json_t *sig = json_object_get(r, "signal");
        if (json_is_integer(sig))
                snprintf(note, sizeof note, "[killed by signal %" JSON_INTEGER_FORMAT "%s]", json_integer_value(sig),
                         json_is_true(json_object_get(r, "oom_killed")) ? ": out of memory" : "");
        else
                snprintf(note, sizeof note, "[exit code %" JSON_INTEGER_FORMAT "]",
                         json_integer_value(json_object_get(r, "exit_code")));
        add_text(content, note);
        const json_t *tr = json_object_get(r, "truncated");
        if (tr) {
                snprintf(note, sizeof note,
                         "[output was cut to head and tail; the whole stream is in %s: read it with the read "
                         "tool, a part at a time]",
                         str(tr, "full_output") ? str(tr, "full_output") : "the task's outputs");
                add_text(content, note);
        }
}

static void ok_text(json_t *content, const char *tool, const json_t *r) {
        char note[CJ_MCP_NOTE_MAX];
        if (strcmp(tool, "exec") == 0)
                exec_text(content, r);
        else if (strcmp(tool, "read") == 0) {
                const char *enc = str(r, "encoding");
                if (enc && strcmp(enc, "base64") == 0) {
                        snprintf(note, sizeof note, "[binary content, %" JSON_INTEGER_FORMAT " bytes, base64 below]",
                                 json_integer_value(json_object_get(r, "size")));
                        add_text(content, note);
                }
                add_text(content, str(r, "content") ? str(r, "content") : "");
                if (!json_is_true(json_object_get(r, "eof"))) {
                        snprintf(note, sizeof note,
                                 "[more follows: the file has %" JSON_INTEGER_FORMAT " bytes; read again with a "
                                 "larger offset]",
                                 json_integer_value(json_object_get(r, "size")));
                        add_text(content, note);
                }
        } else {
                snprintf(note, sizeof note, "%s: %" JSON_INTEGER_FORMAT " bytes written", tool,
                         json_integer_value(json_object_get(r, "bytes_written")));
                add_text(content, note);
        }
}

json_t *cj_mcp_tool_result(const char *tool, const json_t *result, const char *task) {
        json_t *content = json_array();
        const char *status = str(result, "status");
        bool is_error = !status || strcmp(status, "ok") != 0;
        _cleanup_json_ json_t *lines = json_array();
        char buf[CJ_MCP_NOTE_MAX * 2];
        const json_t *error = json_object_get(result, "error");
        const char *code = str(error, "code");

        if (!status)
                status = "error";
        if (strcmp(status, "ok") == 0)
                ok_text(content, tool, result);
        else if (strcmp(status, "denied") == 0 && code && strcmp(code, "approval_refused") == 0) {
                const char *req = str(json_object_get(result, "approval"), "request");
                const char *why = str(error, "message");
                snprintf(buf, sizeof buf,
                         "A person refused this call (request %s: %s). It did not run; do not retry it as is. "
                         "Find another way, or ask the user. Findings:",
                         req ? req : "?", why ? why : "refused");
                json_array_append_new(lines, json_string(buf));
                append_findings(lines, result);
                add_lines(content, lines);
        } else if (strcmp(status, "denied") == 0) {
                json_array_append_new(lines, json_string("Refused by clawjail's policy; do not retry it as is:"));
                append_findings(lines, result);
                json_array_append_new(lines, json_string("Find another way that does not need this, or ask the "
                                                         "user to do it."));
                add_lines(content, lines);
        } else if (strcmp(status, "approval_required") == 0) {
                const char *req = str(json_object_get(result, "approval"), "request");
                snprintf(buf, sizeof buf,
                         "This call needs a person's approval (request %s). It did not run. The operator can "
                         "approve it outside this session with: clawjail approve %s %s  -- then retry the "
                         "same call unchanged. Findings:",
                         req ? req : "?", task ? task : "TASK", req ? req : "REQUEST");
                json_array_append_new(lines, json_string(buf));
                append_findings(lines, result);
                add_lines(content, lines);
        } else {
                const char *hint = strcmp(status, "loop_detected") == 0
                                           ? " Stop repeating this call: change the approach, or report what "
                                             "blocks you."
                                   : strcmp(status, "budget_exhausted") == 0
                                           ? " The task's budget is used up; report your progress and stop."
                                   : strcmp(status, "timeout") == 0
                                           ? " The call ran out of time and was killed; make it do less or "
                                             "run it in parts."
                                           : "";
                snprintf(buf, sizeof buf, "%s: %s%s", status,
                         str(error, "message") ? str(error, "message") : (code ? code : status), hint);
                add_text(content, buf);
                if (strcmp(status, "timeout") == 0 && strcmp(tool, "exec") == 0)
                        exec_text(content, result);
        }
        return json_pack("{s:o, s:O, s:b}", "content", content, "structuredContent", result, "isError", is_error);
}
