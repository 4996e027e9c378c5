// The reader alone: YAML text -> items and diagnostics, in Falco's order, with Falco's messages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readRules, decodeBool, decodeUnsigned } from "../../../src/rules/loader/reader.js";
import { chain, stepSummary } from "./helpers.js";

const RULE = "  desc: d\n  condition: evt.type=open\n  output: o\n  priority: INFO\n";

const table: [string, string, string[]][] = [
  ["empty file", "", []],
  ["comments only and an empty document", "# nothing\n---\n", []],
  ["null items are skipped", "- \n- ~\n- list: a\n  items: []\n", ["list a"]],
  ["not yaml (a scalar)", "This is not yaml\n", ["! 1:1 LOAD_ERR_YAML_VALIDATE Rules content is not yaml"]],
  ["not an array", "foo: bar\n", ["! 1:1 LOAD_ERR_YAML_VALIDATE Rules content is not yaml array of objects"]],
  [
    "item not a mapping",
    "- foo\n- list: a\n  items: [x]\n",
    [
      "! 1:3 LOAD_ERR_YAML_VALIDATE Unexpected element type. Each element should be a yaml associative array.",
      "list a",
    ],
  ],
  [
    "yaml-cpp wording and position for a nested implicit key",
    "this : is : not : yaml",
    ["! 1:11 LOAD_ERR_YAML_PARSE yaml-cpp: error at line 1, column 11: illegal map value"],
  ],
  [
    "unterminated flow sequence",
    "- list: a\n  items: [x, y\n",
    ["! 3:1 LOAD_ERR_YAML_PARSE yaml-cpp: error at line 3, column 1: end of sequence flow not found"],
  ],
  [
    "alias to an undefined anchor",
    "- list: a\n  items: *nope\n",
    [
      "! 2:10 LOAD_ERR_YAML_PARSE yaml-cpp: error at line 2, column 10: the referenced anchor is not defined: nope",
    ],
  ],
  [
    "a syntax error in a later document fails the whole file",
    "- list: a\n  items: [x]\n---\n- a: b: c\n",
    ["! 4:7 LOAD_ERR_YAML_PARSE yaml-cpp: error at line 4, column 7: illegal map value"],
  ],
  ["several documents", "---\n- list: a\n  items: [x]\n---\n- list: b\n  items: [a]\n", ["list a", "list b"]],
  [
    "anchors and aliases resolve",
    "- list: a\n  items: &i [x, y]\n- list: b\n  items: *i\n",
    ["list a", "list b"],
  ],
  ["unknown top-level item", "- foo: bar\n", ["! 1:3 LOAD_UNKNOWN_ITEM Unknown top level item"]],
  [
    "missing list items",
    "- list: bad_list\n",
    ["failed list bad_list", "! 1:3 LOAD_ERR_YAML_VALIDATE Item has no mapping for key 'items'"],
  ],
  [
    "empty list name",
    "- list:\n  items: []\n",
    ["! 1:3 LOAD_ERR_YAML_VALIDATE Mapping for key 'list' is empty"],
  ],
  [
    "list items not a sequence",
    "- list: a\n  items: foo\n",
    ["failed list a", "! 2:10 LOAD_ERR_YAML_VALIDATE Value is not a sequence"],
  ],
  [
    "list item not a scalar",
    "- list: a\n  items: [x, [y]]\n",
    ["failed list a", "! 2:14 LOAD_ERR_YAML_VALIDATE sequence value is not scalar"],
  ],
  [
    "invalid list name is a warning",
    "- list: my list\n  items: []\n",
    [
      "! 1:3 LOAD_INVALID_LIST_NAME List has an invalid name. List names should match a regular expression: ([^()\"'[:space:]=,]+)",
      "list my list",
    ],
  ],
  [
    "invalid macro name is a warning",
    "- macro: some macro\n  condition: evt.type=open\n",
    [
      "! 1:3 LOAD_INVALID_MACRO_NAME Macro has an invalid name. Macro names should match a regular expression: ([a-zA-Z]+[a-zA-Z0-9_]*)",
      "macro some macro",
    ],
  ],
  [
    "legacy append is deprecated",
    "- list: a\n  items: [x]\n  append: true\n",
    [
      "! 1:3 LOAD_DEPRECATED_ITEM 'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.",
      "list a",
    ],
  ],
  ["append: false is a definition", "- macro: m\n  condition: foo\n  append: false\n", ["macro m"]],
  [
    "append and override together",
    "- list: a\n  items: [x]\n  append: true\n  override:\n    items: append\n",
    [
      "! 1:3 LOAD_DEPRECATED_ITEM 'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.",
      "failed list a",
      "! 1:3 LOAD_ERR_YAML_VALIDATE Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.",
    ],
  ],
  [
    "boolean not decodable",
    "- list: a\n  items: [x]\n  append: maybe\n",
    ["failed list a", "! 3:11 LOAD_ERR_YAML_VALIDATE Can't decode YAML scalar value"],
  ],
  [
    "unknown keys are warned about after the item",
    "- macro: m\n  condition: evt.type=open\n  typo: 1\n",
    ["macro m", "! 1:3 LOAD_UNKNOWN_KEY Unknown key 'typo'. The key will be ignored."],
  ],
  ["rule", "- rule: r\n" + RULE, ["rule r"]],
  [
    "rule name with spaces and regex characters",
    "- rule: Open From Cat ($\\.*+?()[]{}|^)\n" + RULE,
    ["rule Open From Cat ($\\.*+?()[]{}|^)"],
  ],
  [
    "description starting with != (a YAML tag)",
    "- rule: r\n  desc: != after evt.type\n  condition: evt.type=open\n  output: o\n  priority: INFO\n",
    ["rule r"],
  ],
  [
    "empty rule name",
    "- rule:\n  desc: some desc\n",
    ["! 1:3 LOAD_ERR_YAML_VALIDATE Mapping for key 'rule' is empty"],
  ],
  [
    "rule without output",
    "- rule: no output rule\n  desc: d\n  condition: evt.type=open\n  priority: INFO\n",
    ["failed rule no output rule", "! 1:3 LOAD_ERR_YAML_VALIDATE Item has no mapping for key 'output'"],
  ],
  [
    "empty condition",
    "- rule: r\n  desc: d\n  condition:\n  output: o\n  priority: INFO\n",
    ["failed rule r", "! 1:3 LOAD_ERR_YAML_VALIDATE Mapping for key 'condition' is empty"],
  ],
  [
    "quoted empty condition",
    '- rule: r\n  desc: d\n  condition: ""\n  output: o\n  priority: INFO\n',
    ["failed rule r", "! 3:14 LOAD_ERR_YAML_VALIDATE Value must be non-empty"],
  ],
  [
    "condition not a scalar",
    "- rule: r\n  desc: d\n  condition: [a]\n  output: o\n  priority: INFO\n",
    ["failed rule r", "! 3:14 LOAD_ERR_YAML_VALIDATE Value is not a scalar value"],
  ],
  [
    "invalid priority",
    "- rule: r\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: LOUD\n",
    ["failed rule r", "! 5:13 LOAD_ERR_YAML_VALIDATE Invalid priority"],
  ],
  [
    "only enabled: the legacy enable item",
    "- rule: r\n  enabled: false\n",
    [
      "! 1:3 LOAD_DEPRECATED_ITEM The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: replace').",
      "rule_enable r",
    ],
  ],
  [
    "legacy rule append",
    "- rule: r\n  condition: and proc.name=cat\n  append: true\n",
    [
      "! 1:3 LOAD_DEPRECATED_ITEM 'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.",
      "rule_append r",
    ],
  ],
  [
    "override append and replace",
    "- rule: r\n  condition: and proc.name=cat\n  priority: ERROR\n  override:\n    condition: append\n    priority: replace\n",
    ["rule_append r", "rule_replace r"],
  ],
  [
    "override on a key that cannot be appended",
    "- rule: r\n  priority: ERROR\n  override:\n    priority: append\n",
    [
      "failed rule r",
      "! 4:5 LOAD_ERR_YAML_VALIDATE Key 'priority' cannot be appended to, use 'replace' instead",
    ],
  ],
  [
    "override with an invalid operation",
    "- rule: r\n  desc: x\n  override:\n    desc: prepend\n",
    [
      "failed rule r",
      "! 4:11 LOAD_ERR_YAML_VALIDATE Invalid override operation for key 'desc': 'prepend'. Allowed values are: append replace ",
    ],
  ],
  [
    "override of a key that is not given",
    "- rule: r\n  desc: x\n  override:\n    desc: replace\n    condition: append\n",
    [
      "failed rule r",
      "! 1:3 LOAD_ERR_YAML_VALIDATE An append override for 'condition' was specified but 'condition' is not defined",
    ],
  ],
  [
    "key given without an override entry",
    "- rule: r\n  desc: x\n  priority: ERROR\n  override:\n    desc: replace\n",
    [
      "rule_replace r",
      "failed rule r",
      "! 3:13 LOAD_ERR_YAML_VALIDATE Unexpected key 'priority': no corresponding entry under 'override' is defined.",
    ],
  ],
  ["engine version, legacy integer", "- required_engine_version: 17\n", ["engine_version 17"]],
  ["engine version, semver", "- required_engine_version: 0.57.0\n", ["engine_version 0.57.0"]],
  [
    "engine version not a number",
    "- required_engine_version: not-a-number\n",
    ["! 1:28 LOAD_ERR_YAML_VALIDATE Can't decode YAML scalar value"],
  ],
  [
    "plugin versions with alternatives",
    "- required_plugin_versions:\n  - name: k8saudit\n    version: 0.7.0\n    alternatives:\n      - name: k8saudit-eks\n        version: 0.4.0\n",
    ["plugin_versions k8saudit@0.7.0,k8saudit-eks@0.4.0"],
  ],
  [
    "plugin versions not a sequence",
    "- required_plugin_versions: foo\n",
    ["! 1:29 LOAD_ERR_YAML_VALIDATE Value of required_plugin_versions must be a sequence"],
  ],
  [
    "exceptions not a sequence",
    "- rule: r\n" + RULE + "  exceptions: foo\n",
    ["failed rule r", "! 6:15 LOAD_ERR_YAML_VALIDATE Rule exceptions must be a sequence"],
  ],
  [
    "exception without a name",
    "- rule: r\n" + RULE + "  exceptions:\n    - fields: [proc.name]\n",
    ["failed rule r", "! 7:7 LOAD_ERR_YAML_VALIDATE Item has no mapping for key 'name'"],
  ],
  [
    "exception without fields",
    "- rule: r\n" + RULE + "  exceptions:\n    - name: ex1\n",
    ["failed rule r", "! 7:7 LOAD_ERR_YAML_VALIDATE Item has no mapping for key 'fields'"],
  ],
  [
    "exception names not unique",
    "- rule: r\n" +
      RULE +
      "  exceptions:\n    - name: e\n      fields: proc.name\n    - name: e\n      fields: proc.name\n",
    ["! 9:7 LOAD_EXCEPTION_NAME_NOT_UNIQUE Multiple definitions of exception 'e' in the same rule", "rule r"],
  ],
  [
    "appended exception without values",
    "- rule: r\n  exceptions:\n    - name: e\n  append: true\n",
    [
      "! 1:3 LOAD_DEPRECATED_ITEM 'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.",
      "! 3:7 LOAD_APPEND_NO_VALUES Overriding/appending exception with no values",
      "rule_append r",
    ],
  ],
  [
    "unquoted = in a flow sequence",
    "- rule: r\n" +
      RULE +
      "  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n      comps: [=, in]\n",
    ["rule r"],
  ],
];

test("reader: items and diagnostics, table", () => {
  for (const [name, text, expected] of table) {
    assert.deepEqual(stepSummary(readRules("rules.yaml", text).steps), expected, name);
  }
});

test("reader: a broken item does not stop the next ones", () => {
  const steps = readRules("f.yaml", "- rule: a\n  desc: d\n- list: l\n  items: [x]\n- macro: m\n").steps;
  assert.deepEqual(stepSummary(steps), [
    "failed rule a",
    "! 1:3 LOAD_ERR_YAML_VALIDATE Item has no mapping for key 'condition'",
    "list l",
    "failed macro m",
    "! 5:3 LOAD_ERR_YAML_VALIDATE Item has no mapping for key 'condition'",
  ]);
});

test("reader: context chains name Falco's item types", () => {
  const table: [string, string][] = [
    [
      '- rule: r\n  desc: d\n  condition: ""\n  output: o\n  priority: INFO\n',
      "rule 'r'@1:3 > value for 'condition'@3:14",
    ],
    [
      "- rule: r\n" + RULE + "  exceptions:\n    - fields: [x]\n",
      "rule 'r'@1:3 > exceptions@7:5 > exception@7:7",
    ],
    ["- list: a\n  items: [x, [y]]\n", "list 'a'@1:3 > value for 'items'@2:10 > list item@2:14"],
    [
      "- required_engine_version: x.y\n",
      "required_engine_version@1:3 > value for 'required_engine_version'@1:28",
    ],
    [
      "- rule: r\n  priority: ERROR\n  override:\n    priority: append\n",
      "rule 'r'@1:3 > overrides@1:3 > overrides 'priority'@4:5",
    ],
  ];
  for (const [text, expected] of table) {
    const d = readRules("rules.yaml", text).steps.find((s) => s.kind === "diagnostic");
    assert.ok(d !== undefined && d.kind === "diagnostic", text);
    assert.equal(chain(d.diagnostic), expected, text);
  }
});

test("reader: scalars keep their text; tags, booleans and numbers decode as yaml-cpp does", () => {
  const steps = readRules(
    "rules.yaml",
    "- rule: r\n  desc: != after evt.type\n  condition: evt.type=open\n  output: '  padded  '\n  priority: info\n" +
      "  enabled: Off\n  capture: YES\n  capture_duration: 0x10\n  tags: [b, a, b]\n",
  ).steps;
  const item = steps[0];
  assert.ok(item.kind === "item" && item.item.kind === "rule");
  const r = item.item.rule;
  assert.equal(r.desc, "after evt.type");
  assert.equal(r.output.text, "padded");
  assert.equal(r.enabled, false);
  assert.equal(r.capture, true);
  assert.equal(r.captureDuration, 16);
  assert.deepEqual(r.tags, ["a", "b"]);
  assert.equal(r.source, "syscall");
});

test("reader: yaml-cpp scalar conversions", () => {
  const bools: [string, boolean | undefined][] = [
    ["true", true],
    ["True", true],
    ["TRUE", true],
    ["y", true],
    ["On", true],
    ["no", false],
    ["OFF", false],
    ["tRUE", undefined],
    ["1", undefined],
    ["", undefined],
  ];
  for (const [text, want] of bools) assert.equal(decodeBool(text), want, text);
  const ints: [string, number | undefined][] = [
    ["17", 17],
    ["0x10", 16],
    ["010", 8],
    ["0o10", 8],
    ["+5", 5],
    ["5 ", 5],
    ["-1", undefined],
    ["1.5", undefined],
    ["4294967296", undefined],
    ["abc", undefined],
  ];
  for (const [text, want] of ints) assert.equal(decodeUnsigned(text, 0xffffffff), want, text);
});
