// What users read when rules do not load: the text form (headline, context chain, caret) and Falco's
// `-V` JSON, pinned in golden files, for the corpus's invalid rules files and for cases that exercise
// position mapping (block scalars, macros, appended conditions, exceptions).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadRules } from "../../../src/rules/loader/load.js";
import type { RulesInput } from "../../../src/rules/loader/load.js";
import { formatResults, resultsJson } from "../../../src/rules/loader/results.js";
import { assertGolden } from "../../support/golden.js";
import { corpusPath, requireCorpus } from "../../support/paths.js";
import { validateRules } from "../../../src/cli/commands/rules.js";

function corpusInput(name: string): RulesInput {
  return { name, text: readFileSync(corpusPath(name), "utf8") };
}

const CORPUS_SETS: string[][] = [
  ["rules/falco-tests/invalid_not_yaml.yaml"],
  ["rules/falco-tests/invalid_not_array.yaml"],
  ["rules/falco-tests/invalid_yaml_parse_error.yaml"],
  ["rules/falco-tests/invalid_array_item_not_object.yaml"],
  ["rules/falco-tests/invalid_engine_version_not_number.yaml"],
  ["rules/falco-tests/engine_version_mismatch.yaml"],
  ["rules/falco-tests/invalid_missing_rule_name.yaml"],
  ["rules/falco-tests/invalid_rule_without_output.yaml"],
  ["rules/falco-tests/invalid_macro_loop.yaml"],
  ["rules/falco-tests/invalid_list_loop.yaml"],
  ["rules/falco-tests/invalid_rule_output.yaml"],
  ["rules/falco-tests/invalid_base_macro.yaml", "rules/falco-tests/invalid_append_macro.yaml"],
  ["rules/falco-tests/invalid_append_rule_multiple_docs.yaml"],
  ["rules/falco-tests/exceptions/item_unknown_fields.yaml"],
  ["rules/falco-tests/exceptions/append_item_fields_values_len_mismatch.yaml"],
  ["rules/testing-variants/skip_unknown_error.yaml"],
  ["rules/testing-variants/skip_unknown_evt.yaml"],
  ["rules/falco-tests/plugins/cloudtrail_create_instances.yaml"],
];

const SYNTHETIC: [string, string][] = [
  [
    "folded.yaml",
    "- rule: folded condition\n  desc: d\n  condition: >\n    evt.type = open and\n    proc.name in (cat, dog) and\n    fd.nme = /etc\n  output: o\n  priority: INFO\n",
  ],
  [
    "macro.yaml",
    "- macro: opens\n  condition: |\n    evt.type in (open, openat)\n      and fd.nme = /etc\n" +
      "- rule: uses macro\n  desc: d\n  condition: opens and proc.name = cat\n  output: o\n  priority: INFO\n",
  ],
  [
    "appended.yaml",
    "- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n" +
      "- rule: r\n  condition: and proc.pid > abc\n  override:\n    condition: append\n",
  ],
  [
    "quoted.yaml",
    '- rule: q\n  desc: d\n  condition: "evt.type = open and \\\n    proc.name startswith"\n  output: o\n  priority: INFO\n',
  ],
  [
    "exception.yaml",
    "- rule: e\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n  exceptions:\n" +
      "    - name: by_pid\n      fields: [proc.pid, proc.name]\n      comps: [=, =]\n      values:\n        - [notanumber, cat]\n",
  ],
  ["several.yaml", "- list: l\n  items: [x\n"],
  [
    "many.yaml",
    "- rule: a\n  desc: d\n- rule: b\n  desc: d\n  condition: evt.type = open and undefined_macro\n  output: o\n  priority: INFO\n" +
      "- macro: m\n  condition: (evt.type = open\n- rule: c\n  condition: and x\n  append: true\n- unknown: item\n",
  ],
];

test("error messages: text form, golden", () => {
  requireCorpus();
  let out = "";
  for (const set of CORPUS_SETS)
    out += `$ saker rules validate ${set.join(" ")}\n${formatResults(loadRules(set.map(corpusInput)))}\n`;
  for (const [name, text] of SYNTHETIC)
    out += `$ saker rules validate ${name}\n${formatResults(loadRules([{ name, text }]))}\n`;
  assertGolden("rules/errors.txt", out);
});

test("error messages: --falco-compat stops each file at its first error", () => {
  const [name, text] = SYNTHETIC[SYNTHETIC.length - 1];
  const all = loadRules([{ name, text }]);
  const falco = loadRules([{ name, text }], { mode: "falco" });
  assert.ok(all.files[0].errors.length >= 3);
  assert.equal(falco.files[0].errors.length, 1);
  assert.equal(falco.files[0].errors[0].message, all.files[0].errors[0].message);
  assertGolden("rules/errors-falco-compat.txt", formatResults(falco));
});

test("-V JSON: Falco's shape, golden", () => {
  requireCorpus();
  const sets = [
    ["rules/falco-tests/invalid_yaml_parse_error.yaml"],
    ["rules/falco-tests/invalid_base_macro.yaml", "rules/falco-tests/invalid_overwrite_macro.yaml"],
    ["rules/testing-variants/skip_unknown_evt.yaml"],
  ];
  const docs = sets.map((set) =>
    JSON.stringify(resultsJson(loadRules(set.map(corpusInput), { mode: "falco" }))),
  );
  assertGolden("rules/validate.json.txt", docs.join("\n") + "\n");
  // Keys in nlohmann::json's order (sorted), 0-based yaml-cpp positions.
  const doc = JSON.parse(docs[0]) as {
    falco_load_results: { errors: { context: { locations: unknown[] } }[] }[];
  };
  const loc = doc.falco_load_results[0].errors[0].context.locations[1];
  assert.deepEqual(Object.keys(loc as object), ["item_name", "item_type", "position"]);
  assert.deepEqual((loc as { position: unknown }).position, {
    column: 10,
    line: 0,
    name: "rules/falco-tests/invalid_yaml_parse_error.yaml",
    offset: 10,
  });
});

test("saker rules validate: exit status and output", () => {
  requireCorpus();
  const ok = validateRules([corpusPath("rules/falco-tests/single_rule.yaml")]);
  assert.equal(ok.exitCode, 0);
  assert.match(ok.stdout, /single_rule\.yaml: Ok\n$/);
  const bad = validateRules([corpusPath("rules/falco-tests/invalid_rule_output.yaml")], { json: true });
  assert.equal(bad.exitCode, 1);
  assert.equal(JSON.parse(bad.stdout).falco_load_results[0].successful, false);
  const dir = validateRules([corpusPath("rules/falco-tests/rules_dir") + "/"]);
  assert.equal(dir.exitCode, 0);
  assert.deepEqual(
    dir.stdout
      .trim()
      .split("\n")
      .map((l) => l.replace(/^.*\//, "")),
    ["000-single_rule.yaml: Ok", "001-double_rule.yaml: Ok"],
  );
  const missing = validateRules(["/nonexistent/rules.yaml"]);
  assert.equal(missing.exitCode, 1);
  assert.match(
    missing.stdout,
    /LOAD_ERR_FILE_READ: Could not open file \/nonexistent\/rules.yaml for reading/,
  );
});
