// falco.yaml `static_fields`: `static.<name>` fields, CHARBUF, valued from the configuration, in the
// schema of every source for this run only; with `append_output: [{suggested_output: true}]` (Falco's
// default) appended to every rule's output as `static_<name>=%static.<name>`. Also what the rules loader
// takes from a configuration's append_output (extra_output, suggested formats, extra_fields).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Alert } from "../../../src/alerts/alert.js";
import { DEFAULT_ALERT_CONFIG } from "../../../src/alerts/alert.js";
import { buildDetector } from "../../../src/engine/detector.js";
import { schemaFor } from "../../../src/fields/registry.js";
import {
  schemaWithStaticFields,
  sourceWithStaticFields,
  suggestedStaticFormats,
} from "../../../src/fields/static.js";
import { syscallSchema } from "../../../src/fields/syscall/schema.js";
import { parseAuditJsonLines, type AuditEvent } from "../../../src/k8saudit/event.js";
import { k8sAuditSource } from "../../../src/k8saudit/source.js";
import { rulesConfigFromConfig } from "../../../src/rules/loader/from-config.js";
import type { RulesConfig } from "../../../src/rules/loader/load.js";
import { corpusPath } from "../../support/paths.js";
import { expectLoaded, loadYaml } from "../config/helpers.js";
import { allBrief, loadText } from "./helpers.js";

test("the static class: CHARBUF fields after the source's own, only for this schema", () => {
  const schema = schemaWithStaticFields(syscallSchema, { env: "prod", "a.b": "x" });
  const resolved = schema.catalogue.resolve("static.env", undefined);
  assert.ok(resolved.ok);
  assert.equal(resolved.field.info.type, "CHARBUF");
  assert.ok(schema.catalogue.resolve("static.a.b", undefined).ok);
  assert.ok(schema.catalogue.resolve("proc.name", undefined).ok, "the source's own fields stay");
  assert.equal(schema.catalogue.resolve("static.nope", undefined).ok, false);
  assert.equal(schema.catalogue.resolve("static.env", "1").ok, false, "no argument");
  const classes = schema.catalogue.classes;
  assert.equal(classes[classes.length - 1].name, "static");
  assert.equal(classes.length, syscallSchema.catalogue.classes.length + 1);
  assert.equal(
    syscallSchema.catalogue.resolve("static.env", undefined).ok,
    false,
    "the registry's is untouched",
  );
  assert.equal(schemaWithStaticFields(syscallSchema, {}), syscallSchema, "no static fields: the same schema");
  assert.equal(sourceWithStaticFields(k8sAuditSource, {}), k8sAuditSource);
});

test("suggested formats: Falco's foo_bar=%foo.bar, in name order", () => {
  assert.deepEqual(suggestedStaticFormats({ zone: "z", env: "prod", "a.b": "x" }), [
    "static_a_b=%static.a.b",
    "static_env=%static.env",
    "static_zone=%static.zone",
  ]);
});

const SYSCALL_RULE = `
- rule: Prod Cat
  desc: d
  condition: evt.type = open and proc.name = cat and static.env = prod
  output: cat in %static.env
  priority: INFO
`;

test("static fields in conditions and outputs load only when configured", () => {
  const withFields = loadText(SYSCALL_RULE, { staticFields: { env: "prod" } });
  assert.deepEqual(allBrief(withFields), []);
  assert.equal(withFields.ruleset.rules[0].output.fields.map((f) => f.key).join(), "static.env");
  const without = loadText(SYSCALL_RULE);
  assert.equal(without.successful, false);
  assert.deepEqual(
    without.files.flatMap((f) => f.errors.map((e) => e.code)),
    ["LOAD_ERR_COMPILE_OUTPUT"],
    "the output is checked first, as in Falco",
  );
  const other = loadText(SYSCALL_RULE, { staticFields: { zone: "eu" } });
  assert.equal(other.successful, false, "only the configured names exist");
});

const AUDIT_RULES = `
- rule: Create In Prod
  desc: d
  condition: ka.verb = create and static.env = prod
  output: "%ka.target.resource created in %static.env"
  priority: WARNING
  source: k8s_audit
`;

function auditEvents(): AuditEvent[] {
  const out: AuditEvent[] = [];
  const text = readFileSync(corpusPath("k8saudit", "create_configmap.json"), "utf8");
  for (const line of parseAuditJsonLines(text)) if (line.result.ok) out.push(...line.result.events);
  return out;
}

/** Load with a configuration's rules settings and run the corpus's audit events through the detector. */
function runAudit(rules: string, config: RulesConfig): Alert[] {
  const loaded = loadText(rules, config);
  assert.deepEqual(allBrief(loaded), []);
  const source = sourceWithStaticFields(k8sAuditSource, config.staticFields ?? {});
  const built = buildDetector(loaded.ruleset, source, {
    alertConfig: { ...DEFAULT_ALERT_CONFIG, hostname: "h", jsonOutput: true, jsonLayout: "current" },
  });
  assert.ok(built.ok);
  const alerts: Alert[] = [];
  for (const e of auditEvents()) built.detector.process(e, "", 1n, (a) => alerts.push(a));
  return alerts;
}

test("every source gets them (Falco adds the class to each loaded source): conditions and output", () => {
  const prod = runAudit(AUDIT_RULES, { staticFields: { env: "prod" } });
  assert.ok(prod.length > 0);
  for (const a of prod) {
    assert.equal(a.message, "configmaps created in prod");
    assert.match(a.outputFields ?? "", /"static\.env":"prod"/);
  }
  assert.deepEqual(
    runAudit(AUDIT_RULES, { staticFields: { env: "dev" } }),
    [],
    "the condition reads the value",
  );
});

test("rulesConfigFromConfig: the stock suggested_output appends the static fields to every rule", () => {
  // A given file starts from Falco's built-in defaults, which have no append_output: nothing appended.
  const bare = expectLoaded(loadYaml("static_fields:\n  env: prod\n")).config;
  assert.deepEqual(rulesConfigFromConfig(bare).extraOutput, []);
  assert.equal(runAudit(AUDIT_RULES, rulesConfigFromConfig(bare))[0].message, "configmaps created in prod");
  // The shipped falco.yaml's (and Saker's stock) entry.
  const config = expectLoaded(
    loadYaml("static_fields:\n  env: prod\n  zone: eu\nappend_output:\n  - suggested_output: true\n"),
  ).config;
  const rules = rulesConfigFromConfig(config);
  assert.deepEqual(rules.staticFields, { env: "prod", zone: "eu" });
  assert.deepEqual(
    rules.extraOutput.map((e) => e.format),
    ["static_env=%static.env", "static_zone=%static.zone"],
  );
  const alerts = runAudit(AUDIT_RULES, rules);
  assert.ok(alerts.length > 0);
  assert.equal(alerts[0].message, "configmaps created in prod static_env=prod static_zone=eu");
  assert.match(alerts[0].output, / configmaps created in prod static_env=prod static_zone=eu$/);

  const off = expectLoaded(
    loadYaml("static_fields:\n  env: prod\nappend_output:\n  - suggested_output: false\n"),
  ).config;
  assert.deepEqual(rulesConfigFromConfig(off).extraOutput, []);
  assert.equal(runAudit(AUDIT_RULES, rulesConfigFromConfig(off))[0].message, "configmaps created in prod");
});

test("rulesConfigFromConfig: per entry, extra_output then suggested formats; extra_fields raw and formatted", () => {
  const config = expectLoaded(
    loadYaml(
      [
        "static_fields:",
        "  env: prod",
        "append_output:",
        "  - match:",
        "      source: syscall",
        "      tags: [a, b]",
        "      rule: R",
        '    extra_output: "on %evt.cpu"',
        "    suggested_output: true",
        "    extra_fields:",
        '      - home: "${HOME}"',
        "      - evt.hostname",
        "  - extra_output: tail",
        "",
      ].join("\n"),
      { env: { HOME: "/root" } },
    ),
  ).config;
  const rules = rulesConfigFromConfig(config);
  const match = { source: "syscall", tags: ["a", "b"], rule: "R" };
  const none = { source: undefined, tags: undefined, rule: undefined };
  assert.deepEqual(rules.extraOutput, [
    { format: "on %evt.cpu", ...match },
    { format: "static_env=%static.env", ...match },
    { format: "tail", ...none },
  ]);
  assert.deepEqual(rules.extraFields, [
    { key: "home", format: "/root", raw: false, ...match },
    { key: "evt.hostname", format: "%evt.hostname", raw: true, ...match },
  ]);
  // Loading with them: a matching syscall rule gets the suggested format and both extra fields.
  const text = SYSCALL_RULE.replace("priority: INFO", "priority: INFO\n  tags: [a, b, c]").replace(
    "Prod Cat",
    "R",
  );
  const loaded = loadText(text, rules);
  assert.deepEqual(allBrief(loaded), []);
  const rule = loaded.ruleset.rules[0];
  assert.equal(rule.output.text, "cat in %static.env on %evt.cpu static_env=%static.env tail");
  assert.deepEqual(
    rule.extraFields.map((f) => [f.key, f.raw, f.format.text]),
    [
      ["evt.hostname", true, "%evt.hostname"],
      ["home", false, "/root"],
    ],
  );
  assert.ok(schemaFor("syscall") === syscallSchema, "loading leaves the registry alone");
});
