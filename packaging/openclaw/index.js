// SPDX-License-Identifier: MIT
// OpenClaw plugin: the `clawjail` sandbox backend, and a before_tool_call
// hook that puts clawjail's verdict in front of OpenClaw's approval UI.
import { definePluginEntry } from "openclaw/plugin-sdk/plugin-entry";
import { registerSandboxBackend } from "openclaw/plugin-sdk/sandbox";
import { BACKEND_ID, createHandle, createManager, sessions } from "./lib/backend.js";
import * as cj from "./lib/clawjail.js";

/** What the before_tool_call hook answers for an exec under clawjail's verdict. */
export async function execPolicy(cfg, { command, cwd, sessionKey }) {
  const session = sessions.get(sessionKey);
  const task = session?.task ?? cj.taskForSession(cfg, sessionKey);
  const workspaceDir = session?.workspaceDir;
  const v = await cj.check(cfg, session ? task : undefined, command, { workspaceDir, cwd: cwd || workspaceDir });
  const verdict = v.verdict ?? v;
  const findings = (verdict.findings || []).map((f) => `- ${f.validator}: ${f.message}`).join("\n");
  if (verdict.decision === "deny" || v.status === "denied") {
    return { block: true, blockReason: `clawjail refuses this command:\n${findings}` };
  }
  if (verdict.decision !== "ask" || v.dry_run || !cfg.approvals) return undefined; // allowed, or approved already
  const request = v.approval?.request;
  const base = cfg.stateDir ? ["--state-dir", cfg.stateDir] : [];
  return {
    requireApproval: {
      title: "clawjail: approve this command?",
      description: `${command}\n\n${findings}${request ? `\n\nclawjail request ${request} (task ${task})` : ""}`,
      severity: "warning",
      allowedDecisions: ["allow-once", "deny"],
      onResolution: async (decision) => {
        // The person's decision in OpenClaw becomes clawjail's operator
        // decision, journaled; the exec that follows then runs (or not).
        if (!request) return;
        if (decision === "allow-once") await cj.run(cfg, ["approve", task, request, "--once", ...base]);
        else if (decision === "deny") {
          await cj.run(cfg, ["deny", task, request, "--reason", "denied in OpenClaw", ...base]);
        }
      },
    },
  };
}

export default definePluginEntry({
  id: "clawjail",
  name: "clawjail sandbox",
  description: "Runs every exec, read, write and edit of a sandboxed agent through clawjail",
  register(api) {
    const cfg = cj.resolveConfig(api.pluginConfig);
    const unregister = registerSandboxBackend(BACKEND_ID, {
      factory: async (params) => createHandle(cfg, params),
      manager: createManager(cfg),
      resolveWorkdir: ({ workspaceDir }) => workspaceDir,
    });
    api.on(
      "before_tool_call",
      async (event, ctx) => {
        const command = event?.params?.command;
        if (typeof command !== "string") return undefined;
        const cwd = event.params.workdir || event.params.cwd || ctx?.workspaceDir;
        return await execPolicy(cfg, { command, cwd, sessionKey: ctx?.sessionKey });
      },
      { matcher: ["exec"], priority: 60 },
    );
    api.lifecycle?.registerRuntimeLifecycle?.({
      id: "clawjail-sandbox-backend",
      cleanup: ({ reason, sessionKey, runId }) => {
        if (sessionKey === undefined && runId === undefined && (reason === "disable" || reason === "restart")) unregister();
      },
    });
  },
});
