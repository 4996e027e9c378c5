// End to end: the k8s_audit source inside `saker run`, the real command as a child process.
//
//   (a) Falco's file invocation, unchanged: the corpus's k8s_audit.yaml, the upstream k8s_audit_rules.yaml,
//       `--enable-source k8s_audit -o plugins[0].open_params=FILE`; the agent exits by itself at the end of
//       the file, with the alerts and the detection summary a corpus case expects.
//   (b) engine.kind=nodriver with the webhook on an ephemeral port: an EventList POSTed with fetch raises
//       the JSON alert (source k8s_audit) on stdout; SIGHUP swaps the audit rules; SIGTERM ends the run
//       with the events counted per source.
//   (c) as root with BTF: the probe and the webhook in one agent; a real read of /etc/shadow and a posted
//       audit event both alert in the same run.
//   (d) --enable-source/--disable-source: Falco's errors with their codes, and their effects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { corpusPath, repoRoot, requireCorpus } from "../support/paths.js";
import { liveSkipReason } from "../support/live.js";
import {
  AgentChild,
  sleep,
  eventList,
  jsonAlerts,
  post,
  runSync,
  tempDir,
  writeConfig,
} from "../support/run-child.js";

const CONF = corpusPath("confs", "plugins", "k8s_audit.yaml");
const UPSTREAM_AUDIT_RULES = corpusPath("rules", "upstream", "k8s_audit_rules.yaml");

const WEBHOOK_URL = /k8s_audit: webhook listening on (http:\/\/\S+)/;

test("(a) Falco's file invocation: the corpus config, upstream audit rules, alerts and summary as the case expects", () => {
  requireCorpus();
  const cases = (
    JSON.parse(readFileSync(corpusPath("cases.json"), "utf8")) as {
      cases: { id: string; input: string; expected: Record<string, unknown> }[];
    }
  ).cases;
  const c = cases.find((x) => x.id === "testing/k8saudit/TestK8SAudit_Legacy_CreatePrivilegedPod");
  assert.ok(c !== undefined, "the corpus case is there");
  const r = runSync([
    "-c",
    CONF,
    "-r",
    UPSTREAM_AUDIT_RULES,
    "-o",
    "priority=debug",
    "-o",
    "json_output=true",
    "--enable-source",
    "k8s_audit",
    "-o",
    `plugins[0].open_params=${corpusPath(c.input)}`,
  ]);
  assert.equal(r.status, c.expected.exit_status, r.stderr);
  const alerts = jsonAlerts(r.stdout);
  const want = c.expected.detect_counts as Record<string, number>;
  for (const [rule, n] of Object.entries(want)) {
    assert.equal(alerts.filter((a) => a.rule === rule).length, n, `${rule}\n${r.stdout}`);
    assert.match(r.stdout, new RegExp(`^ {3}${rule}: ${n}$`, "m"), "the summary on stdout counts it");
  }
  assert.ok(alerts.length > 0);
  for (const a of alerts) assert.equal(a.source, "k8s_audit");
  for (const p of c.expected.priorities_present as string[]) {
    assert.ok(
      alerts.some((a) => a.priority.toUpperCase() === p),
      `a ${p} alert`,
    );
  }
  assert.match(r.stdout, new RegExp(`^Events detected: ${alerts.length}$`, "m"));
  assert.match(r.stderr, /Events by source: k8s_audit 1\n/);
  assert.doesNotMatch(r.stderr, /Events by source: syscall/, "the syscall source was not enabled");
});

test("(b) nodriver + webhook: a posted EventList alerts as JSON with source k8s_audit; SIGHUP swaps the audit rules", async () => {
  requireCorpus();
  const dir = tempDir();
  const rules = join(dir, "audit_rules.yaml");
  const rule = (name: string): string => `- rule: ${name}
  desc: a privileged pod (end-to-end test rule)
  condition: ka.verb = create and ka.target.resource = pods and ka.req.pod.containers.privileged intersects (true)
  output: "privileged pod %ka.resp.name by %ka.user.name in %ka.target.namespace"
  priority: WARNING
  source: k8s_audit
`;
  writeFileSync(rules, rule("E2E Privileged Pod"));
  chmodSync(rules, 0o644);
  const conf = writeConfig(dir, "http://127.0.0.1:0/k8s-audit", "engine:\n  kind: nodriver\n");
  const agent = new AgentChild(["-c", conf, "-r", rules]);
  try {
    const url = await agent.waitStderr(WEBHOOK_URL);
    await agent.waitStderr(/Saker is watching the system/);
    assert.match(agent.stderr, /Enabled event sources: syscall, k8s_audit\n/);
    assert.match(agent.stderr, /Opening 'syscall' source with no driver/);
    assert.match(
      agent.stderr,
      /Loaded plugin 'k8saudit' \(built in; library_path libk8saudit\.so is not loaded\)/,
    );
    if (process.getuid?.() === 0) {
      // No probe to hand the privileges to: the engine gave them up once the webhook listened.
      assert.match(readFileSync(`/proc/${agent.pid}/status`, "utf8"), /^Uid:\t65534\t65534\t65534\t65534$/m);
    }

    const body = eventList("create_nginx_pod_privileged.json");
    assert.equal(await post(url, body), 200);
    const a = await agent.waitAlert((x) => x.rule === "E2E Privileged Pod");
    assert.ok(a !== undefined, `the alert arrives on stdout\n${agent.stderr}`);
    assert.equal(a.source, "k8s_audit");
    assert.equal(a.priority, "Warning");
    assert.match(
      a.output,
      /privileged pod nginx-deployment-\S+ by system:serviceaccount:kube-system:replicaset-controller in default/,
    );
    assert.equal(a.output_fields["ka.target.namespace"], "default");
    // Not an audit event: refused with its code, nothing alerts, the agent keeps serving.
    assert.equal(await post(url, JSON.stringify({ kind: 0 })), 400);

    writeFileSync(rules, rule("E2E Privileged Pod Reloaded"));
    agent.signal("SIGHUP");
    await agent.waitStderr(/Rules reloaded: 0 syscall, 1 k8s_audit rules enabled/);
    assert.equal(await post(url, body), 200);
    const b = await agent.waitAlert((x) => x.rule === "E2E Privileged Pod Reloaded");
    assert.ok(b !== undefined, "the reloaded audit rule fires");
    assert.equal(agent.alerts.length, 2, "the old rule no longer fires");
  } finally {
    const code = await agent.stop();
    rmSync(dir, { recursive: true, force: true });
    assert.equal(code, 0, agent.stderr);
  }
  assert.match(agent.stderr, /SIGTERM received, exiting\.\.\.\nEvents detected: 2\n/);
  assert.match(agent.stderr, /Events by source: syscall 0, k8s_audit 2\n/);
  assert.match(
    agent.stderr,
    /k8s_audit \(webhook\): 2 events evaluated, 1 rejected \(K8SAUDIT_NOT_AUDIT 1\)/,
  );
});

test(
  "(c) modern_ebpf + webhook in one agent: a real syscall action and a posted audit event both alert",
  { skip: liveSkipReason(), timeout: 120_000 },
  async () => {
    requireCorpus();
    execFileSync("bash", [resolve(repoRoot, "scripts/build-probe.sh")], { stdio: "ignore" });
    const dir = tempDir();
    const reader = join(dir, "shadowreader");
    copyFileSync("/bin/cat", reader);
    chmodSync(reader, 0o755);
    const conf = writeConfig(dir, "http://127.0.0.1:0/k8s-audit", "engine:\n  kind: modern_ebpf\n");
    // Saker's default rules: syscall and k8s_audit rules in one rules directory, loaded once.
    const agent = new AgentChild(["-c", conf]);
    try {
      const url = await agent.waitStderr(WEBHOOK_URL);
      await agent.waitStderr(/Saker is watching the system/);
      assert.match(agent.stderr, /Enabled event sources: syscall, k8s_audit\n/);

      writeFileSync(join(dir, "empty"), "");
      spawnSync(reader, ["/etc/shadow", join(dir, "empty")], { stdio: "ignore" });
      assert.equal(await post(url, eventList("create_nginx_pod_privileged.json")), 200);

      const sys = await agent.waitAlert(
        // proc.cmdline is the name and the arguments: the test directory shows in the second argument.
        (a) => a.rule === "Credential File Read By Unexpected Program" && a.output.includes(dir),
      );
      assert.ok(sys !== undefined, `the syscall alert\n${agent.stderr}`);
      assert.equal(sys.source, "syscall");
      assert.equal(sys.output_fields["fd.name"], "/etc/shadow");
      const audit = await agent.waitAlert((a) => a.rule === "Privileged Pod Created");
      assert.ok(audit !== undefined, `the audit alert\n${agent.stderr}`);
      assert.equal(audit.source, "k8s_audit");
    } finally {
      const code = await agent.stop();
      rmSync(dir, { recursive: true, force: true });
      assert.equal(code, 0, agent.stderr);
    }
    assert.match(agent.stderr, /Events by source: syscall [1-9]\d*, k8s_audit 1\n/);
  },
);

test("(d) --enable-source/--disable-source: Falco's errors, each with its code", () => {
  requireCorpus();
  const file = `plugins[0].open_params=${corpusPath("k8saudit", "create_nginx_pod_privileged.json")}`;
  const cases: { args: string[]; code: string; message: RegExp }[] = [
    {
      args: ["--enable-source", "k8s_audit"],
      code: "SAKER_RUN_SOURCE_UNKNOWN",
      message: /Attempted enabling an unknown event source: k8s_audit/,
    },
    {
      args: ["-c", CONF, "-o", file, "--enable-source", "nope"],
      code: "SAKER_RUN_SOURCE_UNKNOWN",
      message: /Attempted enabling an unknown event source: nope/,
    },
    {
      args: ["-c", CONF, "-o", file, "--disable-source", "aws_cloudtrail"],
      code: "SAKER_RUN_SOURCE_UNKNOWN",
      message: /Attempted disabling an unknown event source: aws_cloudtrail/,
    },
    {
      args: ["-c", CONF, "-o", file, "--enable-source", "k8s_audit", "--disable-source", "syscall"],
      code: "SAKER_RUN_SOURCE_MIX",
      message: /You can not mix --enable-source and --disable-source/,
    },
    {
      args: ["-c", CONF, "-o", file, "--disable-source", "syscall", "--disable-source", "k8s_audit"],
      code: "SAKER_RUN_SOURCE_NONE",
      message: /Must enable at least one event source/,
    },
  ];
  for (const c of cases) {
    const r = runSync(c.args);
    assert.equal(r.status, 1, `${c.args.join(" ")}\n${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^Error: .*\\(${c.code}\\)$`, "m"), c.args.join(" "));
    assert.match(r.stderr, c.message);
    assert.equal(r.stdout, "", "nothing started");
  }
});

test("(d) source effects: --disable-source syscall runs the file alone and ends; k8s_audit disabled starts no webhook", async () => {
  requireCorpus();
  const input = corpusPath("k8saudit", "create_nginx_pod_privileged.json");
  const alone = runSync([
    "-c",
    CONF,
    "-r",
    UPSTREAM_AUDIT_RULES,
    "-o",
    "json_output=true",
    "-o",
    `plugins[0].open_params=${input}`,
    "--disable-source",
    "syscall",
  ]);
  assert.equal(alone.status, 0, alone.stderr);
  assert.deepEqual(
    jsonAlerts(alone.stdout).map((a) => a.rule),
    ["Create Privileged Pod"],
  );

  const dir = tempDir();
  try {
    // With the syscall source enabled too, the end of the file does not end the run (as Falco).
    const both = new AgentChild([
      "-c",
      writeConfig(dir, input, "engine:\n  kind: nodriver\n"),
      "-r",
      UPSTREAM_AUDIT_RULES,
      "-u",
      "root",
    ]);
    try {
      await both.waitStderr(/k8s_audit: end of input: 1 events read, 0 rejected/);
      assert.ok((await both.waitAlert((a) => a.rule === "Create Privileged Pod")) !== undefined);
      await sleep(300);
      assert.ok(both.running, "the syscall source keeps the agent running");
    } finally {
      assert.equal(await both.stop(), 0, both.stderr);
    }

    const off = new AgentChild([
      "-c",
      writeConfig(dir, "http://127.0.0.1:0/k8s-audit", "engine:\n  kind: nodriver\n"),
      "-r",
      UPSTREAM_AUDIT_RULES,
      "--disable-source",
      "k8s_audit",
      "-u",
      "root",
    ]);
    try {
      await off.waitStderr(/Saker is watching the system/);
      assert.match(
        off.stderr,
        /Loaded event sources: syscall, k8s_audit\n.*Enabled event sources: syscall\n/,
      );
      assert.doesNotMatch(off.stderr, /webhook listening|Opening 'k8s_audit'/);
    } finally {
      assert.equal(await off.stop(), 0, off.stderr);
    }
    assert.match(off.stderr, /Events by source: syscall 0\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
