// SPDX-License-Identifier: MIT
// Running the clawjail binary: the operator's options, one place.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";

const TASK_ID_MAX = 128; // clawjail's CJ_TASK_ID_MAX
const OUTPUT_MAX = 64 << 20; // bytes we keep of one helper call's stdout

/** Resolved plugin configuration (see openclaw.plugin.json). */
export function resolveConfig(pluginConfig = {}) {
  return {
    binary: pluginConfig.binary || process.env.CLAWJAIL || "clawjail",
    profile: pluginConfig.profile || "default",
    stateDir: pluginConfig.stateDir || process.env.CLAWJAIL_STATE_DIR || undefined,
    taskPrefix: pluginConfig.taskPrefix || "openclaw",
    approvals: pluginConfig.approvals !== false,
  };
}

/**
 * The clawjail task of an OpenClaw session: budgets, loop governance and the
 * journal are per session.  Task ids allow [A-Za-z0-9._-]; anything else in
 * the session key becomes '-', and a short hash keeps distinct keys distinct.
 */
export function taskForSession(cfg, sessionKey) {
  const key = String(sessionKey || "default");
  const safe = key.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+/, "").slice(0, 80);
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 8);
  return `${cfg.taskPrefix}-${safe || "session"}-${hash}`.slice(0, TASK_ID_MAX);
}

/** The options every call carries: profile, state dir, task. */
export function commonArgs(cfg, task) {
  const a = ["--profile", cfg.profile];
  if (cfg.stateDir) a.push("--state-dir", cfg.stateDir);
  if (task) a.push("--task", task);
  return a;
}

/** The environment the clawjail process itself gets (the sandbox scrubs its own). */
export function launcherEnv(cfg) {
  const env = {};
  for (const k of ["PATH", "HOME", "LANG", "LC_ALL", "USER", "LOGNAME", "XDG_STATE_HOME", "CLAWJAIL_PROFILE_PATH",
                   "CLAWJAIL_SECCOMP_PATH"]) {
    if (process.env[k] !== undefined) env[k] = process.env[k];
  }
  if (cfg.stateDir) env.CLAWJAIL_STATE_DIR = cfg.stateDir;
  return env;
}

/** Run clawjail with args; resolves {code, stdout: Buffer, stderr: string}. */
export function run(cfg, args, { input, cwd, signal } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(cfg.binary, args, { cwd, env: launcherEnv(cfg), stdio: ["pipe", "pipe", "pipe"], signal });
    const out = [];
    let outLen = 0;
    let err = "";
    p.stdout.on("data", (d) => {
      if (outLen < OUTPUT_MAX) out.push(d);
      outLen += d.length;
    });
    p.stderr.on("data", (d) => { err += d; });
    p.on("error", reject);
    p.on("close", (code, sig) => resolve({ code: code ?? 128, signal: sig, stdout: Buffer.concat(out), stderr: err }));
    p.stdin.on("error", () => {}); // a call that exits before reading its input
    p.stdin.end(input ?? "");
  });
}

/** One JSON tool call through `clawjail call`; resolves the result object. */
export async function call(cfg, task, request, { cwd, signal } = {}) {
  const r = await run(cfg, ["call", ...commonArgs(cfg, task)], { input: JSON.stringify(request), cwd, signal });
  try {
    return JSON.parse(r.stdout.toString("utf8"));
  } catch {
    throw new Error(`clawjail call failed (exit ${r.code}): ${r.stderr.trim() || "no result"}`);
  }
}

/** The verdict `clawjail check` gives a command (nothing runs). */
export async function check(cfg, task, command, { workspaceDir, cwd } = {}) {
  // With the task, clawjail judges exactly the call exec will make and turns
  // an ask into the task's pending request, which an approval can then name.
  const args = ["check", "--json", "--profile", cfg.profile, ...(task ? ["--task", task] : []),
                ...(task && cfg.stateDir ? ["--state-dir", cfg.stateDir] : []), ...(cwd ? ["--cwd", cwd] : []),
                "-c", command];
  const r = await run(cfg, args, { cwd: workspaceDir });
  try {
    return JSON.parse(r.stdout.toString("utf8"));
  } catch {
    throw new Error(`clawjail check failed (exit ${r.code}): ${r.stderr.trim()}`);
  }
}

/** Single-quote a word for bash. */
export function shq(s) {
  return `'${String(s).replaceAll("'", `'\\''`)}'`;
}
