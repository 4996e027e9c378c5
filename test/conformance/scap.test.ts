// Conformance: every `kind: "scap"` case of the shared corpus, replayed through runCaptureReplay (what
// `falco -e <capture>` prints: alerts and the detection summary on stdout, logs, drop-monitor lines and
// errors on stderr) with the case's configuration file read by the configuration module, its options
// applied as Falco's command line applies them (-o key=value, -A, -D, -T, -t), and every expectation key
// the case states checked. Counts are read back from the printed summary, as Falco's test suites do.
//
// Facts about the upstream harnesses this mirrors: falco's test/falco_test.py ran every falco/ case with
// FALCO_HOSTNAME=test-falco-hostname (line 666 at 2583ea9) and passed min_priority, json_output,
// json_include_*_property and time_format_iso_8601 as `-o` options.
//
// A case not on ALLOWED_FAILURES must pass. An allow-listed case names the expectation keys that may fail
// and why; every other key of it must pass, and at least one allowed key must still fail (else the entry
// is stale and the test says so).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { falcoHostname } from "../../src/alerts/alert.js";
import { replaySettingsFromConfig, runCaptureReplay } from "../../src/capture/replay.js";
import { formatConfigDiagnostics, loadConfig } from "../../src/config/index.js";
import { corpusPath, requireCorpus } from "../support/paths.js";
import { parseSummary, severityKey } from "../support/falco-summary.js";

interface Case {
  readonly id: string;
  readonly kind: string;
  readonly input: string;
  readonly rules_files: readonly string[];
  readonly options: Readonly<Record<string, unknown>>;
  readonly expected: Readonly<Record<string, unknown>>;
}

interface Allowed {
  /** Expectation keys that may fail. */
  readonly keys: readonly string[];
  readonly reason: string;
}

const ALLOWED_FAILURES: ReadonlyMap<string, Allowed> = new Map<string, Allowed>([
  [
    "falco/falco_tests/grpc_unix_socket_outputs",
    {
      keys: ["grpc"],
      reason:
        "gRPC output (outputs.proto `get` over unix:///tmp/falco/falco.sock) belongs to the gRPC/outputs issue",
    },
  ],
  [
    "falco/falco_tests/syscalls",
    {
      keys: ["rules_warning_names"],
      reason:
        "expects the Lua-era loader's per-rule warning for detect_madvise (`evt.type=madvise` could not be " +
        "narrowed: madvise had no event type of its own); libsinsp now maps generic syscalls by name, so " +
        "neither Falco >= 0.32 nor Saker warns, and falco's harness stopped checking this key in a37e2252",
    },
  ],
]);

interface RunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

const TEST_HOSTNAME = "test-falco-hostname";

/** Run one case the way Falco's harness ran it. */
async function runCase(c: Case): Promise<RunResult> {
  const o = c.options;
  const env: Record<string, string> = {
    ...(c.id.startsWith("falco/") ? { FALCO_HOSTNAME: TEST_HOSTNAME } : {}),
    ...((o.env as Record<string, string> | undefined) ?? {}),
  };
  const overrides: string[] = [];
  for (const [key, value] of Object.entries(o)) {
    switch (key) {
      case "config_file":
      case "all_events":
      case "disabled_rules":
      case "disabled_tags":
      case "enabled_tags":
      case "env":
      case "run_duration_s": // the gRPC case's wait for its client; a replay ends when the file does
        break;
      case "min_priority":
        overrides.push(`priority=${String(value)}`);
        break;
      case "json_output":
      case "json_include_output_property":
      case "json_include_tags_property":
      case "time_format_iso_8601":
        overrides.push(`${key}=${String(value)}`);
        break;
      case "extra_config_overrides":
        for (const x of value as string[]) {
          overrides.push(x.replace("<temp file>", join(tmpdir(), `saker-scap-${process.pid}.txt`)));
        }
        break;
      default:
        throw new Error(`${c.id}: option '${key}' is not mapped`);
    }
  }
  // Falco's harness gave file_output/program_output an empty /tmp/falco_outputs to write to.
  for (const spec of outputFiles(c)) {
    mkdirSync(dirname(spec.actual), { recursive: true });
    rmSync(spec.actual, { force: true });
  }
  const tempFile = join(tmpdir(), `saker-scap-${process.pid}.txt`);
  rmSync(tempFile, { force: true });
  const cfg = loadConfig({ file: corpusPath(String(o.config_file)), overrides, env });
  if (!cfg.ok) {
    return { exitCode: 1, stdout: "", stderr: "Error: " + formatConfigDiagnostics(cfg.errors) };
  }
  const s = replaySettingsFromConfig(cfg.config, falcoHostname(env));
  let stdout = "";
  let stderr = "";
  const outcome = await runCaptureReplay(
    corpusPath(c.input),
    {
      rulesPaths: c.rules_files.map((f) => corpusPath(f)),
      alertConfig: s.alertConfig,
      matching: s.matching,
      selection: {
        ...s.selection,
        disabledSubstrings: o.disabled_rules as string[] | undefined,
        disabledTags: o.disabled_tags as string[] | undefined,
        enabledTags: o.enabled_tags as string[] | undefined,
      },
      allEvents: o.all_events === true,
      drops: s.drops,
      logging: s.logging,
      writeAlerts: s.writeAlerts,
      outputChannels: s.outputChannels,
      outputQueue: s.outputQueue,
      verbose: c.expected.rules_warning_names !== undefined,
    },
    { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) },
  );
  rmSync(tempFile, { force: true });
  return { exitCode: outcome.exitCode, stdout, stderr };
}

/** The files (not stdout) a case expects alert lines in: what file_output/program_output write. */
function outputFiles(c: Case): { actual: string; expected_file: string }[] {
  const want = c.expected.output_strictly_contains as { actual: string; expected_file: string }[] | undefined;
  return (want ?? []).filter((spec) => spec.actual !== "stdout");
}

function linesOf(file: string): string[] {
  return readFileSync(corpusPath(file), "utf8")
    .split("\n")
    .filter((l) => l !== "");
}

/**
 * Rules named by loader warnings on stderr: Falco's Lua-era "Rule X: warning (code):" lines, or Saker's
 * diagnostics ("file:line:col: warning LOAD_...: message" followed by "  In rule 'X' (...)").
 */
function warnedRules(stderr: string): Set<string> {
  const out = new Set<string>();
  for (const m of stderr.matchAll(/Rule ([^:\n]+): warning \(([^)]+)\):/g)) out.add(m[1]!);
  for (const m of stderr.matchAll(/warning LOAD_[A-Z_]+:[^\n]*\n\s+In rule '([^']+)'/g)) out.add(m[1]!);
  return out;
}

/** Every expectation the case states, checked: problems by expectation key (empty: passed). */
function check(c: Case, r: RunResult): Map<string, string[]> {
  const problems = new Map<string, string[]>();
  const add = (key: string, text: string): void => {
    const list = problems.get(key) ?? [];
    list.push(text);
    problems.set(key, list);
  };
  const summary = parseSummary(r.stdout);
  const total = summary.total ?? 0;
  for (const [key, want] of Object.entries(c.expected)) {
    switch (key) {
      case "exit_status":
        if (r.exitCode !== want) add(key, `exit status ${r.exitCode}, expected ${String(want)}`);
        break;
      case "process_error":
        if ((r.exitCode !== 0 && /^Error: /m.test(r.stderr)) !== want) {
          add(key, `process error ${r.exitCode !== 0}, expected ${String(want)}`);
        }
        break;
      case "detect":
        if (total > 0 !== want) add(key, `detect ${total > 0} (${total} alerts), expected ${String(want)}`);
        break;
      case "total_count":
        if (total !== want) add(key, `${total} alerts, expected ${String(want)}`);
        break;
      case "detect_counts":
        for (const [rule, n] of Object.entries(want as Record<string, number>)) {
          const got = summary.byRule.get(rule) ?? 0;
          if (got !== n) add(key, `rule '${rule}': ${got} alerts, expected ${n}`);
        }
        break;
      case "priorities_present":
        for (const p of want as string[]) {
          if ((summary.bySeverity.get(severityKey(p)) ?? 0) === 0) add(key, `no ${p} alert`);
        }
        break;
      case "priorities_absent":
        for (const p of want as string[]) {
          if ((summary.bySeverity.get(severityKey(p)) ?? 0) > 0) add(key, `unexpected ${p} alert`);
        }
        break;
      case "stdout_contains_regex":
      case "stderr_contains_regex":
      case "stdout_not_contains_regex":
      case "stderr_not_contains_regex": {
        const text = key.startsWith("stdout") ? r.stdout : r.stderr;
        const negate = key.includes("_not_");
        for (const re of want as string[]) {
          if (new RegExp(re, "m").test(text) === negate) {
            add(key, `${key.split("_")[0]} ${negate ? "matches" : "does not match"} /${re}/`);
          }
        }
        break;
      }
      case "output_strictly_contains":
        for (const spec of want as { actual: string; expected_file: string }[]) {
          let text = r.stdout;
          if (spec.actual !== "stdout") {
            try {
              text = readFileSync(spec.actual, "utf8");
            } catch (e) {
              add(key, `cannot read ${spec.actual}: ${(e as Error).message}`);
              continue;
            }
          }
          const out = text.split("\n");
          let at = 0;
          for (const line of linesOf(spec.expected_file)) {
            const found = out.indexOf(line, at);
            if (found < 0) {
              add(key, `${spec.actual} lacks (in order) ${JSON.stringify(line)}`);
              break;
            }
            at = found + 1;
          }
        }
        break;
      case "output_contains_lines_of": {
        const out = new Set(r.stdout.split("\n"));
        for (const line of linesOf(String(want))) {
          if (!out.has(line)) {
            add(key, `stdout lacks ${JSON.stringify(line)}`);
            break;
          }
        }
        break;
      }
      case "rules_warning_names": {
        const got = warnedRules(r.stderr);
        const wantSet = new Set(want as string[]);
        const same = got.size === wantSet.size && [...wantSet].every((n) => got.has(n));
        if (!same)
          add(key, `rules warned about: [${[...got].join(", ")}], expected [${[...wantSet].join(", ")}]`);
        break;
      }
      case "grpc":
        add(key, "a replay serves no gRPC outputs");
        break;
      default:
        add(key, `expectation '${key}' is not checked by this harness`);
    }
  }
  return problems;
}

test("scap conformance: every scap case of the corpus through runCaptureReplay", async () => {
  requireCorpus();
  const corpus = JSON.parse(readFileSync(corpusPath("cases.json"), "utf8")) as { cases: Case[] };
  const cases = corpus.cases.filter((c) => c.kind === "scap");
  assert.equal(cases.length, 181, "the corpus holds 181 scap cases");

  const failures: { id: string; problems: Map<string, string[]> }[] = [];
  const unexpected: string[] = [];
  for (const c of cases) {
    const result = await runCase(c);
    const problems = check(c, result);
    if (problems.size > 0) failures.push({ id: c.id, problems });
    const allowed = ALLOWED_FAILURES.get(c.id);
    const outside = [...problems.keys()].filter((k) => !(allowed?.keys.includes(k) ?? false));
    if (outside.length > 0) {
      unexpected.push(`${c.id}: ${outside.map((k) => problems.get(k)!.join("; ")).join("; ")}`);
    } else if (allowed !== undefined && problems.size === 0) {
      unexpected.push(`${c.id}: passes now; remove it from ALLOWED_FAILURES`);
    }
  }

  const passed = cases.length - failures.length;
  let report = `scap: ${passed}/${cases.length} passed\n`;
  for (const f of failures) {
    const allowed = ALLOWED_FAILURES.get(f.id);
    const text = [...f.problems.values()].flat().join("; ");
    report += `  FAIL ${f.id}: ${text}${allowed ? ` [allowed: ${allowed.reason}]` : ""}\n`;
  }
  process.stdout.write(report);
  assert.deepEqual(unexpected, [], "cases failing outside the allow-list, or allow-list entries gone stale");
});
