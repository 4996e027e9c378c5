// The configuration as a positioned tree: what the YAML files, their merge and the `-o` options produce
// before any key is interpreted. Scalars keep their text, not a type: Falco (yaml-cpp) decides a scalar's
// type only when a key is read (`enabled: "true"` is a boolean, `open_params: 12` a string), and so does
// Saker, from the schema (see materialize.ts). Every node remembers the file, line and column it came from,
// and keeps them through merging, so an error names the file that really holds the value.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, Scalar } from "yaml";
import type { Node as YamlNode, Document } from "yaml";
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import type { ConfigDiagnostic } from "./diagnostics.js";
import { configError, configWarning } from "./diagnostics.js";

export interface CScalar {
  readonly kind: "scalar";
  /** The scalar's text as written (after quotes and escapes are resolved, before any typing). */
  text: string;
  /** A plain `~`, `null`, `Null`, `NULL` or nothing at all: YAML's null (yaml-cpp's Null node). */
  readonly isNull: boolean;
  readonly loc: SourceLocation;
}

export interface CEntry {
  readonly key: string;
  readonly keyLoc: SourceLocation;
  value: CNode;
}

export interface CMap {
  readonly kind: "map";
  readonly entries: CEntry[];
  readonly loc: SourceLocation;
}

export interface CSeq {
  readonly kind: "seq";
  readonly items: CNode[];
  readonly loc: SourceLocation;
}

export type CNode = CScalar | CMap | CSeq;

export function scalarNode(text: string, loc: SourceLocation, isNull = false): CScalar {
  return { kind: "scalar", text, isNull, loc };
}

export function mapNode(loc: SourceLocation, entries: CEntry[] = []): CMap {
  return { kind: "map", entries, loc };
}

export function seqNode(loc: SourceLocation, items: CNode[] = []): CSeq {
  return { kind: "seq", items, loc };
}

/** The entry for `key` (the first one, as yaml-cpp's lookup finds the first of duplicated keys). */
export function getEntry(map: CMap, key: string): CEntry | undefined {
  return map.entries.find((e) => e.key === key);
}

export function getValue(map: CMap, key: string): CNode | undefined {
  return getEntry(map, key)?.value;
}

/** Replace the value of `key` in place (keeping the key's order), or add it at the end. */
export function setValue(map: CMap, key: string, keyLoc: SourceLocation, value: CNode): void {
  const index = map.entries.findIndex((e) => e.key === key);
  const entry: CEntry = { key, keyLoc, value };
  if (index >= 0) map.entries[index] = entry;
  else map.entries.push(entry);
}

export interface ParsedYaml {
  /** The first document's root; undefined for an empty file. */
  readonly root: CNode | undefined;
  readonly diagnostics: ConfigDiagnostic[];
}

/** Parse YAML text into a positioned tree. Parse errors are SAKER_CONFIG_YAML_PARSE; duplicated keys
 *  and extra documents are warnings (yaml-cpp accepts both: first key wins, first document is read). */
export function parseYamlTree(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col, offset };
  };
  const diagnostics: ConfigDiagnostic[] = [];
  const list: Document.Parsed[] = Array.isArray(docs) ? docs : [docs as unknown as Document.Parsed];
  if (list.length === 0) return { root: undefined, diagnostics };
  const doc = list[0];
  for (const err of doc.errors) {
    diagnostics.push(configError("SAKER_CONFIG_YAML_PARSE", "", err.message.split("\n")[0], at(err.pos[0])));
  }
  if (diagnostics.length > 0) return { root: undefined, diagnostics };
  if (list.length > 1 && list[1].contents !== null) {
    diagnostics.push(
      configWarning(
        "SAKER_CONFIG_EXTRA_DOCUMENT",
        "",
        "the file holds more than one YAML document; only the first one is read",
        at(list[1].range[0]),
      ),
    );
  }
  const convert = (
    node: YamlNode | null | undefined,
    fallback: number,
    path: string,
    depth: number,
  ): CNode => {
    if (depth > 200) {
      diagnostics.push(configError("SAKER_CONFIG_YAML_PARSE", path, "nesting too deep", at(fallback)));
      return scalarNode("", at(fallback), true);
    }
    if (node === null || node === undefined) return scalarNode("", at(fallback), true);
    if (isAlias(node)) {
      const target = node.resolve(doc);
      return convert(target as YamlNode | undefined, node.range?.[0] ?? fallback, path, depth + 1);
    }
    const start = node.range?.[0] ?? fallback;
    if (isScalar(node)) {
      const isNull = node.value === null && (node.type === undefined || node.type === Scalar.PLAIN);
      const textOf = node.source ?? (node.value === null ? "" : String(node.value));
      return scalarNode(isNull ? "" : textOf, at(start), isNull);
    }
    if (isSeq(node)) {
      return seqNode(
        at(start),
        node.items.map((item, i) => convert(item as YamlNode | null, start, `${path}[${i}]`, depth + 1)),
      );
    }
    if (isMap(node)) {
      const map = mapNode(at(start));
      for (const pair of node.items) {
        const keyNode = pair.key as YamlNode | null;
        const keyStart = keyNode && "range" in keyNode && keyNode.range ? keyNode.range[0] : start;
        const key = keyText(keyNode, doc);
        const childPath = path === "" ? escapeKey(key) : `${path}.${escapeKey(key)}`;
        const valueStart =
          pair.value && "range" in (pair.value as object) && (pair.value as YamlNode).range
            ? (pair.value as YamlNode).range![0]
            : keyStart;
        const value = convert(pair.value as YamlNode | null, valueStart, childPath, depth + 1);
        if (getEntry(map, key)) {
          diagnostics.push(
            configWarning(
              "SAKER_CONFIG_DUPLICATE_KEY",
              childPath,
              "key repeated in the same mapping; the first occurrence is used",
              at(keyStart),
            ),
          );
          continue;
        }
        map.entries.push({ key, keyLoc: at(keyStart), value });
      }
      return map;
    }
    return scalarNode("", at(start), true);
  };
  const root = doc.contents === null ? undefined : convert(doc.contents as YamlNode, 0, "", 0);
  return { root, diagnostics };
}

function keyText(key: YamlNode | null, doc: Document.Parsed): string {
  if (key === null) return "";
  if (isAlias(key)) return keyText((key.resolve(doc) as YamlNode | undefined) ?? null, doc);
  if (isScalar(key)) return key.source ?? (key.value === null ? "" : String(key.value));
  return String(key);
}

/** A key as written in a key path: `.`, `[`, `]` and `\` escaped with a backslash (Falco's -o syntax). */
export function escapeKey(key: string): string {
  return key.replace(/[.[\]\\]/g, (c) => `\\${c}`);
}

/** Falco's view of a node as JSON, for subtrees no schema describes (a plugin's init_config map):
 *  yaml-cpp's conversion tries int, then double, then bool, then string, whatever the quoting. */
export function untypedValue(node: CNode): unknown {
  switch (node.kind) {
    case "scalar":
      if (node.isNull) return null;
      return (
        parseYamlCppInt(node.text) ?? parseYamlCppFloat(node.text) ?? parseYamlCppBool(node.text) ?? node.text
      );
    case "seq":
      return node.items.map(untypedValue);
    case "map": {
      const out: Record<string, unknown> = {};
      for (const e of node.entries) if (!(e.key in out)) out[e.key] = untypedValue(e.value);
      return out;
    }
  }
}

const BOOL_WORDS: ReadonlyMap<string, boolean> = new Map([
  ["y", true],
  ["n", false],
  ["yes", true],
  ["no", false],
  ["true", true],
  ["false", false],
  ["on", true],
  ["off", false],
]);

/** yaml-cpp's bool: y/n, yes/no, true/false, on/off, in lower case, UPPER case or Capitalized. */
export function parseYamlCppBool(text: string): boolean | undefined {
  const flexible =
    text === text.toLowerCase() ||
    (text[0] === text[0]?.toUpperCase() &&
      (text.slice(1) === text.slice(1).toLowerCase() || text.slice(1) === text.slice(1).toUpperCase()));
  if (!flexible) return undefined;
  return BOOL_WORDS.get(text.toLowerCase());
}

/** yaml-cpp's integer: a C stream read with base detection (0x hex, 0 or 0o octal, else decimal),
 *  trailing whitespace allowed; undefined unless the whole text is one integer. */
export function parseYamlCppInt(text: string): number | undefined {
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)\s*$/.exec(text);
  if (!m) return undefined;
  const body = m[2];
  let value: number;
  if (/^0[xX]/.test(body)) value = parseInt(body.slice(2), 16);
  else if (/^0[oO]/.test(body)) value = parseInt(body.slice(2), 8);
  else if (body.length > 1 && body[0] === "0") value = parseInt(body.slice(1), 8);
  else value = parseInt(body, 10);
  if (!Number.isSafeInteger(value)) return undefined;
  return m[1] === "-" ? -value : value;
}

/** yaml-cpp's double: a decimal number with optional fraction and exponent (finite values only). */
export function parseYamlCppFloat(text: string): number | undefined {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text)) return undefined;
  const value = Number(text.trim());
  return Number.isFinite(value) ? value : undefined;
}
