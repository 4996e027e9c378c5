// config_files: what gets merged, in which order, with which strategy, and where errors point. The
// scenarios follow Falco's own config_files tests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../../src/config/index.js";
import { brief, expectErrors, expectLoaded, loadYaml, tempConfigDir } from "./helpers.js";

test("included files are merged in order; a later file overrides a key, whole", () => {
  const loaded = expectLoaded(
    loadYaml(
      "config_files:\n  - conf_2.yaml\n  - conf_3.yaml\nlog_level: error\nwebserver:\n  listen_port: 1\n  k8s_healthz_endpoint: /h\n",
      {
        files: {
          "conf_2.yaml": "stdout_output: {enabled: true}\nlog_level: warning\n",
          "conf_3.yaml": "webserver:\n  listen_port: 3\n",
          "conf_4.yaml": "json_output: true\n",
        },
      },
    ),
  );
  const c = loaded.config;
  assert.equal(c.outputs.stdout.enabled, true);
  assert.equal(c.log.level, "warning");
  assert.equal(c.webserver.listenPort, 3);
  assert.equal(c.webserver.k8sHealthzEndpoint, "/healthz", "the whole webserver block was replaced");
  assert.equal(c.json.output, false, "conf_4 is not included");
  assert.deepEqual(
    loaded.sources.map((s) => [s.file, s.role, s.strategy]),
    [
      ["main.yaml", "main", undefined],
      ["conf_2.yaml", "include", "append"],
      ["conf_3.yaml", "include", "append"],
    ],
  );
});

const STRATEGIES: [string, string[]][] = [
  ["append", ["/main.yaml", "/inc.yaml"]],
  ["override", ["/inc.yaml"]],
  ["add-only", ["/main.yaml"]],
];

for (const [strategy, rules] of STRATEGIES) {
  test(`strategy ${strategy}: lists and other keys`, () => {
    const loaded = expectLoaded(
      loadYaml(
        `config_files:\n  - path: inc.yaml\n    strategy: ${strategy}\nrules_files: [/main.yaml]\nlog_level: error\n`,
        {
          files: {
            "inc.yaml": "rules_files: [/inc.yaml]\nlog_level: debug\nstdout_output: {enabled: true}\n",
          },
        },
      ),
    );
    assert.deepEqual(loaded.config.rulesFiles, rules);
    assert.equal(loaded.config.log.level, strategy === "add-only" ? "error" : "debug");
    assert.equal(loaded.config.outputs.stdout.enabled, true, "a new key is added by every strategy");
  });
}

test("append onto a missing or empty list starts the list", () => {
  const loaded = expectLoaded(
    loadYaml("config_files: [a.yaml, b.yaml]\nload_plugins:\n", {
      files: {
        "a.yaml": "rules_files: [/a.yaml]\nplugins: [{name: p, library_path: p.so}]\nload_plugins: [p]\n",
        "b.yaml": "rules_files: [/b.yaml]\n",
      },
    }),
  );
  assert.deepEqual(loaded.config.rulesFiles, ["/a.yaml", "/b.yaml"]);
  assert.deepEqual(
    loaded.config.loadedPlugins.map((p) => p.name),
    ["p"],
  );
});

test("a directory contributes its regular files in name order, not its subdirectories", () => {
  const dir = tempConfigDir({
    "main.yaml": "config_files: [conf.d]\nrules_files: [/main.yaml]\n",
    "conf.d/20-b.yaml": "rules_files: [/20.yaml]\nlog_level: notice\n",
    "conf.d/10-a.yaml": "rules_files: [/10.yaml]\nlog_level: warning\n",
    "conf.d/README": "# any regular file is read, as Falco does\n",
    "conf.d/sub/30.yaml": "json_output: true\n",
    "linked.yaml": "rules_files: [/linked.yaml]\n",
  });
  symlinkSync(join(dir, "linked.yaml"), join(dir, "conf.d/15-link.yaml"));
  const loaded = expectLoaded(loadConfig({ file: "main.yaml", cwd: dir, env: {} }));
  assert.deepEqual(loaded.config.rulesFiles, ["/main.yaml", "/10.yaml", "/linked.yaml", "/20.yaml"]);
  assert.equal(loaded.config.log.level, "notice");
  assert.equal(loaded.config.json.output, false);
  assert.deepEqual(
    loaded.sources.map((s) => s.file),
    ["main.yaml", "conf.d/10-a.yaml", "conf.d/15-link.yaml", "conf.d/20-b.yaml", "conf.d/README"],
  );
  assert.deepEqual(loaded.directories, ["conf.d"]);
});

test("missing entries are skipped; a scalar config_files is one entry; an empty one is nothing", () => {
  const a = expectLoaded(loadYaml("config_files: [nope.yaml, nope.d]\n"));
  assert.deepEqual(
    a.sources.map((s) => s.file),
    ["main.yaml"],
  );
  const b = expectLoaded(
    loadYaml("config_files: inc.yaml\n", { files: { "inc.yaml": "log_level: debug\n" } }),
  );
  assert.equal(b.config.log.level, "debug");
  const c = expectLoaded(loadYaml("config_files:\nlog_level: debug\n"));
  assert.deepEqual(c.config.configFiles, []);
});

test("relative paths are relative to the working directory, not to the main file", () => {
  const dir = tempConfigDir({
    "etc/main.yaml": "config_files: [inc.yaml]\n",
    "etc/inc.yaml": "log_level: error\n",
    "inc.yaml": "log_level: debug\n",
  });
  const loaded = expectLoaded(loadConfig({ file: "etc/main.yaml", cwd: dir, env: {} }));
  assert.equal(loaded.config.log.level, "debug");
});

test("-o config_files includes files before the other options apply", () => {
  const loaded = expectLoaded(
    loadYaml("log_level: error\n", {
      files: { "conf_2.yaml": "log_level: warning\nstdout_output: {enabled: true}\n" },
      overrides: ["config_files=conf_2.yaml", "log_level=debug"],
    }),
  );
  assert.equal(loaded.config.log.level, "debug");
  assert.equal(loaded.config.outputs.stdout.enabled, true);
  assert.deepEqual(
    loaded.sources.map((s) => s.file),
    ["main.yaml", "conf_2.yaml"],
  );
});

test("config_files also work without a main file (stock configuration)", () => {
  const dir = tempConfigDir({ "extra.yaml": "json_output: true\n" });
  const loaded = expectLoaded(loadConfig({ cwd: dir, env: {}, overrides: ["config_files[]=extra.yaml"] }));
  assert.equal(loaded.config.json.output, true);
  assert.equal(loaded.config.outputs.stdout.enabled, true, "stock values remain");
});

const BAD: { name: string; main: string; files: Record<string, string>; want: string[] }[] = [
  {
    name: "the main file including itself",
    main: "log_level: info\nconfig_files: [./main.yaml]\n",
    files: {},
    want: ["SAKER_CONFIG_INCLUDE config_files main.yaml:2:16"],
  },
  {
    name: "an included file with its own config_files",
    main: "config_files: [conf_2.yaml]\n",
    files: { "conf_2.yaml": "log_level: info\nconfig_files: [conf_4.yaml]\n", "conf_4.yaml": "" },
    want: ["SAKER_CONFIG_INCLUDE config_files conf_2.yaml:2:1"],
  },
  {
    name: "appending a list to a scalar",
    main: "config_files: [inc.yaml]\nrules_files: /a.yaml\n",
    files: { "inc.yaml": "\nrules_files: [/b.yaml]\n" },
    want: ["SAKER_CONFIG_MERGE rules_files inc.yaml:2:14"],
  },
  {
    name: "a type error in an included file names that file",
    main: "config_files: [conf.d]\nlog_level: info\n",
    files: { "conf.d/10.yaml": "\n\nwebserver:\n  listen_port: http\n" },
    want: ["SAKER_CONFIG_INVALID webserver.listen_port conf.d/10.yaml:4:16"],
  },
  {
    name: "a YAML error in an included file names that file",
    main: "config_files: [inc.yaml]\n",
    files: { "inc.yaml": "a: [1,\n" },
    want: ["SAKER_CONFIG_YAML_PARSE  inc.yaml:2:1"],
  },
  {
    name: "an unknown strategy",
    main: "config_files:\n  - path: inc.yaml\n    strategy: wrong\n",
    files: { "inc.yaml": "log_level: info\n" },
    want: ["SAKER_CONFIG_INVALID config_files[0].strategy main.yaml:3:15"],
  },
];

for (const c of BAD) {
  test(`config_files refused: ${c.name}`, () => {
    const errors = expectErrors(loadYaml(c.main, { files: c.files }));
    assert.deepEqual(errors.map(brief), c.want);
  });
}

test("an included file's unknown key warns with that file's position", () => {
  const loaded = expectLoaded(
    loadYaml("config_files: [inc.yaml]\n", { files: { "inc.yaml": "\nwebserver:\n  enabeld: true\n" } }),
  );
  assert.deepEqual(loaded.warnings.map(brief), ["SAKER_CONFIG_UNKNOWN_KEY webserver.enabeld inc.yaml:3:3"]);
});
