// Each configuration key changes what `saker run` does, not only what the typed configuration holds
// (keys.test.ts checks that). One row per key: the same capture and rules run once with the stock
// configuration and once with the key set, and the row states what must differ. Every row first checks
// that its expectation does NOT hold for the baseline, so a key that stopped working fails its row.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand, type RunCliOptions } from "../../../src/cli/commands/run.js";
import { corpusPath } from "../../support/paths.js";

const RULES = `
- rule: Cat Opens A Library
  desc: cat opens a shared library
  condition: evt.type in (open, openat) and proc.name = cat and fd.name startswith /lib
  output: cat loads %fd.name
  priority: NOTICE
  tags: [noisy]
- rule: Cat Opens
  desc: cat opens a file
  condition: evt.type in (open, openat) and proc.name = cat and fd.name != ""
  output: cat opened %fd.name (user=%user.name)
  priority: WARNING
  tags: [files]
`;

interface Outcome {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  /** The alert lines of stdout (text or JSON), in order. */
  readonly alerts: string[];
}

const dir = mkdtempSync(join(tmpdir(), "saker-behaviour-"));
const rulesPath = join(dir, "rules.yaml");
writeFileSync(rulesPath, RULES);
const capture = corpusPath("captures", "cat_write.scap");

/** `saker run` over the capture: `yaml` is the -c file's content (empty: the stock configuration). */
async function run(yaml: string, options: Partial<RunCliOptions> = {}): Promise<Outcome> {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  // A given file starts from Falco's built-in defaults, where stdout and stderr logging are off.
  const base =
    `engine:\n  kind: replay\n  replay:\n    capture_file: ${capture}\n` +
    (yaml.includes("stdout_output") ? "" : "stdout_output:\n  enabled: true\n") +
    (yaml.includes("log_stderr") ? "" : "log_stderr: true\n");
  writeFileSync(file, base + yaml);
  let out = "";
  let err = "";
  const code = await runCommand(
    { config: file, rules: options.rules ?? [rulesPath], ...options },
    { stdout: (t) => void (out += t), stderr: (t) => void (err += t) },
  );
  const alerts = out.split("\n").filter((l) => /^(\{|\d\d:\d\d:|\d{4}-\d\d-\d\dT)/.test(l));
  return { code, out, err, alerts };
}

/** The alerts as JSON objects; empty unless every alert line is JSON. */
const json = (o: Outcome): Record<string, unknown>[] =>
  o.alerts.every((l) => l.startsWith("{"))
    ? o.alerts.map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];

const readLines = (path: string): string[] =>
  existsSync(path)
    ? readFileSync(path, "utf8")
        .split("\n")
        .filter((l) => l !== "")
    : [];

interface Row {
  readonly key: string;
  readonly yaml?: string;
  readonly options?: Partial<RunCliOptions>;
  readonly env?: Record<string, string>;
  /** True when the outcome shows the key's effect. */
  readonly effect: (o: Outcome) => boolean;
}

const ROWS: Row[] = [
  {
    key: "priority",
    yaml: "priority: warning\n",
    effect: (o) => o.alerts.length > 0 && o.alerts.every((l) => l.includes("Warning cat opened")),
  },
  {
    key: "rules (disable by name)",
    yaml: "rules:\n  - disable:\n      rule: Cat Opens\n",
    effect: (o) => o.alerts.length > 0 && o.alerts.every((l) => l.includes("cat loads")),
  },
  {
    key: "rules (enable by tag only)",
    yaml: "rules:\n  - disable:\n      rule: '*'\n  - enable:\n      tag: noisy\n",
    effect: (o) => o.alerts.length > 0 && o.alerts.every((l) => l.includes("cat loads")),
  },
  {
    key: "rule_matching",
    yaml: "rule_matching: all\n",
    effect: (o) => o.alerts.some((l) => l.includes("cat opened /lib/")),
  },
  {
    key: "json_output",
    yaml: "json_output: true\n",
    effect: (o) => json(o).length > 0 && json(o).every((a) => typeof a.rule === "string"),
  },
  {
    key: "json_include_output_property",
    yaml: "json_output: true\njson_include_output_property: false\n",
    effect: (o) => json(o).length > 0 && json(o).every((a) => !("output" in a) && "rule" in a),
  },
  {
    key: "json_include_tags_property",
    yaml: "json_output: true\njson_include_tags_property: false\n",
    effect: (o) => json(o).length > 0 && json(o).every((a) => !("tags" in a) && "rule" in a),
  },
  {
    key: "json_include_message_property",
    yaml: "json_output: true\njson_include_message_property: true\n",
    effect: (o) => json(o).length > 0 && json(o).every((a) => typeof a.message === "string"),
  },
  {
    key: "json_include_output_fields_property",
    yaml: "json_output: true\njson_include_output_fields_property: false\n",
    effect: (o) => json(o).length > 0 && json(o).every((a) => !("output_fields" in a) && "rule" in a),
  },
  {
    key: "time_format_iso_8601",
    yaml: "time_format_iso_8601: true\n",
    effect: (o) =>
      o.alerts.length > 0 && o.alerts.every((l) => /^2016-08-04T\d\d:\d\d:\d\d\.\d{9}\+0000: /.test(l)),
  },
  {
    key: "stdout_output",
    yaml: "stdout_output:\n  enabled: false\n",
    effect: (o) => o.code === 0 && o.alerts.length === 0 && /Events detected: [1-9]/.test(o.out),
  },
  {
    key: "rules_files",
    yaml: `rules_files:\n  - ${join(dir, "only-any.yaml")}\n`,
    options: { rules: [] },
    effect: (o) => o.alerts.length > 0 && o.alerts.every((l) => l.includes("only-any")),
  },
  {
    key: "config_files",
    yaml: `config_files:\n  - ${join(dir, "conf.d")}\n`,
    effect: (o) => o.alerts.length > 0 && o.alerts.every((l) => l.startsWith("{")),
  },
  {
    key: "${ENV} expansion",
    yaml: "json_output: ${SAKER_BEHAVIOUR_JSON}\n",
    env: { SAKER_BEHAVIOUR_JSON: "true" },
    effect: (o) => o.alerts.length > 0 && o.alerts.every((l) => l.startsWith("{")),
  },
  {
    key: "-o override",
    options: { option: ["priority=warning", "rules[0].disable.rule=Cat Opens"] },
    effect: (o) => o.code === 0 && o.alerts.length === 0 && /Events detected: 0/.test(o.out),
  },
  {
    key: "append_output (extra_output)",
    yaml: 'append_output:\n  - match:\n      tags: [files]\n    extra_output: "on cpu %evt.cpu"\n',
    effect: (o) =>
      o.alerts.some((l) => /cat opened \S+ \(user=\S+\) on cpu \d+$/.test(l)) &&
      o.alerts.some((l) => l.includes("cat loads")) &&
      o.alerts.every((l) => !l.includes("cat loads") || !l.includes("on cpu")),
  },
  {
    key: "append_output (extra_fields)",
    yaml:
      "json_output: true\nappend_output:\n  - match:\n      source: syscall\n    extra_fields:\n" +
      '      - opener: "%proc.name as %user.name"\n      - evt.cpu\n',
    effect: (o) =>
      json(o).length > 0 &&
      json(o).every((a) => {
        const fields = a.output_fields as Record<string, unknown>;
        return (
          /^cat as \S+$/.test(String(fields.opener)) &&
          typeof fields["evt.cpu"] === "number" &&
          !String(a.output).includes("cat as")
        );
      }),
  },
  {
    key: "static_fields (suggested output)",
    yaml: "static_fields:\n  site: lab-1\nappend_output:\n  - suggested_output: true\n",
    effect: (o) => o.alerts.length > 0 && o.alerts.every((l) => l.endsWith(" static_site=lab-1")),
  },
  {
    key: "static_fields (condition and output)",
    yaml: "static_fields:\n  site: lab-1\n",
    options: { rules: [join(dir, "static.yaml")] },
    effect: (o) => o.alerts.length > 0 && o.alerts.every((l) => /static lab-1 \S+$/.test(l)),
  },
  {
    key: "file_output",
    yaml: `file_output:\n  enabled: true\n  keep_alive: false\n  filename: ${join(dir, "alerts.txt")}\n`,
    effect: (o) => {
      const lines = readLines(join(dir, "alerts.txt"));
      return lines.length > 0 && lines.length === o.alerts.length && lines.every((l, i) => l === o.alerts[i]);
    },
  },
  {
    key: "program_output",
    yaml: `program_output:\n  enabled: true\n  keep_alive: true\n  program: "cat >> ${join(dir, "program.txt")}"\n`,
    effect: (o) => {
      const lines = readLines(join(dir, "program.txt"));
      return lines.length > 0 && lines.length === o.alerts.length;
    },
  },
  {
    key: "base_syscalls (custom_set, --dry-run)",
    yaml: "base_syscalls:\n  custom_set: [mlock]\n",
    options: { dryRun: true },
    effect: (o) => /^Syscalls captured \(\d+\): .*\bmlock\b/m.test(o.out),
  },
  {
    key: "log_level",
    yaml: "log_level: error\n",
    effect: (o) => o.code === 0 && !/Loading rules from file/.test(o.err),
  },
  {
    key: "log_stderr",
    yaml: "log_stderr: false\n",
    effect: (o) => o.code === 0 && !/Saker version/.test(o.err),
  },
];

writeFileSync(
  join(dir, "only-any.yaml"),
  "- rule: Only Any\n  desc: d\n  condition: evt.type in (open, openat) and fd.name != ''\n" +
    "  output: only-any %fd.name\n  priority: ERROR\n",
);
writeFileSync(
  join(dir, "static.yaml"),
  "- rule: Static Site\n  desc: d\n" +
    "  condition: evt.type in (open, openat) and proc.name = cat and static.site = lab-1\n" +
    "  output: static %static.site %fd.name\n  priority: ERROR\n",
);
mkdirSync(join(dir, "conf.d"));
writeFileSync(join(dir, "conf.d", "10-json.yaml"), "json_output: true\n");

test("every row's key changes what saker run does", async (t) => {
  const baseline = await run("");
  assert.equal(baseline.code, 0, baseline.err);
  assert.ok(baseline.alerts.length > 0, "the baseline raises alerts");
  try {
    for (const row of ROWS) {
      await t.test(row.key, async () => {
        assert.equal(
          row.effect(baseline),
          false,
          "the baseline already shows the effect: the row proves nothing",
        );
        const saved: Record<string, string | undefined> = {};
        for (const [k, v] of Object.entries(row.env ?? {})) {
          saved[k] = process.env[k];
          process.env[k] = v;
        }
        try {
          const o = await run(row.yaml ?? "", row.options);
          assert.ok(row.effect(o), `no effect:\n${o.err}\n${o.out.slice(0, 2000)}`);
        } finally {
          for (const [k, v] of Object.entries(saved)) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
          }
        }
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
