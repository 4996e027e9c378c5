// `saker replay` on audit input: recognising inputs, streaming JSON Lines, counting what is rejected and
// why, the summaries, the configuration keys, and refusing what it cannot do with a stable code.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DEFAULT_ALERT_CONFIG } from "../../../src/alerts/alert.js";
import { replayCommand, type CommandIo, type ReplayCliOptions } from "../../../src/cli/commands/replay.js";
import { escapeControls, escapeText } from "../../../src/alerts/escape.js";
import { formatDetectionSummary } from "../../../src/alerts/summary.js";
import {
  replayAudit,
  sniffBytes,
  type AuditReplayOptions,
  type ReplayOutcome,
} from "../../../src/k8saudit/replay.js";
import { Priority } from "../../../src/rules/priority.js";
import { corpusPath } from "../../support/paths.js";

const dir = mkdtempSync(join(tmpdir(), "saker-replay-"));
let fileNo = 0;
function file(content: string | Buffer, name = `in${fileNo++}.json`): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const RULES = file(
  `
- rule: Exec into pod
  desc: d
  condition: ka.target.subresource = exec
  output: "exec by %ka.user.name into %ka.target.name"
  priority: NOTICE
  source: k8s_audit
  tags: [access]
- rule: Configmap created
  desc: d
  condition: ka.verb = create and ka.target.resource = configmaps
  output: "configmap %ka.target.name"
  priority: INFO
  source: k8s_audit
  tags: [config]
- rule: Any create
  desc: d
  condition: ka.verb = create
  output: "create by %ka.user.name"
  priority: DEBUG
  source: k8s_audit
- rule: A syscall rule
  desc: d
  condition: evt.type = open
  output: "%proc.name"
  priority: INFO
`,
  "rules.yaml",
);

/** A corpus file's one event line. */
const line = (name: string): string => readFileSync(corpusPath("k8saudit", name), "utf8").trim();

const EXEC = line("exec_pod.json");
const CONFIGMAP = line("create_configmap.json");

/** Capturing I/O whose stdout applies backpressure (a promise per write). */
function capture(): {
  io: CommandIo;
  out: () => string;
  err: () => string;
  writes: () => number;
  exit: () => number;
} {
  let out = "";
  let err = "";
  let writes = 0;
  let exit = -1;
  return {
    io: {
      stdout: (t) => {
        writes++;
        out += t;
        return new Promise((r) => setImmediate(r));
      },
      stderr: (t) => void (err += t),
      exit: (code) => void (exit = code),
    },
    out: () => out,
    err: () => err,
    writes: () => writes,
    exit: () => exit,
  };
}

const config = { ...DEFAULT_ALERT_CONFIG, hostname: "h", utcOffsetSeconds: 0 };

async function replay(
  inputs: string[],
  extra: Partial<AuditReplayOptions> = {},
): Promise<{ outcome: ReplayOutcome; out: string; err: string; writes: number }> {
  const c = capture();
  const outcome = await replayAudit({ inputs, rulesPaths: [RULES], alertConfig: config, ...extra }, c.io);
  return { outcome, out: c.out(), err: c.err(), writes: c.writes() };
}

async function command(
  files: string[],
  options: ReplayCliOptions,
): Promise<{ outcome: ReplayOutcome; out: string; err: string; exit: number }> {
  const c = capture();
  const outcome = await replayCommand(files, { rules: [RULES], ...options }, c.io, { hostname: "h" });
  return { outcome, out: c.out(), err: c.err(), exit: c.exit() };
}

test("inputs are recognised by content", () => {
  const b = (s: string) => Buffer.from(s);
  const shb = Buffer.from([0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a]);
  assert.equal(sniffBytes(b(`${EXEC}\n${EXEC}\n`), 99999, 1 << 20), "audit-lines");
  assert.equal(sniffBytes(b(EXEC), EXEC.length, 1 << 20), "audit-lines");
  assert.equal(sniffBytes(b('{\n  "kind": "EventList",\n  "items": []\n}\n'), 40, 1 << 20), "audit-document");
  assert.equal(sniffBytes(b('\ufeff  [\n{"kind":"Event"}\n]'), 40, 1 << 20), "audit-document");
  assert.equal(sniffBytes(shb, 1000, 1 << 20), "scap");
  assert.equal(sniffBytes(gzipSync(shb), 1000, 1 << 20), "scap");
  assert.equal(sniffBytes(gzipSync(b(EXEC)), 1000, 1 << 20), undefined);
  assert.equal(sniffBytes(b("hello world\n"), 12, 1 << 20), undefined);
  assert.equal(sniffBytes(b(""), 0, 1 << 20), undefined);
  // a first line too long to see whole: one document if small enough, else lines
  assert.equal(sniffBytes(b('{"kind":"Event"'), 10_000, 1 << 20), "audit-document");
  assert.equal(sniffBytes(b('{"kind":"Event"'), 10_000_000, 1 << 20), "audit-lines");
});

test("JSON Lines: events evaluated in order, bad lines counted by code and reported with their line", async () => {
  const input = file(
    [
      EXEC,
      "",
      "{broken",
      '{"kind": 0}',
      CONFIGMAP + "\r",
      `{"kind":"EventList","items":[${EXEC},{"kind":"Event"}]}`,
      "   ",
      EXEC,
    ].join("\n"),
  );
  const { outcome, out, err } = await replay([input]);
  assert.equal(outcome.exitCode, 0, err);
  const s = outcome.summary!;
  assert.equal(s.files, 1);
  assert.equal(s.payloads, 7);
  assert.equal(s.eventsRead, 4);
  assert.deepEqual(Object.fromEntries(s.rejected), {
    K8SAUDIT_JSON_SYNTAX: 2,
    K8SAUDIT_NOT_AUDIT: 1,
    K8SAUDIT_NO_TIMESTAMP: 1,
  });
  assert.equal(s.rejectedTotal, 4);
  assert.equal(s.alertsTotal, 4);
  assert.deepEqual(
    [...s.alertsByRule],
    [
      ["Exec into pod", 3],
      ["Configmap created", 1],
      ["Any create", 0],
    ],
  );
  assert.equal(s.alertsByPriority[Priority.Notice], 3);
  assert.equal(
    out,
    "13:38:34.902914000: Notice exec by minikube-user into nginx-deployment-7998647bdf-phvq7\n" +
      "13:13:03.544952000: Informational configmap my-config\n" +
      "13:38:34.902914000: Notice exec by minikube-user into nginx-deployment-7998647bdf-phvq7\n" +
      "13:38:34.902914000: Notice exec by minikube-user into nginx-deployment-7998647bdf-phvq7\n" +
      "Events detected: 4\n" +
      "Rule counts by severity:\n" +
      "   NOTICE: 3\n" +
      "   INFO: 1\n" +
      "Triggered rules by rule name:\n" +
      "   Exec into pod: 3\n" +
      "   Configmap created: 1\n",
  );
  assert.match(err, new RegExp(`${input}:3: K8SAUDIT_JSON_SYNTAX`));
  assert.match(err, new RegExp(`${input}:4: K8SAUDIT_NOT_AUDIT: data not recognized as a k8s audit event`));
  assert.match(err, new RegExp(`${input}:6: K8SAUDIT_NO_TIMESTAMP`));
  assert.match(err, /events read: 4, rejected: 4/);
  assert.match(err, /Rejected by reason:\n {3}K8SAUDIT_JSON_SYNTAX: 2 /);
});

test("JSON output, rule matching, selection", async () => {
  const input = file(`${CONFIGMAP}\n${EXEC}\n`);
  const json = await replay([input], { alertConfig: { ...config, jsonOutput: true } });
  const alerts = json.out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { rule: string; source: string; tags: string[] });
  assert.deepEqual(
    alerts.map((a) => a.rule),
    ["Configmap created", "Exec into pod"],
  );
  assert.equal(alerts[0].source, "k8s_audit");
  const all = await replay([input], { matching: "all" });
  assert.deepEqual([...all.outcome.summary!.alertsByRule.values()], [1, 1, 2]);
  const minimum = await replay([input], { selection: { minPriority: Priority.Notice } });
  assert.deepEqual([...minimum.outcome.summary!.alertsByRule.keys()], ["Exec into pod"]);
  const tagged = await replay([input], { selection: { enabledTags: ["config"] }, matching: "all" });
  assert.deepEqual([...tagged.outcome.summary!.alertsByRule], [["Configmap created", 1]]);
  const quiet = await replay([input], { writeAlerts: false });
  assert.match(quiet.out, /^Events detected: 2\n/);
});

test("one JSON document, directories, and a long file streamed in batches", async () => {
  const pretty = file(
    JSON.stringify({ kind: "EventList", items: [JSON.parse(EXEC), JSON.parse(CONFIGMAP)] }, null, 2),
  );
  const doc = await replay([pretty]);
  assert.equal(doc.outcome.summary!.eventsRead, 2);
  assert.equal(doc.outcome.summary!.payloads, 1);

  const sub = mkdtempSync(join(dir, "d-"));
  const older = join(sub, "b.json");
  const newer = join(sub, "a.json");
  writeFileSync(older, CONFIGMAP + "\n");
  writeFileSync(newer, EXEC + "\n");
  utimesSync(older, new Date(1_000_000_000_000), new Date(1_000_000_000_000));
  const d = await replay([sub]);
  assert.equal(d.outcome.summary!.files, 2);
  assert.ok(d.out.indexOf("configmap my-config") < d.out.indexOf("exec by"), "oldest file first");

  const many = file(`${EXEC}\n`.repeat(5000));
  const big = await replay([many]);
  assert.equal(big.outcome.summary!.eventsRead, 5000);
  assert.equal(big.outcome.summary!.alertsTotal, 5000);
  assert.ok(big.writes > 3 && big.writes < 100, `stdout written in batches (${big.writes} writes)`);
  assert.ok(big.outcome.summary!.eventsPerSecond > 0);
});

test("over-long lines are skipped and counted; reading goes on", async () => {
  const input = file(`${EXEC}\n{"kind":"Event","pad":"${"x".repeat(5000)}"}\n${CONFIGMAP}\n`);
  const r = await replay([input], { parse: { maxLineBytes: 4096 } });
  assert.equal(r.outcome.exitCode, 0);
  assert.equal(r.outcome.summary!.eventsRead, 2);
  assert.deepEqual(Object.fromEntries(r.outcome.summary!.rejected), { K8SAUDIT_LINE_TOO_LONG: 1 });
  assert.match(r.err, /:2: K8SAUDIT_LINE_TOO_LONG/);
  // the same across read chunks (1 MiB each): a 3 MiB line is skipped, the lines around it are read
  const spanning = file(`${EXEC}\n{"pad":"${"y".repeat(3 << 20)}"}\n${CONFIGMAP}\n${EXEC}`);
  const big = await replay([spanning], { parse: { maxLineBytes: 2 << 20 } });
  assert.equal(big.outcome.summary!.eventsRead, 3);
  assert.equal(big.outcome.summary!.payloads, 4);
  assert.match(big.err, /:2: K8SAUDIT_LINE_TOO_LONG/);
});

test("event content cannot forge lines or send terminal escapes", async () => {
  const evil = JSON.parse(EXEC) as { user: { username: string } };
  evil.user.username = "mallory\n13:38:34.902914000: Notice forged\u001b[2J";
  const input = file(`${JSON.stringify(evil)}\n{"kind":"Event","x":\u001b[31m}\n`);
  const r = await replay([input]);
  const alertLines = r.out.split("\n").filter((l) => /^\d\d:/.test(l));
  assert.equal(alertLines.length, 1);
  assert.match(alertLines[0], /mallory\\u000a13:38:34\.902914000: Notice forged\\u001b\[2J/);
  assert.doesNotMatch(r.err, /\u001b/);
  assert.equal(escapeControls("plain\ttext"), "plain\ttext");
  assert.equal(escapeText("a\\b\u0007\ud800"), "a\\\\b\\u0007\\ud800");
});

test("refusals have stable codes and exit status 1", async () => {
  const cases: [string[], Partial<AuditReplayOptions>, string][] = [
    [[], {}, "SAKER_REPLAY_NO_INPUT"],
    [[join(dir, "missing.json")], {}, "SAKER_REPLAY_INPUT_READ"],
    [[file("not json at all\n")], {}, "SAKER_REPLAY_UNRECOGNIZED_INPUT"],
    [[corpusPath("captures", "cat_write.scap")], {}, "SAKER_REPLAY_SCAP_UNSUPPORTED"],
    [
      [file(EXEC)],
      { rulesPaths: [file("- rule: r\n  desc: d\n  condition: ka.verb = \n")] },
      "SAKER_REPLAY_RULES",
    ],
    [[file(EXEC)], { enabledSources: ["syscall"] }, "SAKER_REPLAY_SOURCE_DISABLED"],
    [[file(EXEC)], { enabledSources: ["cloudtrail"] }, "SAKER_REPLAY_UNKNOWN_SOURCE"],
    [[file(EXEC)], { loadedSources: ["syscall"] }, "SAKER_REPLAY_SOURCE_NOT_LOADED"],
    [[file(EXEC)], { selection: { enabledTags: ["a"], disabledTags: ["b"] } }, "SAKER_REPLAY_DETECTOR"],
  ];
  for (const [inputs, extra, code] of cases) {
    const r = await replay(inputs, extra);
    assert.equal(r.outcome.exitCode, 1, code);
    assert.equal(r.outcome.error?.code, code, r.err);
    assert.match(r.err, new RegExp(`saker replay: ${code}: `));
  }
  const scap = await replay([corpusPath("captures", "cat_write.scap")]);
  assert.match(scap.err, /not supported yet/);
  const rules = await replay([file(EXEC)], {
    rulesPaths: [file("- rule: r\n  desc: d\n  condition: ka.verb = \n")],
  });
  assert.match(rules.err, /LOAD_ERR/);
});

test("command: configuration file, -o overrides, flags", async () => {
  const input = file(`${CONFIGMAP}\n${EXEC}\n`);
  const conf = file(
    "json_output: true\njson_include_tags_property: false\npriority: info\nstdout_output:\n  enabled: true\n" +
      "plugins:\n  - name: k8saudit\n    library_path: x.so\n  - name: json\n    library_path: y.so\nload_plugins: [k8saudit, json]\n",
    "falco.yaml",
  );
  const r = await command([input], { config: conf, option: ["json_include_output_property=false"] });
  assert.equal(r.exit, 0, r.err);
  const first = JSON.parse(r.out.split("\n")[0]) as Record<string, unknown>;
  assert.equal(first.rule, "Configmap created");
  assert.equal(first.tags, undefined);
  assert.equal(first.output, undefined);
  const noK8s = file("plugins:\n  - name: cloudtrail\n    library_path: x.so\n", "ct.yaml");
  assert.equal(
    (await command([input], { config: noK8s })).outcome.error?.code,
    "SAKER_REPLAY_SOURCE_NOT_LOADED",
  );
  const disabled = await command([input], { disable: ["Configmap"], option: ["rule_matching=all"] });
  assert.match(disabled.out, /Exec into pod: 1\n {3}Any create: 2\n/);
  assert.doesNotMatch(disabled.out, /Configmap created: /);
  const jsonFlag = await command([input], { json: true });
  assert.ok(jsonFlag.out.startsWith("{"));

  // unknown keys warn and are ignored (Falco's rule); wrong values stop the run
  const unknown = await command([input], { option: ["no_such_key=1"] });
  assert.equal(unknown.exit, 0);
  assert.match(unknown.err, /SAKER_CONFIG_UNKNOWN_KEY/);
  for (const opt of ["nonsense", "priority=loud", "json_output=maybe", "rule_matching=some"]) {
    const bad = await command([input], { option: [opt] });
    assert.equal(bad.exit, 1, opt);
    assert.equal(bad.out, "", opt);
    assert.match(bad.err, /saker replay: SAKER_REPLAY_CONFIG: /, opt);
  }
  const missing = await command([input], { config: join(dir, "nope.yaml") });
  assert.equal(missing.exit, 1);
  assert.match(missing.err, /nope\.yaml/);
  assert.match(missing.err, /SAKER_REPLAY_CONFIG/);
  // settings from a file: rule_matching, the rules: section, time format (and, as in Falco, no alert
  // lines unless the file enables stdout_output)
  const rulesSection = file(
    "rule_matching: all\ntime_format_iso_8601: true\nstdout_output:\n  enabled: true\n" +
      "rules:\n  - disable:\n      rule: 'Any*'\n",
    "sel.yaml",
  );
  const sel = await command([input], { config: rulesSection });
  assert.equal(sel.exit, 0, sel.err);
  assert.match(sel.out, /^2018-10-26T13:13:03\.544952000\+0000: Informational configmap my-config\n/);
  assert.doesNotMatch(sel.out, /Any create: /);
});

test("Falco's summary lists only what fired, most severe first", () => {
  const text = formatDetectionSummary({
    alertsTotal: 3,
    alertsByPriority: [0, 0, 1, 0, 0, 0, 2, 0],
    alertsByRule: new Map([
      ["b", 2],
      ["never", 0],
      ["a", 1],
    ]),
  });
  assert.equal(
    text,
    "Events detected: 3\nRule counts by severity:\n   CRITICAL: 1\n   INFO: 2\nTriggered rules by rule name:\n   b: 2\n   a: 1\n",
  );
});

test("the summary prints rule names as written, control characters aside", () => {
  const text = formatDetectionSummary({
    alertsTotal: 2,
    alertsByPriority: [0, 0, 0, 0, 2, 0, 0, 0],
    alertsByRule: new Map([
      ["Open From Cat ($\\.*+?()[]{}|^)", 1],
      ["two\nlines", 1],
    ]),
  });
  assert.ok(text.includes("   Open From Cat ($\\.*+?()[]{}|^): 1\n"), text);
  assert.ok(text.includes("   two\\u000alines: 1\n"), text);
});
