// SPDX-License-Identifier: MIT
// The few OpenClaw types this plugin relies on.  openclaw 2026.9.x exports
// `openclaw/plugin-sdk/sandbox` as JavaScript without declarations; these
// mirror what its sandbox core passes and expects (checked against 2026.9.6
// by tests/integration/clients/openclaw.test.mjs).  If OpenClaw renames a
// field, the test fails there first.

/** What OpenClaw passes a backend factory for one sandbox scope. */
export interface SandboxBackendParams {
  sessionKey?: string;
  scopeKey: string;
  workspaceDir: string;
  agentWorkspaceDir?: string;
  runtimeId?: string;
  cfg: { backend: string; workspaceAccess?: "none" | "ro" | "rw"; docker?: { env?: Record<string, string> } };
}

/** What buildExecSpec returns: the process OpenClaw's supervisor spawns. */
export interface SandboxBackendExecSpec {
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  stdinMode: "pipe-open" | "pipe-closed";
  finalizeToken?: unknown;
}

/** The handle a factory resolves to. */
export interface SandboxBackendHandle {
  id: string;
  runtimeId: string;
  runtimeLabel: string;
  workdir: string;
  configLabel?: string;
  configLabelKind?: string;
  capabilities?: { browser?: boolean };
  buildExecSpec(p: { command: string; workdir?: string; env?: Record<string, string>; usePty?: boolean }): Promise<SandboxBackendExecSpec>;
  finalizeExec?(p: { token?: unknown; status?: string; exitCode?: number | null; timedOut?: boolean }): Promise<void>;
  runShellCommand?(p: { script: string; args?: string[]; stdin?: string; allowFailure?: boolean }): Promise<{ code: number; stdout: Buffer; stderr: Buffer }>;
  createFsBridge?(p: { sandbox: { workspaceDir: string; workspaceAccess?: string } }): unknown;
}

/** OpenClaw's sandbox list / remove commands. */
export interface SandboxBackendManager {
  describeRuntime(p: { entry: { containerName: string } }): Promise<{ running: boolean; actualConfigLabel?: string; configLabelMatch: boolean }>;
  removeRuntime(p: { entry: { containerName: string } }): Promise<void>;
}

/** The registration passed to registerSandboxBackend(id, registration). */
export interface SandboxBackendRegistration {
  factory(params: SandboxBackendParams): Promise<SandboxBackendHandle>;
  manager?: SandboxBackendManager;
  resolveWorkdir?(p: { workspaceDir: string }): string | undefined;
}
