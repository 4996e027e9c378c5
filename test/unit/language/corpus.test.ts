// Every condition of every rules file in the conformance corpus: the upstream rulesets must all parse
// and print back to the same tree; the only failures allowed are the deliberately broken test files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import { parseCondition } from "../../../src/rules/language/parser.js";
import { printExpr } from "../../../src/rules/language/print.js";
import { corpusPath, requireCorpus } from "../../support/paths.js";
import { withoutSpans } from "./shape.js";

interface Condition {
  readonly file: string;
  readonly item: string;
  readonly text: string;
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...yamlFiles(path));
    else if (/\.ya?ml$/.test(name)) out.push(path);
  }
  return out;
}

function itemsOf(path: string): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  for (const doc of parseAllDocuments(readFileSync(path, "utf8"))) {
    let js: unknown;
    try {
      js = doc.toJS();
    } catch {
      continue; // the corpus has deliberately invalid YAML; the reader's tests cover it
    }
    if (!Array.isArray(js)) continue;
    for (const item of js)
      if (item !== null && typeof item === "object") items.push(item as Record<string, unknown>);
  }
  return items;
}

// The conditions of one file's macros and rules. An `append: true` item extends the condition of the
// same name defined earlier in the same file (Falco joins them with a blank); appends whose base is in
// another file are fragments and are checked through cases.json below.
function conditionsOf(path: string): { conditions: Condition[]; fragments: number } {
  const file = relative(corpusPath("rules"), path);
  const byName = new Map<string, Condition>();
  const order: string[] = [];
  let fragments = 0;
  for (const item of itemsOf(path)) {
    const kind =
      typeof item.macro === "string" ? "macro" : typeof item.rule === "string" ? "rule" : undefined;
    if (kind === undefined || typeof item.condition !== "string") continue;
    const key = `${kind} ${String(item[kind])}`;
    const base = byName.get(key);
    if (item.append === true) {
      if (base === undefined) {
        fragments++;
        continue;
      }
      byName.set(key, { ...base, text: `${base.text} ${item.condition}` });
      continue;
    }
    if (!byName.has(key)) order.push(key);
    byName.set(key, { file, item: key, text: item.condition });
  }
  return { conditions: order.map((key) => byName.get(key) as Condition), fragments };
}

test("every condition in the corpus rules files", (t) => {
  requireCorpus();
  let parsed = 0;
  let fragments = 0;
  const failures: string[] = [];
  for (const path of yamlFiles(corpusPath("rules"))) {
    const found = conditionsOf(path);
    fragments += found.fragments;
    for (const condition of found.conditions) {
      const result = parseCondition(condition.text);
      if (!result.ok) {
        failures.push(
          `${condition.file} ${condition.item}: ${result.error.message} at ${result.error.start}`,
        );
        continue;
      }
      parsed++;
      const printed = printExpr(result.expr);
      const reparsed = parseCondition(printed);
      assert.ok(reparsed.ok, `${condition.file} ${condition.item}: printed form does not parse: ${printed}`);
      assert.deepEqual(
        withoutSpans(reparsed.expr),
        withoutSpans(result.expr),
        `${condition.file} ${condition.item}`,
      );
    }
  }
  t.diagnostic(
    `${parsed} conditions parsed, ${failures.length} failed, ${fragments} append fragments skipped`,
  );
  for (const failure of failures) t.diagnostic(`expected failure: ${failure}`);
  // Only the invalid_append test files may fail, with the message Falco's tests expect of them.
  assert.deepEqual(failures, [
    "falco-tests/invalid_append_macro_multiple_docs.yaml macro some macro: " +
      "unexpected token after 'execve', expecting 'or', 'and' at 16",
    "falco-tests/invalid_append_rule_multiple_docs.yaml rule some rule: " +
      "unexpected token after 'open', expecting 'or', 'and' at 14",
    "testing-variants/invalid_append_macro_multiple_docs.yaml macro some_macro: " +
      "unexpected token after 'execve', expecting 'or', 'and' at 16",
  ]);
  assert.ok(parsed > 1300, `only ${parsed} conditions parsed`);
});

test("the upstream rulesets parse completely", () => {
  requireCorpus();
  const files = [
    ...yamlFiles(corpusPath("rules/upstream")),
    ...yamlFiles(corpusPath("rules/falco-rules-1.0.1")),
    ...yamlFiles(corpusPath("rules/k8saudit-rules-0.6.0")),
    ...yamlFiles(corpusPath("rules/k8saudit-rules-0.9.0")),
  ];
  assert.equal(files.length, 7);
  for (const path of files) {
    const { conditions } = conditionsOf(path);
    assert.ok(conditions.length > 10, path);
    for (const condition of conditions) {
      const result = parseCondition(condition.text);
      assert.ok(result.ok, `${condition.file} ${condition.item}: ${result.ok ? "" : result.error.message}`);
    }
  }
});

interface CorpusCase {
  readonly id: string;
  readonly validate_rules_files?: readonly string[];
  readonly expected?: {
    readonly validate_errors?: readonly { code: string; message?: string; item_name: string }[];
  };
}

test("appends across files fail as Falco's invalid_append cases expect", () => {
  requireCorpus();
  const cases = (JSON.parse(readFileSync(corpusPath("cases.json"), "utf8")) as { cases: CorpusCase[] }).cases;
  let checked = 0;
  for (const c of cases) {
    const expected = c.expected?.validate_errors?.find(
      (e) => e.code === "LOAD_ERR_COMPILE_CONDITION" && e.message?.startsWith("unexpected token"),
    );
    if (expected === undefined || c.validate_rules_files === undefined) continue;
    // Join the conditions of the named item across the files, in order, as Falco's append does.
    let text: string | undefined;
    for (const file of c.validate_rules_files) {
      for (const item of itemsOf(corpusPath(file))) {
        if ((item.macro ?? item.rule) !== expected.item_name || typeof item.condition !== "string") continue;
        text = item.append === true && text !== undefined ? `${text} ${item.condition}` : item.condition;
      }
    }
    assert.ok(text !== undefined, c.id);
    const result = parseCondition(text);
    assert.ok(!result.ok, `${c.id}: ${text} should not parse`);
    assert.equal(result.error.message, expected.message, c.id);
    checked++;
  }
  assert.ok(checked >= 4, `only ${checked} cases checked`);
});
