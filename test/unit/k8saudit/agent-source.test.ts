// The k8s_audit source inside the agent: the k8saudit plugin's open_params and init_config read as the
// plugin reads them, Falco's source selection (errors as codes), and the agent running the source from a
// file (ending by itself) and from the webhook (plain and https, rules reloaded), alerts in its queue.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Agent,
  MemoryChannel,
  formatAgentSummary,
  parseAuditInit,
  parseAuditOpenParams,
  planSources,
  type AgentOptions,
  type AuditSourceSpec,
} from "../../../src/agent/index.js";
import { DEFAULT_ALERT_CONFIG } from "../../../src/alerts/alert.js";
import type { PluginConfig } from "../../../src/config/types.js";
import { corpusPath } from "../../support/paths.js";

test("open_params: the plugin's forms, and what it refuses", () => {
  const ok: [string, unknown][] = [
    [
      "http://:9765/k8s-audit",
      { kind: "webhook", tls: false, host: undefined, port: 9765, path: "/k8s-audit" },
    ],
    ["https://127.0.0.1:0/audit", { kind: "webhook", tls: true, host: "127.0.0.1", port: 0, path: "/audit" }],
    ["HTTP://[::1]:80/a/b", { kind: "webhook", tls: false, host: "::1", port: 80, path: "/a/b" }],
    ["  /var/log/audit.json  ", { kind: "file", path: "/var/log/audit.json" }],
    ["relative/dir", { kind: "file", path: "relative/dir" }],
  ];
  for (const [text, want] of ok) assert.deepEqual(parseAuditOpenParams(text), want, text);
  const bad: [string, RegExp][] = [
    ["", /empty/],
    ["   ", /empty/],
    ["file:///var/log/audit.log", /file:\/\/ .*not supported/],
    ["ftp://host:21/x", /scheme "ftp" is not supported/],
    ["http://host/k8s-audit", /\[host\]:port/],
    ["http://:99999/k8s-audit", /out of range/],
    ["http://:9765", /path is missing/],
    ["http://:9765/", /path is missing/],
  ];
  for (const [text, re] of bad) {
    const r = parseAuditOpenParams(text);
    assert.equal(typeof r, "string", text);
    assert.match(r as string, re, text);
  }
});

test("init_config: defaults, JSON text or a mapping, and the plugin's key types", () => {
  const defaults = { sslCertificate: "/etc/falco/falco.pem", maxEventSize: 262144, maxBodyBytes: 12582912 };
  assert.deepEqual(parseAuditInit(undefined), defaults);
  assert.deepEqual(parseAuditInit(""), defaults);
  assert.deepEqual(parseAuditInit('{"maxEventSize": 1024, "useAsync": false}'), {
    ...defaults,
    maxEventSize: 1024,
  });
  assert.deepEqual(parseAuditInit({ sslCertificate: "/x.pem", webhookMaxBatchSize: 2048 }), {
    ...defaults,
    sslCertificate: "/x.pem",
    maxBodyBytes: 2048,
  });
  for (const [value, re] of [
    ["{not json", /not valid JSON/],
    ["[1]", /mapping/],
    [{ maxEventSize: -1 }, /maxEventSize must be a positive integer/],
    [{ webhookMaxBatchSize: "big" }, /webhookMaxBatchSize must be a positive integer/],
    [{ sslCertificate: 3 }, /sslCertificate must be a string/],
    [{ useAsync: "yes" }, /useAsync must be a boolean/],
    [{ sslCert: "/x" }, /unknown key 'sslCert'/],
  ] as [unknown, RegExp][]) {
    const r = parseAuditInit(value);
    assert.equal(typeof r, "string", JSON.stringify(value));
    assert.match(r as string, re);
  }
});

function plugin(name: string, openParams = "", initConfigValue: unknown = undefined): PluginConfig {
  return { name, libraryPath: `lib${name}.so`, initConfig: "", initConfigValue, openParams };
}

test("sources: syscall always, k8s_audit with the k8saudit plugin; Falco's selection rules as codes", () => {
  const none = planSources([]);
  assert.ok(none.ok);
  assert.deepEqual(none.plan.loaded, ["syscall"]);
  assert.equal(none.plan.audit, null);
  assert.equal(none.plan.syscall, true);

  const plugins = [plugin("k8saudit", "http://:9765/k8s-audit"), plugin("json")];
  const both = planSources(plugins);
  assert.ok(both.ok);
  assert.deepEqual(both.plan.loaded, ["syscall", "k8s_audit"]);
  assert.deepEqual(both.plan.enabled, ["syscall", "k8s_audit"]);
  assert.equal(both.plan.audit?.input.kind, "webhook");
  assert.equal(both.plan.notes.length, 2);
  assert.match(both.plan.notes[0]!, /built in; library_path libk8saudit\.so is not loaded/);

  const auditOnly = planSources(plugins, { enable: ["k8s_audit"] });
  assert.ok(auditOnly.ok);
  assert.equal(auditOnly.plan.syscall, false);
  assert.deepEqual(auditOnly.plan.enabled, ["k8s_audit"]);
  const syscallOnly = planSources([plugin("k8saudit", ""), plugin("json")], { disable: ["k8s_audit"] });
  assert.ok(syscallOnly.ok, "open_params is not read when the source is disabled");
  assert.equal(syscallOnly.plan.audit, null);

  const errors: [PluginConfig[], Parameters<typeof planSources>[1], string][] = [
    [[], { enable: ["k8s_audit"] }, "SAKER_RUN_SOURCE_UNKNOWN"],
    [plugins, { disable: ["nope"] }, "SAKER_RUN_SOURCE_UNKNOWN"],
    [plugins, { enable: ["syscall"], disable: ["k8s_audit"] }, "SAKER_RUN_SOURCE_MIX"],
    [plugins, { disable: ["syscall", "k8s_audit"] }, "SAKER_RUN_SOURCE_NONE"],
    [[plugin("cloudtrail")], {}, "SAKER_RUN_PLUGIN"],
    [[plugin("k8saudit", "x", { maxEventSize: 0 })], {}, "SAKER_RUN_PLUGIN_CONFIG"],
    [[plugin("k8saudit", "")], {}, "SAKER_RUN_AUDIT_OPEN_PARAMS"],
    [[plugin("k8saudit", "file:///var/log/a")], {}, "SAKER_RUN_AUDIT_OPEN_PARAMS"],
  ];
  for (const [p, flags, code] of errors) {
    const r = planSources(p, flags);
    assert.equal(r.ok ? "ok" : r.error.code, code, JSON.stringify(flags));
  }
});

const AUDIT_RULE = (name: string): string => `
- rule: ${name}
  desc: a privileged pod
  condition: ka.verb = create and ka.target.resource = pods and ka.req.pod.containers.privileged intersects (true)
  output: "privileged pod %ka.resp.name (user=%ka.user.name)"
  priority: WARNING
  source: k8s_audit
- rule: Cat Opens
  desc: a syscall rule beside it
  condition: evt.type = openat and proc.name = cat
  output: "cat opened %fd.name"
  priority: NOTICE
`;

function spec(input: AuditSourceSpec["input"], extra: Partial<AuditSourceSpec> = {}): AuditSourceSpec {
  return { input, sslCertificate: "/nonexistent.pem", maxEventSize: 262144, maxBodyBytes: 1 << 20, ...extra };
}

function agentOptions(
  dir: string,
  out: MemoryChannel,
  extra: Partial<AgentOptions>,
): AgentOptions & { logs: string[] } {
  const rules = join(dir, "rules.yaml");
  writeFileSync(rules, AUDIT_RULE("Privileged Pod"));
  const logs: string[] = [];
  return {
    rulesPaths: [rules],
    alertConfig: { ...DEFAULT_ALERT_CONFIG, jsonOutput: true, hostname: "h", jsonLayout: "current" },
    source: "disabled",
    outputs: [out],
    log: (_l, m) => logs.push(m),
    pluginLog: (line) => logs.push(line),
    user: null,
    logs,
    ...extra,
  };
}

test("a file source alone: every event evaluated, the agent ends by itself, alerts carry source k8s_audit", async () => {
  const dir = mkdtempSync(join(tmpdir(), "saker-agent-audit-"));
  try {
    const input = join(dir, "audit.json");
    const privileged = corpusPath("k8saudit", "create_nginx_pod_privileged.json");
    // Three events: the privileged pod twice and a line that is not an audit event in between.
    const line = readFileSync(privileged, "utf8").trim();
    writeFileSync(input, `${line}\n{"kind": 0}\n${line}\n`);
    const out = new MemoryChannel();
    const o = agentOptions(dir, out, { audit: spec({ kind: "file", path: input }) });
    const started = await Agent.start(o);
    assert.ok(started.ok, started.ok ? "" : started.error.message);
    const ended = await started.agent.done;
    assert.equal(ended, null, "the end of the file ends the agent, without error");
    const exit = await started.agent.stop();
    assert.equal(out.messages.length, 2);
    for (const m of out.messages) {
      assert.equal(m.source, "k8s_audit");
      const j = JSON.parse(m.line) as { source: string; rule: string };
      assert.equal(j.source, "k8s_audit");
      assert.equal(j.rule, "Privileged Pod");
    }
    assert.deepEqual(exit.summary.eventsBySource, { k8s_audit: 2 });
    assert.equal(exit.summary.alertsByRule.get("Privileged Pod"), 2);
    assert.equal(exit.summary.audit?.rejected.K8SAUDIT_NOT_AUDIT, 1);
    assert.ok(
      o.logs.some((l) => /\[k8saudit\] .*audit\.json:2: data not recognized as a k8s audit event/.test(l)),
    );
    const text = formatAgentSummary(exit.summary);
    assert.match(text, /^Events detected: 2\n/);
    assert.match(text, /Events by source: k8s_audit 2\n/);
    assert.doesNotMatch(text, /Syscall event drop monitoring/, "no syscall source, no drop monitor lines");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a missing file or a scap capture as open_params: SAKER_RUN_AUDIT_OPEN", async () => {
  const dir = mkdtempSync(join(tmpdir(), "saker-agent-audit-"));
  try {
    for (const path of [join(dir, "missing.json"), corpusPath("captures", "cat_write.scap")]) {
      const r = await Agent.start(
        agentOptions(dir, new MemoryChannel(), { audit: spec({ kind: "file", path }) }),
      );
      assert.equal(r.ok ? "ok" : r.error.code, "SAKER_RUN_AUDIT_OPEN", path);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function postTo(url: string, body: string): Promise<number> {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  await r.arrayBuffer();
  return r.status;
}

test("webhook beside the syscall source: alerts from both detectors in one queue; reload swaps the audit rules", async () => {
  const dir = mkdtempSync(join(tmpdir(), "saker-agent-audit-"));
  try {
    const out = new MemoryChannel();
    const o = agentOptions(dir, out, {
      source: "none",
      audit: spec({ kind: "webhook", tls: false, host: "127.0.0.1", port: 0, path: "/k8s-audit" }),
    });
    const started = await Agent.start(o);
    assert.ok(started.ok, started.ok ? "" : started.error.message);
    const agent = started.agent;
    const url = /webhook listening on (\S+)/.exec(o.logs.join("\n"))?.[1];
    assert.ok(url !== undefined);
    const body = readFileSync(corpusPath("k8saudit", "create_nginx_pod_privileged.json"), "utf8");
    assert.equal(await postTo(url, body), 200);
    const waitFor = async (n: number): Promise<void> => {
      for (let i = 0; i < 200 && out.messages.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    };
    await waitFor(1);
    assert.equal(out.messages[0]?.rule, "Privileged Pod");

    writeFileSync(o.rulesPaths[0]!, AUDIT_RULE("Privileged Pod Renamed"));
    const reloaded = await agent.reload();
    assert.equal(reloaded.ok, true);
    assert.ok(o.logs.some((l) => /Rules reloaded: 1 syscall, 1 k8s_audit rules enabled/.test(l)));
    assert.equal(await postTo(url, body), 200);
    await waitFor(2);
    assert.equal(out.messages[1]?.rule, "Privileged Pod Renamed");
    const exit = await agent.stop();
    assert.deepEqual(exit.summary.eventsBySource, { syscall: 0, k8s_audit: 2 });
    assert.equal(exit.summary.alertsTotal, 2);
    // Both rule sets' counts, in load order.
    assert.deepEqual(
      [...exit.summary.alertsByRule].filter(([, n]) => n > 0),
      [
        ["Privileged Pod Renamed", 1],
        ["Privileged Pod", 1],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("https webhook: the one PEM file of sslCertificate serves TLS; an unreadable one is SAKER_RUN_AUDIT_TLS", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "saker-agent-audit-"));
  try {
    const pem = join(dir, "falco.pem");
    try {
      execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "rsa:2048",
          "-nodes",
          "-days",
          "1",
          "-subj",
          "/CN=localhost",
          "-keyout",
          join(dir, "key.pem"),
          "-out",
          join(dir, "cert.pem"),
        ],
        { stdio: "pipe" },
      );
    } catch (e) {
      t.skip(`openssl is not usable here: ${(e as Error).message}`);
      return;
    }
    // The plugin's documented form: key and certificate concatenated in one file.
    writeFileSync(
      pem,
      readFileSync(join(dir, "key.pem"), "utf8") + readFileSync(join(dir, "cert.pem"), "utf8"),
    );
    const input = { kind: "webhook", tls: true, host: "127.0.0.1", port: 0, path: "/k8s-audit" } as const;

    const missing = await Agent.start(agentOptions(dir, new MemoryChannel(), { audit: spec(input) }));
    assert.equal(missing.ok ? "ok" : missing.error.code, "SAKER_RUN_AUDIT_TLS");
    writeFileSync(join(dir, "garbage.pem"), "not a pem\n");
    const garbage = await Agent.start(
      agentOptions(dir, new MemoryChannel(), {
        audit: spec(input, { sslCertificate: join(dir, "garbage.pem") }),
      }),
    );
    assert.equal(garbage.ok ? "ok" : garbage.error.code, "SAKER_RUN_AUDIT_TLS");

    const out = new MemoryChannel();
    const o = agentOptions(dir, out, { audit: spec(input, { sslCertificate: pem }) });
    const started = await Agent.start(o);
    assert.ok(started.ok, started.ok ? "" : started.error.message);
    const url = new URL(/webhook listening on (\S+)/.exec(o.logs.join("\n"))![1]!);
    assert.equal(url.protocol, "https:");
    const body = readFileSync(corpusPath("k8saudit", "create_nginx_pod_privileged.json"));
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: "127.0.0.1",
          port: url.port,
          path: url.pathname,
          method: "POST",
          rejectUnauthorized: false,
          headers: { "content-type": "application/json" },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
    assert.equal(status, 200);
    const exit = await started.agent.stop();
    assert.equal(out.messages.length, 1, "accepted events are evaluated before the queue closes");
    assert.equal(exit.summary.audit?.events, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
