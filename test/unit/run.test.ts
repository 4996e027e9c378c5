// `saker run` without the probe: configuration and rules errors as codes, --dry-run's selection, the
// engine kinds that need no kernel (replay, unsupported ones), and the k8s_audit source from a file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand, type RunIo } from "../../src/cli/commands/run.js";
import { MemoryChannel } from "../../src/agent/index.js";
import { corpusPath } from "../support/paths.js";

function io(): RunIo & { out: string; err: string } {
  const r = {
    out: "",
    err: "",
    stdout: (t: string) => void (r.out += t),
    stderr: (t: string) => void (r.err += t),
  };
  return r;
}

function rulesFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "saker-run-"));
  const file = join(dir, "rules.yaml");
  writeFileSync(file, text);
  return file;
}

test("--dry-run loads the default rules cleanly and names what the probe will capture", async () => {
  const r = io();
  assert.equal(await runCommand({ dryRun: true }, r), 0);
  assert.equal(r.err, "", "the default rules must load without warnings");
  assert.match(r.out, /Loaded \d+ rules/);
  const need = /Syscalls the rules need \(\d+\): (.*)\n/.exec(r.out)?.[1]?.split(" ") ?? [];
  for (const t of ["execve", "openat", "ptrace", "socket", "symlinkat", "linkat"])
    assert.ok(need.includes(t), t);
  const captured = /Syscalls captured \(\d+\): (.*)\n/.exec(r.out)?.[1]?.split(" ") ?? [];
  for (const t of ["procexit", "clone", "close", "execve", "ptrace"]) assert.ok(captured.includes(t), t);
  assert.doesNotMatch(r.out, /every event type/);
});

test("-A captures the I/O syscalls a rule asks for; without it they are reported as not captured", async () => {
  const rules = rulesFile(
    "- rule: Reads\n  desc: d\n  condition: evt.type = read and proc.name = cat\n  output: o\n  priority: INFO\n",
  );
  const without = io();
  assert.equal(await runCommand({ dryRun: true, rules: [rules] }, without), 0);
  assert.match(without.out, /Rule syscalls not captured \(-A\): read\n/);
  const withA = io();
  assert.equal(await runCommand({ dryRun: true, rules: [rules], allEvents: true }, withA), 0);
  assert.match(withA.out, /Syscalls captured \(\d+\): .*\bread\b/);
  assert.doesNotMatch(withA.out, /not captured/);
});

test("broken rules are refused with a positioned error and SAKER_RUN_RULES", async () => {
  const file = rulesFile(
    "- rule: r\n  desc: d\n  condition: evt.type = open and\n  output: o\n  priority: INFO\n",
  );
  const r = io();
  assert.equal(await runCommand({ dryRun: true, rules: [file] }, r), 1);
  assert.match(r.err, /rules\.yaml:3:\d+: error LOAD_ERR_COMPILE_CONDITION/);
  assert.match(r.err, /\(SAKER_RUN_RULES\)\n$/);
});

test("a bad configuration stops before anything starts (SAKER_RUN_CONFIG)", async () => {
  const r = io();
  assert.equal(await runCommand({ option: ["priority=loud"] }, r), 1);
  assert.match(r.err, /\(SAKER_RUN_CONFIG\)\n$/);
});

test("engine kinds: gvisor is refused, replay needs its capture file", async () => {
  const g = io();
  assert.equal(
    await runCommand({ option: ["engine.kind=gvisor", "engine.gvisor.config=/etc/gvisor.json"] }, g),
    1,
  );
  assert.match(g.err, /Error: engine kind not supported: gvisor \(SAKER_RUN_ENGINE\)\n$/);
  const r = io();
  assert.equal(await runCommand({ option: ["engine.kind=replay"] }, r), 1);
  assert.match(r.err, /engine\.replay\.capture_file is not set/);
  assert.match(r.err, /\(SAKER_RUN_CONFIG\)\n$/);
});

test("engine.kind=replay runs the capture file through the rules", async () => {
  const rules = rulesFile(
    "- rule: Cat Opens\n  desc: d\n  condition: evt.type in (open, openat) and proc.name = cat\n" +
      "  output: cat opened %fd.name\n  priority: WARNING\n",
  );
  const r = io();
  const code = await runCommand(
    {
      rules: [rules],
      option: [
        "engine.kind=replay",
        `engine.replay.capture_file=${corpusPath("captures", "cat_write.scap")}`,
      ],
      json: true,
    },
    r,
  );
  assert.equal(code, 0, r.err);
  const alerts = r.out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { rule: string });
  assert.ok(alerts.length > 0);
  assert.ok(alerts.every((a) => a.rule === "Cat Opens"));
  assert.match(r.out, /Events detected: \d+/);
});

test("a k8saudit file as open_params: alerts through the output channel, Falco's summary on stdout, exit 0", async () => {
  const alerts = new MemoryChannel();
  const r = io();
  const code = await runCommand(
    {
      config: corpusPath("confs", "plugins", "k8s_audit.yaml"),
      rules: [corpusPath("rules", "upstream", "k8s_audit_rules.yaml")],
      option: [`plugins[0].open_params=${corpusPath("k8saudit", "exec_pod.json")}`],
      enableSource: ["k8s_audit"],
    },
    { stdout: r.stdout, stderr: r.stderr, alerts },
  );
  assert.equal(code, 0, r.err);
  assert.deepEqual(
    alerts.messages.map((m) => [m.rule, m.source]),
    [["Attach/Exec Pod", "k8s_audit"]],
  );
  assert.match(alerts.messages[0]!.line, /: Notice Attach\/Exec to pod \(user=minikube-user /);
  assert.equal(
    r.out,
    "Events detected: 1\nRule counts by severity:\n   NOTICE: 1\nTriggered rules by rule name:\n   Attach/Exec Pod: 1\n",
  );
  assert.match(r.err, /Events by source: k8s_audit 1\n/);
});

test("plugins Saker does not have, and bad k8saudit settings, stop the start with their codes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "saker-run-"));
  const conf = (body: string): string => {
    const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, body);
    return file;
  };
  const cases: [string, string[], string][] = [
    [conf("plugins:\n  - name: cloudtrail\n    library_path: libcloudtrail.so\n"), [], "SAKER_RUN_PLUGIN"],
    [
      conf(
        "plugins:\n  - name: k8saudit\n    library_path: x.so\n    init_config: '{bad'\n    open_params: /tmp\n",
      ),
      [],
      "SAKER_RUN_PLUGIN_CONFIG",
    ],
    [corpusPath("confs", "plugins", "k8s_audit.yaml"), [], "SAKER_RUN_AUDIT_OPEN_PARAMS"],
    [
      corpusPath("confs", "plugins", "k8s_audit.yaml"),
      [`plugins[0].open_params=${join(dir, "missing.json")}`, "engine.kind=nodriver"],
      "SAKER_RUN_AUDIT_OPEN",
    ],
  ];
  for (const [config, option, want] of cases) {
    const r = io();
    assert.equal(await runCommand({ config, option, user: "root" }, r), 1, r.err);
    assert.match(r.err, new RegExp(`\\(${want}\\)\\n$`), r.err);
  }
});
