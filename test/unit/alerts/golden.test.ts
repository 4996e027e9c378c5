// Falco's own expected alerts for single_rule.yaml / single_rule_with_tags.yaml on cat_write.scap
// (corpus expected/outputs/single_rule_with_cat_write.{txt,json}), reproduced line for line from
// synthetic events with the same timestamps and field values. Variants that the corpus does not hold
// (local time, the >= 0.39 JSON layout, the json_include_* switches) are pinned in test/golden/alerts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { compileAlertFormatter, DEFAULT_ALERT_CONFIG, type AlertConfig } from "../../../src/alerts/alert.js";
import { compileOutputFormat, type OutputFormat } from "../../../src/alerts/format.js";
import { parsePriority, type Priority } from "../../../src/rules/priority.js";
import { assertGolden } from "../../support/golden.js";
import { corpusPath } from "../../support/paths.js";
import { testSchema, testSource, type TestEvent } from "./fixture.js";

// The eight open events of cat_write.scap that open_from_cat matches (4 enters, 4 exits).
const TIMESTAMPS = [
  1470327477881781397n,
  1470327477881785348n,
  1470327477881796705n,
  1470327477881799840n,
  1470327477882003104n,
  1470327477882008208n,
  1470327477882045694n,
  1470327477882054739n,
];
const EVENTS: TestEvent[] = TIMESTAMPS.map((ts) => ({
  ts,
  values: { "proc.name": "cat", "proc.cmdline": "cat /dev/null", "evt.type": "open" },
}));

interface RuleItem {
  rule?: string;
  output?: string;
  priority?: string;
  tags?: string[];
}

function loadRule(file: string): { name: string; priority: Priority; tags: string[]; output: OutputFormat } {
  const items = parseYaml(readFileSync(corpusPath("rules/falco-tests", file), "utf8")) as RuleItem[];
  const item = items.find((i) => i.rule !== undefined)!;
  const compiled = compileOutputFormat(item.output!, testSchema);
  assert.ok(compiled.ok);
  return {
    name: item.rule!,
    priority: parsePriority(item.priority!)!,
    tags: item.tags ?? [],
    output: compiled.format,
  };
}

function render(file: string, config: Partial<AlertConfig>): string[] {
  const rule = loadRule(file);
  // Local times as in a UTC+2 zone, so the goldens do not depend on the machine.
  const full: AlertConfig = {
    ...DEFAULT_ALERT_CONFIG,
    hostname: "test-falco-hostname",
    utcOffsetSeconds: 7200,
    ...config,
  };
  const formatter = compileAlertFormatter({ ...rule, source: "syscall" }, testSource(2 * 3600), full);
  return EVENTS.map((e) => formatter.render(formatter.alert(e, e.ts)));
}

function expectedLines(file: string): string[] {
  return readFileSync(corpusPath("expected/outputs", file), "utf8")
    .split("\n")
    .filter((l) => l !== "");
}

test("text alerts: stdout_output_strict (time_format_iso_8601)", () => {
  const lines = render("single_rule.yaml", { timeFormatIso8601: true });
  assert.deepEqual(lines, expectedLines("single_rule_with_cat_write.txt"));
});

test("JSON alerts: stdout_output_json_strict (legacy layout, tags, hostname)", () => {
  const lines = render("single_rule_with_tags.yaml", { timeFormatIso8601: true, jsonOutput: true });
  assert.deepEqual(lines, expectedLines("single_rule_with_cat_write.json"));
});

test("golden variants of the same alerts", () => {
  const variants: [string, string, Partial<AlertConfig>][] = [
    ["local_time.txt", "single_rule.yaml", {}],
    [
      "current_layout.json",
      "single_rule_with_tags.yaml",
      { timeFormatIso8601: true, jsonOutput: true, jsonLayout: "current" },
    ],
    [
      "local_time_current_layout.json",
      "single_rule_with_tags.yaml",
      { jsonOutput: true, jsonLayout: "current" },
    ],
    [
      "message_no_output_no_tags.json",
      "single_rule_with_tags.yaml",
      {
        timeFormatIso8601: true,
        jsonOutput: true,
        jsonIncludeMessageProperty: true,
        jsonIncludeOutputProperty: false,
        jsonIncludeTagsProperty: false,
      },
    ],
    [
      "no_output_fields.json",
      "single_rule.yaml",
      { jsonOutput: true, jsonIncludeOutputFieldsProperty: false },
    ],
  ];
  for (const [golden, rules, config] of variants) {
    assertGolden(`alerts/single_rule_with_cat_write.${golden}`, render(rules, config).join("\n") + "\n");
  }
});
