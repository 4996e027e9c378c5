// `-o key=value` options (Falco's `-o`/`--option`). The text up to the first `=` is a key path (keypath.ts);
// the rest is the value:
//
// - `{...}`: a YAML flow mapping, as in Falco (`-o 'rules[]={"disable": {"tag": "x"}}'`);
// - `[...]`: a YAML flow list (Saker: `-o rules_files=[a.yaml,b.yaml]`; Falco would store the text);
// - `"..."` or `'...'`: a YAML quoted string, quotes removed (Saker: a way to pass text starting with `{`);
// - anything else: the text as is, typed later by the key it lands on, as Falco does (`=true` is a
//   boolean for `json_output`, the string "true" for `plugins[0].open_params`). An empty value is an
//   empty string. No `${VAR}` expansion: the shell has already done it.
//
// Options whose key starts with `config_files` are applied before config_files are read (so `-o
// config_files=extra.yaml` includes extra.yaml); all of them are applied again after the merge, in order.
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import type { ConfigDiagnostic } from "./diagnostics.js";
import { configError } from "./diagnostics.js";
import type { KeySegment } from "./keypath.js";
import { formatKeyPath, KeyPathError, parseKeyPath, setAtPath } from "./keypath.js";
import type { CMap, CNode } from "./tree.js";
import { getEntry, parseYamlTree, scalarNode, setValue } from "./tree.js";

export interface ParsedOverride {
  /** The option as given. */
  readonly text: string;
  readonly segments: readonly KeySegment[];
  /** Canonical key path. */
  readonly path: string;
  readonly value: CNode;
  /** 1-based position of the option among the -o options. */
  readonly ordinal: number;
}

export function overrideFileName(ordinal: number): string {
  return `<-o #${ordinal}>`;
}

function locIn(ordinal: number, offset: number): SourceLocation {
  return { file: overrideFileName(ordinal), line: 1, column: offset + 1, offset };
}

/** Parse one option; a diagnostic (SAKER_CONFIG_OVERRIDE or a YAML error in the value) when malformed. */
export function parseOverride(text: string, ordinal: number): ParsedOverride | ConfigDiagnostic {
  const eq = text.indexOf("=");
  if (eq < 0) {
    return configError(
      "SAKER_CONFIG_OVERRIDE",
      "",
      `'${text}' must be of the form key=value or key.subkey=value`,
      locIn(ordinal, 0),
    );
  }
  const keyText = text.slice(0, eq);
  const raw = text.slice(eq + 1);
  let segments: KeySegment[];
  try {
    segments = parseKeyPath(keyText);
  } catch (err) {
    const offset = err instanceof KeyPathError ? Math.max(err.offset, 0) : 0;
    return configError("SAKER_CONFIG_OVERRIDE", keyText, (err as Error).message, locIn(ordinal, offset));
  }
  const path = formatKeyPath(segments);
  const valueLoc = locIn(ordinal, eq + 1);
  const structured =
    (raw.startsWith("{") && raw.endsWith("}")) ||
    (raw.startsWith("[") && raw.endsWith("]")) ||
    (raw.length >= 2 && (raw[0] === '"' || raw[0] === "'") && raw.endsWith(raw[0]));
  if (!structured) return { text, segments, path, value: scalarNode(raw, valueLoc), ordinal };

  // Parse the value as YAML, placed at its column in the option so positions point into it.
  const parsed = parseYamlTree(" ".repeat(eq + 1) + raw, overrideFileName(ordinal));
  const error = parsed.diagnostics.find((d) => d.severity === "error");
  if (error) return { ...error, path, message: `value is not valid YAML: ${error.message}` };
  const value = parsed.root ?? scalarNode("", valueLoc, true);
  return { text, segments, path, value, ordinal };
}

/** Apply one parsed option to the root mapping; a SAKER_CONFIG_OVERRIDE diagnostic when the path cannot
 *  be walked (e.g. it goes through a scalar). */
export function applyOverride(root: CMap, override: ParsedOverride): ConfigDiagnostic | undefined {
  const first = override.segments[0];
  const loc = locIn(override.ordinal, 0);
  if (first.kind !== "key") {
    return configError("SAKER_CONFIG_OVERRIDE", override.path, "a key path must start with a key name", loc);
  }
  try {
    const entry = getEntry(root, first.name);
    const node = setAtPath(entry?.value, override.segments, override.value, loc, 1);
    setValue(root, first.name, override.segments.length === 1 ? loc : (entry?.keyLoc ?? loc), node);
    return undefined;
  } catch (err) {
    return configError("SAKER_CONFIG_OVERRIDE", override.path, (err as Error).message, loc);
  }
}

/** Falco applies `config_files...` options before including config files. */
export function isConfigFilesOverride(override: ParsedOverride): boolean {
  const first = override.segments[0];
  return first.kind === "key" && first.name === "config_files";
}
