// Load results as users read them: Falco's `-V` JSON, and a text form for terminals.
//
// JSON (Falco's rule_loader::result::as_json, dumped by nlohmann::json, whose objects keep keys sorted):
//   {"falco_load_results":[{"errors":[P...],"name":F,"successful":B,"warnings":[P...]}, ...]}
//   P = {"code":C,"codedesc":D,"context":{"locations":[L...],"snippet":S},"message":M}
//   L = {"item_name":N,"item_type":T,"position":{"column":c,"line":l,"name":F,"offset":o}}
// Positions are yaml-cpp marks: line and column 0-based, offset 0-based. `codedesc` is the short
// description for errors and a longer one for warnings (as Falco prints them). Where Falco
// names a condition-expression location after the first 20 characters of the condition, we name the file
// and give the position inside the condition mapped back into it.
//
// Text:
//   file:line:col: error CODE: message
//     In rule 'X' (file:12:3) -> rule condition (file:14:14) -> condition expression (file:14:25)
//      14 |   condition: evt.type=open bar
//         |                            ^~~
import { codeDescription, isErrorCode } from "../../diagnostics/codes.js";
import type { WarningCode } from "../../diagnostics/codes.js";
import type { ContextFrame, Diagnostic } from "../../diagnostics/diagnostic.js";
import type { FileResult, LoadOutcome } from "./load.js";
import type { SourceFile } from "./positions.js";

/** The longer explanation of each warning code, printed as `codedesc` in the `-V` JSON where Falco prints
 *  its own long description for warnings. Written for Saker; the code is the contract, not the prose. */
export const WARNING_DESCRIPTIONS: Readonly<Record<WarningCode, string>> = {
  LOAD_UNKNOWN_SOURCE:
    "The rule is for an event source that is not loaded (no plugin or built-in source provides it), " +
    "so it is skipped.",
  LOAD_UNSAFE_NA_CHECK:
    "The condition compares a field with the literal <NA>. Whether a field has a value is better tested " +
    "with the 'exists' operator; comparing with <NA> behaves unexpectedly.",
  LOAD_NO_EVTTYPE:
    "The condition does not restrict evt.type to a small set, so the rule is evaluated for almost every " +
    "event. Add an evt.type check to make it cheaper.",
  LOAD_UNKNOWN_FILTER:
    "The condition or output names a field or an event type that does not exist. Rules with " +
    "skip-if-unknown-filter get this warning and are skipped instead of failing the load.",
  LOAD_UNUSED_MACRO: "The macro is defined but no rule or other macro refers to it.",
  LOAD_UNUSED_LIST: "The list is defined but no rule, macro or other list refers to it.",
  LOAD_UNKNOWN_ITEM: "The rules file has a top-level item of a kind the loader does not know; it is ignored.",
  LOAD_DEPRECATED_ITEM: "A list, macro or rule uses something that is deprecated.",
  LOAD_WARNING_EXTENSION: "An extension item produced a warning.",
  LOAD_APPEND_NO_VALUES: "An exception is appended or overridden without any values.",
  LOAD_EXCEPTION_NAME_NOT_UNIQUE: "The rule defines more than one exception with the same name.",
  LOAD_INVALID_MACRO_NAME: "The macro's name cannot be referenced from a condition.",
  LOAD_INVALID_LIST_NAME: "The list's name cannot be referenced from a condition.",
  LOAD_COMPILE_CONDITION: "Compiling the rule's condition or output produced a warning.",
  LOAD_UNKNOWN_KEY:
    "An item has a key the loader does not recognise; the key is ignored. It may be misspelt or belong " +
    "to another kind of item.",
  SAKER_LIST_ELEMENT_COMPARISON:
    "The condition applies an operator other than in, intersects or exists to a list field. Current " +
    "Falco refuses this; Saker accepts it as true when some element satisfies the comparison (for '!=', " +
    "when no element equals the value). Use intersects, or a field that picks one element, instead.",
};

/** Falco's default snippet width: lines longer than this are cut around the position. */
const SNIPPET_WIDTH = 160;

export interface JsonLocation {
  item_name: string;
  item_type: string;
  position: { column: number; line: number; name: string; offset: number };
}

export interface JsonProblem {
  code: string;
  codedesc: string;
  context: { locations: JsonLocation[]; snippet: string };
  message: string;
}

export interface JsonFileResult {
  errors: JsonProblem[];
  name: string;
  successful: boolean;
  warnings: JsonProblem[];
}

/** Falco's `-V` JSON document for these results. */
export function resultsJson(outcome: LoadOutcome | readonly FileResult[]): {
  falco_load_results: JsonFileResult[];
} {
  const files = Array.isArray(outcome) ? (outcome as readonly FileResult[]) : (outcome as LoadOutcome).files;
  const byName = new Map<string, SourceFile>();
  for (const f of files) byName.set(f.name, f.file);
  return {
    falco_load_results: files.map((f) => ({
      errors: f.errors.map((d) => problemJson(d, byName)),
      name: f.name,
      successful: f.successful,
      warnings: f.warnings.map((d) => problemJson(d, byName)),
    })),
  };
}

function problemJson(d: Diagnostic, files: ReadonlyMap<string, SourceFile>): JsonProblem {
  const codedesc = isErrorCode(d.code)
    ? codeDescription(d.code)
    : WARNING_DESCRIPTIONS[d.code as WarningCode];
  return {
    code: d.code,
    codedesc,
    context: {
      locations: d.context.map((f) => ({
        item_name: f.itemName,
        item_type: f.itemType,
        position: {
          column: f.location.column - 1,
          line: f.location.line - 1,
          name: f.location.file,
          offset: f.location.offset,
        },
      })),
      snippet: falcoSnippet(d, files),
    },
    message: d.message,
  };
}

/** Falco's snippet: the line of the last location, then a caret under its column. */
function falcoSnippet(d: Diagnostic, files: ReadonlyMap<string, SourceFile>): string {
  const last = d.context[d.context.length - 1];
  if (last === undefined) return "<No context available>\n";
  const file = files.get(last.location.file);
  if (file === undefined) return `<No context for file + ${last.location.file}>\n`;
  const line = sourceLine(file, last.location.offset);
  if (line === undefined) return "<No context available>\n";
  return `${line.text}\n${" ".repeat(line.caret)}^\n`;
}

/** The line holding `offset` (a position past a line's end backs up onto it), cut to the snippet width. */
function sourceLine(
  file: SourceFile,
  offset: number,
): { text: string; caret: number; line: number } | undefined {
  const text = file.text;
  if (text.length === 0) return undefined;
  let pos = Math.min(offset, text.length - 1);
  while (pos > 0 && (pos >= text.length || text[pos] === "\n")) pos--;
  let from = text.lastIndexOf("\n", pos - (text[pos] === "\n" ? 1 : 0));
  from = from < 0 ? 0 : from + 1;
  let to = text.indexOf("\n", pos);
  if (to < 0) to = text.length;
  let line = text.slice(from, to).replace(/\r$/, "");
  let caret = pos - from;
  const half = SNIPPET_WIDTH / 2;
  if (caret > half) {
    const cut = caret - half;
    line = "..." + line.slice(cut + 3);
    caret -= cut;
  }
  if (line.length - caret > half) line = line.slice(0, caret + half - 3) + "...";
  if (line.trim().length === 0) return undefined;
  return { text: line, caret, line: file.location(pos).line };
}

function frameText(f: ContextFrame): string {
  const name = f.itemName === "" ? "" : ` '${f.itemName}'`;
  return `${f.itemType}${name} (${f.location.file}:${f.location.line}:${f.location.column})`;
}

/** One problem in text form: headline, context chain, and the source line with a caret. */
export function formatDiagnostic(d: Diagnostic, files: ReadonlyMap<string, SourceFile>): string {
  const last = d.context[d.context.length - 1];
  const where =
    last === undefined ? "" : `${last.location.file}:${last.location.line}:${last.location.column}: `;
  const message = d.message === "" ? codeDescription(d.code) : d.message;
  let out = `${where}${d.severity} ${d.code}: ${message}\n`;
  // The root "rules content" frame only names the file, which the headline already gives.
  const chain = d.context.filter(
    (f, i) => !(i === 0 && f.itemType === "rules content" && d.context.length > 1),
  );
  if (chain.length > 0) out += `  In ${chain.map(frameText).join(" -> ")}\n`;
  const file = last === undefined ? undefined : files.get(last.location.file);
  const line = file === undefined ? undefined : sourceLine(file, last.location.offset);
  if (line !== undefined) {
    const number = String(line.line);
    const gutter = " ".repeat(number.length);
    const pad = line.text.slice(0, line.caret).replace(/[^\t]/g, " ");
    const len = Math.max(1, d.length ?? 1);
    const marks = "^" + "~".repeat(Math.max(0, Math.min(len, line.text.length - line.caret) - 1));
    out += ` ${number} | ${line.text}\n ${gutter} | ${pad}${marks}\n`;
  }
  return out;
}

/** A file's summary line, as Falco prints it: "name: Ok", "name: Ok, with warnings", "name: Invalid". */
export function summaryLine(f: FileResult): string {
  if (!f.successful) return `${f.name}: Invalid`;
  return f.warnings.length > 0 ? `${f.name}: Ok, with warnings` : `${f.name}: Ok`;
}

/** Every file's problems then its summary line. */
export function formatResults(outcome: LoadOutcome | readonly FileResult[]): string {
  const files = Array.isArray(outcome) ? (outcome as readonly FileResult[]) : (outcome as LoadOutcome).files;
  const byName = new Map<string, SourceFile>();
  for (const f of files) byName.set(f.name, f.file);
  let out = "";
  for (const f of files) {
    for (const d of f.diagnostics) out += formatDiagnostic(d, byName);
    out += summaryLine(f) + "\n";
  }
  return out;
}
