// End to end: `saker run` as a service, the real command as a child process, no probe needed
// (engine.kind=nodriver; alerts come from audit events posted to the k8saudit webhook):
//   - the webserver: /healthz, /versions, /metrics with the rule counters moving;
//   - file_output, rotated with SIGUSR1 mid-run: no line lost, the new file takes over;
//   - watch_config_files: editing the rules file swaps the rules without a restart (same pid, webhook
//     still serving), and a broken edit keeps the running rules;
//   - the metrics snapshot in metrics.output_file;
//   - --support and --dry-run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { requireCorpus } from "../support/paths.js";
import {
  AgentChild,
  MAIN,
  childEnv,
  eventList,
  post,
  sleep,
  tempDir,
  writeConfig,
} from "../support/run-child.js";

const WEBHOOK_URL = /k8s_audit: webhook listening on (http:\/\/\S+)/;

function rule(name: string, output: string): string {
  return `- rule: ${name}
  desc: a privileged pod (service test rule)
  condition: ka.verb = create and ka.target.resource = pods and ka.req.pod.containers.privileged intersects (true)
  output: "${output} %ka.resp.name"
  priority: WARNING
  source: k8s_audit
`;
}

/** A free TCP port on loopback (the webserver's listen_port must be known before it starts). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const lines = (path: string): string[] =>
  existsSync(path)
    ? readFileSync(path, "utf8")
        .split("\n")
        .filter((l) => l !== "")
    : [];

/** The value of a Prometheus sample whose line starts with `prefix` (undefined when absent). */
function sample(text: string, prefix: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

test("saker run as a service: webserver, metrics, file output rotation, watched rules", async () => {
  requireCorpus();
  const dir = tempDir();
  chmodSync(dir, 0o777); // the engine may run as nobody: it writes the output files here
  const rules = join(dir, "rules.yaml");
  writeFileSync(rules, rule("Service Test Pod", "first ruleset"));
  chmodSync(rules, 0o644);
  const alertsFile = join(dir, "alerts.json");
  const metricsFile = join(dir, "metrics.jsonl");
  const port = await freePort();
  const conf = writeConfig(
    dir,
    "http://127.0.0.1:0/k8s-audit",
    `engine:
  kind: nodriver
watch_config_files: true
rules_files:
  - ${rules}
file_output:
  enabled: true
  keep_alive: true
  filename: ${alertsFile}
webserver:
  enabled: true
  listen_port: ${port}
  listen_address: 127.0.0.1
  prometheus_metrics_enabled: true
metrics:
  enabled: true
  interval: 1s
  output_rule: false
  output_file: ${metricsFile}
  rules_counters_enabled: true
`,
  );
  const body = eventList("create_nginx_pod_privileged.json");
  const agent = new AgentChild(["-c", conf]);
  const base = `http://127.0.0.1:${port}`;
  try {
    const url = await agent.waitStderr(WEBHOOK_URL);
    await agent.waitStderr(/Saker is watching the system/);

    // the webserver
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), '{"status": "ok"}');
    const versions = (await (await fetch(`${base}/versions`)).json()) as Record<string, string>;
    assert.equal(versions.engine, "saker");
    assert.match(versions.engine_version_semver ?? "", /^\d+\.\d+\.\d+$/);
    const matches = async (): Promise<number | undefined> =>
      sample(
        await (await fetch(`${base}/metrics`)).text(),
        'falcosecurity_falco_rules_matches_total{priority="4",rule_name="Service Test Pod"',
      );
    assert.equal(
      (await fetch(`${base}/metrics`)).headers.get("content-type")?.startsWith("text/plain"),
      true,
    );

    // an alert to the file, counted by /metrics
    assert.equal(await post(url, body), 200);
    await waitFor(() => lines(alertsFile).length === 1, "the first alert in the file");
    const first = JSON.parse(lines(alertsFile)[0]!) as { rule: string; source: string; output: string };
    assert.equal(first.rule, "Service Test Pod");
    assert.equal(first.source, "k8s_audit");
    assert.match(first.output, /first ruleset nginx-deployment/);
    assert.equal(await matches(), 1);

    // rotation: rename, SIGUSR1, the next alert goes to a new file; nothing lost
    renameSync(alertsFile, alertsFile + ".1");
    agent.signal("SIGUSR1");
    await agent.waitStderr(/SIGUSR1 received, reopening outputs/);
    assert.equal(await post(url, body), 200);
    await waitFor(() => lines(alertsFile).length === 1, "the alert in the reopened file");
    assert.equal(lines(alertsFile + ".1").length, 1, "the rotated file kept its line, and got no more");

    // watch_config_files: a broken edit keeps the running rules...
    writeFileSync(rules, "- rule: Broken\n  condition: ka.verb =\n");
    await agent.waitStderr(/Rules reload failed, keeping the current rules/);
    assert.equal(await post(url, body), 200);
    await waitFor(() => lines(alertsFile).length === 2, "an alert from the kept rules");
    assert.match(lines(alertsFile)[1]!, /first ruleset/);
    // ...a good edit swaps them, in the same process
    writeFileSync(rules, rule("Service Test Pod Edited", "second ruleset"));
    await agent.waitStderr(/Rules reloaded: 0 syscall, 1 k8s_audit rules enabled/);
    assert.equal(await post(url, body), 200);
    await waitFor(() => lines(alertsFile).length === 3, "an alert from the edited rules");
    const third = JSON.parse(lines(alertsFile)[2]!) as { rule: string; output: string };
    assert.equal(third.rule, "Service Test Pod Edited");
    assert.match(third.output, /second ruleset/);
    assert.ok(agent.running, "never restarted");

    // the metrics snapshot file
    await waitFor(() => lines(metricsFile).length >= 1, "a metrics snapshot line", 5000);
    const snap = JSON.parse(lines(metricsFile)[0]!) as Record<string, unknown>;
    assert.ok(JSON.stringify(snap).includes("falco.outputs_queue_num_drops"), JSON.stringify(snap));
  } finally {
    const code = await agent.stop();
    rmSync(dir, { recursive: true, force: true });
    assert.equal(code, 0, agent.stderr);
  }
});

test("--support prints one JSON bundle with the rules files and their digests; --dry-run starts nothing", () => {
  const dir = tempDir();
  try {
    const rules = join(dir, "rules.yaml");
    writeFileSync(rules, rule("Support Rule", "x"));
    const run = (args: string[]): { status: number | null; stdout: string; stderr: string } =>
      spawnSync(process.execPath, [MAIN, "run", ...args], { encoding: "utf8", env: childEnv() });
    const s = run(["--support", "-r", rules, "-o", "priority=notice"]);
    assert.equal(s.status, 0, s.stderr);
    const bundle = JSON.parse(s.stdout) as {
      version: string;
      cmdline: string;
      config: { priority: string };
      rules_files: { name: string; variants: { content: string; sha256: string }[] }[];
      system_info: { sysname: string };
    };
    assert.equal(bundle.system_info.sysname, "Linux");
    assert.equal(bundle.config.priority, "notice", "the effective configuration, -o applied");
    assert.match(bundle.cmdline, /--support/);
    assert.deepEqual(
      bundle.rules_files.map((f) => f.name),
      [rules],
    );
    assert.equal(bundle.rules_files[0]!.variants[0]!.content, readFileSync(rules, "utf8"));
    assert.match(bundle.rules_files[0]!.variants[0]!.sha256, /^[0-9a-f]{64}$/);

    const d = run(["--dry-run", "-r", rules]);
    assert.equal(d.status, 0, d.stderr);
    assert.match(d.stdout, /Loaded 1 rules/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
