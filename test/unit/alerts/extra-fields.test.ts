// append_output `extra_fields`: entries of the JSON output_fields that the text never shows. Rules are
// loaded from text with the extra fields (matched by source, all tags and rule name, checked like an
// output), then their alerts are formatted against the test source.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileAlertFormatter, DEFAULT_ALERT_CONFIG, type AlertConfig } from "../../../src/alerts/alert.js";
import { schemaFor } from "../../../src/fields/registry.js";
import type { ExtraOutputField } from "../../../src/rules/loader/compiler.js";
import type { LoadOutcome } from "../../../src/rules/loader/load.js";
import type { CompiledRule } from "../../../src/rules/ruleset-model.js";
import { brief, chain, loadText } from "../loader/helpers.js";
import { testSchema, testSource, type TestEvent } from "./fixture.js";

const TS = 1470327477882054739n;

const RULES = `
- rule: Open
  desc: d
  condition: proc.name = cat
  output: opened %fd.name by %proc.name
  priority: WARNING
  tags: [files, fs]
- rule: Other
  desc: d
  condition: proc.name = ls
  output: other %proc.name
  priority: NOTICE
  tags: [files]
- rule: Audit
  desc: d
  condition: ka.verb = create
  output: audit %ka.verb
  priority: INFO
  source: k8s_audit
  tags: [files, fs]
`;

const event: TestEvent = {
  ts: TS,
  values: { "proc.name": "cat", "proc.pid": 7, "fd.name": "/etc/passwd", "fd.cport": 443 },
};

// The test source stands for syscall; the other sources are the registry's.
const lookup = (source: string) => (source === "syscall" ? testSchema : schemaFor(source));

function load(extraFields: readonly ExtraOutputField[], rules = RULES): LoadOutcome {
  return loadText(rules, { schemaFor: lookup, extraFields });
}

/** Entries for the syscall rules only (the k8s_audit source has no proc.* fields). */
const syscall = (extras: readonly ExtraOutputField[]) => extras.map((e) => ({ ...e, source: "syscall" }));

function ruleNamed(outcome: LoadOutcome, name: string): CompiledRule {
  const rule = outcome.ruleset.rules.find((r) => r.name === name);
  assert.ok(rule !== undefined, `rule ${name} loaded`);
  return rule;
}

const JSON_CONFIG: AlertConfig = {
  ...DEFAULT_ALERT_CONFIG,
  jsonOutput: true,
  jsonLayout: "current",
  hostname: "h",
  utcOffsetSeconds: 0,
};

const formatted = (key: string, format: string, match: Partial<ExtraOutputField> = {}): ExtraOutputField => ({
  key,
  format,
  raw: false,
  ...match,
});
const raw = (key: string, match: Partial<ExtraOutputField> = {}): ExtraOutputField => ({
  key,
  format: "%" + key,
  raw: true,
  ...match,
});

test("formatted and raw extra fields join output_fields in key order; the text is unchanged", () => {
  const plain = ruleNamed(load([]), "Open");
  const loaded = load(
    syscall([formatted("home", "user %proc.name pid %proc.pid"), raw("proc.pid"), raw("fd.cport")]),
  );
  assert.ok(loaded.successful);
  const rule = ruleNamed(loaded, "Open");
  assert.deepEqual(
    rule.extraFields.map((f) => [f.key, f.raw]),
    [
      ["fd.cport", true],
      ["home", false],
      ["proc.pid", true],
    ],
  );
  const alert = compileAlertFormatter(rule, testSource(), JSON_CONFIG).alert(event, TS);
  const without = compileAlertFormatter(plain, testSource(), JSON_CONFIG).alert(event, TS);
  assert.equal(alert.message, "opened /etc/passwd by cat");
  assert.equal(alert.output, without.output, "the text line ignores extra fields");
  assert.equal(
    alert.outputFields,
    `{"evt.time":${TS},"fd.cport":443,"fd.name":"/etc/passwd","home":"user cat pid 7",` +
      `"proc.name":"cat","proc.pid":7}`,
    "raw fields keep their type, formatted ones are text, all keys sorted",
  );
  assert.equal(without.outputFields, `{"evt.time":${TS},"fd.name":"/etc/passwd","proc.name":"cat"}`);

  // The whole JSON alert: output_fields in its sorted place, the output without the extra fields.
  const json = JSON.parse(compileAlertFormatter(rule, testSource(), JSON_CONFIG).render(alert)) as {
    output: string;
    output_fields: Record<string, unknown>;
  };
  assert.ok(json.output.endsWith(": Warning opened /etc/passwd by cat"));
  assert.deepEqual(Object.keys(json.output_fields), [
    "evt.time",
    "fd.cport",
    "fd.name",
    "home",
    "proc.name",
    "proc.pid",
  ]);
});

test("an extra field replaces a message field of the same name; a missing value is null or <NA>", () => {
  const loaded = load(
    syscall([formatted("proc.name", "[%proc.name]"), raw("proc.aname[2]"), formatted("x", "%proc.cmdline")]),
  );
  assert.ok(loaded.successful);
  const alert = compileAlertFormatter(ruleNamed(loaded, "Open"), testSource(), JSON_CONFIG).alert(event, TS);
  assert.equal(alert.message, "opened /etc/passwd by cat");
  assert.equal(
    alert.outputFields,
    `{"evt.time":${TS},"fd.name":"/etc/passwd","proc.aname[2]":null,"proc.name":"[cat]","x":"<NA>"}`,
  );
});

test("a later entry for the same key wins; an empty format adds nothing", () => {
  const loaded = load(
    syscall([formatted("k", "first"), formatted("k", "second %proc.pid"), formatted("empty", "")]),
  );
  assert.ok(loaded.successful);
  const alert = compileAlertFormatter(ruleNamed(loaded, "Open"), testSource(), JSON_CONFIG).alert(event, TS);
  assert.equal(
    alert.outputFields,
    `{"evt.time":${TS},"fd.name":"/etc/passwd","k":"second 7","proc.name":"cat"}`,
  );
});

test("extra fields match rules by source, all tags and rule name", () => {
  const loaded = load([
    formatted("any", "a"),
    formatted("by_source", "s", { source: "syscall" }),
    formatted("by_audit", "s", { source: "k8s_audit" }),
    formatted("both_tags", "t", { tags: ["files", "fs"] }),
    formatted("one_tag", "t", { tags: ["files"] }),
    formatted("missing_tag", "t", { tags: ["files", "network"] }),
    formatted("by_rule", "r", { rule: "Other" }),
    formatted("rule_and_source", "r", { rule: "Open", source: "k8s_audit" }),
  ]);
  assert.ok(loaded.successful, loaded.files.flatMap((f) => f.errors.map(brief)).join("\n"));
  const keys = (name: string) => ruleNamed(loaded, name).extraFields.map((f) => f.key);
  assert.deepEqual(keys("Open"), ["any", "both_tags", "by_source", "one_tag"]);
  assert.deepEqual(keys("Other"), ["any", "by_rule", "by_source", "one_tag"]);
  assert.deepEqual(keys("Audit"), ["any", "both_tags", "by_audit", "one_tag"]);
});

test("without output_fields (text, or the property off) the extra fields cost nothing", () => {
  const rule = ruleNamed(load(syscall([formatted("home", "%proc.name")])), "Open");
  const text = compileAlertFormatter(rule, testSource(), { ...JSON_CONFIG, jsonOutput: false });
  assert.equal(text.alert(event, TS).outputFields, undefined);
  const off = compileAlertFormatter(rule, testSource(), {
    ...JSON_CONFIG,
    jsonIncludeOutputFieldsProperty: false,
  });
  assert.equal(off.alert(event, TS).outputFields, undefined);
});

test("an invalid extra field is a load error at the rule's output, never a crash", () => {
  const cases: [ExtraOutputField, string][] = [
    [
      raw("no.such_field"),
      "append_output extra field 'no.such_field': invalid formatting token no.such_field",
    ],
    [formatted("home", "user %nope"), "append_output extra field 'home': invalid formatting token nope"],
    [
      formatted("pct", "100%"),
      "append_output extra field 'pct': invalid formatting syntax: formatting cannot end with a %",
    ],
  ];
  for (const [extra, message] of cases) {
    const loaded = load([{ ...extra, rule: "Open" }]);
    assert.equal(loaded.successful, false);
    const errors = loaded.files.flatMap((f) => f.errors);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, "LOAD_ERR_COMPILE_OUTPUT");
    assert.equal(errors[0].message, message);
    assert.match(chain(errors[0]), /^rule 'Open'@2:3 > rule output@5:11$/);
    assert.equal(ruleNamed(load([]), "Open").name, "Open");
    assert.deepEqual(
      loaded.ruleset.rules.map((r) => r.name),
      ["Other", "Audit"],
      "the rule with the bad extra field is not loaded",
    );
  }
  // skip-if-unknown-filter does not excuse it (Falco throws for extra fields).
  const skipping = RULES.replace(
    "  tags: [files, fs]\n",
    "  tags: [files, fs]\n  skip-if-unknown-filter: true\n",
  );
  const loaded = load([raw("no.such_field", { rule: "Open" })], skipping);
  assert.deepEqual(
    loaded.files.flatMap((f) => f.errors.map((e) => e.code)),
    ["LOAD_ERR_COMPILE_OUTPUT"],
  );
  // An entry for every source is checked against each: the k8s_audit rule has no proc.pid.
  const everywhere = load([raw("proc.pid")]);
  assert.deepEqual(
    everywhere.files.flatMap((f) => f.errors.map((e) => `${chain(e)} ${e.message}`)),
    [
      "rule 'Audit'@14:3 > rule output@17:11 append_output extra field 'proc.pid': invalid formatting token proc.pid",
    ],
  );
  // A bad extra field that matches no rule is never compiled, as in Falco.
  assert.ok(load([raw("no.such_field", { rule: "Nothing" })]).successful);
});
