// The compiler: expansion of lists and macros, exceptions as condition text, checks, event types and
// the warnings Falco gives. Expected conditions are libsinsp's as_string of Falco's compiled rules,
// taken from Falco's own unit tests where they exist (unit_tests/engine/test_rule_loader.cpp).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Collector } from "../../../src/rules/loader/collector.js";
import { compileRules } from "../../../src/rules/loader/compiler.js";
import { defaultChecker } from "../../../src/rules/loader/engine-adapter.js";
import { isValidField } from "../../../src/rules/loader/load.js";
import { readRules } from "../../../src/rules/loader/reader.js";
import { schemaFor } from "../../../src/fields/registry.js";
import { allBrief, brief, chain, loadText, rule } from "./helpers.js";

/** Compile one text with the compiler alone (reader and collector as fixture builders). */
function compile(text: string, stopAtFirstError = false) {
  const col = new Collector({ schemaFor, engineVersion: { major: 0, minor: 63, patch: 0 }, isValidField });
  for (const step of readRules("rules.yaml", text).steps) {
    if (step.kind === "item") col.collect(step.item, (d) => assert.fail(`collector: ${brief(d)}`));
    else if (step.kind === "diagnostic" && step.diagnostic.severity === "error")
      assert.fail(brief(step.diagnostic));
  }
  return compileRules(col, { schemaFor, checker: defaultChecker, stopAtFirstError });
}

function condition(text: string, name = "r"): string {
  const out = compile(text);
  const r = out.ruleset.rules.find((x) => x.name === name);
  assert.ok(r !== undefined, `rule ${name} not compiled: ${out.diagnostics.map(brief).join("; ")}`);
  return r.conditionText;
}

test("compiler: expanded conditions, table", () => {
  const table: [string, string, string][] = [
    [
      "list appended by override",
      "- list: shell_binaries\n  items: [ash, bash]\n" +
        rule("r", "evt.type=open and proc.name in (shell_binaries)") +
        "- list: shell_binaries\n  items: [pwsh]\n  override:\n    items: append\n",
      "(evt.type = open and proc.name in (ash, bash, pwsh))",
    ],
    [
      "list in a list (defined before)",
      "- list: a\n  items: [x]\n- list: b\n  items: [a, y]\n" +
        rule("r", "evt.type=open and proc.name in (b)"),
      "(evt.type = open and proc.name in (x, y))",
    ],
    [
      "a list whose items name a later list is expanded again by it",
      "- list: b\n  items: [a, y]\n- list: a\n  items: [x]\n" +
        rule("r", "evt.type=open and proc.name in (b)"),
      "(evt.type = open and proc.name in (x, y))",
    ],
    [
      "list used as a bare value",
      "- list: cat_binaries\n  items: [cat]\n" + rule("r", "evt.type=open and proc.name=cat_binaries"),
      "(evt.type = open and proc.name = cat)",
    ],
    [
      "quoted values are not list names; items with blanks are quoted",
      "- list: l\n  items: ['\"one string\"', two words, plain]\n" +
        rule("r", 'evt.type=open and fd.name in (l, "l", file_l)'),
      '(evt.type = open and fd.name in ("one string", "two words", plain, "l", file_l))',
    ],
    [
      "empty list",
      "- list: l\n  items: []\n" + rule("r", "evt.type=open and proc.name in (l, x)"),
      "(evt.type = open and proc.name in (x))",
    ],
    [
      "macro appended by override",
      "- macro: interactive\n  condition: >\n    ((proc.aname=sshd and proc.name != sshd) or\n    proc.name=login)\n" +
        rule("r", "evt.type=open and interactive") +
        "- macro: interactive\n  condition: or proc.name = ssh\n  override:\n    condition: append\n",
      "(evt.type = open and (((proc.aname = sshd and proc.name != sshd) or proc.name = login) or proc.name = ssh))",
    ],
    [
      "macro in macro, lists in macros",
      "- list: l\n  items: [cat]\n- macro: a\n  condition: proc.name in (l)\n- macro: b\n  condition: evt.type=open and a\n" +
        rule("r", "b and not a"),
      "((evt.type = open and proc.name in (cat)) and not proc.name in (cat))",
    ],
    [
      "a rule sees macros defined after it",
      rule("r", "m") + "- macro: m\n  condition: evt.type in (open,openat)\n",
      "evt.type in (open, openat)",
    ],
    [
      "legacy rule append",
      rule("r", "evt.type in (open,openat)") +
        "- rule: r\n  condition: and proc.name = cat\n  append: true\n",
      "(evt.type in (open, openat) and proc.name = cat)",
    ],
    [
      "exception with a list of fields",
      rule(
        "r",
        "proc.cmdline contains curl or proc.cmdline contains wget",
        "  exceptions:\n    - name: e\n      fields: [proc.cmdline]\n      comps: [contains]\n      values:\n        - [curl 127.0.0.1]\n",
      ),
      '((proc.cmdline contains curl or proc.cmdline contains wget) and not proc.cmdline contains "curl 127.0.0.1")',
    ],
    [
      "exception with a single field",
      rule(
        "r",
        "evt.type=open",
        "  exceptions:\n    - name: e\n      fields: proc.name\n      values: [cat, my app]\n",
      ),
      '(evt.type = open and not proc.name in (cat, "my app"))',
    ],
    [
      "exception values that are lists, list references and modifiers",
      "- list: apps\n  items: [nginx, apache]\n" +
        rule(
          "r",
          "evt.type=open",
          "  exceptions:\n    - name: e\n      fields: [proc.name, fd.name, proc.pname]\n" +
            "      comps: [in, startswith oneof, in]\n      values:\n        - [[cat, dog], [/etc, /tmp], apps]\n" +
            "        - [[x], [/a], (y)]\n",
        ),
      "(evt.type = open and not ((proc.name in (cat, dog) and fd.name startswith oneof (/etc, /tmp) and proc.pname in (nginx, apache)) or (proc.name in (x) and fd.name startswith oneof (/a) and proc.pname in (y))))",
    ],
    [
      "exception without values adds nothing but the parentheses",
      rule(
        "r",
        "evt.type=open or evt.type=close",
        "  exceptions:\n    - name: e\n      fields: [proc.name]\n",
      ),
      "(evt.type = open or evt.type = close)",
    ],
  ];
  for (const [name, text, expected] of table) assert.equal(condition(text), expected, name);
});

test("compiler: errors, with Falco's codes and messages, at the right place", () => {
  const table: [string, string, string[]][] = [
    [
      "undefined macro in a rule",
      rule("r", "evt.type=open and bar"),
      ["3:32 LOAD_ERR_VALIDATE Undefined macro 'bar' used in filter."],
    ],
    [
      "undefined macro in an unused macro",
      "- macro: m\n  condition: foo\n",
      ["2:14 LOAD_ERR_VALIDATE Undefined macro 'foo' used in filter."],
    ],
    [
      "macro referring to a macro defined later",
      "- macro: a\n  condition: b\n- macro: b\n  condition: evt.type=open\n" + rule("r", "a"),
      ["2:14 LOAD_ERR_VALIDATE Undefined macro 'b' used in filter."],
    ],
    [
      "macro loop",
      "- macro: macro_a\n  condition: evt.type=open\n- macro: macro_b\n  condition: macro_a\n- macro: macro_a\n  condition: macro_b\n",
      ["6:14 LOAD_ERR_VALIDATE reference loop in macro 'macro_b'"],
    ],
    [
      "parse error in a rule",
      rule("r", "evt.type=open bar"),
      ["3:28 LOAD_ERR_COMPILE_CONDITION unexpected token after 'open', expecting 'or', 'and'"],
    ],
    [
      "unknown field inside a macro points into the macro",
      "- macro: m\n  condition: proc.nobody=cat\n" + rule("r", "evt.type=open and m"),
      ["2:14 LOAD_ERR_COMPILE_CONDITION filter_check called with nonexistent field proc.nobody"],
    ],
    [
      "list loop leaves a list name as a value",
      "- list: list_a\n  items: [open]\n- list: list_b\n  items: [list_a]\n- list: list_a\n  items: [list_b]\n" +
        rule("r", "evt.type in (list_a)"),
      ["9:27 LOAD_ERR_COMPILE_CONDITION unknown event type list_a"],
    ],
    [
      "a list of several items as a single value",
      "- list: l\n  items: [a, b]\n" + rule("r", "evt.type=open and proc.name=l"),
      ["5:42 LOAD_ERR_COMPILE_CONDITION list 'l' has 2 items and cannot stand for the single value of '='"],
    ],
    [
      "invalid output",
      '- rule: r\n  desc: d\n  condition: evt.type=open\n  output: "seen %not_a_real_field"\n  priority: INFO\n',
      ["4:17 LOAD_ERR_COMPILE_OUTPUT invalid formatting token not_a_real_field"],
    ],
    [
      "exception values of the wrong length",
      rule(
        "r",
        "evt.type=open",
        "  exceptions:\n    - name: ex1\n      fields: [proc.name, fd.name]\n      values:\n        - [a]\n",
      ),
      ["7:7 LOAD_ERR_VALIDATE Fields and values lists must have equal length"],
    ],
    [
      "single-field exception with list values",
      rule(
        "r",
        "evt.type=open",
        "  exceptions:\n    - name: ex1\n      fields: proc.name\n      values:\n        - [a]\n",
      ),
      ["7:7 LOAD_ERR_VALIDATE Expected values array to contain a list of strings"],
    ],
  ];
  for (const [name, text, expected] of table) {
    const errors = compile(text).diagnostics.filter((d) => d.severity === "error");
    assert.deepEqual(errors.map(brief), expected, name);
  }
});

test("compiler: an error inside a macro body is reported in the rule, then in the macro", () => {
  const out = compile(
    "- macro: m\n  condition: >\n    evt.type=open and\n    proc.nobody=cat\n" + rule("r", "m"),
  );
  const err = out.diagnostics.find((d) => d.severity === "error")!;
  assert.equal(
    chain(err),
    "rule 'r'@5:3 > rule condition@7:14 > macro 'm'@1:3 > macro condition@2:14 > condition expression@4:5",
  );
  assert.equal(err.length, "proc.nobody".length);
});

test("compiler: every problem, or Falco's first", () => {
  const text =
    rule("a", "evt.type=open and x1") +
    rule("b", "evt.type=open and x2") +
    "- macro: m\n  condition: evt.type=open\n";
  assert.deepEqual(compile(text).diagnostics.map(brief), [
    "3:32 LOAD_ERR_VALIDATE Undefined macro 'x1' used in filter.",
    "8:32 LOAD_ERR_VALIDATE Undefined macro 'x2' used in filter.",
  ]);
  assert.deepEqual(compile(text, true).diagnostics.map(brief), [
    "3:32 LOAD_ERR_VALIDATE Undefined macro 'x1' used in filter.",
  ]);
});

test("compiler: no follow-on error for a macro whose definition failed to read", () => {
  const out = loadText("- macro: m\n  conditon: evt.type=open\n" + rule("r", "m and proc.name=cat"));
  assert.deepEqual(allBrief(out), ["1:3 LOAD_ERR_YAML_VALIDATE Item has no mapping for key 'condition'"]);
  assert.equal(out.ruleset.rules.length, 0);
});

test("compiler: warnings", () => {
  const table: [string, string, string[]][] = [
    [
      "unused macro and list (only when there is no error)",
      "- list: l\n  items: [x]\n- macro: m\n  condition: evt.type=open\n",
      [
        "3:3 LOAD_UNUSED_MACRO Macro not referred to by any other rule/macro",
        "1:3 LOAD_UNUSED_LIST List not referred to by any other rule/macro",
      ],
    ],
    [
      "a list used by an unused macro, or by another list, is used",
      "- list: a\n  items: [x]\n- list: b\n  items: [a]\n- macro: m\n  condition: proc.name in (b)\n",
      ["5:3 LOAD_UNUSED_MACRO Macro not referred to by any other rule/macro"],
    ],
    [
      "a macro used by an unused macro is used",
      "- macro: a\n  condition: evt.type=open\n- macro: b\n  condition: a\n",
      ["3:3 LOAD_UNUSED_MACRO Macro not referred to by any other rule/macro"],
    ],
    [
      "no event type",
      rule("r", "proc.name=foo"),
      [
        "1:3 LOAD_NO_EVTTYPE Rule matches too many evt.type values. This has a significant performance penalty.",
      ],
    ],
    ["no event type, not warned", rule("r", "proc.name=foo", "  warn_evttypes: false\n"), []],
    [
      "skip-if-unknown-filter: unknown field",
      rule("r", "evt.type=open and proc.nobody=cat", "  skip-if-unknown-filter: true\n"),
      ["3:32 LOAD_UNKNOWN_FILTER filter_check called with nonexistent field proc.nobody"],
    ],
    [
      "skip-if-unknown-filter: unknown event type",
      rule("r", "evt.type=some_invalid_event", "  skip-if-unknown-filter: true\n"),
      ["3:23 LOAD_UNKNOWN_FILTER unknown event type some_invalid_event"],
    ],
    [
      "skip-if-unknown-filter: unknown output field",
      "- rule: r\n  desc: d\n  condition: evt.type=open\n  output: x=%proc.nobody\n  priority: INFO\n  skip-if-unknown-filter: true\n",
      ["4:13 LOAD_UNKNOWN_FILTER invalid formatting token proc.nobody"],
    ],
  ];
  for (const [name, text, expected] of table)
    assert.deepEqual(compile(text).diagnostics.map(brief), expected, name);
  // A skipped rule is not in the ruleset.
  assert.equal(
    compile(rule("r", "proc.nobody=cat", "  skip-if-unknown-filter: true\n")).ruleset.rules.length,
    0,
  );
});

test("compiler: the compiled model", () => {
  const out = loadText(
    "- required_engine_version: 0.26.0\n- list: l\n  items: [cat]\n- macro: m\n  condition: proc.name in (l)\n" +
      rule(
        "r",
        "evt.type in (open, openat) and m",
        "  tags: [z, a]\n  enabled: false\n  exceptions:\n    - name: e\n      fields: [fd.name]\n      values:\n        - [/tmp]\n",
      ),
  );
  assert.deepEqual(allBrief(out), []);
  const r = out.ruleset.rules[0];
  assert.equal(r.conditionSource, "evt.type in (open, openat) and m");
  assert.equal(
    r.conditionText,
    "((evt.type in (open, openat) and proc.name in (cat)) and not fd.name = /tmp)",
  );
  assert.deepEqual(r.eventTypes === "all" ? "all" : [...r.eventTypes].sort(), ["open", "openat"]);
  assert.deepEqual(r.tags, ["a", "z"]);
  assert.equal(r.enabled, false);
  assert.deepEqual(r.macros, ["m"]);
  assert.deepEqual(r.lists, ["l"]);
  assert.deepEqual(r.exceptionNames, ["e"]);
  assert.deepEqual(r.exceptionFields, ["fd.name"]);
  assert.equal(r.output.text, "o=%proc.name");
  assert.deepEqual([r.location.line, r.location.column], [6, 3]);
  assert.equal(out.ruleset.requiredEngineVersion, "0.26.0");
  assert.deepEqual(
    out.ruleset.macros.map((m) => [m.name, m.used, m.conditionText]),
    [["m", true, "proc.name in (cat)"]],
  );
  assert.deepEqual(
    out.ruleset.lists.map((l) => [l.name, l.used]),
    [["l", true]],
  );
});

test("compiler: %container.info and append_output", () => {
  const out = loadText(
    rule("r", "evt.type=open", "  tags: [net]\n").replace("o=%proc.name", "x %container.info"),
    {
      extraOutput: [
        { format: "user=%user.name", tags: ["net"] },
        { format: "never=%proc.pid", rule: "other" },
        { format: "k8s=%ka.verb", source: "k8s_audit" },
      ],
    },
  );
  assert.deepEqual(allBrief(out), []);
  assert.equal(out.ruleset.rules[0].output.text, "x %container.info user=%user.name");
});
