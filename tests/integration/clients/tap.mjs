// SPDX-License-Identifier: MIT
// A few TAP helpers for the Node tests (the suite counts "ok"/"not ok" lines).
import { spawnSync } from "node:child_process";

let n = 0;
let failed = 0;

export function ok(cond, name, diag) {
  n++;
  if (cond) console.log(`ok ${n} - ${name}`);
  else {
    failed++;
    console.log(`not ok ${n} - ${name}`);
    if (diag !== undefined) note(typeof diag === "string" ? diag : JSON.stringify(diag, null, 1));
  }
  return !!cond;
}

// A known gap, reported as TAP TODO (counted apart, never as a pass).
export function todo(cond, name, why) {
  n++;
  console.log(`${cond ? "ok" : "not ok"} ${n} - ${name} # TODO ${why}`);
}

export function skip(name, why) {
  n++;
  console.log(`ok ${n} - ${name} # SKIP ${why}`);
}

export function note(text) {
  for (const line of String(text).split("\n")) console.log(`# ${line}`);
}

export function done() {
  console.log(`1..${n}`);
  process.exit(failed ? 1 : 0);
}

// Run clawjail (CLI, not the server) synchronously: {status, stdout, stderr}.
export function clawjail(args, opts = {}) {
  const r = spawnSync(process.env.CLAWJAIL, args, { encoding: "utf8", ...opts });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Every text part of a CallToolResult, joined.
export function text(result) {
  return (result.content || []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
}
