// The current upstream rules (falcosecurity/rules and the k8saudit plugin's rules, in the corpus under
// rules/upstream/) load cleanly, together and one by one: Falco gives no error and no warning for them,
// so neither may we. The expanded condition and event types of every rule are pinned in golden files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadRules } from "../../../src/rules/loader/load.js";
import type { RulesInput } from "../../../src/rules/loader/load.js";
import { formatResults } from "../../../src/rules/loader/results.js";
import type { CompiledRule } from "../../../src/rules/ruleset-model.js";
import { priorityName } from "../../../src/rules/priority.js";
import { assertGolden } from "../../support/golden.js";
import { corpusPath, requireCorpus } from "../../support/paths.js";

const FILES = [
  "rules/upstream/falco_rules.yaml",
  "rules/upstream/falco-incubating_rules.yaml",
  "rules/upstream/falco-sandbox_rules.yaml",
  "rules/upstream/k8s_audit_rules.yaml",
];

function input(name: string): RulesInput {
  return { name, text: readFileSync(corpusPath(name), "utf8") };
}

function describe(r: CompiledRule): string {
  const types = r.eventTypes === "all" ? "all" : [...r.eventTypes].sort().join(", ");
  return `# ${r.name}\nsource: ${r.source}  priority: ${priorityName(r.priority)}  event types: ${types}\n${r.conditionText}\n`;
}

test("upstream rules: each file alone loads with no error and no warning; conditions pinned", () => {
  requireCorpus();
  for (const name of FILES) {
    const out = loadRules([input(name)]);
    assert.equal(formatResults(out), `${name}: Ok\n`, name);
    assert.ok(out.ruleset.rules.length > 10, name);
    const base = name
      .split("/")
      .pop()!
      .replace(/\.yaml$/, "");
    assertGolden(`rules/upstream/${base}.conditions.txt`, out.ruleset.rules.map(describe).join("\n"));
  }
});

test("upstream rules: all files together, in both reporting modes; later files' lists and macros win", () => {
  requireCorpus();
  const texts: string[] = [];
  for (const mode of ["all", "falco"] as const) {
    const out = loadRules(FILES.map(input), { mode });
    assert.equal(formatResults(out), FILES.map((f) => `${f}: Ok\n`).join(""), mode);
    texts.push(out.ruleset.rules.map(describe).join("\n"));
  }
  assert.equal(texts[0], texts[1]);
  // The incubating and sandbox files redefine lists of falco_rules.yaml (python_package_managers without
  // `uv`, ...): loaded after it, their definitions are the ones every rule sees, as in Falco.
  assertGolden("rules/upstream/all-together.conditions.txt", texts[0]);
});
