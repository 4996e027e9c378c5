// `saker replay -c CONFIG` honours append_output (extra_output, extra_fields) and static_fields, for a
// scap capture and for audit events alike: the configuration reaches the rules loader and the sources.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { replayCommand } from "../../../src/cli/commands/replay.js";
import { corpusPath } from "../../support/paths.js";

const dir = mkdtempSync(join(tmpdir(), "saker-append-output-"));

const RULES = join(dir, "rules.yaml");
writeFileSync(
  RULES,
  `
- rule: Cat Opens
  desc: d
  condition: evt.type in (open, openat) and proc.name = cat and fd.name = /dev/null and static.site = lab
  output: cat opened %fd.name
  priority: WARNING
  tags: [files]
- rule: Configmap created
  desc: d
  condition: ka.verb = create and ka.target.resource = configmaps and static.site = lab
  output: "configmap %ka.target.name"
  priority: INFO
  source: k8s_audit
`,
);

const CONFIG = join(dir, "falco.yaml");
writeFileSync(
  CONFIG,
  `json_output: true
stdout_output:
  enabled: true
static_fields:
  site: lab
append_output:
  - suggested_output: true
  - match:
      source: syscall
    extra_output: "pid=%proc.pid"
    extra_fields:
      - who: "%proc.name/%user.name"
      - proc.pid
  - match:
      source: k8s_audit
    extra_fields:
      - ka.verb
`,
);

async function replay(
  input: string,
): Promise<{ alerts: Record<string, unknown>[]; err: string; exit: number }> {
  let out = "";
  let err = "";
  let exit = -1;
  await replayCommand(
    [input],
    { rules: [RULES], config: CONFIG },
    { stdout: (t) => void (out += t), stderr: (t) => void (err += t), exit: (c) => void (exit = c) },
    { hostname: "h", env: {} },
  );
  const alerts = out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { alerts, err, exit };
}

test("a capture: extra_output and static suggested output in the text, extra_fields in output_fields", async () => {
  const { alerts, err, exit } = await replay(corpusPath("captures", "cat_write.scap"));
  assert.equal(exit, 0, err);
  assert.ok(alerts.length > 0);
  for (const a of alerts) {
    assert.match(String(a.output), /: Warning cat opened \/dev\/null static_site=lab pid=\d+$/);
    const fields = a.output_fields as Record<string, unknown>;
    assert.deepEqual(Object.keys(fields), ["evt.time", "fd.name", "proc.pid", "static.site", "who"]);
    assert.equal(typeof fields["proc.pid"], "number");
    assert.match(String(fields.who), /^cat\/\S+$/);
    assert.equal(fields["static.site"], "lab");
  }
});

test("audit events: the same configuration, matched by source", async () => {
  const { alerts, err, exit } = await replay(corpusPath("k8saudit", "create_configmap.json"));
  assert.equal(exit, 0, err);
  assert.ok(alerts.length > 0);
  for (const a of alerts) {
    assert.match(String(a.output), /configmap \S+ static_site=lab$/);
    const fields = a.output_fields as Record<string, unknown>;
    assert.equal(fields["ka.verb"], "create");
    assert.equal("who" in fields, false, "the syscall entry does not match");
  }
});
