// The collector alone: read items (the reader is only a fixture builder here) applied in order.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Diagnostic } from "../../../src/diagnostics/diagnostic.js";
import { Collector } from "../../../src/rules/loader/collector.js";
import { isValidField } from "../../../src/rules/loader/load.js";
import { readRules } from "../../../src/rules/loader/reader.js";
import { schemaFor } from "../../../src/fields/registry.js";
import { brief, rule } from "./helpers.js";

function collect(...texts: string[]): { col: Collector; diags: string[] } {
  const col = new Collector({ schemaFor, engineVersion: { major: 0, minor: 63, patch: 0 }, isValidField });
  const diags: Diagnostic[] = [];
  texts.forEach((text, i) => {
    for (const step of readRules(`f${i}.yaml`, text).steps) {
      if (step.kind === "item") col.collect(step.item, (d) => diags.push(d));
      else if (step.kind === "failed") col.markFailed(step.itemKind, step.name);
    }
  });
  return { col, diags: diags.map(brief) };
}

test("collector: definitions, appends and overrides of lists and macros", () => {
  const { col, diags } = collect(
    "- list: a\n  items: [x]\n- list: b\n  items: [y]\n- list: a\n  items: [z]\n  append: true\n" +
      "- list: b\n  items: [w]\n- list: a\n  items: [v]\n  override:\n    items: append\n" +
      "- macro: m\n  condition: evt.type=open\n- macro: m\n  condition: or evt.type=close\n  override:\n    condition: append\n",
  );
  assert.deepEqual(diags, []);
  assert.deepEqual([...col.lists.keys()], ["a", "b"], "a redefinition keeps the first position");
  assert.deepEqual(
    col.lists.get("a")!.items.map((i) => i.value),
    ["x", "z", "v"],
  );
  assert.deepEqual(
    col.lists.get("b")!.items.map((i) => i.value),
    ["w"],
  );
  assert.equal(col.lists.get("b")!.index, 1);
  assert.ok(col.lists.get("b")!.visibility > col.lists.get("b")!.index);
  assert.equal(col.macros.get("m")!.condition.text, "evt.type=open or evt.type=close");
});

test("collector: appending to what does not exist", () => {
  const table: [string, string][] = [
    [
      "- list: l\n  items: [x]\n  append: true\n",
      "List has 'append' key but no list by that name already exists",
    ],
    [
      "- list: l\n  items: [x]\n  override:\n    items: append\n",
      "List uses 'override.items: append' but no list by that name already exists",
    ],
    [
      "- macro: m\n  condition: x\n  append: true\n",
      "Macro has 'append' key but no macro by that name already exists",
    ],
    [
      "- rule: r\n  condition: x\n  append: true\n",
      "Rule has 'append' key but no rule by that name already exists",
    ],
    [
      "- rule: r\n  condition: x\n  override:\n    condition: append\n",
      "Rule uses 'override.<key>: append' but no rule by that name already exists",
    ],
    [
      "- rule: r\n  condition: x\n  override:\n    condition: replace\n",
      "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists",
    ],
    ["- rule: r\n  enabled: true\n", "Rule has 'enabled' key but no rule by that name already exists"],
  ];
  for (const [text, message] of table) {
    const { diags } = collect(text);
    assert.deepEqual(
      diags.filter((d) => d.includes("LOAD_ERR")),
      [`1:3 LOAD_ERR_VALIDATE ${message}`],
      text,
    );
  }
});

test("collector: no follow-on error for an item whose definition failed to read", () => {
  const { diags } = collect("- rule: r\n  desc: d\n", "- rule: r\n  condition: and x\n  append: true\n");
  assert.deepEqual(
    diags.filter((d) => d.includes("LOAD_ERR")),
    [],
  );
});

test("collector: rule appends and replaces", () => {
  const { col, diags } = collect(
    rule("r", "evt.type=open", "  tags: [b]\n") +
      "- rule: r\n  condition: and proc.name=cat\n  output: extra=%fd.name\n  desc: more\n  tags: [a]\n" +
      "  override:\n    condition: append\n    output: append\n    desc: append\n    tags: append\n" +
      "- rule: r\n  priority: ERROR\n  enabled: false\n  override:\n    priority: replace\n    enabled: replace\n",
  );
  assert.deepEqual(diags, []);
  const r = col.rules.get("r")!;
  assert.equal(r.condition.text, "evt.type=open and proc.name=cat");
  assert.equal(r.output.text, "o=%proc.name extra=%fd.name");
  assert.equal(r.desc, "d more");
  assert.deepEqual(r.tags, ["a", "b"]);
  assert.equal(r.priority, 3);
  assert.equal(r.enabled, false);
});

test("collector: appended rule with nothing to append", () => {
  const { diags } = collect(rule("r", "evt.type=open") + "- rule: r\n  append: true\n");
  assert.ok(
    diags.includes("6:3 LOAD_ERR_VALIDATE Appended rule must have exceptions or condition property"),
    diags.join("\n"),
  );
});

test("collector: a rule may not change source", () => {
  const { diags } = collect(
    rule("r", "ka.verb = GET", "  source: k8s_audit\n") + rule("r", "evt.type=open", "  source: syscall\n"),
  );
  assert.deepEqual(diags, ["7:3 LOAD_ERR_VALIDATE Rule has been re-defined with a different source"]);
});

test("collector: a rule of an unknown source is kept (appends work) and warned about", () => {
  const { col, diags } = collect(
    rule("r", "evt.type=open", "  source: mysource\n") +
      "- rule: r\n  condition: or evt.type=openat\n  append: true\n",
  );
  assert.deepEqual(diags, ["1:3 LOAD_UNKNOWN_SOURCE Unknown source mysource, skipping"]);
  assert.equal(col.rules.get("r")!.unknownSource, true);
  assert.equal(col.rules.get("r")!.condition.text, "evt.type=open or evt.type=openat");
});

test("collector: exceptions are validated against the rule's source", () => {
  const ex = (body: string) => rule("r", "evt.type=open", `  exceptions:\n    - name: ex1\n${body}`);
  const table: [string, string][] = [
    [
      "      fields: [proc.name, fd.name]\n      comps: [=]\n",
      "Fields and comps lists must have equal length",
    ],
    [
      "      fields: [proc.name, fd.name]\n      comps: [=, no-comp]\n",
      "'no-comp' is not a supported comparison operator",
    ],
    ["      fields: [not.exist]\n", "'not.exist' is not a supported filter field"],
    // A transformer is checked as the filter `<field> exists` would be: types included.
    ["      fields: [toupper(proc.pid)]\n", "'toupper(proc.pid)' is not a supported filter field"],
    ["      fields: proc.name\n      comps: [in]\n", "Fields and comps must both be strings"],
    [
      "      fields: proc.name\n      comps: =\n",
      "When fields is a single value, comps must be one of (in, pmatch, intersects) or a modifier operator (e.g. startswith oneof)",
    ],
    ["      fields:\n", "Rule exception item must have fields property with a list of fields"],
  ];
  for (const [body, message] of table) {
    const { diags } = collect(ex(body));
    assert.deepEqual(diags, [`7:7 LOAD_ERR_VALIDATE ${message}`], body);
  }
  // Accepted: transformers and arguments, modifiers, default comps.
  for (const body of [
    "      fields: [tolower(proc.name), proc.aname[2]]\n",
    "      fields: [proc.name]\n      comps: [startswith oneof]\n",
    "      fields: proc.name\n      comps: pmatch\n",
  ]) {
    assert.deepEqual(collect(ex(body)).diags, [], body);
  }
  const { col } = collect(ex("      fields: [proc.name, fd.name]\n"));
  const comps = col.rules.get("r")!.exceptions[0].comps!;
  assert.ok(comps.isList && comps.items.every((c) => !c.isList && c.item === "="));
});

test("collector: appending exceptions", () => {
  const base = rule(
    "r",
    "evt.type=open",
    "  exceptions:\n    - name: ex1\n      fields: [proc.name, fd.name]\n      values:\n        - [a, b]\n",
  );
  const table: [string, string | undefined][] = [
    ["    - name: ex1\n      values:\n        - [c, d]\n", undefined],
    [
      "    - name: ex1\n      fields: [proc.name]\n",
      "Can not append exception fields to existing exception, only values",
    ],
    [
      "    - name: ex1\n      comps: [in]\n",
      "Can not append exception comps to existing exception, only values",
    ],
    [
      "    - name: ex2\n      values:\n        - [c]\n",
      "Rule exception must have fields property with a list of fields",
    ],
    [
      "    - name: ex2\n      fields: [proc.name]\n",
      "Rule exception must have values property with a list of values",
    ],
  ];
  for (const [body, message] of table) {
    const { col, diags } = collect(
      base + `- rule: r\n  exceptions:\n${body}  override:\n    exceptions: append\n`,
    );
    const errors = diags.filter((d) => d.includes("LOAD_ERR"));
    if (message === undefined) {
      assert.deepEqual(errors, [], body);
      assert.equal(col.rules.get("r")!.exceptions[0].values.length, 2);
    } else {
      assert.equal(errors.length, 1, body);
      assert.ok(errors[0].endsWith(message), `${body}: ${errors[0]}`);
    }
  }
});

test("collector: engine and plugin version requirements", () => {
  assert.deepEqual(collect("- required_engine_version: 0.57.0\n- required_engine_version: 15\n").diags, []);
  assert.deepEqual(collect("- required_engine_version: 9999999\n").diags, [
    "1:3 LOAD_ERR_VALIDATE Rules require engine version 9999999, but engine version is 0.63.0",
  ]);
  assert.deepEqual(collect("- required_engine_version: 1.0.0\n").diags, [
    "1:3 LOAD_ERR_VALIDATE Rules require engine version 1.0.0, but engine version is 0.63.0",
  ]);
  const { col } = collect(
    "- required_engine_version: 0.26.0\n- required_engine_version: 0.57.0\n- required_engine_version: 17\n",
  );
  assert.equal(col.requiredEngineVersion?.text, "0.57.0");
  assert.deepEqual(collect("- required_plugin_versions:\n  - name: p\n    version: latest\n").diags, [
    "2:5 LOAD_ERR_VALIDATE Invalid required version 'latest' for plugin 'p'",
  ]);
  assert.deepEqual(
    collect(
      "- required_plugin_versions:\n  - name: p\n    version: 1.0.0\n    alternatives:\n      - name: p\n        version: 2.0.0\n",
    ).diags,
    ["2:5 LOAD_ERR_VALIDATE Defined multiple alternative version requirements for plugin 'p'"],
  );
});
