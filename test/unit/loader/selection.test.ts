// Which rules run: minimum priority, Falco's `rules:` section and the -D/-T/-t flags.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { decodeRulesSection, selectionPlan, selectRules } from "../../../src/rules/selection.js";
import type { SelectionOptions, SelectableRule } from "../../../src/rules/selection.js";
import { Priority } from "../../../src/rules/priority.js";
import { loadRules } from "../../../src/rules/loader/load.js";
import { corpusPath } from "../../support/paths.js";

const rules: SelectableRule[] = [
  { name: "open_from_cat", tags: ["a"], priority: Priority.Warning, enabled: true },
  { name: "open_from_dog", tags: ["b"], priority: Priority.Debug, enabled: true },
  { name: "Write below etc", tags: ["a", "b"], priority: Priority.Error, enabled: true },
  { name: "off_by_default", tags: ["c"], priority: Priority.Notice, enabled: false },
];

function names(options: SelectionOptions, minPriority?: Priority): string[] {
  const plan = selectionPlan(options);
  assert.ok(plan.ok, plan.ok ? "" : plan.message);
  return selectRules(rules, plan.steps, minPriority).map((r) => r.name);
}

test("selection: table", () => {
  const table: [string, SelectionOptions, Priority | undefined, string[]][] = [
    ["nothing", {}, undefined, ["open_from_cat", "open_from_dog", "Write below etc"]],
    ["minimum priority", {}, Priority.Warning, ["open_from_cat", "Write below etc"]],
    ["-D substring", { disabledSubstrings: ["open_from"] }, undefined, ["Write below etc"]],
    [
      "-D does not take regexes",
      { disabledSubstrings: ["open.*"] },
      undefined,
      ["open_from_cat", "open_from_dog", "Write below etc"],
    ],
    ["-T", { disabledTags: ["a"] }, undefined, ["open_from_dog"]],
    [
      "-t enables tagged rules, even disabled ones",
      { enabledTags: ["c", "b"] },
      undefined,
      ["open_from_dog", "Write below etc", "off_by_default"],
    ],
    [
      "rules: wildcard then tag, in order",
      {
        rules: [
          { op: "disable", rule: "*" },
          { op: "enable", rule: "open_from_*" },
          { op: "disable", tag: "b" },
        ],
      },
      undefined,
      ["open_from_cat"],
    ],
    [
      "rules: exact name",
      { rules: [{ op: "disable", rule: "Write below etc" }] },
      undefined,
      ["open_from_cat", "open_from_dog"],
    ],
    [
      "rules: enable a rule disabled in its file",
      { rules: [{ op: "enable", rule: "off_*" }] },
      Priority.Notice,
      ["open_from_cat", "Write below etc", "off_by_default"],
    ],
  ];
  for (const [name, options, min, expected] of table) assert.deepEqual(names(options, min), expected, name);
});

test("selection: forbidden combinations, with Falco's messages", () => {
  const table: [SelectionOptions, string][] = [
    [
      { disabledTags: ["a"], enabledTags: ["a"] },
      "You can not specify both disabled (-D/-T) and enabled (-t) rules",
    ],
    [
      { disabledSubstrings: ["open.*"], enabledTags: ["a"] },
      "You can not specify both disabled (-D/-T) and enabled (-t) rules",
    ],
    [
      { disabledTags: ["a"], rules: [{ op: "enable", tag: "b" }] },
      'Specifying -D, -t, -T command line options together with "rules:" configuration or -o "rules..." is not supported.',
    ],
  ];
  for (const [options, message] of table) {
    const plan = selectionPlan(options);
    assert.ok(!plan.ok);
    assert.equal(plan.message, message);
  }
});

test("selection: the `rules:` section decodes with the offending entry named", () => {
  assert.deepEqual(decodeRulesSection([{ disable: { rule: "*" } }, { enable: { tag: "t", rule: "r" } }]), {
    ok: true,
    entries: [
      { op: "disable", rule: "*" },
      { op: "enable", rule: "r", tag: "t" },
    ],
  });
  const bad: [unknown, string][] = [
    [{}, "rules: expected a sequence of enable/disable entries"],
    [["x"], "rules[0]: expected a mapping with 'enable' or 'disable'"],
    [[{ toggle: {} }], "rules[0]: expected 'enable' or 'disable'"],
    [[{ enable: { rule: 3 } }], "rules[0].enable.rule: expected a string"],
    [[{ disable: {} }], "rules[0].disable: expected 'rule' or 'tag'"],
  ];
  for (const [value, message] of bad) assert.deepEqual(decodeRulesSection(value), { ok: false, message });
});

test("selection: on loaded rules (corpus tagged_rules.yaml, Falco's -T/-t cases)", () => {
  const path = corpusPath("rules/falco-tests/tagged_rules.yaml");
  const loaded = loadRules([{ name: path, text: readFileSync(path, "utf8") }]).ruleset.rules;
  const run = (options: SelectionOptions) => {
    const plan = selectionPlan(options);
    assert.ok(plan.ok);
    return selectRules(loaded, plan.steps).map((r) => r.name);
  };
  // From cases.json: disabled_tags_a leaves open_2, open_3, open_6 (and the untagged ones) running.
  const disabledA = run({ disabledTags: ["a"] });
  for (const n of ["open_1", "open_4", "open_5", "open_7"]) assert.ok(!disabledA.includes(n), n);
  for (const n of ["open_2", "open_3", "open_6"]) assert.ok(disabledA.includes(n), n);
  const onlyD = run({ enabledTags: ["d"] });
  for (const n of ["open_1", "open_2", "open_3", "open_4", "open_5", "open_6", "open_7", "open_8"]) {
    assert.ok(!onlyD.includes(n), n);
  }
});
