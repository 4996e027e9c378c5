// From the positioned tree to plain JSON values, typed by the schema the way Falco types them when it
// reads a key (yaml-cpp conversions, whatever the quoting): `"true"`, `yes` or `On` for a boolean key are
// true; `0x10` for an integer key is 16; `12` for a string key is "12". Along the way:
//
// - a key the schema does not know is dropped with SAKER_CONFIG_UNKNOWN_KEY (its path and position);
// - a deprecated key warns with SAKER_CONFIG_DEPRECATED_KEY and is kept;
// - an empty value (`key:`, `key: ""`, an unset `${VAR}`) for a boolean or number key is dropped with
//   SAKER_CONFIG_EMPTY_VALUE, so the default applies, as in Falco; for a list key it means an empty list
//   (yaml-cpp's get_sequence of a null node); for a mapping key, all of its defaults;
// - a scalar that does not convert is kept as its text, for validation to report with its position.
// Each value's JSON pointer is recorded with its key path and position (`Positions`) so that validation
// errors, which speak in JSON pointers, can name the key and its file:line:col.
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import type { ConfigDiagnostic } from "./diagnostics.js";
import { configWarning } from "./diagnostics.js";
import type { JsonSchema, JsonType } from "./schema.js";
import { DEPRECATION_NOTES } from "./schema.js";
import type { CNode } from "./tree.js";
import { escapeKey, parseYamlCppBool, parseYamlCppFloat, parseYamlCppInt, untypedValue } from "./tree.js";

export interface Position {
  /** Key path in -o syntax. */
  readonly path: string;
  /** Where the value was written. */
  readonly loc: SourceLocation;
  /** Where its key was written (absent for list items). */
  readonly keyLoc?: SourceLocation;
}

/** JSON pointer (as ajv reports it) -> key path and position. */
export type Positions = Map<string, Position>;

export interface Materialized {
  readonly value: Record<string, unknown>;
  readonly positions: Positions;
  readonly diagnostics: ConfigDiagnostic[];
}

const EMPTY = Symbol("empty");

export function materialize(root: CNode, schema: JsonSchema): Materialized {
  const positions: Positions = new Map();
  const diagnostics: ConfigDiagnostic[] = [];
  positions.set("", { path: "", loc: root.loc });
  const value = walk(root, schema, "", "", "", positions, diagnostics);
  return {
    value:
      value !== null && typeof value === "object" && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : {},
    positions,
    diagnostics,
  };
}

function typesOf(schema: JsonSchema): JsonType[] | undefined {
  if (schema.type === undefined) return undefined;
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

function pointerSegment(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

function walk(
  node: CNode,
  schema: JsonSchema,
  pointer: string,
  path: string,
  schemaPath: string,
  positions: Positions,
  diagnostics: ConfigDiagnostic[],
): unknown {
  const types = typesOf(schema);
  if (types === undefined) {
    recordPositions(node, pointer, path, positions);
    return untypedValue(node);
  }

  if (node.kind === "scalar") return scalar(node, types);

  if (node.kind === "seq") {
    if (!types.includes("array")) return untypedValue(node);
    const itemSchema = schema.items ?? {};
    return node.items.map((item, i) => {
      const childPointer = `${pointer}/${i}`;
      const childPath = `${path}[${i}]`;
      positions.set(childPointer, { path: childPath, loc: item.loc });
      const v = walk(item, itemSchema, childPointer, childPath, schemaPath, positions, diagnostics);
      return v === EMPTY ? null : v;
    });
  }

  if (!types.includes("object")) return untypedValue(node);
  const out: Record<string, unknown> = {};
  for (const entry of node.entries) {
    if (Object.prototype.hasOwnProperty.call(out, entry.key)) continue;
    const childPath = path === "" ? escapeKey(entry.key) : `${path}.${escapeKey(entry.key)}`;
    const childSchemaPath = schemaPath === "" ? entry.key : `${schemaPath}.${entry.key}`;
    let childSchema: JsonSchema | undefined = schema.properties?.[entry.key];
    if (childSchema === undefined) {
      if (schema.additionalProperties === false) {
        diagnostics.push(
          configWarning(
            "SAKER_CONFIG_UNKNOWN_KEY",
            childPath,
            `unknown key '${entry.key}'${suggestion(entry.key, Object.keys(schema.properties ?? {}))}; it is ignored`,
            entry.keyLoc,
          ),
        );
        continue;
      }
      childSchema = typeof schema.additionalProperties === "object" ? schema.additionalProperties : {};
    } else if (childSchema.deprecated) {
      const note = DEPRECATION_NOTES[childSchemaPath] ?? "no longer read by current Falco";
      diagnostics.push(
        configWarning(
          "SAKER_CONFIG_DEPRECATED_KEY",
          childPath,
          `'${childPath}' is deprecated: ${note}`,
          entry.keyLoc,
        ),
      );
    }
    const childPointer = `${pointer}/${pointerSegment(entry.key)}`;
    const valueLoc = entry.value.kind === "scalar" && entry.value.isNull ? entry.keyLoc : entry.value.loc;
    positions.set(childPointer, { path: childPath, loc: valueLoc, keyLoc: entry.keyLoc });
    const childTypes = typesOf(childSchema);
    const isEmpty =
      entry.value.kind === "scalar" &&
      (entry.value.isNull ||
        (entry.value.text === "" && childTypes !== undefined && !childTypes.includes("string")));
    if (isEmpty && childTypes !== undefined && !childTypes.includes("null")) {
      if (childTypes.includes("array")) out[entry.key] = [];
      else if (childTypes.includes("object")) continue;
      else {
        diagnostics.push(
          configWarning(
            "SAKER_CONFIG_EMPTY_VALUE",
            childPath,
            `'${childPath}' has no value; its default applies`,
            entry.keyLoc,
          ),
        );
      }
      continue;
    }
    const v = walk(
      entry.value,
      childSchema,
      childPointer,
      childPath,
      childSchemaPath,
      positions,
      diagnostics,
    );
    if (v !== EMPTY) out[entry.key] = v;
  }
  return out;
}

/** A scalar typed by the first of the schema's types it converts to: Falco's order for JSON values is
 *  integer, number, boolean, string. A null goes to null when allowed; otherwise the text is kept. */
function scalar(node: Extract<CNode, { kind: "scalar" }>, types: readonly JsonType[]): unknown {
  if (node.isNull) return types.includes("null") ? null : types.includes("string") ? "" : EMPTY;
  const text = node.text;
  if (types.includes("integer")) {
    const v = parseYamlCppInt(text);
    if (v !== undefined) return v;
  }
  if (types.includes("number")) {
    const v = parseYamlCppInt(text) ?? parseYamlCppFloat(text);
    if (v !== undefined) return v;
  }
  if (types.includes("boolean")) {
    const v = parseYamlCppBool(text);
    if (v !== undefined) return v;
  }
  return text;
}

/** "; did you mean 'x'?" for the closest known key within a small edit distance, else "". */
function suggestion(key: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const k of known) {
    const d = editDistance(key, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best === undefined ? "" : `; did you mean '${best}'?`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** Positions of a subtree no schema describes (a plugin's init_config), for checks made later. */
function recordPositions(node: CNode, pointer: string, path: string, positions: Positions): void {
  if (node.kind === "seq") {
    node.items.forEach((item, i) => {
      positions.set(`${pointer}/${i}`, { path: `${path}[${i}]`, loc: item.loc });
      recordPositions(item, `${pointer}/${i}`, `${path}[${i}]`, positions);
    });
  } else if (node.kind === "map") {
    for (const e of node.entries) {
      const p = `${pointer}/${pointerSegment(e.key)}`;
      const kp = path === "" ? escapeKey(e.key) : `${path}.${escapeKey(e.key)}`;
      positions.set(p, { path: kp, loc: e.value.loc, keyLoc: e.keyLoc });
      recordPositions(e.value, p, kp, positions);
    }
  }
}
