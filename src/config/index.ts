// Saker's configuration: falco.yaml's keys and meanings. The public surface:
//
//   loadConfig({ file?, overrides?, env?, cwd? })
//     -> { ok: true, config: SakerConfig, warnings, sources, ... } | { ok: false, errors, warnings }
//
// Pipeline and module map (each step testable alone):
//   tree.ts        YAML -> positioned tree (scalars keep their text)
//   env.ts         ${VAR} expansion, Falco's rules
//   merge.ts       config_files: files and directories, append/override/add-only
//   keypath.ts     -o key path grammar (dots, [n], [], backslash escapes)
//   overrides.ts   -o key=value parsing and application
//   schema.ts      the JSON schema (keys, types, Falco's defaults, deprecated keys)
//   materialize.ts tree -> JSON typed by the schema, unknown keys, positions by JSON pointer
//   validate.ts    ajv: errors with key path and file:line:col, defaults filled
//   build.ts       -> SakerConfig, with Falco's load-time checks
//   show.ts        printing the effective or raw configuration
export { loadConfig } from "./load.js";
export type { ConfigFailed, ConfigLoaded, LoadConfigOptions, LoadConfigResult } from "./load.js";
export type * from "./types.js";
export type { ConfigFileEntry, ConfigSource, MergeStrategy } from "./merge.js";
export type { ConfigCode, ConfigDiagnostic, ConfigErrorCode, ConfigWarningCode } from "./diagnostics.js";
export {
  CONFIG_ERROR_CODES,
  CONFIG_WARNING_CODES,
  formatConfigDiagnostic,
  formatConfigDiagnostics,
} from "./diagnostics.js";
export { CONFIG_SCHEMA, configSchemaText, DEPRECATION_NOTES } from "./schema.js";
export { DEFAULT_RULES_DIR, DEFAULTS_FILE_NAME, stockConfigYaml } from "./defaults.js";
export { effectiveConfigJson, effectiveConfigYaml, rawConfigJson, rawConfigYaml } from "./show.js";
export { expandEnv } from "./env.js";
export type { Env } from "./env.js";
export { parseKeyPath, formatKeyPath } from "./keypath.js";
export type { KeySegment } from "./keypath.js";
export { parsePrometheusDuration } from "./duration.js";
