// Loading rules files: read each file, collect its items into the definitions so far, compile the lot,
// and report per file (Falco's falco_engine::load_rules, called once per file on one engine, which is
// also what `falco -V a.yaml b.yaml` does). Later files see earlier ones. A directory stands for its
// regular files in lexicographic order.
//
// Two reporting modes:
// - "all" (default): every problem of every item. Reading goes on after a broken item, compiling goes on
//   after a broken rule, and a compile problem already reported for an earlier file is not repeated for
//   later ones (Falco recompiles everything per file and repeats it).
// - "falco": exactly Falco's result: a file's loading stops at its first error, and the compile problems
//   of everything loaded so far are reported again for each file.
import { readdirSync, readFileSync, statSync } from "node:fs";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { SourceSchema } from "../../engine/source.js";
import { schemaFor as registrySchemaFor } from "../../fields/registry.js";
import { schemaLookupWithStaticFields, type StaticFields } from "../../fields/static.js";
import { parseCondition } from "../language/parser.js";
import type { Ruleset } from "../ruleset-model.js";
import { ENGINE_VERSION } from "../../version.js";
import { Collector } from "./collector.js";
import { compileRules } from "./compiler.js";
import type { ConditionChecker, ExtraOutputField, ExtraOutputFormat } from "./compiler.js";
import { defaultChecker } from "./engine-adapter.js";
import { ItemType } from "./items.js";
import { SourceFile } from "./positions.js";
import { parseSemVer, readRules } from "./reader.js";

export type ReportMode = "all" | "falco";

/** What a configuration adds to loading rules (see rulesConfigFromConfig). */
export interface RulesConfig {
  /** Falco's `append_output` formats (extra_output, and the suggested fields' formats). */
  readonly extraOutput?: readonly ExtraOutputFormat[];
  /** Falco's `append_output` extra_fields. */
  readonly extraFields?: readonly ExtraOutputField[];
  /** Falco's `static_fields`: `static.<name>` fields added to every source's schema. */
  readonly staticFields?: StaticFields;
}

export interface LoadOptions extends RulesConfig {
  /** Schemas of the known sources; default: the field registry (with staticFields added). */
  readonly schemaFor?: (source: string) => SourceSchema | undefined;
  /** Condition checking and event-type narrowing; default: the engine's. */
  readonly checker?: ConditionChecker;
  /** Engine version `required_engine_version` is checked against; default: Saker's ENGINE_VERSION. */
  readonly engineVersion?: string;
  readonly mode?: ReportMode;
}

/** One rules text to load; `error` when it could not be read. */
export interface RulesInput {
  readonly name: string;
  readonly text: string;
  readonly error?: string;
}

/** The outcome of loading one file, as `falco -V` reports it. */
export interface FileResult {
  readonly name: string;
  readonly file: SourceFile;
  readonly successful: boolean;
  /** In the order they were found. */
  readonly diagnostics: readonly Diagnostic[];
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
}

export interface LoadOutcome {
  readonly files: readonly FileResult[];
  /** What all files together define (compiled after the last file). */
  readonly ruleset: Ruleset;
  readonly successful: boolean;
}

/** Load rules texts in order. */
export function loadRules(inputs: readonly RulesInput[], options: LoadOptions = {}): LoadOutcome {
  const schemaFor = schemaLookupWithStaticFields(
    options.schemaFor ?? registrySchemaFor,
    options.staticFields ?? {},
  );
  const checker = options.checker ?? defaultChecker;
  const falco = options.mode === "falco";
  const engineVersion = parseSemVer(options.engineVersion ?? ENGINE_VERSION);
  if (engineVersion === undefined) throw new Error(`invalid engine version ${options.engineVersion}`);
  const collector = new Collector({ schemaFor, engineVersion, isValidField });
  const compileOptions = {
    schemaFor,
    checker,
    extraOutput: options.extraOutput,
    extraFields: options.extraFields,
    stopAtFirstError: falco,
  };
  const reported = new Set<string>();
  const files: FileResult[] = [];
  let ruleset: Ruleset | undefined;

  for (const input of inputs) {
    const file = new SourceFile(input.name, input.text);
    const diagnostics: Diagnostic[] = [];
    let stopped = false;
    const add = (d: Diagnostic) => {
      if (stopped) return;
      diagnostics.push(d);
      if (falco && d.severity === "error") stopped = true;
    };
    if (input.error !== undefined) {
      add({
        code: "LOAD_ERR_FILE_READ",
        severity: "error",
        message: input.error,
        context: [{ itemType: ItemType.RULES_CONTENT, itemName: "", location: file.location(0) }],
      });
      files.push(result(input.name, file, diagnostics));
      continue;
    }
    const read = readRules(input.name, input.text);
    for (const step of read.steps) {
      if (stopped) break;
      if (step.kind === "failed") collector.markFailed(step.itemKind, step.name);
      else if (step.kind === "diagnostic") add(step.diagnostic);
      else collector.collect(step.item, add);
    }
    if (!stopped) {
      const compiled = compileRules(collector, compileOptions);
      ruleset = compiled.ruleset;
      for (const d of compiled.diagnostics) {
        if (!falco) {
          const key = diagnosticKey(d);
          if (reported.has(key)) continue;
          reported.add(key);
        }
        add(d);
      }
    } else {
      ruleset = undefined;
    }
    files.push(result(input.name, file, diagnostics));
  }
  ruleset ??= compileRules(collector, { ...compileOptions, stopAtFirstError: false }).ruleset;
  return { files, ruleset, successful: files.every((f) => f.successful) };
}

/** Read files and directories (their regular files, sorted) and load them in order. */
export function loadRulesPaths(paths: readonly string[], options: LoadOptions = {}): LoadOutcome {
  return loadRules(readRulesInputs(paths), options);
}

/** Expand directories and read each file; unreadable files become inputs with an error. */
export function readRulesInputs(paths: readonly string[]): RulesInput[] {
  const inputs: RulesInput[] = [];
  for (const path of expandRulesPaths(paths)) {
    try {
      inputs.push({ name: path, text: readFileSync(path, "utf8") });
    } catch {
      inputs.push({ name: path, text: "", error: `Could not open file ${path} for reading` });
    }
  }
  return inputs;
}

/** Falco's rules_files handling: a directory is replaced by its regular files, sorted by name. */
export function expandRulesPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) {
      out.push(path);
      continue;
    }
    const dir = path.replace(/\/+$/, "");
    const names = readdirSync(dir)
      .filter((name) => {
        try {
          return statSync(`${dir}/${name}`).isFile();
        } catch {
          return false;
        }
      })
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) out.push(`${dir}/${name}`);
  }
  return out;
}

function result(name: string, file: SourceFile, diagnostics: Diagnostic[]): FileResult {
  const errors = diagnostics.filter((d) => d.severity === "error");
  return {
    name,
    file,
    successful: errors.length === 0,
    diagnostics,
    errors,
    warnings: diagnostics.filter((d) => d.severity === "warning"),
  };
}

function diagnosticKey(d: Diagnostic): string {
  const chain = d.context.map((f) => `${f.itemType}|${f.itemName}|${f.location.file}|${f.location.offset}`);
  return `${d.code}\u0000${d.message}\u0000${chain.join("\u0000")}`;
}

/** Falco's is_valid_lhs_field for an exception `fields:` entry that names a plain field of this source. */
export function isValidField(text: string, schema: SourceSchema): boolean {
  // Entries with a transformer (a parenthesis) are checked by the collector with checkCondition; what
  // reaches here is a plain field name, with or without an argument.
  const parsed = parseCondition(`${text} exists`);
  if (!parsed.ok || parsed.expr.kind !== "unary" || parsed.expr.left.kind !== "field") return false;
  const field = parsed.expr.left;
  return schema.catalogue.resolve(field.name, field.arg).ok;
}
