// The detector end to end on a real source: rules loaded from text, planned against the k8s_audit
// source, fed real audit events from the corpus.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadRules } from "../../../src/rules/loader/load.js";
import { buildDetector } from "../../../src/engine/detector.js";
import type { Alert } from "../../../src/alerts/alert.js";
import { DEFAULT_ALERT_CONFIG } from "../../../src/alerts/alert.js";
import { parseAuditJsonLines } from "../../../src/k8saudit/event.js";
import type { AuditEvent } from "../../../src/k8saudit/event.js";
import { k8sAuditSource } from "../../../src/k8saudit/source.js";
import { Priority } from "../../../src/rules/priority.js";
import { corpusPath } from "../../support/paths.js";

const RULES = `
- rule: Cluster role created
  desc: d
  condition: ka.verb = create and ka.target.resource = clusterroles
  output: "role %ka.target.name created by %ka.user.name"
  priority: WARNING
  source: k8s_audit
  tags: [rbac]
- rule: Any create
  desc: d
  condition: ka.verb = create
  output: "create of %ka.target.resource"
  priority: DEBUG
  source: k8s_audit
- rule: A syscall rule
  desc: d
  condition: evt.type = open
  output: "%proc.name"
  priority: INFO
`;

function events(file: string): AuditEvent[] {
  const out: AuditEvent[] = [];
  for (const line of parseAuditJsonLines(readFileSync(corpusPath("k8saudit", file), "utf8"))) {
    if (line.result.ok) out.push(...line.result.events);
  }
  return out;
}

function run(
  matching: "first" | "all",
  minPriority?: Priority,
): { alerts: Alert[]; counts: Map<string, number> } {
  const loaded = loadRules([{ name: "r.yaml", text: RULES }]);
  assert.ok(loaded.successful);
  const built = buildDetector(loaded.ruleset, k8sAuditSource, {
    matching,
    alertConfig: { ...DEFAULT_ALERT_CONFIG, hostname: "h" },
    selection: { minPriority },
  });
  assert.ok(built.ok);
  assert.deepEqual(
    built.detector.rules.map((r) => r.name),
    minPriority === undefined ? ["Cluster role created", "Any create"] : ["Cluster role created"],
    "only the k8s_audit rules, in load order",
  );
  const alerts: Alert[] = [];
  for (const e of [...events("create_clusterrole.json"), ...events("create_configmap.json")]) {
    built.detector.process(e, "", 0n, (a) => alerts.push(a));
  }
  return { alerts, counts: built.detector.countsByRule() };
}

test("first matching rule wins by default", () => {
  const { alerts, counts } = run("first");
  assert.deepEqual(
    alerts.map((a) => a.rule),
    ["Cluster role created", "Any create"],
  );
  assert.equal(alerts[0].message, "role some-reader created by minikube-user");
  assert.equal(alerts[1].message, "create of configmaps");
  assert.deepEqual(
    [...counts],
    [
      ["Cluster role created", 1],
      ["Any create", 1],
    ],
  );
});

test("rule_matching all raises every matching rule", () => {
  const { alerts } = run("all");
  assert.deepEqual(
    alerts.map((a) => a.rule),
    ["Cluster role created", "Any create", "Any create"],
  );
});

test("minimum priority drops rules below it", () => {
  const { alerts } = run("first", Priority.Warning);
  assert.deepEqual(
    alerts.map((a) => a.rule),
    ["Cluster role created"],
  );
});
