// Bad configurations: each gives its documented code, the key path and the file:line:col of the
// offending value (or key). Warnings likewise. The checks beyond types follow Falco's loader.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../../src/config/index.js";
import { brief, expectErrors, expectLoaded, loadYaml } from "./helpers.js";

const ERRORS: [string, string, string[]][] = [
  // YAML itself
  ["broken YAML", "a: [1, 2\nb: 3\n", ["SAKER_CONFIG_YAML_PARSE  main.yaml:2:1"]],
  ["a list at the top", "- a\n- b\n", ["SAKER_CONFIG_YAML_PARSE  main.yaml:1:1"]],
  ["a scalar at the top", "hello\n", ["SAKER_CONFIG_YAML_PARSE  main.yaml:1:1"]],
  // types
  ["a word for a boolean", "json_output: maybe\n", ["SAKER_CONFIG_INVALID json_output main.yaml:1:14"]],
  [
    "a word for an integer",
    "\nwebserver:\n  listen_port: http\n",
    ["SAKER_CONFIG_INVALID webserver.listen_port main.yaml:3:16"],
  ],
  [
    "a fraction for an integer",
    "output_timeout: 1.5\n",
    ["SAKER_CONFIG_INVALID output_timeout main.yaml:1:17"],
  ],
  ["a scalar for a section", "falco_libs: 512\n", ["SAKER_CONFIG_INVALID falco_libs main.yaml:1:13"]],
  [
    "a mapping for a boolean",
    "stdout_output:\n  enabled: {a: 1}\n",
    ["SAKER_CONFIG_INVALID stdout_output.enabled main.yaml:2:12"],
  ],
  ["a list for a string", "log_level: [info]\n", ["SAKER_CONFIG_INVALID log_level main.yaml:1:12"]],
  [
    "a mapping in a string list",
    "rules_files:\n  - /a.yaml\n  - {x: 1}\n",
    ["SAKER_CONFIG_INVALID rules_files[1] main.yaml:3:5"],
  ],
  // words and ranges
  ["an unknown priority", "priority: loud\n", ["SAKER_CONFIG_INVALID priority main.yaml:1:11"]],
  ["an unknown log level", "log_level: verbose\n", ["SAKER_CONFIG_INVALID log_level main.yaml:1:12"]],
  ["an unknown engine", "engine:\n  kind: bpf\n", ["SAKER_CONFIG_INVALID engine.kind main.yaml:2:9"]],
  [
    "an unknown rule_matching",
    "rule_matching: some\n",
    ["SAKER_CONFIG_INVALID rule_matching main.yaml:1:16"],
  ],
  [
    "a threshold above 1",
    "syscall_event_drops:\n  threshold: 1.1\n",
    ["SAKER_CONFIG_INVALID syscall_event_drops.threshold main.yaml:2:14"],
  ],
  [
    "zero max_consecutives",
    "syscall_event_timeouts:\n  max_consecutives: 0\n",
    ["SAKER_CONFIG_INVALID syscall_event_timeouts.max_consecutives main.yaml:2:21"],
  ],
  [
    "a buffer preset of 0",
    "engine:\n  modern_ebpf:\n    buf_size_preset: 0\n",
    ["SAKER_CONFIG_INVALID engine.modern_ebpf.buf_size_preset main.yaml:3:22"],
  ],
  [
    "a negative port",
    "webserver: {listen_port: -1}\n",
    ["SAKER_CONFIG_INVALID webserver.listen_port main.yaml:1:26"],
  ],
  [
    "an unknown drop action",
    "syscall_event_drops:\n  actions: [log, shout]\n",
    ["SAKER_CONFIG_INVALID syscall_event_drops.actions[1] main.yaml:2:18"],
  ],
  [
    "an unknown drop action as a scalar",
    "syscall_event_drops:\n  actions: shout\n",
    ["SAKER_CONFIG_INVALID syscall_event_drops.actions main.yaml:2:3"],
  ],
  [
    "an unknown capture mode",
    "capture:\n  mode: some\n",
    ["SAKER_CONFIG_INVALID capture.mode main.yaml:2:9"],
  ],
  [
    "a listen address that is no IP",
    "webserver:\n  listen_address: 327.0.0.1\n",
    ["SAKER_CONFIG_INVALID webserver.listen_address main.yaml:2:3"],
  ],
  // structure
  [
    "a plugin without library_path",
    "plugins:\n  - name: a\n",
    ["SAKER_CONFIG_INVALID plugins[0].library_path main.yaml:2:5"],
  ],
  [
    "a rules entry with neither enable nor disable",
    "rules:\n  - {}\n",
    ["SAKER_CONFIG_INVALID rules[0] main.yaml:2:5"],
  ],
  [
    "a rules entry with an empty rule",
    "rules:\n  - disable: {rule: ''}\n",
    ["SAKER_CONFIG_INVALID rules[0] main.yaml:2:5"],
  ],
  [
    "an extra field defined twice",
    "append_output:\n  - extra_fields: [{a: x}, a]\n",
    ["SAKER_CONFIG_INVALID append_output[0].extra_fields[1] main.yaml:2:28"],
  ],
  // conflicts and missing companions (Falco's load-time checks)
  [
    "rules_file and rules_files",
    "rules_files: [a]\nrules_file: [b]\n",
    ["SAKER_CONFIG_CONFLICT rules_file main.yaml:2:1"],
  ],
  [
    "ignore then log",
    "syscall_event_drops:\n  actions:\n    - ignore\n    - log\n",
    ["SAKER_CONFIG_CONFLICT syscall_event_drops.actions[1] main.yaml:4:7"],
  ],
  [
    "replay without a capture file",
    "engine:\n  kind: replay\n",
    ["SAKER_CONFIG_MISSING engine.kind main.yaml:2:3"],
  ],
  [
    "gvisor without its config",
    "engine:\n  kind: gvisor\n",
    ["SAKER_CONFIG_MISSING engine.kind main.yaml:2:3"],
  ],
  [
    "file output without a file",
    "file_output:\n  enabled: true\n",
    ["SAKER_CONFIG_MISSING file_output.enabled main.yaml:2:3"],
  ],
  [
    "program output without a program",
    "program_output:\n  enabled: true\n",
    ["SAKER_CONFIG_MISSING program_output.enabled main.yaml:2:3"],
  ],
  [
    "http output without a url",
    "http_output:\n  enabled: true\n",
    ["SAKER_CONFIG_MISSING http_output.enabled main.yaml:2:3"],
  ],
  [
    "load_plugins naming no plugin",
    "plugins: [{name: a, library_path: a.so}]\nload_plugins: [a, b]\n",
    ["SAKER_CONFIG_MISSING load_plugins[1] main.yaml:2:19"],
  ],
  [
    "metrics with a bare number and no output",
    "metrics:\n  enabled: true\n  interval: 5000\n",
    [
      "SAKER_CONFIG_INVALID metrics.interval main.yaml:3:3",
      "SAKER_CONFIG_MISSING metrics.enabled main.yaml:2:3",
    ],
  ],
  [
    "metrics faster than 100ms",
    "metrics:\n  enabled: true\n  interval: 50ms\n  output_rule: true\n",
    ["SAKER_CONFIG_INVALID metrics.interval main.yaml:3:3"],
  ],
  [
    "a container plugin with a bad engines type",
    "plugins:\n  - name: container\n    library_path: libcontainer.so\n    init_config:\n      engines:\n        docker:\n          enabled: maybe\n",
    ["SAKER_CONFIG_INVALID plugins[0].init_config.engines.docker.enabled main.yaml:7:20"],
  ],
  // several errors are all reported
  [
    "two type errors",
    "json_output: 3\nlog_stderr: x\n",
    ["SAKER_CONFIG_INVALID json_output main.yaml:1:14", "SAKER_CONFIG_INVALID log_stderr main.yaml:2:13"],
  ],
];

for (const [name, yaml, want] of ERRORS) {
  test(`refused: ${name}`, () => {
    assert.deepEqual(expectErrors(loadYaml(yaml)).map(brief), want);
  });
}

test("a missing main file is SAKER_CONFIG_FILE_READ", () => {
  const result = loadConfig({ file: "/nonexistent/saker.yaml", env: {} });
  assert.equal(result.ok, false);
  assert.deepEqual(!result.ok && result.errors.map(brief), [
    "SAKER_CONFIG_FILE_READ  /nonexistent/saker.yaml:1:1",
  ]);
});

const WARNINGS: [string, string, string[]][] = [
  [
    "an unknown top-level key",
    "json_output: true\nfalco_libss:\n  snaplen: 1\n",
    ["SAKER_CONFIG_UNKNOWN_KEY falco_libss main.yaml:2:1"],
  ],
  [
    "an unknown nested key",
    "falco_libs:\n  thread_table_sizeee: 50\n",
    ["SAKER_CONFIG_UNKNOWN_KEY falco_libs.thread_table_sizeee main.yaml:2:3"],
  ],
  [
    "an unknown key in a list item",
    "plugins:\n  - name: a\n    library_path: a.so\n    init: x\n",
    ["SAKER_CONFIG_UNKNOWN_KEY plugins[0].init main.yaml:4:5"],
  ],
  ["a deprecated key", "\nrules_file: /a.yaml\n", ["SAKER_CONFIG_DEPRECATED_KEY rules_file main.yaml:2:1"]],
  [
    "a deprecated engine",
    "engine:\n  kind: ebpf\n  ebpf:\n    probe: /p.o\n",
    ["SAKER_CONFIG_DEPRECATED_KEY engine.ebpf main.yaml:3:3"],
  ],
  ["an empty boolean", "json_output:\n", ["SAKER_CONFIG_EMPTY_VALUE json_output main.yaml:1:1"]],
  [
    "a duplicated key",
    "log_level: debug\nlog_level: error\n",
    ["SAKER_CONFIG_DUPLICATE_KEY log_level main.yaml:2:1"],
  ],
  [
    "a second document",
    "log_level: debug\n---\nlog_level: error\n",
    ["SAKER_CONFIG_EXTRA_DOCUMENT  main.yaml:2:1"],
  ],
];

for (const [name, yaml, want] of WARNINGS) {
  test(`warned: ${name}`, () => {
    assert.deepEqual(expectLoaded(loadYaml(yaml)).warnings.map(brief), want);
  });
}

test("the first of duplicated keys counts and only the first document is read, as in Falco", () => {
  assert.equal(expectLoaded(loadYaml("log_level: debug\nlog_level: error\n")).config.log.level, "debug");
  assert.equal(expectLoaded(loadYaml("log_level: debug\n---\nlog_level: error\n")).config.log.level, "debug");
});

test("an unknown key suggests the closest known one", () => {
  const [w] = expectLoaded(loadYaml("webserver:\n  listen_prot: 1\n")).warnings;
  assert.match(w.message, /did you mean 'listen_port'/);
});

test("an empty value for a list means an empty list; for a section, its defaults", () => {
  const c = expectLoaded(
    loadYaml("plugins: [{name: a, library_path: a.so}]\nload_plugins:\nwebserver:\n"),
  ).config;
  assert.deepEqual(c.loadPlugins, []);
  assert.deepEqual(c.loadedPlugins, []);
  assert.equal(c.webserver.listenPort, 8765);
});

test("Falco's valid and invalid webserver listen addresses", () => {
  const valid = [
    "127.0.0.1",
    "0.0.0.0",
    "::",
    "::1",
    "1200:0000:AB00:1234:0000:2552:7777:1313",
    "21DA:D3:0:2F3B:2AA:FF:FE28:9C5A",
  ];
  for (const address of valid) {
    const loaded = expectLoaded(loadYaml("", { overrides: [`webserver.listen_address=${address}`] }));
    assert.equal(loaded.config.webserver.listenAddress, address);
  }
  const invalid = [
    "327.0.0.1",
    "12 7.0.0.1",
    "!27.0.0.1",
    "1200:0000:AB00:1234:0000:2552:7777:131G",
    "12O0:0000:AB00:1234:0000:2552:7777:1313",
  ];
  for (const address of invalid) {
    const errors = expectErrors(loadYaml("", { overrides: [`webserver.listen_address=${address}`] }));
    assert.deepEqual(
      errors.map((e) => e.code),
      ["SAKER_CONFIG_INVALID"],
      address,
    );
  }
});

test("a container plugin's JSON-text init_config is checked too, errors at the init_config", () => {
  const errors = expectErrors(
    loadYaml(
      "plugins:\n  - name: container\n    library_path: libcontainer.so\n    init_config: '{\"with_size\": 3}'\n",
    ),
  );
  assert.deepEqual(errors.map(brief), [
    "SAKER_CONFIG_INVALID plugins[0].init_config.with_size main.yaml:4:18",
  ]);
});

test("a check failing on a value set by -o points at the option, not at the file", () => {
  const errors = expectErrors(
    loadYaml("file_output:\n  enabled: false\n", { overrides: ["file_output.enabled=true"] }),
  );
  assert.deepEqual(errors.map(brief), ["SAKER_CONFIG_MISSING file_output.enabled <-o #1>:1:1"]);
});
