// `saker run` as a child process, for the end-to-end tests: a fixed environment, its JSON alerts and
// stderr collected as they come, and the k8s audit helpers (a falco.yaml loading the k8saudit plugin,
// corpus events as an EventList, a POST).
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { corpusPath, repoRoot } from "./paths.js";

export const MAIN = resolve(repoRoot, "dist/src/cli/main.js");

export interface JsonAlert {
  readonly rule: string;
  readonly priority: string;
  readonly source: string;
  readonly output: string;
  readonly output_fields: Record<string, unknown>;
}

/** A small, fixed environment: the test must not depend on what it inherited. */
/** Run a bash script with the fixed environment (asynchronously: agents keep running meanwhile). */
export function bash(script: string): Promise<number | null> {
  return new Promise((res) => {
    const c = spawn("/bin/bash", ["-c", script], { stdio: "ignore", env: childEnv() });
    c.on("exit", (code) => res(code));
  });
}

export function childEnv(): NodeJS.ProcessEnv {
  return { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C", TZ: "UTC" };
}

export function runSync(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, "run", ...args], {
    encoding: "utf8",
    env: childEnv(),
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function jsonAlerts(stdout: string): JsonAlert[] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as JsonAlert);
}

/** The temporary directory, readable by the unprivileged user the engine may become (reloads read it). */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "saker-run-"));
  chmodSync(dir, 0o755);
  return dir;
}

/** A falco.yaml loading the k8saudit and json plugins as Falco's docs show, with extra top-level keys. */
export function writeConfig(dir: string, openParams: string, extra: string): string {
  const file = join(dir, "falco.yaml");
  writeFileSync(
    file,
    `${extra}
stdout_output:
  enabled: true
json_output: true
log_stderr: true
log_level: info
plugins:
  - name: k8saudit
    library_path: libk8saudit.so
    init_config:
      maxEventSize: 262144
      webhookMaxBatchSize: 1048576
    open_params: "${openParams}"
  - name: json
    library_path: libjson.so
    init_config: ""
load_plugins: [k8saudit, json]
`,
  );
  chmodSync(file, 0o644);
  return file;
}

/** The audit events of a corpus file (JSON Lines) as one EventList, as kube-apiserver's webhook posts them. */
export function eventList(name: string): string {
  const items = readFileSync(corpusPath("k8saudit", name), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as unknown);
  return JSON.stringify({ kind: "EventList", apiVersion: "audit.k8s.io/v1", metadata: {}, items });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** `saker run` as a child, its JSON alerts and stderr collected as they come. */
export class AgentChild {
  readonly alerts: JsonAlert[] = [];
  stdout = "";
  stderr = "";
  private readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;

  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, [MAIN, "run", ...args], { env: childEnv() });
    this.child.stdout.setEncoding("utf8");
    let buf = "";
    this.child.stdout.on("data", (d: string) => {
      this.stdout += d;
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith("{")) this.alerts.push(JSON.parse(line) as JsonAlert);
      }
    });
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (d: string) => (this.stderr += d));
    this.exited = new Promise((r) => this.child.on("exit", (code) => r(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Wait for stderr to match; the match's first group (or the whole match). */
  async waitStderr(re: RegExp, ms = 30_000): Promise<string> {
    const until = Date.now() + ms;
    for (;;) {
      const m = re.exec(this.stderr);
      if (m !== null) return m[1] ?? m[0];
      if (Date.now() > until || !this.running) throw new Error(`no ${re} on stderr:\n${this.stderr}`);
      await sleep(20);
    }
  }

  async waitAlert(pred: (a: JsonAlert) => boolean, ms = 5000): Promise<JsonAlert | undefined> {
    const until = Date.now() + ms;
    for (;;) {
      const a = this.alerts.find(pred);
      if (a !== undefined || Date.now() > until) return a;
      await sleep(20);
    }
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running) this.child.kill(sig);
  }

  async stop(): Promise<number | null> {
    this.signal("SIGTERM");
    const timer = setTimeout(() => this.signal("SIGKILL"), 15_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

export async function post(url: string, body: string): Promise<number> {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  await r.arrayBuffer();
  return r.status;
}
