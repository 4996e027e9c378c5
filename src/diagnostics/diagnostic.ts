// A diagnostic is a value, never a thrown exception: loaders collect them, sort them and cap them
// (cel-go's errors, TypeScript's diagnostics). Each carries a stable code, a position and the chain of
// context that led to it, outermost first, the way Falco reports "In rule 'X' (file:12:3) -> condition".
import type { DiagnosticCode } from "./codes.js";

/** A place in a named text. line and column are 1-based; offset is 0-based, in UTF-16 code units. */
export interface SourceLocation {
  /** File name as given by the user, or a synthetic name such as "<condition>". */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/** One step of the context chain: what was being processed and where it starts. */
export interface ContextFrame {
  /** Falco's item types: "rules content", "rules content item", "list", "macro", "rule", "exception",
   *  "required_engine_version", "condition", "condition expression", "output", "list item", ... */
  readonly itemType: string;
  /** The item's name ("" when it has none or it is missing). */
  readonly itemName: string;
  readonly location: SourceLocation;
}

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: "error" | "warning";
  readonly message: string;
  /** Outermost first. The last frame is the most precise location. */
  readonly context: readonly ContextFrame[];
  /** Length of the offending text at the last frame's location, for the caret line (>= 1). */
  readonly length?: number;
}

/** Compute 1-based line and column of `offset` in `text`. */
export function locate(file: string, text: string, offset: number): SourceLocation {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { file, line, column: end - lineStart + 1, offset: end };
}
