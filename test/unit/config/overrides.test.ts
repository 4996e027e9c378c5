// `-o key=value`: the key path grammar (Falco's, with its escapes), and options applied on top of a file:
// indexes, appends, nesting, flow values, quoting, typing by the key they land on, and their errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatKeyPath, parseKeyPath } from "../../../src/config/index.js";
import type { KeySegment, SakerConfig } from "../../../src/config/index.js";
import { Priority } from "../../../src/rules/priority.js";
import { brief, expectErrors, expectLoaded, loadYaml } from "./helpers.js";

const key = (name: string): KeySegment => ({ kind: "key", name });
const index = (i: number): KeySegment => ({ kind: "index", index: i });
const append: KeySegment = { kind: "append" };

const PATHS: [string, KeySegment[]][] = [
  ["a", [key("a")]],
  ["a.b.c", [key("a"), key("b"), key("c")]],
  ["plugins[0].open_params", [key("plugins"), index(0), key("open_params")]],
  ["rules[].disable.tag", [key("rules"), append, key("disable"), key("tag")]],
  ["m[1][3]", [key("m"), index(1), index(3)]],
  ["m[1][3].x", [key("m"), index(1), index(3), key("x")]],
  ["annotations.kubernetes\\.io/role", [key("annotations"), key("kubernetes.io/role")]],
  ["annotations.example\\[0]", [key("annotations"), key("example[0]")]],
  ["annotations.example\\[0\\]", [key("annotations"), key("example[0]")]],
  ["nested.level1\\.with\\.dots.inner", [key("nested"), key("level1.with.dots"), key("inner")]],
  ["escape_test.back\\\\slash", [key("escape_test"), key("back\\slash")]],
  ["a b.c-d", [key("a b"), key("c-d")]],
];

for (const [text, segments] of PATHS) {
  test(`key path ${JSON.stringify(text)} parses`, () => {
    assert.deepEqual(parseKeyPath(text), segments);
    assert.deepEqual(
      parseKeyPath(formatKeyPath(segments)),
      segments,
      "the canonical form reads back the same",
    );
  });
}

const BAD_PATHS = [
  "",
  ".a",
  "a..b",
  "a.",
  "a\\",
  "a\\x",
  "[0]",
  "a.[0]",
  "a[x]",
  "a[-1]",
  "a[0",
  "a[0]b",
  "a[0].",
];
for (const text of BAD_PATHS) {
  test(`key path ${JSON.stringify(text)} is refused`, () => {
    assert.throws(() => parseKeyPath(text));
  });
}

interface OverrideCase {
  readonly name: string;
  readonly file?: string;
  readonly options: string[];
  readonly get: (c: SakerConfig) => unknown;
  readonly want: unknown;
  readonly env?: Record<string, string>;
}

const PLUGIN_FILE = "plugins:\n  - name: a\n    library_path: a.so\n    open_params: x\n";

const CASES: OverrideCase[] = [
  { name: "a boolean", options: ["json_output=true"], get: (c) => c.json.output, want: true },
  {
    name: "yaml-cpp's yes is a boolean",
    options: ["json_output=Yes"],
    get: (c) => c.json.output,
    want: true,
  },
  {
    name: "an integer",
    options: ["webserver.listen_port=9000"],
    get: (c) => c.webserver.listenPort,
    want: 9000,
  },
  {
    name: "a hex integer",
    options: ["webserver.listen_port=0x10"],
    get: (c) => c.webserver.listenPort,
    want: 16,
  },
  {
    name: "a number",
    options: ["syscall_event_drops.threshold=.25"],
    get: (c) => c.syscallEventDrops.threshold,
    want: 0.25,
  },
  {
    name: "digits for a string key stay text",
    file: PLUGIN_FILE,
    options: ["plugins[0].open_params=12"],
    get: (c) => c.plugins[0].openParams,
    want: "12",
  },
  {
    name: "a quoted value",
    file: PLUGIN_FILE,
    options: ['plugins[0].open_params="a b"'],
    get: (c) => c.plugins[0].openParams,
    want: "a b",
  },
  {
    name: "a single-quoted value starting with a brace",
    options: ["program_output.program='{ cat; }'"],
    get: (c) => c.outputs.program.program,
    want: "{ cat; }",
  },
  {
    name: "braces inside plain text stay text",
    options: ["program_output.program=jq '{text: .output}' | curl -d @- x"],
    get: (c) => c.outputs.program.program,
    want: "jq '{text: .output}' | curl -d @- x",
  },
  {
    name: "an empty value is an empty string",
    options: ["http_output.user_agent="],
    get: (c) => c.outputs.http.userAgent,
    want: "",
  },
  {
    name: "everything after the first = is the value",
    options: ["http_output.url=http://h/?a=b"],
    get: (c) => c.outputs.http.url,
    want: "http://h/?a=b",
  },
  {
    name: "an existing list entry",
    file: PLUGIN_FILE,
    options: ["plugins[0].library_path=/b.so"],
    get: (c) => c.plugins[0].libraryPath,
    want: "/b.so",
  },
  {
    name: "the index one past the end appends",
    file: PLUGIN_FILE,
    options: ["plugins[1].name=b", "plugins[1].library_path=b.so"],
    get: (c) => c.plugins.map((p) => p.name),
    want: ["a", "b"],
  },
  {
    name: "[] appends, Falco's rules selection from the command line",
    options: [
      "rules[].disable.tag=maturity_incubating",
      "rules[].enable.rule=Adding ssh keys to authorized_keys",
    ],
    get: (c) => c.rules,
    want: [
      { op: "disable", tag: "maturity_incubating" },
      { op: "enable", rule: "Adding ssh keys to authorized_keys" },
    ],
  },
  {
    name: "a flow mapping, Falco's object form",
    options: [
      'rules[]={"disable": {"tag": "maturity_incubating"}}',
      'rules[]={"enable": {"rule": "Adding ssh keys"}}',
    ],
    get: (c) => c.rules,
    want: [
      { op: "disable", tag: "maturity_incubating" },
      { op: "enable", rule: "Adding ssh keys" },
    ],
  },
  {
    name: "a flow mapping replaces a section",
    file: "engine:\n  kind: kmod\n  kmod: {buf_size_preset: 8}\n",
    options: ["engine={kind: nodriver}"],
    get: (c) => [c.engine.kind, c.engine.kmod.bufSizePreset],
    want: ["nodriver", 4],
  },
  {
    name: "a flow list",
    options: ["rules_files=[a.yaml, b.yaml]"],
    get: (c) => c.rulesFiles,
    want: ["a.yaml", "b.yaml"],
  },
  {
    name: "a scalar for a list key is a one-entry list",
    options: ["rules_files=one.yaml"],
    get: (c) => c.rulesFiles,
    want: ["one.yaml"],
  },
  {
    name: "a nested key created from nothing",
    options: ["engine.modern_ebpf.cpus_for_each_buffer=6"],
    get: (c) => c.engine.modernEbpf.cpusForEachBuffer,
    want: 6,
  },
  {
    name: "an escaped dot in a key",
    options: ["static_fields.k8s\\.io/cluster=prod"],
    get: (c) => c.staticFields,
    want: { "k8s.io/cluster": "prod" },
  },
  {
    name: "a later option wins",
    options: ["priority=error", "priority=notice"],
    get: (c) => c.priority,
    want: Priority.Notice,
  },
  {
    name: "an option beats the file",
    file: "priority: error\n",
    options: ["priority=info"],
    get: (c) => c.priority,
    want: Priority.Informational,
  },
  {
    name: "no ${VAR} expansion in options",
    env: { HOME: "/h" },
    options: ["file_output.filename=${HOME}/x"],
    get: (c) => c.outputs.file.filename,
    want: "${HOME}/x",
  },
  {
    name: "a list index inside a list",
    options: ["append_output[0].match.tags[0]=a", "append_output[0].match.tags[1]=b"],
    get: (c) => c.appendOutput[0].match.tags,
    want: ["a", "b"],
  },
];

for (const c of CASES) {
  test(`-o: ${c.name}`, () => {
    const loaded = expectLoaded(loadYaml(c.file ?? "", { overrides: c.options, env: c.env ?? {} }));
    assert.deepEqual(c.get(loaded.config), c.want);
  });
}

const BAD: { name: string; file?: string; options: string[]; want: string[] }[] = [
  { name: "no =", options: ["json_output"], want: ["SAKER_CONFIG_OVERRIDE  <-o #1>:1:1"] },
  {
    name: "an empty key name",
    options: ["priority=debug", "a..b=1"],
    want: ["SAKER_CONFIG_OVERRIDE a..b <-o #2>:1:3"],
  },
  { name: "a bad escape", options: ["a\\x=1"], want: ["SAKER_CONFIG_OVERRIDE a\\x <-o #1>:1:2"] },
  {
    name: "a key below a scalar",
    file: "json_output: true\n",
    options: ["json_output.x=1"],
    want: ["SAKER_CONFIG_OVERRIDE json_output.x <-o #1>:1:1"],
  },
  {
    name: "an index past the end",
    options: ["plugins[2].name=x"],
    want: ["SAKER_CONFIG_OVERRIDE plugins[2].name <-o #1>:1:1"],
  },
  {
    name: "an index into a mapping",
    file: "webserver:\n  enabled: true\n",
    options: ["webserver[0]=x"],
    want: ["SAKER_CONFIG_OVERRIDE webserver[0] <-o #1>:1:1"],
  },
  {
    name: "an index creating a list where a mapping belongs",
    options: ["webserver[0]=x"],
    want: ["SAKER_CONFIG_INVALID webserver <-o #1>:1:1"],
  },
  {
    name: "a value of the wrong type",
    options: ["json_output=maybe"],
    want: ["SAKER_CONFIG_INVALID json_output <-o #1>:1:13"],
  },
  {
    name: "an out-of-range value",
    options: ["webserver.listen_port=70000"],
    want: ["SAKER_CONFIG_INVALID webserver.listen_port <-o #1>:1:23"],
  },
  {
    name: "a flow value that is not YAML",
    options: ["engine={kind: [}"],
    want: ["SAKER_CONFIG_YAML_PARSE engine <-o #1>:1:16"],
  },
  {
    name: "an unterminated brace is plain text, of the wrong type here",
    options: ["engine={kind: x"],
    want: ["SAKER_CONFIG_INVALID engine <-o #1>:1:8"],
  },
];

for (const c of BAD) {
  test(`-o refused: ${c.name}`, () => {
    const errors = expectErrors(loadYaml(c.file ?? "", { overrides: c.options }));
    assert.deepEqual(errors.map(brief), c.want);
  });
}

test("-o unknown keys warn with the option's position, like keys in files", () => {
  const loaded = expectLoaded(loadYaml("", { overrides: ["webserver.listen_prot=1"] }));
  assert.deepEqual(loaded.warnings.map(brief), [
    "SAKER_CONFIG_UNKNOWN_KEY webserver.listen_prot <-o #1>:1:1",
  ]);
  assert.match(loaded.warnings[0].message, /did you mean 'listen_port'/);
});
