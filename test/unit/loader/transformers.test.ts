// Transformers where the loader meets them outside conditions: in rule outputs and in exception fields.
// Exception cases and their expected conditions are Falco's own (unit_tests/engine/test_rule_loader.cpp,
// exceptions_fields_transformer*); Falco accepts an exception field with a parenthesis when the filter
// `<field> exists` compiles (falco_source::is_valid_lhs_field).
import { test } from "node:test";
import assert from "node:assert/strict";
import { allBrief, chain, loadText } from "./helpers.js";

const BASE =
  "- rule: test_rule\n  desc: test rule\n  condition: evt.type = open\n  output: command=%proc.cmdline\n" +
  "  priority: INFO\n";

function withOutput(output: string, extra = ""): string {
  return `- rule: r\n  desc: d\n  condition: evt.type=open\n  output: ${output}\n  priority: INFO\n${extra}`;
}

test("a rule whose output uses transformers loads, with the fields they read as output fields", () => {
  const table: [string, string[]][] = [
    ["x=%toupper(proc.name)", ["proc.name"]],
    ['"%tolower(proc.name) %proc.name %basename(proc.exepath)"', ["proc.exepath", "proc.name"]],
    ["'%join(\",\", (proc.name, fd.name)) %len(proc.args)'", ["fd.name", "proc.args", "proc.name"]],
    [
      '\'%getopt((proc.exe, proc.args), "c:")[c] %concat(container.id, "/", proc.name)\'',
      ["container.id", "proc.args", "proc.exe", "proc.name"],
    ],
  ];
  for (const [output, keys] of table) {
    const out = loadText(withOutput(output));
    assert.deepEqual(allBrief(out), [], output);
    const r = out.ruleset.rules[0];
    assert.deepEqual(
      r.output.fields.map((f) => f.key),
      keys,
      output,
    );
  }
});

test("a bad transformer in an output fails with LOAD_ERR_COMPILE_OUTPUT at the offending part", () => {
  // [output, expected brief, caret length]
  const table: [string, string, number][] = [
    [
      '"seen %toupper(proc.pid)"',
      "4:18 LOAD_ERR_COMPILE_OUTPUT can't add field transformer: type 'INT64' is not supported by 'toupper' transformer applied on field 'proc.pid'",
      17,
    ],
    [
      '"seen %tolower(proc.nobody) x"',
      "4:26 LOAD_ERR_COMPILE_OUTPUT filter_check called with nonexistent field proc.nobody",
      11,
    ],
    [
      "'seen %join(\",\", proc.name)'",
      "4:18 LOAD_ERR_COMPILE_OUTPUT join() second argument must be a list",
      20,
    ],
    [
      '"seen %toupper(proc.name x"',
      "4:36 LOAD_ERR_COMPILE_OUTPUT expected a ')' token closing the transformer",
      1,
    ],
  ];
  for (const [output, expected, length] of table) {
    const out = loadText(withOutput(output));
    const errors = out.files.flatMap((f) => f.diagnostics).filter((d) => d.severity === "error");
    assert.deepEqual(
      errors.map((d) => allBrief({ ...out, files: [{ ...out.files[0], diagnostics: [d] }] })[0]),
      [expected],
      output,
    );
    assert.equal(errors[0].length, length, output);
    assert.match(
      chain(errors[0]),
      /^rule 'r'@1:3 > rule output@4:11 > rule output expression@4:\d+$/,
      output,
    );
    assert.equal(out.ruleset.rules.length, 0, output);
  }
});

test("skip-if-unknown-filter tolerates an unknown field under an output transformer, nothing else", () => {
  const skipped = loadText(withOutput('"%tolower(proc.nobody)"', "  skip-if-unknown-filter: true\n"));
  assert.deepEqual(allBrief(skipped), [
    "4:21 LOAD_UNKNOWN_FILTER filter_check called with nonexistent field proc.nobody",
  ]);
  assert.equal(skipped.ruleset.rules.length, 0);
  const failed = loadText(withOutput('"%tolower(proc.pid)"', "  skip-if-unknown-filter: true\n"));
  assert.deepEqual(
    allBrief(failed).map((b) => b.split(" ")[1]),
    ["LOAD_ERR_COMPILE_OUTPUT"],
  );
});

test("exception fields may be transformers: Falco's condition text", () => {
  const table: [string, string, string[]][] = [
    [
      "      fields: [tolower(proc.name)]\n      comps: [=]\n      values:\n        - [test]\n",
      "(evt.type = open and not tolower(proc.name) = test)",
      ["tolower(proc.name)"],
    ],
    [
      '      fields: ["tolower(proc.name)"]\n      comps: [=]\n      values:\n        - [test]\n',
      "(evt.type = open and not tolower(proc.name) = test)",
      ["tolower(proc.name)"],
    ],
    [
      '      fields: ["tolower( proc.name)"]\n      comps: [=]\n      values:\n        - [test]\n',
      "(evt.type = open and not tolower(proc.name) = test)",
      ["tolower( proc.name)"],
    ],
    [
      "      fields: toupper(proc.name)\n      values: [A, B C]\n",
      '(evt.type = open and not toupper(proc.name) in (A, "B C"))',
      ["toupper(proc.name)"],
    ],
    [
      "      fields: ['concat(proc.name, \"-\", proc.pname)', len(proc.args)]\n      comps: [=, '>']\n" +
        "      values:\n        - [a-b, 10]\n",
      '(evt.type = open and not (concat(proc.name,"-",proc.pname) = a-b and len(proc.args) > 10))',
      ['concat(proc.name, "-", proc.pname)', "len(proc.args)"],
    ],
  ];
  for (const [body, condition, fields] of table) {
    const out = loadText(BASE + `  exceptions:\n    - name: test_exception\n${body}`);
    assert.deepEqual(allBrief(out), [], body);
    const r = out.ruleset.rules[0];
    assert.equal(r.conditionText, condition, body);
    assert.deepEqual(r.exceptionFields, fields, body);
  }
});

test("an exception field transformer that does not compile is not a supported filter field", () => {
  const table: [string, string][] = [
    ["      fields: [toupper(proc.pid)]\n", "toupper(proc.pid)"],
    ["      fields: [tolower(proc.nobody)]\n", "tolower(proc.nobody)"],
    ["      fields: [tolower(proc.name]\n", "tolower(proc.name"],
    ["      fields: 'join(\",\", proc.name)'\n", 'join(",", proc.name)'],
    ["      fields: [proc.name, len(len(proc.name))]\n", "len(len(proc.name))"],
  ];
  for (const [body, field] of table) {
    const out = loadText(BASE + `  exceptions:\n    - name: test_exception\n${body}      values: []\n`);
    assert.deepEqual(
      allBrief(out),
      [`7:7 LOAD_ERR_VALIDATE '${field}' is not a supported filter field`],
      body,
    );
  }
  // Event-type search is not part of that check: the condition reports it, as Falco's compiler does.
  const evttype = loadText(
    BASE +
      "  exceptions:\n    - name: e\n      fields: [tolower(evt.type)]\n      values:\n        - [open]\n",
  );
  assert.deepEqual(allBrief(evttype), [
    "8:16 LOAD_ERR_COMPILE_CONDITION event code search does not support `evt.type` checks with transformers",
  ]);
});
