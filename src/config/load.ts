// Loading a configuration, in Falco's order (falco_configuration::init_from_file):
//
//   1. read the main file (or Saker's stock configuration when there is none), `${VAR}`s expanded;
//   2. apply the `-o config_files...` options;
//   3. merge the config_files (files and directories) into it;
//   4. apply the other `-o` options, in order;
//   5. type the values by the schema (unknown keys warn), validate (wrong types stop), fill defaults;
//   6. build the typed SakerConfig, with Falco's load-time checks.
// Either a full, valid configuration comes back or the errors do. Positions survive every step: a value
// from config.d/10-out.yaml is reported at config.d/10-out.yaml:3:12, a `-o` value at `<-o #2>:1:col`.
import { resolve } from "node:path";
import { buildConfig } from "./build.js";
import { DEFAULT_RULES_DIR, DEFAULTS_FILE_NAME, stockConfigYaml } from "./defaults.js";
import type { ConfigDiagnostic } from "./diagnostics.js";
import type { Env } from "./env.js";
import { materialize } from "./materialize.js";
import type { ConfigSource } from "./merge.js";
import { mergeConfigFiles, readConfigTree, treeFromText } from "./merge.js";
import type { ParsedOverride } from "./overrides.js";
import { applyOverride, isConfigFilesOverride, parseOverride } from "./overrides.js";
import { CONFIG_SCHEMA } from "./schema.js";
import type { CMap } from "./tree.js";
import type { SakerConfig } from "./types.js";
import { validateConfig } from "./validate.js";

export interface LoadConfigOptions {
  /** The main config file; absent: Saker's stock configuration. */
  readonly file?: string;
  /** `-o key=value` options, in command-line order. */
  readonly overrides?: readonly string[];
  /** Variables for `${VAR}` expansion; default process.env. */
  readonly env?: Env;
  /** Directory relative paths (the file, config_files) are resolved against; default process.cwd(). */
  readonly cwd?: string;
  /** rules_files of the stock configuration; default Saker's rules/ directory. */
  readonly defaultRulesDir?: string;
}

export interface ConfigLoaded {
  readonly ok: true;
  readonly config: SakerConfig;
  readonly warnings: readonly ConfigDiagnostic[];
  /** The files read, in order: the main file (or the stock defaults), then included files. */
  readonly sources: readonly ConfigSource[];
  /** Directories named in config_files that exist (Falco watches them). */
  readonly directories: readonly string[];
  /** The `-o` options applied, in order. */
  readonly overrides: readonly string[];
  /** The merged configuration tree before typing (positions included), for `config show --raw`. */
  readonly raw: CMap;
  /** The effective configuration in falco.yaml's shape, defaults filled in. */
  readonly effective: Readonly<Record<string, unknown>>;
}

export interface ConfigFailed {
  readonly ok: false;
  readonly errors: readonly ConfigDiagnostic[];
  readonly warnings: readonly ConfigDiagnostic[];
}

export type LoadConfigResult = ConfigLoaded | ConfigFailed;

export function loadConfig(options: LoadConfigOptions = {}): LoadConfigResult {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const diagnostics: ConfigDiagnostic[] = [];
  const failed = (): ConfigFailed => ({
    ok: false,
    errors: diagnostics.filter((d) => d.severity === "error"),
    warnings: diagnostics.filter((d) => d.severity === "warning"),
  });
  const hasErrors = (): boolean => diagnostics.some((d) => d.severity === "error");

  // 1. the main file
  const read =
    options.file === undefined
      ? treeFromText(stockConfigYaml(options.defaultRulesDir ?? DEFAULT_RULES_DIR), DEFAULTS_FILE_NAME, env)
      : readConfigTree(resolve(cwd, options.file), options.file, env);
  diagnostics.push(...read.diagnostics);
  const sources: ConfigSource[] = [
    options.file === undefined
      ? { file: DEFAULTS_FILE_NAME, role: "defaults" }
      : { file: options.file, role: "main" },
  ];

  const overrides: ParsedOverride[] = [];
  (options.overrides ?? []).forEach((text, i) => {
    const parsed = parseOverride(text, i + 1);
    if ("segments" in parsed) overrides.push(parsed);
    else diagnostics.push(parsed);
  });
  if (read.root === undefined || hasErrors()) return failed();
  const root = read.root;

  // 2. -o config_files...
  for (const o of overrides.filter(isConfigFilesOverride)) {
    const problem = applyOverride(root, o);
    if (problem) diagnostics.push(problem);
  }

  // 3. config_files
  const merged = mergeConfigFiles(root, options.file, cwd, env);
  diagnostics.push(...merged.diagnostics);
  sources.push(...merged.sources);

  // 4. the other -o options
  for (const o of overrides.filter((o) => !isConfigFilesOverride(o))) {
    const problem = applyOverride(root, o);
    if (problem) diagnostics.push(problem);
  }
  if (hasErrors()) return failed();

  // 5. type, validate, fill defaults
  const typed = materialize(root, CONFIG_SCHEMA);
  diagnostics.push(...typed.diagnostics);
  const validated = validateConfig(typed.value, typed.positions);
  diagnostics.push(...validated.diagnostics);
  if (hasErrors()) return failed();

  // 6. the typed configuration
  const built = buildConfig(validated.effective, typed.positions);
  if (!built.ok) {
    diagnostics.push(...built.errors);
    return failed();
  }
  return {
    ok: true,
    config: built.config,
    warnings: diagnostics.filter((d) => d.severity === "warning"),
    sources,
    directories: merged.directories,
    overrides: overrides.map((o) => o.text),
    raw: root,
    effective: validated.effective,
  };
}
