// SPDX-License-Identifier: MIT
// The OpenClaw sandbox backend: a handle whose exec spec is `clawjail exec`
// and whose filesystem bridge is `clawjail call` (read/write) and validated
// `clawjail exec` one-liners (stat, mkdir, rm, mv, ls), so OpenClaw's read,
// write and edit tools go through the same policy, sandbox view and journal
// as its exec tool.
import path from "node:path";
import * as cj from "./clawjail.js";

export const BACKEND_ID = "clawjail";
const FILE_IDENTITY = Symbol.for("openclaw.sandboxFileIdentity"); // OpenClaw's bridge contract
const READ_MAX = 16 << 20; // clawjail's CJ_READ_LIMIT_MAX

function notFound(p) {
  return Object.assign(new Error(`Sandbox file not found: ${p}`), { code: "ENOENT" });
}

function failure(what, p, result) {
  const e = result?.error;
  const msg = e?.message || result?.stderr || result?.status || "unknown failure";
  return Object.assign(new Error(`clawjail ${what} ${p}: ${msg}`), { code: e?.code, clawjail: result });
}

/** The filesystem bridge OpenClaw's file tools use (see types.d.ts). */
export class ClawjailFsBridge {
  constructor({ cfg, task, workspaceDir, writable }) {
    this.cfg = cfg;
    this.task = task;
    this.root = path.resolve(workspaceDir);
    this.writable = writable;
  }

  get pathMappings() {
    // clawjail binds the workspace at the same path: host and sandbox agree.
    return [{ hostRoot: this.root, containerRoot: this.root }];
  }

  resolveTarget({ filePath, cwd }) {
    const abs = path.resolve(cwd ? path.resolve(this.root, cwd) : this.root, filePath);
    const rel = path.relative(this.root, abs);
    if (rel.startsWith("..") || path.isAbsolute(rel)) {
      throw new Error(`Sandbox path escapes the workspace: ${filePath}`);
    }
    return { containerPath: abs, relativePath: rel };
  }

  resolvePath(params) {
    return this.resolveTarget(params);
  }

  async exec(command, signal) {
    return await cj.call(this.cfg, this.task, { tool: "exec", command, cwd: this.root }, { signal, cwd: this.root });
  }

  async [FILE_IDENTITY](params) {
    const t = this.resolveTarget(params);
    const r = await this.exec(`realpath -m -- ${cj.shq(t.containerPath)}`, params.signal);
    if (r.status !== "ok" || r.exit_code !== 0) throw notFound(t.containerPath);
    return r.stdout.trim();
  }

  async readFileWithSource(params) {
    if (params.maxBytes !== undefined && (!Number.isSafeInteger(params.maxBytes) || params.maxBytes < 0)) {
      throw new RangeError("Sandbox file read limit must be a non-negative safe integer.");
    }
    const t = this.resolveTarget(params);
    const limit = Math.min(params.maxBytes ?? READ_MAX, READ_MAX);
    const r = await cj.call(this.cfg, this.task, { tool: "read", path: t.containerPath, limit: Math.max(limit, 1) },
                            { signal: params.signal, cwd: this.root });
    if (r.status !== "ok") {
      if (r.error?.code === "not_found") throw notFound(t.containerPath);
      throw failure("read", t.containerPath, r);
    }
    let data = Buffer.from(r.content ?? "", r.encoding === "base64" ? "base64" : "utf8");
    if (params.maxBytes === 0) data = Buffer.alloc(0);
    return { data, canonicalPath: t.containerPath, workspaceRelativePath: t.relativePath };
  }

  async readFile(params) {
    return (await this.readFileWithSource(params)).data;
  }

  async writeFile(params) {
    const t = this.resolveTarget(params);
    const buf = Buffer.isBuffer(params.data) ? params.data : Buffer.from(params.data, params.encoding ?? "utf8");
    if (params.mkdir === false) {
      const parent = await this.stat({ filePath: path.dirname(t.containerPath), signal: params.signal });
      if (!parent || parent.type !== "directory") throw notFound(path.dirname(t.containerPath));
    }
    const r = await cj.call(this.cfg, this.task,
                            { tool: "write", path: t.containerPath, content: buf.toString("base64"), encoding: "base64" },
                            { signal: params.signal, cwd: this.root });
    if (r.status !== "ok") throw failure("write", t.containerPath, r);
  }

  async createFileExclusive(params) {
    const t = this.resolveTarget(params);
    if (await this.stat({ filePath: t.containerPath, signal: params.signal })) return "exists";
    await this.writeFile(params);
    return "created";
  }

  async copyFile(params) {
    const from = this.resolveTarget({ filePath: params.sourcePath, cwd: params.cwd });
    const to = this.resolveTarget({ filePath: params.destinationPath, cwd: params.cwd });
    const mk = params.mkdir !== false ? `mkdir -p -- ${cj.shq(path.dirname(to.containerPath))} && ` : "";
    const r = await this.exec(`${mk}cp -- ${cj.shq(from.containerPath)} ${cj.shq(to.containerPath)}`, params.signal);
    if (r.status !== "ok" || r.exit_code !== 0) throw failure("copy", from.containerPath, r);
  }

  async mkdirp(params) {
    const t = this.resolveTarget(params);
    const r = await this.exec(`mkdir -p -- ${cj.shq(t.containerPath)}`, params.signal);
    if (r.status !== "ok" || r.exit_code !== 0) throw failure("mkdir", t.containerPath, r);
  }

  async remove(params) {
    const t = this.resolveTarget(params);
    if (t.relativePath === "") throw new Error("Refusing to remove the workspace root.");
    const flags = [params.recursive ? "-r" : "", params.force !== false ? "-f" : ""].filter(Boolean).join(" ");
    const r = await this.exec(`rm ${flags} -- ${cj.shq(t.containerPath)}`, params.signal);
    if (r.status !== "ok" || r.exit_code !== 0) throw failure("remove", t.containerPath, r);
  }

  async rename(params) {
    const from = this.resolveTarget({ filePath: params.from, cwd: params.cwd });
    const to = this.resolveTarget({ filePath: params.to, cwd: params.cwd });
    const r = await this.exec(`mv -f -- ${cj.shq(from.containerPath)} ${cj.shq(to.containerPath)}`, params.signal);
    if (r.status !== "ok" || r.exit_code !== 0) throw failure("rename", from.containerPath, r);
  }

  async stat(params) {
    const t = this.resolveTarget(params);
    const r = await this.exec(`LC_ALL=C stat -L -c '%F|%s|%Y' -- ${cj.shq(t.containerPath)} 2>/dev/null || echo missing`,
                              params.signal);
    if (r.status !== "ok") throw failure("stat", t.containerPath, r);
    const line = r.stdout.trim();
    if (line === "missing") return null;
    const [kind, size, mtime] = line.split("|");
    return {
      type: kind === "directory" ? "directory" : kind === "regular file" || kind === "regular empty file" ? "file" : "other",
      size: Number(size) || 0,
      mtimeMs: (Number(mtime) || 0) * 1000,
    };
  }

  async readDirectory(params) {
    const t = this.resolveTarget(params);
    const script = `cd -- ${cj.shq(t.containerPath)} && for f in .* *; do [ "$f" = . ] || [ "$f" = .. ] || ` +
                   `{ [ -e "$f" ] || [ -L "$f" ]; } || continue; if [ -d "$f" ]; then printf 'd %s\\0' "$f"; ` +
                   `else printf 'f %s\\0' "$f"; fi; done`;
    const r = await this.exec(script, params.signal);
    if (r.status !== "ok" || r.exit_code !== 0) throw failure("list", t.containerPath, r);
    return r.stdout.split("\0").filter(Boolean).map((e) => ({ name: e.slice(2), isDirectory: e[0] === "d" }));
  }
}

/** Sessions the backend has a sandbox for: session key -> {task, workspaceDir}. */
export const sessions = new Map();

/** The backend handle for one OpenClaw sandbox scope (see types.d.ts). */
export function createHandle(cfg, params) {
  const workspaceDir = path.resolve(params.workspaceDir);
  const task = cj.taskForSession(cfg, params.scopeKey || params.sessionKey);
  for (const key of [params.sessionKey, params.scopeKey]) if (key) sessions.set(key, { task, workspaceDir });
  const executions = [];
  const handle = {
    id: BACKEND_ID,
    runtimeId: params.runtimeId || task,
    runtimeLabel: `clawjail task ${task}`,
    workdir: workspaceDir,
    env: params.cfg?.docker?.env,
    configLabel: cfg.profile,
    configLabelKind: "Profile",
    capabilities: { browser: false },
    clawjailTask: task,

    async buildExecSpec({ command, workdir, usePty }) {
      const argv = [cfg.binary, "exec", ...cj.commonArgs(cfg, task), "--cwd", workdir || workspaceDir];
      // A PTY request: the command gets a terminal of the sandbox's own
      // (isatty is true, stderr merged into stdout); stdin stays open and is
      // typed into it, and its EOF reaches the command as ^D.
      if (usePty) argv.push("--pty");
      argv.push("-c", command);
      return {
        argv,
        env: cj.launcherEnv(cfg),
        cwd: workspaceDir,
        stdinMode: usePty ? "pipe-open" : "pipe-closed",
        finalizeToken: { command, startedAt: Date.now() },
      };
    },

    async finalizeExec({ token, status, exitCode, timedOut }) {
      if (!token || typeof token !== "object") return;
      executions.push({ command: token.command, status, exitCode, timedOut, ms: Date.now() - token.startedAt });
      if (executions.length > 100) executions.shift();
    },

    async runShellCommand(params) {
      const command = typeof params === "string" ? params : params.script ?? params.command;
      const args = (params?.args ?? []).map(cj.shq).join(" ");
      const res = await cj.call(cfg, task, { tool: "exec", command: args ? `set -- ${args}\n${command}` : command,
                                             cwd: workspaceDir, ...(params?.stdin ? { stdin: String(params.stdin) } : {}) },
                           { cwd: workspaceDir });
      const code = res.status === "ok" ? res.exit_code : 125;
      if (code !== 0 && !params?.allowFailure) throw failure("exec", command, res);
      return { code, stdout: Buffer.from(res.stdout ?? ""), stderr: Buffer.from(res.stderr ?? res.error?.message ?? "") };
    },

    createFsBridge({ sandbox }) {
      return new ClawjailFsBridge({ cfg, task, workspaceDir: sandbox?.workspaceDir ?? workspaceDir,
                                    writable: (sandbox?.workspaceAccess ?? "rw") === "rw" });
    },

    recentExecutions: () => executions.slice(),
  };
  return handle;
}

/** Lifecycle hooks OpenClaw's sandbox list/remove commands call. */
export function createManager(cfg) {
  return {
    async describeRuntime({ entry }) {
      const task = entry?.containerName;
      const r = await cj.run(cfg, ["task", "status", "--json", ...(cfg.stateDir ? ["--state-dir", cfg.stateDir] : []),
                                   task]);
      if (r.code !== 0) return { running: false, actualConfigLabel: cfg.profile, configLabelMatch: true };
      const status = JSON.parse(r.stdout.toString("utf8"));
      return { running: status.state === "active", actualConfigLabel: cfg.profile, configLabelMatch: true,
               clawjail: status };
    },
    async removeRuntime({ entry }) {
      const task = entry?.containerName;
      await cj.run(cfg, ["task", "stop", ...(cfg.stateDir ? ["--state-dir", cfg.stateDir] : []), task,
                         "--reason", "removed from OpenClaw"]);
    },
  };
}
