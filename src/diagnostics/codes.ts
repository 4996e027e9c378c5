// Stable diagnostic codes. Falco's codes where Falco has one (so `-V` JSON consumers keep working);
// Saker's own codes (SAKER_*) only where Falco has no equivalent. Tests assert on these, never on wording.
//
// These are Falco's short descriptions of each code. Falco's `-V` JSON prints the short one for errors
// and a longer one for warnings; the loader's results module owns the long warning texts.

export const ERROR_CODES = {
  LOAD_ERR_FILE_READ: "File read error",
  LOAD_ERR_YAML_PARSE: "YAML parse error",
  LOAD_ERR_YAML_VALIDATE: "Error validating internal structure of YAML file",
  LOAD_ERR_COMPILE_CONDITION: "Error compiling condition",
  LOAD_ERR_COMPILE_OUTPUT: "Error compiling output",
  LOAD_ERR_VALIDATE: "Error validating rule/macro/list/exception objects",
  LOAD_ERR_EXTENSION: "Error in extension item",
} as const;

export const WARNING_CODES = {
  LOAD_UNKNOWN_SOURCE: "Unknown event source",
  LOAD_UNSAFE_NA_CHECK: "Unsafe <NA> comparison in condition",
  LOAD_NO_EVTTYPE: "Condition has no event-type restriction",
  LOAD_UNKNOWN_FILTER: "Unknown field or event-type in condition or output",
  LOAD_UNUSED_MACRO: "Unused macro",
  LOAD_UNUSED_LIST: "Unused list",
  LOAD_UNKNOWN_ITEM: "Unknown rules file item",
  LOAD_DEPRECATED_ITEM: "Used deprecated item",
  LOAD_WARNING_EXTENSION: "Warning in extension item",
  LOAD_APPEND_NO_VALUES: "Overriding/appending with no values",
  LOAD_EXCEPTION_NAME_NOT_UNIQUE: "Multiple exceptions defined with the same name",
  LOAD_INVALID_MACRO_NAME: "Invalid macro name",
  LOAD_INVALID_LIST_NAME: "Invalid list name",
  LOAD_COMPILE_CONDITION: "Warning in rule condition",
  LOAD_UNKNOWN_KEY: "Unknown key in item definition",
  SAKER_LIST_ELEMENT_COMPARISON: "Comparison on a list field applied to each element",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export type WarningCode = keyof typeof WARNING_CODES;
export type DiagnosticCode = ErrorCode | WarningCode;

export function codeDescription(code: DiagnosticCode): string {
  return (ERROR_CODES as Record<string, string>)[code] ?? (WARNING_CODES as Record<string, string>)[code];
}

export function isErrorCode(code: DiagnosticCode): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}
