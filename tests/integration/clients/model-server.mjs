// SPDX-License-Identifier: MIT
// model-server.mjs PORT_FILE LOG_FILE: a scripted model on 127.0.0.1, the
// test fixture that lets a real agent harness run offline.  It speaks the
// wire formats the harnesses use (OpenAI's Responses API with SSE for Codex,
// Anthropic's Messages API with SSE for Claude Code, the Gemini API's
// streamGenerateContent for Gemini CLI) and follows one script:
// each step asks the harness to call one tool, and once the harness has posted
// back as many tool results as there are steps, the model ends the turn.  The
// step is the number of tool results in the request, so the script needs no
// state.  Where Claude Code defers the tool (its tool search), the model
// first loads it with ToolSearch, as a real model does.  Every request is appended to LOG_FILE as one JSON line
// {method, path, body}: the test asserts on what the harness sent back.
//
// The script: CJ_MODEL_TOOL_CODEX (inside the namespace
// CJ_MODEL_NAMESPACE_CODEX), CJ_MODEL_TOOL_CLAUDE and CJ_MODEL_TOOL_GEMINI
// name the tool as each harness shows it to the model, CJ_MODEL_CALLS is a
// JSON array of the tool's arguments, one per step.
import { createServer } from "node:http";
import { appendFileSync, writeFileSync } from "node:fs";

const [portFile, logFile] = process.argv.slice(2);
if (!portFile || !logFile) {
  console.error("usage: model-server.mjs PORT_FILE LOG_FILE");
  process.exit(2);
}
const calls = JSON.parse(process.env.CJ_MODEL_CALLS || "[]");
const toolCodex = process.env.CJ_MODEL_TOOL_CODEX || "";
const nsCodex = process.env.CJ_MODEL_NAMESPACE_CODEX || undefined;
const toolClaude = process.env.CJ_MODEL_TOOL_CLAUDE || "";
const toolGemini = process.env.CJ_MODEL_TOOL_GEMINI || "";
const BODY_MAX = 32 << 20; // a request body larger than this is refused (413)
const FINAL_TEXT = "clawjail-e2e: done";

function sseWrite(res, events) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  for (const ev of events) res.write(`event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`);
  res.end();
}

// ---- OpenAI Responses API (Codex): POST .../responses, stream: true ----
function responses(body, res) {
  const input = Array.isArray(body.input) ? body.input : [];
  const step = input.filter((i) => i && i.type === "function_call_output").length;
  const id = `resp_${step}_${Date.now()}`;
  const events = [{ type: "response.created", response: { id } }];
  if (step < calls.length) {
    events.push({
      type: "response.output_item.done",
      item: { type: "function_call", call_id: `call_${step}`, namespace: nsCodex, name: toolCodex, arguments: JSON.stringify(calls[step]) },
    });
  } else {
    events.push({
      type: "response.output_item.done",
      item: { type: "message", role: "assistant", id: `msg_${step}`, content: [{ type: "output_text", text: FINAL_TEXT }] },
    });
  }
  events.push({
    type: "response.completed",
    response: { id, usage: { input_tokens: 1, input_tokens_details: null, output_tokens: 1, output_tokens_details: null, total_tokens: 2 } },
  });
  sseWrite(res, events);
}

// ---- Anthropic Messages API (Claude Code): POST .../messages ----
function messages(body, res) {
  const msgs = Array.isArray(body.messages) ? body.messages : [];
  let step = 0;
  for (const m of msgs)
    if (m.role === "user" && Array.isArray(m.content))
      step += m.content.filter((c) => c.type === "tool_result" && /^toolu_\d+$/.test(c.tool_use_id)).length;
  // Claude Code defers MCP tools: the model loads one with ToolSearch first,
  // whose result is a tool_reference to it; then it can be called.
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const loaded = JSON.stringify(msgs).includes(`"tool_reference","tool_name":${JSON.stringify(toolClaude)}`);
  const offered = tools.some((t) => t.name === toolClaude && (!t.defer_loading || loaded));
  const search = !offered && !loaded && tools.some((t) => t.name === "ToolSearch");
  const id = `msg_${step}_${Date.now()}`;
  const model = body.model || "scripted";
  const usage = { input_tokens: 1, output_tokens: 1 };
  // Side requests (titles, summaries) do not offer the tool: plain text.
  const block =
    step >= calls.length
      ? { type: "text", text: FINAL_TEXT }
      : offered
        ? { type: "tool_use", id: `toolu_${step}`, name: toolClaude, input: calls[step] }
        : search
          ? { type: "tool_use", id: `toolu_search_${step}`, name: "ToolSearch", input: { query: `select:${toolClaude}` } }
          : { type: "text", text: FINAL_TEXT };
  const stop = block.type === "tool_use" ? "tool_use" : "end_turn";
  if (!body.stream) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ id, type: "message", role: "assistant", model, content: [block], stop_reason: stop, stop_sequence: null, usage }));
    return;
  }
  const start = block.type === "tool_use" ? { ...block, input: {} } : { type: "text", text: "" };
  const delta =
    block.type === "tool_use"
      ? { type: "input_json_delta", partial_json: JSON.stringify(block.input) }
      : { type: "text_delta", text: block.text };
  sseWrite(res, [
    { type: "message_start", message: { id, type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage } },
    { type: "content_block_start", index: 0, content_block: start },
    { type: "content_block_delta", index: 0, delta },
    { type: "content_block_stop", index: 0 },
    { type: "message_delta", delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 1 } },
    { type: "message_stop" },
  ]);
}

// ---- Gemini API (Gemini CLI): POST .../models/M:streamGenerateContent?alt=sse, :generateContent ----
function gemini(body, stream, res) {
  const contents = Array.isArray(body.contents) ? body.contents : [];
  let step = 0;
  for (const c of contents)
    if (Array.isArray(c.parts)) step += c.parts.filter((p) => p && p.functionResponse).length;
  const decls = (Array.isArray(body.tools) ? body.tools : []).flatMap((t) => t.functionDeclarations || []);
  const offered = decls.some((d) => d.name === toolGemini);
  const part =
    offered && step < calls.length ? { functionCall: { name: toolGemini, args: calls[step] } } : { text: FINAL_TEXT };
  const reply = {
    candidates: [{ content: { role: "model", parts: [part] }, finishReason: "STOP", index: 0 }],
    usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 },
  };
  if (!stream) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(reply));
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.end(`data: ${JSON.stringify(reply)}\r\n\r\n`);
}

const server = createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on("data", (c) => {
    size += c.length;
    if (size <= BODY_MAX) chunks.push(c);
  });
  req.on("end", () => {
    const path = req.url.split("?")[0];
    let body = null;
    const raw = Buffer.concat(chunks).toString("utf8");
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = { unparsed: raw.slice(0, 4096) };
    }
    appendFileSync(logFile, JSON.stringify({ method: req.method, path, body }) + "\n");
    if (size > BODY_MAX) {
      res.writeHead(413).end();
    } else if (req.method === "POST" && path.endsWith("/responses")) {
      responses(body || {}, res);
    } else if (req.method === "POST" && /:(stream)?[gG]enerateContent$/.test(path)) {
      gemini(body || {}, path.endsWith(":streamGenerateContent"), res);
    } else if (req.method === "POST" && path.endsWith(":countTokens")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ totalTokens: 1 }));
    } else if (req.method === "POST" && path.endsWith("/messages/count_tokens")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ input_tokens: 1 }));
    } else if (req.method === "POST" && path.endsWith("/messages")) {
      messages(body || {}, res);
    } else {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { type: "not_found", message: `scripted model: no ${req.method} ${path}` } }));
    }
  });
});
server.listen(0, "127.0.0.1", () => {
  writeFileSync(portFile, String(server.address().port));
});
