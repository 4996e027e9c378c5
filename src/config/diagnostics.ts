// Configuration problems are values with a stable code, the key path they concern (Falco's `-o` syntax:
// `webserver.listen_port`, `plugins[0].open_params`) and where that key was written (file:line:col; for
// `-o` values a pseudo-file `<-o #N>`). Tests assert on codes and positions, never on wording.
import type { SourceLocation } from "../diagnostics/diagnostic.js";

export const CONFIG_ERROR_CODES = {
  /** A config file (main or included) cannot be read. */
  SAKER_CONFIG_FILE_READ: "Cannot read config file",
  /** A config file is not well-formed YAML, or its top level is not a mapping. */
  SAKER_CONFIG_YAML_PARSE: "Config file is not valid YAML",
  /** A value has the wrong type, is out of range or is not one of the accepted values. */
  SAKER_CONFIG_INVALID: "Invalid configuration value",
  /** A setting needs another one that is missing (e.g. file_output enabled without a filename). */
  SAKER_CONFIG_MISSING: "Required configuration value missing",
  /** Two settings contradict each other (e.g. both rules_file and rules_files). */
  SAKER_CONFIG_CONFLICT: "Conflicting configuration values",
  /** A `-o key=value` option is malformed or cannot be applied. */
  SAKER_CONFIG_OVERRIDE: "Invalid -o option",
  /** config_files misuse: a file including itself, an included file with its own config_files. */
  SAKER_CONFIG_INCLUDE: "Invalid config_files inclusion",
  /** An included file appends a list to a key whose current value is not a list. */
  SAKER_CONFIG_MERGE: "Cannot merge included config file",
  /** `${VAR}` expansion did not terminate (a variable expanding to itself). */
  SAKER_CONFIG_ENV: "Environment variable expansion failed",
} as const;

export const CONFIG_WARNING_CODES = {
  /** A key Falco does not know (a typo, or a key from another version); it is ignored. */
  SAKER_CONFIG_UNKNOWN_KEY: "Unknown configuration key",
  /** A key older Falco versions read and current ones dropped or renamed. */
  SAKER_CONFIG_DEPRECATED_KEY: "Deprecated configuration key",
  /** A key given with no value (`key:` or an empty `${VAR}`) where a value is needed: the default applies. */
  SAKER_CONFIG_EMPTY_VALUE: "Empty configuration value, default used",
  /** A mapping repeats a key; the first one counts, as in Falco. */
  SAKER_CONFIG_DUPLICATE_KEY: "Duplicate configuration key",
  /** A config file holds more than one YAML document; only the first is read, as in Falco. */
  SAKER_CONFIG_EXTRA_DOCUMENT: "Extra YAML document ignored",
} as const;

export type ConfigErrorCode = keyof typeof CONFIG_ERROR_CODES;
export type ConfigWarningCode = keyof typeof CONFIG_WARNING_CODES;
export type ConfigCode = ConfigErrorCode | ConfigWarningCode;

export interface ConfigDiagnostic {
  readonly code: ConfigCode;
  readonly severity: "error" | "warning";
  /** Key path in `-o` syntax ("" for the whole file). */
  readonly path: string;
  readonly message: string;
  /** Where the offending key or value was written; absent when it comes from no file (a default). */
  readonly location?: SourceLocation;
}

export function configError(
  code: ConfigErrorCode,
  path: string,
  message: string,
  location?: SourceLocation,
): ConfigDiagnostic {
  return { code, severity: "error", path, message, ...(location ? { location } : {}) };
}

export function configWarning(
  code: ConfigWarningCode,
  path: string,
  message: string,
  location?: SourceLocation,
): ConfigDiagnostic {
  return { code, severity: "warning", path, message, ...(location ? { location } : {}) };
}

/** `file:line:col: severity CODE: path: message`, one line, the way compilers print. */
export function formatConfigDiagnostic(d: ConfigDiagnostic): string {
  const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.column}: ` : "";
  const path = d.path === "" ? "" : `${d.path}: `;
  return `${where}${d.severity} ${d.code}: ${path}${d.message}`;
}

export function formatConfigDiagnostics(ds: readonly ConfigDiagnostic[]): string {
  return ds.map((d) => formatConfigDiagnostic(d) + "\n").join("");
}
