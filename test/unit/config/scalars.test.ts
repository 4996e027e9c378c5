// How scalars are read (yaml-cpp's conversions, which Falco uses for every key), Prometheus durations,
// and the stock configuration used when no file is given.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig, parsePrometheusDuration } from "../../../src/config/index.js";
import { parseYamlCppBool, parseYamlCppFloat, parseYamlCppInt } from "../../../src/config/tree.js";
import { Priority } from "../../../src/rules/priority.js";

const BOOLS: [string, boolean | undefined][] = [
  ["true", true],
  ["True", true],
  ["TRUE", true],
  ["yes", true],
  ["Y", true],
  ["on", true],
  ["On", true],
  ["false", false],
  ["FALSE", false],
  ["no", false],
  ["n", false],
  ["Off", false],
  ["tRUE", undefined],
  ["1", undefined],
  ["", undefined],
  ["enabled", undefined],
  ["yes ", undefined],
];
for (const [text, want] of BOOLS) {
  test(`yaml-cpp bool ${JSON.stringify(text)}`, () => assert.equal(parseYamlCppBool(text), want));
}

const INTS: [string, number | undefined][] = [
  ["0", 0],
  ["42", 42],
  ["-7", -7],
  ["+5", 5],
  ["0x1F", 31],
  ["0o17", 15],
  ["017", 15],
  ["12 ", 12],
  ["1.5", undefined],
  ["08", undefined],
  ["1e3", undefined],
  ["", undefined],
  [" 1", undefined],
  ["1_000", undefined],
];
for (const [text, want] of INTS) {
  test(`yaml-cpp int ${JSON.stringify(text)}`, () => assert.equal(parseYamlCppInt(text), want));
}

const FLOATS: [string, number | undefined][] = [
  [".03333", 0.03333],
  ["1.5", 1.5],
  ["-2", -2],
  ["1e3", 1000],
  ["5.", 5],
  ["08", 8],
  [".inf", undefined],
  ["abc", undefined],
  ["", undefined],
  ["1.2.3", undefined],
];
for (const [text, want] of FLOATS) {
  test(`yaml-cpp double ${JSON.stringify(text)}`, () => assert.equal(parseYamlCppFloat(text), want));
}

const DURATIONS: [string, number][] = [
  ["1h", 3_600_000],
  ["15s", 15_000],
  ["500ms", 500],
  ["1h30m", 5_400_000],
  ["2d", 172_800_000],
  ["1w", 604_800_000],
  ["1y", 31_536_000_000],
  ["1m 30s", 90_000],
  ["5000", 0],
  ["30m1h", 0],
  ["abc", 0],
  ["", 0],
];
for (const [text, want] of DURATIONS) {
  test(`Prometheus duration ${JSON.stringify(text)}`, () =>
    assert.equal(parsePrometheusDuration(text), want));
}

test("the stock configuration is falco.yaml's documented values with Saker's rules directory", () => {
  const result = loadConfig({ env: {}, defaultRulesDir: "/opt/saker/rules" });
  assert.ok(result.ok);
  assert.deepEqual(result.warnings, []);
  assert.deepEqual(result.sources, [{ file: "<saker defaults>", role: "defaults" }]);
  const c = result.config;
  assert.deepEqual(c.rulesFiles, ["/opt/saker/rules"]);
  assert.equal(c.engine.kind, "modern_ebpf");
  assert.equal(c.priority, Priority.Debug);
  assert.equal(c.outputs.stdout.enabled, true);
  assert.equal(c.outputs.syslog.enabled, true);
  assert.equal(c.webserver.enabled, true);
  assert.equal(c.log.stderr, true);
  assert.equal(c.metrics.interval, "1h");
  assert.equal(c.metrics.intervalMs, 3_600_000);
  assert.deepEqual([...c.syscallEventDrops.actions], ["log", "alert"]);
  assert.deepEqual(c.loadPlugins, []);
  assert.deepEqual(
    c.plugins.map((p) => p.name),
    ["container"],
  );
  assert.equal(c.container.source, "plugin");
  assert.equal(c.falcoLibs.snaplen, 80);
  assert.deepEqual(
    c.appendOutput.map((a) => a.suggestedOutput),
    [true],
  );
});
