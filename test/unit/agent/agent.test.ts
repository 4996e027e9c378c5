// The agent without the probe: rules loading and selection errors as codes, the dispatch and alert path
// fed from a recorded capture, the output queue, reload changing the syscall selection.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, MemoryChannel, formatAgentSummary, type AgentOptions } from "../../../src/agent/index.js";
import { DEFAULT_ALERT_CONFIG } from "../../../src/alerts/alert.js";
import { readScapFile } from "../../../src/capture/scap/reader.js";
import { corpusPath } from "../../support/paths.js";
import { DEFAULT_RULES_DIR } from "../../../src/cli/commands/run.js";

const CAT_RULE = `
- rule: Cat Opens A File
  desc: test rule
  condition: evt.type in (open, openat) and proc.name = cat and fd.typechar = f
  output: "cat opened %fd.name (user=%user.name command=%proc.cmdline)"
  priority: WARNING
  tags: [test]
`;

function rulesFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "saker-agent-"));
  const file = join(dir, "rules.yaml");
  writeFileSync(file, text);
  return file;
}

function options(
  rulesPaths: string[],
  out: MemoryChannel,
  extra: Partial<AgentOptions> = {},
): AgentOptions & { logs: string[] } {
  const logs: string[] = [];
  return {
    rulesPaths,
    alertConfig: { ...DEFAULT_ALERT_CONFIG, jsonOutput: true, hostname: "test-host", jsonLayout: "current" },
    source: "none",
    outputs: [out],
    log: (_l, m) => logs.push(m),
    logs,
    ...extra,
  };
}

test("rules that fail to load, and conflicting selections, stop the start with their codes", async () => {
  const out = new MemoryChannel();
  const bad = rulesFile(
    "- rule: r\n  desc: d\n  condition: evt.type = open and\n  output: o\n  priority: INFO\n",
  );
  const r1 = await Agent.start(options([bad], out));
  assert.equal(r1.ok, false);
  assert.equal(!r1.ok && r1.error.code, "SAKER_RUN_RULES");
  const r2 = await Agent.start(
    options([DEFAULT_RULES_DIR], out, { selection: { disabledTags: ["x"], enabledTags: ["y"] } }),
  );
  assert.equal(!r2.ok && r2.error.code, "SAKER_RUN_SELECTION");
});

test("events fed through the pipeline raise alerts through the queue, as JSON with fields", async () => {
  const out = new MemoryChannel();
  const started = await Agent.start(options([rulesFile(CAT_RULE)], out));
  assert.ok(started.ok);
  const agent = started.agent;
  await readScapFile(corpusPath("captures", "cat_write.scap"), {
    onRecord: (rec) => agent.feedRecord(rec),
    onEvent: (ev) => void agent.feed(ev),
  });
  const exit = await agent.stop();
  assert.equal(exit.error, null);
  assert.ok(out.messages.length > 0, "cat's opens raised alerts");
  const a = JSON.parse(out.messages[0]!.line) as {
    rule: string;
    hostname: string;
    output_fields: Record<string, unknown>;
  };
  assert.equal(a.rule, "Cat Opens A File");
  assert.equal(a.hostname, "test-host");
  assert.equal(a.output_fields["proc.cmdline"] !== undefined, true);
  assert.equal(exit.summary.alertsTotal, out.messages.length);
  assert.equal(exit.summary.alertsByRule.get("Cat Opens A File"), out.messages.length);
  assert.equal(exit.summary.outputs.delivered, out.messages.length);
  assert.ok(exit.summary.events > 0);
  const text = formatAgentSummary(exit.summary);
  assert.match(
    text,
    /^Events detected: \d+\nRule counts by severity:\n {3}WARNING: \d+\nTriggered rules by rule name:\n {3}Cat Opens A File: \d+\n/,
  );
  assert.match(text, /Syscall event drop monitoring:\n {3}- event drop detected: 0 occurrences\n/);
});

test("reload swaps the rules between events and changes the syscall selection; bad rules keep the old ones", async () => {
  const out = new MemoryChannel();
  const first = rulesFile(CAT_RULE);
  const started = await Agent.start(options([first], out));
  assert.ok(started.ok);
  const agent = started.agent;
  const mkdirRule = rulesFile(`
- rule: Directory Made Below Etc
  desc: test rule
  condition: evt.type in (mkdir, mkdirat) and evt.arg.path startswith /etc/
  output: "mkdir below /etc (%evt.arg.path)"
  priority: ERROR
`);
  const r = await agent.reload([first, mkdirRule]);
  assert.equal(r.ok, true);
  assert.equal(r.rules, 2);
  assert.ok(r.added.includes("mkdir") && r.added.includes("mkdirat"), `added: ${r.added.join(",")}`);
  assert.deepEqual(r.removed, []);
  const back = await agent.reload([first]);
  assert.ok(back.removed.includes("mkdir"));
  const broken = await agent.reload([rulesFile("- rule: x\n  condition: nope\n")]);
  assert.equal(broken.ok, false);
  assert.equal(broken.error?.code, "SAKER_RUN_RULES");
  assert.equal(broken.rules, 1, "the previous rules stay");
  await agent.stop();
});
