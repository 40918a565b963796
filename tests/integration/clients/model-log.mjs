// SPDX-License-Identifier: MIT
// model-log.mjs LOG OUTDIR: what a harness sent the scripted model
// (model-server.mjs's LOG), unpacked for a shell test.  Writes
//   OUTDIR/requests   the number of model requests (Responses or Messages API)
//   OUTDIR/tools      the tools the harness offered the model in any request,
//                     one a line: a Responses API namespace's tools as NS/NAME,
//                     a Messages API tool loaded on demand as "NAME (deferred)"
//   OUTDIR/result.N   the text of the tool result the harness posted back for
//                     the model's call N (call_N / toolu_N; for the Gemini API,
//                     the Nth functionResponse), as the model reads it;
//                     OUTDIR/result.N.error holds "true" when the harness
//                     flagged it as an error (Messages API is_error, Gemini
//                     API response.error)
import { readFileSync, writeFileSync } from "node:fs";

const [logFile, outDir] = process.argv.slice(2);
if (!logFile || !outDir) {
  console.error("usage: model-log.mjs LOG OUTDIR");
  process.exit(2);
}
const reqs = readFileSync(logFile, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l))
  .filter((r) => r.method === "POST" && /(\/responses|\/messages|:streamGenerateContent|:generateContent)$/.test(r.path) && r.body);

// A tool result's content: a string, or parts with text.
function text(content) {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return JSON.stringify(content);
  return content.map((p) => (typeof p === "string" ? p : p.text ?? JSON.stringify(p))).join("\n");
}

const tools = new Set();
const results = new Map();
for (const { body } of reqs) {
  for (const t of Array.isArray(body.tools) ? body.tools : []) {
    if (t.type === "namespace" && Array.isArray(t.tools)) for (const s of t.tools) tools.add(`${t.name}/${s.name}`);
    else if (Array.isArray(t.functionDeclarations)) for (const d of t.functionDeclarations) tools.add(d.name);
    else if (t.name) tools.add(t.defer_loading ? `${t.name} (deferred)` : t.name);
  }
  for (const item of Array.isArray(body.input) ? body.input : [])
    if (item && item.type === "function_call_output" && /^call_\d+$/.test(item.call_id))
      results.set(Number(item.call_id.slice(5)), { text: text(item.output), error: false });
  for (const m of Array.isArray(body.messages) ? body.messages : [])
    if (m.role === "user" && Array.isArray(m.content))
      for (const c of m.content)
        if (c.type === "tool_result" && /^toolu_\d+$/.test(c.tool_use_id))
          results.set(Number(c.tool_use_id.slice(6)), { text: text(c.content), error: c.is_error === true });
  let n = 0;
  for (const c of Array.isArray(body.contents) ? body.contents : [])
    for (const p of Array.isArray(c.parts) ? c.parts : [])
      if (p && p.functionResponse) {
        const r = p.functionResponse.response || {};
        results.set(n++, { text: text(r.output ?? r.error ?? r), error: r.error !== undefined });
      }
}
writeFileSync(`${outDir}/requests`, `${reqs.length}\n`);
writeFileSync(`${outDir}/tools`, [...tools].map((t) => t + "\n").join(""));
for (const [n, r] of results) {
  writeFileSync(`${outDir}/result.${n}`, r.text);
  writeFileSync(`${outDir}/result.${n}.error`, String(r.error));
}
