// `saker rules validate|list|describe`: load rules files as Falco does and show what they define.
//
//   saker rules validate FILE... [--json] [--falco-compat]
//       Each file's problems (text with carets, or Falco's `-V` JSON). Exit 1 when any file has an error.
//   saker rules list -r FILE... [--json]
//       Rules with their fully expanded conditions and event types, then macros and lists.
//   saker rules describe NAME -r FILE... [--json]
//       One rule (or macro, or list) in detail.
//
// Files load in order and later ones see earlier ones; a directory stands for its files, sorted.
// The command bodies are plain functions returning their output and exit status, so tests run exactly
// what the command runs.
import type { Command } from "commander";
import { priorityName } from "../../rules/priority.js";
import type { LoadOptions, LoadOutcome, ReportMode } from "../../rules/loader/load.js";
import { loadRulesPaths } from "../../rules/loader/load.js";
import { formatResults, resultsJson } from "../../rules/loader/results.js";
import type { CompiledList, CompiledMacro, CompiledRule, Ruleset } from "../../rules/ruleset-model.js";

export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RulesCommandOptions {
  readonly json?: boolean;
  /** Report as `falco -V` does: a file's loading stops at its first error. */
  readonly falcoCompat?: boolean;
  /** For tests and embedding: override the loader's defaults. */
  readonly load?: Omit<LoadOptions, "mode">;
}

function load(paths: readonly string[], options: RulesCommandOptions): LoadOutcome {
  const mode: ReportMode = options.falcoCompat === true ? "falco" : "all";
  return loadRulesPaths(paths, { ...options.load, mode });
}

/** `saker rules validate`. */
export function validateRules(
  paths: readonly string[],
  options: RulesCommandOptions = {},
): CommandResult & { readonly outcome: LoadOutcome } {
  const outcome = load(paths, options);
  const stdout = options.json === true ? JSON.stringify(resultsJson(outcome)) + "\n" : formatResults(outcome);
  return { exitCode: outcome.successful ? 0 : 1, stdout, stderr: "", outcome };
}

/** `saker rules list`. */
export function listRules(paths: readonly string[], options: RulesCommandOptions = {}): CommandResult {
  const outcome = load(paths, options);
  if (!outcome.successful) return failed(outcome);
  const rs = outcome.ruleset;
  if (options.json === true) {
    return { exitCode: 0, stdout: JSON.stringify(describeJson(rs, undefined), null, 2) + "\n", stderr: "" };
  }
  let out = "";
  for (const r of rs.rules) out += ruleText(r);
  if (rs.macros.length > 0) out += "\nMacros:\n";
  for (const m of rs.macros)
    out += `  ${m.name}${m.used ? "" : " (unused)"}: ${m.conditionText ?? m.conditionSource}\n`;
  if (rs.lists.length > 0) out += "\nLists:\n";
  for (const l of rs.lists)
    out += `  ${l.name}${l.used ? "" : " (unused)"}: [${l.itemsCompiled.join(", ")}]\n`;
  return { exitCode: 0, stdout: out, stderr: warningsText(outcome) };
}

/** `saker rules describe NAME`. */
export function describeRule(
  name: string,
  paths: readonly string[],
  options: RulesCommandOptions = {},
): CommandResult {
  const outcome = load(paths, options);
  if (!outcome.successful) return failed(outcome);
  const rs = outcome.ruleset;
  const rule = rs.rules.find((r) => r.name === name);
  const macro = rs.macros.find((m) => m.name === name);
  const list = rs.lists.find((l) => l.name === name);
  if (rule === undefined && macro === undefined && list === undefined) {
    return { exitCode: 1, stdout: "", stderr: `saker: no rule, macro or list named '${name}'\n` };
  }
  if (options.json === true) {
    return { exitCode: 0, stdout: JSON.stringify(describeJson(rs, name), null, 2) + "\n", stderr: "" };
  }
  let out = "";
  if (rule !== undefined) out += ruleText(rule, true);
  if (macro !== undefined) out += macroText(macro);
  if (list !== undefined) out += listText(list);
  return { exitCode: 0, stdout: out, stderr: "" };
}

function failed(outcome: LoadOutcome): CommandResult {
  return { exitCode: 1, stdout: "", stderr: formatResults(outcome) };
}

function warningsText(outcome: LoadOutcome): string {
  return outcome.files.some((f) => f.warnings.length > 0) ? formatResults(outcome) : "";
}

function eventTypesText(r: CompiledRule): string {
  return r.eventTypes === "all" ? "all" : [...r.eventTypes].sort().join(", ");
}

function ruleText(r: CompiledRule, detailed = false): string {
  let out = `${r.name}\n`;
  out += `  priority: ${priorityName(r.priority)}  source: ${r.source}  enabled: ${r.enabled}\n`;
  if (r.tags.length > 0) out += `  tags: ${r.tags.join(", ")}\n`;
  out += `  event types: ${eventTypesText(r)}\n`;
  out += `  condition: ${r.conditionText}\n`;
  out += `  output: ${r.output.text}\n`;
  if (detailed) {
    out += `  description: ${r.description}\n`;
    out += `  condition as written: ${r.conditionSource}\n`;
    if (r.macros.length > 0) out += `  macros: ${r.macros.join(", ")}\n`;
    if (r.lists.length > 0) out += `  lists: ${r.lists.join(", ")}\n`;
    if (r.exceptionNames.length > 0) out += `  exceptions: ${r.exceptionNames.join(", ")}\n`;
    out += `  defined at: ${r.location.file}:${r.location.line}:${r.location.column}\n`;
  }
  return out;
}

function macroText(m: CompiledMacro): string {
  return (
    `macro ${m.name}${m.used ? "" : " (unused)"}\n  condition: ${m.conditionSource}\n` +
    `  expanded: ${m.conditionText ?? "(not compiled)"}\n  defined at: ${m.location.file}:${m.location.line}:${m.location.column}\n`
  );
}

function listText(l: CompiledList): string {
  return (
    `list ${l.name}${l.used ? "" : " (unused)"}\n  items: [${l.items.join(", ")}]\n` +
    `  expanded: [${l.itemsCompiled.join(", ")}]\n  defined at: ${l.location.file}:${l.location.line}:${l.location.column}\n`
  );
}

/** The shape of Falco's describe_rule JSON (`falco -L -o json_output=true`), for all or one name. */
function describeJson(rs: Ruleset, name: string | undefined): unknown {
  const pick = <T extends { name: string }>(xs: readonly T[]) =>
    name === undefined ? xs : xs.filter((x) => x.name === name);
  return {
    required_engine_version: rs.requiredEngineVersion ?? "",
    required_plugin_versions: rs.requiredPluginVersions,
    rules: pick(rs.rules).map((r) => ({
      info: {
        name: r.name,
        condition: r.conditionSource,
        priority: priorityName(r.priority),
        output: r.outputSource,
        description: r.description,
        enabled: r.enabled,
        source: r.source,
        capture: r.capture,
        capture_duration: r.captureDuration,
        tags: r.tags,
      },
      details: {
        condition_compiled: r.conditionText,
        output_compiled: r.output.text,
        events: r.eventTypes === "all" ? "all" : [...r.eventTypes].sort(),
        macros: r.macros,
        lists: r.lists,
        exception_names: r.exceptionNames,
        exception_fields: r.exceptionFields,
        location: `${r.location.file}:${r.location.line}:${r.location.column}`,
      },
    })),
    macros: pick(rs.macros).map((m) => ({
      info: { name: m.name, condition: m.conditionSource },
      details: { used: m.used, condition_compiled: m.conditionText ?? null },
    })),
    lists: pick(rs.lists).map((l) => ({
      info: { name: l.name, items: l.items },
      details: { used: l.used, items_compiled: l.itemsCompiled },
    })),
  };
}

function emit(result: CommandResult): void {
  if (result.stdout !== "") process.stdout.write(result.stdout);
  if (result.stderr !== "") process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}

export function registerRulesCommand(program: Command): void {
  const rules = program.command("rules").description("validate, list and describe rules files");
  rules
    .command("validate")
    .description("load rules files as Falco does and report every problem (exit 1 on errors)")
    .argument("<files...>", "rules files or directories, loaded in order")
    .option("--json", "print Falco's -V JSON result")
    .option("--falco-compat", "report exactly what falco -V reports: each file stops at its first error")
    .action((files: string[], opts: { json?: boolean; falcoCompat?: boolean }) => {
      emit(validateRules(files, { json: opts.json, falcoCompat: opts.falcoCompat }));
    });
  rules
    .command("list")
    .description("list rules with their expanded conditions and event types, then macros and lists")
    .requiredOption("-r, --rules <paths...>", "rules files or directories, loaded in order")
    .option("--json", "print JSON (the shape of Falco's rule description)")
    .action((opts: { rules: string[]; json?: boolean }) => {
      emit(listRules(opts.rules, { json: opts.json }));
    });
  rules
    .command("describe")
    .description("show one rule, macro or list in detail")
    .argument("<name>", "rule, macro or list name")
    .requiredOption("-r, --rules <paths...>", "rules files or directories, loaded in order")
    .option("--json", "print JSON (the shape of Falco's rule description)")
    .action((name: string, opts: { rules: string[]; json?: boolean }) => {
      emit(describeRule(name, opts.rules, { json: opts.json }));
    });
}
